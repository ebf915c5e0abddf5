"""``daily-papers export`` and ``daily-papers import``: bibliographies (BibTeX, biblatex,
CSL-JSON, RIS) out of and into the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.cli.context import AddCommand, Context, resolve_ids
from desktop_app.domain import FeedQuery, Sort
from desktop_app.errors import InvalidInputError

# bibtex.options.FORMATS, named here so that building the parser loads no BibTeX code
EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris")


def cmd_export(ctx: Context) -> int:
    from desktop_app.bibtex import BibTeXOptions, export_bibtex, export_to_file
    from desktop_app.outputs import check_target

    args = ctx.args
    if args.output:  # refused before anything is read or stored
        kind = args.format if args.format in ("csl-json", "ris") else "bibliography"
        check_target(args.output, library=ctx.repo.path, kind=kind, force=args.force)
    ids = resolve_ids(args.ids) if args.ids else []
    if args.tag or args.query or not ids:
        query = FeedQuery(tags=tuple(args.tag or ()), text=args.query or "", sort=Sort.DATE)
        ids = list(dict.fromkeys([*ids, *ctx.repo.ids(query)]))
    if not ids:
        raise InvalidInputError("Nothing to export: no paper matches.")
    options = BibTeXOptions(
        unicode=args.unicode,
        include_abstract=args.abstract,
        include_keywords=args.keywords,
        key_pattern=ctx.settings.cite_key_pattern,
        format=args.format,
    )
    if args.output:
        path = export_to_file(ctx.repo, ids, options, args.output, force=args.force)
        ctx.err.write(f"Exported {len(ids)} entr{'ies' if len(ids) != 1 else 'y'} to {path}.\n")
    else:
        ctx.out.write(export_bibtex(ctx.repo, ids, options))
    return 0


def cmd_import(ctx: Context) -> int:
    from desktop_app.bibtex import import_bibliography
    from desktop_app.bibtex.importer import MAX_FILE_BYTES

    args = ctx.args
    if args.file == "-":
        source: bytes | Path = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        source = Path(args.file)
    report = import_bibliography(
        ctx.repo,
        source,
        tag=args.tag,
        dry_run=args.dry_run,
        strict=args.strict,
        encoding=args.encoding,
    )
    verb = "Would import" if args.dry_run else "Imported"
    ctx.out.write(
        f"{verb}: {report.new} new, {report.merged} merged with papers already in the library, "
        f"{report.skipped} skipped (nothing new), {report.failed} failed.\n"
    )
    for problem in report.problems:
        ctx.err.write(f"  warning: {problem}\n")
    for entry in report.entries:
        if entry.action == "failed" or args.verbose:
            reason = f" — {entry.reason}" if entry.reason else ""
            ctx.err.write(f"  line {entry.line}: {entry.key}: {entry.action}{reason}\n")
    return 0


def cmd_autoexport(ctx: Context) -> int:
    from desktop_app.library import autoexport

    args = ctx.args
    action = getattr(args, "autoexport_action", None) or "list"
    repo = ctx.repo
    if action == "add":
        spec, result = autoexport.add(
            repo,
            args.file,
            tag=args.tag,
            query=args.query or "",
            fmt=args.format,
            key_pattern=ctx.settings.cite_key_pattern,
            force=args.force,
        )
        if result.error:
            ctx.err.write(f"daily-papers: warning: not written yet: {result.error}\n")
        ctx.out.write(
            f"Keeping {spec.path} up to date with {spec.scope} ({spec.format}, "
            f"{result.entries} entr{'y' if result.entries == 1 else 'ies'} now).\n"
        )
        return 0
    if action == "remove":
        spec = autoexport.remove(repo, args.file)
        ctx.out.write(f"No longer keeping {spec.path} up to date (the file stays).\n")
        return 0
    if action == "refresh":
        results = autoexport.refresh(repo, ctx.settings.cite_key_pattern)
        for r in results:
            state = f"error: {r.error}" if r.error else "rewritten" if r.written else "unchanged"
            ctx.out.write(f"{r.path}: {state} ({r.entries} entries)\n")
        return 1 if any(r.error for r in results) else 0
    specs = repo.autoexports()
    if getattr(args, "json", False):
        from desktop_app.safetext import dumps_json

        ctx.out.write(dumps_json([vars(s) for s in specs]) + "\n")
        return 0
    if not specs:
        ctx.out.write("No file is kept up to date. Add one with `daily-papers autoexport add`.\n")
    for spec in specs:
        status = f"failed: {spec.error}" if spec.error else f"written {spec.written or 'never'}"
        n = spec.entries or 0
        ctx.out.write(
            f"{spec.path}\n  {spec.scope}, {spec.format}; {n} entr{'y' if n == 1 else 'ies'}, "
            f"{status}\n"
        )
    return 0


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add("export", "export a bibliography (all papers, a tag, a search or ids)", cmd_export)
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--tag", action="append", metavar="T", help="papers with tag T (and sub-tags)")
    p.add_argument("--query", "-q", metavar="Q", help="papers matching a full-text search")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it is a backup or not a bibliography (never the library)",
    )
    p.add_argument(
        "--unicode",
        action="store_true",
        help="keep non-ASCII as UTF-8 (biber) instead of LaTeX commands",
    )
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="bibtex",
        help="bibtex (pdflatex + BibTeX, ASCII), biblatex (biber, UTF-8), csl-json or ris",
    )
    p.add_argument("--abstract", action="store_true", help="include abstracts")
    p.add_argument("--keywords", action="store_true", help="include tags as keywords")

    p = add(
        "import",
        "import a bibliography: BibTeX, biblatex, RIS or CSL-JSON, told by its content "
        "(duplicates are merged, never doubled)",
        cmd_import,
    )
    p.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    p.add_argument("--tag", metavar="T", help="also tag every imported paper with T")
    p.add_argument("--dry-run", action="store_true", help="only report what would happen")
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse the file if anything in it had to be forgiven (nothing is imported)",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's text encoding when it is not UTF-8 (e.g. gbk, latin-1)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list every entry")

    p = add(
        "autoexport",
        "keep bibliography files up to date with a tag, a search or the library",
        cmd_autoexport,
    )
    asub = p.add_subparsers(dest="autoexport_action", metavar="ACTION")
    a = asub.add_parser(
        "add",
        help="keep FILE up to date (rewritten whenever the library changes)",
        parents=[common],
    )
    a.add_argument("file", metavar="FILE")
    a.add_argument("--tag", metavar="T", help="the papers of tag T and its sub-tags")
    a.add_argument("--query", "-q", metavar="Q", help="the library's papers matching a search")
    a.add_argument("--format", choices=EXPORT_FORMATS, default="bibtex")
    a.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it is not a bibliography (never the library)",
    )
    a = asub.add_parser("remove", help="stop keeping FILE up to date", parents=[common])
    a.add_argument("file", metavar="FILE")
    a = asub.add_parser("list", help="the files kept up to date (the default)", parents=[common])
    a.add_argument("--json", action="store_true", help="as JSON")
    asub.add_parser("refresh", help="bring every kept file up to date now", parents=[common])
