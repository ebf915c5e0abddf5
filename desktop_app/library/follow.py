"""Following topics: which papers are new to each followed item, and what to tell the user.

After every refresh (the window's periodic one, or a command such as ``daily-papers fetch``)
:func:`check` looks, for each followed item, at the papers stored since it was last checked
that match it, and records them as news. A paper is news to an item once: refetched, or
deleted and fetched again, it is not news again. :func:`announcement` then says, once per
paper however many items it matched, how many papers are new and their titles. Qt-free: the
window, the tray and the command line share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from desktop_app.domain import FeedQuery, Follow
from desktop_app.store import Repository
from desktop_app.store.core import now


def follow_query(repo: Repository, follow: Follow, today: date | None = None) -> FeedQuery:
    """The papers a followed item stands for (its view)."""
    if follow.kind == "search":
        return repo.saved_search(follow.target).feed_query(today or date.today())
    if follow.kind == "tag":
        return FeedQuery(tags=(follow.target,))
    if follow.kind == "author":
        return FeedQuery(author=follow.target)
    return FeedQuery(organization=follow.target)


@dataclass(frozen=True)
class Checked:
    """What one check found: papers new to each followed item (by its label)."""

    found: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Papers new to at least one item (each counted once)."""
        return len({pid for ids in self.found.values() for pid in ids})


def check(repo: Repository, today: date | None = None) -> Checked:
    """Record, for every followed item, the papers stored since its last check that match
    it (see the module's docstring)."""
    store = repo.follows_store
    found: dict[str, list[str]] = {}
    for follow in repo.follows():
        stamp = now()  # before reading: a paper stored meanwhile is seen next time
        query = follow_query(repo, follow, today)
        fresh = store.record_news(follow.id, repo.stored_since(query, _since(follow)), stamp)
        if fresh:
            found[follow.label] = fresh
    return Checked(found)


# A paper's first_seen is taken when its fetch starts writing; another process's write may
# commit after a check that began later. Each check looks this far back again (what it
# finds twice is recorded once), but never before the item was followed.
LATE_WRITES_S = 600


def _since(follow: Follow) -> str:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    try:
        checked = datetime.strptime(follow.checked, fmt).replace(tzinfo=UTC)
        created = datetime.strptime(follow.created, fmt).replace(tzinfo=UTC)
    except ValueError:
        return follow.checked
    since = max(created + timedelta(seconds=1), checked - timedelta(seconds=LATE_WRITES_S))
    return min(since, checked).strftime(fmt)


@dataclass(frozen=True)
class Announcement:
    """What to tell the user: ``count`` papers new to followed items, the best ``titles``,
    and the followed items they matched (``follows``: their ids)."""

    count: int
    titles: tuple[str, ...]
    follows: tuple[int, ...]
    paper_ids: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.count} new paper{'s' if self.count != 1 else ''} you follow"

    @property
    def body(self) -> str:
        more = self.count - len(self.titles)
        lines = [f"• {t}" for t in self.titles]
        if more > 0:
            lines.append(f"and {more} more")
        return "\n".join(lines)


def announcement(repo: Repository, top: int = 3) -> Announcement | None:
    """The papers found new and not yet told (each once), or None when there are none."""
    pending = repo.follows_store.unnotified()
    if not pending:
        return None
    follows = sorted({f for _, _, fs in pending for f in fs})
    return Announcement(
        count=len(pending),
        titles=tuple(title for _, title, _ in pending[:top]),
        follows=tuple(follows),
        paper_ids=tuple(pid for pid, _, _ in pending),
    )


def told(repo: Repository, news: Announcement) -> None:
    """The user was told about ``news``: it is not announced again."""
    repo.follows_store.mark_notified(news.paper_ids)
