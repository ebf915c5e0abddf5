"""BibTeX and BibLaTeX out: a pure, deterministic :func:`to_bibtex` and the services around it.

An entry imported from a file is written as it came — its type and every field, LaTeX as it
was (case protection, abbreviations, ``and others``, corporate names in braces) — with only
what the format needs added, never taken away:

- ``--format bibtex`` (default; pdflatex + BibTeX): biblatex-only types become their BibTeX
  kin (``@online`` → ``@misc``, ``@report`` → ``@techreport``, ``@thesis`` → ``@phdthesis``
  or ``@mastersthesis``), and biblatex-only fields get their BibTeX twin beside them
  (``date`` → ``year``/``month``, ``journaltitle`` → ``journal``, ``location`` → ``address``,
  ``eprinttype``/``eprintclass`` → ``archivePrefix``/``primaryClass``). Text is ASCII: a
  non-ASCII character becomes its LaTeX command; one with none is approximated (``ą`` → a),
  transliterated (``中文`` → ZhongWen) or, a symbol, dropped — never an empty field — and a
  ``%`` comment before the entry says so. ``unicode`` keeps UTF-8 instead.
- In both, a character LaTeX cannot take bare in text (``% # & _ ^``) is escaped outside
  math and URLs: an unescaped ``%`` is a percent sign to its author but a comment to LaTeX
  (the rest of the line lost), and the others are errors.
- ``--format biblatex`` (biber): UTF-8, types and fields as stored.

A fetched paper has its entry made from its columns (:mod:`generate`).

Every entry also gets ``ids`` with the keys of entries merged into it (biblatex resolves
citations to them), ``keywords`` with its tags when asked, and the library's ``@preamble``
leads the file when an imported entry is in it (its macros may be used). Entries are
sorted by citation key, so a file written twice is the same file and a new paper changes
one place of it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.bibtex.generate import generated_entry, published_form
from desktop_app.bibtex.keys import assign_keys, check_pattern
from desktop_app.bibtex.keys import keys_for as _keys_for
from desktop_app.bibtex.latex import Losses, escape
from desktop_app.bibtex.options import BibTeXOptions, check_format
from desktop_app.bibtex.parse import MONTH_MACROS
from desktop_app.bibtex.stored import ascii_latex, safe_latex
from desktop_app.domain import BibEntry, Paper
from desktop_app.errors import NotFoundError
from desktop_app.outputs import check_target, write_atomic

if TYPE_CHECKING:
    from desktop_app.store import Repository

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
BIBTEX_TYPES = frozenset(
    [
        "article",
        "book",
        "booklet",
        "conference",
        "inbook",
        "incollection",
        "inproceedings",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
    ]
)
_TO_BIBTEX_TYPE = {
    "online": "misc",
    "electronic": "misc",
    "www": "misc",
    "report": "techreport",
    "mvbook": "book",
    "bookinbook": "inbook",
    "suppbook": "inbook",
    "collection": "book",
    "mvcollection": "book",
    "suppcollection": "incollection",
    "reference": "book",
    "mvreference": "book",
    "inreference": "incollection",
    "mvproceedings": "proceedings",
    "suppperiodical": "article",
    **{
        t: "misc"
        for t in [
            "periodical",
            "patent",
            "software",
            "softwareversion",
            "softwaremodule",
            "codefragment",
            "dataset",
            "artwork",
            "audio",
            "image",
            "movie",
            "music",
            "performance",
            "video",
            "letter",
            "review",
            "standard",
            "commentary",
            "jurisdiction",
            "legislation",
            "legal",
            "set",
        ]
    },
}
# biblatex field → its BibTeX twin, added beside it when the entry lacks the twin.
_BIBTEX_TWINS = {
    "journaltitle": "journal",
    "location": "address",
    "eprinttype": "archiveprefix",
    "eprintclass": "primaryclass",
}
# Written as they are: no LaTeX in them to convert, no % to protect (a URL's %20 is one).
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc"})


# ----------------------------------------------------------------------------- stored entries


def for_bibtex(entry: BibEntry) -> BibEntry:
    """A stored entry as BibTeX styles read it: its BibTeX type, and the BibTeX twin of each
    biblatex field it has (nothing removed)."""
    kind = entry.type
    if kind == "thesis":
        kind = "mastersthesis" if "master" in (entry.get("type") or "").casefold() else "phdthesis"
    else:
        kind = _TO_BIBTEX_TYPE.get(kind, kind)
    have = set(entry.names())
    extra: list[tuple[str, str]] = []
    for name, value in entry.fields:
        low = name.lower()
        twin = _BIBTEX_TWINS.get(low)
        if low == "institution" and kind in ("phdthesis", "mastersthesis"):
            twin = "school"
        if twin and twin not in have:
            extra.append((twin, value))
            have.add(twin)
        elif low == "date" and "year" not in have:
            parts = value.strip().split("-")
            if parts[0][:4].isdigit():
                extra.append(("year", parts[0][:4]))
                have.add("year")
                month = int(parts[1][:2]) if len(parts) > 1 and parts[1][:2].isdigit() else 0
                if 1 <= month <= 12 and "month" not in have:
                    extra.append(("month", MONTHS[month - 1]))
                    have.add("month")
    fields = entry.fields
    if entry.type == "set":  # BibTeX knows no sets: its crossref would make a member a parent
        fields = tuple((n, v) for n, v in fields if n.lower() != "crossref")
    if kind == entry.type and not extra and fields == entry.fields:
        return entry
    return BibEntry(kind, fields + tuple(extra), entry.aliases)


# ----------------------------------------------------------------------------- writing


@dataclass
class _Written:
    text: str
    losses: Losses = field(default_factory=Losses)


_MONTH_EXPANSIONS = {name: macro for macro, name in MONTH_MACROS.items()}


def _month_value(value: str, generated: bool) -> str | None:
    """The month macro (``jan`` … ``dec``) to write for a month field, if any: for a stored
    entry only when its value is a macro's expansion ("January", read from ``jan``), so a
    braced ``{jan}`` or ``{02}`` stays as it was; for a generated one, its ``jan`` …"""
    if generated:
        return value if value in MONTHS else None
    return _MONTH_EXPANSIONS.get(value)


def write_entry(
    key: str,
    entry: BibEntry,
    options: BibTeXOptions,
    *,
    generated: bool = False,
    losses: Losses | None = None,
) -> str:
    """One entry (no trailing newline); a ``%`` comment line first if characters were lost.

    Values of a generated entry are already written for the options' character set; those
    of a stored entry are LaTeX as it came, made ASCII here unless the options keep UTF-8.
    """
    losses = losses if losses is not None else Losses()
    utf8 = options.utf8
    lines = []
    for name, value in entry.fields:
        low = name.lower()
        if low == "month":
            macro = _month_value(value, generated)
            if macro:
                lines.append(f"  {name} = {macro}")
                continue
        if not generated:
            if low in VERBATIM_FIELDS:
                pass
            else:
                value = safe_latex(value)
                if not utf8:
                    lost = Losses()
                    value = ascii_latex(value, lost)
                    losses.add(lost)
        lines.append(f"  {name} = {{{value}}}")
    body = ",\n".join(lines)
    text = f"@{entry.type}{{{key},\n{body}\n}}"
    if losses:
        text = _loss_comment(key, losses) + "\n" + text
    return text


def _loss_comment(key: str, losses: Losses) -> str:
    """A ``%`` line BibTeX ignores (text outside entries), naming what was lost and how."""
    chars = sorted(set(losses.approximated) | set(losses.dropped) | set(losses.transliterated))
    shown = " ".join(f"U+{ord(c):04X}" for c in chars[:12]) + (" ..." if len(chars) > 12 else "")
    parts = []
    if losses.approximated:
        parts.append(f"{len(losses.approximated)} approximated")
    if losses.transliterated:
        parts.append(f"{len(losses.transliterated)} transliterated")
    if losses.dropped:
        parts.append(f"{len(losses.dropped)} dropped")
    return (
        f"% {key}: characters without a plain-LaTeX form ({', '.join(parts)}: {shown}); "
        "export in Unicode mode (biber) to keep them"
    )


def _with_extras(
    entry: BibEntry, paper: Paper, options: BibTeXOptions, generated: bool
) -> BibEntry:
    """``entry`` with ``ids`` (its aliases) and, when asked, ``keywords`` (the tags)."""
    fields = list(entry.fields)
    if entry.aliases:
        names = [n.lower() for n, _ in fields]
        if "ids" in names:
            i = names.index("ids")
            have = [k.strip() for k in fields[i][1].split(",") if k.strip()]
            fields[i] = ("ids", ", ".join(dict.fromkeys([*have, *entry.aliases])))
        else:
            fields.append(("ids", ", ".join(entry.aliases)))
    if options.include_keywords and paper.tags:
        tags = ", ".join(paper.tags)
        if generated:
            tags = escape(tags, unicode=options.utf8)
        elif any(c in tags for c in "\\{}%&$#_^~"):
            tags = escape(tags, unicode=True)
        names = [n.lower() for n, _ in fields]
        if "keywords" in names:
            fields[names.index("keywords")] = ("keywords", tags)
        else:
            fields.append(("keywords", tags))
    return BibEntry(entry.type, tuple(fields), entry.aliases)


_CACHE: dict[tuple[object, ...], str] = {}
_CACHE_SIZE = 50_000


def format_paper(
    paper: Paper,
    key: str,
    options: BibTeXOptions = BibTeXOptions(),
    entry: BibEntry | None = None,
) -> str:
    """The entry for one paper: its stored ``entry`` if it has one, else one made from it.

    Remembered for the process (by everything it depends on, so never stale): an
    auto-exported file of 10,000 papers is rewritten after one change by rendering one."""
    cache_key = (paper, key, options, entry)
    text = _CACHE.get(cache_key)
    if text is None:
        text = _format_paper(paper, key, options, entry)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[cache_key] = text
    return text


def _format_paper(paper: Paper, key: str, options: BibTeXOptions, entry: BibEntry | None) -> str:
    if entry is not None and entry.fields:
        stored = for_bibtex(entry) if options.format == "bibtex" else entry
        return write_entry(key, _with_extras(stored, paper, options, False), options)
    made, losses = generated_entry(paper, options)
    made = BibEntry(made.type, made.fields, entry.aliases if entry else ())
    return write_entry(
        key, _with_extras(made, paper, options, True), options, generated=True, losses=losses
    )


def to_bibtex(
    papers: Sequence[Paper],
    keys: Mapping[str, str] | None = None,
    options: BibTeXOptions = BibTeXOptions(),
    entries: Mapping[str, BibEntry] | None = None,
    preambles: Sequence[str] = (),
) -> str:
    """BibTeX text for ``papers``, in the order given: pure and deterministic.

    Keys come from ``keys`` (``paper id → key``), else the paper's stored ``cite_key``, else are
    made here with :func:`~desktop_app.bibtex.keys.assign_keys` (use :func:`export_bibtex` to
    have them stored). ``entries`` are the papers' stored entries (by paper id); ``preambles``
    lead the file when one of the papers has a stored entry. In the default mode the text is
    pure ASCII.
    """
    check_pattern(options.key_pattern)
    check_format(options.format)
    all_keys = _keys_for(papers, keys, options.key_pattern)
    if not papers:
        return ""
    entries = entries or {}
    blocks = []
    if preambles and any(p.id in entries for p in papers):
        # One block: BibTeX runs preambles together ("\\makeatother" + "\\foo" would be
        # "\\makeatother\\foo"), so they are joined by spaces here.
        text = " ".join(preambles)
        blocks.append(f"@preamble{{{{{text if options.utf8 else ascii_latex(text)}}}}}")
    blocks += [format_paper(p, all_keys[p.id], options, entries.get(p.id)) for p in papers]
    return "\n\n".join(blocks) + "\n"


# ----------------------------------------------------------------------------- services


def ensure_keys(repo: Repository, papers: Sequence[Paper], pattern: str) -> dict[str, str]:
    """Keys for ``papers``; new ones are assigned and stored in the same transaction.

    The caller holds ``repo.transaction()``, so two exports running at once cannot hand out the
    same key (the write lock is taken before the taken keys are read). A read-only library
    gets the same keys, unstored (the next export of a writable copy may store others).
    """
    keys = {p.id: p.cite_key for p in papers if p.cite_key}
    need = [p for p in papers if not p.cite_key]
    if need:
        new = assign_keys(need, repo.taken_keys(), pattern)
        if not repo.read_only:
            repo.set_cite_keys(new)
        keys.update(new)
    return keys


@dataclass(frozen=True)
class ExportData:
    """What an export of some papers writes, read in one go: the papers sorted by their
    citation keys, the keys, the stored entries and the library's preambles."""

    papers: tuple[Paper, ...]
    keys: Mapping[str, str]
    entries: Mapping[str, BibEntry]
    preambles: tuple[str, ...]
    published: Mapping[str, BibEntry] = field(default_factory=dict)  # found versions


