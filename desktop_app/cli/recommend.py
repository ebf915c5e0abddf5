"""Commands of the interest model: ``list --sort for-you`` (through :func:`list_for_you`),
``suggest-tags``, ``related`` and ``not-interested``.

The learning libraries are imported inside the functions, when a command needs them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from desktop_app.cli.context import EXIT_OK, AddCommand, Context
from desktop_app.cli.context import resolve_ids as _resolve_ids
from desktop_app.cli.output import paper_json, print_table
from desktop_app.domain import FeedQuery, Sort
from desktop_app.safetext import dumps_json, for_terminal

if TYPE_CHECKING:
    from desktop_app.library.recommend import InterestModel

FOR_YOU = "for-you"


def _model(ctx: Context) -> InterestModel:
    from desktop_app.library import recommend

    return recommend.ensure_model(ctx.repo, ctx.data_dir)


def list_for_you(ctx: Context, query: FeedQuery, limit: int, fmt: str) -> int:
    """The papers of ``query`` ranked For you (papers marked not interested left out), each
    with its score and reason."""
    from desktop_app.library import recommend

    model = _model(ctx)
    recommend.check_enough(model)
    ids = ctx.repo.ids(replace(query, sort=Sort.DATE))
    ranked = recommend.rank(model, ctx.repo, ids)
    total = len(ranked)  # the view's papers less those marked not interested
    if limit > 0:
        ranked = ranked[:limit]
    papers = {p.id: p for p in ctx.repo.get_many([r.paper_id for r in ranked])}
    ranked = [r for r in ranked if r.paper_id in papers]
    if fmt == "json":
        rows = [
            {**paper_json(papers[r.paper_id]), "score": round(r.score, 4), "reason": r.reason}
            for r in ranked
        ]
        ctx.out.write(dumps_json(rows) + "\n")
        return EXIT_OK
    for r in ranked:
        ctx.out.write(f"{r.score:4.2f} ")
        print_table([papers[r.paper_id]], ctx.out)
        ctx.out.write(f"     {for_terminal(r.reason)}\n")
    shown = f" (showing {len(ranked)}; use --limit 0 for all)" if total > len(ranked) else ""
    ctx.err.write(f"{total} paper{'s' if total != 1 else ''} ranked For you{shown}\n")
    return EXIT_OK


def cmd_suggest_tags(ctx: Context) -> int:
    from desktop_app.library import recommend

    (paper_id,) = _resolve_ids([ctx.args.id])
    ctx.repo.get(paper_id)
    model = _model(ctx)
    found = recommend.suggest_tags(model, ctx.repo, paper_id, k=ctx.args.limit)
    if ctx.args.format == "json":
        data = [{"tag": t, "confidence": round(c, 4)} for t, c in found]
        ctx.out.write(dumps_json(data) + "\n")
        return EXIT_OK
    for tag, confidence in found:
        ctx.out.write(f"{confidence:4.0%}  {for_terminal(tag)}\n")
    if not found:
        tags = sum(1 for i in model.interests if i.kind == "tag")
        why = (
            "no tag is confident about this paper"
            if tags
            else f"no tag has {recommend.MIN_TAG_PAPERS} papers yet"
        )
        ctx.err.write(f"No tag to suggest: {why}.\n")
    return EXIT_OK


def cmd_related(ctx: Context) -> int:
    from desktop_app.library import recommend

    (paper_id,) = _resolve_ids([ctx.args.id])
    ctx.repo.get(paper_id)
    found = recommend.related(_model(ctx), ctx.repo, paper_id, k=ctx.args.limit)
    papers = {p.id: p for p in ctx.repo.get_many([pid for pid, _ in found])}
    found = [(pid, s) for pid, s in found if pid in papers]
    if ctx.args.format == "json":
        data = [{**paper_json(papers[pid]), "similarity": round(s, 4)} for pid, s in found]
        ctx.out.write(dumps_json(data) + "\n")
        return EXIT_OK
    for pid, similarity in found:
        ctx.out.write(f"{similarity:4.2f} ")
        print_table([papers[pid]], ctx.out)
    if not found:
        ctx.err.write("No related paper in your library (tag, star or save papers to build it).\n")
    return EXIT_OK


def cmd_not_interested(ctx: Context) -> int:
    ids = _resolve_ids(ctx.args.ids)
    on = not ctx.args.undo
    ctx.repo.set_not_interested(ids, on)
    n = len(ids)
    papers = f"{n} paper{'s' if n != 1 else ''}"
    if on:
        ctx.out.write(f"{papers} marked not interested (hidden from For you).\n")
    else:
        ctx.out.write(f"{papers} no longer marked not interested.\n")
    return EXIT_OK


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add("suggest-tags", "tags the interest model suggests for a paper", cmd_suggest_tags)
    p.add_argument("id", help="arXiv id or URL")
    p.add_argument("--limit", type=int, default=5, help="at most N tags")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = add("related", "the papers of your library nearest to a paper", cmd_related)
    p.add_argument("id", help="arXiv id or URL")
    p.add_argument("--limit", type=int, default=5, help="at most N papers")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = add(
        "not-interested",
        "hide papers from For you and learn from it (--undo takes it back)",
        cmd_not_interested,
    )
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--undo", action="store_true", help="take the mark back")
