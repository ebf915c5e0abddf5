"""RIS in and out, through rispy (the format's well-kept Python library).

In (:func:`read_ris`): each record becomes BibTeX fields — ``TY`` the type (``JOUR`` →
article, ``CONF`` → inproceedings, ``CHAP`` → incollection, ``THES`` → phdthesis…), ``AU``/``A1``
the authors ("Last, First"), ``A2`` the editors, ``TI``/``T1`` the title, ``T2``/``JO``/``JF`` the
journal or book title, ``PY``/``Y1``/``DA`` the date, ``SP``–``EP`` the pages, ``KW`` the
keywords (and so tags), and so on. A record's line is where its ``TY`` is.

Out (:func:`to_ris`): the same mapping backwards, one record per entry, ``ID`` the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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

_FROM_RIS = {
    **dict.fromkeys(["JOUR", "JFULL", "MGZN", "NEWS", "EJOUR", "ABST", "INPR"], "article"),
    **dict.fromkeys(["CONF", "CPAPER"], "inproceedings"),
    **dict.fromkeys(["BOOK", "EBOOK", "EDBOOK", "WHOLE"], "book"),
    **dict.fromkeys(["CHAP", "ECHAP"], "incollection"),
    "THES": "phdthesis",
    "RPRT": "techreport",
    **dict.fromkeys(["UNPB", "MANSCPT"], "unpublished"),
    **dict.fromkeys(["ELEC", "WEB", "BLOG"], "online"),
    "PAT": "patent",
    "COMP": "software",
    **dict.fromkeys(["DATA", "DBASE"], "dataset"),
    "PAMP": "booklet",
}
_TO_RIS = {
    "article": "JOUR",
    "inproceedings": "CONF",
    "conference": "CONF",
    "book": "BOOK",
    "mvbook": "BOOK",
    "collection": "EDBOOK",
    "proceedings": "CONF",
    "inbook": "CHAP",
    "incollection": "CHAP",
    "bookinbook": "CHAP",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "thesis": "THES",
    "techreport": "RPRT",
    "report": "RPRT",
    "unpublished": "UNPB",
    "online": "ELEC",
    "www": "ELEC",
    "patent": "PAT",
    "software": "COMP",
    "dataset": "DATA",
    "booklet": "PAMP",
    "manual": "BOOK",
}
_DATE_RE = re.compile(r"^\s*(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?")


def _person(name: str) -> PersonName | None:
    """A RIS name ("Last, First, Suffix" or, loosely, "First Last")."""
    parts = [p.strip() for p in name.split(",")]
    if not parts[0]:
        return None
    if len(parts) == 1:
        from desktop_app.bibtex.names import person_from_display

        return person_from_display(parts[0])
    return PersonName(family=parts[0], given=parts[1], jr=parts[2] if len(parts) > 2 else "")


def _one(value: Any) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if str(v).strip())
    return strip_markup(str(value)).strip() if value is not None else ""


def record_entry(rec: dict[str, Any], line: int) -> RawEntry:
    """BibTeX fields for one rispy record."""
    ty = str(rec.get("type_of_reference") or "GEN").strip().upper()
    kind = thesis_kind(_FROM_RIS.get(ty, "misc"), _one(rec.get("type_of_work")))
    fields = FieldList()
    put = fields.put

    people = [
        p
        for p in (_person(n) for n in [*rec.get("authors", []), *rec.get("first_authors", [])])
        if p
    ]
    if people:
        fields.append(("author", latex_names(people)))
    put("title", _one(rec.get("title") or rec.get("primary_title")), title=True)
    unknown = rec.get("unknown_tag") or {}
    editor_names = [*rec.get("secondary_authors", []), *unknown.get("ED", [])]  # ED: EndNote's
    editors = [p for p in (_person(n) for n in editor_names) if p]
    if editors and (kind in ("incollection", "inproceedings", "book") or unknown.get("ED")):
        fields.append(("editor", latex_names(editors)))
    container = _one(
        rec.get("secondary_title")
        or rec.get("journal_name")
        or rec.get("alternate_title3")
        or rec.get("alternate_title2")
    )
    if kind == "article":
        put("journal", container)
    elif kind in ("inproceedings", "incollection"):
        put("booktitle", container)
    elif container and kind not in ("book", "phdthesis", "mastersthesis", "techreport"):
        put("howpublished", container)
    put("series", _one(rec.get("tertiary_title")))
    year = month = None
    for name in ("year", "publication_year", "date"):
        m = _DATE_RE.match(_one(rec.get(name)))
        if m:
            year = year or int(m.group(1))
            if m.group(2) and 1 <= int(m.group(2)) <= 12:
                month = month or int(m.group(2))
    if year:
        fields.append(("year", str(year)))
        if month_field(month):
            fields.append(("month", month_field(month) or ""))
    put("volume", _one(rec.get("volume")))
    put("number", _one(rec.get("number")))
    start, end = _one(rec.get("start_page")), _one(rec.get("end_page"))
    if start:
        fields.append(("pages", f"{start}--{end}" if end and end != start else start))
    publisher = {"techreport": "institution", "phdthesis": "school", "mastersthesis": "school"}
    put(publisher.get(kind, "publisher"), _one(rec.get("publisher")))
    put("address", _one(rec.get("place_published")))
    put("edition", _one(rec.get("edition")))
    put("doi", _one(rec.get("doi")), raw=True)
    urls = rec.get("urls") or []
    put("url", str(urls[0]).strip() if urls else "", raw=True)
    put("abstract", _one(rec.get("abstract") or rec.get("notes_abstract")))
    notes = [n for n in rec.get("notes", []) if str(n).strip()]
    put("note", "; ".join(str(n) for n in notes))
    put("issn", _one(rec.get("issn")), raw=True)
    put("keywords", ", ".join(str(k).strip() for k in rec.get("keywords", []) if str(k).strip()))
    put("language", _one(rec.get("language")))
    key = _one(rec.get("id"))
    return RawEntry(kind, key if re.match(r"^\S+$", key) else "", fields, line)


def read_ris(text: str) -> ParsedBib:
    """The records of a RIS text (problems for those without title and author)."""
    import rispy

    lines = [i for i, ln in enumerate(text.splitlines(), 1) if re.match(r"^\s*TY  - ", ln)]
    out = ParsedBib()
    try:
        records = rispy.loads(text)
    except (ValueError, KeyError, IndexError) as exc:
        out.problems.append(Problem(1, f"the RIS cannot be read: {exc}"))
        return out
    for i, rec in enumerate(records):
        line = lines[i] if i < len(lines) else 1
        entry = record_entry(rec, line)
        if not entry.get("title") and not entry.get("author"):
            out.problems.append(Problem(line, "the record has neither title nor author; skipped"))
            continue
        out.entries.append(entry)
    return out


def _ris_name(p: PersonName) -> str:
    if p.literal:
        return p.literal
    family = " ".join(x for x in (p.von, p.family) if x)
    return ", ".join(x for x in (family, p.given, p.jr) if x)


def ris_record(e: PlainEntry) -> dict[str, Any]:
    kind = _TO_RIS.get(e.type, "GEN")
    arxiv = (
        e.get("eprint")
        if (e.get("archiveprefix", "eprinttype") or "arxiv").lower() == ("arxiv")
        else None
    )
    if arxiv and kind in ("GEN", "ELEC"):
        kind = "UNPB"  # a preprint: RIS has no type of its own for one
    rec: dict[str, Any] = {"type_of_reference": kind, "id": e.key}
    if e.authors:
        rec["authors"] = [_ris_name(p) for p in e.authors]
    if e.editors:
        rec["secondary_authors"] = [_ris_name(p) for p in e.editors]
    if e.get("title"):
        rec["title"] = e.fields["title"]
    container = e.get("journaltitle", "journal", "booktitle")
    if container:
        rec["secondary_title"] = container
    if e.get("series"):
        rec["tertiary_title"] = e.fields["series"]
    if e.year:
        rec["year"] = str(e.year)
        if e.month:
            rec["date"] = (
                f"{e.year}/{e.month:02d}/{e.day:02d}" if e.day else f"{e.year}/{e.month:02d}"
            )
    simple = {
        "volume": ("volume",),
        "number": ("number", "issue"),
        "publisher": ("publisher", "school", "institution", "organization"),
        "place_published": ("location", "address"),
        "edition": ("edition",),
        "doi": ("doi",),
        "abstract": ("abstract",),
        "issn": ("issn", "isbn"),
        "language": ("langid", "language"),
    }
    for ris_name, names in simple.items():
        value = e.get(*names)
        if value:
            rec[ris_name] = value
    if e.get("pages"):
        start, _, end = pages_text(e.fields["pages"]).partition("-")
        rec["start_page"] = start.strip()
        if end.strip():
            rec["end_page"] = end.strip()
    if e.get("url"):
        rec["urls"] = [e.fields["url"]]
    notes = [e.fields["note"]] if e.get("note") else []
    if arxiv:
        notes.append(f"arXiv:{arxiv}")
    if notes:
        rec["notes"] = notes
    if e.keywords:
        rec["keywords"] = list(e.keywords)
    if arxiv:
        rec.setdefault("urls", [f"https://arxiv.org/abs/{arxiv}"])
    return rec


def to_ris(entries: Iterable[PlainEntry]) -> str:
    """RIS text for entries, in the order given (records separated by a blank line, without
    rispy's "1." counters, which other readers do not expect)."""
    import rispy

    class Writer(rispy.RisWriter):  # type: ignore[misc]
        def set_header(self, count: int) -> str:
            return ""

    text = str(rispy.dumps([ris_record(e) for e in entries], implementation=Writer))
    return re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")
