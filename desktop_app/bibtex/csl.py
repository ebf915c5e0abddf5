"""CSL-JSON in and out: what Zotero, Pandoc and citeproc read and write.

Out (:func:`to_csl_json`): one item per entry — ``id`` is the citation key, names are parts
(``family``/``given``/``non-dropping-particle``/``suffix``, or ``literal`` for an
organisation), dates are ``date-parts``, an arXiv preprint is an ``article`` with
``number = arXiv:ID`` (as Zotero writes it). ``tests/test_bibtex_csl.py`` checks the output
against the CSL-JSON schema and renders it with citeproc-py.

In (:func:`read_csl_json`): a list of items (or one item, or Crossref's own JSON, whose types
and list-valued titles are understood too), each becoming BibTeX fields. An item that is not
an object, or has neither title nor author, is a problem ("item N: …"); malformed JSON is
refused with its line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from desktop_app.bibtex.interchange import (
    FieldList,
    PlainEntry,
    latex_names,
    month_field,
    pages_text,
    strip_markup,
    thesis_kind,
)
from desktop_app.bibtex.parse import ParsedBib, Problem, RawEntry
from desktop_app.domain import PersonName
from desktop_app.errors import BibTeXError

# BibTeX/biblatex type → CSL type.
_TO_CSL = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "proceedings": "book",
    "manual": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "inreference": "entry-encyclopedia",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "booklet": "pamphlet",
    "unpublished": "manuscript",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "patent": "patent",
    "software": "software",
    "dataset": "dataset",
    "periodical": "periodical",
    "misc": "document",
}
# CSL (and Crossref) type → BibTeX type.
_FROM_CSL = {
    "article-journal": "article",
    "journal-article": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "proceedings-article": "inproceedings",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "chapter": "incollection",
    "book-chapter": "incollection",
    "entry-encyclopedia": "inreference",
    "entry-dictionary": "inreference",
    "thesis": "phdthesis",
    "dissertation": "phdthesis",
    "report": "techreport",
    "pamphlet": "booklet",
    "manuscript": "unpublished",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
    "patent": "patent",
    "software": "software",
    "dataset": "dataset",
    "periodical": "periodical",
    "article": "misc",  # CSL 1.0.2: a preprint
    "posted-content": "misc",  # Crossref's preprints
}


# ----------------------------------------------------------------------------- out


def _name(person: PersonName) -> dict[str, str]:
    if person.literal:
        return {"literal": person.literal}
    out = {"family": person.family}
    if person.given:
        out["given"] = person.given
    if person.von:
        out["non-dropping-particle"] = person.von
    if person.jr:
        out["suffix"] = person.jr
    return out


def _date(e: PlainEntry) -> dict[str, Any] | None:
    if not e.year:
        return None
    parts = [e.year]
    if e.month:
        parts.append(e.month)
        if e.day:
            parts.append(e.day)
    return {"date-parts": [parts]}


def csl_item(e: PlainEntry) -> dict[str, Any]:
    """One CSL-JSON item for an entry (see the module docstring)."""
    kind = _TO_CSL.get(e.type, "document")
    arxiv = (
        e.get("eprint")
        if (e.get("archiveprefix", "eprinttype") or "arxiv").lower() == ("arxiv")
        else None
    )
    if kind in ("document", "webpage") and arxiv:
        kind = "article"  # CSL's type for a preprint
    item: dict[str, Any] = {"id": e.key, "type": kind}
    title = e.get("title")
    if title:
        item["title"] = title
    if e.authors:
        item["author"] = [_name(p) for p in e.authors]
    if e.editors:
        item["editor"] = [_name(p) for p in e.editors]
    issued = _date(e)
    if issued:
        item["issued"] = issued
    container = e.get("journaltitle", "journal", "booktitle")
    if container:
        item["container-title"] = container
    simple = {
        "volume": ("volume",),
        "issue": ("number", "issue") if kind != "report" else ("issue",),
        "publisher": ("publisher", "school", "institution", "organization"),
        "publisher-place": ("location", "address"),
        "edition": ("edition",),
        "collection-title": ("series",),
        "DOI": ("doi",),
        "URL": ("url",),
        "abstract": ("abstract",),
        "note": ("note",),
        "ISBN": ("isbn",),
        "ISSN": ("issn",),
        "language": ("langid", "language"),
        "genre": ("type",),
    }
    for csl_name, names in simple.items():
        value = e.get(*names)
        if value:
            item[csl_name] = value
    if kind == "report" and e.get("number"):
        item["number"] = e.get("number")
    if e.get("pages"):
        item["page"] = pages_text(e.fields["pages"])
    if kind == "thesis" and "genre" not in item:
        item["genre"] = "Master's thesis" if e.type == "mastersthesis" else "PhD thesis"
    if arxiv:
        item["number"] = f"arXiv:{arxiv}"
        item.setdefault("publisher", "arXiv")
    if e.keywords:
        item["keyword"] = ", ".join(e.keywords)
    return item


def to_csl_json(entries: Iterable[PlainEntry]) -> str:
    """CSL-JSON text for entries, in the order given."""
    return json.dumps([csl_item(e) for e in entries], ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------------------------- in


def _text(value: Any) -> str:
    """A CSL string, or Crossref's one-element list of one."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    if isinstance(value, (int, float)):
        value = str(value)
    return strip_markup(value).strip() if isinstance(value, str) else ""


