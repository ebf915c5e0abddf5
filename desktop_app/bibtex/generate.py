"""Entries made from fetched papers (Hugging Face, arXiv), which come with no entry of their own.

Shape (field order fixed, so exports diff cleanly):

- A preprint is ``@misc`` (BibTeX) or ``@online`` (biblatex): title, author, year and month
  of the *first* version (biblatex: ``date``), ``eprint``, ``archivePrefix``/``primaryClass``
  (biblatex: ``eprinttype``/``eprintclass``), doi, url. A journal reference that is not one
  of the shapes :mod:`journal_ref` reads goes whole into ``note``.
- A paper whose journal reference is read becomes ``@article`` with journal (biblatex:
  ``journaltitle``), volume, number, pages and the journal's year; the eprint stays.
- Local papers (imported from a .bib by an earlier version, ``local:…`` ids, without a stored
  entry) get no eprint fields and no url.
- No ``key`` field: natbib styles would print it as the author. ``abstract`` only on request.

Text is escaped by :func:`latex.escape` (ASCII unless UTF-8 is asked for; characters without
a LaTeX form are recorded in the returned :class:`Losses`); names by :func:`format_person`,
with organisations ("Gemini Team") kept whole in braces.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from desktop_app.bibtex.journal_ref import parse_journal_ref
from desktop_app.bibtex.latex import Losses, escape
from desktop_app.bibtex.names import person_from_display
from desktop_app.bibtex.options import BibTeXOptions
from desktop_app.domain import BibEntry, Paper, PersonName, arxiv_url

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_URL_UNSAFE = str.maketrans({c: f"%{ord(c):02X}" for c in "{}\\ \t\n"})


def verbatim(value: str) -> str:
    """A URL or DOI that cannot end its field: braces, backslashes, spaces percent-encoded."""
    return value.strip().translate(_URL_UNSAFE)


def format_person(person: PersonName, unicode: bool, losses: Losses) -> str:
    """``von Last, Jr, First`` with every part escaped; an organisation as one braced unit.
    Characters that could not be written are added to ``losses``."""
    text, lost = _format_person(person, unicode)
    if lost:
        losses.add(lost)
    return text


@lru_cache(maxsize=65536)  # names repeat across a library; the Losses is read-only
def _format_person(person: PersonName, unicode: bool) -> tuple[str, Losses]:
    losses = Losses()

    def esc(part: str) -> str:
        return escape(part, unicode=unicode, math=False, losses=losses)

    return _join_person(person, esc), losses


def _join_person(person: PersonName, esc: Callable[[str], str]) -> str:
    if person.literal:
        text = esc(person.literal)
        return "" if not text else text if person.is_others else "{" + text + "}"
    last = esc(person.family)
    if not last:
        given = esc(person.given)
        return "{" + given + "}" if given else ""
    von_last = " ".join(p for p in (esc(person.von), last) if p)
    return ", ".join(p for p in (von_last, esc(person.jr), esc(person.given)) if p)


def generated_entry(paper: Paper, options: BibTeXOptions) -> tuple[BibEntry, Losses]:
    """The entry of a paper without a stored one, its values written for ``options``."""
    uni = options.utf8
    biblatex = options.format == "biblatex"
    losses = Losses()
    fields: list[tuple[str, str]] = [
        ("title", escape(paper.title, unicode=uni, protect=True, losses=losses))
    ]
    names = [format_person(person_from_display(a), uni, losses) for a in paper.authors]
    names = [n for n in names if n]
    if names:
        fields.append(("author", " and ".join(names)))
    year = paper.published.year if paper.published else paper.year
    ref = parse_journal_ref(paper.journal_ref) if paper.journal_ref else None
    note = None
    if ref is not None:
        kind = "article"
        fields.append(
            (
                "journaltitle" if biblatex else "journal",
                escape(ref.journal, unicode=uni, losses=losses),
            )
        )
        fields.append(("volume", ref.volume))
        if ref.number:
            fields.append(("number", escape(ref.number, unicode=uni)))
        if ref.pages:
            fields.append(("pages", ref.pages))
    else:
        kind = "online" if biblatex and not paper.is_local else "misc"
        if paper.journal_ref and paper.journal_ref.strip():
            note = escape(" ".join(paper.journal_ref.split()), unicode=uni, losses=losses)
    published = paper.published
    if ref is not None and ref.year != year:
        year, published = ref.year, None  # the published version's year, not the preprint's
    if biblatex and published:
        fields.append(("date", published.isoformat()))
    elif year:
        fields.append(("year", str(year)))
        if published:
            fields.append(("month", MONTHS[published.month - 1]))
    if not paper.is_local:
        fields.append(("eprint", paper.id))
        if biblatex:
            fields.append(("eprinttype", "arxiv"))
            if paper.primary_category:
                fields.append(("eprintclass", verbatim(paper.primary_category)))
        else:
            fields.append(("archivePrefix", "arXiv"))
            if paper.primary_category:
                fields.append(("primaryClass", verbatim(paper.primary_category)))
    if paper.doi and paper.doi.strip():
        fields.append(("doi", verbatim(paper.doi)))
    url = arxiv_url(paper.id)
    if url:
        fields.append(("url", url))
    if note:
        fields.append(("note", note))
    if options.include_abstract and paper.abstract.strip():
        fields.append(("abstract", escape(paper.abstract, unicode=uni, losses=losses)))
    return BibEntry(kind, tuple(fields)), losses


# What a preprint's own entry says about where it is; replaced by the published venue.
_PREPRINT_VENUE = frozenset(
    {
        "journal",
        "journaltitle",
        "booktitle",
        "howpublished",
        "publisher",
        "volume",
        "number",
        "pages",
        "series",
        "year",
        "month",
        "date",
        "venue",
    }
)


def published_form(base: BibEntry, version: BibEntry) -> BibEntry:
    """A preprint's entry as its published version: the version's type and venue fields in
    place of the preprint's own (``journal = {arXiv preprint …}``, its year), everything
    else — title, authors, the eprint fields, abstract, keywords — kept. The version's DOI
    replaces arXiv's own (10.48550/…)."""
    doi = version.get("doi")
    fields = [
        (n, v)
        for n, v in base.fields
        if n.lower() not in _PREPRINT_VENUE
        and not (doi and n.lower() == "doi" and v.lower().startswith("10.48550/"))
    ]
    have = {n.lower() for n, _ in fields}
    fields += [(n, v) for n, v in version.fields if n.lower() not in have]
    return BibEntry(version.type, tuple(fields), base.aliases)
