"""arXiv journal references: the shapes journals use are read; nothing else is guessed at."""

from __future__ import annotations

import pytest

from desktop_app.bibtex.journal_ref import JournalRef, parse_journal_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phys. Rev. D 76, 013009 (2007)", JournalRef("Phys. Rev. D", "76", 2007, None, "013009")),
        (
            "Nature 550(7676), 354-359 (2017)",
            JournalRef("Nature", "550", 2017, "7676", "354--359"),
        ),
        (
            "Appl. Phys. Lett. 85, 1234 (2004)",
            JournalRef("Appl. Phys. Lett.", "85", 2004, None, "1234"),
        ),
        (
            "Phys. Lett. B 659 (2008) 703-706",
            JournalRef("Phys. Lett. B", "659", 2008, None, "703--706"),
        ),
        ("JMLR 15:1929-1958 (2014)", JournalRef("JMLR", "15", 2014, None, "1929--1958")),
        (
            "Journal of Machine Learning Research 15(56):1929-1958, 2014",
            JournalRef("Journal of Machine Learning Research", "15", 2014, "56", "1929--1958"),
        ),
        (
            "IEEE Trans. Pattern Anal. Mach. Intell., vol. 44, no. 3, pp. 1-12, 2022",
            JournalRef("IEEE Trans. Pattern Anal. Mach. Intell.", "44", 2022, "3", "1--12"),
        ),
        (
            "Astrophys.J. 620 (2005) L1-L4",
            JournalRef("Astrophys.J.", "620", 2005, None, "L1--L4"),
        ),
        (
            "Neural Computation 9(8):1735--1780, 1997",
            JournalRef("Neural Computation", "9", 1997, "8", "1735--1780"),
        ),
    ],
)
def test_journal_shapes_are_read(text: str, expected: JournalRef) -> None:
    assert parse_journal_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "NeurIPS 2023",
        "ICLR 2024 (oral)",
        "Proceedings of the 40th International Conference on Machine Learning, PMLR 202:1-12, 2023",
        "Transactions on Machine Learning Research (TMLR), 2023",
        "Accepted at Nature Communications",
        "Phys. Rev. D 76, 013009",  # no year
        "Nature (2017)",  # no volume
        "",
    ],
)
def test_anything_else_is_not_guessed_at(text: str) -> None:
    assert parse_journal_ref(text) is None
