"""Plain, frozen data handed between layers.

The store, the sources and the services exchange these dataclasses; no peewee rows,
``requests`` objects or Qt types cross a layer boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

# New-style ids (0704.0001 … 2401.12345) and old-style ids (hep-th/9901001, math.GT/0309136).
# ASCII digits only ("\d" would take full-width ones); versions start at 1.
NEW_ID_RE = re.compile(r"^(([0-9]{2})([0-9]{2})\.([0-9]{4,5}))(?:v([1-9][0-9]*))?$", re.ASCII)
OLD_ID_RE = re.compile(
    r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/([0-9]{2})([0-9]{2})[0-9]{3})(?:v([1-9][0-9]*))?$", re.ASCII
)
LOCAL_ID_PREFIX = "local:"
FIVE_DIGITS_FROM = (15, 1)  # arXiv numbers have five digits from January 2015 (1501.00001)


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """Return ``(id_without_version, version or None)`` for an arXiv id, or raise ValueError.

    Checks what arXiv's scheme allows: a real month, four digits after the dot before 2015
    and five from then on (``1412.69800`` is no id), old-style numbers before April 2007.
    """
    text = arxiv_id.strip()
    m = NEW_ID_RE.match(text)
    if m:
        yy, mm, number = int(m.group(2)), int(m.group(3)), m.group(4)
        digits = 5 if (yy, mm) >= FIVE_DIGITS_FROM else 4
        if 1 <= mm <= 12 and (yy, mm) >= (7, 4) and len(number) == digits:
            return m.group(1), int(m.group(5)) if m.group(5) else None
        raise ValueError(f"not an arXiv id: {arxiv_id!r}")
    m = OLD_ID_RE.match(text)
    if m and 1 <= int(m.group(3)) <= 12:
        return m.group(1), int(m.group(4)) if m.group(4) else None
    raise ValueError(f"not an arXiv id: {arxiv_id!r}")


def is_arxiv_id(text: str) -> bool:
    """True when ``text`` is a bare arXiv id (with or without a version)."""
    try:
        split_version(text)
    except ValueError:
        return False
    return True


def hf_url(paper_id: str) -> str | None:
    return (
        None
        if paper_id.startswith(LOCAL_ID_PREFIX)
        else f"https://huggingface.co/papers/{paper_id}"
    )


def arxiv_url(paper_id: str) -> str | None:
    return None if paper_id.startswith(LOCAL_ID_PREFIX) else f"https://arxiv.org/abs/{paper_id}"


def pdf_url(paper_id: str) -> str | None:
    return None if paper_id.startswith(LOCAL_ID_PREFIX) else f"https://arxiv.org/pdf/{paper_id}"


# Which source is trusted for a paper's bibliographic fields (title, abstract, authors, dates,
# arXiv metadata), highest first. arXiv's API is the authority; Hugging Face copies it; an
# arXiv RSS listing dates papers by their announcement day, not their submission; a .bib file
# is whatever someone typed. A record from a lower source only fills what is missing, so
# alternating fetches from two sources never flip a field back and forth.
SOURCE_RANKS = {"arxiv": 3, "hf": 2, "unknown": 2, "rss": 1, "bibtex": 0}


@dataclass(frozen=True)
class PaperRecord:
    """What a source knows about a paper. ``None`` means "this source does not say".

    A refetch merges a record into the stored paper field by field: a ``None`` never erases
    what another source said, a source ranked below the one that wrote the paper's
    bibliographic fields only fills gaps in them (:data:`SOURCE_RANKS`), and user state
    (tags, notes, read/starred/saved) is not part of a record at all.
    """

    id: str  # arXiv id without version, or "local:…" for papers known only from a .bib file
    title: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None  # first version (v1) date
    updated: date | None = None  # date of the latest version
    # Hugging Face
    upvotes: int | None = None
    comments: int | None = None
    organization: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] | None = None
    num_models: int | None = None
    num_datasets: int | None = None
    num_spaces: int | None = None
    # arXiv
    categories: tuple[str, ...] | None = None
    primary_category: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    arxiv_comment: str | None = None
    version: int | None = None
    # BibTeX import may know a year but no full date
    year: int | None = None
    source: str = "unknown"  # a key of SOURCE_RANKS
    # A bibliography's name parts of ``authors`` (same order); None: not given
    author_parts: tuple[PersonName, ...] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PersonName:
    """A name in BibTeX's parts, decoded to Unicode: given ("first"), von, family ("last"),
    jr; or ``literal``, a name kept whole (an organisation such as "Gemini Team", or "others"
    for BibTeX's "and others")."""

    family: str = ""
    given: str = ""
    von: str = ""
    jr: str = ""
    literal: str = ""

    @property
    def is_others(self) -> bool:
        return self.literal == "others"

    @property
    def display(self) -> str:
        """ "Given von Family Jr" (arXiv's form of a name), or the literal name."""
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.given, self.von, self.family, self.jr) if p)


