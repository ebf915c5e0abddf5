"""What each view of the window shows: sidebar entries turned into feed queries and titles.

Plain Python (no Qt), so the rules are tested directly: the window gathers its state into a
:class:`ViewState` (day, mode, search box, scope, sorts) and asks :func:`query_for` and
:func:`view_label`. Remote lists (trending, Hugging Face search results) are read from the
library's bookkeeping, where the fetch jobs left them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from desktop_app.domain import FeedQuery, Follow, Sort
from desktop_app.errors import NotFoundError
from desktop_app.library.bookkeeping import SEARCH_IDS, SEARCH_TEXT, TRENDING_IDS
from desktop_app.store import Repository

if TYPE_CHECKING:
    from desktop_app.library.pdf_jobs import FulltextFound

DAILY_KINDS = ("daily", "today", "week")
# Several tags selected together: papers with all of them, or any (label, FeedQuery.tag_mode).
TAG_MODES = (("with all of these tags", "all"), ("with any of these tags", "any"))


@dataclass(frozen=True)
class ViewSpec:
    """A sidebar entry: ``kind`` is daily, trending, search, today, week, unread, starred,
    saved, all or tag (then ``tag`` holds the tag's full name); smart (a saved search),
    author or org (a followed author or organization) name theirs in ``name``."""

    kind: str
    tag: str = ""
    tags: tuple[str, ...] = ()  # kind "tags": several tags selected together
    name: str = ""  # kinds smart, author, org


FOLLOWED_KINDS = ("smart", "author", "org")


def follow_spec(follow: Follow) -> ViewSpec:
    """The sidebar entry of a followed item."""
    if follow.kind == "tag":
        return ViewSpec("tag", follow.target)
    kind = {"search": "smart", "author": "author", "org": "org"}[follow.kind]
    return ViewSpec(kind, name=follow.target)


def spec_follow(spec: ViewSpec) -> tuple[str, str] | None:
    """``(kind, target)`` of the followed item a view shows, if it shows one."""
    if spec.kind == "tag":
        return "tag", spec.tag
    kind = {"smart": "search", "author": "author", "org": "org"}.get(spec.kind)
    return (kind, spec.name) if kind else None


@dataclass(frozen=True)
class ViewState:
    """The window's choices that shape a view."""

    day: date  # the day the Daily view is on
    mode: str = "day"  # the Daily view's span: day, week or month
    search_text: str = ""  # the search box
    scope: str = "all"  # search "all" papers, narrow the current "view", or the "fulltext"
    tag_mode: str = "all"  # several tags: papers with "all" or "any" of them (TAG_MODES)
    sorts: Mapping[str, Sort] = field(default_factory=dict)  # chosen sort per view kind
    today: date = field(default_factory=date.today)
    unscoped: bool = False  # counting the views themselves, never narrowed by the search
    # The scope "fulltext": what the search of the PDFs' text found for the box's text (in
    # the worker: the papers best first, and how many PDFs it searched); None while that
    # search has not answered.
    fulltext: FulltextFound | None = None


def sort_key(spec: ViewSpec) -> str:
    """Where a view's chosen sort is remembered: per kind, and per saved search."""
    return f"smart:{spec.name}" if spec.kind == "smart" else spec.kind


def sort_for(spec: ViewSpec, state: ViewState) -> Sort:
    """The chosen sort of a view, or its natural one: rank for one day's list (Today, or
    Daily in day mode), upvotes for a week, a month or trending, relevance for search, newest
    first elsewhere."""
    daily = spec.kind in DAILY_KINDS
    if spec.kind == "search":
        default = Sort.RELEVANCE
    elif spec.kind == "today" or (spec.kind == "daily" and state.mode == "day"):
        default = Sort.RANK
    elif daily or spec.kind == "trending":
        default = Sort.UPVOTES
    else:
        default = Sort.DATE
    sort = state.sorts.get(spec.kind, default)
    return Sort.DATE if sort is Sort.RANK and not daily else sort


def daily_range(day: date, mode: str) -> tuple[date, date]:
    """The first and last day of the day, ISO week or month around ``day``."""
    if mode == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if mode == "month":
        start = day.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return day, day


def _ids(repo: Repository, key: str) -> tuple[str, ...]:
    return tuple((repo.get_meta(key) or "").split())


def _shows_remote_search(repo: Repository, state: ViewState) -> bool:
    """The Search view shows Hugging Face's results once they are for the box's text (or
    the box is empty); while the text differs it searches the library as you type."""
    text = state.search_text.strip()
    return not text or text == (repo.get_meta(SEARCH_TEXT) or "").strip()


def query_for(spec: ViewSpec, state: ViewState, repo: Repository) -> FeedQuery:
    """The FeedQuery a sidebar entry stands for, with its sort and the search scope."""
    sort = sort_for(spec, state)
    if spec.kind == "search":
        if state.scope == "fulltext":  # the list's own order: best match first
            found = state.fulltext
            return FeedQuery(ids=found.paper_ids if found else (), sort=sort)
        if _shows_remote_search(repo, state):
            # Relevance here is Hugging Face's own ranking of its results.
            return FeedQuery(ids=_ids(repo, SEARCH_IDS), sort=sort)
        return FeedQuery(text=state.search_text, sort=sort)
    today = state.today
    if spec.kind == "daily":
        start, end = daily_range(state.day, state.mode)
        query = FeedQuery(date_from=start, date_to=end, daily_only=True, sort=sort)
    elif spec.kind == "today":
        query = FeedQuery(date_from=today, date_to=today, daily_only=True, sort=sort)
    elif spec.kind == "week":
        start = today - timedelta(days=today.weekday())
        query = FeedQuery(date_from=start, date_to=today, daily_only=True, sort=sort)
    elif spec.kind == "foryou":  # the last week's papers; the window ranks them For you
        query = FeedQuery(date_from=today - timedelta(days=6), date_to=today, sort=sort)
    elif spec.kind == "trending":
        query = FeedQuery(ids=_ids(repo, TRENDING_IDS), sort=sort)
    elif spec.kind in ("unread", "starred", "saved"):
        query = FeedQuery(**{spec.kind: True}, sort=sort)  # type: ignore[arg-type]
    elif spec.kind == "tag":
        query = FeedQuery(tags=(spec.tag,), sort=sort)
    elif spec.kind == "tags":
        query = FeedQuery(tags=spec.tags, tag_mode=state.tag_mode, sort=sort)
    elif spec.kind == "smart":
        try:
            saved = repo.saved_search(spec.name)
        except NotFoundError:  # deleted meanwhile (another window, the command line)
            return FeedQuery(ids=(), sort=sort)
        chosen = state.sorts.get(sort_key(spec))
        query = replace(saved.feed_query(today), sort=chosen or saved.sort)
    elif spec.kind == "author":
        query = FeedQuery(author=spec.name, sort=sort)
    elif spec.kind == "org":
        query = FeedQuery(organization=spec.name, sort=sort)
    else:
        query = FeedQuery(sort=sort)
    return replace(query, text=state.search_text) if _narrowed(state) else query


def _narrowed(state: ViewState) -> bool:
    """With the search scope "This view", the search text narrows the current view."""
    return bool(state.search_text.strip()) and state.scope == "view" and not state.unscoped


LABELS = {
    "trending": "Trending",
    "search": "Search results",
    "today": "Today",
    "week": "This week",
    "foryou": "For you",
    "unread": "Unread",
    "starred": "Starred",
    "saved": "Library",
    "all": "All papers",
}


def view_label(spec: ViewSpec, state: ViewState, repo: Repository) -> str:
    """The title above the feed."""
    day = state.day
    if spec.kind == "daily":
        if state.mode == "week":
            iso = day.isocalendar()
            return f"Daily papers · week {iso.week}, {iso.year}"
        if state.mode == "month":
            return f"Daily papers · {day.strftime('%B %Y')}"
        return f"Daily papers · {day.strftime('%A %d %B %Y')}"
    text = state.search_text.strip()
    if spec.kind == "search" and state.scope == "fulltext":
        return f"Full text · “{text}” in your PDFs"
    if spec.kind == "search":
        if not _shows_remote_search(repo, state):
            return f"Search · “{text}” in your library"
        remote = (repo.get_meta(SEARCH_TEXT) or "").strip()
        return f"Search · “{remote}” on Hugging Face" if remote else LABELS["search"]
    narrowed = f" — matching “{text}”" if text and state.scope == "view" else ""
    if spec.kind == "tag":
        return f"Tag · {spec.tag}{narrowed}"
    if spec.kind == "tags":
        label = dict((mode, text) for text, mode in TAG_MODES)[state.tag_mode]
        return f"Papers {label}: {', '.join(spec.tags)}{narrowed}"
    if spec.kind in FOLLOWED_KINDS:
        what = {"smart": "Saved search", "author": "Author", "org": "Organization"}[spec.kind]
        return f"{what} · {spec.name}{narrowed}"
    return LABELS.get(spec.kind, spec.kind) + narrowed


def neighbour_day(day: date, mode: str, step: int, repo: Repository, today: date) -> date:
    """The day the Daily view moves to with Alt+← / Alt+→ (``step`` −1 or +1).

    A week or a month steps by a week or a month. A day steps to the next day that may have
    a list: Hugging Face publishes none at weekends, so a Saturday or Sunday is skipped
    unless a list is stored for it (Alt+← from Monday goes to Friday). Weekdays are never
    skipped, stored or not: an unfetched day is one Refresh away. Never past ``today``.
    """
    if mode == "week":
        target = day + timedelta(days=7 * step)
    elif mode == "month":
        first = day.replace(day=1)
        target = (
            (first + timedelta(days=32)).replace(day=1)
            if step > 0
            else (first - timedelta(days=1)).replace(day=1)
        )
    else:
        lo, hi = sorted((day + timedelta(days=step), day + timedelta(days=7 * step)))
        stored = set(repo.daily_days(lo, hi))
        target = day + timedelta(days=step)
        while target.weekday() >= 5 and target not in stored:
            target += timedelta(days=step)
    if step > 0 and target > today:
        # Not into the future: a week or month steps to the one holding today.
        later = mode != "day" and daily_range(today, mode)[0] > daily_range(day, mode)[0]
        return today if later else day
    return target


def empty_hint(spec: ViewSpec, state: ViewState, repo: Repository) -> str:
    """What an empty list says: what is true of this view, and what would fill it."""
    text = state.search_text.strip()
    if text and _narrowed(state):
        return f"No paper in this view matches “{text}”. Esc clears the search."
    if spec.kind == "search" and state.scope == "fulltext":
        return _empty_fulltext_hint(text, state.fulltext)
    if spec.kind == "search":
        searched = (repo.get_meta(SEARCH_TEXT) or "").strip()
        if text and text == searched:
            return (
                f"Nothing found for “{text}” in your library or on Hugging Face. "
                "Try other words, or an arXiv id."
            )
        if text:
            return (
                f"Nothing in your library matches “{text}”. Press “Search Hugging Face” "
                "to look there."
            )
        return "Type in the search box (Ctrl+F) to search your library."
    if spec.kind == "daily":
        return _empty_day_hint(state)
    hints = {
        "trending": "Press Refresh (F5) to fetch the trending papers.",
        "today": "No list stored for today yet. Press Refresh (F5) to fetch it.",
        "week": "No lists stored for this week yet. Press Refresh (F5) to fetch today's.",
        "unread": "Nothing unread: you have read every paper in the library.",
        "starred": "Star papers with S to find them here.",
        "saved": "Tag, star or note a paper to keep it in your library.",
        "tag": "No paper carries this tag any more.",
        "tags": "No paper has these tags together.",
        "all": "Your library is empty. Press Refresh (F5) to fetch today's Hugging Face "
        "list, or Ctrl+N to add a paper by its arXiv id.",
    }
    return hints.get(spec.kind, "No papers here yet.")


def _empty_fulltext_hint(text: str, found: FulltextFound | None) -> str:
    """Full-text search found nothing, or has not answered yet: say what it searched (the
    counts come with the answer, from the worker)."""
    if not text:
        return "Type in the search box (Ctrl+F) to search the text of your downloaded PDFs."
    if found is None:
        return f"Searching the text of your PDFs for “{text}”…"
    if not found.cached:
        return (
            "No PDF is downloaded yet: full-text search looks in the papers you read here. "
            "Press p on a paper to download and read it."
        )
    without = found.cached - found.searchable
    n = found.cached
    hint = f"None of your {n} downloaded PDF{'s' if n != 1 else ''} contains “{text}”."
    if without:
        hint += (
            f" {without} of them {'has' if without == 1 else 'have'} no searchable text "
            "(scanned, protected or still being read)."
        )
    return hint


def _empty_day_hint(state: ViewState) -> str:
    day, today = state.day, state.today
    if state.mode != "day":
        span = "this week" if state.mode == "week" else "this month"
        return f"No lists stored for {span} yet. Press Refresh (F5) to fetch them."
    name = f"{day:%A} {day.day} {day:%B %Y}"
    if day > today:
        return f"{name} has not come yet."
    if day.weekday() >= 5:
        return (
            f"Hugging Face publishes no list at weekends ({name}). Alt+← goes to Friday's, "
            "Alt+→ to Monday's."
        )
    return (
        f"No list stored for {name}. Press Refresh (F5) to fetch it from Hugging Face "
        "(a list appears in the course of the day)."
    )
