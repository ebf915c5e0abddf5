"""CSL-JSON and RIS, in and out, on real data (tests/corpus: JabRef's RIS tests with the BibTeX
JabRef makes of each, citation-js's CSL items, Crossref's JSON, the CSL-JSON schema)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desktop_app.bibtex import BibTeXOptions, export_bibtex, import_bibliography
from desktop_app.bibtex.csl import read_csl_json
from desktop_app.bibtex.importer import sniff_format
from desktop_app.bibtex.parse import decode_bytes, parse_bibtex
from desktop_app.bibtex.records import convert
from desktop_app.bibtex.ris import read_ris
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.errors import BibTeXError, InvalidInputError
from desktop_app.store import Repository

CORPUS = Path(__file__).parent / "corpus"
RIS = sorted((CORPUS / "jabref" / "ris").glob("RisImporterTest*.ris"))


@pytest.fixture
def mixed(repo: Repository) -> Repository:
    """Fetched papers and entries imported from BibTeX files."""
    repo.upsert_papers(
        [
            PaperRecord(
                id="1706.03762",
                title="Attention Is All You Need",
                authors=("Ashish Vaswani", "Noam Shazeer", "Gemini Team"),
                published=date(2017, 6, 12),
                primary_category="cs.CL",
                doi="10.48550/arXiv.1706.03762",
            ),
            PaperRecord(
                id="1612.00013",
                title="Published a Year Later",
                authors=("Carol Writer",),
                published=date(2016, 12, 1),
                journal_ref="Nature 550(7676), 354-359 (2017)",
            ),
        ]
    )
    for name in ("biblatex-software.bib", "jabref-authors.bib", "crossref.bib"):
        import_bibliography(repo, CORPUS / "jabref" / name)
    return repo


def test_formats_are_told_by_content() -> None:
    assert sniff_format('[{"id": "a", "type": "book"}]') == "csl-json"
    assert sniff_format("TY  - JOUR\nTI  - x\nER  - \n") == "ris"
    assert sniff_format("@article{a, title = {x}}") == "bibtex"
    assert sniff_format("{\\rtf1 @misc{a}}") == "bibtex"


# ----------------------------------------------------------------------------- CSL-JSON


def test_csl_export_is_valid_csl_json(mixed: Repository) -> None:
    import jsonschema

    text = export_bibtex(mixed, mixed.ids(FeedQuery()), BibTeXOptions(format="csl-json"))
    items = json.loads(text)
    schema = json.loads((CORPUS / "csl" / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.validate(items, schema)
    assert len(items) == len(mixed.ids(FeedQuery()))
    by_id = {i["id"]: i for i in items}
    attention = by_id["vaswani2017attention"]
    assert attention["type"] == "article" and attention["number"] == "arXiv:1706.03762"
    assert attention["author"][2] == {"literal": "Gemini Team"}
    assert attention["issued"] == {"date-parts": [[2017, 6, 12]]}
    published = by_id["writer2016published"]
    assert (published["type"], published["container-title"], published["page"]) == (
        "article-journal",
        "Nature",
        "354-359",
    )


def test_csl_export_renders_with_citeproc(mixed: Repository) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    items = json.loads(
        export_bibtex(mixed, mixed.ids(FeedQuery()), BibTeXOptions(format="csl-json"))
    )
    import citeproc

    bundled = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    style = CitationStylesStyle(str(bundled), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    assert any(r.startswith("Vaswani, A., Shazeer, N. and Gemini Team (2017)") for r in rendered)


def test_csl_items_become_entries_of_the_matching_type() -> None:
    parsed = read_csl_json((CORPUS / "csl" / "citationjs-bibtex-csl.json").read_text())
    kinds = {e.key: e.type for e in parsed.entries}
    assert kinds["Article"] == "article" and kinds["InProceedings"] == "inproceedings"
    assert kinds["InCollection"] == "incollection" and kinds["TechReport"] == "techreport"
    assert kinds["Unpublished"] == "unpublished" and kinds["MastersThesis2"] == "mastersthesis"
    article = dict(parsed.entries[0].fields)
    assert article == {
        "author": "Adams, Alice and Brody, Bob",
        "title": "Lorem Ipsum",
        "journal": "The BibTeX Journal",
        "year": "2020",
        "month": "February",
        "volume": "5",
        "number": "6",
        "pages": "200--210",
        "note": "This is a note.",
    }
    assert parsed.problems == []


def test_crossref_json_is_understood(repo: Repository) -> None:
    report = import_bibliography(repo, CORPUS / "csl" / "crossref-doi.json")
    assert report.format == "csl-json" and report.new == 4
    hall = repo.get_many(repo.ids(FeedQuery(text="Amines")))[0]
    assert hall.title == "Correlation of the Base Strengths of Amines1"  # <sup>1</sup>
    assert hall.authors == ("H. K. Hall Jr.",)
    assert (hall.venue, hall.volume, hall.number, hall.pages) == (
        "Journal of the American Chemical Society",
        "79",
        "20",
        "5441–5444",
    )
    (covid,) = repo.get_many(repo.ids(FeedQuery(text="humoral")))
    assert covid.abstract.startswith("Abstract High COVID-19 mortality")  # JATS tags gone
    assert "<jats" not in covid.abstract


def test_csl_round_trip(mixed: Repository, tmp_path: Path) -> None:
    ids = mixed.ids(FeedQuery())
    text = export_bibtex(mixed, ids, BibTeXOptions(format="csl-json"))
    again = Repository.open(tmp_path / "again.sqlite3")
    report = import_bibliography(again, text)
    assert report.new == len(ids) and report.problems == ()

    def view(repo: Repository) -> set[tuple[object, ...]]:
        return {
            (p.cite_key, p.title, p.authors, p.shown_year, p.venue or None)
            for p in repo.get_many(repo.ids(FeedQuery()))
        }

    # The year is the published version's where there is one (Nature 2017 for a 2016 preprint)
    published = {"writer2016published": 2017}

    def keyed(rows: set[tuple[object, ...]]) -> dict[object, tuple[object, ...]]:
        return {r[0]: (r[1], r[2], published.get(str(r[0]), r[3])) for r in rows}

    assert keyed(view(mixed)) == keyed(view(again))
    assert {r for r in view(mixed) if r[4]} <= view(again) | {
        r for r in view(mixed) if r[0] in published
    }
    again.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": "a", "title": "x"', "not valid JSON: line 1, column 26"),
        ("[]", "holds no CSL-JSON items"),
    ],
)
def test_broken_csl_json_is_refused_with_the_reason(
    repo: Repository, text: str, message: str
) -> None:
    with pytest.raises(BibTeXError, match=message):
        import_bibliography(repo, text)
    assert repo.stats()["papers"] == 0


def test_csl_items_that_are_no_items_are_problems(repo: Repository) -> None:
    report = import_bibliography(repo, '[{"id": "a", "title": "T"}, 7, {"id": "b"}]')
    assert report.new == 1
    assert [str(p) for p in report.problems] == [
        "item 2: is not a CSL item (an object); skipped",
        "item 3: has neither title nor author; skipped",
    ]


# ----------------------------------------------------------------------------- RIS


@pytest.mark.parametrize("path", RIS, ids=[p.stem for p in RIS])
def test_ris_reads_what_jabref_reads(path: Path) -> None:
    """Title, year, volume, pages and DOI as JabRef makes them of the same record (where
    JabRef departs from the RIS spec, the test says so)."""
    (ours,) = read_ris(decode_bytes(path.read_bytes())[0]).entries
    (theirs,) = parse_bibtex(decode_bytes(path.with_suffix(".bib").read_bytes())[0]).entries
    a, b = convert(ours, []), convert(theirs, [])
    quirks = {
        # JabRef joins every T1/TI line into one title and calls a BOOK with a school a thesis
        "RisImporterTest1": {"title", "authors", "type", "venue"},
        "RisImporterTest6": {"title"},  # JabRef turns an em dash into an en dash
        "RisImporterTest7": {"authors"},  # JabRef takes A2 (secondary authors) for authors
        "RisImporterTestDoiAndJournalTitle": {"title"},  # a patent without TI: ours says so
    }.get(path.stem, set())
    for field in ("title", "year", "volume", "pages", "doi"):
        if field not in quirks:
            assert getattr(a, field) == getattr(b, field), field
    if "authors" not in quirks:
        assert [p.family for p in a.authors] == [p.family for p in b.authors]


def test_a_corrupted_ris_file_is_refused(repo: Repository) -> None:
    with pytest.raises(BibTeXError, match="holds no RIS records"):
        import_bibliography(repo, CORPUS / "jabref" / "ris" / "RisImporterCorrupted.ris")


def test_ris_round_trip_keeps_arxiv_preprints(mixed: Repository, tmp_path: Path) -> None:
    ids = mixed.ids(FeedQuery())
    text = export_bibtex(mixed, ids, BibTeXOptions(format="ris"))
    assert "TY  - UNPB\nID  - vaswani2017attention\n" in text
    again = Repository.open(tmp_path / "again.sqlite3")
    report = import_bibliography(again, text)
    assert report.format == "ris" and report.new == len(ids)
    assert again.get("1706.03762").authors == ("Ashish Vaswani", "Noam Shazeer", "Gemini Team")
    assert {p.title for p in again.get_many(again.ids(FeedQuery()))} == {
        p.title for p in mixed.get_many(ids)
    }
    again.close()


def test_an_unknown_format_is_refused(repo: Repository) -> None:
    with pytest.raises(InvalidInputError, match="Unknown bibliography format 'docx'"):
        export_bibtex(repo, [], BibTeXOptions(format="docx"))
