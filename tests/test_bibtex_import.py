"""Import: round trips, malformed files, duplicate detection and the merge rule."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from test_bibtex_golden import CASES, Case, generated_papers

from desktop_app.bibtex import BibTeXOptions, export_bibtex, import_bibtex, to_bibtex
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.errors import BibTeXError, InvalidInputError
from desktop_app.store import Repository


@pytest.fixture
def fresh(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A second, empty library."""
    repository = Repository.open(tmp_path / "fresh.sqlite3")
    yield repository
    repository.close()


def record(paper_id: str, title: str, *authors: str, **kw: object) -> PaperRecord:
    kw.setdefault("published", date(2017, 6, 12))
    return PaperRecord(id=paper_id, title=title, authors=authors, **kw)  # type: ignore[arg-type]


def without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("%"))


def imported_ids(report) -> list[str]:  # type: ignore[no-untyped-def]
    return list(dict.fromkeys(e.paper_id for e in report.entries if e.paper_id))


# ----------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_round_trip_golden(case: Case, fresh: Repository) -> None:
    options = BibTeXOptions(
        unicode=case.options.unicode, include_abstract=True, include_keywords=True
    )
    first = to_bibtex(case.papers, None, options)
    report = import_bibtex(fresh, first)
    assert report.failed == 0
    assert report.new == len({p.id for p in case.papers})
    second = export_bibtex(fresh, imported_ids(report), options)
    # A lossy export (its % comment says so) round-trips to the same entries, minus the note.
    assert without_comments(second) == without_comments(first)
    if "\n%" not in "\n" + first:
        assert second == first


def test_round_trip_large_export(tmp_path: Path, fresh: Repository) -> None:
    source = Repository.open(tmp_path / "source.sqlite3")
    papers = generated_papers(300, seed=7)
    source.upsert_papers(
        PaperRecord(
            id=p.id,
            title=p.title,
            abstract=p.abstract,
            authors=p.authors,
            published=p.published,
            year=p.year,
            primary_category=p.primary_category,
            doi=p.doi,
            journal_ref=p.journal_ref,
        )
        for p in papers
    )
    for p in papers:
        if p.tags:
            source.tag_papers([p.id], list(p.tags))
    options = BibTeXOptions(unicode=True, include_abstract=True, include_keywords=True)
    ids = [p.id for p in papers]
    first = export_bibtex(source, ids, options)
    report = import_bibtex(fresh, first)
    assert (report.new, report.failed) == (300, 0)
    second = export_bibtex(fresh, imported_ids(report), options)
    assert second == first
    source.close()


# ----------------------------------------------------------------------------- malformed files

MALFORMED = [
    ("@misc{a,\n  title = {Fine}\n}\n\n@misc{b,\n  title = {Open {brace}\n}\n", 5, "b"),
    ("@misc{a, title = {x}}\n@misc{a, title = {y}}\n", 2, "used twice"),
    ("@misc{a,\n title = {x},\n title = {y}\n}\n", 1, "appears twice"),
    ("@misc{a, title = {x}}\n}\n", 2, "unbalanced braces"),
    ("@misc{a, title = {x}, author = {A, B, C, D}}\n", 1, "Too many commas"),
    ("\n\n@misc{a title = {x}}\n", 3, "comma"),
]


@pytest.mark.parametrize(("text", "line", "words"), MALFORMED)
def test_malformed_file_names_the_line_and_imports_nothing(
    repo: Repository, text: str, line: int, words: str
) -> None:
    repo.upsert_papers([record("2401.00001", "Already Here", "A B")])
    good = "@misc{fine, title = {A Good Entry}, eprint = {2401.00009}}\n\n"
    with pytest.raises(BibTeXError) as info:
        import_bibtex(repo, good + text, tag="imported")
    shifted = line + good.count("\n")
    assert f"Line {shifted} " in str(info.value)
    assert words in str(info.value)
    assert "Nothing was imported" in str(info.value)
    assert repo.stats()["papers"] == 1 and repo.tags() == []


def test_failure_during_the_write_leaves_the_library_as_it_was(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.upsert_papers([record("2401.00001", "Already Here", "A B")])

    def boom(keys: dict[str, str]) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repo, "set_cite_keys", boom)
    text = (
        "@misc{one, title = {New One}, eprint = {2401.00002}, keywords = {x}}\n"
        "@misc{two, title = {Already Here}, eprint = {2401.00001}, doi = {10.1/z}}\n"
    )
    with pytest.raises(RuntimeError):
        import_bibtex(repo, text, tag="t")
    assert repo.stats()["papers"] == 1
    assert repo.tags() == []
    assert repo.get("2401.00001").doi is None


def test_non_utf8_file_names_the_line(tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"@misc{a,\n  title = {Caf\xe9}\n}\n")
    with pytest.raises(BibTeXError, match="line 2"):
        import_bibtex(repo, path)


def test_entry_without_title_fails_alone(repo: Repository) -> None:
    report = import_bibtex(repo, "@misc{a, author = {A B}}\n@misc{b, title = {Fine Title}}\n")
    assert (report.new, report.failed) == (1, 1)
    assert report.entries[0].action == "failed" and "no title" in report.entries[0].reason


