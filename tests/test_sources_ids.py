"""Pasted paper references → arXiv ids."""

from __future__ import annotations

import pytest

from desktop_app.errors import InvalidInputError
from desktop_app.sources.ids import parse_paper_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2403.12345", ("2403.12345", None)),
        ("2403.12345v2", ("2403.12345", 2)),
        ("  arXiv:2403.12345 ", ("2403.12345", None)),
        ("ARXIV: 2403.12345v10", ("2403.12345", 10)),
        ("0704.0001", ("0704.0001", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v3", ("hep-th/9901001", 3)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("https://arxiv.org/abs/2403.12345", ("2403.12345", None)),
        ("http://arxiv.org/abs/2403.12345v2", ("2403.12345", 2)),
        ("https://arxiv.org/abs/2403.12345v2?context=cs.LG#x", ("2403.12345", 2)),
        ("https://arxiv.org/pdf/2403.12345", ("2403.12345", None)),
        ("https://arxiv.org/pdf/2403.12345v3.pdf", ("2403.12345", 3)),
        ("https://arxiv.org/pdf/2403.12345.pdf", ("2403.12345", None)),
        ("https://export.arxiv.org/abs/hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("https://arxiv.org/pdf/hep-th/9901001.pdf", ("hep-th/9901001", None)),
        ("www.arxiv.org/abs/2403.12345/", ("2403.12345", None)),
        ("arxiv.org/abs/2403.12345", ("2403.12345", None)),
        ("https://huggingface.co/papers/2403.12345", ("2403.12345", None)),
        ("huggingface.co/papers/2403.12345", ("2403.12345", None)),
        ("<https://huggingface.co/papers/2403.12345>", ("2403.12345", None)),
    ],
)
def test_accepted_references(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_paper_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "2403.123",
        "2403.123456",
        "arXiv:",
        "https://example.com/abs/2403.12345",
        "https://arxiv.org/list/cs.LG/recent",
        "https://huggingface.co/2403.12345",
        "https://huggingface.co/papers/",
        "HEP-TH/9901001",
        "2403.12345v",
    ],
)
def test_refused_references(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_paper_ref(text)
    message = str(info.value)
    assert "is not an arXiv id or a paper link" in message
    assert "2403.12345" in message  # the hint shows what works


@pytest.mark.parametrize(
    "text",
    [
        "２４０１．００００１",  # full-width digits
        "2401.00001v0",  # versions start at 1
        "1412.69800",  # five digits before 2015
        "1501.1234",  # four digits from 2015
        "2413.00001",  # no thirteenth month
        "0612.0001",  # new-style ids begin in April 2007
        "hep-th/9913001",  # old style, month 13
        "2401.00001v",
    ],
)
def test_ids_that_arxiv_would_never_issue_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="is not an arXiv id"):
        parse_paper_ref(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0704.0001", ("0704.0001", None)),
        ("1412.6980", ("1412.6980", None)),
        ("1501.00001v12", ("1501.00001", 12)),
        ("math.GT/0309136v2", ("math.GT/0309136", 2)),
    ],
)
def test_ids_at_the_edges_of_the_scheme(text: str, expected: tuple) -> None:
    assert parse_paper_ref(text) == expected
