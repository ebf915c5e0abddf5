"""Names: the fast paths give pybtex's parts (BibTeX's rules), and what is forgiven is said."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.bibtex.latex import decode
from desktop_app.bibtex.names import (
    _plain_parts,
    _pybtex_parts,
    _split_outside_braces,
    parse_name,
    parse_names,
    person_from_display,
    split_names,
)
from desktop_app.domain import PersonName

_upper = st.sampled_from(["Ada", "Jean", "La", "Van", "Ó", "Émile", "O'Neil", "Jean-Paul", "J."])
_lower = st.sampled_from(["de", "van", "der", "la", "von", "du", "d'", "al-"])
_token = st.one_of(_upper, _lower, st.sampled_from(["2nd", "Jr.", "III", "X"]))


@st.composite
def plain_names(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(_token, min_size=1, max_size=5))
    commas = draw(st.integers(0, 2))
    if commas and len(tokens) > commas:
        cut = sorted(
            draw(st.sets(st.integers(1, len(tokens) - 1), min_size=commas, max_size=commas))
        )
        parts, last = [], 0
        for c in cut:
            parts.append(" ".join(tokens[last:c]))
            last = c
        parts.append(" ".join(tokens[last:]))
        return ", ".join(parts)
    return " ".join(tokens)


@settings(max_examples=500, deadline=None)
@given(plain_names())
def test_the_fast_path_splits_names_as_pybtex_does(name: str) -> None:
    assert _plain_parts(name) == _pybtex_parts(name)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "{Gemini Team}",
                'Bj{\\"o}rn Ommer',
                "{Simon and Schuster}",
                "Ada Lovelace",
                "{\\'E}mile Zola",
            ]
        ),
        min_size=1,
        max_size=4,
    )
)
def test_name_lists_split_outside_braces_as_pybtex_does(names: list[str]) -> None:
    from pybtex.bibtex.utils import split_name_list

    text = " and ".join(names)
    assert _split_outside_braces(text) == split_name_list(text)


@pytest.mark.parametrize(
    ("raw", "person"),
    [
        ("Vaswani, Ashish", PersonName(family="Vaswani", given="Ashish")),
        ("Ashish Vaswani", PersonName(family="Vaswani", given="Ashish")),
        ("van der Maaten, Jr., Laurens", PersonName("Maaten", "Laurens", "van der", "Jr.")),
        ("Jean de La Fontaine", PersonName(family="La Fontaine", given="Jean", von="de")),
        ("{Gemini Team}", PersonName(literal="Gemini Team")),
        ("{D}ebye, Peter", PersonName(family="Debye", given="Peter")),
        ('Bj{\\"o}rn Ommer', PersonName(family="Ommer", given="Björn")),
        ("others", PersonName(literal="others")),
        ("Ludwig {van Beethoven}", PersonName(family="van Beethoven", given="Ludwig")),
    ],
)
def test_names_in_parts(raw: str, person: PersonName) -> None:
    assert parse_name(raw) == (person, ())


def test_forgiven_name_problems_are_said() -> None:
    assert parse_name("Smith, John,") == (
        PersonName(family="Smith", given="John"),
        ("a trailing comma in the name 'Smith, John,' was dropped",),
    )
    _, problems = parse_names("A, B, C, D")
    assert problems == ["the name 'A, B, C, D' has 3 commas; the last ones were kept as text"]
    assert split_names("Smith, J. and and Doe, K. and") == (
        ["Smith, J.", "Doe, K."],
        ["a stray 'and' in 'Smith, J. and and Doe, K. and' was dropped"],
    )


@pytest.mark.parametrize(
    ("display", "person"),
    [
        ("Gemini Team", PersonName(literal="Gemini Team")),
        (
            "The LIGO Scientific Collaboration",
            PersonName(literal="The LIGO Scientific Collaboration"),
        ),
        ("Laurens van der Maaten", PersonName(family="Maaten", given="Laurens", von="van der")),
        ("OpenAI", PersonName(family="OpenAI")),
    ],
)
def test_fetched_names_in_parts(display: str, person: PersonName) -> None:
    assert person_from_display(display) == person


def test_display_is_arxiv_s_form() -> None:
    (person,), _ = parse_names("King, Jr., Martin Luther")
    assert person.display == "Martin Luther King Jr."
    assert decode('{\\"U}ber') == "Über"
