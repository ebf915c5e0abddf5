"""The .bib reader: BibTeX's grammar, forgiving what BibTeX and biber forgive, saying so."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.bibtex.parse import decode_bytes, parse_bibtex

CORPUS = Path(__file__).parent / "corpus"


def fields(text: str, index: int = 0) -> dict[str, str]:
    return dict(parse_bibtex(text).entries[index].fields)


def messages(text: str) -> list[str]:
    return [str(p) for p in parse_bibtex(text).problems]


def test_a_clean_entry_has_no_problems_and_keeps_its_order() -> None:
    parsed = parse_bibtex(
        "@InProceedings{vaswani2017,\n  Title = {Attention Is {All} You Need},\n"
        '  author = "Vaswani, Ashish and Shazeer, Noam",\n  year = 2017,\n}\n'
    )
    assert parsed.problems == []
    (entry,) = parsed.entries
    assert (entry.type, entry.key, entry.line) == ("inproceedings", "vaswani2017", 1)
    assert entry.fields == [
        ("Title", "Attention Is {All} You Need"),
        ("author", "Vaswani, Ashish and Shazeer, Noam"),
        ("year", "2017"),
    ]


def test_string_macros_joined_with_hash_are_expanded_case_insensitively() -> None:
    text = (
        '@string{t1 = "Attention"}\n@STRING(nips = {Advances in Neural Information})\n'
        '@article{a, title = T1 # " Is All You Need", journal = NIPS # { Processing}, '
        "month = jan # {~1}}"
    )
    assert fields(text) == {
        "title": "Attention Is All You Need",
        "journal": "Advances in Neural Information Processing",
        "month": "January~1",
    }
    assert messages(text) == []


def test_an_undefined_macro_is_kept_as_text_with_a_problem() -> None:
    text = "@article{a,\n  journal = ieeetpami,\n  title = {X}}"
    assert fields(text)["journal"] == "ieeetpami"
    assert messages(text) == [
        "line 2: the field journal of the entry 'a' uses the undefined @string 'ieeetpami'; "
        "kept as text"
    ]


def test_percent_inside_a_value_is_text_and_between_fields_a_comment() -> None:
    text = (
        "@article{a,\n  abstract = {We cut errors by 50% on\n  two tasks.},\n"
        "  % note = {commented out},\n  title = {T}}"
    )
    assert fields(text) == {"abstract": "We cut errors by 50% on two tasks.", "title": "T"}
    assert messages(text) == []


def test_a_commented_out_entry_stays_out() -> None:
    parsed = parse_bibtex("% @article{old, title = {Old}}\n@misc{new, title = {New}}")
    assert [e.key for e in parsed.entries] == ["new"]


def test_backslash_escapes_no_brace_as_in_bibtex() -> None:
    # BibTeX counts every brace: "\\{" is a line break followed by an opening brace.
    text = r"@misc{a, note = {first \\{\bf second}}, title = {T}}"
    assert fields(text) == {"note": r"first \\{\bf second}", "title": "T"}
    assert messages(text) == []


def test_quoted_values_end_at_a_quote_outside_braces() -> None:
    assert fields('@misc{a, title = "The {"}Quote{"} Paper" # ", 2nd"}') == {
        "title": 'The {"}Quote{"} Paper, 2nd'
    }


def test_whitespace_collapses_but_abstract_paragraphs_stay() -> None:
    text = "@misc{a, title = {Two\n   lines}, abstract = {One\n para.\n\n  Two\n para.}}"
    assert fields(text) == {"title": "Two lines", "abstract": "One para.\n\nTwo para."}


def test_stray_braces_after_an_entry_are_skipped_with_a_problem() -> None:
    text = "@article{a, title = {A}}\\cmg{note}\n@article{b, title = {B}}\n"
    parsed = parse_bibtex(text)
    assert [e.key for e in parsed.entries] == ["a", "b"]
    assert messages(text) == ["line 1: text outside any entry was skipped: '\\\\cmg{note}'"]


def test_prose_between_entries_is_ignored_silently_as_bibtex_does() -> None:
    text = "My references, by me@example.com.\n\n@misc{a, title = {A}}\nThe end.\n"
    parsed = parse_bibtex(text)
    assert [e.key for e in parsed.entries] == ["a"]
    assert parsed.problems == []


def test_a_keyless_entry_is_read_with_an_empty_key() -> None:
    parsed = parse_bibtex("@article{, title = {A}}\n@book{title = {B}, year = 2000}")
    assert [(e.key, dict(e.fields)) for e in parsed.entries] == [
        ("", {"title": "A"}),
        ("", {"title": "B", "year": "2000"}),
    ]


def test_a_missing_comma_between_fields_is_forgiven() -> None:
    text = "@article{a,\n  title = {A}\n  year = {2001}\n}"
    assert fields(text) == {"title": "A", "year": "2001"}
    assert messages(text) == ["line 3: a comma is missing before 'year'"]


def test_a_second_field_of_the_same_name_keeps_the_first() -> None:
    text = "@article{a,\n  title = {First},\n  TITLE = {Second}}"  # names: any case
    assert fields(text) == {"title": "First"}
    assert messages(text) == ["line 3: the entry 'a' has a second title field; the first is kept"]


def test_an_unclosed_entry_ends_where_the_next_begins() -> None:
    text = "@article{a,\n  title = {A},\n\n@article{b,\n  title = {B}}\n"
    parsed = parse_bibtex(text)
    assert [(e.key, dict(e.fields)) for e in parsed.entries] == [
        ("a", {"title": "A"}),
        ("b", {"title": "B"}),
    ]
    assert messages(text) == ["line 1: the entry 'a' is not closed; it ends where the next begins"]


def test_a_value_whose_braces_never_close_is_left_out_and_the_rest_is_read() -> None:
    text = "@article{a,\n  year = 2000,\n  title = {Open {brace,\n}\n\n@article{b, title = {B}}\n"
    parsed = parse_bibtex(text)
    assert [(e.key, dict(e.fields)) for e in parsed.entries] == [
        ("a", {"year": "2000"}),
        ("b", {"title": "B"}),
    ]
    assert messages(text) == [
        "line 3: the braces in the field title of the entry 'a' do not close; it was left out"
    ]


def test_comment_preamble_and_parenthesised_entries() -> None:
    text = (
        "@comment{jabref-meta: databaseType:bibtex;}\n"
        '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n'
        "@article(a, title = {T (with parentheses)})\n"
    )
    parsed = parse_bibtex(text)
    assert parsed.preambles == ["\\newcommand{\\noopsort}[1]{}"]
    assert [(e.key, dict(e.fields)) for e in parsed.entries] == [
        ("a", {"title": "T (with parentheses)"})
    ]
    assert parsed.problems == []


def test_line_numbers_point_at_the_entry() -> None:
    parsed = parse_bibtex("\n\n% c\n@misc{a, title={A}}\n\n@misc{b,\n title={B}}")
    assert [e.line for e in parsed.entries] == [4, 6]


# ----------------------------------------------------------------------------- bytes


@pytest.mark.parametrize(
    "data",
    [
        "@misc{a, title = {Über}}".encode(),
        codecs.BOM_UTF8 + "@misc{a, title = {Über}}".encode(),
        "@misc{a, title = {Über}}".encode("utf-16"),
        "@misc{a, title = {Über}}".encode("utf-16-le"),
        "@misc{a, title = {Über}}".encode("utf-16-be"),
        "% Encoding: windows-1252\n@misc{a, title = {Über}}".encode("cp1252"),
    ],
)
def test_text_in_any_common_encoding_is_read(data: bytes) -> None:
    text, problem = decode_bytes(data)
    assert "{Über}" in text
    assert problem is None


def test_an_undeclared_legacy_encoding_is_read_as_windows_1252_and_said() -> None:
    data = "@misc{a,\n title = {Gaël Varoquaux für Käse}}".encode("cp1252")
    text, problem = decode_bytes(data)
    assert "Gaël Varoquaux für Käse" in text
    assert problem == (
        "the file is not UTF-8 (line 2); it was read as Windows-1252 (Western European): "
        "if accented letters look wrong, import it again giving its encoding"
    )


def test_a_given_encoding_reads_what_no_guess_could() -> None:
    data = (CORPUS / "bibtexparser" / "gbk_test.bib").read_bytes()
    text, problem = decode_bytes(data, "gbk")
    assert "author = {凯撒}" in text and problem is None
    with pytest.raises(ValueError, match="no text encoding called 'klingon'"):
        decode_bytes(data, "klingon")


def test_old_mac_line_ends_are_lines() -> None:
    data = (CORPUS / "jabref" / "encoding-utf-16BE-without-header.bib").read_bytes()
    parsed = parse_bibtex(decode_bytes(data)[0])
    assert [dict(e.fields).get("title") for e in parsed.entries] == ["Ü ist ein Umlaut"]


def test_binary_data_is_no_text() -> None:
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(b"SQLite format 3\x00\x10\x00\x01\x01\x00@\x00\x00\x00")


# ----------------------------------------------------------------------------- vs pybtex

_word = st.text(alphabet="abcdefghijXYZ0123456789 .,:;-!?'()[]", min_size=0, max_size=12)


@st.composite
def _value(draw: st.DrawFn) -> str:
    def braced(depth: int) -> str:
        parts = draw(st.lists(_word, min_size=1, max_size=3))
        if depth < 2 and draw(st.booleans()):
            parts.insert(draw(st.integers(0, len(parts))), braced(depth + 1))
        return "{" + "".join(parts) + "}"

    kind = draw(st.sampled_from(["brace", "quote", "number", "macro"]))
    if kind == "brace":
        return braced(0)
    if kind == "quote":
        inner = braced(1) if draw(st.booleans()) else ""
        return '"' + draw(_word).replace('"', "") + inner + '"'
    if kind == "number":
        return str(draw(st.integers(0, 99999)))
    return draw(st.sampled_from(["jan", "feb", "dec", "mymacro"]))


@st.composite
def _bib(draw: st.DrawFn) -> str:
    out = ['@string{mymacro = "Macro value"}\n']
    for i in range(draw(st.integers(1, 4))):
        names = draw(st.lists(st.sampled_from(["title", "Author", "note", "x-y"]), unique=True))
        body = []
        for name in names:
            parts = draw(st.lists(_value(), min_size=1, max_size=3))
            body.append(f"  {name} = " + " # ".join(parts))
        close = ",\n" if draw(st.booleans()) else "\n"
        out.append(f"@article{{key{i},\n" + ",\n".join(body) + close + "}\n\n")
    return "".join(out)


def _pybtex(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    from pybtex.database.input.bibtex import LowLevelParser, month_names

    out = []
    for kind, body in LowLevelParser(text, macros=dict(month_names)):
        if kind.lower() in ("string", "preamble"):
            continue
        key, flds = body
        out.append(
            (
                kind.lower(),
                key,
                [(n.lower(), re.sub(r"\s+", " ", "".join(v)).strip()) for n, v in flds],
            )
        )
    return out


@settings(max_examples=300, deadline=None)
@given(_bib())
def test_reads_what_pybtex_reads(text: str) -> None:
    ours = [
        (e.type, e.key, [(n.lower(), v) for n, v in e.fields]) for e in parse_bibtex(text).entries
    ]
    assert ours == _pybtex(text)
    assert parse_bibtex(text).problems == []