def test_bad_tag_is_refused_before_anything(repo: Repository) -> None:
    with pytest.raises(InvalidInputError):
        import_bibtex(repo, "@misc{b, title = {Fine Title}}", tag=" / ")
    assert repo.stats()["papers"] == 0


# ----------------------------------------------------------------------------- entries → papers


def test_fields_become_paper_data(repo: Repository, tmp_path: Path) -> None:
    text = r"""
% Encoding: UTF-8
@string{nat = "Nature"}
@article{Key:2017/x,
  title = {{LLaMA} and {\"U}ber {$O(n)$} -- a {\&} b},
  author = {van der Maaten, Laurens and Smith, Jr., John and {Simon and Schuster}},
  journal = nat, volume = {550}, number = {7676}, pages = {354--359},
  year = 2017, month = jun, day = {14},
  doi = {https://doi.org/10.1038/NATURE24270},
  url = {https://arxiv.org/abs/1706.03762v5},
  keywords = {ml/deep; Reading list, ml/deep},
  groups = {thesis},
  abstract = {An   abstract with $x_1$ and 50\%.},
}
"""
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    report = import_bibtex(repo, path, tag="Imported")
    assert report.new == 1
    p = repo.get("1706.03762")
    assert p.title == "LLaMA and Über $O(n)$ – a & b"
    assert p.authors == ("Laurens van der Maaten", "John Smith Jr.", "Simon and Schuster")
    assert p.published == date(2017, 6, 14) and p.year == 2017
    assert p.doi == "10.1038/NATURE24270"
    assert p.journal_ref == "Nature 550 (7676), 354–359 (2017)"
    assert p.abstract == "An abstract with $x_1$ and 50%."
    assert p.version == 5
    assert p.cite_key == "Key:2017/x"
    assert set(p.tags) == {"ml/deep", "Reading list", "thesis", "Imported"}
    assert p.saved


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("eprint = {1706.03762}, archivePrefix = {arXiv}", "1706.03762"),
        ("eprint = {arXiv:1706.03762v2}", "1706.03762"),
        ("arxivid = {1706.03762}", "1706.03762"),
        ("url = {http://arxiv.org/pdf/1706.03762v1.pdf}", "1706.03762"),
        ("journal = {arXiv preprint arXiv:1706.03762}", "1706.03762"),
        ("journal = {CoRR}, volume = {abs/1706.03762}", "1706.03762"),
        ("doi = {10.48550/arXiv.1706.03762}", "1706.03762"),
        ("eprint = {hep-th/9901001}", "hep-th/9901001"),
        ("eprint = {1234}, archivePrefix = {SSRN}", "local:k"),
        ("note = {nothing}", "local:k"),
    ],
)
def test_arxiv_id_sources(repo: Repository, fields: str, expected: str) -> None:
    report = import_bibtex(repo, f"@misc{{k, title = {{Some Title Here}}, {fields}}}")
    assert report.entries[0].paper_id == expected
    assert repo.get(expected).journal_ref is None  # arXiv "journals" are not publications


def test_year_only_and_month_names(repo: Repository) -> None:
    import_bibtex(
        repo,
        "@misc{a, title = {Year Only Paper}, year = {2019}}\n"
        "@misc{b, title = {Month Name Paper}, year = {2019}, month = {September}}\n"
        "@misc{c, title = {Biblatex Date Paper}, date = {2020-02-29}}\n",
    )
    a, b, c = repo.get_many(["local:a", "local:b", "local:c"])
    assert (a.year, a.published) == (2019, None)
    assert (b.year, b.published) == (2019, date(2019, 9, 1))
    assert (c.year, c.published) == (2020, date(2020, 2, 29))


# ----------------------------------------------------------------------------- duplicates


@pytest.fixture
def library(repo: Repository) -> Repository:
    """One fetched paper, with the user's own state on it."""
    repo.upsert_papers(
        [
            record(
                "1706.03762",
                "Attention Is All You Need",
                "Ashish Vaswani",
                "Noam Shazeer",
                abstract="The fetched abstract.",
                primary_category="cs.CL",
            )
        ]
    )
    repo.tag_papers(["1706.03762"], ["mine"])
    repo.set_note("1706.03762", "my note")
    repo.set_starred(["1706.03762"])
    repo.set_cite_keys({"1706.03762": "vaswani2017attention"})
    return repo


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("@misc{x, title = {Other Title}, eprint = {1706.03762}}", "same arXiv id"),
        (
            "@misc{x, title = {Other}, url = {https://arxiv.org/abs/1706.03762}}",
            "same arXiv id",
        ),
        ("@article{x, title = {{ATTENTION} is all you need!}, year = 2017}", "same title"),
        ("@article{x, title = {Attention is all you need}, year = 2018}", "same title"),
    ],
)
def test_duplicates_are_merged_never_doubled(library: Repository, entry: str, why: str) -> None:
    report = import_bibtex(library, entry)
    assert report.new == 0
    assert report.entries[0].paper_id == "1706.03762"
    assert why in report.entries[0].reason
    assert library.stats()["papers"] == 1


