"""Hugging Face Daily Papers: a thin client over :class:`HttpClient` plus pure parsers.

The parsers read the raw JSON themselves (see ``API_FORMATS.md`` 1.3 and 1.6 for why not
huggingface_hub): every field is looked up in ``item["paper"]`` first and in the outer item
second, except the comment count, which only the outer item carries. Every optional key may be
missing, and a value of the wrong type counts as missing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from desktop_app.config import DEFAULT_HF_ENDPOINT, Settings
from desktop_app.domain import DailyAppearance, PaperRecord, split_version
from desktop_app.errors import (
    BadResponseError,
    CancelToken,
    InvalidInputError,
    NotFoundError,
    PageCapError,
    check_cancel,
)
from desktop_app.sources.http import HttpClient, HttpResponse
from desktop_app.sources.text import clean_line, unwrap

log = logging.getLogger(__name__)

DailySort = Literal["publishedAt", "trending"]
SORTS: tuple[str, ...] = ("publishedAt", "trending")
MAX_PAGE_SIZE = 100  # the server refuses limit > 100

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --------------------------------------------------------------------------- pure parsers


def _str(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _day(value: Any) -> date | None:
    """The date part of an ISO timestamp such as ``2026-02-26T17:08:18.000Z`` (UTC)."""
    text = _str(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _org_name(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return clean_line(_str(value.get("fullname")) or _str(value.get("name")))
    return clean_line(_str(value))


def _authors(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for author in value:
        name = author.get("name") if isinstance(author, Mapping) else author
        cleaned = clean_line(_str(name))
        if cleaned:
            names.append(cleaned)
    return tuple(names)


def _keywords(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(k for k in (clean_line(_str(v)) for v in value) if k)


class _Item:
    """Looks a key up in ``item["paper"]`` first, then in the outer item."""

    def __init__(self, item: Mapping[str, Any]) -> None:
        if not isinstance(item, Mapping):
            raise ValueError("a paper item must be a JSON object")
        inner = item.get("paper")
        self.inner: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
        self.outer = item

    def get(self, key: str) -> Any:
        value = self.inner.get(key)
        return value if value is not None else self.outer.get(key)


def parse_item(item: Mapping[str, Any]) -> PaperRecord:
    """A :class:`PaperRecord` from any Hub paper object.

    Accepts the daily-papers item (``{"paper": {…}, "numComments": …}``), the flat
    ``/api/papers/{id}`` object and the old flat search result
    (``{"id", "title", "thumbnailUrl", "source"}``). Raises ``ValueError`` for an item with no
    usable arXiv id or title.
    """
    it = _Item(item)
    raw_id = _str(it.get("id"))
    if not raw_id:
        raise ValueError("paper item without an id")
    paper_id, _version = split_version(raw_id)  # ValueError for a non-arXiv id
    title = clean_line(_str(it.get("title")))
    if not title:
        raise ValueError(f"paper {paper_id} without a title")
    keywords = _keywords(it.get("ai_keywords"))
    comments = _int(it.outer.get("numComments"))
    if comments is None:
        comments = _int(it.inner.get("numComments"))
    return PaperRecord(
        id=paper_id,
        title=title,
        abstract=unwrap(_str(it.get("summary"))),
        authors=_authors(it.get("authors")),
        # Inside a daily item only ``paper.publishedAt`` is the arXiv date; the outer one may
        # be the time the paper was added to the list.
        published=_day(it.inner.get("publishedAt") if it.inner else item.get("publishedAt")),
        upvotes=_int(it.get("upvotes")),
        comments=comments,
        organization=_org_name(it.get("organization")),
        github_repo=_str(it.get("githubRepo")),
        github_stars=_int(it.get("githubStars")),
        project_page=_str(it.get("projectPage")),
        thumbnail=_str(it.get("thumbnail")) or _str(it.get("thumbnailUrl")),
        ai_summary=clean_line(_str(it.get("ai_summary"))),
        ai_keywords=keywords,
        num_models=_int(it.get("numTotalModels")),
        num_datasets=_int(it.get("numTotalDatasets")),
        num_spaces=_int(it.get("numTotalSpaces")),
        source="hf",
    )


def submitted_day(item: Mapping[str, Any]) -> date | None:
    """The day of the list a daily item is on, when the item states it: its
    ``paper.submittedOnDailyAt`` (answers since about 2025-03-14).

    ``None`` when the item does not say. The outer ``publishedAt`` is never taken for it: in
    answers of about 2024-11-29 to 2025-03-14 it is the arXiv submission time, not the day of
    the list, and nothing in an item tells the two eras apart. Only a ``?date=`` request
    states the day of such items (see ``library.fetch.fetch_daily``).
    """
    return _day(_Item(item).get("submittedOnDailyAt"))


def list_period(
    week: str | None = None, month: str | None = None, today: date | None = None
) -> tuple[date, ...]:
    """The days whose lists a ``week`` or ``month`` answer covers, up to ``today``.

    A week's answer starts on the Friday before the ISO week (huggingface_hub's own test of
    ``week=``), so a week is ten days: that Friday to the week's Sunday.
    """
    if week:
        m = _WEEK_RE.match(week.strip())
        if not m:
            raise InvalidInputError(f"{week!r} is not a week.", hint="Use YYYY-Www, e.g. 2025-W09.")
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        days = [monday + timedelta(days=n) for n in range(-3, 7)]
    elif month:
        m = _MONTH_RE.match(month.strip())
        if not m:
            raise InvalidInputError(f"{month!r} is not a month.", hint="Use YYYY-MM, e.g. 2025-02.")
        first = date(int(m.group(1)), int(m.group(2)), 1)
        days = [first + timedelta(days=n) for n in range(31)]
        days = [d for d in days if d.month == first.month]
    else:
        return ()
    return tuple(d for d in days if today is None or d <= today)


def parse_items(data: Any, host: str) -> list[tuple[PaperRecord, Mapping[str, Any]]]:
    """``(record, raw item)`` for each usable item of a JSON list, in order.

    A broken item is skipped (and logged) rather than failing the whole list; a list where no
    item is usable, or something that is not a list, is a :class:`BadResponseError`.
    """
    if not isinstance(data, list):
        raise BadResponseError(
            f"{host} sent an unexpected answer (expected a list of papers).",
            hint="The API may have changed; try again later or update the app.",
        )
    parsed = []
    for index, item in enumerate(data):
        try:
            parsed.append((parse_item(item), item))
        except ValueError as exc:
            log.warning("skipping paper item %d from %s: %s", index, host, exc)
    if data and not parsed:
        raise BadResponseError(
            f"{host} sent papers in a format this version cannot read.",
            hint="Update the app, or try again later.",
        )
    return parsed


# --------------------------------------------------------------------------- validation


def validate_daily_query(
    day: date | str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str = "publishedAt",
) -> dict[str, str]:
    """The query parameters for ``/api/daily_papers``, or :class:`InvalidInputError`.

    Checked locally so a typo gets a clear message instead of the server's bare 400.
    """
    given = [name for name, value in (("date", day), ("week", week), ("month", month)) if value]
    if len(given) > 1:
        raise InvalidInputError(
            f"Choose one of a date, a week or a month, not {' and '.join(given)}."
        )
    if sort not in SORTS:
        raise InvalidInputError(
            f"Unknown sort order {sort!r}.", hint="Use 'publishedAt' or 'trending'."
        )
    params = {"sort": sort}
    if day:
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                raise InvalidInputError(
                    f"{day!r} is not a date.", hint="Use YYYY-MM-DD, e.g. 2025-03-14."
                ) from None
        params["date"] = day.isoformat()
    elif week:
        m = _WEEK_RE.match(week.strip())
        try:
            if not m:
                raise ValueError
            date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise InvalidInputError(
                f"{week!r} is not a week.", hint="Use YYYY-Www, e.g. 2025-W09."
            ) from None
        params["week"] = week.strip()
    elif month:
        m = _MONTH_RE.match(month.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise InvalidInputError(f"{month!r} is not a month.", hint="Use YYYY-MM, e.g. 2025-02.")
        params["month"] = month.strip()
    return params


# --------------------------------------------------------------------------- client


@dataclass(frozen=True)
class DailyPage:
    """One page of a daily list, ready for one ``Repository.upsert_papers`` call."""

    number: int  # 0-based, in fetch order
    records: tuple[PaperRecord, ...]
    appearances: tuple[DailyAppearance, ...]
    # papers of the page whose list day the answer does not state (no appearance for them)
    undated: tuple[str, ...] = ()


def _bump_page(url: str) -> str:
    """``url`` with its ``p`` query parameter increased by one."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((int(v) for k, v in query if k == "p" and v.isdigit()), 0)
    query = [(k, v) for k, v in query if k != "p"] + [("p", str(current + 1))]
    return urlunsplit(parts._replace(query=urlencode(query)))


