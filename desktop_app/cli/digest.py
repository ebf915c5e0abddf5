"""The digest command: the day's papers and what is new to followed items, printed or
mailed (:mod:`desktop_app.library.digest`, :mod:`desktop_app.library.mailer`).

Everything the user gave (the address, the mail server's URL) is checked before the library
is read or a connection opened. A paper is mailed to an address once: a second ``--send``
mails only what is new, or says there is nothing.
"""

from __future__ import annotations

import argparse

from desktop_app.cli.context import AddCommand, Context, date_arg
from desktop_app.errors import InvalidInputError, ReadOnlyLibraryError

FORMATS = ("text", "markdown", "html")


def cmd_digest(ctx: Context) -> int:
    from desktop_app.library import digest, mailer

    args = ctx.args
    if args.top < 1:
        raise InvalidInputError("--top must be 1 or more.")
    if args.to is not None and not args.send:
        raise InvalidInputError("--to goes with --send (without it the digest is printed).")
    if not args.send:
        built = digest.build_digest(ctx.repo, args.since, args.top)
        render = {"text": digest.to_text, "markdown": digest.to_markdown, "html": digest.to_html}
        ctx.out.write(render[args.format](built))
        return 0

    given = args.to if args.to is not None else ctx.settings.digest_to
    if not given.strip():
        raise InvalidInputError(
            "No address to send the digest to.",
            hint="Give --to ADDRESS, or set digest_to in settings.json.",
        )
    address = mailer.check_address(given)
    server = mailer.parse_smtp_url(ctx.settings.smtp_url)
    if ctx.repo.read_only:  # it could send, but not remember what it sent
        raise ReadOnlyLibraryError(
            "The library is read-only, so a digest sent now could not be recorded and would "
            "be sent again.",
            hint="Make the library writable first.",
        )
    built = digest.build_digest(ctx.repo, args.since, args.top)
    store = ctx.repo.follows_store
    fresh = built.without(store.digest_sent(address, built.paper_ids))
    if fresh.is_empty:
        ctx.out.write(f"Nothing new to send to {address} since {built.since.isoformat()}.\n")
        return 0
    server = mailer.with_password(server)
    message = mailer.build_message(fresh, mailer.sender(server), address)
    mailer.send(server, message, timeout=ctx.settings.request_timeout_s)
    store.record_digest_sent(address, fresh.paper_ids)
    n = len(fresh.paper_ids)
    ctx.out.write(f"Sent {n} paper{'s' if n != 1 else ''} to {address} ({server}).\n")
    return 0


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add(
        "digest",
        "the day's digest: the top of Hugging Face's list and what is new to followed items "
        "(printed, or mailed with --send)",
        cmd_digest,
    )
    p.add_argument(
        "--since",
        type=date_arg,
        metavar="YYYY-MM-DD",
        help="papers on the lists since that day (default: today's, or the newest stored)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="how to print it")
    p.add_argument("--top", type=int, default=10, metavar="N", help="the N most upvoted")
    p.add_argument(
        "--send",
        action="store_true",
        help="mail it (smtp_url / DAILY_PAPERS_SMTP_URL) with only papers not mailed before",
    )
    p.add_argument("--to", metavar="ADDRESS", help="with --send: instead of digest_to")
