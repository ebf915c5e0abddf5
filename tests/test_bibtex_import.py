"""Import: round trips, forgiven problems, entries kept whole, duplicates and the merge rule.

The tests under "silent changes" and "refusals" each reproduce a finding of issue 12 that the
first importer got wrong (they fail on its code).
"""

from __future__ import annotations

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


def blocks(text: str) -> list[str]:
    """The entries of an export, without % comments, sorted (exports sort by key)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("%"))
    return sorted(b.strip() for b in body.split("\n\n") if b.strip())


def imported_ids(report) -> list[str]:  # type: ignore[no-untyped-def]
    return list(dict.fromkeys(e.paper_id for e in report.entries if e.paper_id))


def problems(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in report.problems]


def export_of(repo: Repository, text: str, **options: object) -> str:
    """Import ``text`` into ``repo`` and export what it imported."""
    report = import_bibtex(repo, text)
    return export_bibtex(repo, imported_ids(report), BibTeXOptions(**options))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_round_trip_golden(case: Case, fresh: Repository) -> None:
    options = BibTeXOptions(
        unicode=case.options.unicode, include_abstract=True, include_keywords=True
    )
    first = to_bibtex(case.papers, None, options)
    report = import_bibtex(fresh, first)
    assert report.failed == 0 and report.problems == ()
    assert report.new == len({p.id for p in case.papers})
    second = export_bibtex(fresh, imported_ids(report), options)
    # A lossy export (its % comment says so) round-trips to the same entries, minus the note.
    assert blocks(second) == blocks(first)


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


# ----------------------------------------------------------------------------- silent changes


def test_capitalised_field_names_keep_their_authors(repo: Repository) -> None:
    text = (
        "@Article{k,\n  Author = {Smith, John and Doe, Jane},\n  Title = {T},\n  Year = {2001}\n}"
    )
    import_bibtex(repo, text)
    assert repo.get("local:k").authors == ("John Smith", "Jane Doe")
    assert export_bibtex(repo, ["local:k"]) == (
        "@article{k,\n  Author = {Smith, John and Doe, Jane},\n  Title = {T},\n  Year = {2001}\n}\n"
    )


def test_string_macros_joined_with_hash_are_expanded(repo: Repository) -> None:
    import_bibtex(
        repo, '@string{t1 = "Attention"}\n@misc{k, title = t1 # " Is All You Need", year = 2017}'
    )
    assert repo.get("local:k").title == "Attention Is All You Need"


def test_percent_inside_a_field_does_not_cut_it(repo: Repository) -> None:
    import_bibtex(repo, "@misc{k, title = {T}, abstract = {Errors fall by 50% on\n  two tasks.}}")
    assert repo.get("local:k").abstract == "Errors fall by 50% on two tasks."


CROSSREF = """
@inproceedings{child,
  author = {Ada Lovelace},
  title = {Notes on the Engine},
  crossref = {proc},
  pages = {1--10},
}
@proceedings{proc,
  title = {Proceedings of the Analytical Society},
  booktitle = {Proc. Analytical Society},
  editor = {Charles Babbage},
  publisher = {Society Press},
  year = {1843},
}
"""


def test_crossref_is_resolved_and_the_parent_is_no_paper(repo: Repository) -> None:
    report = import_bibtex(repo, CROSSREF)
    assert [(e.key, e.action) for e in report.entries] == [("child", "new")]
    p = repo.get("local:child")
    assert (p.year, p.venue, p.pages) == (1843, "Proc. Analytical Society", "1–10")
    assert export_bibtex(repo, ["local:child"]) == (
        "@inproceedings{child,\n"
        "  author = {Ada Lovelace},\n"
        "  title = {Notes on the Engine},\n"
        "  pages = {1--10},\n"
        "  booktitle = {Proc. Analytical Society},\n"
        "  editor = {Charles Babbage},\n"
        "  publisher = {Society Press},\n"
        "  year = {1843}\n"
        "}\n"
    )


def test_biblatex_crossref_maps_the_parent_title_to_the_booktitle(repo: Repository) -> None:
    text = (
        "@incollection{c, author = {A. Author}, title = {Chapter}, crossref = {b}}\n"
        "@collection{b, title = {The Book}, editor = {E. Ditor}, date = {2001}}\n"
    )
    import_bibtex(repo, text)
    entry = repo.entries(["local:c"])["local:c"]
    assert entry.get("title") == "Chapter" and entry.get("booktitle") == "The Book"
    assert entry.get("date") == "2001" and entry.get("crossref") is None


def test_two_papers_with_the_same_title_stay_two(repo: Repository) -> None:
    text = (
        "@article{smith2020, title = {Deep Learning}, author = {Smith, A.}, year = 2020}\n"
        "@book{goodfellow2016, title = {Deep Learning}, author = {Goodfellow, Ian}, year = 2016}\n"
    )
    report = import_bibtex(repo, text)
    assert [e.action for e in report.entries] == ["new", "new"]
    assert set(repo.cite_keys().values()) == {"smith2020", "goodfellow2016"}


def test_export_keeps_the_type_and_every_field(repo: Repository) -> None:
    text = (
        "@inproceedings{vaswani2017,\n"
        "  title = {Attention is All you Need},\n"
        "  author = {Vaswani, Ashish and others},\n"
        "  booktitle = {Advances in Neural Information Processing Systems},\n"
        "  volume = {30},\n"
        "  pages = {5998--6008},\n"
        "  publisher = {Curran Associates, Inc.},\n"
        "  url = {https://proceedings.neurips.cc/paper/7181},\n"
        "  note = {Spotlight},\n"
        "  year = {2017}\n"
        "}\n"
    )
    assert export_of(repo, text) == text
    p = repo.get("local:vaswani2017")
    assert (p.venue, p.volume, p.pages, p.shown_year) == (
        "Advances in Neural Information Processing Systems",
        "30",
        "5998–6008",
        2017,
    )
    assert p.authors == ("Ashish Vaswani",)  # "others" is no author of its own


@pytest.mark.parametrize(
    "field",
    [
        "journal = {Appl. Phys. Lett.}",
        "author = {{Gemini Team} and Anil, Rohan}",
        "title = {The {D}ebye model of {Cu$_2$O}}",
        "author = {Knuth, Donald E. and others}",
    ],
)
def test_written_as_it_came(repo: Repository, field: str) -> None:
    text = f"@article{{k,\n  {field},\n  year = {{1999}}\n}}\n"
    assert export_of(repo, text) == text


def test_a_corporate_author_is_shown_whole(repo: Repository) -> None:
    import_bibtex(repo, "@misc{k, author = {{Gemini Team} and Anil, Rohan}, title = {Gemini}}")
    assert repo.get("local:k").authors == ("Gemini Team", "Rohan Anil")


def test_an_ascii_export_never_empties_a_field(repo: Repository) -> None:
    out = export_of(repo, "@misc{k, title = {注意力机制}, author = {张伟}, year = 2020}")
    assert out.isascii()
    assert "title = {ZhuYiLiJiZhi}" in out and "author = {ZhangWei}" in out
    assert out.startswith("% k: characters without a plain-LaTeX form (7 transliterated")


def test_no_key_field_is_made_for_an_authorless_entry(repo: Repository) -> None:
    repo.upsert_papers([record("2401.00001", "No Authors Here")])
    assert "key =" not in export_bibtex(repo, ["2401.00001"])
    assert "key =" not in export_of(repo, "@misc{a_b, title = {T}}")


def test_a_free_text_journal_reference_is_kept_in_note(repo: Repository) -> None:
    repo.upsert_papers([record("2401.00001", "T", "A B", journal_ref="NeurIPS 2023 (oral)")])
    out = export_bibtex(repo, ["2401.00001"])
    assert out.startswith("@misc{") and "note = {NeurIPS 2023 (oral)}" in out
    assert "journal" not in out


# ----------------------------------------------------------------------------- refusals


def test_a_trailing_comma_in_an_author_list_is_forgiven(repo: Repository) -> None:
    text = "@article{k,\n  author = {Smith, John, and Doe, Jane},\n  title = {T}\n}\n"
    report = import_bibtex(repo, text)
    assert report.new == 1
    assert repo.get("local:k").authors == ("John Smith", "Jane Doe")
    assert problems(report) == ["line 1: a trailing comma in the name 'Smith, John,' was dropped"]
    assert export_bibtex(repo, ["local:k"]) == text  # the file's own text is kept


def test_a_trailing_and_is_dropped(repo: Repository) -> None:
    report = import_bibtex(repo, "@article{k, author = {Smith, John and}, title = {T}}")
    assert repo.get("local:k").authors == ("John Smith",)
    assert problems(report) == ["line 1: a stray 'and' in 'Smith, John and' was dropped"]


def test_duplicate_keys_get_a_suffix(repo: Repository) -> None:
    text = (
        "@article{smith, title = {First Paper}, year = 2001}\n"
        "@article{smith, title = {Second Paper}, year = 2002}\n"
        "@article{smith-2, title = {Third Paper}, year = 2003}\n"
    )
    report = import_bibtex(repo, text)
    assert report.new == 3
    keys = {repo.get(e.paper_id).title: repo.get(e.paper_id).cite_key for e in report.entries}  # type: ignore[arg-type]
    assert keys == {"First Paper": "smith", "Second Paper": "smith-3", "Third Paper": "smith-2"}
    assert problems(report) == [
        "line 2: the key 'smith' is used twice (first at line 1); imported as 'smith-3'"
    ]


def test_stray_text_after_an_entry_is_skipped(repo: Repository) -> None:
    report = import_bibtex(repo, "@misc{a, title = {A}}\\cmg{note}\n@misc{b, title = {B}}\n")
    assert report.new == 2
    assert problems(report) == ["line 1: text outside any entry was skipped: '\\\\cmg{note}'"]


def test_an_escaped_backslash_before_a_brace_is_valid(repo: Repository) -> None:
    report = import_bibtex(repo, r"@misc{a, title = {A}, note = {x \\{\bf y}}}")
    assert (report.new, report.problems) == (1, ())


def test_utf16_without_a_byte_order_mark_is_read(repo: Repository, tmp_path: Path) -> None:
    path = tmp_path / "u16.bib"
    path.write_bytes("@misc{k, title = {Über}}\n".encode("utf-16-le"))
    assert import_bibtex(repo, path).new == 1
    assert repo.get("local:k").title == "Über"


def test_keyless_entries_are_imported(repo: Repository) -> None:
    report = import_bibtex(repo, "@misc{, title = {One}}\n@misc{, title = {Two}}\n")
    assert report.new == 2
    assert problems(report) == [
        "line 1: the @misc entry has no key; one is made on export",
        "line 2: the @misc entry has no key; one is made on export",
    ]
    out = export_bibtex(repo, imported_ids(report))
    assert out.count("@misc{") == 2


# ----------------------------------------------------------------------------- problems


FORGIVEN = [
    (
        "@misc{a,\n  title = {Fine}\n}\n\n@misc{b,\n  year = 1,\n  title = {Open {brace}\n}\n",
        "line 5: the entry 'b' is not closed before the end of the file",
    ),
    (
        "@misc{a,\n  title = {Open {brace\n}\n\n@misc{b,\n  title = {B}\n}\n",
        "line 2: the braces in the field title of the entry 'a' do not close; it was left out",
    ),
    (
        "@misc{a,\n title = {x},\n title = {y}\n}\n",
        "line 3: the entry 'a' has a second title field; the first is kept",
    ),
    (
        "@misc{a, title = {x}, author = {A, B, C, D}}\n",
        "line 1: the name 'A, B, C, D' has 3 commas; the last ones were kept as text",
    ),
    ("\n\n@misc{a title = {x}}\n", "line 3: a comma is missing after the key 'a'"),
    (
        "@misc{a, title = {x}, journal = jomch}\n",
        "line 1: the field journal of the entry 'a' uses the undefined @string 'jomch'; "
        "kept as text",
    ),
]


@pytest.mark.parametrize(("text", "problem"), FORGIVEN)
def test_forgiven_problems_are_reported_and_strict_refuses(
    repo: Repository, text: str, problem: str
) -> None:
    repo.upsert_papers([record("2401.00001", "Already Here", "A B")])
    good = "@misc{fine, title = {A Good Entry}, eprint = {2401.00009}}\n\n"
    shifted = problem.replace(
        problem.split(":")[0], f"line {int(problem.split(':')[0][5:]) + 2}", 1
    )
    with pytest.raises(BibTeXError) as info:
        import_bibtex(repo, good + text, tag="imported", strict=True)
    assert str(info.value).startswith(f"The bibliography text, {shifted}.")
    assert "Nothing was imported" in str(info.value)
    assert repo.stats()["papers"] == 1 and repo.tags() == []
    report = import_bibtex(repo, good + text, tag="imported")
    assert problems(report) == [shifted]
    assert repo.stats()["papers"] > 2 or report.new >= 1


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
    assert repo.entries(["2401.00001", "2401.00002"]) == {}


def test_a_legacy_encoding_is_read_and_said(tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"@misc{a,\n  title = {Caf\xe9}\n}\n")
    report = import_bibtex(repo, path)
    assert repo.get("local:a").title == "Café"
    assert problems(report) == [
        "line 1: the file is not UTF-8 (line 2); it was read as Windows-1252 (Western "
        "European): if accented letters look wrong, import it again giving its encoding"
    ]
    with pytest.raises(BibTeXError, match="not UTF-8"):
        import_bibtex(repo, path, strict=True)


def test_an_unreadable_file_is_refused_with_the_reason(tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(b"SQLite format 3\x00" + bytes(200))
    with pytest.raises(BibTeXError, match="it is a binary file, not text"):
        import_bibtex(repo, path)
    path.write_text("no entries here\n", encoding="utf-8")
    with pytest.raises(BibTeXError, match="holds no BibTeX entries"):
        import_bibtex(repo, path)


def test_an_entry_without_a_title_is_imported_under_its_key(repo: Repository) -> None:
    report = import_bibtex(repo, "@misc{a, author = {A B}, year = 2001}\n@misc{b, title = {T}}\n")
    assert report.new == 2
    assert repo.get("local:a").title == "(a)"
    assert problems(report) == ["line 1: the entry 'a' has no title; it is shown as '(a)'"]


def test_an_entry_without_fields_fails_alone(repo: Repository) -> None:
    report = import_bibtex(repo, "@misc{a}\n@misc{b, title = {Fine Title}}\n")
    assert (report.new, report.failed) == (1, 1)
    assert report.entries[0].reason == "it has no fields"


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
    assert report.new == 1 and report.problems == ()
    p = repo.get("1706.03762")
    assert p.title == "LLaMA and Über $O(n)$ – a & b"
    assert p.authors == ("Laurens van der Maaten", "John Smith Jr.", "Simon and Schuster")
    assert p.published == date(2017, 6, 14) and p.year == 2017
    assert p.doi == "10.1038/NATURE24270"
    assert (p.entry_type, p.venue, p.volume, p.number, p.pages) == (
        "article",
        "Nature",
        "550",
        "7676",
        "354–359",
    )
    assert p.citation == "Nature 550(7676), pp. 354–359"
    assert p.abstract == "An abstract with $x_1$ and 50%."
    assert p.version == 5
    assert p.cite_key == "Key:2017/x"
    assert set(p.tags) == {"ml/deep", "Reading list", "thesis", "Imported"}
    assert p.saved


def test_name_parts_are_stored(repo: Repository) -> None:
    import_bibtex(
        repo, "@misc{k, title = {T}, author = {van der Maaten, Jr., Laurens and {Gemini Team}}}"
    )
    rows = repo.db.execute_sql(
        "SELECT name, given, family, von, jr, literal FROM paper_author ORDER BY position"
    ).fetchall()
    assert rows == [
        ("Laurens van der Maaten Jr.", "Laurens", "Maaten", "van der", "Jr.", None),
        ("Gemini Team", None, None, None, None, "Gemini Team"),
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("eprint = {1706.03762}, archivePrefix = {arXiv}", "1706.03762"),
        ("eprint = {arXiv:1706.03762v2}", "1706.03762"),
        ("eprint = {1706.03762}, eprinttype = {arxiv}", "1706.03762"),
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
    assert repo.get(expected).venue is None  # arXiv "journals" are not publications


def test_a_year_only_paper_sorts_by_its_year(repo: Repository) -> None:
    from desktop_app.domain import Sort

    repo.upsert_papers(
        [
            record("2401.00001", "Dated 2016", "A B", published=date(2016, 5, 1)),
            record("2401.00002", "Dated 2014", "A B", published=date(2014, 5, 1)),
        ]
    )
    import_bibtex(repo, "@misc{y, title = {Only A Year 2015}, year = 2015}")
    titles = [p.title for p in repo.page(FeedQuery(sort=Sort.DATE)).papers]
    assert titles == ["Dated 2016", "Only A Year 2015", "Dated 2014"]
    assert repo.get("local:y").published is None and repo.get("local:y").year == 2015


def test_year_only_and_month_names(repo: Repository) -> None:
    import_bibtex(
        repo,
        "@misc{a, title = {Year Only Paper}, year = {2019}}\n"
        "@misc{b, title = {Month Name Paper}, year = {2019}, month = {September}}\n"
        "@misc{c, title = {Biblatex Date Paper}, date = {2020-02-29}}\n",
    )
    a, b, c = repo.get_many(["local:a", "local:b", "local:c"])
    assert (a.year, a.published, a.shown_year) == (2019, None, 2019)
    assert (b.year, b.published) == (2019, date(2019, 9, 1))
    assert (c.year, c.published) == (2020, date(2020, 2, 29))


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
    assert paper.shown_year == year


def test_preambles_are_kept_and_lead_the_export(repo: Repository) -> None:
    text = '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n@misc{k, title = {{\\noopsort{a}}T}}'
    out = export_of(repo, text)
    assert out.startswith("@preamble{{\\newcommand{\\noopsort}[1]{}}}\n\n@misc{k,")
    assert repo.preambles() == ["\\newcommand{\\noopsort}[1]{}"]


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
        (
            "@article{x, title = {{ATTENTION} is all you need!}, author = {Vaswani, A.}, "
            "year = 2017}",
            "same title, first author and year",
        ),
        (
            "@article{x, title = {Attention is all you need}, author = {Ashish Vaswani and "
            "others}, year = 2018}",
            "same title, first author and year",
        ),
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
        # another arXiv id
        "@misc{x, title = {Attention Is All You Need}, author = {Vaswani, A.}, "
        "eprint = {1801.00001}, year = 2017}",
        # years far apart
        "@misc{x, title = {Attention Is All You Need}, author = {Vaswani, A.}, year = {2001}}",
        # another first author
        "@misc{x, title = {Attention Is All You Need}, author = {Someone, Else}, year = {2017}}",
        # a title alone is no identity
        "@misc{x, title = {Attention Is All You Need}}",
    ],
)
def test_same_title_without_the_rest_is_a_new_paper(library: Repository, entry: str) -> None:
    assert import_bibtex(library, entry).new == 1


def test_merge_fills_gaps_only_and_keeps_user_data(library: Repository) -> None:
    entry = r"""@inproceedings{SomeoneElsesKey,
  title = {A Worse Title},
  author = {Nobody, Else},
  abstract = {A bib abstract.},
  booktitle = {NeurIPS},
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
    assert (p.doi, p.venue, p.entry_type) == ("10.5555/3295222", "NeurIPS", "inproceedings")
    assert set(p.tags) == {"mine", "nlp", "imported"}
    assert (p.note, p.starred, p.cite_key) == ("my note", True, "vaswani2017attention")
    # The user's entry is what exports; its key stays an alias, so \cite{SomeoneElsesKey} works.
    assert library.aliases() == {"SomeoneElsesKey": "1706.03762"}
    out = export_bibtex(library, ["1706.03762"])
    assert out.startswith("@inproceedings{vaswani2017attention,\n  title = {A Worse Title},")
    assert "  ids = {SomeoneElsesKey}\n}" in out


def test_reimporting_own_export_skips(library: Repository) -> None:
    text = export_bibtex(library, ["1706.03762"])
    report = import_bibtex(library, text)
    assert (report.new, report.merged, report.skipped) == (0, 1, 0)
    assert "adds its @misc entry" in report.entries[0].reason
    again = import_bibtex(library, text)
    assert (again.new, again.merged, again.skipped) == (0, 0, 1)
    assert again.entries[0].reason == "already in the library (same arXiv id)"


def test_duplicates_within_one_file(repo: Repository) -> None:
    text = (
        "@misc{a, title = {Same Paper Title}, eprint = {2401.00001}}\n"
        "@misc{b, title = {Same Paper Title}, eprint = {2401.00001}, doi = {10.1/x},"
        " keywords = {k}}\n"
        "@misc{c, title = {Same Paper Title}, doi = {10.1/X}}\n"
    )
    report = import_bibtex(repo, text)
    assert [e.action for e in report.entries] == ["new", "merged", "merged"]
    assert repo.stats()["papers"] == 1
    p = repo.get("2401.00001")
    assert (p.doi, p.tags, p.cite_key) == ("10.1/x", ("k",), "a")
    assert repo.aliases() == {"b": "2401.00001", "c": "2401.00001"}
    assert repo.entries(["2401.00001"])["2401.00001"].names() == (
        "title",
        "eprint",
        "doi",
        "keywords",
    )


def test_a_key_another_paper_holds_gets_a_suffix(library: Repository) -> None:
    text = "@misc{VASWANI2017ATTENTION, title = {Another Paper Entirely}, eprint = {2401.00001}}"
    report = import_bibtex(library, text)
    assert report.entries[0].action == "new" and "taken" in report.entries[0].reason
    assert library.get("2401.00001").cite_key == "VASWANI2017ATTENTION-2"
    assert problems(report) == [
        "line 1: the key 'VASWANI2017ATTENTION' is used twice (another paper in the library has "
        "it); imported as 'VASWANI2017ATTENTION-2'"
    ]


def test_a_file_imported_twice_is_not_doubled(repo: Repository) -> None:
    """Entries with neither arXiv id, DOI, authors nor year are known by their key and title."""
    text = "@misc{notes, title = {Lecture Notes on Things}}\n@misc{web, title = {A Web Page}}\n"
    assert import_bibtex(repo, text).new == 2
    again = import_bibtex(repo, text)
    assert (again.new, again.merged + again.skipped) == (0, 2)
    assert again.entries[0].reason == "already in the library (same key and title)"
    other = import_bibtex(repo, "@misc{notes, title = {Other Notes Entirely}}")
    assert other.new == 1  # the same key on another title is another paper (key made -2)
    assert repo.stats()["papers"] == 3


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
    assert [e.action for e in preview.entries] == ["new", "merged", "merged"]
    assert library.stats() == before and {t.name for t in library.tags()} == {"mine"}
    assert library.entries(["1706.03762"]) == {}
    real = import_bibtex(library, text)
    assert [e.action for e in real.entries] == [e.action for e in preview.entries]
    assert "tags new" in real.entries[1].reason and "key s as an alias" in real.entries[2].reason
