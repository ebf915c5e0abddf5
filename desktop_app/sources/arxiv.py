"""arXiv: the query API (Atom) and the announcement RSS feeds, parsed with feedparser.

The Atom layout changed in November 2025 (``API_FORMATS.md`` 2.2): namespaces, element order
and link attributes differ. The parser therefore never relies on order or on ``rel``/``title``
attributes: the paper id comes from ``<id>`` (or else the ``/abs/`` link), the DOI from
``<arxiv:doi>`` or a ``doi.org`` link, and whitespace is normalised either way.

arXiv asks for at most one request every three seconds; each :class:`ArxivClient` owns a
:class:`RateLimiter` that every request (retries included) passes through.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import feedparser
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType

from desktop_app.config import DEFAULT_ARXIV_URL, Settings
from desktop_app.domain import PaperRecord, split_version
from desktop_app.errors import BadResponseError, CancelToken, InvalidInputError, check_cancel
from desktop_app.sources.http import HttpClient, RateLimiter, looks_like_html
from desktop_app.sources.text import clean_line, unwrap

log = logging.getLogger(__name__)

ARXIV_MIN_INTERVAL_S = 3.0  # terms of use: no more than one request every three seconds
MAX_IDS_PER_REQUEST = 100
MAX_RESULTS_PER_REQUEST = 2000
MAX_RESULTS_TOTAL = 30000
AnnounceType = Literal["new", "cross", "replace", "replace-cross"]
SortBy = Literal["relevance", "lastUpdatedDate", "submittedDate"]
SortOrder = Literal["ascending", "descending"]

_CATEGORY_RE = re.compile(
    r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?(?:\+[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?)*$"
)
_VERSIONED_RE = re.compile(r"arXiv:(\S+?v\d+)\b", re.IGNORECASE)
_GUID_RE = re.compile(r"^oai:arXiv\.org:(\S+)$", re.IGNORECASE)
_ABSTRACT_RE = re.compile(r"\bAbstract:\s*", re.IGNORECASE)
_TAG_RE = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
# Parser complaints that do not mean the document is broken.
_BENIGN_BOZO = (CharacterEncodingOverride, NonXMLContentType)


# --------------------------------------------------------------------------- pure parsers


@dataclass(frozen=True)
class ArxivFeed:
    """Papers of one API answer (or several pages of it) and arXiv's total hit count."""

    records: tuple[PaperRecord, ...]
    total_results: int | None = None


@dataclass(frozen=True)
class ArxivListing:
    """A category's announcement: the papers and how each was announced, by paper id."""

    records: tuple[PaperRecord, ...]
    announce_types: Mapping[str, str] = field(default_factory=dict)


def _id_from_url(url: str | None) -> tuple[str, int | None] | None:
    """``(id, version)`` from ``http(s)://arxiv.org/abs/<id>vN`` or ``…/pdf/<id>vN``."""
    if not url:
        return None
    path = urlsplit(url).path
    for marker in ("/abs/", "/pdf/"):
        if marker in path:
            raw = path.split(marker, 1)[1].strip("/")
            raw = raw.removesuffix(".pdf")
            try:
                return split_version(raw)
            except ValueError:
                return None
    return None


def _day(value: Any) -> date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _struct_day(value: Any) -> date | None:
    try:
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    except (AttributeError, TypeError, ValueError):
        return None


def _doi(entry: Mapping[str, Any]) -> str | None:
    doi = clean_line(entry.get("arxiv_doi"))
    if doi:
        return doi
    for link in entry.get("links", ()):
        parts = urlsplit(link.get("href", ""))
        if parts.netloc.lower().endswith("doi.org") and parts.path.strip("/"):
            return unquote(parts.path.strip("/"))
    return None


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (clean_line(tag.get("term")) for tag in entry.get("tags", ()))
    return tuple(dict.fromkeys(t for t in terms if t))


def parse_entry(entry: Mapping[str, Any]) -> PaperRecord | None:
    """A record from one Atom ``<entry>`` (as feedparser gives it), either layout.

    ``None`` for the placeholder entry the legacy API returns for an unknown id (only a blank
    category) and for anything else without an arXiv id or title.
    """
    ident = _id_from_url(entry.get("id"))
    if ident is None:
        for link in entry.get("links", ()):
            ident = _id_from_url(link.get("href"))
            if ident:
                break
    title = clean_line(entry.get("title"))
    if ident is None or not title:
        return None
    paper_id, version = ident
    primary = entry.get("arxiv_primary_category")
    primary_term = clean_line(primary.get("term")) if isinstance(primary, Mapping) else None
    categories = _categories(entry)
    if primary_term and primary_term not in categories:
        categories = (primary_term, *categories)
    authors = tuple(
        name for name in (clean_line(a.get("name")) for a in entry.get("authors", ())) if name
    )
    return PaperRecord(
        id=paper_id,
        title=title,
        abstract=unwrap(entry.get("summary")),
        authors=authors,
        published=_day(entry.get("published")),
        updated=_day(entry.get("updated")),
        categories=categories or None,
        primary_category=primary_term or (categories[0] if categories else None),
        doi=_doi(entry),
        journal_ref=clean_line(entry.get("arxiv_journal_ref")),
        arxiv_comment=clean_line(entry.get("arxiv_comment")),
        version=version,
        source="arxiv",
    )


