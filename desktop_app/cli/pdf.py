"""The PDF cache on the command line: ``pdf ID [--open] [--path]``, ``pdf --fetch-library``,
``pdf --prune``, and ``list --query Q --fulltext`` (searching the cached PDFs' text).

The same services as the window's jobs (:mod:`desktop_app.library.pdf_jobs`), in the
foreground, with a progress line on a terminal and Ctrl+C cancelling cleanly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from desktop_app.cli.context import EXIT_OK, AddCommand, Context, cancel_on_interrupt, resolve_ids
from desktop_app.cli.output import paper_json, print_table
from desktop_app.domain import FeedQuery
from desktop_app.errors import AppError, CancelledError, InvalidInputError
from desktop_app.safetext import dumps_json
from desktop_app.store.pdfs import highlight_spans

MB = 1024 * 1024


def _bytes_progress(ctx: Context, paper_id: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if not ctx.err.isatty():
            return
        if total:
            ctx.err.write(f"\r  {paper_id}: {done / MB:.1f} of {total / MB:.1f} MB")
            ctx.err.write(f"  {100 * done // total:3d}%")
        else:
            ctx.err.write(f"\r  {paper_id}: {done / MB:.1f} MB")
        ctx.err.flush()

    return show


def _papers_progress(ctx: Context) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if ctx.err.isatty():
            ctx.err.write(f"\r  {done} of {total} papers")
            ctx.err.flush()

    return show


def _end_progress(ctx: Context) -> None:
    if ctx.err.isatty():
        ctx.err.write("\n")


def open_with_system(path: Path) -> None:
    """Open ``path`` in the system's PDF viewer (replaced in tests)."""
    try:
        if sys.platform.startswith("win"):
            os.startfile(path)  # type: ignore[attr-defined]
            return
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise AppError(
            f"No program to open {path} was found ({exc.strerror or exc}).",
            hint="Open the file yourself; its path is printed above.",
        ) from exc


def cmd_pdf(ctx: Context) -> int:
    args = ctx.args
    chosen = [x for x in (args.id, args.fetch_library, args.prune) if x]
    if len(chosen) != 1:
        raise InvalidInputError("Give a paper ID, or one of --fetch-library and --prune.")
    if args.prune:
        return _prune(ctx)
    if args.fetch_library:
        return _fetch_library(ctx)
    return _one(ctx)


def _one(ctx: Context) -> int:
    from desktop_app.library.pdf_jobs import cache_of, index_text

    args = ctx.args
    (paper_id,) = resolve_ids([args.id])
    ctx.repo.get(paper_id)  # a paper not in the library: its own clear error
    cache = cache_of(ctx.repo)
    path = cache.cached(ctx.repo, paper_id)
    if args.path and not args.open:
        if path is None:
            raise AppError(
                f"The PDF of {paper_id} is not in the cache.",
                hint=f"Download it with `daily-papers pdf {paper_id}`.",
            )
        ctx.out.write(f"{path}\n")
        return EXIT_OK
    if path is None:
        from desktop_app.sources.http import HttpClient

        with cancel_on_interrupt() as cancel, HttpClient.from_settings(ctx.settings) as http:
            try:
                got = cache.download(
                    ctx.repo,
                    http,
                    ctx.settings.pdf_url,
                    paper_id,
                    cancel=cancel,
                    progress=_bytes_progress(ctx, paper_id),
                )
            except CancelledError:
                raise KeyboardInterrupt from None
            finally:
                _end_progress(ctx)
        path = got.path
        ctx.err.write(f"Downloaded the PDF of {paper_id} ({got.size / MB:.1f} MB).\n")
        report = cache.prune(ctx.repo, ctx.settings.pdf_quota_bytes, keep={paper_id})
        if report.evicted or report.over_quota:
            ctx.err.write(report.describe() + "\n")
    record = ctx.repo.pdfs.get(paper_id)
    if record is not None and record.text_state == "pending":
        with cancel_on_interrupt() as cancel:
            try:
                result = index_text(ctx.repo, paper_id, cancel=cancel)
            except CancelledError:
                raise KeyboardInterrupt from None
        if result is not None and result.state != "indexed":
            ctx.err.write(f"daily-papers: warning: {result.describe()}\n")
    ctx.repo.pdfs.touch(paper_id)
    ctx.out.write(f"{path}\n")
    if args.open:
        open_with_system(path)
    return EXIT_OK


