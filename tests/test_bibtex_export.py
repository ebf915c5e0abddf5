"""Export: escaping rules, names, citation keys and the service that stores them."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from desktop_app.bibtex import (
    BibTeXOptions,
    assign_keys,
    base_key,
    check_pattern,
    export_bibtex,
    to_bibtex,
)
from desktop_app.bibtex.generate import format_person
from desktop_app.bibtex.keys import fold, suffix
from desktop_app.bibtex.latex import Losses, escape
from desktop_app.bibtex.names import person_from_display, split_name
from desktop_app.domain import Paper, PaperRecord
from desktop_app.errors import AppError, InvalidInputError, NotFoundError
from desktop_app.outputs import write_atomic
from desktop_app.store import Repository


def paper(paper_id: str, title: str, *authors: str, **kw: object) -> Paper:
    kw.setdefault("abstract", "")
    kw.setdefault("published", date(2017, 6, 12))
    return Paper(id=paper_id, title=title, authors=authors, **kw)  # type: ignore[arg-type]


def record(paper_id: str, title: str, *authors: str, **kw: object) -> PaperRecord:
    kw.setdefault("published", date(2017, 6, 12))
    return PaperRecord(id=paper_id, title=title, authors=authors, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Attention Is All You Need", "Attention Is All You Need"),
        ("LLaMA: Open Models", "{LLaMA}: Open Models"),
        ("GPT-4 Technical Report", "{GPT}-4 Technical Report"),
        ("Fine-Tuning BERT", "Fine-Tuning {BERT}"),
        ("ResNet on iPhone", "{ResNet} on {iPhone}"),
        ("3D Scenes", "{3D} Scenes"),
        ("A Model X", "A Model {X}"),
        ("t-SNE", "t-{SNE}"),
        ("$O(n)$ Sorting", "{$O(n)$} Sorting"),
    ],
)
def test_title_protection(text: str, expected: str) -> None:
    assert escape(text, protect=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a & b", r"a {\&} b"),
        ("50% off", r"50{\%} off"),
        ("#1 a_b", r"{\#}1 a{\_}b"),
        ("~^", r"{\textasciitilde}{\textasciicircum}"),
        ("\\input{x}", r"{\textbackslash}input{\textbraceleft}x{\textbraceright}"),
        ("<a|b>", r"{\textless}a{\textbar}b{\textgreater}"),
        ("a--b ``q'' ?`", r"a-{}-b `{}`q'{}' ?{}`"),
        ("  spaced \n\n out\t", "spaced out"),
        ("$5 and $10", r"{\$}5 and {\$}10"),
        ("$x^$", r"{\$}x{\textasciicircum}{\$}"),
        ("$\\input{a}$", r"{\$}{\textbackslash}input{\textbraceleft}a{\textbraceright}{\$}"),
        ("$a{b$", r"{\$}a{\textbraceleft}b{\$}"),
        ("$Z $$", r"{\$}Z {\$}{\$}"),  # no math span ends in "$$": it would leave one open
        ("$50\\%$ and $\\mathbb{R}$", r"{$50\%$} and {$\mathbb{R}$}"),
        ("Über Straße", r"{\"U}ber Stra{\ss}e"),
        ("$α ≤ β$", r"{${\ensuremath{\alpha}} {\ensuremath{\leq}} {\ensuremath{\beta}}$}"),
    ],
)
def test_escape(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_unicode_mode_keeps_utf8_but_escapes_specials() -> None:
    assert escape("Über 中文 & 50%", unicode=True) == r"Über 中文 {\&} 50{\%}"


def test_characters_without_latex_form_are_approximated_transliterated_or_dropped() -> None:
    losses = Losses()
    assert escape("Wąsowski 中文 Kiev 😀", losses=losses) == "Wasowski ZhongWen Kiev"
    assert losses.approximated == ["ą"] and losses.transliterated == ["中", "文"]
    assert losses.dropped == ["😀"]


def test_loss_comment_is_written_before_the_entry() -> None:
    text = to_bibtex([paper("2401.00001", "中文 Study", "张伟")], {"2401.00001": "k"})
    first, second = text.splitlines()[:2]
    assert first.startswith("% k: characters without a plain-LaTeX form (4 transliterated")
    assert second == "@misc{k,"
    assert "author = {ZhangWei}" in text and "key =" not in text


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("full", "bibtex"),
    [
        ("Ashish Vaswani", "Vaswani, Ashish"),
        ("Aidan N. Gomez", "Gomez, Aidan N."),
        ("Laurens van der Maaten", "van der Maaten, Laurens"),
        ("Charles de Gaulle", "de Gaulle, Charles"),
        ("John Smith Jr.", "Smith, Jr., John"),
        ("John Smith, Jr.", "Smith, Jr., John"),
        ("Henry Ford III", "Ford, III, Henry"),
        ("Smith, Jr., John", "Smith, Jr., John"),
        ("van der Maaten, Laurens", "van der Maaten, Laurens"),
        ("Plato", "Plato"),
        ("bell hooks", "hooks, bell"),
        ("Simon and Schuster", "{Simon and Schuster}"),
        ("Jürgen Schmidhuber", r"Schmidhuber, J{\"u}rgen"),
        ("Foo, Bar, Baz, Qux", "{Foo, Bar, Baz, Qux}"),
        ("Gemini Team", "{Gemini Team}"),
        ("The LIGO Scientific Collaboration", "{The LIGO Scientific Collaboration}"),
    ],
)
def test_format_name(full: str, bibtex: str) -> None:
    assert format_person(person_from_display(full), False, Losses()) == bibtex


def test_split_name_parts() -> None:
    name = split_name("Juan de la Cruz Pérez")
    assert (name.first, name.von, name.last) == ("Juan de la Cruz", "", "Pérez")


def test_thirty_authors_are_all_written() -> None:
    authors = tuple(f"First{i} Last{i}" for i in range(30))
    text = to_bibtex([paper("2401.00001", "Big", *authors)])
    assert text.count(" and ") == 29 and "Last29, First29" in text


# ----------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("title", "authors", "key"),
    [
        ("Attention Is All You Need", ("Ashish Vaswani",), "vaswani2017attention"),
        ("On the Difficulty of Training", ("Razvan Pascanu",), "pascanu2017difficulty"),
        ("Towards a Theory", ("Ann Lee",), "lee2017theory"),
        ("Visualizing Data", ("Laurens van der Maaten",), "maaten2017visualizing"),
        ("Électricité", ("Hans Ørsted-Müller",), "orstedmuller2017electricite"),
        ("$O(n)$ Sorting", ("Ada Lovelace",), "lovelace2017sorting"),
        ("中文 Study", ("张伟",), "2017study"),
        ("The", (), "paper2017"),
        ("A Report", ("The LLaMA and Friends Consortium",), "llama2017report"),
    ],
)
def test_base_key(title: str, authors: tuple[str, ...], key: str) -> None:
    assert base_key(paper("2401.00001", title, *authors)) == key


def test_key_uses_first_version_year_then_bib_year() -> None:
    assert base_key(paper("x", "Deep Nets", "A B", published=date(2015, 1, 1))) == "b2015deep"
    assert base_key(paper("x", "Deep Nets", "A B", published=None, year=2011)) == "b2011deep"
    assert base_key(paper("x", "Deep Nets", "A B", published=None)) == "bdeep"


def test_fold() -> None:
    assert fold("Ørsted-Müller ß Łódź") == "orstedmullersslodz"


def test_suffixes() -> None:
    assert [suffix(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "zz",
        "aaa",
    ]


def test_custom_pattern_and_bad_patterns() -> None:
    p = paper("1706.03762", "Attention Is All You Need", "Ashish Vaswani")
    assert base_key(p, "{author}_{year}:{title}") == "vaswani_2017:attentionneed"
    assert base_key(p, "arxiv{id}") == "arxiv170603762"
    for bad in ("{autor}{year}", "plain", "{author} {year}", "{author}{Year}", "{author}{year}!"):
        with pytest.raises(InvalidInputError):
            check_pattern(bad)


def test_collisions_earlier_paper_keeps_bare_key() -> None:
    papers = [
        paper("2401.00003", "Deep Learning", "Yann LeCun", published=date(2015, 5, 29)),
        paper("2401.00001", "Deep Learning", "Yann LeCun", published=date(2015, 5, 28)),
        paper("2401.00002", "Deep Learning", "Yann LeCun", published=date(2015, 5, 28)),
    ]
    assert assign_keys(papers, ()) == {
        "2401.00001": "lecun2015deep",
        "2401.00002": "lecun2015deepa",
        "2401.00003": "lecun2015deepb",
    }
    # A later arrival never takes a stored key, even if it is older; comparison ignores case.
    older = paper("2401.00009", "Deep Learning", "Yann LeCun", published=date(2015, 1, 1))
    assert assign_keys([older], ["LeCun2015Deep", "lecun2015deepa"]) == {
        "2401.00009": "lecun2015deepb"
    }


def test_to_bibtex_is_deterministic_and_honours_given_keys() -> None:
    papers = [paper("1706.03762", "Attention Is All You Need", "Ashish Vaswani")]
    assert to_bibtex(papers) == to_bibtex(list(papers))
    assert to_bibtex(papers, {"1706.03762": "mykey"}).startswith("@misc{mykey,\n")
    assert to_bibtex([]) == ""


# ----------------------------------------------------------------------------- entry shape


def test_preprint_entry_fields_in_order() -> None:
    p = paper("1706.03762", "Attention", "Ashish Vaswani", primary_category="cs.CL", doi="10.1/x_y")
    text = to_bibtex([p])
    names = [line.split(" = ")[0].strip() for line in text.splitlines()[1:-1]]
    assert names == [
        "title",
        "author",
        "year",
        "month",
        "eprint",
        "archivePrefix",
        "primaryClass",
        "doi",
        "url",
    ]
    assert "month = jun," in text and "doi = {10.1/x_y}" in text


def test_local_paper_has_no_arxiv_fields() -> None:
    text = to_bibtex([paper("local:foo", "Local", "A B", published=None, year=2020)])
    for name in ("eprint", "archivePrefix", "primaryClass", "url", "month"):
        assert name not in text
    assert "year = {2020}" in text


def test_abstract_and_keywords_only_on_request() -> None:
    p = paper("2401.00001", "T", "A B", abstract="Some & text", tags=("ml/x", "b"))
    assert "abstract" not in to_bibtex([p]) and "keywords" not in to_bibtex([p])
    text = to_bibtex([p], options=BibTeXOptions(include_abstract=True, include_keywords=True))
    assert r"abstract = {Some {\&} text}" in text and "keywords = {ml/x, b}" in text


def test_doi_and_url_cannot_end_their_field() -> None:
    text = to_bibtex([paper("local:x", "T", "A B", doi="10.1/a}b{c\\d e")])
    assert "doi = {10.1/a%7Db%7Bc%5Cd%20e}" in text


# ----------------------------------------------------------------------------- service


def test_export_stores_keys_once_and_never_changes_them(repo: Repository) -> None:
    repo.upsert_papers([record("2401.00002", "Deep Learning", "Yann LeCun")])
    first = export_bibtex(repo, ["2401.00002"])
    assert first.startswith("@misc{lecun2017deep,")
    assert repo.cite_keys() == {"2401.00002": "lecun2017deep"}

    # An older paper with the same base key arrives later: it gets the suffix.
    repo.upsert_papers(
        [record("2401.00001", "Deep Learning", "Yann LeCun", published=date(2017, 1, 1))]
    )
    both = export_bibtex(repo, ["2401.00001", "2401.00002"])
    assert repo.cite_keys() == {"2401.00002": "lecun2017deep", "2401.00001": "lecun2017deepa"}
    assert "@misc{lecun2017deepa," in both and "@misc{lecun2017deep," in both

    # Metadata changes and a different pattern do not move stored keys.
    repo.upsert_papers([record("2401.00002", "Shallow Learning", "Geoffrey Hinton")])
    again = export_bibtex(repo, ["2401.00002"], BibTeXOptions(key_pattern="{year}{author}"))
    assert again.startswith("@misc{lecun2017deep,")


def test_export_is_sorted_by_key_whatever_the_order_asked(repo: Repository) -> None:
    repo.upsert_papers(
        [
            record("2401.00001", "One", "A Zed"),
            record("2401.00002", "Two", "C Abe"),
            record("2401.00003", "Two", "C Abe"),
        ]
    )
    one = export_bibtex(repo, ["2401.00001", "2401.00003", "2401.00002"])
    two = export_bibtex(repo, ["2401.00002", "2401.00001", "2401.00003"])
    assert one == two
    assert re.findall(r"^@misc\{(\w+),", one, re.M) == ["abe2017two", "abe2017twoa", "zed2017one"]


def test_export_unknown_id_stores_nothing(repo: Repository) -> None:
    repo.upsert_papers([record("2401.00001", "One", "A B")])
    with pytest.raises(NotFoundError):
        export_bibtex(repo, ["2401.00001", "9999.99999"])
    assert repo.cite_keys() == {}


def test_export_bad_pattern_stores_nothing(repo: Repository) -> None:
    repo.upsert_papers([record("2401.00001", "One", "A B")])
    with pytest.raises(InvalidInputError):
        export_bibtex(repo, ["2401.00001"], BibTeXOptions(key_pattern="{nope}"))
    assert repo.cite_keys() == {}


def test_writing_a_bibliography_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "@misc{a,\n  title = {Ü}\n}\n")
    assert target.read_text(encoding="utf-8") == "@misc{a,\n  title = {Ü}\n}\n"
    assert os.listdir(tmp_path) == ["refs.bib"]


def test_writing_reports_an_unwritable_place(tmp_path: Path) -> None:
    with pytest.raises(AppError, match="Cannot write"):
        write_atomic(tmp_path / "missing-dir" / "refs.bib", "x")