def _parse_feed(content: bytes, host: str) -> Any:
    """feedparser's result for a well-formed feed; :class:`BadResponseError` otherwise."""
    if not content.strip():
        raise BadResponseError(f"{host} sent an empty answer.", hint="Try again in a minute.")
    if looks_like_html(content):
        raise BadResponseError(
            f"{host} sent a web page instead of a feed.",
            hint="arXiv may be down for maintenance; try again later.",
        )
    # A stream, never a str: feedparser would fetch a str that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(content))
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and not isinstance(problem, _BENIGN_BOZO):
        # feedparser's lenient fallback would return whatever entries precede the damage;
        # a silently partial list is worse than an error.
        log.info("unreadable feed from %s: %s", host, problem)
        raise BadResponseError(
            f"{host} sent malformed XML.",
            hint="The answer may have been cut off; try again.",
        )
    if not parsed.get("version"):
        raise BadResponseError(
            f"{host} sent something that is not a feed.",
            hint="The address may be wrong, or arXiv is having problems; try again later.",
        )
    return parsed


def _raise_api_error(entries: list[Any]) -> None:
    """arXiv reports a bad request as HTTP 200 with one entry titled ``Error``."""
    if len(entries) != 1:
        return
    entry = entries[0]
    if clean_line(entry.get("title")) != "Error" or "/api/errors" not in entry.get("id", ""):
        return
    message = clean_line(entry.get("summary")) or "unknown error"
    raise InvalidInputError(
        f"arXiv rejected the request: {message}.", hint="Check the ids or the query."
    )


def parse_atom(content: bytes, host: str = "arXiv") -> ArxivFeed:
    """Records of an API answer (both layouts), in the order served."""
    parsed = _parse_feed(content, host)
    _raise_api_error(parsed.entries)
    records = []
    for entry in parsed.entries:
        record = parse_entry(entry)
        if record is None:
            log.info("skipping an arXiv entry without id or title (unknown id?)")
            continue
        records.append(record)
    total = parsed.feed.get("opensearch_totalresults")
    return ArxivFeed(tuple(records), int(total) if str(total or "").isdigit() else None)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(text: str) -> str:
    if not _TAG_RE.search(text):
        return text
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    return "".join(extractor.parts)


def _split_creators(value: Any) -> tuple[str, ...]:
    """``dc:creator`` holds every author comma-joined (sometimes with a final "and")."""
    if not isinstance(value, str):
        return ()
    names = []
    for part in value.split(","):
        for name in re.split(r"\s+and\s+", part.strip()):
            cleaned = clean_line(name)
            if cleaned:
                names.append(cleaned)
    return tuple(names)


def parse_rss_item(item: Mapping[str, Any]) -> tuple[PaperRecord, str | None] | None:
    """``(record, announce type)`` from one RSS ``<item>``, or ``None`` if it has no id.

    RSS has no v1 date, primary category or comment. The announcement date is recorded as
    ``updated``, and as ``published`` too when the announcement is of version 1.
    """
    summary = _html_to_text(item.get("summary") or "")
    version_ref = None
    guid = _GUID_RE.match(item.get("id") or "")
    if guid:
        version_ref = guid.group(1)
    else:
        m = _VERSIONED_RE.search(summary)
        version_ref = m.group(1) if m else None
    ident: tuple[str, int | None] | None = None
    if version_ref:
        try:
            ident = split_version(version_ref)
        except ValueError:
            ident = None
    if ident is None:
        ident = _id_from_url(item.get("link"))
    title = clean_line(item.get("title"))
    if ident is None or not title:
        return None
    paper_id, version = ident
    parts = _ABSTRACT_RE.split(summary, maxsplit=1)
    abstract = unwrap(parts[1] if len(parts) == 2 else None)
    announced = _struct_day(item.get("published_parsed"))
    announce = clean_line(item.get("arxiv_announce_type"))
    categories = _categories(item)
    record = PaperRecord(
        id=paper_id,
        title=title,
        abstract=abstract,
        authors=_split_creators(item.get("author")),
        published=announced if version == 1 else None,
        updated=announced,
        categories=categories or None,
        doi=clean_line(item.get("arxiv_doi")),
        journal_ref=clean_line(item.get("arxiv_journal_reference")),
        version=version,
        source="rss",  # its dates are announcement days: they only fill gaps
    )
    return record, announce


def parse_rss(content: bytes, host: str = "arXiv") -> ArxivListing:
    """A category listing from arXiv's RSS 2.0 feed (empty on weekends)."""
    parsed = _parse_feed(content, host)
    records: list[PaperRecord] = []
    announce: dict[str, str] = {}
    seen: set[str] = set()
    for item in parsed.entries:
        parsed_item = parse_rss_item(item)
        if parsed_item is None:
            continue
        record, kind = parsed_item
        if record.id in seen:
            continue
        seen.add(record.id)
        records.append(record)
        if kind:
            announce[record.id] = kind
    return ArxivListing(tuple(records), announce)


