"""From a bibliography entry to what the library stores: the paper's record, the entry as it
came, its authors' name parts, what is shown of its venue, and what identifies it.

Used by every importer (BibTeX, BibLaTeX, RIS and CSL-JSON all arrive as :class:`RawEntry`).

Cross-references are resolved as BibTeX and biber resolve them (:func:`resolve_references`):
a child inherits every field it lacks from the entry its ``crossref`` names (cascading, with
cycles broken), and a book-like parent's ``title`` becomes an ``in…`` child's ``booktitle``
(biber's default mapping) instead of the child's title. Entries named by ``xdata`` give all
their fields. Parents and ``@xdata`` entries are not papers of their own. A ``@set`` keeps its
``crossref`` (to its first member, biblatex's old convention) for biber to read.

Identity: the arXiv id comes from ``eprint`` (with ``archivePrefix``/``eprinttype`` arXiv or
none), an ``arxiv``/``arxivid`` field, an arxiv.org URL, ``arXiv:ID`` in ``journal``/``note``/
``howpublished`` (Google Scholar's style), DBLP's ``journal = {CoRR}, volume = {abs/ID}``, or an
arXiv DOI.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from desktop_app.bibtex.latex import _FOLD, decode
from desktop_app.bibtex.names import parse_names
from desktop_app.bibtex.parse import Problem, RawEntry
from desktop_app.domain import BibEntry, EntryWrite, PaperRecord, PersonName, split_version
from desktop_app.errors import InvalidInputError
from desktop_app.store.tags import check_new_tag_name, normalize_tag_name

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = {m: i for i, m in enumerate(MONTHS, 1)}

_ARXIV_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf)/([a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(v[0-9]+)?",
    re.I,
)
_ARXIV_TEXT_RE = re.compile(
    r"arxiv:\s*([a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(v[0-9]+)?", re.I
)
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_YEAR_RE = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")  # 99999 is no year (not 9999)

# Fields a child never inherits (biber's defaults).
_NOT_INHERITED = frozenset(
    [
        "ids",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "entrysubtype",
        "execute",
        "label",
        "options",
        "presort",
        "related",
        "relatedoptions",
        "relatedstring",
        "relatedtype",
        "shorthand",
        "shorthandintro",
        "sortkey",
    ]
)
_BOOKISH = frozenset(
    [
        "book",
        "mvbook",
        "collection",
        "mvcollection",
        "proceedings",
        "mvproceedings",
        "reference",
        "mvreference",
    ]
)
_PARTS = frozenset(
    [
        "inbook",
        "bookinbook",
        "suppbook",
        "incollection",
        "suppcollection",
        "inproceedings",
        "inreference",
        "conference",
    ]
)
# A book-like parent's title fields become the child's book title fields.
_BOOK_TITLE_MAP = {
    "title": "booktitle",
    "subtitle": "booksubtitle",
    "titleaddon": "booktitleaddon",
    "shorttitle": "",  # not inherited at all
}
# Where an entry says it was published, most specific first, per kind of entry.
_VENUE_FIELDS = {
    "article": ("journaltitle", "journal"),
    "phdthesis": ("school", "institution"),
    "mastersthesis": ("school", "institution"),
    "thesis": ("institution", "school"),
    "techreport": ("institution", "school"),
    "report": ("institution", "school"),
    "book": ("publisher",),
    "mvbook": ("publisher",),
    "misc": ("howpublished", "journal", "booktitle", "publisher", "organization"),
    "online": ("organization", "publisher", "howpublished"),
}
_DEFAULT_VENUE = ("journaltitle", "journal", "booktitle", "publisher", "howpublished")


# ----------------------------------------------------------------------------- references


def _problem(entry: RawEntry, message: str) -> Problem:
    return Problem(entry.line, message, entry.unit)


def resolve_references(entries: list[RawEntry], problems: list[Problem]) -> list[RawEntry]:
    """The entries that are papers, with ``crossref`` and ``xdata`` resolved (see module)."""
    by_key: dict[str, RawEntry] = {}
    for e in entries:
        if e.key:
            by_key.setdefault(e.key.casefold(), e)  # a repeated key: BibTeX uses the first
    for e in entries:
        for alias in split_keys(e.get("ids") or ""):  # biber resolves a crossref to an alias
            by_key.setdefault(alias.casefold(), e)
    parents: set[str] = set()
    for e in entries:
        target = e.get("crossref")
        if target and target.strip().casefold() in by_key and e.type != "set":
            parents.add(target.strip().casefold())
    resolved: dict[int, RawEntry] = {}

    def resolve(entry: RawEntry, chain: tuple[str, ...]) -> RawEntry:
        key = entry.key.casefold()
        if id(entry) in resolved:
            return resolved[id(entry)]
        own = list(entry.fields)
        names = {n.lower() for n, _ in own}
        out = [(n, v) for n, v in own if n.lower() not in ("crossref", "xdata")]
        for ref in split_keys(entry.get("xdata") or ""):
            source = by_key.get(ref.casefold())
            if source is None or source.type != "xdata":
                problems.append(
                    _problem(entry, f"xdata {ref!r} of {entry.key!r} names no @xdata entry")
                )
                out.append(("xdata", ref))
                continue
            for n, v in resolve(source, (*chain, key)).fields:
                low = n.lower()
                if low not in names and low not in _NOT_INHERITED:
                    out.append((n, v))
                    names.add(low)
        # A @set names its first member with crossref (biblatex's old convention): that is
        # no parent, and biber reads it itself.
        target = (entry.get("crossref") or "").strip() if entry.type != "set" else ""
        if entry.type == "set" and entry.get("crossref"):
            out.append(next((n, v) for n, v in own if n.lower() == "crossref"))
        if target:
            parent = by_key.get(target.casefold())
            if parent is None:
                problems.append(
                    _problem(
                        entry,
                        f"the crossref {target!r} of {entry.key!r} names no entry in the file; "
                        "left out (BibTeX would stop at it)",
                    )
                )
            elif target.casefold() in chain or target.casefold() == key:
                problems.append(
                    _problem(entry, f"the crossref {target!r} of {entry.key!r} is circular")
                )
            else:
                inherited = resolve(parent, (*chain, key))
                mapped = parent.type in _BOOKISH and entry.type in _PARTS
                own_book_fields = {n.lower() for n, _ in inherited.fields} & {
                    v for v in _BOOK_TITLE_MAP.values() if v
                }
                for n, v in inherited.fields:
                    low = n.lower()
                    if low in _NOT_INHERITED:
                        continue
                    if mapped and _BOOK_TITLE_MAP.get(low) in own_book_fields:
                        continue  # the parent names its book title itself (BibTeX style)
                    if mapped and low in _BOOK_TITLE_MAP:
                        n = low = _BOOK_TITLE_MAP[low]
                        if not n:
                            continue
                    if low not in names:
                        out.append((n, v))
                        names.add(low)
        done = RawEntry(entry.type, entry.key, out, entry.line, entry.unit)
        resolved[id(entry)] = done
        return done

    # A parent is no paper of its own, unless it is in a loop of crossrefs (then BibTeX
    # cannot tell parent from child either, and each is kept).
    parent_entries = {id(by_key[p]) for p in parents if p in by_key and not _in_loop(by_key, p)}
    papers = []
    for e in entries:
        if e.type == "xdata" or id(e) in parent_entries:
            continue
        papers.append(resolve(e, ()))
    return papers


def _in_loop(by_key: dict[str, RawEntry], start: str) -> bool:
    seen = {start}
    key = start
    while True:
        entry = by_key.get(key)
        target = ((entry.get("crossref") or "").strip().casefold()) if entry else ""
        if not target or target not in by_key:
            return False
        if target in seen:
            return target == start
        seen.add(target)
        key = target


def split_keys(value: str) -> list[str]:
    """The keys of a comma-separated list field (``ids``, ``xdata``)."""
    return [k.strip() for k in value.split(",") if k.strip()]


# ----------------------------------------------------------------------------- identity

# Kinds of work: two entries of different kinds are different works even when their title,
# first author and year agree (a thesis and the article made of it; a book and its chapter).
# Versions of a paper (preprint, report, proceedings, journal) are one kind.
_KINDS = {
    **dict.fromkeys(["book", "mvbook", "collection", "proceedings", "manual", "booklet"], "book"),
    **dict.fromkeys(["inbook", "incollection", "bookinbook", "inreference"], "chapter"),
    **dict.fromkeys(["phdthesis", "mastersthesis", "thesis"], "thesis"),
    **dict.fromkeys(["software", "dataset", "patent", "set", "xdata"], "other"),
}


def kind_of_work(entry_type: str | None) -> str:
    """``paper``, ``book``, ``chapter``, ``thesis`` or ``other`` ("paper" without a type)."""
    return _KINDS.get(entry_type or "", "paper")


def _arxiv_from(fields: dict[str, str]) -> tuple[str | None, int | None]:
    def split(candidate: str) -> tuple[str | None, int | None]:
        candidate = re.sub(r"^arxiv:\s*", "", candidate.strip(), flags=re.I)
        try:
            return split_version(candidate)
        except ValueError:
            return None, None

    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().casefold()
    eprint = fields.get("eprint", "")
    if eprint and prefix in ("", "arxiv"):
        found = split(eprint)
        if found[0]:
            return found
    for name in ("arxiv", "arxivid", "arxiv_id"):
        if fields.get(name):
            found = split(fields[name])
            if found[0]:
                return found
    for name in ("url", "howpublished", "note", "journal", "pdf"):
        text = fields.get(name, "")
        m = _ARXIV_URL_RE.search(text) or _ARXIV_TEXT_RE.search(text)
        if m:
            found = split(m.group(1) + (m.group(2) or ""))
            if found[0]:
                return found
    if fields.get("journal", "").strip().casefold() == "corr":
        volume = fields.get("volume", "").strip()
        if volume.startswith("abs/"):
            found = split(volume[4:])
            if found[0]:
                return found
    m = _ARXIV_DOI_RE.match(DOI_PREFIX_RE.sub("", fields.get("doi", "").strip()))
    if m:
        return split(m.group(1))
    return None, None


def doi_key(doi: str | None) -> str | None:
    """A DOI as compared: without its resolver prefix, case-folded."""
    return DOI_PREFIX_RE.sub("", doi.strip()).casefold() if doi and doi.strip() else None


_NOT_ALNUM_RE = re.compile(r"[\W_]+")  # everything but letters and digits (marks too)


@lru_cache(maxsize=65536)
def normalize_title(title: str) -> str:
    """Letters and digits only, accents and case folded: how titles are compared."""
    return _NOT_ALNUM_RE.sub("", unicodedata.normalize("NFKD", title)).casefold()


def fold_name(name: str) -> str:
    """A family name as compared: ASCII letters, lower case (``Müller`` = ``Muller``)."""
    out = []
    for ch in unicodedata.normalize("NFKD", name):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
        elif ch in _FOLD:
            out.append(_FOLD[ch].lower())
        elif ch.isalnum():
            out.append(ch.casefold())
    return "".join(out)


def month_number(text: str) -> int | None:
    text = text.strip().rstrip(".").casefold()
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return _MONTH_NAMES.get(text[:3]) if len(text) >= 3 else None


def entry_dates(fields: dict[str, str]) -> tuple[int | None, date | None]:
    """``(year, full date or None)`` from ``date`` (biblatex) or ``year``/``month``/``day``."""
    year = month = day = None
    m = re.match(
        r"^([0-9]{4})(?![0-9])(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?",
        fields.get("date", "").strip(),
    )
    if m:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    ym = _YEAR_RE.search(fields.get("year", ""))
    if ym:
        year = int(ym.group())
    if fields.get("month"):
        month = month_number(decode(fields["month"])) or month
    if fields.get("day", "").strip().isdigit():
        day = int(fields["day"].strip())
    published = None
    if year and month and 1 <= month <= 12:
        try:
            published = date(year, month, day or 1)
        except ValueError:
            published = date(year, month, 1)
    return year, published


def entry_tags(fields: dict[str, str]) -> list[str]:
    out: list[str] = []
    for name in ("keywords", "groups"):
        for part in re.split(r"[,;]", decode(fields.get(name, ""))):
            try:
                tag = normalize_tag_name(part)
                check_new_tag_name(tag)
            except InvalidInputError:
                continue  # nothing usable, or a paragraph rather than a name
            out.append(tag)
    return list(dict.fromkeys(out))


# ----------------------------------------------------------------------------- conversion


@dataclass
class Converted:
    """One entry, ready to be stored (its paper id is decided when it is matched)."""

    key: str
    line: int
    title: str  # shown
    entry: BibEntry
    authors: tuple[PersonName, ...]
    arxiv_id: str | None = None
    version: int | None = None
    doi: str | None = None
    year: int | None = None
    published: date | None = None
    abstract: str | None = None
    primary_category: str | None = None
    venue: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    tags: list[str] = field(default_factory=list)
    untitled: bool = False
    unit: str = "line"  # what ``line`` counts ("item" for CSL-JSON)

    @property
    def first_family(self) -> str:
        if not self.authors:
            return ""
        first = self.authors[0]
        return fold_name(first.family or first.literal)

    def record(self, paper_id: str) -> PaperRecord:
        people = tuple(p for p in self.authors if not p.is_others)
        return PaperRecord(
            id=paper_id,
            title=self.title,
            abstract=self.abstract,
            authors=tuple(p.display for p in people),
            author_parts=people,
            published=self.published,
            year=self.year,
            doi=self.doi,
            primary_category=self.primary_category if self.arxiv_id else None,
            version=self.version,
            source="bibtex",
        )

    def write(self, entry: BibEntry | None = None) -> EntryWrite:
        return EntryWrite(
            entry=entry or self.entry,
            venue=self.venue,
            volume=self.volume,
            number=self.number,
            pages=self.pages,
        )


def _plain(value: str | None) -> str | None:
    text = decode(value) if value else ""
    return text or None


def convert(entry: RawEntry, problems: list[Problem]) -> Converted:
    """What the library stores of one (resolved) entry."""
    fields: dict[str, str] = {}
    for n, v in entry.fields:
        fields.setdefault(n.lower(), v)
    people, name_problems = parse_names(fields.get("author", ""))
    if not people and fields.get("editor"):
        people, more = parse_names(fields["editor"])
        name_problems += more
    for message in dict.fromkeys(name_problems):
        problems.append(_problem(entry, message))
    arxiv_id, version = _arxiv_from(fields)
    doi = DOI_PREFIX_RE.sub("", fields.get("doi", "").strip())
    if "\\" in doi:
        doi = decode(doi)
    year, published = entry_dates(fields)
    title = decode(fields.get("title", ""))
    untitled = not title
    if untitled:
        fallback = next(
            (decode(fields[n]) for n in ("booktitle", "howpublished", "note") if fields.get(n)),
            "",
        )
        title = " ".join(fallback.split())[:200] or f"({entry.key or entry.type})"
    venue_fields = _VENUE_FIELDS.get(entry.type, _DEFAULT_VENUE)
    venue = next((_plain(fields[n]) for n in venue_fields if fields.get(n)), None)
    if entry.type in ("inproceedings", "incollection", "inbook", "conference"):
        venue = _plain(fields.get("booktitle")) or venue
    if (venue and venue.casefold() == "corr") or (
        arxiv_id and venue and "arxiv" in venue.casefold()
    ):
        venue = None  # DBLP's and Scholar's way of saying "arXiv preprint"
    return Converted(
        key=entry.key,
        line=entry.line,
        title=" ".join(title.split()),
        entry=BibEntry(entry.type, tuple(entry.fields)),
        authors=people,
        arxiv_id=arxiv_id,
        version=version,
        doi=doi or None,
        year=year,
        published=published,
        abstract=_plain(fields.get("abstract")),
        primary_category=(fields.get("primaryclass") or fields.get("eprintclass") or "").strip()
        or None,
        venue=venue,
        volume=_plain(fields.get("volume")) if venue else None,
        number=_plain(fields.get("number") or fields.get("issue")) if venue else None,
        pages=_plain(fields.get("pages")),
        tags=entry_tags(fields),
        untitled=untitled,
        unit=entry.unit,
    )
