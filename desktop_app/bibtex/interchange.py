"""What CSL-JSON and RIS share: entries read as plain text, and text written as entries.

The library keeps every entry as BibTeX fields (LaTeX source). Formats that carry plain text
(CSL-JSON, RIS) are read into such fields — text escaped for LaTeX, names joined as BibTeX
names — and written from them, decoded. :class:`PlainEntry` is the decoded view an exporter
works from: its fields as Unicode text, its people in parts, its dates as numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from desktop_app.bibtex.generate import format_person
from desktop_app.bibtex.latex import Losses, decode, escape
from desktop_app.bibtex.names import parse_names
from desktop_app.bibtex.parse import MONTH_MACROS
from desktop_app.bibtex.records import MONTHS, entry_dates, month_number
from desktop_app.domain import BibEntry, PersonName

FULL_MONTHS = tuple(MONTH_MACROS.values())  # January … December
_TAG_RE = re.compile(r"<(/?)([\w:.-]+)[^>]*>")
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "title", "sec", "li", "jats:p", "jats:title", "jats:sec"}
)


def latex_text(text: str, *, title: bool = False) -> str:
    """Plain text as a field value: LaTeX's specials escaped, Unicode kept; a title's
    acronyms and camel-case words protected, as for fetched titles."""
    return escape(" ".join(text.split()), unicode=True, protect=title)


def latex_names(people: list[PersonName]) -> str:
    """People as a BibTeX name list ("von Last, Jr, First and …")."""
    losses = Losses()
    return " and ".join(n for n in (format_person(p, True, losses) for p in people) if n)


def month_field(month: int | None) -> str | None:
    """A month as stored from a file's ``month = jan``: its English name."""
    return FULL_MONTHS[month - 1] if month and 1 <= month <= 12 else None


def strip_markup(text: str) -> str:
    """Text without XML/HTML/JATS tags (Crossref abstracts come as ``<jats:p>…``): a block
    tag is a space, an inline one (``<sup>``, ``<i>``) nothing."""
    if "<" not in text:
        return text
    out = _TAG_RE.sub(lambda m: " " if m.group(2).lower() in _BLOCK_TAGS else "", text)
    return " ".join(out.split())


@dataclass
class PlainEntry:
    """An entry decoded for the plain-text formats."""

    key: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)  # lower-case name → text
    authors: tuple[PersonName, ...] = ()
    editors: tuple[PersonName, ...] = ()
    year: int | None = None
    month: int | None = None
    day: int | None = None
    keywords: tuple[str, ...] = ()

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.fields.get(name)
            if value:
                return value
        return None


def plain_entry(key: str, entry: BibEntry, tags: tuple[str, ...] = ()) -> PlainEntry:
    """The decoded view of an entry (LaTeX undone, names split, dates read)."""
    raw: dict[str, str] = {}
    for name, value in entry.fields:
        raw.setdefault(name.lower(), value)
    verbatim = {"url", "doi", "eprint", "file"}
    fields = {n: (v if n in verbatim else decode(v)) for n, v in raw.items()}
    authors, _ = parse_names(raw.get("author", ""))
    editors, _ = parse_names(raw.get("editor", ""))
    year, published = entry_dates(raw)
    month = published.month if published else None
    if month is None and raw.get("month"):
        month = month_number(decode(raw["month"]))
    has_day = bool(raw.get("day")) or raw.get("date", "").count("-") == 2
    day = published.day if published and has_day else None
    if tags:
        keywords = tags
    else:
        words = re.split(r"[,;]", fields.get("keywords", ""))
        keywords = tuple(k.strip() for k in words if k.strip())
    return PlainEntry(
        key=key,
        type=entry.type,
        fields=fields,
        authors=tuple(p for p in authors if not p.is_others),
        editors=tuple(p for p in editors if not p.is_others),
        year=year,
        month=month,
        day=day,
        keywords=keywords,
    )


class FieldList(list[tuple[str, str]]):
    """The fields of an entry being read from plain text, in order."""

    def put(self, name: str, value: str, *, title: bool = False, raw: bool = False) -> None:
        """Add ``value`` (plain text, escaped for LaTeX unless ``raw``) if it is not empty."""
        if value:
            self.append((name, value if raw else latex_text(value, title=title)))


def thesis_kind(kind: str, genre: str) -> str:
    """``mastersthesis`` for a thesis whose genre says master's, else ``kind``."""
    return "mastersthesis" if kind == "phdthesis" and "master" in genre.lower() else kind


def pages_text(pages: str) -> str:
    """Pages with an ASCII hyphen for a range ("354–359", "354--359" → "354-359")."""
    return re.sub(r"\s*(?:--|–|—)\s*", "-", pages)


__all__ = [
    "FULL_MONTHS",
    "MONTHS",
    "FieldList",
    "PlainEntry",
    "latex_names",
    "latex_text",
    "month_field",
    "pages_text",
    "plain_entry",
    "strip_markup",
    "thesis_kind",
]