def test_doi_match_is_case_insensitive(library: Repository) -> None:
    library.upsert_papers([record("local:x", "Some Local Paper", "A B", doi="10.1000/ABC")])
    report = import_bibtex(library, "@misc{y, title = {T}, doi = {https://doi.org/10.1000/abc}}")
    assert report.entries[0].paper_id == "local:x" and "same DOI" in report.entries[0].reason


@pytest.mark.parametrize(
    "entry",
    [
        "@misc{x, title = {Attention Is All You Need}, eprint = {1801.00001}}",  # other arXiv id
        "@misc{x, title = {Attention Is All You Need}, year = {2001}}",  # years far apart
    ],
)
def test_same_title_but_contradicted_is_a_new_paper(library: Repository, entry: str) -> None:
    assert import_bibtex(library, entry).new == 1


def test_merge_fills_gaps_only_and_keeps_user_data(library: Repository) -> None:
    entry = r"""@article{SomeoneElsesKey,
  title = {A Worse Title},
  author = {Nobody, Else},
  abstract = {A bib abstract.},
  journal = {NeurIPS 2017},
  doi = {10.5555/3295222},
  eprint = {1706.03762},
  keywords = {nlp, mine},
  year = 1999,
}"""
    report = import_bibtex(library, entry, tag="imported")
    assert report.merged == 1
    p = library.get("1706.03762")
    assert p.title == "Attention Is All You Need"
    assert p.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert p.abstract == "The fetched abstract."
    assert p.published == date(2017, 6, 12) and p.year is None
    assert (p.doi, p.journal_ref) == ("10.5555/3295222", "NeurIPS 2017")
    assert set(p.tags) == {"mine", "nlp", "imported"}
    assert (p.note, p.starred, p.cite_key) == ("my note", True, "vaswani2017attention")


def test_reimporting_own_export_skips(library: Repository) -> None:
    text = export_bibtex(library, ["1706.03762"])
    report = import_bibtex(library, text)
    assert (report.new, report.merged, report.skipped) == (0, 0, 1)
    assert report.entries[0].reason == "already in the library (same arXiv id)"


def test_duplicates_within_one_file(repo: Repository) -> None:
    text = (
        "@misc{a, title = {Same Paper Title}, eprint = {2401.00001}}\n"
        "@misc{b, title = {Same Paper Title}, eprint = {2401.00001}, doi = {10.1/x},"
        " keywords = {k}}\n"
        "@misc{c, title = {Same paper title!}, year = 2024}\n"
    )
    report = import_bibtex(repo, text)
    assert [e.action for e in report.entries] == ["new", "merged", "merged"]
    assert repo.stats()["papers"] == 1
    p = repo.get("2401.00001")
    assert (p.doi, p.tags, p.cite_key) == ("10.1/x", ("k",), "a")


def test_keys_from_the_file_never_steal(library: Repository) -> None:
    text = "@misc{VASWANI2017ATTENTION, title = {Another Paper Entirely}, eprint = {2401.00001}}"
    report = import_bibtex(library, text)
    assert report.entries[0].action == "new" and "taken" in report.entries[0].reason
    assert library.get("2401.00001").cite_key is None
    assert export_bibtex(library, ["2401.00001"]).startswith("@misc{")


def test_local_id_clash_gets_a_new_id(repo: Repository) -> None:
    repo.upsert_papers([record("local:smith", "One Local Paper", "A B")])
    report = import_bibtex(repo, "@misc{smith, title = {A Different Local Paper}}")
    assert report.entries[0].paper_id == "local:smith-2"


def test_dry_run_previews_without_writing(library: Repository) -> None:
    text = (
        "@misc{n, title = {Brand New Paper}, eprint = {2401.00001}}\n"
        "@misc{m, title = {Attention}, eprint = {1706.03762}, keywords = {new}}\n"
        "@misc{s, title = {Attention}, eprint = {1706.03762}}\n"
    )
    before = library.stats()
    preview = import_bibtex(library, text, dry_run=True)
    assert preview.dry_run
    assert [e.action for e in preview.entries] == ["new", "merged", "skipped"]
    assert library.stats() == before and {t.name for t in library.tags()} == {"mine"}
    real = import_bibtex(library, text)
    assert [e.action for e in real.entries] == [e.action for e in preview.entries]
    assert re.search(r"tags new", real.entries[1].reason)


@pytest.mark.parametrize(
    ("fields", "year"),
    [
        ("year = {99999}", None),  # not 9999
        ("year = {2017}", 2017),
        ("year = {in press, 2019}", 2019),
        ("date = {99999-01-02}", None),
        ("date = {2020-05}", 2020),
    ],
)
def test_only_a_real_year_is_a_year(repo: Repository, fields: str, year: int | None) -> None:
    import_bibtex(repo, f"@misc{{k, title = {{A Paper With A Year}}, {fields}}}")
    (paper,) = repo.get_many(repo.ids(FeedQuery()))
    assert paper.year == year or (paper.published and paper.published.year == year)