@dataclass(frozen=True)
class BibEntry:
    """A bibliography entry as it came from a file (or a lookup): its type and every field as
    LaTeX source, in the file's order, and the keys of entries merged into it (exported as
    ``ids``). Fetched papers without one get theirs made from their columns on export."""

    type: str  # lower case: article, inproceedings, online…
    fields: tuple[tuple[str, str], ...]  # (name as written, LaTeX value)
    aliases: tuple[str, ...] = ()

    def get(self, name: str) -> str | None:
        """The value of the field ``name`` (give it in lower case: names are
        case-insensitive)."""
        for n, v in self.fields:
            if n.lower() == name:
                return v
        return None

    def names(self) -> tuple[str, ...]:
        """The fields' names, lower case."""
        return tuple(n.lower() for n, _ in self.fields)


@dataclass(frozen=True)
class PublishedVersion:
    """Where a preprint was published, as last looked up: ``entry`` holds the type and the
    venue fields (journal or booktitle, volume, number, pages, publisher, year, DOI) of the
    record ``record`` (DBLP's key); None when nothing was found as of ``checked``."""

    checked: str
    record: str | None = None
    entry: BibEntry | None = None


@dataclass(frozen=True)
class EntryWrite:
    """What an import stores for a paper besides its record: the entry as it came, and what
    is shown of its venue (decoded). (Its authors' name parts go with the record.)"""

    entry: BibEntry
    venue: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None


@dataclass(frozen=True)
class DailyAppearance:
    """The paper ``paper_id`` was on Hugging Face's list of ``day`` at ``rank`` (1-based)."""

    paper_id: str
    day: date
    rank: int


