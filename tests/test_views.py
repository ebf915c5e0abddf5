"""The views' rules without Qt: sidebar entries → feed queries, sorts and titles."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.domain import FeedQuery, Sort
from desktop_app.library.bookkeeping import SEARCH_IDS, SEARCH_TEXT, TRENDING_IDS
from desktop_app.library.views import (
    ViewSpec,
    ViewState,
    daily_range,
    query_for,
    sort_for,
    view_label,
)
from desktop_app.store import Repository

THU = date(2026, 11, 26)  # a Thursday
STATE = ViewState(day=date(2026, 2, 11), today=THU)


def state(**changes: object) -> ViewState:
    from dataclasses import replace

    return replace(STATE, **changes)


@pytest.mark.parametrize(
    ("day", "mode", "expected"),
    [
        (date(2026, 2, 11), "day", (date(2026, 2, 11), date(2026, 2, 11))),
        (date(2026, 2, 11), "week", (date(2026, 2, 9), date(2026, 2, 15))),
        (date(2026, 2, 11), "month", (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2024, 2, 29), "month", (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2026, 12, 31), "month", (date(2026, 12, 1), date(2026, 12, 31))),
        (date(2027, 1, 1), "week", (date(2026, 12, 28), date(2027, 1, 3))),
    ],
)
def test_daily_range(day: date, mode: str, expected: tuple[date, date]) -> None:
    assert daily_range(day, mode) == expected


@pytest.mark.parametrize(
    ("kind", "mode", "sorts", "expected"),
    [
        ("daily", "day", {}, Sort.RANK),
        ("daily", "week", {}, Sort.UPVOTES),
        ("today", "day", {}, Sort.RANK),
        ("today", "week", {}, Sort.RANK),  # one day, whatever the Daily view spans
        ("week", "day", {}, Sort.UPVOTES),
        ("trending", "day", {}, Sort.UPVOTES),
        ("search", "day", {}, Sort.RELEVANCE),
        ("all", "day", {}, Sort.DATE),
        ("tag", "day", {"tag": Sort.UPVOTES}, Sort.UPVOTES),
        ("all", "day", {"all": Sort.RANK}, Sort.DATE),  # no daily rank outside the lists
        ("daily", "month", {"daily": Sort.DATE}, Sort.DATE),
    ],
)
def test_sort_for(kind: str, mode: str, sorts: dict, expected: Sort) -> None:
    assert sort_for(ViewSpec(kind), state(mode=mode, sorts=sorts)) is expected


def test_queries_of_the_views(repo: Repository) -> None:
    repo.set_meta(TRENDING_IDS, "2601.00002 2601.00001")
    s = state(mode="week")
    assert query_for(ViewSpec("daily"), s, repo) == FeedQuery(
        date_from=date(2026, 2, 9), date_to=date(2026, 2, 15), daily_only=True, sort=Sort.UPVOTES
    )
    assert query_for(ViewSpec("today"), s, repo) == FeedQuery(
        date_from=THU, date_to=THU, daily_only=True, sort=Sort.RANK
    )
    assert query_for(ViewSpec("week"), s, repo).date_from == date(2026, 11, 23)
    assert query_for(ViewSpec("trending"), s, repo).ids == ("2601.00002", "2601.00001")
    assert query_for(ViewSpec("unread"), s, repo) == FeedQuery(unread=True)
    assert query_for(ViewSpec("saved"), s, repo) == FeedQuery(saved=True)
    assert query_for(ViewSpec("tag", "ml/x"), s, repo) == FeedQuery(tags=("ml/x",))
    both = query_for(ViewSpec("tags", tags=("a", "b")), state(tag_mode="any"), repo)
    assert (both.tags, both.tag_mode) == (("a", "b"), "any")
    assert query_for(ViewSpec("all"), s, repo) == FeedQuery()


def test_this_view_scope_narrows_every_view_but_search_and_counts(repo: Repository) -> None:
    narrowing = state(search_text="diffusion", scope="view")
    assert query_for(ViewSpec("tag", "ml"), narrowing, repo).text == "diffusion"
    assert query_for(ViewSpec("starred"), narrowing, repo).text == "diffusion"
    assert query_for(ViewSpec("starred"), state(search_text="diffusion"), repo).text == ""
    counting = state(search_text="diffusion", scope="view", unscoped=True)
    assert query_for(ViewSpec("starred"), counting, repo).text == ""
    assert view_label(ViewSpec("tag", "ml"), narrowing, repo) == "Tag · ml — matching “diffusion”"


def test_search_view_is_the_library_while_typing_then_hugging_face(repo: Repository) -> None:
    typing = state(search_text="graph nets")
    assert query_for(ViewSpec("search"), typing, repo) == FeedQuery(
        text="graph nets", sort=Sort.RELEVANCE
    )
    assert view_label(ViewSpec("search"), typing, repo) == "Search · “graph nets” in your library"
    repo.set_meta(SEARCH_TEXT, "graph nets")
    repo.set_meta(SEARCH_IDS, "2601.00009 2601.00003")
    remote = query_for(ViewSpec("search"), typing, repo)
    assert remote == FeedQuery(ids=("2601.00009", "2601.00003"), sort=Sort.RELEVANCE)
    assert view_label(ViewSpec("search"), typing, repo) == "Search · “graph nets” on Hugging Face"
    # An empty box shows the last remote results too.
    assert query_for(ViewSpec("search"), state(), repo).ids == ("2601.00009", "2601.00003")


def test_labels(repo: Repository) -> None:
    daily = ViewSpec("daily")
    assert view_label(daily, STATE, repo) == "Daily papers · Wednesday 11 February 2026"
    assert view_label(daily, state(mode="week"), repo) == "Daily papers · week 7, 2026"
    assert view_label(daily, state(mode="month"), repo) == "Daily papers · February 2026"
    assert view_label(ViewSpec("saved"), STATE, repo) == "Library"
    assert view_label(ViewSpec("search"), STATE, repo) == "Search results"
    assert (
        view_label(ViewSpec("tags", tags=("a", "b")), STATE, repo)
        == "Papers with all of these tags: a, b"
    )
