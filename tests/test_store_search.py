"""Full-text search through the repository: never raises, and does what search.py documents."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.domain import DailyAppearance, FeedQuery, PaperRecord, Sort
from desktop_app.store import Repository
from desktop_app.store.search import (
    MAX_TERMS,
    arxiv_id_in_query,
    build_fts_query,
    symbol_terms,
)

PAPERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # id: (title, abstract, authors)
    "2401.00001": (
        "Evaluating GPT-4 on olympiad geometry",
        "We test GPT-4.",
        ("Ann Lee",),
    ),
    "2401.00002": (
        "GPT and 4 other models",
        "A survey.",
        ("Bo Chen",),
    ),
    "2401.00003": (
        "Generating C++ from pseudocode",
        "Code synthesis.",
        ("Carl Diaz",),
    ),
    "2401.00004": (
        "It's all in the heads",
        "Attention heads, and how they work.",
        ("Dee O'Brien",),
    ),
    "2401.00005": (
        "Graph neural networks at scale",
        "Message passing on graphs.",
        ("Eve Fox",),
    ),
    "2401.00006": (
        "Neural graph rewriting",
        "We rewrite graphs with neural nets.",
        ("Finn Gu",),
    ),
    "2401.00007": (
        "Schrödinger bridges for generative modelling",
        "Optimal transport.",
        ("Gil Ho",),
    ),
    "2401.00008": (
        "Transformers are graph neural networks",
        "A view of attention.",
        ("Hal Ito",),
    ),
    "2401.00009": (
        "Near-optimal sampling; not all tokens matter",
        "Or do they?",
        ("Ida Jo",),
    ),
    "2401.00010": (
        "Diffusion models for video",
        "Text to video diffusion.",
        ("Geoffrey Hinton",),
    ),
    "2401.00011": (
        "Video understanding without diffusion",
        "Contrastive video models.",
        (),
    ),
    "2401.00012": (
        "Smiles 🙂 in chemistry",
        "Molecules as strings.",
        ("Kim Lu",),
    ),
}


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    """One library for the whole module (read-only tests, and hypothesis needs it shared)."""
    path: Path = tmp_path_factory.mktemp("search") / "library.sqlite3"
    repo = Repository.open(path)
    repo.upsert_papers(
        PaperRecord(
            id=paper_id,
            title=title,
            abstract=abstract,
            authors=authors,
            published=date(2024, 1, int(paper_id[-2:])),
            upvotes=int(paper_id[-2:]),
        )
        for paper_id, (title, abstract, authors) in PAPERS.items()
    )
    # Every paper is on a daily list, so the rank sort holds them all too.
    repo.upsert_papers(
        (),
        [DailyAppearance(paper_id, date(2024, 2, 1), rank) for rank, paper_id in enumerate(PAPERS)],
    )
    yield repo
    repo.close()


def found(repo: Repository, text: str, sort: Sort = Sort.DATE) -> set[str]:
    query = FeedQuery(text=text, sort=sort)
    ids = {p.id for p in repo.page(query, None, limit=100).papers}
    assert repo.count(query) == len(ids)
    return ids


def ids(*numbers: int) -> set[str]:
    return {f"2401.{n:05d}" for n in numbers}


NASTY = [
    "GPT-4",
    "c++",
    "it's",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    '"unbalanced quote',
    'unbalanced" quote',
    '"',
    '""',
    "arXiv:2401.00001",
    "🙂",
    "*",
    "(",
    ")",
    "-",
    "--",
    "^",
    ":",
    "title:graph",
    "graph*",
    "{graph}",
    "",
    "   ",
    "\t\n",
    "a" * 100_000,
    "graph " * 20_000,
    "graph " + " ".join(f"-w{i}" for i in range(150)),
    "\x00",
    "graph\x00neural",
    "\ud7ff\ufffd\U0010ffff",
    "e\u0301",
    "AND OR NOT",
    "- graph",
    "graph -",
    "-graph",
]


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("text", NASTY, ids=[repr(t[:20]) for t in NASTY])
def test_search_never_raises(searchable: Repository, text: str, sort: Sort) -> None:
    query = FeedQuery(text=text, sort=sort)
    papers = searchable.page(query, None, limit=5).papers
    count = searchable.count(query)
    assert len(papers) == min(count, 5)


@pytest.mark.parametrize("sort", list(Sort))
def test_operators_and_punctuation_are_plain_words(searchable: Repository, sort: Sort) -> None:
    assert found(searchable, "GPT-4", sort) == ids(1)  # a phrase: not "GPT and 4"
    assert found(searchable, "c++", sort) == ids(3)
    assert found(searchable, "it's", sort) == ids(4)
    assert found(searchable, "o'brien", sort) == ids(4)
    assert found(searchable, "AND", sort) == ids(2, 4)  # the word "and"
    assert found(searchable, "NOT", sort) == ids(9)
    assert found(searchable, "NEAR", sort) == ids(9)
    assert found(searchable, "OR", sort) == ids(9)


def test_unbalanced_quote_runs_to_the_end(searchable: Repository) -> None:
    assert found(searchable, '"graph neural') == ids(5, 8)
    assert found(searchable, 'video "diffusion models') == ids(10)


def test_an_arxiv_id_finds_that_paper(searchable: Repository) -> None:
    for text in (
        "arXiv:2401.00001",
        "2401.00001",
        " 2401.00001v3 ",
        "https://arxiv.org/abs/2401.00001v2",
        "https://arxiv.org/pdf/2401.00001.pdf",
    ):
        for sort in Sort:
            assert found(searchable, text, sort) == ids(1), text
    assert found(searchable, "arXiv:2401.99999") == set()
    assert arxiv_id_in_query("hep-th/9901001v2") == "hep-th/9901001"
    assert arxiv_id_in_query("graph") is None


def test_nothing_searchable_is_an_empty_view_and_blank_is_no_filter(
    searchable: Repository,
) -> None:
    for text in ("*", "(", "-", "%", "_", "\x00", '"', "😀"):
        assert found(searchable, text) == set(), text
    # An exclusion alone is everything without that word.
    graph = found(searchable, "graph")
    assert graph and found(searchable, "-graph") == set(PAPERS) - graph
    for text in ("", "   ", "\t"):
        assert found(searchable, text) == set(PAPERS), repr(text)


def test_nul_characters_separate_words(searchable: Repository) -> None:
    assert found(searchable, "graph\x00neural") == found(searchable, "graph neural") == ids(5, 6, 8)


def test_phrase_keeps_word_order(searchable: Repository) -> None:
    assert found(searchable, '"graph neural"') == ids(5, 8)
    assert found(searchable, '"neural graph"') == ids(6)
    assert found(searchable, "neural graph") == ids(5, 6, 8)  # plain words: any order


def test_all_words_must_match(searchable: Repository) -> None:
    assert found(searchable, "video diffusion") == ids(10, 11)
    assert found(searchable, "video diffusion text") == ids(10)


def test_prefix_as_you_type(searchable: Repository) -> None:
    assert found(searchable, "transf") == ids(8)
    assert found(searchable, "graph transf") == ids(8)
    assert found(searchable, "transf ") == set()  # a finished word is a whole word
    assert found(searchable, '"transf"') == set()
    assert found(searchable, "transf graph") == set()  # only the last word is a prefix
    assert found(searchable, "olymp") == ids(1)


def test_exclusion(searchable: Repository) -> None:
    assert found(searchable, "video -diffusion") == set()  # 11 mentions diffusion in its title
    assert found(searchable, "graph -neural") == set()
    assert found(searchable, "graph -rewriting") == ids(5, 8)
    assert found(searchable, "networks -scale -transformers") == set()
    assert found(searchable, "networks -scale") == ids(8)
    alone = found(searchable, "-neural")  # alone: everything without the word
    assert alone and not alone & found(searchable, "neural")


def test_many_exclusions_do_not_overflow_the_parser(searchable: Repository) -> None:
    text = "graph " + " ".join(f"-w{i}" for i in range(150))
    assert len(text) < 1000
    assert found(searchable, text) == ids(5, 6, 8)


def test_diacritics(searchable: Repository) -> None:
    assert found(searchable, "schrodinger") == ids(7)
    assert found(searchable, "Schrödinger") == ids(7)
    assert found(searchable, "Schro\u0308dinger") == ids(7)  # typed decomposed (NFD)
    assert found(searchable, "SCHRÖDINGER bridges") == ids(7)


def test_authors_are_searchable(searchable: Repository) -> None:
    assert found(searchable, "hinton") == ids(10)


def test_emoji_does_not_break_a_query(searchable: Repository) -> None:
    assert found(searchable, "smiles 🙂") == ids(12)
    assert found(searchable, "🙂 chemistry") == ids(12)


def test_symbols_alone_are_looked_for_in_titles_and_abstracts(searchable: Repository) -> None:
    # FTS5 does not index them, so an emoji alone would otherwise find nothing: titles are
    # searched for it instead.
    for sort in Sort:
        assert found(searchable, "🙂", sort) == ids(12)
    assert found(searchable, '"🙂"') == ids(12)
    assert found(searchable, "🙂 😀") == set()  # every symbol must be there
    assert searchable.count(FeedQuery(text="🙂")) == 1
    assert symbol_terms("%_🙂") == ["%\\%\\_🙂%"]  # LIKE wildcards are escaped
    assert symbol_terms("graph 🙂") == []  # a word: the full-text index answers
    assert symbol_terms('"🚀 ≤" -launch') == ["%🚀 ≤%"]  # a quoted run keeps its space
    assert found(searchable, "🙂 -smiles") == set()  # exclusions still apply
    assert found(searchable, "🙂 -graph") == ids(12)


def test_very_long_input_is_cut_not_rejected(searchable: Repository) -> None:
    assert found(searchable, "graph " * 20_000) == ids(5, 6, 8)
    query = build_fts_query(" ".join(f"w{i}" for i in range(500)))
    assert query is not None and query.count(" AND ") == MAX_TERMS - 1


def test_relevance_orders_by_score(searchable: Repository) -> None:
    papers = searchable.page(FeedQuery(text="graph", sort=Sort.RELEVANCE)).papers
    assert {p.id for p in papers} == ids(5, 6, 8)
    # "graph" is in 5's and 6's title and abstract, only in 8's title.
    assert papers[-1].id == "2401.00008"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(st.characters(blacklist_categories=())), sort=st.sampled_from(list(Sort)))
def test_any_text_never_raises(searchable: Repository, text: str, sort: Sort) -> None:
    query = FeedQuery(text=text, sort=sort)
    page = searchable.page(query, None, limit=3)
    count = searchable.count(query)
    assert len(page.papers) == min(count, 3)
    if page.cursor is not None:
        searchable.page(query, page.cursor, limit=3)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=()), max_size=60))
def test_built_queries_are_valid_fts5(text: str) -> None:
    match = build_fts_query(text)
    if match is None:
        return
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute("INSERT INTO t VALUES ('some text')")
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()
    finally:
        conn.close()