def export_data(repo: Repository, paper_ids: Sequence[str], key_pattern: str) -> ExportData:
    """Read everything an export of ``paper_ids`` needs, storing keys for papers exported for
    the first time. Raises NotFoundError for an unknown id, before anything is stored."""
    check_pattern(key_pattern)
    ids = list(dict.fromkeys(paper_ids))
    with contextlib.nullcontext() if repo.read_only else repo.transaction():
        papers = repo.get_many(ids)
        if len(papers) != len(ids):
            found = {p.id for p in papers}
            missing = next(i for i in ids if i not in found)
            raise NotFoundError(f"No paper {missing} in the library.")
        keys = ensure_keys(repo, papers, key_pattern)
        # As the library now has them (so what is rendered is what a later read gives).
        papers = [p if p.cite_key else replace(p, cite_key=keys[p.id]) for p in papers]
        entries = repo.entries(ids)
        preambles = tuple(repo.preambles()) if entries else ()
        published = {pid: v.entry for pid, v in repo.published(ids).items() if v.entry is not None}
    ordered = tuple(sorted(papers, key=lambda p: (keys[p.id].casefold(), keys[p.id], p.id)))
    return ExportData(ordered, keys, entries, preambles, published)


def export_bibtex(
    repo: Repository, paper_ids: Sequence[str], options: BibTeXOptions = BibTeXOptions()
) -> str:
    """The given papers (sorted by key) in the options' format (BibTeX, biblatex, CSL-JSON or
    RIS), storing keys for papers exported first.

    ``repo`` is a :class:`~desktop_app.store.Repository`. Raises NotFoundError for an unknown
    id and InvalidInputError for a bad key pattern or format, before anything is stored.
    """
    check_format(options.format)
    data = export_data(repo, paper_ids, options.key_pattern)
    return render(data, options)


