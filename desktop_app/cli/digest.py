"""The digest command: the day's papers and what is new to followed items, printed or
mailed (:mod:`desktop_app.library.digest`, :mod:`desktop_app.library.mailer`).

Everything the user gave (the address, the mail server's URL) is checked before the library
is read or a connection opened. A paper is mailed to an address once: a second ``--send``
mails only what is new, or says there is nothing.
"""

from __future__ import annotations

import argparse

from desktop_app.cli.context import AddCommand, Context, date_arg
from desktop_app.errors import InvalidInputError

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
    sent = mailer.send_digest(ctx.repo, ctx.settings, given, args.since, args.top)
    if not sent.count:
        ctx.out.write(f"Nothing new to send to {sent.address} since {sent.since.isoformat()}.\n")
    else:
        ctx.out.write(sent.describe() + "\n")
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
