"""Property tests: whatever a paper holds, the export parses cleanly and decodes back to it."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.bibtex import BibTeXOptions, to_bibtex
from desktop_app.bibtex.latex import decode, decode_slow
from desktop_app.bibtex.names import person_from_display
from desktop_app.bibtex.parse import parse_bibtex
from desktop_app.bibtex.records import convert
from desktop_app.domain import Paper

SPECIALS = "&%$#_{}~^\\<>|\"'`-?!@=,;:/()[]*+."
LATIN = "üéèêßøłŁæœåıÜÉÖçñőřšžčăâîőűŰÅØ"  # not ț: no OT1 form, approximated
SYMBOLS = "–—“”‘’…αβΣΩ≤≥×±€£©°"
CJK = "中文字模型жЖ"

ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
default_text = st.text(alphabet=st.sampled_from(SPECIALS + LATIN + SYMBOLS + "aZ09 "), max_size=40)
unicode_text = st.text(alphabet=st.sampled_from(SPECIALS + LATIN + SYMBOLS + CJK + "aZ "))
math = st.sampled_from(["$x$", "$O(n \\log n)$", "$\\mathbb{R}^d$", "$x_1^2$", "$\\alpha$"])


def titles(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    parts = st.lists(st.one_of(text, math), min_size=1, max_size=4)
    return parts.map(" ".join).filter(lambda t: any(c.isalnum() for c in t))


def word(alphabet: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, b: a + b,
        st.sampled_from("ABCDÉÜŁØZ"),
        st.text(alphabet=st.sampled_from(alphabet), min_size=1, max_size=8),
    )


names = st.builds(
    lambda first, von, last, jr: " ".join(p for p in (first, von, last, jr) if p),
    word("abcéüøł-.'"),
    st.sampled_from(["", "van", "van der", "de la", "von"]),
    word("abcdefüé-'&_%{}"),
    st.sampled_from(["", "", "Jr.", "III"]),
)


def expected_text(text: str) -> str:
    """What a field must decode to: the stored text, whitespace collapsed, NFC."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def expected_name(full: str) -> str:
    return person_from_display(full).display


def check(papers: list[Paper], options: BibTeXOptions) -> None:
    text = to_bibtex(papers, None, options)
    parsed = parse_bibtex(text)
    assert parsed.problems == []
    assert len(parsed.entries) == len(papers)
    assert len(pybtex_entries(text)) == len(papers)  # an independent reader agrees
    for entry, paper in zip(parsed.entries, papers, strict=True):
        problems: list[object] = []
        c = convert(entry, problems)  # type: ignore[arg-type]
        assert problems == []
        assert c.title == expected_text(paper.title)
        assert tuple(p.display for p in c.authors) == tuple(expected_name(a) for a in paper.authors)
        if options.include_abstract:
            assert (c.abstract or "") == expected_text(paper.abstract)
        if options.include_keywords:
            assert c.tags == list(paper.tags)
        assert c.arxiv_id == paper.id


def pybtex_entries(text: str) -> list[object]:
    from pybtex.database.input.bibtex import LowLevelParser

    errors: list[Exception] = []
    entries = [e for e in LowLevelParser(text, handle_error=errors.append)]
    assert errors == []
    return entries


def make(title: str, authors: list[str], abstract: str = "") -> Paper:
    return Paper(
        id="2401.00001",
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        published=date(2024, 1, 2),
        tags=("ml/deep", "to read"),
    )


@settings(max_examples=300, deadline=None)
@given(titles(default_text), st.lists(names, max_size=4), default_text)
def test_default_mode_round_trips(title: str, authors: list[str], abstract: str) -> None:
    options = BibTeXOptions(include_abstract=True, include_keywords=True)
    check([make(title, authors, abstract)], options)
    assert to_bibtex([make(title, authors, abstract)], None, options).isascii()


@settings(max_examples=300, deadline=None)
@given(titles(unicode_text), st.lists(names, max_size=4), unicode_text)
def test_unicode_mode_round_trips(title: str, authors: list[str], abstract: str) -> None:
    options = BibTeXOptions(unicode=True, include_abstract=True, include_keywords=True)
    check([make(title, authors, abstract)], options)


@settings(max_examples=300, deadline=None)
@given(ascii_text.filter(lambda t: any(c.isalnum() for c in t)))
def test_any_ascii_title_stays_inside_its_field(title: str) -> None:
    text = to_bibtex([make(title, ["Ada Lovelace"])])
    value = text.split("title = {", 1)[1].split("},\n  author", 1)[0]
    depth = 0
    for ch in value:  # BibTeX's brace count, which ignores backslashes
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    check([make(title, ["Ada Lovelace"])], BibTeXOptions())


@settings(max_examples=300, deadline=None)
@given(titles(default_text), st.lists(names, max_size=3))
def test_fast_decoding_agrees_with_pylatexenc(title: str, authors: list[str]) -> None:
    """The regex fast path of ``decode`` reads our own output exactly as pylatexenc does."""
    text = to_bibtex([make(title, authors)], None, BibTeXOptions(include_keywords=True))
    for entry in parse_bibtex(text).entries:
        for _, value in entry.fields:
            assert decode(value) == decode_slow(value), value
