"""Commands over the library: list, show, tags, tag, read/star/save, note, delete."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from desktop_app.cli.context import EXIT_OK, AddCommand, Context, date_arg, read_stdin_text
from desktop_app.cli.context import resolve_ids as _resolve_ids
from desktop_app.cli.output import paper_json, print_paper, print_table
from desktop_app.cli.recommend import FOR_YOU, list_for_you
from desktop_app.domain import FeedQuery, Paper, Sort
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.safetext import dumps_json
from desktop_app.store import Repository
from desktop_app.store.tags import MAX_FAVOURITES


def _query_from_args(args: argparse.Namespace, repo: Repository | None = None) -> FeedQuery:
    if getattr(args, "search", None) and repo is not None:
        # A saved search, narrowed further by any other filters given.
        saved = repo.saved_search(args.search).feed_query(date.today())
        return replace(
            saved,
            tags=saved.tags + tuple(args.tag or ()),
            text=" ".join(t for t in (saved.text, args.query or "") if t.strip()),
            unread=saved.unread or args.unread,
            starred=saved.starred or args.starred,
            saved=saved.saved or args.saved,
            date_from=args.date_from or saved.date_from,
            date_to=args.date_to or saved.date_to,
            sort=Sort(args.sort) if args.sort else saved.sort,
        )
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
    if args.sort == FOR_YOU:  # not a store order: the interest model ranks the view's papers
        query = _query_from_args(argparse.Namespace(**{**vars(args), "sort": None}), ctx.repo)
        return list_for_you(ctx, query, args.limit, args.format)
    query = _query_from_args(args, ctx.repo)
    if args.fulltext:  # the cached PDFs' text (cli/pdf.py)
        from desktop_app.cli.pdf import list_fulltext

        return list_fulltext(ctx, query, args.limit, args.format)
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
                fav = f"  [key {t.favourite}]" if t.favourite else ""
                ctx.out.write(f"{t.count:>6} {t.unread:>6} unread  {t.name}{color}{fav}\n")
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


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add("list", "list papers in the library", cmd_list)
    p.add_argument(
        "--tag",
        action="append",
        metavar="T",
        help="only papers with tag T (or a sub-tag); repeat for several",
    )
    p.add_argument("--any", action="store_true", help="with several --tag: any of them")
    p.add_argument("--query", "-q", metavar="Q", help="full-text search")
    p.add_argument(
        "--fulltext",
        action="store_true",
        help="search the text of cached PDFs for --query (with the page and a snippet)",
    )
    p.add_argument("--search", metavar="NAME", help="the papers of a saved search (`searches add`)")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--starred", action="store_true")
    p.add_argument("--saved", action="store_true", help="only papers saved in the library")
    p.add_argument("--from", dest="date_from", type=date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, metavar="YYYY-MM-DD")
    p.add_argument(
        "--sort",
        choices=[*(s.value for s in Sort), FOR_YOU],
        help="for-you: ranked by what you keep, with a score and a reason",
    )
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
