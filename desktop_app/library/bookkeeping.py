"""What the application remembers about its own work, in the library's ``meta`` table.

One place for the keys, so the jobs that write them and the window and CLI that read them
agree. Plain Python with no network imports: the window reads these at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from desktop_app.store import Repository

LAST_DAILY_FETCH_KEY = "last_fetch:daily"  # when the newest daily list was last fetched (UTC)
TRENDING_IDS = "view:trending_ids"  # ids of the last trending list, in its order
SEARCH_IDS = "view:search_ids"  # ids of the last Hugging Face search, in its order
SEARCH_TEXT = "view:search_text"  # the text of that search


def last_daily_fetch(repo: Repository) -> datetime | None:
    """When the newest daily list was last fetched (UTC), or ``None``."""
    value = repo.get_meta(LAST_DAILY_FETCH_KEY)
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
