"""Bibliographies in: BibTeX, BibLaTeX, RIS and CSL-JSON files merged into the library.

Forgiving and honest. A file is refused only when it cannot be read at all (not text, no
entries, too large), with the reason; everything BibTeX or biber would read is imported, and
each thing that was not clean (a duplicate key, a trailing ``and``, stray text, an undefined
``@string``…) is reported as a problem with its line and what was done. ``strict`` refuses
the file instead when there is any. All of it is written in one transaction, so an error
half-way leaves the library as it was.

What is kept: each entry's type and every field as it came (:mod:`records`), so that it
exports as it came; the file's ``@preamble``; the authors' name parts.

Matching: an entry is the same paper as one in the library (or earlier in the file) only on a
real identity — the same arXiv id, the same DOI, the same title *and* first author's family
name *and* year (one apart at most: a preprint and its proceedings) *and* kind of work, or the
same citation key *and* title (the same entry again: a file imported twice). Nothing
contradicting (different arXiv ids or DOIs) is allowed. Two papers that merely share a title
stay two.

Merging only ever adds: fields the paper lacks are filled (columns by the source ranks of
:data:`~desktop_app.domain.SOURCE_RANKS`; a stored entry gets the fields it lacks, appended),
tags are added, the paper is saved to the library, and the merged entry's key becomes the
paper's key if it had none, else an alias (exported as ``ids``) so citations to it still
resolve. Keys never change: a new entry whose key another paper holds (or an earlier entry of
the same file) gets ``-2``, ``-3``… appended, as a problem. An entry without a key gets one
made on its first export.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.bibtex.names import person_from_display
from desktop_app.bibtex.parse import ParsedBib, Problem, decode_bytes, parse_bibtex
from desktop_app.bibtex.records import (
    Converted,
    convert,
    doi_key,
    fold_name,
    kind_of_work,
    normalize_title,
    resolve_references,
    split_keys,
)
from desktop_app.domain import LOCAL_ID_PREFIX, BibEntry, EntryWrite, Paper, PaperRecord
from desktop_app.errors import BibTeXError
from desktop_app.store.tags import normalize_tag_name

if TYPE_CHECKING:
    from desktop_app.store import Repository

Action = Literal["new", "merged", "skipped", "failed"]
MAX_FILE_BYTES = 100 * 1024 * 1024  # far above any real bibliography; /dev/zero is not one
# A key LaTeX can \cite: no space, comma, brace, quote, hash, percent, tie or backslash.
USABLE_KEY_RE = re.compile(r"^[^\s,{}()\"#%'=\\~]+$")


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
    """Counts per action, every entry with its action (for the GUI's preview), and every
    problem that was forgiven (line, what, what was done)."""

    new: int
    merged: int
    skipped: int
    failed: int
    entries: tuple[ImportEntry, ...]
    dry_run: bool = False
    problems: tuple[Problem, ...] = ()
    format: str = "bibtex"


# ----------------------------------------------------------------------------- reading


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a bibliography file, or BibTeXError saying why it cannot be one (a folder,
    a device, a missing or huge file)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BibTeXError(f"There is no file {path}.", hint="Check the name.") from None
    except OSError as exc:
        raise BibTeXError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise BibTeXError(f"{path} is a folder, not a bibliography file.")
    if not stat.S_ISREG(info.st_mode):
        raise BibTeXError(
            f"{path} is not a regular file.", hint="Give a .bib file, or - for standard input."
        )
    if info.st_size > MAX_FILE_BYTES:
        raise BibTeXError(
            f"{path} is {info.st_size / 2**20:.0f} MB; the largest bibliography this imports "
            f"is {MAX_FILE_BYTES // 2**20} MB.",
            hint="Is it the right file? Split it if it really is a bibliography.",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BibTeXError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def decode_file(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str | None]:
    """The text of a bibliography (see :func:`parse.decode_bytes`), or BibTeXError."""
    if len(data) > MAX_FILE_BYTES:
        raise BibTeXError(
            f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; that is not a bibliography."
        )
    try:
        return decode_bytes(data, encoding)
    except ValueError as exc:
        raise BibTeXError(
            f"{name} cannot be read: {exc}.",
            hint="Save it as UTF-8 text (most reference managers can), or give its encoding.",
        ) from exc


def sniff_format(text: str) -> str:
    """``csl-json``, ``ris`` or ``bibtex``, by the content (never by the file name)."""
    head = text.lstrip("\ufeff \t\r\n")
    if head[:1] in ("[", "{") and not head.startswith("{\\"):
        return "csl-json"
    if re.search(r"^[A-Z][A-Z0-9]  - ", text[:4096], re.M) and not re.search(
        r"^\s*@\w+\s*[{(]", text[:4096], re.M
    ):
        return "ris"
    return "bibtex"


def read_entries(text: str, fmt: str | None = None) -> tuple[str, ParsedBib]:
    """``(format, parsed)`` for a bibliography's text in any format this reads."""
    fmt = fmt or sniff_format(text)
    if fmt == "csl-json":
        from desktop_app.bibtex.csl import read_csl_json

        return fmt, read_csl_json(text)
    if fmt == "ris":
        from desktop_app.bibtex.ris import read_ris

        return fmt, read_ris(text)
    return "bibtex", parse_bibtex(text)


# ----------------------------------------------------------------------------- matching


@dataclass
class _Known:
    paper_id: str
    doi: str | None
    year: int | None
    family: str
    arxiv: bool
    kind: str


class _Index:
    """The library's (and the file's so far) papers by arXiv id, DOI and normalised title."""

    def __init__(self, rows: Sequence[tuple[Any, ...]], aliases: dict[str, str] | None = None):
        self.ids: set[str] = set()
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[str, list[_Known]] = {}
        self.by_key: dict[str, tuple[str, str]] = {}  # key → (paper id, normalised title)
        titles: dict[str, str] = {}
        for paper_id, doi, title, year, published, name, family, kind, key in rows:
            y = int(published[:4]) if published and published[:4].isdigit() else year
            if family is None and name:
                first = person_from_display(name)
                family = first.family or first.literal
            self.add(paper_id, doi, title, y, fold_name(family or ""), kind_of_work(kind), key)
            titles[paper_id] = title
        for alias, paper_id in (aliases or {}).items():
            self.by_key.setdefault(alias.casefold(), (paper_id, normalize_title(titles[paper_id])))

    def add(
        self,
        paper_id: str,
        doi: str | None,
        title: str,
        year: int | None,
        family: str,
        kind: str,
        key: str | None = None,
    ) -> None:
        self.ids.add(paper_id)
        if key:
            self.by_key.setdefault(key.casefold(), (paper_id, normalize_title(title)))
        key = doi_key(doi)
        if key:
            self.by_doi.setdefault(key, paper_id)
        norm = normalize_title(title)
        if norm:
            arxiv = not paper_id.startswith(LOCAL_ID_PREFIX)
            self.by_title.setdefault(norm, []).append(
                _Known(paper_id, key, year, family, arxiv, kind)
            )

    def match(self, c: Converted) -> tuple[str | None, str]:
        if c.arxiv_id and c.arxiv_id in self.ids:
            return c.arxiv_id, "same arXiv id"
        doi = doi_key(c.doi)
        if doi and doi in self.by_doi:
            return self.by_doi[doi], "same DOI"
        norm = normalize_title(c.title) if not c.untitled else ""
        hit = self.by_key.get(c.key.casefold()) if c.key else None
        if (
            hit
            and norm
            and hit[1] == norm
            and not (c.arxiv_id and hit[0] in self.ids and not hit[0].startswith(LOCAL_ID_PREFIX))
        ):
            return hit[0], "same key and title"  # the same entry again (a file imported twice)
        family = c.first_family
        if len(norm) < 8 or not family or not c.year:
            return None, ""
        for known in self.by_title.get(norm, []):
            if c.arxiv_id and known.arxiv:
                continue  # both on arXiv under different ids: two papers
            if doi and known.doi and doi != known.doi:
                continue
            if known.family != family or not known.year or abs(c.year - known.year) > 1:
                continue
            if known.kind != kind_of_work(c.entry.type):
                continue  # a thesis and the article made of it are two works
            return known.paper_id, "same title, first author and year"
        return None, ""


# ----------------------------------------------------------------------------- planning


@dataclass
class _New:
    """A paper this import creates, with the entries of the file merged into it."""

    c: Converted
    paper_id: str
    key: str | None
    tags: list[str]
    aliases: list[str] = field(default_factory=list)
    first_line: int = 0


@dataclass
class _Work:
    records: list[PaperRecord] = field(default_factory=list)
    entries: dict[str, EntryWrite] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)  # tag → paper ids
    saved: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    preambles: list[str] = field(default_factory=list)

    def apply(self, repo: Repository) -> None:
        if self.records:
            repo.upsert_papers(self.records)
        repo.set_entries(self.entries)
        for name, ids in self.tags.items():
            repo.tag_papers(list(dict.fromkeys(ids)), [name])
        if self.saved:
            repo.set_saved(list(dict.fromkeys(self.saved)))
        if self.keys:
            repo.set_cite_keys(self.keys)
        repo.add_aliases(self.aliases)
        repo.add_preambles(self.preambles)


