"""The ``daily-papers`` command.

With no sub-command it opens the window; the sub-commands do the same work headless, through
the same services. Errors a person can cause print one line to stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from desktop_app import __version__
from desktop_app.config import Settings, data_dir, db_path, load_settings
from desktop_app.domain import FeedQuery, Paper, Sort
from desktop_app.errors import AppError, InvalidInputError, NotFoundError
from desktop_app.safetext import SafeStream, dumps_json, for_terminal
from desktop_app.store import Repository
from desktop_app.store.tags import MAX_FAVOURITES

# Exit codes (documented in the README): 2 is argparse's for a command line it cannot read, so
# a bug gets its own (EX_SOFTWARE from sysexits.h).
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 70, 130


# ---------------------------------------------------------------------------- output helpers
def paper_json(paper: Paper) -> dict[str, Any]:
    """The stable JSON shape of a paper (documented in the README)."""
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "organization": paper.organization,
        "github": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "summary": paper.abstract,
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords),
        "tags": list(paper.tags),
        "read": paper.read,
        "starred": paper.starred,
        "saved": paper.saved,
        "note": paper.note,
        "hf_url": paper.hf_url,
        "arxiv_url": paper.arxiv_url,
        "pdf_url": paper.pdf_url,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "version": paper.version,
        "daily_day": paper.daily_day.isoformat() if paper.daily_day else None,
        "daily_rank": paper.daily_rank,
    }


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def print_table(papers: Sequence[Paper], out: TextIO) -> None:
    width = shutil.get_terminal_size((120, 24)).columns
    title_w = max(width - 12 - 11 - 6 - 3 - 24, 30)
    for p in papers:
        flags = ("*" if p.starred else " ") + (" " if p.read else "•")
        day = p.published.isoformat() if p.published else "          "
        tags = _clip(", ".join(p.tags), 22)
        title = _clip(p.title, title_w)
        line = f"{p.id:<12} {day} {p.upvotes:>5} {flags} {title:<{title_w}} {tags}"
        out.write(line.rstrip() + "\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def print_paper(p: Paper, out: TextIO) -> None:
    lines = [_one_line(p.title), _one_line(", ".join(p.authors))]
    meta = [p.id]
    if p.published:
        meta.append(p.published.isoformat())
    if p.organization:
        meta.append(p.organization)
    meta.append(f"▲ {p.upvotes}")
    meta.append(f"{p.comments} comments")
    lines.append(" · ".join(meta))
    if p.tags:
        lines.append("Tags: " + ", ".join(p.tags))
    state = [s for s, on in (("read", p.read), ("starred", p.starred), ("saved", p.saved)) if on]
    if state:
        lines.append("State: " + ", ".join(state))
    lines.append("")
    if p.ai_summary:
        lines += ["AI summary: " + p.ai_summary, ""]
    lines += [p.abstract, ""]
    for label, url in (
        ("Hugging Face", p.hf_url),
        ("arXiv", p.arxiv_url),
        ("PDF", p.pdf_url),
        ("GitHub", p.github_repo),
        ("Project page", p.project_page),
    ):
        if url:
            lines.append(f"{label}: {url}")
    if p.note:
        lines += ["", "Note:", p.note]
    out.write(for_terminal("\n".join(lines).rstrip()) + "\n")


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


# ---------------------------------------------------------------------------- commands
class Context:
    """What every command gets: the data directory, settings and (lazily) the repository."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = data_dir(getattr(args, "data_dir", None))
        self.settings: Settings = load_settings(self.data_dir).effective()
        self._repo: Repository | None = None
        # Nothing printed can act on the terminal (see desktop_app.safetext).
        self.out: TextIO = SafeStream(sys.stdout)  # type: ignore[assignment]
        self.err: TextIO = SafeStream(sys.stderr)  # type: ignore[assignment]

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = Repository.open(db_path(self.data_dir))
        return self._repo

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()


def _query_from_args(args: argparse.Namespace) -> FeedQuery:
    text = args.query or ""
    sort = Sort(args.sort) if args.sort else (Sort.RELEVANCE if text.strip() else Sort.DATE)
    return FeedQuery(
        tags=tuple(args.tag or ()),
        tag_mode="any" if args.any else "all",
        text=text,
        date_from=args.date_from,
        date_to=args.date_to,
        daily_only=sort is Sort.RANK,
        unread=args.unread,
        starred=args.starred,
        saved=args.saved,
        sort=sort,
    )