def normalize_ids(ids: Iterable[str]) -> list[str]:
    """Bare, de-duplicated ids in order; :class:`InvalidInputError` for anything else."""
    out: dict[str, None] = {}
    for raw in ids:
        try:
            bare, _version = split_version(str(raw))
        except ValueError:
            raise InvalidInputError(
                f"{raw!r} is not an arXiv id.", hint="Use e.g. 2403.12345 or hep-th/9901001."
            ) from None
        out[bare] = None
    return list(out)


# --------------------------------------------------------------------------- client


class ArxivClient:
    """arXiv's query API and RSS listings, one request every ``min_interval`` seconds.

    Args:
        http: the thread's HTTP client.
        base_url: ``Settings.effective().arxiv_url`` (``https://export.arxiv.org``); the API is
            ``{base}/api/query`` and the listings ``{base}/rss/<category>``.
        min_interval: seconds between requests (tests pass 0).
        page_size: results per query request.
    """

    def __init__(
        self,
        http: HttpClient,
        base_url: str = DEFAULT_ARXIV_URL,
        *,
        min_interval: float = ARXIV_MIN_INTERVAL_S,
        page_size: int = 100,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.limiter = RateLimiter(min_interval)
        self.page_size = max(1, min(int(page_size), MAX_RESULTS_PER_REQUEST))

    @classmethod
    def from_settings(cls, http: HttpClient, settings: Settings, **kwargs: Any) -> ArxivClient:
        return cls(http, settings.effective().arxiv_url, **kwargs)

    def _atom(self, params: Mapping[str, Any], cancel: CancelToken | None) -> ArxivFeed:
        resp = self.http.get(
            f"{self.base_url}/api/query", params, expect="xml", cancel=cancel, limiter=self.limiter
        )
        return parse_atom(resp.content, resp.host)

    def by_ids(self, ids: Iterable[str], cancel: CancelToken | None = None) -> list[PaperRecord]:
        """Latest metadata of the given papers, in the order asked; unknown ids are left out.

        Versions are dropped from the request so arXiv answers with the latest version (its
        number is in ``PaperRecord.version``); up to 100 ids go in one request.
        """
        wanted = normalize_ids(ids)
        found: dict[str, PaperRecord] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_REQUEST):
            check_cancel(cancel)
            batch = wanted[start : start + MAX_IDS_PER_REQUEST]
            feed = self._atom({"id_list": ",".join(batch), "max_results": len(batch)}, cancel)
            for record in feed.records:
                found[record.id] = record
        return [found[i] for i in wanted if i in found]

    def iter_query(
        self,
        search_query: str,
        start: int = 0,
        max_results: int = 100,
        *,
        sort_by: SortBy | None = None,
        sort_order: SortOrder | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[ArxivFeed]:
        """Yield an API query's hits one request (``page_size`` results) at a time.

        Validated before the first request. Stops after ``max_results``, at a short page or at
        arXiv's ``totalResults``.
        """
        text = str(search_query).strip()
        if not text:
            raise InvalidInputError("Type an arXiv query, e.g. ti:transformer AND cat:cs.LG.")
        if start < 0 or max_results < 1 or start + max_results > MAX_RESULTS_TOTAL:
            raise InvalidInputError(
                f"arXiv returns at most {MAX_RESULTS_TOTAL} results per query.",
                hint="Narrow the query or ask for fewer results.",
            )
        params: dict[str, Any] = {"search_query": text}
        if sort_by:
            params["sortBy"] = sort_by
        if sort_order:
            params["sortOrder"] = sort_order
        return self._query_pages(params, start, max_results, cancel)

    def _query_pages(
        self, params: dict[str, Any], start: int, max_results: int, cancel: CancelToken | None
    ) -> Iterator[ArxivFeed]:
        seen: set[str] = set()
        position = start
        while position < start + max_results:
            check_cancel(cancel)
            count = min(self.page_size, start + max_results - position)
            feed = self._atom({**params, "start": position, "max_results": count}, cancel)
            fresh = tuple(r for r in feed.records if r.id not in seen)
            seen.update(r.id for r in fresh)
            yield ArxivFeed(fresh, feed.total_results)
            position += count
            total = feed.total_results
            if len(feed.records) < count or (total is not None and position >= total):
                return

    def listing(self, category: str, cancel: CancelToken | None = None) -> ArxivListing:
        """Today's announcement of a category (``cs.LG``, or several joined by ``+``)."""
        text = str(category).strip()
        if not _CATEGORY_RE.match(text):
            raise InvalidInputError(
                f"{category!r} is not an arXiv category.", hint="Use e.g. cs.LG or cs.CL+cs.AI."
            )
        resp = self.http.get(
            f"{self.base_url}/rss/{text}", expect="xml", cancel=cancel, limiter=self.limiter
        )
        return parse_rss(resp.content, resp.host)
