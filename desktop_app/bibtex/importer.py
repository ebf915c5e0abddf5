"""BibTeX in: parse with bibtexparser v2, turn entries into papers, merge duplicates.

All or nothing. A file bibtexparser cannot read cleanly (a failed block, an unbalanced brace,
a key or a field given twice, an author list it cannot split, stray braces between entries)
raises :class:`BibTeXError` naming the first bad line, and nothing is imported. A well-formed
entry that cannot become a paper (it has no title) is reported as ``failed`` and the rest is
imported. Everything is written in one transaction, so an error half-way leaves the library as
it was.

Identity: the arXiv id comes from ``eprint`` (with ``archivePrefix`` arXiv or none), an
``arxiv``/``arxivid`` field, an arxiv.org URL, ``arXiv:ID`` in ``journal``/``note``/
``howpublished`` (Google Scholar's style), DBLP's ``journal = {CoRR}, volume = {abs/ID}``, or an
arXiv DOI. Without one the paper gets a local id ``local:<citekey>``.

Duplicates: an entry is the same paper as one in the library (or earlier in the file) when the
arXiv id matches, else the DOI (case-insensitively), else the normalised title (letters and
digits only, case- and accent-folded) — provided nothing contradicts it: a different arXiv id, a
different DOI, or years more than one apart.

Merge rule: a merge only ever *adds*. Fields the library already has (title, authors, abstract,
dates, DOI, journal reference, category) are kept, since fetched metadata is richer and the user
may have corrected it; the entry fills only empty ones. Tags from ``keywords``/``groups`` (and
the ``tag`` argument) are added, never removed; the entry's citation key is stored only for a
paper that has none and only if no other paper uses it (keys never change). Imported papers are
saved to the library. An entry that would add nothing is ``skipped``.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)

from desktop_app.bibtex.export import MONTHS
from desktop_app.bibtex.keys import VALID_KEY_RE
from desktop_app.bibtex.latex import decode, join_names
from desktop_app.domain import LOCAL_ID_PREFIX, Paper, PaperRecord, split_version
from desktop_app.errors import BibTeXError, InvalidInputError
from desktop_app.store.tags import check_new_tag_name, normalize_tag_name

if TYPE_CHECKING:
    from desktop_app.store import Repository

Action = Literal["new", "merged", "skipped", "failed"]

_ARXIV_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf)/([a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(v[0-9]+)?",
    re.I,
)
_ARXIV_TEXT_RE = re.compile(
    r"arxiv:\s*([a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(v[0-9]+)?", re.I
)
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_YEAR_RE = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")  # 99999 is no year (not 9999)
_MONTH_NAMES = {m: i for i, m in enumerate(MONTHS, 1)}


@dataclass(frozen=True)
class ImportEntry:
    """What happens (or would happen, in a dry run) to one entry of the file."""

    key: str
    line: int  # 1-based line of the entry in the file
    title: str
    action: Action
    paper_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class ImportReport:
    """Counts per action, and every entry with its action (for the GUI's preview)."""

    new: int
    merged: int
    skipped: int
    failed: int
    entries: tuple[ImportEntry, ...]
    dry_run: bool = False


@dataclass
class _Parsed:
    """An entry's paper data, decoded to Unicode."""

    key: str
    line: int
    title: str
    arxiv_id: str | None = None
    version: int | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    published: date | None = None
    journal_ref: str | None = None
    abstract: str | None = None
    primary_category: str | None = None
    tags: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- parsing


MAX_FILE_BYTES = 100 * 1024 * 1024  # far above any real bibliography; /dev/zero is not one


def read_bib_file(path: str | os.PathLike[str]) -> str:
    """The text of a .bib file, or BibTeXError saying why it cannot be one (a folder, a device,
    a missing or huge file, text that is not UTF-8)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BibTeXError(f"There is no file {path}.", hint="Check the name.") from None
    except OSError as exc:
        raise BibTeXError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise BibTeXError(f"{path} is a folder, not a BibTeX file.")
    if not stat.S_ISREG(info.st_mode):
        raise BibTeXError(
            f"{path} is not a regular file.", hint="Give a .bib file, or - for standard input."
        )
    if info.st_size > MAX_FILE_BYTES:
        raise BibTeXError(
            f"{path} is {info.st_size / 2**20:.0f} MB; the largest BibTeX file this imports is "
            f"{MAX_FILE_BYTES // 2**20} MB.",
            hint="Is it the right file? Split it if it really is a bibliography.",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BibTeXError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return decode_bib_bytes(data, path.name)


def decode_bib_bytes(data: bytes, name: str) -> str:
    """Bytes of a .bib file (or standard input) as text: UTF-8, with or without a BOM."""
    if len(data) > MAX_FILE_BYTES:
        raise BibTeXError(
            f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; that is not a bibliography."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BibTeXError(
            f"{name}, line {line}: the file is not UTF-8 text.",
            hint="Save it as UTF-8 (most reference managers can) and import it again.",
        ) from exc


def _failure_reason(block: ParsingFailedBlock) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        prev = block.previous_block.start_line
        where = f" (first at line {prev + 1})" if prev is not None else ""
        return f"the key {block.key!r} is used twice{where}"
    if isinstance(block, DuplicateFieldKeyBlock):
        return "the field " + ", ".join(sorted(block.duplicate_keys)) + " appears twice"
    if isinstance(block, MiddlewareErrorBlock):
        return " ".join(str(block.error).split())
    if isinstance(block.error, BlockAbortedException):
        return " ".join(block.error.abort_reason.split()).rstrip(".")
    return " ".join(str(block.error).split()) or "the entry cannot be read"


def parse_entries(text: str) -> list[Entry]:
    """The entries of a .bib text, or BibTeXError naming the first line that is malformed."""
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    problems: list[tuple[int, str]] = []
    for failed in library.failed_blocks:
        problems.append(((failed.start_line or 0) + 1, _failure_reason(failed)))
    for block in library.blocks:
        if isinstance(block, ImplicitComment):
            # BibTeX ignores text between entries, but braces there mean an entry was
            # closed too early or something is unbalanced: better to stop than to guess.
            for offset, line in enumerate(block.comment.splitlines()):
                if not line.lstrip().startswith("%") and ("{" in line or "}" in line):
                    problems.append(
                        ((block.start_line or 0) + offset + 1, "unbalanced braces outside an entry")
                    )
                    break
    if problems:
        problems.sort()
        first_line, reason = problems[0]
        more = f" ({len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise BibTeXError(
            f"Line {first_line} of the BibTeX file: {reason}{more}.",
            hint="Nothing was imported; fix the file and import it again.",
        )
    return library.entries


def _value(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _arxiv_from(fields: dict[str, Any]) -> tuple[str | None, int | None]:
    def split(candidate: str) -> tuple[str | None, int | None]:
        candidate = re.sub(r"^arxiv:\s*", "", candidate.strip(), flags=re.I)
        try:
            return split_version(candidate)
        except ValueError:
            return None, None

    prefix = _value(fields, "archiveprefix").strip().casefold()
    eprint = _value(fields, "eprint")
    if eprint and prefix in ("", "arxiv"):
        found = split(eprint)
        if found[0]:
            return found
    for name in ("arxiv", "arxivid", "arxiv_id"):
        if _value(fields, name):
            found = split(_value(fields, name))
            if found[0]:
                return found
    for name in ("url", "howpublished", "note", "journal", "pdf"):
        text = _value(fields, name)
        m = _ARXIV_URL_RE.search(text) or _ARXIV_TEXT_RE.search(text)
        if m:
            found = split(m.group(1) + (m.group(2) or ""))
            if found[0]:
                return found
    if _value(fields, "journal").strip().casefold() == "corr":
        volume = _value(fields, "volume").strip()
        if volume.startswith("abs/"):
            found = split(volume[4:])
            if found[0]:
                return found
    m = _ARXIV_DOI_RE.match(_DOI_PREFIX_RE.sub("", _value(fields, "doi").strip()))
    if m:
        return split(m.group(1))
    return None, None


def _month(text: str) -> int | None:
    text = text.strip().rstrip(".").casefold()
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return _MONTH_NAMES.get(text[:3]) if len(text) >= 3 else None


def _dates(fields: dict[str, Any]) -> tuple[int | None, date | None]:
    year = month = day = None
    iso = _value(fields, "date").strip()
    m = re.match(r"^([0-9]{4})(?![0-9])(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", iso)
    if m:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    ym = _YEAR_RE.search(_value(fields, "year"))
    if ym:
        year = int(ym.group())
    if _value(fields, "month"):
        month = _month(_value(fields, "month")) or month
    if _value(fields, "day").strip().isdigit():
        day = int(_value(fields, "day").strip())
    published = None
    if year and month:
        try:
            published = date(year, month, day or 1)
        except ValueError:
            published = date(year, month, 1)
    return year, published


def _journal_ref(fields: dict[str, Any]) -> str | None:
    journal = decode(_value(fields, "journal"))
    if journal and journal.casefold() != "corr" and "arxiv" not in journal.casefold():
        ref = journal
        volume = decode(_value(fields, "volume"))
        number = decode(_value(fields, "number"))
        pages = decode(_value(fields, "pages"))
        year = _YEAR_RE.search(_value(fields, "year"))
        if volume:
            ref += f" {volume}"
        if number:
            ref += f" ({number})"
        if pages:
            ref += f", {pages}"
        if (volume or pages) and year:
            ref += f" ({year.group()})"
        return ref
    booktitle = decode(_value(fields, "booktitle"))
    return booktitle or None


def _tags(fields: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name in ("keywords", "groups"):
        for part in re.split(r"[,;]", decode(_value(fields, name))):
            try:
                tag = normalize_tag_name(part)
                check_new_tag_name(tag)
            except InvalidInputError:
                continue  # nothing usable, or a paragraph rather than a name
            out.append(tag)
    return list(dict.fromkeys(out))


def _person(parts: NameParts) -> str:
    return join_names(
        tuple(decode(" ".join(p)) for p in (parts.first, parts.von, parts.last, parts.jr))  # type: ignore[arg-type]
    )


def entry_to_parsed(entry: Entry) -> _Parsed:
    """The paper data of one entry (LaTeX decoded; verbatim fields such as DOI left alone)."""
    fields = {f.key.casefold(): f.value for f in entry.fields}
    arxiv_id, version = _arxiv_from(fields)
    doi = _DOI_PREFIX_RE.sub("", _value(fields, "doi").strip())
    if "\\" in doi:
        doi = decode(doi)
    raw_authors = fields.get("author") or []
    if isinstance(raw_authors, str):  # SplitNameParts leaves nothing else, but be safe
        raw_authors = []
    authors = tuple(a for a in (_person(p) for p in raw_authors) if a)
    year, published = _dates(fields)
    category = _value(fields, "primaryclass").strip() or None
    return _Parsed(
        key=entry.key,
        line=(entry.start_line or 0) + 1,
        title=decode(_value(fields, "title")),
        arxiv_id=arxiv_id,
        version=version,
        doi=doi or None,
        authors=authors,
        year=year,
        published=published,
        journal_ref=_journal_ref(fields),
        abstract=decode(_value(fields, "abstract")) or None,
        primary_category=category,
        tags=_tags(fields),
    )


# ----------------------------------------------------------------------------- matching


def normalize_title(title: str) -> str:
    """Letters and digits only, accents and case folded: how titles are compared."""
    text = unicodedata.normalize("NFKD", title)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).casefold()


def _doi_key(doi: str | None) -> str | None:
    return _DOI_PREFIX_RE.sub("", doi.strip()).casefold() if doi and doi.strip() else None


@dataclass
class _Known:
    paper_id: str
    doi: str | None
    year: int | None


class _Index:
    """The library's (and the file's so far) papers by arXiv id, DOI and normalised title."""

    def __init__(self, rows: Iterable[tuple[str, str | None, str, int | None, str | None]]):
        self.ids: set[str] = set()
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[str, list[_Known]] = {}
        for paper_id, doi, title, year, published in rows:
            y = int(published[:4]) if published and published[:4].isdigit() else year
            self.add(paper_id, doi, title, y)

    def add(self, paper_id: str, doi: str | None, title: str, year: int | None) -> None:
        self.ids.add(paper_id)
        key = _doi_key(doi)
        if key:
            self.by_doi.setdefault(key, paper_id)
        norm = normalize_title(title)
        if norm:
            self.by_title.setdefault(norm, []).append(_Known(paper_id, key, year))

    def match(self, p: _Parsed) -> tuple[str | None, str]:
        if p.arxiv_id and p.arxiv_id in self.ids:
            return p.arxiv_id, "same arXiv id"
        doi = _doi_key(p.doi)
        if doi and doi in self.by_doi:
            return self.by_doi[doi], "same DOI"
        norm = normalize_title(p.title)
        if len(norm) < 8:
            return None, ""
        for known in self.by_title.get(norm, []):
            if p.arxiv_id and not known.paper_id.startswith(LOCAL_ID_PREFIX):
                continue  # both on arXiv under different ids: two papers
            if doi and known.doi and doi != known.doi:
                continue
            if p.year and known.year and abs(p.year - known.year) > 1:
                continue
            return known.paper_id, "same title"
        return None, ""


# ----------------------------------------------------------------------------- planning

_FILLABLE = ("abstract", "authors", "published", "year", "doi", "journal_ref", "primary_category")


def _missing(current: dict[str, Any], name: str) -> bool:
    value = current.get(name)
    return value is None or value == "" or value == ()


def _fill(current: dict[str, Any], p: _Parsed) -> dict[str, Any]:
    """The fields ``p`` can add to a paper whose known fields are ``current`` (gaps only)."""
    out: dict[str, Any] = {}
    for name in _FILLABLE:
        new = getattr(p, name)
        if new in (None, "", ()) or not _missing(current, name):
            continue
        if name == "year" and current.get("published"):
            continue  # the full v1 date already says it
        out[name] = new
    return out


def _record(p: _Parsed, paper_id: str) -> PaperRecord:
    return PaperRecord(
        id=paper_id,
        title=p.title,
        abstract=p.abstract,
        authors=p.authors,
        published=p.published,
        year=p.year,
        doi=p.doi,
        journal_ref=p.journal_ref,
        primary_category=p.primary_category if not paper_id.startswith(LOCAL_ID_PREFIX) else None,
        version=p.version,
        source="bibtex",
    )


def _as_fields(paper: Paper) -> dict[str, Any]:
    return {name: getattr(paper, name) for name in _FILLABLE}


def import_bibtex(
    repo: Repository,
    source: str | os.PathLike[str],
    tag: str | None = None,
    dry_run: bool = False,
    before_apply: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a .bib file (or text) into the library; see the module docstring for the rules.

    ``source`` is a file when it is a path (``Path``), and the BibTeX text itself when it is a
    ``str`` (never guessed from its content: ``refs@lab.bib`` is a file name). A source with
    no entry at all is refused. ``tag`` is added to every imported paper.
    ``dry_run`` returns the same report without writing anything (the GUI's preview).
    Raises BibTeXError for a malformed file (nothing imported) and InvalidInputError for an
    unusable ``tag``.
    """
    extra_tag = normalize_tag_name(tag) if tag is not None else None
    if isinstance(source, str):
        text, name = source, "The BibTeX text"
    else:
        text, name = read_bib_file(source), str(source)
    entries = parse_entries(text)
    if not entries:
        raise BibTeXError(
            f"{name} holds no BibTeX entries (nothing like @article{{key, …}}).",
            hint="Is it the right file? Nothing was imported.",
        )
    parsed = [entry_to_parsed(e) for e in entries]
    if dry_run:
        report, _ = _plan(repo, parsed, extra_tag)
        return replace(report, dry_run=True)
    with repo.transaction():
        report, work = _plan(repo, parsed, extra_tag)
        if before_apply is not None:  # in the same transaction: e.g. an undo snapshot
            before_apply(report)
        work.apply(repo)
    return report


