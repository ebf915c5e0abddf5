"""The network and file commands of ``daily-papers``: fetch, add, export, import.

They run the same services as the window's worker (:mod:`desktop_app.sync`,
:mod:`desktop_app.bibtex`), in the foreground, with Ctrl+C cancelling cleanly.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from desktop_app.errors import CancelledError, InvalidInputError


@contextmanager
def _cancel_on_interrupt() -> Iterator[threading.Event]:
    """A cancel event set by Ctrl+C, so a retry wait or slow download stops at once."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def handler(signum: int, frame: Any) -> None:
        cancel.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)
    if cancel.is_set():
        raise KeyboardInterrupt


def _report(ctx: Any, what: str, summary: Any) -> None:
    ctx.out.write(
        f"{what}: {summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged"
        f" ({summary.pages} page{'s' if summary.pages != 1 else ''}).\n"
    )
    for warning in getattr(summary, "warnings", ()):
        ctx.err.write(f"daily-papers: warning: {warning}\n")
    missing = getattr(summary, "missing", ())
    if missing:
        ctx.err.write(f"daily-papers: not found: {', '.join(missing)}\n")


def _progress(ctx: Any) -> Callable[[int, int], None]:
    def show(pages: int, papers: int) -> None:
        if ctx.err.isatty():
            ctx.err.write(f"\r{pages} page(s), {papers} papers…")
            ctx.err.flush()

    return show


def cmd_fetch(ctx: Any) -> int:
    from desktop_app import sync
    from desktop_app.sources import open_clients

    args = ctx.args
    chosen = [x for x in (args.date, args.week, args.month, args.search, args.category) if x]
    if len(chosen) > 1:
        raise InvalidInputError(
            "Give only one of --date, --week, --month, --search and --category."
        )
    with _cancel_on_interrupt() as cancel, open_clients(ctx.settings) as clients:
        try:
            if args.search:
                summary = sync.fetch_search(
                    ctx.repo,
                    clients.hf,
                    args.search,
                    limit=args.limit,
                    cancel=cancel,
                    progress=_progress(ctx),
                )
                what = f"Search “{args.search}”"
            elif args.category:
                summary = sync.fetch_arxiv_listing(
                    ctx.repo, clients.arxiv, args.category, cancel=cancel, progress=_progress(ctx)
                )
                what = f"arXiv {args.category} new listing"
            else:
                summary = sync.fetch_daily(
                    ctx.repo,
                    clients.hf,
                    args.date,
                    week=args.week,
                    month=args.month,
                    sort="trending" if args.sort == "trending" else "publishedAt",
                    cancel=cancel,
                    progress=_progress(ctx),
                )
                what = "Daily papers " + (args.date or args.week or args.month or "(latest)")
        except CancelledError as exc:
            if str(exc) != "Cancelled.":  # it says what was stored before the cancel
                ctx.err.write(f"daily-papers: {exc}\n")
            raise KeyboardInterrupt from None
    if ctx.err.isatty():
        ctx.err.write("\r")
    _report(ctx, what, summary)
    if args.sort == "trending" and not args.search:
        from desktop_app.bookkeeping import TRENDING_IDS

        ctx.repo.set_meta(TRENDING_IDS, " ".join(summary.ids))
    return 0


def cmd_add(ctx: Any) -> int:
    from desktop_app import sync
    from desktop_app.sources import open_clients

    with _cancel_on_interrupt() as cancel, open_clients(ctx.settings) as clients:
        try:
            summary = sync.add_papers(
                ctx.repo,
                clients.hf,
                clients.arxiv,
                ctx.args.refs,
                cancel=cancel,
                progress=_progress(ctx),
            )
        except CancelledError:
            raise KeyboardInterrupt from None
    _report(ctx, "Added", summary)
    return 0


def register(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("fetch", "fetch a Hugging Face daily list (default: the latest), or search", cmd_fetch)
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the list of that day")
    p.add_argument("--week", metavar="YYYY-Www", help="the lists of an ISO week, e.g. 2026-W47")
    p.add_argument("--month", metavar="YYYY-MM", help="the lists of a month")
    p.add_argument(
        "--sort",
        choices=["published", "trending"],
        default="published",
        help="trending: Hugging Face's trending list (ignores the date)",
    )
    p.add_argument("--search", metavar="QUERY", help="search Hugging Face papers instead")
    p.add_argument("--limit", type=int, default=50, help="with --search: at most N results")
    p.add_argument("--category", metavar="CAT", help="fetch arXiv's new listing, e.g. cs.LG")

    p = add("add", "add papers by arXiv id or arxiv.org / huggingface.co URL", cmd_add)
    p.add_argument("refs", nargs="+", metavar="ID_OR_URL")

    try:
        from desktop_app import cli_bibtex
    except ImportError:
        return
    cli_bibtex.register(add)
