"""Golden .bib files for tricky papers: the exact text ``to_bibtex`` writes.

The cases are also the core of the real LaTeX run (``test_bibtex_latex.py``), so every golden
entry is known to compile. Regenerate after a deliberate format change with
``UPDATE_GOLDEN=1 pytest tests/test_bibtex_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from desktop_app.bibtex import BibTeXOptions, to_bibtex
from desktop_app.domain import Paper

GOLDEN = Path(__file__).parent / "golden"
UNICODE = BibTeXOptions(unicode=True)
FULL = BibTeXOptions(include_abstract=True, include_keywords=True)


@dataclass(frozen=True)
class Case:
    name: str
    papers: tuple[Paper, ...]
    options: BibTeXOptions = field(default_factory=BibTeXOptions)


def paper(paper_id: str, title: str, *authors: str, **kw: object) -> Paper:
    kw.setdefault("abstract", "")
    kw.setdefault("published", date(2023, 5, 17))
    kw.setdefault("primary_category", "cs.LG")
    return Paper(id=paper_id, title=title, authors=authors, **kw)  # type: ignore[arg-type]


THIRTY = tuple(f"Author{chr(65 + i % 26)}{i} Surname{i}" for i in range(30))

CASES: tuple[Case, ...] = (
    Case(
        "basic",
        (
            paper(
                "1706.03762",
                "Attention Is All You Need",
                "Ashish Vaswani",
                "Noam Shazeer",
                "Niki Parmar",
                "Jakob Uszkoreit",
                "Llion Jones",
                "Aidan N. Gomez",
                "Lukasz Kaiser",
                "Illia Polosukhin",
                published=date(2017, 6, 12),
                primary_category="cs.CL",
            ),
        ),
    ),
    Case(
        "specials",
        (
            paper(
                "2401.00001",
                r"Fast & Cheap: 100% of $5 #1 snake_case ~tilde ^caret \backslash {braces} <a|b>",
                "Jane Doe",
            ),
        ),
    ),
    Case(
        "acronyms",
        (
            paper(
                "2302.13971",
                "LLaMA: Open and Efficient Foundation Language Models",
                "Hugo Touvron",
                published=date(2023, 2, 27),
            ),
            paper("2303.08774", "GPT-4 Technical Report", "OpenAI", published=date(2023, 3, 15)),
            paper(
                "1810.04805",
                "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                "Jacob Devlin",
                "Ming-Wei Chang",
                "Kenton Lee",
                "Kristina Toutanova",
                published=date(2018, 10, 11),
                primary_category="cs.CL",
            ),
            paper(
                "2401.00002",
                "ResNet on an iPhone: 3D Vision for Model X and COVID-19 in the NLP Era",
                "Kaiming He",
            ),
        ),
    ),
    Case(
        "math",
        (
            paper(
                "2401.00003",
                r"Sorting in $O(n \log n)$ with $\mathbb{R}^d$ Embeddings and $\alpha$-Divergence",
                "Ada Lovelace",
            ),
            paper(
                "2401.00004",
                r"Unsafe math $\input{/etc/passwd}$, broken $x^$ and unbalanced $a{b$ stay text",
                "Ada Lovelace",
            ),
            paper("2401.00005", "Costs $5 and $10 or 50% $$ off", "Ada Lovelace"),
        ),
    ),
    Case(
        "accents",
        (
            paper(
                "2401.00006",
                "Über die Straße: Café Crème à la Façon de Noël",
                "Jürgen Schmidhuber",
                "Gaël Varoquaux",
                "Łukasz Kaiser",
                "François Chollet",
                "Søren Hauberg",
                "Zoë Wąsowska",
                "Ørjan Ødegård",
                "İlker Yıldırım",
            ),
        ),
    ),
    Case(
        "cjk_default",
        (paper("2401.00007", "中文 Transformer 模型: A Study", "张伟", "Björn Ommer"),),
    ),
    Case(
        "cjk_unicode",
        (paper("2401.00007", "中文 Transformer 模型: A Study", "张伟", "Björn Ommer"),),
        UNICODE,
    ),
    Case(
        "accents_unicode",
        (
            paper(
                "2401.00006",
                "Über die Straße & 50% $\\alpha$",
                "Jürgen Schmidhuber",
                "Zoë Wąsowska",
                "Laurens van der Maaten",
            ),
        ),
        UNICODE,
    ),
    Case(
        "particles",
        (
            paper(
                "0802.0001",
                "Visualizing Data using t-SNE",
                "Laurens van der Maaten",
                "Geoffrey Hinton",
                "Ludwig van Beethoven",
                "Charles de Gaulle",
                "Juan de la Cruz Pérez",
                "Vincent van Gogh",
                "Jean d'Alembert",
                "bell hooks",
                published=date(2008, 11, 1),
            ),
        ),
    ),
    Case(
        "suffixes",
        (
            paper(
                "2401.00008",
                "On Names",
                "John Smith Jr.",
                "Martin Luther King, Jr.",
                "Henry Ford III",
                "Smith, Jr., John",
                "Sammy Davis Sr.",
            ),
        ),
    ),
    Case("thirty_authors", (paper("2401.00009", "A Large Collaboration", *THIRTY),)),
    Case(
        "missing_fields",
        (
            Paper(
                id="2401.00010",
                title="Untitled Preprint Without Metadata",
                abstract="",
                authors=(),
                published=None,
            ),
        ),
    ),
    Case(
        "local",
        (
            Paper(
                id="local:smith2020local",
                title="A Paper Known Only from a Bib File",
                abstract="",
                authors=("Alice Smith", "Bob Jones"),
                published=None,
                year=2020,
                doi="10.1007/978-3-030-12345-6_7",
            ),
        ),
    ),
    Case(
        "article",
        (
            paper(
                "0704.0011",
                "Neutrino Oscillations in Matter",
                "Alice Physicist",
                published=date(2007, 4, 2),
                journal_ref="Phys. Rev. D 76, 013009 (2007)",
                doi="10.1103/PhysRevD.76.013009",
                primary_category="hep-ph",
            ),
            paper(
                "1710.00012",
                "A Conference Paper",
                "Bob Researcher",
                published=date(2017, 10, 3),
                journal_ref="NeurIPS 2017",
            ),
            paper(
                "1612.00013",
                "Published a Year Later",
                "Carol Writer",
                published=date(2016, 12, 30),
                journal_ref="Nature 550(7676), 354-359 (2017)",
            ),
            paper(
                "1707.00014",
                "Same Year, Number and Page Range",
                "Dan Author",
                published=date(2017, 7, 3),
                journal_ref="Nature 550(7676), 354-359 (2017)",
            ),
            paper("2401.00015", "Only a DOI", "Eve Author", doi="10.48550/arXiv.2401.00015"),
        ),
    ),
    Case(
        "injection",
        (
            paper(
                "2401.00016",
                r"\input{/etc/passwd} \immediate\write18{touch pwned} }}} {{{ \end{document} \\ %c",
                r"Evil \input{x} Person",
                "Mallory }{ Brace",
                abstract=r"}\end{thebibliography}\immediate\write18{id}",
                tags=("evil}tag",),
            ),
        ),
        FULL,
    ),
    Case(
        "abstract_keywords",
        (
            paper(
                "2401.00017",
                "With Abstract and Keywords",
                "Grace Hopper",
                abstract="We show that $x_1 + x_2$ costs 50% less & is  \n\n  faster -- really.",
                tags=("ml/transformers", "reading list", "to-read"),
            ),
        ),
        FULL,
    ),
    Case(
        "institution",
        (
            paper(
                "2401.00018",
                "A Report by Many",
                "The LLaMA and Friends Consortium",
                "Google DeepMind",
                "others",
            ),
        ),
    ),
    Case(
        "collisions",
        (
            paper("2401.00020", "Deep Learning", "Yann LeCun", published=date(2015, 5, 28)),
            paper("2401.00019", "Deep Learning", "Yann LeCun", published=date(2015, 5, 27)),
            paper("2401.00021", "Deep Learning", "Yann LeCun", published=date(2015, 5, 29)),
        ),
    ),
)


# Ingredients of generated tricky papers (the LaTeX run and the round trip use them).
TITLE_BITS = [
    "LLaMA",
    "GPT-4",
    "BERT",
    "ResNet",
    "iPhone",
    "3D",
    "Model X",
    "COVID-19",
    "t-SNE",
    "Über",
    "Café",
    "naïve",
    "Straße",
    "Ångström",
    "Łódź",
    "Ωmega",
    "α-Net",
    "≤ 5",
    "± 3",
    "50%",
    "R&D",
    "$5",
    "$Z $$",
    "#1",
    "snake_case",
    "~tilde",
    "^caret",
    "\\backslash",
    "{open",
    "close}",
    "a|b",
    "<tag>",
    "--",
    "---",
    "``quoted''",
    "?`",
    "$O(n \\log n)$",
    "$\\mathbb{R}^d$",
    "$x_1^2$",
    "$\\alpha$",
    "$\\frac{1}{2}$",
    "$x^$",
    "$\\input{x}$",
    "\\input{/etc/passwd}",
    "\\immediate\\write18{touch pwned}",
    "\\end{document}",
    "%c",
    "Attention",
    "Is",
    "All",
    "You",
    "Need",
    "Learning",
    "for",
    "the",
    "Deep",
    "Models",
    "on",
    "a",
    "Graph",
    "Transformers",
    "中文",
    "Ελληνικά",
    "Кириллица",
    "Wąsowski",
    "€100",
    "©",
    "°C",
    "—",
    "…",
    "“smart”",
    "‘single’",
    "ﬁ",
]
FIRST = [
    "Ashish",
    "Jürgen",
    "Gaël",
    "Łukasz",
    "Zoë",
    "Søren",
    "İlker",
    "François",
    "Aidan N.",
    "J. R. R.",
    "Jean-Luc",
    "Ørjan",
    "张",
    "Ming-Wei",
    "Mallory }{",
    "Evil \\input{x}",
]
LAST = [
    "Vaswani",
    "Schmidhuber",
    "Varoquaux",
    "Kaiser",
    "Wąsowska",
    "Hauberg",
    "Yıldırım",
    "Chollet",
    "van der Maaten",
    "de la Cruz Pérez",
    "d'Alembert",
    "Smith Jr.",
    "Ford III",
    "伟",
    "O'Brien",
    "Müller-Lüdenscheidt",
    "Ødegård",
]


def generated_papers(n: int, seed: int = 20240601) -> list[Paper]:
    """``n`` reproducible papers mixing every tricky ingredient."""
    rng = random.Random(seed)
    papers = []
    for i in range(n):
        title = " ".join(rng.choice(TITLE_BITS) for _ in range(rng.randint(2, 9)))
        authors = tuple(
            f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice([0, 1, 2, 3, 30]))
        )
        kind = rng.random()
        papers.append(
            Paper(
                id=f"local:gen{i}" if kind < 0.15 else f"2{i % 10}01.{i:05d}",
                title=title,
                abstract=" ".join(rng.choice(TITLE_BITS) for _ in range(12)),
                authors=authors,
                published=None if kind < 0.25 else date(2015 + i % 10, 1 + i % 12, 1 + i % 28),
                year=2020 if kind < 0.2 else None,
                primary_category="cs.LG" if kind > 0.3 else None,
                doi=f"10.1000/x_{i}" if kind > 0.8 else None,
                journal_ref=("Phys. Rev. D 76, 013009 (2019)" if kind > 0.9 and authors else None),
                tags=("ml/deep", "to read") if i % 3 == 0 else (),
            )
        )
    return papers


def golden_text(case: Case) -> str:
    return to_bibtex(case.papers, None, case.options)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Case) -> None:
    path = GOLDEN / f"{case.name}.bib"
    text = golden_text(case)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_golden_files_have_a_case_each() -> None:
    assert {p.stem for p in GOLDEN.glob("*.bib")} == {c.name for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_default_mode_output_is_ascii(case: Case) -> None:
    if not case.options.unicode:
        assert golden_text(case).isascii()