@dataclass(frozen=True)
class Paper:
    """A stored paper with the user's state and tags."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: date | None
    updated: date | None = None
    # Hugging Face's counts; None: unknown (a paper known only from arXiv or a file), not 0
    upvotes: int | None = None
    comments: int | None = None
    organization: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    num_models: int | None = None
    num_datasets: int | None = None
    num_spaces: int | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    arxiv_comment: str | None = None
    version: int | None = None
    year: int | None = None
    cite_key: str | None = None
    # from an entry imported from a bibliography (entry_type is set only then)
    entry_type: str | None = None
    venue: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    first_seen: str = ""
    last_fetched: str = ""
    # user state
    read: bool = False
    starred: bool = False
    saved: bool = False
    note: str = ""
    tags: tuple[str, ...] = ()
    # the most recent Hugging Face daily list the paper was on
    daily_day: date | None = None
    daily_rank: int | None = None
    rowid: int = field(default=0, compare=False)

    @property
    def hf_url(self) -> str | None:
        return hf_url(self.id)

    @property
    def arxiv_url(self) -> str | None:
        return arxiv_url(self.id)

    @property
    def pdf_url(self) -> str | None:
        return pdf_url(self.id)

    @property
    def is_local(self) -> bool:
        return self.id.startswith(LOCAL_ID_PREFIX)

    @property
    def on_hugging_face(self) -> bool:
        """Whether Hugging Face lists the paper, as the library knows it: it was on a daily
        list, or Hugging Face gave its upvote count (a paper known only from arXiv or a
        bibliography has none: unknown, not 0)."""
        if self.is_local:
            return False
        return self.daily_day is not None or self.upvotes is not None

    @property
    def shown_year(self) -> int | None:
        """The year to show: of the first version's date, else the entry's year."""
        return self.published.year if self.published else self.year

    @property
    def citation(self) -> str:
        """Where it was published, as one line: "Venue 12(3), pp. 45–67" (or the arXiv
        journal reference), "" when nothing says."""
        if not self.venue:
            return self.journal_ref or ""
        text = self.venue
        if self.volume:
            text += f" {self.volume}" + (f"({self.number})" if self.number else "")
        elif self.number:
            text += f", no. {self.number}"
        if self.pages:
            text += f", {'pp.' if '-' in self.pages or '–' in self.pages else 'p.'} {self.pages}"
        return text


@dataclass(frozen=True)
class PaperSnapshot:
    """Everything stored about some papers, as their rows were when it was taken (before a
    delete, or around an import), so that :meth:`Repository.restore_papers` can put them
    back (undo, redo)."""

    columns: tuple[str, ...]  # of the paper table, without its row id
    papers: tuple[tuple[Any, ...], ...]  # one row per paper, in ``columns`` order
    # (paper id, position, name, given, family, von, jr, literal)
    authors: tuple[tuple[Any, ...], ...]
    tags: tuple[tuple[str, str, str | None, str], ...]  # (paper id, tag, tag colour, added)
    states: tuple[tuple[str, int, int, int, str, str], ...]  # (id, read, starred, saved, …)
    appearances: tuple[tuple[str, str, int], ...]  # (paper id, day, rank)
    fields: tuple[tuple[str, int, str, str], ...] = ()  # (paper id, position, name, value)
    aliases: tuple[tuple[str, str], ...] = ()  # (paper id, key)
    # The cached PDF's record, without its text: (paper id, version, file, size, sha256,
    # downloaded, last read, last page). A restore brings it back with its text to extract.
    pdfs: tuple[tuple[Any, ...], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        index = self.columns.index("paper_id")
        return tuple(row[index] for row in self.papers)

    def updated_with(self, newer: PaperSnapshot) -> PaperSnapshot:
        """This snapshot with ``newer``'s rows for the papers ``newer`` holds (so an empty
        ``newer`` loses nothing)."""
        ids = set(newer.ids)
        index = self.columns.index("paper_id")

        def keep(rows: tuple[tuple[Any, ...], ...], at: int = 0) -> tuple[tuple[Any, ...], ...]:
            return tuple(r for r in rows if r[at] not in ids)

        return PaperSnapshot(
            columns=self.columns,
            papers=keep(self.papers, index) + newer.papers,
            authors=keep(self.authors) + newer.authors,
            tags=keep(self.tags) + newer.tags,
            states=keep(self.states) + newer.states,
            appearances=keep(self.appearances) + newer.appearances,
            fields=keep(self.fields) + newer.fields,
            aliases=keep(self.aliases) + newer.aliases,
            pdfs=keep(self.pdfs) + newer.pdfs,
        )


@dataclass(frozen=True)
class AutoExport:
    """A file kept up to date with the papers of a tag (with its sub-tags), a search, or —
    neither given — the whole library (saved papers); a search is within the library too."""

    path: str
    tag: str | None = None
    query: str = ""
    format: str = "bibtex"
    created: str = ""
    written: str | None = None  # when the file was last rewritten
    entries: int | None = None  # how many entries it then held
    error: str | None = None  # why the last attempt failed, if it did

    @property
    def feed_query(self) -> FeedQuery:
        return FeedQuery(
            tags=(self.tag,) if self.tag else (),
            text=self.query,
            saved=not self.tag,
            sort=Sort.DATE,
        )

    @property
    def scope(self) -> str:
        """What it holds, in words."""
        parts = []
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.query:
            parts.append(f"search {self.query!r}")
        return " and ".join(parts) if parts else "the library"


@dataclass(frozen=True)
class Tag:
    name: str
    color: str | None = None
    count: int = 0
    unread: int = 0
    favourite: int | None = None  # its key (1–9) when it is a favourite


class Sort(StrEnum):
    DATE = "date"  # newest first
    UPVOTES = "upvotes"  # most upvoted first
    RANK = "rank"  # Hugging Face daily rank (day newest first, then rank)
    # Full-text relevance with a text query; for a list of ids without one (a remote search
    # result, the trending list), the list's own order: the source's ranking.
    RELEVANCE = "relevance"


@dataclass(frozen=True)
class FeedQuery:
    """Which papers a view shows and in which order. All filters combine with AND."""

    tags: tuple[str, ...] = ()  # each includes its sub-tags
    tag_mode: str = "all"  # "all" or "any" of ``tags``
    text: str = ""
    date_from: date | None = None  # on published date, or the daily day with ``daily_only``
    date_to: date | None = None
    daily_only: bool = False  # only papers that appeared on an HF daily list in the date range
    unread: bool = False
    starred: bool = False
    saved: bool = False
    ids: tuple[str, ...] | None = None  # restrict to these papers (e.g. a remote search result)
    sort: Sort = Sort.DATE
    author: str = ""  # papers with an author of this name (case and accents as written)
    organization: str = ""  # papers of this organization (case-insensitive)


@dataclass(frozen=True)
class SavedSearch:
    """A query saved by name: a smart view of its own, which can be followed.

    ``days``: only papers published in the last ``days`` days (None: any time).
    """

    name: str
    text: str = ""
    tags: tuple[str, ...] = ()
    tag_mode: str = "all"  # papers with "all" or "any" of ``tags``
    unread: bool = False
    starred: bool = False
    saved: bool = False
    days: int | None = None
    sort: Sort = Sort.DATE
    id: int | None = None

    def feed_query(self, today: date) -> FeedQuery:
        start = today - timedelta(days=self.days - 1) if self.days else None
        return FeedQuery(
            text=self.text,
            tags=self.tags,
            tag_mode=self.tag_mode,
            unread=self.unread,
            starred=self.starred,
            saved=self.saved,
            date_from=start,
            date_to=today if start else None,
            sort=self.sort,
        )

    def describe(self) -> str:
        """The query in words: ``"diffusion" · tags llm, rl (any) · unread · last 7 days``."""
        parts = [f"“{self.text}”"] if self.text.strip() else []
        if self.tags:
            mode = " (any)" if self.tag_mode == "any" and len(self.tags) > 1 else ""
            parts.append(f"tag{'s' if len(self.tags) > 1 else ''} {', '.join(self.tags)}{mode}")
        parts += [flag for flag in ("unread", "starred", "saved") if getattr(self, flag)]
        if self.days:
            parts.append(f"last {self.days} day{'s' if self.days != 1 else ''}")
        return " · ".join(parts) or "every paper"


FOLLOW_KINDS = ("search", "tag", "author", "org")


@dataclass(frozen=True)
class Follow:
    """A followed item: ``kind`` is search, tag, author or org; ``target`` names it (the
    saved search, the tag, the author, the organization). ``new``: papers found new to it
    that the user has not looked at yet."""

    id: int
    kind: str
    target: str
    created: str = ""
    checked: str = ""
    new: int = 0

    @property
    def label(self) -> str:
        return {"search": "Search", "tag": "Tag", "author": "Author", "org": "Organization"}[
            self.kind
        ] + f" {self.target}"


@dataclass(frozen=True)
class PageResult:
    papers: tuple[Paper, ...]
    cursor: tuple[Any, ...] | None  # pass back to get the next page; None at the end


@dataclass(frozen=True)
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged
