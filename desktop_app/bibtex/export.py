"""BibTeX out: a pure, deterministic :func:`to_bibtex` and the thin services around it.

Entry shape (field order is fixed, so exports diff cleanly):

- ``@misc`` for preprints: title, author, year, month, eprint, archivePrefix = {arXiv},
  primaryClass, doi, url — arXiv's own shape, but with the year of the *first* version and
  with LaTeX escaping. Local papers (imported from a .bib, ``local:…`` ids) get no eprint,
  archivePrefix, primaryClass or url.
- ``@article`` when the paper has a journal reference. A reference in the common
  "Journal Volume(Number), Pages (Year)" shape (``Phys. Rev. D 76, 013009 (2007)``) is split
  into journal, volume, number and pages when its year is the paper's year; any other
  reference goes whole into ``journal``, so nothing is lost. A DOI alone keeps ``@misc`` (with
  its ``doi`` field): it names no journal, and an ``@article`` without one makes every standard
  style warn — besides, arXiv now gives every preprint a DOI of its own.
- ``key`` (BibTeX's sorting fallback) for papers without authors, so sorting styles such as
  ``plain`` do not warn "to sort, need author or key".
- ``abstract`` and ``keywords`` (the paper's tags) only on request.

``doi`` and ``url`` are written as they are (biblatex reads them verbatim); only characters
that could end the field (braces, backslashes, whitespace) are percent-encoded.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.bibtex.keys import DEFAULT_KEY_PATTERN, assign_keys, check_pattern, first_year
from desktop_app.bibtex.keys import keys_for as _keys_for
from desktop_app.bibtex.latex import Losses, escape, format_name
from desktop_app.domain import Paper, arxiv_url
from desktop_app.errors import NotFoundError
from desktop_app.outputs import check_target, write_atomic

if TYPE_CHECKING:
    from desktop_app.store import Repository

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# "Phys. Rev. D 76, 013009 (2007)", "Nature 550(7676), 354-359 (2017)", "JMLR 15:1929-1958 (2014)"
_JOURNAL_REF_RE = re.compile(
    r"^(?P<journal>[^\d()]*[^\d()\s,.:])\.?\s+(?P<volume>\d+)\s*"
    r"(?:\((?P<number>[\w\-]+)\))?\s*[,:]\s*"
    r"(?P<pages>[A-Za-z]?\d+(?:\s*[-–—]+\s*[A-Za-z]?\d+)?)\s*"
    r"\((?P<year>\d{4})\)$"
)
_URL_UNSAFE_RE = re.compile(r"[{}\\\s]")


@dataclass(frozen=True)
class BibTeXOptions:
    """How to write entries.

    Attributes:
        unicode: keep non-ASCII text as UTF-8 (biber/biblatex, XeLaTeX, LuaLaTeX) instead of
            LaTeX commands (pdflatex + BibTeX, the default).
        include_abstract: add ``abstract`` fields.
        include_keywords: add ``keywords`` with the paper's tags.
        key_pattern: how *new* keys are made (stored keys never change).
    """

    unicode: bool = False
    include_abstract: bool = False
    include_keywords: bool = False
    key_pattern: str = DEFAULT_KEY_PATTERN


def _verbatim(value: str) -> str:
    """A URL or DOI that cannot end its field: braces, backslashes, spaces percent-encoded."""
    return _URL_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", value.strip())


def split_journal_ref(journal_ref: str, year: int | None) -> dict[str, str]:
    """``journal``/``volume``/``number``/``pages`` from a journal reference.

    Split only when the reference has the common shape *and* its year is the paper's year
    (otherwise the reference's own year would be lost); else the whole reference is the
    journal.
    """
    text = " ".join(journal_ref.split())
    m = _JOURNAL_REF_RE.match(text)
    if m is None or year is None or int(m.group("year")) != year:
        return {"journal": text}
    out = {"journal": m.group("journal"), "volume": m.group("volume")}
    if m.group("number"):
        out["number"] = m.group("number")
    out["pages"] = re.sub(r"\s*[-–—]+\s*", "--", m.group("pages"))
    return out


def entry_type(paper: Paper) -> str:
    """``article`` for a paper with a journal reference, else ``misc``."""
    return "article" if paper.journal_ref and paper.journal_ref.strip() else "misc"


def format_entry(paper: Paper, key: str, options: BibTeXOptions = BibTeXOptions()) -> str:
    """One entry (no trailing newline); a ``%`` comment line first if characters were lost."""
    uni = options.unicode
    losses = Losses()
    fields: list[tuple[str, str]] = [
        ("title", "{" + escape(paper.title, unicode=uni, protect=True, losses=losses) + "}")
    ]
    if paper.authors:
        names = []
        for full in paper.authors:
            text, lost = format_name(full, uni)
            if text:
                names.append(text)
            losses.approximated.extend(lost.approximated)
            losses.dropped.extend(lost.dropped)
        if names:
            fields.append(("author", "{" + " and ".join(names) + "}"))
    year = first_year(paper)
    kind = entry_type(paper)
    if kind == "article":
        assert paper.journal_ref is not None
        for name, value in split_journal_ref(paper.journal_ref, year).items():
            if name == "journal":
                value = escape(value, unicode=uni, losses=losses)
            fields.append((name, "{" + value + "}"))
    if year:
        fields.append(("year", "{" + str(year) + "}"))
    if paper.published:
        fields.append(("month", MONTHS[paper.published.month - 1]))
    if not paper.is_local:
        fields.append(("eprint", "{" + paper.id + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
        if paper.primary_category:
            fields.append(("primaryClass", "{" + _verbatim(paper.primary_category) + "}"))
    if paper.doi and paper.doi.strip():
        fields.append(("doi", "{" + _verbatim(paper.doi) + "}"))
    url = arxiv_url(paper.id)
    if url:
        fields.append(("url", "{" + url + "}"))
    if not any(name == "author" for name, _ in fields):
        fields.append(("key", "{" + key + "}"))
    if options.include_abstract and paper.abstract.strip():
        fields.append(("abstract", "{" + escape(paper.abstract, unicode=uni, losses=losses) + "}"))
    if options.include_keywords and paper.tags:
        tags = ", ".join(escape(t, unicode=uni, losses=losses) for t in paper.tags)
        fields.append(("keywords", "{" + tags + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    entry = f"@{kind}{{{key},\n{body}\n}}"
    if losses:
        entry = _loss_comment(key, losses) + "\n" + entry
    return entry


def _loss_comment(key: str, losses: Losses) -> str:
    """A ``%`` line BibTeX ignores (text outside entries), naming what was lost and why."""
    chars = sorted(set(losses.approximated) | set(losses.dropped))
    shown = " ".join(f"U+{ord(c):04X}" for c in chars[:12]) + (" ..." if len(chars) > 12 else "")
    parts = []
    if losses.approximated:
        parts.append(f"{len(losses.approximated)} approximated")
    if losses.dropped:
        parts.append(f"{len(losses.dropped)} dropped")
    return (
        f"% {key}: characters without a plain-LaTeX form ({', '.join(parts)}: {shown}); "
        "export in Unicode mode (biber) to keep them"
    )


def to_bibtex(
    papers: Sequence[Paper],
    keys: Mapping[str, str] | None = None,
    options: BibTeXOptions = BibTeXOptions(),
) -> str:
    """BibTeX text for ``papers``, in the order given: pure and deterministic.

    Keys come from ``keys`` (``paper id → key``), else the paper's stored ``cite_key``, else are
    made here with :func:`~desktop_app.bibtex.keys.assign_keys` (use :func:`export_bibtex` to
    have them stored). In the default mode the text is pure ASCII.
    """
    check_pattern(options.key_pattern)
    all_keys = _keys_for(papers, keys, options.key_pattern)
    if not papers:
        return ""
    return "\n\n".join(format_entry(p, all_keys[p.id], options) for p in papers) + "\n"


def ensure_keys(repo: Repository, papers: Sequence[Paper], pattern: str) -> dict[str, str]:
    """Keys for ``papers``; new ones are assigned and stored in the same transaction.

    The caller holds ``repo.transaction()``, so two exports running at once cannot hand out the
    same key (the write lock is taken before the taken keys are read). A read-only library
    gets the same keys, unstored (the next export of a writable copy may store others).
    """
    keys = {p.id: p.cite_key for p in papers if p.cite_key}
    need = [p for p in papers if not p.cite_key]
    if need:
        new = assign_keys(need, repo.cite_keys().values(), pattern)
        if not repo.read_only:
            repo.set_cite_keys(new)
        keys.update(new)
    return keys


def export_bibtex(
    repo: Repository, paper_ids: Sequence[str], options: BibTeXOptions = BibTeXOptions()
) -> str:
    """BibTeX for the given papers (in that order), storing keys for papers exported first.

    ``repo`` is a :class:`~desktop_app.store.Repository`. Raises NotFoundError for an unknown
    id and InvalidInputError for a bad key pattern, before anything is stored.
    """
    check_pattern(options.key_pattern)
    ids = list(dict.fromkeys(paper_ids))
    with contextlib.nullcontext() if repo.read_only else repo.transaction():
        papers = repo.get_many(ids)
        if len(papers) != len(ids):
            found = {p.id for p in papers}
            missing = next(i for i in ids if i not in found)
            raise NotFoundError(f"No paper {missing} in the library.")
        keys = ensure_keys(repo, papers, options.key_pattern)
    return to_bibtex(papers, keys, options)


def export_to_file(
    repo: Repository,
    paper_ids: Sequence[str],
    options: BibTeXOptions,
    target: str | os.PathLike[str],
    *,
    force: bool = False,
) -> Path:
    """Export papers into the file ``target``; the target is checked before anything is done
    (never the library, a backup or a file that is not a bibliography unless ``force``)."""
    path = check_target(target, library=repo.path, force=force)
    return write_atomic(path, export_bibtex(repo, paper_ids, options))