def _extended(entry: BibEntry, other: BibEntry) -> BibEntry | None:
    """``entry`` with the fields only ``other`` has appended (None when it has them all)."""
    have = set(entry.names())
    extra = tuple((n, v) for n, v in other.fields if n.lower() not in have)
    return replace(entry, fields=entry.fields + extra) if extra else None


_FILLABLE = ("abstract", "authors", "published", "year", "doi", "primary_category")


def _fill(paper: Paper, c: Converted) -> dict[str, Any]:
    """The columns ``c`` can add to a stored paper (its gaps only)."""
    record = c.record(paper.id)
    out: dict[str, Any] = {}
    for name in _FILLABLE:
        new = getattr(record, name)
        have = getattr(paper, name)
        if new in (None, "", ()) or have not in (None, "", ()):
            continue
        if name == "year" and paper.published:
            continue  # the full v1 date already says it
        out[name] = new
    if "authors" in out:
        out["author_parts"] = record.author_parts
    return out


class _Planner:
    def __init__(self, repo: Repository, extra_tag: str | None, problems: list[Problem]):
        self.repo = repo
        self.extra_tag = extra_tag
        self.problems = problems
        self.index = _Index(repo.identities(), repo.aliases())
        self.taken = repo.taken_keys()

    def plan(self, converted: list[Converted], preambles: list[str]) -> tuple[ImportReport, _Work]:
        file_keys = {c.key.casefold() for c in converted if c.key}
        reserved = self.taken | file_keys
        results: list[ImportEntry | None] = [None] * len(converted)
        new: dict[str, _New] = {}
        existing: list[tuple[int, str, str]] = []  # (entry index, paper id, why)
        key_lines: dict[str, int] = {}
        for i, c in enumerate(converted):
            tags = c.tags + ([self.extra_tag] if self.extra_tag else [])
            if not c.entry.fields:
                results[i] = ImportEntry(c.key, c.line, c.title, "failed", None, "it has no fields")
                continue
            paper_id, why = self.index.match(c)
            if paper_id is not None and paper_id in new:
                results[i] = self._merge_new(new[paper_id], c, tags, why, reserved)
                continue
            if paper_id is not None:
                existing.append((i, paper_id, why))
                continue
            key, reason = self._new_key(c, key_lines, reserved)
            paper_id = c.arxiv_id or self._local_id(c.key or key or f"entry{c.line}")
            title = c.title if not c.untitled else ""
            kind = kind_of_work(c.entry.type)
            self.index.add(paper_id, c.doi, title, c.year, c.first_family, kind, c.key)
            new[paper_id] = _New(c, paper_id, key, list(tags), first_line=c.line)
            for other in split_keys(c.entry.get("ids") or ""):  # biblatex's own aliases
                if other.casefold() in file_keys:
                    continue  # another entry's key: never taken from it
                alias = self._alias(other, reserved, key)
                if alias:
                    new[paper_id].aliases.append(alias)
            if c.untitled:
                reason = "; ".join(filter(None, [reason, "it has no title"]))
                self.problems.append(
                    Problem(
                        c.line,
                        unit=c.unit,
                        message=f"the entry {c.key!r} has no title; it is shown as {c.title!r}",
                    )
                )
            results[i] = ImportEntry(c.key, c.line, c.title, "new", paper_id, reason)

        work = _Work(preambles=list(preambles))
        for paper_id, n in new.items():
            work.records.append(n.c.record(paper_id))
            work.entries[paper_id] = n.c.write()
            work.saved.append(paper_id)
            if n.key:
                work.keys[paper_id] = n.key
            if n.aliases:
                work.aliases[paper_id] = n.aliases
            for t in dict.fromkeys(n.tags):
                work.tags.setdefault(t, []).append(paper_id)
        self._merge_existing(converted, existing, results, work, reserved)

        done = tuple(r for r in results if r is not None)
        counts = {a: sum(1 for r in done if r.action == a) for a in ("new", "merged", "skipped")}
        report = ImportReport(
            new=counts["new"],
            merged=counts["merged"],
            skipped=counts["skipped"],
            failed=sum(1 for r in done if r.action == "failed"),
            entries=done,
            problems=tuple(sorted(self.problems, key=lambda p: p.line)),
        )
        return report, work

    def _new_key(
        self, c: Converted, key_lines: dict[str, int], reserved: set[str]
    ) -> tuple[str | None, str]:
        if not c.key:
            self.problems.append(
                Problem(
                    c.line,
                    unit=c.unit,
                    message=f"the @{c.entry.type} entry has no key; one is made on export",
                )
            )
            return None, "it has no key; one is made on export"
        if not USABLE_KEY_RE.match(c.key):
            self.problems.append(
                Problem(
                    c.line,
                    unit=c.unit,
                    message=f"the key {c.key!r} cannot be cited in LaTeX; one is made on export",
                )
            )
            return None, f"its key {c.key!r} cannot be cited; one is made on export"
        folded = c.key.casefold()
        if folded in key_lines or folded in self.taken:  # (new keys join taken below)
            n = 2
            while f"{folded}-{n}" in reserved:
                n += 1
            key = f"{c.key}-{n}"
            reserved.add(key.casefold())
            where = (
                f"first at line {key_lines[folded]}"
                if folded in key_lines
                else "another paper in the library has it"
            )
            self.problems.append(
                Problem(
                    c.line,
                    unit=c.unit,
                    message=f"the key {c.key!r} is used twice ({where}); imported as {key!r}",
                )
            )
            self.taken.add(key.casefold())
            return key, f"its key is taken; imported as {key}"
        key_lines[folded] = c.line
        self.taken.add(folded)
        if not c.key.isascii():
            self.problems.append(
                Problem(
                    c.line,
                    unit=c.unit,
                    message=f"the key {c.key!r} is not ASCII: kept, but only XeLaTeX and "
                    "LuaLaTeX can cite it (pdflatex cannot)",
                )
            )
        return c.key, ""

    def _local_id(self, key: str) -> str:
        """``local:<key>``, with ``-2``, ``-3``… when another paper already has that id."""
        base = LOCAL_ID_PREFIX + key
        candidate, n = base, 1
        while candidate in self.index.ids:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _alias(self, key: str, reserved: set[str], own: str | None) -> str | None:
        """``key`` as an alias of a paper, if it is a usable key no other paper holds."""
        if not key or not USABLE_KEY_RE.match(key):
            return None
        if own is not None and key.casefold() == own.casefold():
            return None
        if key.casefold() in self.taken:
            return None
        self.taken.add(key.casefold())
        return key

    def _merge_new(
        self, target: _New, c: Converted, tags: list[str], why: str, reserved: set[str]
    ) -> ImportEntry:
        extended = _extended(target.c.entry, c.entry)
        if extended is not None:
            target.c = replace(target.c, entry=extended)
        for name in ("abstract", "doi", "year", "published", "venue", "volume", "pages"):
            if getattr(target.c, name) in (None, "") and getattr(c, name) not in (None, ""):
                setattr(target.c, name, getattr(c, name))
                if name == "doi":  # later entries may match the paper by it
                    self.index.by_doi.setdefault(doi_key(c.doi) or "", target.paper_id)
        if not target.c.authors and c.authors:
            target.c.authors = c.authors
        target.tags.extend(tags)
        alias = self._alias(c.key, reserved, target.key)
        if alias:
            target.aliases.append(alias)
        return ImportEntry(
            c.key,
            c.line,
            c.title,
            "merged",
            target.paper_id,
            f"{why} as the entry at {target.c.unit} {target.first_line}",
        )

    def _merge_existing(
        self,
        converted: list[Converted],
        hits: list[tuple[int, str, str]],
        results: list[ImportEntry | None],
        work: _Work,
        reserved: set[str],
    ) -> None:
        ids = list(dict.fromkeys(h[1] for h in hits))
        stored = {p.id: p for p in self.repo.get_many(ids)}
        entries = self.repo.entries(ids)
        have_tags = {pid: {t.casefold() for t in p.tags} for pid, p in stored.items()}
        keys = {pid: p.cite_key for pid, p in stored.items()}
        saved = {pid: p.saved for pid, p in stored.items()}
        fills: dict[str, dict[str, Any]] = {}
        for i, paper_id, why in hits:
            c = converted[i]
            paper = stored[paper_id]
            added: list[str] = []
            fill = {k: v for k, v in _fill(paper, c).items() if k not in fills.get(paper_id, {})}
            if fill:
                fills.setdefault(paper_id, {}).update(fill)
                added.append(", ".join(sorted(fill)))
            current = entries.get(paper_id)
            if current is None:
                entries[paper_id] = c.entry
                work.entries[paper_id] = c.write()
                added.append(f"its @{c.entry.type} entry")
            else:
                extended = _extended(current, c.entry)
                if extended is not None:
                    entries[paper_id] = extended
                    old = work.entries.get(paper_id)
                    work.entries[paper_id] = (
                        replace(old, entry=extended)
                        if old
                        else EntryWrite(
                            extended, paper.venue, paper.volume, paper.number, paper.pages
                        )
                    )
                    added.append(
                        "fields " + ", ".join(n for n in extended.names()[len(current.fields) :])
                    )
            tags = c.tags + ([self.extra_tag] if self.extra_tag else [])
            fresh = [t for t in dict.fromkeys(tags) if t.casefold() not in have_tags[paper_id]]
            if fresh:
                have_tags[paper_id].update(t.casefold() for t in fresh)
                for t in fresh:
                    work.tags.setdefault(t, []).append(paper_id)
                added.append("tags " + ", ".join(fresh))
            if c.key and USABLE_KEY_RE.match(c.key):
                if keys[paper_id] is None and c.key.casefold() not in self.taken:
                    self.taken.add(c.key.casefold())
                    keys[paper_id] = work.keys[paper_id] = c.key
                    added.append(f"key {c.key}")
                else:
                    alias = self._alias(c.key, reserved, keys[paper_id])
                    if alias:
                        work.aliases.setdefault(paper_id, []).append(alias)
                        added.append(f"key {alias} as an alias")
            if not saved[paper_id]:
                saved[paper_id] = True
                work.saved.append(paper_id)
                added.append("saved to the library")
            if added:
                results[i] = ImportEntry(
                    c.key,
                    c.line,
                    c.title,
                    "merged",
                    paper_id,
                    f"{why} as {paper_id} in the library; adds " + "; ".join(added),
                )
            else:
                results[i] = ImportEntry(
                    c.key, c.line, c.title, "skipped", paper_id, f"already in the library ({why})"
                )
        for paper_id, fill in fills.items():
            work.records.append(
                PaperRecord(id=paper_id, title=stored[paper_id].title, source="bibtex", **fill)
            )