class HfClient:
    """The Hub's paper endpoints. Share the thread's :class:`HttpClient`.

    Args:
        http: the thread's HTTP client.
        base_url: the Hub (``Settings.effective().hf_endpoint``; tests use a loopback URL).
        page_size: items per daily-papers page (the server allows at most 100).
        max_pages: safety cap so a server that ignores ``p`` cannot keep us paging forever.
    """

    def __init__(
        self,
        http: HttpClient,
        base_url: str = DEFAULT_HF_ENDPOINT,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int = 50,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        self.max_pages = max(1, int(max_pages))

    @classmethod
    def from_settings(cls, http: HttpClient, settings: Settings, **kwargs: Any) -> HfClient:
        return cls(http, settings.effective().hf_endpoint, **kwargs)

    # ------------------------------------------------------------------ daily
    def iter_daily(
        self,
        day: date | str | None = None,
        week: str | None = None,
        month: str | None = None,
        sort: DailySort = "publishedAt",
        cancel: CancelToken | None = None,
    ) -> Iterator[DailyPage]:
        """Yield the daily list page by page (validated before the first request).

        Paging follows ``Link: rel="next"`` when the server sends it, else increments ``p``
        while pages come back full; it stops at an empty or short page or at a page with no new
        paper, and raises :class:`PageCapError` (after yielding them) when there would be more
        than ``max_pages``. A paper repeated on a later page (the list shifts while
        we page) keeps its first position.

        Appearances: for a ``day`` every paper gets that day and its 1-based position in the
        list as served; for a week, a month or the latest list each paper that states its list
        day (``submittedOnDailyAt``) gets that day and its position within that day, and the
        others are named in ``DailyPage.undated`` with no appearance — the caller learns their
        days from ``?date=`` requests. ``trending`` is an all-time ranking, not a day's list,
        so it records no appearances.
        """
        params = validate_daily_query(day, week, month, sort)
        fixed_day = date.fromisoformat(params["date"]) if "date" in params else None
        return self._pages(params, fixed_day, sort == "publishedAt", cancel)

    def _pages(
        self,
        params: dict[str, str],
        fixed_day: date | None,
        with_appearances: bool,
        cancel: CancelToken | None,
    ) -> Iterator[DailyPage]:
        seen: set[str] = set()
        ranks: Counter[date] = Counter()
        url = f"{self.base_url}/api/daily_papers"
        query: dict[str, Any] | None = {**params, "p": 0, "limit": self.page_size}
        base_host = urlsplit(self.base_url).netloc
        for number in range(self.max_pages):
            check_cancel(cancel)
            resp = self.http.get(url, query, cancel=cancel)
            data = resp.json()
            items = parse_items(data, resp.host)
            records: list[PaperRecord] = []
            appearances: list[DailyAppearance] = []
            undated: list[str] = []
            for record, raw in items:
                if record.id in seen:
                    continue
                seen.add(record.id)
                records.append(record)
                if not with_appearances:
                    continue
                on = fixed_day or submitted_day(raw)
                if on is None:
                    undated.append(record.id)
                    continue
                ranks[on] += 1
                appearances.append(DailyAppearance(record.id, on, ranks[on]))
            yield DailyPage(number, tuple(records), tuple(appearances), tuple(undated))
            next_url = self._next_url(resp, len(data), base_host)
            if not data or not records or next_url is None:
                return
            url, query = next_url, None
        raise PageCapError(
            f"{base_host} kept sending pages past {self.max_pages} (the most one fetch reads).",
            hint="Fetch a shorter period (a week or a day instead of a month).",
        )

    def _next_url(self, resp: HttpResponse, count: int, base_host: str) -> str | None:
        link = resp.next_link()
        if link and urlsplit(link).netloc == base_host:
            return link
        if count >= self.page_size:
            return _bump_page(resp.url)
        return None

    # ------------------------------------------------------------------ single paper
    def paper(self, paper_id: str, cancel: CancelToken | None = None) -> PaperRecord:
        """The Hub's page for one paper (with model/dataset/space counts).

        :class:`NotFoundError` when the Hub does not know the paper (not every arXiv paper
        has a Hugging Face page).
        """
        try:
            bare, _version = split_version(paper_id)
        except ValueError:
            raise InvalidInputError(f"{paper_id!r} is not an arXiv id.") from None
        try:
            resp = self.http.get(f"{self.base_url}/api/papers/{bare}", cancel=cancel)
        except NotFoundError:
            raise NotFoundError(
                f"Hugging Face has no page for paper {bare}.",
                hint="It can still be added from arXiv.",
            ) from None
        data = resp.json()
        if not isinstance(data, Mapping):
            raise BadResponseError(f"{resp.host} sent an unexpected answer for paper {bare}.")
        try:
            return parse_item(data)
        except ValueError as exc:
            raise BadResponseError(
                f"{resp.host} sent paper {bare} in a format this version cannot read ({exc})."
            ) from exc

    # ------------------------------------------------------------------ search
    def search(
        self, query: str, limit: int = 50, cancel: CancelToken | None = None
    ) -> list[PaperRecord]:
        """Papers matching ``query`` in the Hub's ranking (one page; the server has no more)."""
        text = " ".join(str(query).split())
        if not text:
            raise InvalidInputError("Type something to search for.")
        if limit < 1:
            raise InvalidInputError("The number of search results must be at least 1.")
        resp = self.http.get(
            f"{self.base_url}/api/papers/search", {"q": text, "limit": limit}, cancel=cancel
        )
        seen: set[str] = set()
        out = []
        for record, _raw in parse_items(resp.json(), resp.host):
            if record.id not in seen:
                seen.add(record.id)
                out.append(record)
        return out