def cmd_list(ctx: Context) -> int:
    args = ctx.args
    query = _query_from_args(args)
    papers: list[Paper] = []
    cursor = None
    while args.limit <= 0 or len(papers) < args.limit:
        want = 500 if args.limit <= 0 else min(500, args.limit - len(papers))
        page = ctx.repo.page(query, cursor, limit=want)
        papers.extend(page.papers)
        cursor = page.cursor
        if cursor is None:
            break
    if args.format == "json":
        ctx.out.write(dumps_json([paper_json(p) for p in papers]) + "\n")
    else:
        print_table(papers, ctx.out)
        total = ctx.repo.count(query)
        more = f" (showing {len(papers)}; use --limit 0 for all)" if total > len(papers) else ""
        ctx.err.write(f"{total} paper{'s' if total != 1 else ''}{more}\n")
    return EXIT_OK


def _resolve_ids(refs: Sequence[str]) -> list[str]:
    """Accept ids, versioned ids and arxiv.org / huggingface.co URLs for stored papers."""
    from desktop_app.domain import LOCAL_ID_PREFIX
    from desktop_app.store.search import arxiv_id_in_query

    ids = []
    for ref in refs:
        text = ref.strip().rstrip("/")
        if text.startswith(LOCAL_ID_PREFIX):
            ids.append(text)
            continue
        if "huggingface.co/papers/" in text:
            text = text.split("huggingface.co/papers/", 1)[1]
        found = arxiv_id_in_query(text)
        if found is None:
            raise InvalidInputError(
                f"{ref!r} is not an arXiv id or paper URL.", hint="Example: 2401.00001"
            )
        ids.append(found)
    return ids


def cmd_show(ctx: Context) -> int:
    (paper_id,) = _resolve_ids([ctx.args.id])
    paper = ctx.repo.get(paper_id)
    if ctx.args.format == "json":
        ctx.out.write(dumps_json(paper_json(paper)) + "\n")
    else:
        print_paper(paper, ctx.out)
    return EXIT_OK


def cmd_tags(ctx: Context) -> int:
    args = ctx.args
    action = getattr(args, "tags_action", None)
    repo = ctx.repo
    if action == "rename":
        n = repo.rename_tag(args.old, args.new)
        ctx.out.write(f"Renamed {n} tag{'s' if n != 1 else ''}.\n")
    elif action == "merge":
        n = repo.merge_tags(args.source, args.target)
        ctx.out.write(f"Merged {args.source!r} into {args.target!r} ({n} papers gained it).\n")
    elif action == "delete":
        n = repo.delete_tag(args.name)
        ctx.out.write(f"Deleted {n} tag{'s' if n != 1 else ''} (papers are kept).\n")
    elif action == "color":
        repo.set_tag_color(args.name, args.color or None)
        color = repo.get_tag(args.name).color
        ctx.out.write(f"Colour of {args.name!r} {'set to ' + color if color else 'cleared'}.\n")
    elif action == "create":
        tag = repo.create_tag(args.name, args.color)
        ctx.out.write(f"Tag {tag.name!r} ready.\n")
    elif action == "favourites":
        if args.names and args.clear:
            raise InvalidInputError("Give tag names or --clear, not both.")
        if args.names or args.clear:
            # get_tag spells each name as stored (unknown: NotFoundError), so repeats are equal.
            names = list(dict.fromkeys(repo.get_tag(n).name for n in args.names))
            if len(names) > MAX_FAVOURITES:
                raise InvalidInputError(f"At most {MAX_FAVOURITES} favourite tags (keys 1-9).")
            repo.set_favourite_tags(dict(enumerate(names, start=1)))
        favourites = repo.favourite_tags()
        for key, name in favourites.items():
            ctx.out.write(f"{key}  {name}\n")
        if not favourites:
            ctx.err.write("No favourite tags: `daily-papers tags favourites NAME...` sets them.\n")
    else:
        tags = repo.tags(order=args.sort)
        totals = repo.tag_counts_with_children()
        if args.format == "json":
            rows = [
                {
                    "name": t.name,
                    "color": t.color,
                    "count": t.count,
                    "unread": t.unread,
                    "count_with_subtags": totals.get(t.name.casefold(), (0, 0))[0],
                    "favourite": t.favourite,
                }
                for t in tags
            ]
            ctx.out.write(dumps_json(rows) + "\n")
        else:
            for t in tags:
                color = f"  {t.color}" if t.color else ""
                key = f"  [key {t.favourite}]" if t.favourite else ""
                ctx.out.write(f"{t.count:>6} {t.unread:>6} unread  {t.name}{color}{key}\n")
            if not tags:
                ctx.err.write("No tags yet: add one with `daily-papers tag ID --add NAME`.\n")
    return EXIT_OK