def _fetch_library(ctx: Context) -> int:
    from desktop_app.library.pdf_jobs import extract_pending, fetch_library
    from desktop_app.sources.http import HttpClient

    with cancel_on_interrupt() as cancel, HttpClient.from_settings(ctx.settings) as http:
        try:
            result = fetch_library(
                ctx.repo,
                lambda: http,
                ctx.settings.pdf_url,
                ctx.settings.pdf_quota_bytes,
                cancel=cancel,
                progress=_papers_progress(ctx),
            )
            # Texts still waiting (a download interrupted before, an undone delete).
            extract_pending(ctx.repo, cancel=cancel)
        finally:
            _end_progress(ctx)
    ctx.err.write(result.describe() + "\n")
    for paper_id, message in result.failed:
        ctx.err.write(f"daily-papers: {paper_id}: {message}\n")
    if result.prune is not None and (result.prune.evicted or result.prune.over_quota):
        ctx.err.write(result.prune.describe() + "\n")
    if result.stopped == "cancelled":
        raise KeyboardInterrupt
    if result.failed:
        raise AppError(
            f"{len(result.failed)} of the library's PDFs could not be downloaded.",
            hint="Run the same command again later to complete it.",
        )
    return EXIT_OK


def _prune(ctx: Context) -> int:
    from desktop_app.library.pdf_jobs import cache_of

    report = cache_of(ctx.repo).prune(ctx.repo, ctx.settings.pdf_quota_bytes)
    ctx.out.write(report.describe() + "\n")
    for paper_id in report.evicted:
        ctx.err.write(f"  removed {paper_id}\n")
    return EXIT_OK


# ----------------------------------------------------------------------------- list --fulltext


def _marked(snippet: str) -> str:
    """The snippet with the matched words as ``**word**`` (terminals and JSON alike)."""
    return "".join(f"**{text}**" if on else text for text, on in highlight_spans(snippet))


def list_fulltext(ctx: Context, query: FeedQuery, limit: int, fmt: str) -> int:
    """``list --query Q --fulltext``: papers whose cached PDF's text matches, best first, each
    with its best page (1-based) and a snippet; other filters narrow the papers."""
    if not query.text.strip():
        raise InvalidInputError("--fulltext needs --query with words to look for.")
    hits = ctx.repo.pdfs.search(query.text, limit=limit if limit > 0 else 10_000)
    filtered = replace(query, text="")
    if filtered != FeedQuery(sort=filtered.sort):
        allowed = set(ctx.repo.ids(filtered))
        hits = [h for h in hits if h.paper_id in allowed]
    papers = {p.id: p for p in ctx.repo.get_many([h.paper_id for h in hits])}
    hits = [h for h in hits if h.paper_id in papers]
    if fmt == "json":
        rows = [
            {**paper_json(papers[h.paper_id]), "page": h.page + 1, "snippet": _marked(h.snippet)}
            for h in hits
        ]
        ctx.out.write(dumps_json(rows) + "\n")
    else:
        for hit in hits:
            print_table([papers[hit.paper_id]], ctx.out)
            ctx.out.write(f"    p. {hit.page + 1}: {_marked(hit.snippet)}\n")
        ctx.err.write(f"{len(hits)} paper{'s' if len(hits) != 1 else ''} found in PDF text\n")
    _say_what_is_not_searchable(ctx)
    return EXIT_OK


def _say_what_is_not_searchable(ctx: Context) -> None:
    records = ctx.repo.pdfs.all()
    pending = sum(1 for r in records if r.text_state == "pending")
    unsearchable = sum(1 for r in records if r.text_state in ("no_text", "failed", "encrypted"))
    if unsearchable:
        ctx.err.write(
            f"{unsearchable} cached PDF{'s have' if unsearchable != 1 else ' has'} no "
            "searchable text (scanned, encrypted or unreadable)\n"
        )
    if pending:
        ctx.err.write(
            f"{pending} cached PDF{'s are' if pending != 1 else ' is'} not indexed yet: "
            "`daily-papers pdf --fetch-library` indexes them\n"
        )


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add(
        "pdf",
        "download a paper's PDF into the cache (or the library's, or apply the quota)",
        cmd_pdf,
    )
    p.add_argument("id", nargs="?", help="arXiv id or URL: download if missing, print the path")
    p.add_argument("--open", action="store_true", help="open it in the system's PDF viewer")
    p.add_argument(
        "--path", action="store_true", help="only print the cached file's path (no download)"
    )
    p.add_argument(
        "--fetch-library",
        action="store_true",
        help="download the PDFs of starred, saved and tagged papers (and index their text)",
    )
    p.add_argument(
        "--prune", action="store_true", help="apply the cache's quota (pdf_quota_mb) now"
    )