# ----------------------------------------------------------------------------- the service


def import_bibliography(
    repo: Repository,
    source: str | os.PathLike[str] | bytes,
    tag: str | None = None,
    dry_run: bool = False,
    before_apply: Callable[[ImportReport], None] | None = None,
    *,
    strict: bool = False,
    encoding: str | None = None,
    fmt: str | None = None,
) -> ImportReport:
    """Import a bibliography (BibTeX, BibLaTeX, RIS or CSL-JSON, told by its content) into
    the library; see the module docstring for the rules.

    ``source`` is a file when it is a path (``Path``), the file's bytes when ``bytes`` (such
    as standard input), and the text itself when it is a ``str`` (never guessed from its
    content: ``refs@lab.bib`` is a file name). ``tag`` is added to every imported paper.
    ``dry_run`` returns the same report without writing anything (the GUI's preview).
    ``strict`` refuses the file when anything in it had to be forgiven. Raises BibTeXError
    for a file that cannot be read (nothing imported) and InvalidInputError for an unusable
    ``tag``.
    """
    extra_tag = normalize_tag_name(tag) if tag is not None else None
    problems: list[Problem] = []
    if isinstance(source, str):
        text, name = source, "The bibliography text"
    else:
        if isinstance(source, bytes):
            data, name = source, "Standard input"
        else:
            data, name = read_file_bytes(source), str(source)
        text, note = decode_file(data, name, encoding)
        if note:
            problems.append(Problem(1, note))
    fmt, parsed = read_entries(text, fmt)
    if not parsed.entries:
        what = {
            "bibtex": "BibTeX entries (nothing like @article{key, …})",
            "ris": "RIS records (each starts with a TY  - line)",
            "csl-json": "CSL-JSON items",
        }[fmt]
        raise BibTeXError(
            f"{name} holds no {what}.", hint="Is it the right file? Nothing was imported."
        )
    problems += parsed.problems
    papers = resolve_references(parsed.entries, problems)
    converted = [convert(e, problems) for e in papers]
    if strict and problems:
        problems.sort(key=lambda p: p.line)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BibTeXError(
            f"{name}, {problems[0]}{more}.",
            hint="Nothing was imported. Fix the file, or import it without --strict to accept "
            "the fixes described.",
        )
    if dry_run:
        report, _ = _Planner(repo, extra_tag, problems).plan(converted, parsed.preambles)
        return replace(report, dry_run=True, format=fmt)
    with repo.transaction():
        report, work = _Planner(repo, extra_tag, problems).plan(converted, parsed.preambles)
        report = replace(report, format=fmt)
        if before_apply is not None:  # in the same transaction: e.g. an undo snapshot
            before_apply(report)
        work.apply(repo)
    return report


import_bibtex = import_bibliography  # the name the first version had