def cmd_tag(ctx: Context) -> int:
    args = ctx.args
    if not args.add and not args.remove:
        raise InvalidInputError("Nothing to do.", hint="Give --add TAG and/or --remove TAG.")
    ids = _resolve_ids(args.ids)
    added = ctx.repo.tag_papers(ids, args.add) if args.add else 0
    removed = ctx.repo.untag_papers(ids, args.remove) if args.remove else 0
    ctx.out.write(f"{added} tag link{'s' if added != 1 else ''} added, {removed} removed.\n")
    return EXIT_OK


def _state_command(setter: str, label: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        ids = _resolve_ids(ctx.args.ids)
        value = not ctx.args.undo
        getattr(ctx.repo, setter)(ids, value)
        word = label if value else f"not {label}"
        ctx.out.write(f"{len(ids)} paper{'s' if len(ids) != 1 else ''} marked {word}.\n")
        return EXIT_OK

    return run


def cmd_note(ctx: Context) -> int:
    (paper_id,) = _resolve_ids([ctx.args.id])
    text = ctx.args.text if ctx.args.text is not None else read_stdin_text("the note")
    ctx.repo.set_note(paper_id, text)
    ctx.out.write("Note saved.\n")
    return EXIT_OK


def cmd_delete(ctx: Context) -> int:
    ids = _resolve_ids(ctx.args.ids)
    flags = ctx.repo.flags(ids)
    missing = [i for i in ids if i not in flags]
    if missing:
        raise NotFoundError(f"No paper {missing[0]} in the library.", hint="Nothing was deleted.")
    if not ctx.args.force:
        # Papers the user has made their own need a deliberate --force.
        noted = {p.id for p in ctx.repo.get_many(ids) if p.note.strip()}
        owned = [
            pid
            for pid, (_, star, saved, tags) in flags.items()
            if star or saved or tags or pid in noted
        ]
        if owned:
            raise InvalidInputError(
                f"{owned[0]} is yours (saved, starred, tagged or noted); nothing was deleted.",
                hint="Add --force to delete it with its tags and note.",
            )
    deleted = ctx.repo.delete_papers(ids)
    n = len(deleted.papers)
    ctx.out.write(f"Deleted {n} paper{'s' if n != 1 else ''}.\n")
    return EXIT_OK


def cmd_backup(ctx: Context) -> int:
    from desktop_app import backups

    if ctx.args.file is not None:
        path = backups.backup_library(ctx.repo, ctx.args.file, force=ctx.args.force)
    else:
        path = backups.take_manual_backup(ctx.repo)
    ctx.out.write(f"Library backed up to {path}\n")
    return EXIT_OK


def cmd_check(ctx: Context) -> int:
    from desktop_app.store.health import check_library

    path = db_path(ctx.data_dir)
    problems = check_library(path, quick=ctx.args.quick)
    if not problems:
        ctx.out.write(f"{path}: no problems found.\n")
        return EXIT_OK
    for problem in problems:
        ctx.out.write(f"{path}: {problem}\n")
    ctx.err.write("Run `daily-papers repair` to fix what can be fixed.\n")
    return EXIT_ERROR


def cmd_repair(ctx: Context) -> int:
    from desktop_app.store import health

    path = db_path(ctx.data_dir)
    if ctx.args.restore is not None:
        aside = health.restore_backup(path, ctx.args.restore)
        ctx.out.write(
            f"Restored {ctx.args.restore} as the library; the previous file was kept as "
            f"{aside.name}.\n"
        )
        return EXIT_OK
    report = health.repair_library(path)
    for line in report.done:
        ctx.out.write(f"Repair: {line}.\n")
    if report.healthy:
        ctx.out.write(f"{path}: no problems found.\n")
        return EXIT_OK
    for problem in report.problems:
        ctx.out.write(f"{path}: {problem}\n")
    good = health.good_backups(path)
    if good:
        ctx.err.write(
            "This cannot be repaired in place. The newest good backup is "
            f"{good[0]}. To go back to it, close the window and run:\n"
            f"  daily-papers repair --restore '{good[0]}'\n"
            "(the damaged library is kept beside it, and changes since that backup are lost).\n"
        )
    else:
        ctx.err.write(
            "This cannot be repaired in place, and there is no good backup in "
            f"{path.parent / 'backups'}. Keep a copy of the file as it is; `daily-papers "
            "export` may still read the papers that are not damaged.\n"
        )
    return EXIT_ERROR


def cmd_gui(ctx: Context) -> int:
    from desktop_app.app import run_gui

    return run_gui(ctx.data_dir, ctx.settings)


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $DAILY_PAPERS_HOME or the platform's data folder)",
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )

    parser = argparse.ArgumentParser(
        prog="daily-papers",
        description="Hugging Face Daily Papers and arXiv on the desktop. "
        "Without a command, opens the window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_: str, handler: Callable[[Context], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(handler=handler)
        return p

    add("gui", "open the window (the default)", cmd_gui)

    p = add("list", "list papers in the library", cmd_list)
    p.add_argument(
        "--tag",
        action="append",
        metavar="T",
        help="only papers with tag T (or a sub-tag); repeat for several",
    )
    p.add_argument("--any", action="store_true", help="with several --tag: any of them")
    p.add_argument("--query", "-q", metavar="Q", help="full-text search")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--starred", action="store_true")
    p.add_argument("--saved", action="store_true", help="only papers saved in the library")
    p.add_argument("--from", dest="date_from", type=_date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--sort", choices=[s.value for s in Sort])
    p.add_argument("--limit", type=int, default=50, help="at most N papers (0 = all)")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = add("show", "show one paper", cmd_show)
    p.add_argument("id", help="arXiv id or URL")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("tags", "list tags with counts, or rename/merge/delete/colour them", cmd_tags)
    p.add_argument("--sort", choices=["name", "count"], default="name")
    p.add_argument("--format", choices=["table", "json"], default="table")
    tsub = p.add_subparsers(dest="tags_action", metavar="ACTION")
    t = tsub.add_parser("rename", help="rename a tag and its sub-tags", parents=[common])
    t.add_argument("old")
    t.add_argument("new")
    t = tsub.add_parser(
        "merge", help="move SOURCE's papers onto TARGET, delete SOURCE", parents=[common]
    )
    t.add_argument("source")
    t.add_argument("target")
    t = tsub.add_parser(
        "delete", help="delete a tag and its sub-tags (papers stay)", parents=[common]
    )
    t.add_argument("name")
    t = tsub.add_parser(
        "color", help="set a tag's colour (#rrggbb; empty to clear)", parents=[common]
    )
    t.add_argument("name")
    t.add_argument("color")
    t = tsub.add_parser("create", help="create a tag", parents=[common])
    t.add_argument("name")
    t.add_argument("--color")
    t = tsub.add_parser(
        "favourites",
        help="show the favourite tags (keys 1-9 in the window), or set them in order",
        parents=[common],
    )
    t.add_argument("names", nargs="*", metavar="NAME")
    t.add_argument("--clear", action="store_true", help="no favourite tags")

    p = add("tag", "add or remove tags on papers", cmd_tag)
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--add", action="append", metavar="T", default=[])
    p.add_argument("--remove", action="append", metavar="T", default=[])

    for name, setter, label, undo in (
        ("read", "set_read", "read", "--unread"),
        ("star", "set_starred", "starred", "--unstar"),
        ("save", "set_saved", "saved", "--unsave"),
    ):
        p = add(name, f"mark papers {label}", _state_command(setter, label))
        p.add_argument("ids", nargs="+", metavar="ID")
        p.add_argument(undo, dest="undo", action="store_true", help=f"mark not {label}")

    p = add("note", "set a paper's note (from TEXT or standard input)", cmd_note)
    p.add_argument("id")
    p.add_argument("text", nargs="?")

    p = add("delete", "delete papers from this computer, with their tags and notes", cmd_delete)
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument(
        "--force", action="store_true", help="also papers saved, starred, tagged or noted"
    )

    p = add("backup", "write a consistent copy of the library", cmd_backup)
    p.add_argument("file", nargs="?", type=Path, help="where (default: the data folder's backups/)")
    p.add_argument(
        "--force", action="store_true", help="replace FILE even if it is not a library copy"
    )

    p = add("check", "check the library for damage (one line per problem)", cmd_check)
    p.add_argument("--quick", action="store_true", help="skip comparing indexes with tables")

    p = add("repair", "rebuild what can be rebuilt, or restore a backup", cmd_repair)
    p.add_argument(
        "--restore",
        type=Path,
        metavar="BACKUP",
        help="replace the library with BACKUP (the old file is kept beside it)",
    )

    _add_network_commands(add)
    return parser


def _add_network_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """fetch / add / export / import: defined in their own module to keep this one small."""
    try:
        from desktop_app import cli_services
    except ImportError:  # pragma: no cover - during bootstrap only
        return
    cli_services.register(add)


# ---------------------------------------------------------------------------- entry point
def read_stdin_text(what: str, limit: int = 16 * 1024 * 1024) -> str:
    """Standard input as UTF-8 text, or InvalidInputError saying it is not."""
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputError(f"Standard input is too long for {what}.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"Standard input is not UTF-8 text, so {what} cannot be read from it.",
            hint="Convert it to UTF-8 first (e.g. with iconv).",
        ) from None


def _undecodable(argv: Sequence[str]) -> str | None:
    """The first argument that was not valid UTF-8 (Python keeps such bytes as surrogates)."""
    for arg in argv:
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in arg):
            return arg
    return None


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def _values_starting_with_a_dash(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--query -model`` as ``--query=-model``: argparse would take ``-model`` (the documented
    way to exclude a word) for an unknown option. Only a value that is no option is joined."""
    known = _option_strings(parser)
    takes_value = {
        s
        for a in _all_actions(parser)
        if a.option_strings and a.nargs is None and not isinstance(a, _FLAG_ACTIONS)
        for s in a.option_strings
    }
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if (
            arg in takes_value
            and nxt is not None
            and nxt.startswith("-")
            and nxt != "-"
            and nxt.split("=", 1)[0] not in known
        ):
            long = arg if arg.startswith("--") else _long_form(parser, arg)
            out.append(f"{long}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


_FLAG_ACTIONS = (
    argparse._StoreTrueAction,
    argparse._StoreFalseAction,
    argparse._StoreConstAction,
    argparse._CountAction,
    argparse._HelpAction,
    argparse._VersionAction,
)


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions += _all_actions(sub)
    return actions


def _long_form(parser: argparse.ArgumentParser, short: str) -> str:
    for action in _all_actions(parser):
        if short in action.option_strings:
            longs = [s for s in action.option_strings if s.startswith("--")]
            if longs:
                return longs[0]
    return short


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    bad = _undecodable(args_in)
    if bad is not None:
        shown = bad.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        print(
            f"daily-papers: error: the argument {shown!r} is not valid UTF-8 text. "
            "Check your terminal's character encoding (LANG=C.UTF-8 or similar).",
            file=sys.stderr,
        )
        return EXIT_ERROR
    parser = build_parser()
    args = parser.parse_args(_values_starting_with_a_dash(parser, args_in))
    debug = getattr(args, "debug", False) or bool(os.environ.get("DAILY_PAPERS_DEBUG"))
    # Libraries log their own diagnostics (bibtexparser warns about every bad block); the user
    # gets our one-line message instead, and the details with --debug.
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL, format="%(message)s")
    handler = getattr(args, "handler", cmd_gui)
    ctx: Context | None = None
    try:
        ctx = Context(args)
        return handler(ctx)
    except AppError as exc:
        print(f"daily-papers: error: {for_terminal(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("daily-papers: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `daily-papers list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: one line unless --debug
        if debug:
            traceback.print_exc()
        print(
            f"daily-papers: internal error: {type(exc).__name__}: {for_terminal(exc)} "
            "(this is a bug; rerun with --debug and report the traceback)",
            file=sys.stderr,
        )
        return EXIT_BUG
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["build_parser", "main", "paper_json"]
