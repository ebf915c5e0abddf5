"""Commands for following topics: saved searches (``searches``) and followed items
(``follow``)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date

from desktop_app.cli.context import EXIT_OK, AddCommand, Context
from desktop_app.domain import FeedQuery, SavedSearch, Sort
from desktop_app.errors import InvalidInputError
from desktop_app.safetext import dumps_json, for_terminal


def cmd_searches(ctx: Context) -> int:
    args = ctx.args
    store = ctx.repo.follows_store
    action = getattr(args, "searches_action", None) or "list"
    if action == "add":
        if args.days is not None and args.days < 1:
            raise InvalidInputError("--days must be 1 or more.")
        search = SavedSearch(
            name=args.name,
            text=args.query or "",
            tags=tuple(args.tag or ()),
            tag_mode="any" if args.any else "all",
            unread=args.unread,
            starred=args.starred,
            saved=args.saved,
            days=args.days,
            sort=Sort(args.sort) if args.sort else Sort.DATE,
        )
        saved = store.save_search(search, replace_existing=args.replace)
        count = ctx.repo.count(saved.feed_query(date.today()))
        ctx.err.write(
            f"Saved search “{for_terminal(saved.name)}”: {for_terminal(saved.describe())} "
            f"({count} paper{'s' if count != 1 else ''} now).\n"
        )
        return EXIT_OK
    if action == "remove":
        removed, _ = store.remove_search(args.name)
        ctx.err.write(f"Removed the saved search “{for_terminal(removed.name)}”.\n")
        return EXIT_OK
    if action == "rename":
        renamed = store.rename_search(args.old, args.new)
        ctx.err.write(f"Renamed the saved search to “{for_terminal(renamed.name)}”.\n")
        return EXIT_OK
    searches = ctx.repo.saved_searches()
    rows = []
    for search in searches:
        query = search.feed_query(date.today())
        total = ctx.repo.count(query)
        unread = ctx.repo.count(_unread(query))
        rows.append((search, total, unread))
    if args.format == "json":
        data = [
            {
                "name": s.name,
                "query": s.describe(),
                "text": s.text,
                "tags": list(s.tags),
                "tag_mode": s.tag_mode,
                "unread": s.unread,
                "starred": s.starred,
                "saved": s.saved,
                "days": s.days,
                "sort": s.sort.value,
                "papers": total,
                "unread_papers": unread,
            }
            for s, total, unread in rows
        ]
        ctx.out.write(dumps_json(data) + "\n")
        return EXIT_OK
    if not rows:
        ctx.err.write("No saved searches. Add one with: daily-papers searches add NAME --query …\n")
    for search, total, unread in rows:
        ctx.out.write(
            f"{for_terminal(search.name)}\t{unread} unread / {total}\t"
            f"{for_terminal(search.describe())}\n"
        )
    return EXIT_OK


def _unread(query: FeedQuery) -> FeedQuery:
    return replace(query, unread=True)


def _target(args: argparse.Namespace) -> tuple[str, str]:
    for kind, value in (
        ("search", args.search),
        ("tag", args.tag),
        ("author", args.author),
        ("org", args.org),
    ):
        if value is not None:
            return kind, value
    raise InvalidInputError(
        "Say what to follow: --search NAME, --tag T, --author NAME or --org NAME."
    )


def cmd_follow(ctx: Context) -> int:
    args = ctx.args
    store = ctx.repo.follows_store
    action = getattr(args, "follow_action", None) or "list"
    if action == "add":
        kind, target = _target(args)
        followed = store.add_follow(kind, target)
        ctx.err.write(
            f"Following {for_terminal(followed.label)}: papers stored from now on that match "
            "it are news (shown after each fetch).\n"
        )
        return EXIT_OK
    if action == "remove":
        kind, target = _target(args)
        if not store.remove_follow(kind, target):
            raise InvalidInputError(f"Not following the {kind} “{target.strip()}”.")
        ctx.err.write(f"No longer following the {kind} “{for_terminal(target.strip())}”.\n")
        return EXIT_OK
    follows = ctx.repo.follows()
    if args.format == "json":
        data = [
            {"kind": f.kind, "target": f.target, "new": f.new, "since": f.created} for f in follows
        ]
        ctx.out.write(dumps_json(data) + "\n")
        return EXIT_OK
    if not follows:
        ctx.err.write(
            "Following nothing. Follow with: daily-papers follow add "
            "(--search NAME | --tag T | --author NAME | --org NAME)\n"
        )
    for f in follows:
        ctx.out.write(f"{for_terminal(f.label)}\t{f.new} new\n")
    return EXIT_OK


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add("searches", "saved searches: list them, or add, rename, remove one", cmd_searches)
    p.add_argument("--format", choices=["table", "json"], default="table")
    ssub = p.add_subparsers(dest="searches_action", metavar="ACTION")
    s = ssub.add_parser("add", help="save a search by name", parents=[common])
    s.add_argument("name")
    s.add_argument("--query", "-q", metavar="Q", help="words, as in the search box")
    s.add_argument("--tag", action="append", metavar="T", help="with tag T; repeat for several")
    s.add_argument("--any", action="store_true", help="with several --tag: any of them")
    s.add_argument("--unread", action="store_true")
    s.add_argument("--starred", action="store_true")
    s.add_argument("--saved", action="store_true", help="only papers saved in the library")
    s.add_argument("--days", type=int, metavar="N", help="only papers of the last N days")
    s.add_argument("--sort", choices=[x.value for x in Sort])
    s.add_argument("--replace", action="store_true", help="change the search of that name")
    s = ssub.add_parser("rename", help="rename a saved search", parents=[common])
    s.add_argument("old")
    s.add_argument("new")
    s = ssub.add_parser("remove", help="delete a saved search", parents=[common])
    s.add_argument("name")
    s = ssub.add_parser("list", help="list saved searches with their counts", parents=[common])
    s.add_argument("--format", choices=["table", "json"], default="table")

    p = add("follow", "follow a saved search, a tag, an author or an organization", cmd_follow)
    p.add_argument("--format", choices=["table", "json"], default="table")
    fsub = p.add_subparsers(dest="follow_action", metavar="ACTION")
    for name, help_ in (
        ("add", "follow an item: papers new to it are counted once and announced"),
        ("remove", "stop following an item"),
    ):
        f = fsub.add_parser(name, help=help_, parents=[common])
        group = f.add_mutually_exclusive_group(required=True)
        group.add_argument("--search", metavar="NAME", help="a saved search")
        group.add_argument("--tag", metavar="T")
        group.add_argument("--author", metavar="NAME", help="an author, as written on papers")
        group.add_argument("--org", metavar="NAME", help="an organization (Hugging Face's)")
    f = fsub.add_parser("list", help="followed items with their new papers", parents=[common])
    f.add_argument("--format", choices=["table", "json"], default="table")