def _people(value: Any) -> list[PersonName]:
    people = []
    for n in value if isinstance(value, list) else []:
        if not isinstance(n, Mapping):
            continue
        if n.get("literal") or (n.get("family") and not n.get("given") and n.get("name")):
            people.append(PersonName(literal=_text(n.get("literal") or n.get("name"))))
            continue
        von = " ".join(
            x
            for x in (_text(n.get("dropping-particle")), _text(n.get("non-dropping-particle")))
            if x
        )
        person = PersonName(
            family=_text(n.get("family")),
            given=_text(n.get("given")),
            von=von,
            jr=_text(n.get("suffix")),
        )
        if person.family or person.given:
            people.append(person if person.family else PersonName(literal=person.given))
    return people


def _issued(item: Mapping[str, Any]) -> tuple[int | None, int | None, int | None]:
    for name in ("issued", "published-print", "published-online", "published", "posted"):
        value = item.get(name)
        if isinstance(value, Mapping):
            parts = value.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                nums = [int(p) for p in parts[0][:3] if str(p).strip().lstrip("-").isdigit()]
                if nums:
                    rest: list[int | None] = [*nums[1:], None, None]
                    return nums[0], rest[0], rest[1]
            raw = value.get("raw") or value.get("literal")
            m = re.search(r"\b(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", str(raw or ""))
            if m:
                return (
                    int(m.group(1)),
                    int(m.group(2)) if m.group(2) else None,
                    int(m.group(3)) if m.group(3) else None,
                )
    return None, None, None


def item_entry(item: Mapping[str, Any], index: int) -> RawEntry:
    """BibTeX fields for one CSL item (``index``: its 1-based position, reported as "item")."""
    ctype = str(item.get("type") or "")
    kind = thesis_kind(_FROM_CSL.get(ctype, "misc"), _text(item.get("genre")))
    fields = FieldList()
    put = fields.put

    authors = _people(item.get("author"))
    if authors:
        fields.append(("author", latex_names(authors)))
    put("title", _text(item.get("title")), title=True)
    editors = _people(item.get("editor"))
    if editors:
        fields.append(("editor", latex_names(editors)))
    container = _text(item.get("container-title"))
    container_field = {"article": "journal", "inproceedings": "booktitle"}.get(
        kind, "booktitle" if kind in ("incollection", "inreference") else "journal"
    )
    if kind not in ("book", "techreport", "phdthesis", "mastersthesis", "misc", "online"):
        put(container_field, container)
    elif container:
        put("howpublished" if kind in ("misc", "online") else "series", container)
    year, month, _ = _issued(item)
    if year:
        fields.append(("year", str(year)))
        if month_field(month):
            fields.append(("month", month_field(month) or ""))
    put("volume", _text(item.get("volume")))
    number = _text(item.get("number"))
    arxiv = re.match(r"^arxiv:\s*(\S+)$", number, re.I) if number else None
    put("number", _text(item.get("issue")) or ("" if arxiv else number))
    if _text(item.get("page")):
        fields.append(("pages", re.sub(r"\s*[-–—]\s*", "--", _text(item.get("page")))))
    publisher_field = {"techreport": "institution", "phdthesis": "school"}.get(kind, "publisher")
    if kind == "mastersthesis":
        publisher_field = "school"
    if not (arxiv and _text(item.get("publisher")).lower() == "arxiv"):
        put(publisher_field, _text(item.get("publisher")))
    put("address", _text(item.get("publisher-place")))
    put("edition", _text(item.get("edition")))
    put("series", _text(item.get("collection-title")))
    put("type", _text(item.get("genre")) if kind.endswith("thesis") or kind == "techreport" else "")
    put("doi", _text(item.get("DOI")), raw=True)
    put("url", _text(item.get("URL")), raw=True)
    if arxiv:
        fields += [("eprint", arxiv.group(1)), ("archiveprefix", "arXiv")]
    put("abstract", _text(item.get("abstract")))
    put("note", _text(item.get("note")))
    put("isbn", _text(item.get("ISBN")), raw=True)
    put("issn", _text(item.get("ISSN")), raw=True)
    put("keywords", _text(item.get("keyword")))
    put("language", _text(item.get("language")))
    key = _text(item.get("id")) or _text(item.get("citation-label"))
    return RawEntry(kind, key if re.match(r"^\S+$", key or "") else "", fields, index, "item")


def read_csl_json(text: str) -> ParsedBib:
    """The entries of a CSL-JSON text; BibTeXError when it is not JSON at all."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BibTeXError(
            f"The CSL-JSON is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}.",
            hint="Nothing was imported. Export it again from the program that made it.",
        ) from exc
    items = (
        data
        if isinstance(data, list)
        else data.get("items", [data])
        if isinstance(data, dict)
        else []
    )
    out = ParsedBib()
    for i, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            out.problems.append(Problem(i, "is not a CSL item (an object); skipped", "item"))
            continue
        entry = item_entry(item, i)
        if not entry.get("title") and not entry.get("author"):
            out.problems.append(Problem(i, "has neither title nor author; skipped", "item"))
            continue
        out.entries.append(entry)
    return out
