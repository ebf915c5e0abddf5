"""The network commands: fetch (Hugging Face lists, search, arXiv listings) and add.

They run the same services as the window's worker (:mod:`desktop_app.library.fetch`), in the
foreground, with Ctrl+C cancelling cleanly. The network stack is imported only when one of
them runs, so the other commands start fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from desktop_app.cli.context import AddCommand, Context, cancel_on_interrupt, resolve_ids
from desktop_app.errors import CancelledError, InvalidInputError, PartialFetchError


def _report(ctx: Context, what: str, summary: Any) -> None:
    ctx.out.write(
        f"{what}: {summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged"
        f" ({summary.pages} page{'s' if summary.pages != 1 else ''}).\n"
    )
    dated_by = getattr(summary, "dated_by", ())
    if dated_by:
        # The answer did not state every paper's list day; the lists of these days did.
        span = dated_by[0].isoformat() + (
            f" to {dated_by[-1].isoformat()}" if len(dated_by) > 1 else ""
        )
        ctx.out.write(
            f"List days taken from the lists of single days ({len(dated_by)} asked, {span}).\n"
        )
    for warning in getattr(summary, "warnings", ()):
        ctx.err.write(f"daily-papers: warning: {warning}\n")
    missing = getattr(summary, "missing", ())
    if missing:
        ctx.err.write(f"daily-papers: not found: {', '.join(missing)}\n")


def _progress(ctx: Context) -> Callable[[int, int], None]:
    def show(pages: int, papers: int) -> None:
        if ctx.err.isatty():
            ctx.err.write(f"\r{pages} page(s), {papers} papers…")
            ctx.err.flush()

    return show


def cmd_fetch(ctx: Context) -> int:
    from desktop_app.library import fetch as sync
    from desktop_app.sources import open_clients

    args = ctx.args
    chosen = [x for x in (args.date, args.week, args.month, args.search, args.category) if x]
    if len(chosen) > 1:
        raise InvalidInputError(
            "Give only one of --date, --week, --month, --search and --category."
        )
    with cancel_on_interrupt() as cancel, open_clients(ctx.settings) as clients:
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
        except PartialFetchError:
            _check_follows(ctx)  # the pages it stored are in the library
            raise
    if ctx.err.isatty():
        ctx.err.write("\r")
    _report(ctx, what, summary)
    if args.sort == "trending" and not args.search:
        from desktop_app.library.bookkeeping import TRENDING_IDS

        ctx.repo.set_meta(TRENDING_IDS, " ".join(summary.ids))
    _check_follows(ctx)
    return 0


def _check_follows(ctx: Context) -> None:
    """After papers were stored: record what is new to each followed item (as the window
    does after a refresh), so the digest and the window's counts include it."""
    from desktop_app.library import follow

    found = follow.check(ctx.repo).total
    if found:
        ctx.err.write(f"{found} new paper{'s' if found != 1 else ''} for followed items\n")


def cmd_add(ctx: Context) -> int:
    from desktop_app.library import fetch as sync
    from desktop_app.sources import open_clients

    with cancel_on_interrupt() as cancel, open_clients(ctx.settings) as clients:
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


def _status(ctx: Context, text: str) -> None:
    ctx.err.write(f"\r  {text}")


def cmd_published(ctx: Context) -> int:
    from desktop_app.library import published
    from desktop_app.sources import open_clients

    args = ctx.args
    ids = resolve_ids(args.ids) if args.ids else None
    with cancel_on_interrupt() as cancel, open_clients(ctx.settings) as clients:
        try:
            summary = published.look_up(
                ctx.repo,
                clients.dblp,
                ids,
                refresh=args.refresh,
                cancel=cancel,
                progress=lambda n, found: _status(ctx, f"{n} looked up, {found} published"),
            )
        except CancelledError:
            raise KeyboardInterrupt from None
    if summary.checked or summary.failed:
        ctx.err.write("\n")
    for paper_id, venue in summary.found:
        ctx.out.write(f"{paper_id}: {venue}\n")
    for paper_id, why in summary.failed:
        ctx.err.write(f"  {paper_id}: not looked up: {why}\n")
    ctx.out.write(summary.describe() + "\n")
    return 1 if summary.failed and not summary.checked else 0


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
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

    p = add(
        "published",
        "look up on DBLP where preprints were published (default: the library's preprints "
        "without a venue, not checked in 30 days)",
        cmd_published,
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--refresh", action="store_true", help="look up again even if checked lately")