@dataclass
class _Work:
    records: list[PaperRecord] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)  # tag → paper ids
    saved: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)

    def apply(self, repo: Repository) -> None:
        if self.records:
            repo.upsert_papers(self.records)
        for name, ids in self.tags.items():
            repo.tag_papers(list(dict.fromkeys(ids)), [name])
        if self.saved:
            repo.set_saved(list(dict.fromkeys(self.saved)))
        if self.keys:
            repo.set_cite_keys(self.keys)


def _plan(
    repo: Repository, parsed: list[_Parsed], extra_tag: str | None
) -> tuple[ImportReport, _Work]:
    index = _Index(repo.identities())
    taken_keys = {k.casefold() for k in repo.cite_keys().values()}
    results: list[ImportEntry | None] = [None] * len(parsed)
    new: dict[str, _Parsed] = {}  # paper id → merged data of the file's entries
    new_tags: dict[str, list[str]] = {}
    new_keys: dict[str, str] = {}
    first_line: dict[str, int] = {}
    existing_hits: list[tuple[int, str, str]] = []  # (entry index, paper id, why)

    for i, p in enumerate(parsed):
        tags = p.tags + ([extra_tag] if extra_tag else [])
        if not p.title:
            results[i] = ImportEntry(p.key, p.line, "", "failed", None, "the entry has no title")
            continue
        paper_id, why = index.match(p)
        if paper_id is not None and paper_id in new:
            target = new[paper_id]
            for name, value in _fill(vars(target), p).items():
                setattr(target, name, value)
            new_tags[paper_id].extend(tags)
            results[i] = ImportEntry(
                p.key,
                p.line,
                p.title,
                "merged",
                paper_id,
                f"{why} as the entry at line {first_line[paper_id]}",
            )
            continue
        if paper_id is not None:
            existing_hits.append((i, paper_id, why))
            continue
        paper_id = p.arxiv_id or _local_id(p.key, index.ids)
        index.add(paper_id, p.doi, p.title, p.year)
        new[paper_id] = replace(p, tags=[])
        new_tags[paper_id] = list(tags)
        first_line[paper_id] = p.line
        reason = ""
        if VALID_KEY_RE.match(p.key) and p.key.casefold() not in taken_keys:
            new_keys[paper_id] = p.key
            taken_keys.add(p.key.casefold())
        else:
            reason = f"its key {p.key!r} is taken or unusable; a new one is made on export"
        results[i] = ImportEntry(p.key, p.line, p.title, "new", paper_id, reason)

    work = _Work()
    for paper_id, p in new.items():
        work.records.append(_record(p, paper_id))
        work.saved.append(paper_id)
        for t in dict.fromkeys(new_tags[paper_id]):
            work.tags.setdefault(t, []).append(paper_id)
    work.keys.update(new_keys)

    stored = {p.id: p for p in repo.get_many(list(dict.fromkeys(h[1] for h in existing_hits)))}
    state = {pid: _as_fields(paper) for pid, paper in stored.items()}
    have_tags = {pid: {t.casefold() for t in paper.tags} for pid, paper in stored.items()}
    saved = {pid: paper.saved for pid, paper in stored.items()}
    has_key = {pid: bool(paper.cite_key) for pid, paper in stored.items()}
    fills: dict[str, dict[str, Any]] = {}
    for i, paper_id, why in existing_hits:
        p = parsed[i]
        added: list[str] = []
        fill = _fill(state[paper_id], p)
        if fill:
            state[paper_id].update(fill)
            fills.setdefault(paper_id, {}).update(fill)
            added.append(", ".join(sorted(fill)))
        tags = [t for t in p.tags + ([extra_tag] if extra_tag else [])]
        fresh = [t for t in dict.fromkeys(tags) if t.casefold() not in have_tags[paper_id]]
        if fresh:
            have_tags[paper_id].update(t.casefold() for t in fresh)
            for t in fresh:
                work.tags.setdefault(t, []).append(paper_id)
            added.append("tags " + ", ".join(fresh))
        usable = VALID_KEY_RE.match(p.key) and p.key.casefold() not in taken_keys
        if not has_key[paper_id] and usable:
            taken_keys.add(p.key.casefold())
            work.keys[paper_id] = p.key
            has_key[paper_id] = True
            added.append(f"key {p.key}")
        if not saved[paper_id]:
            saved[paper_id] = True
            work.saved.append(paper_id)
            added.append("saved to the library")
        if added:
            results[i] = ImportEntry(
                p.key,
                p.line,
                p.title,
                "merged",
                paper_id,
                f"{why} as {paper_id} in the library; adds " + "; ".join(added),
            )
        else:
            results[i] = ImportEntry(
                p.key, p.line, p.title, "skipped", paper_id, f"already in the library ({why})"
            )
    for paper_id, fill in fills.items():
        work.records.append(
            PaperRecord(id=paper_id, title=stored[paper_id].title, source="bibtex", **fill)
        )

    done = tuple(r for r in results if r is not None)
    counts = {a: sum(1 for r in done if r.action == a) for a in ("new", "merged", "skipped")}
    report = ImportReport(
        new=counts["new"],
        merged=counts["merged"],
        skipped=counts["skipped"],
        failed=sum(1 for r in done if r.action == "failed"),
        entries=done,
    )
    return report, work


def _local_id(key: str, taken: set[str]) -> str:
    """``local:<key>``, with ``-2``, ``-3``… when another paper already has that id."""
    base = LOCAL_ID_PREFIX + key
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