def render(data: ExportData, options: BibTeXOptions) -> str:
    """The text of an export (pure: everything it needs is in ``data``)."""
    entries = dict(data.entries)
    if data.published:  # preprints go out in their published form, the eprint kept
        made = replace(options, unicode=True) if options.is_bibtex else options
        for paper in data.papers:
            version = data.published.get(paper.id)
            if version is not None:
                base = entries.get(paper.id)
                if base is None or not base.fields:
                    base, _ = generated_entry(paper, made)
                entries[paper.id] = published_form(base, version)
    if options.is_bibtex:
        return to_bibtex(data.papers, data.keys, options, entries, data.preambles)
    from desktop_app.bibtex.interchange import plain_entry

    plain = []
    for paper in data.papers:
        entry = entries.get(paper.id)
        if entry is None or not entry.fields:
            entry, _ = generated_entry(paper, replace(options, unicode=True, format="biblatex"))
        tags = paper.tags if options.include_keywords else ()
        plain.append(plain_entry(data.keys[paper.id], entry, tags))
    if options.format == "csl-json":
        from desktop_app.bibtex.csl import to_csl_json

        return to_csl_json(plain)
    from desktop_app.bibtex.ris import to_ris

    return to_ris(plain)


export_bibliography = export_bibtex


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
    kind = options.format if options.format in ("csl-json", "ris") else "bibliography"
    path = check_target(target, library=repo.path, kind=kind, force=force)
    return write_atomic(path, export_bibtex(repo, paper_ids, options))
