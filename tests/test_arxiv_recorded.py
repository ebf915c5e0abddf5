"""arXiv's real answers, recorded by lukasschwab/arxiv.py (MIT; see
``tests/fixtures/arxiv_recorded/README.md``), replayed on loopback: the 2016 Atom layout and the
current one (2026), a 100-paper answer, paging, old-style ids, an unknown id, an empty answer and
the HTTP 400 error feed. Every field is checked against the XML read here with the standard
library, independently of the app's parser, and then as stored in a library."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes
from werkzeug import Response

from desktop_app.domain import PaperRecord
from desktop_app.errors import InvalidInputError
from desktop_app.library.fetch import add_papers, fetch_arxiv_query
from desktop_app.sources.arxiv import ArxivClient
from desktop_app.store import Repository

pytestmark = pytest.mark.usefixtures("no_leaked_threads")

ATOM = "application/atom+xml; charset=utf-8"
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
}


def cassette(name: str) -> tuple[int, bytes]:
    """A response recorded by arxiv.py's test suite: its status and its body."""
    data = json.loads(fixture_bytes(f"arxiv_recorded/{name}"))
    return data["status_code"], data["body"].encode("latin-1")


def expected(body: bytes) -> list[dict[str, Any]]:
    """What each entry says, read with ElementTree (whitespace collapsed, as the app shows)."""

    def text(node: ET.Element, path: str) -> str | None:
        found = node.find(path, NS)
        return " ".join(found.text.split()) if found is not None and found.text else None

    out = []
    for entry in ET.fromstring(body).findall("a:entry", NS):
        ident = text(entry, "a:id") or ""
        raw = ident.split("/abs/", 1)[1]
        paper_id, _, version = raw.rpartition("v")
        primary = entry.find("arxiv:primary_category", NS)
        doi = text(entry, "arxiv:doi")
        if doi is None:
            doi = next(
                (
                    link.get("href", "").split("doi.org/", 1)[1]
                    for link in entry.findall("a:link", NS)
                    if "doi.org/" in link.get("href", "")
                ),
                None,
            )
        categories = [c.get("term") for c in entry.findall("a:category", NS)]
        out.append(
            {
                "id": paper_id,
                "version": int(version),
                "title": text(entry, "a:title"),
                "abstract": text(entry, "a:summary"),
                "authors": tuple(text(a, "a:name") for a in entry.findall("a:author", NS)),
                "published": date.fromisoformat((text(entry, "a:published") or "")[:10]),
                "updated": date.fromisoformat((text(entry, "a:updated") or "")[:10]),
                "primary_category": primary.get("term") if primary is not None else None,
                "categories": tuple(dict.fromkeys(categories)),
                "doi": doi,
                "journal_ref": text(entry, "arxiv:journal_ref"),
                "arxiv_comment": text(entry, "arxiv:comment"),
            }
        )
    return out


def as_dict(record: PaperRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "version": record.version,
        "title": record.title,
        # paragraphs are kept by the app; compare the words
        "abstract": " ".join((record.abstract or "").split()),
        "authors": record.authors,
        "published": record.published,
        "updated": record.updated,
        "primary_category": record.primary_category,
        "categories": record.categories,
        "doi": record.doi,
        "journal_ref": record.journal_ref,
        "arxiv_comment": record.arxiv_comment,
    }


def stored(repo: Repository, paper_id: str) -> dict[str, Any]:
    p = repo.get(paper_id)
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "abstract": " ".join(p.abstract.split()),
        "authors": p.authors,
        "published": p.published,
        "updated": p.updated,
        "primary_category": p.primary_category,
        "categories": p.categories,
        "doi": p.doi,
        "journal_ref": p.journal_ref,
        "arxiv_comment": p.arxiv_comment,
    }


def serve(server: HTTPServer, body: bytes, status: int = 200, **query: str) -> None:
    server.expect_request("/api/query", query_string=query or None).respond_with_data(
        body, status=status, content_type=ATOM
    )


# --------------------------------------------------------------------------- the 2016 layout

LAYOUT_2016 = (
    "2016_au_del_maestro_AND_ti_checkerboard.xml",
    "2016_au_del_maestro.xml",
    "2016_id_list_1111.2011v2.xml",
)


@pytest.mark.parametrize("name", LAYOUT_2016)
def test_2016_answers_are_stored_with_every_field(
    name: str, httpserver: HTTPServer, arxiv: ArxivClient, repo: Repository
) -> None:
    body = fixture_bytes(f"arxiv_recorded/{name}")
    want = expected(body)
    assert want  # the recording holds papers
    serve(httpserver, body)
    summary = fetch_arxiv_query(repo, arxiv, "au:del_maestro", max_results=len(want))
    assert summary.new == len(want)
    for entry in want:
        assert stored(repo, entry["id"]) == entry
        # arXiv-only: Hugging Face's counts are unknown, not 0
        assert (repo.get(entry["id"]).upvotes, repo.get(entry["id"]).comments) == (None, None)


def test_2016_old_style_id_doi_and_journal_ref(
    httpserver: HTTPServer, arxiv: ArxivClient, repo: Repository
) -> None:
    serve(httpserver, fixture_bytes("arxiv_recorded/2016_au_del_maestro_AND_ti_checkerboard.xml"))
    fetch_arxiv_query(repo, arxiv, "au:del_maestro AND ti:checkerboard", max_results=10)
    paper = repo.get("cond-mat/0603029")
    assert paper.title == (
        "From stripe to checkerboard order on the square lattice in the presence of quenched "
        "disorder"
    )
    assert paper.doi == "10.1103/PhysRevB.74.024520"
    assert paper.journal_ref == "Phys. Rev. B 74, 024520 (2006)"
    assert paper.primary_category == "cond-mat.str-el"


# --------------------------------------------------------------------------- the current layout


def test_a_100_paper_answer_is_stored_with_every_field(
    httpserver: HTTPServer, http: Any, repo: Repository
) -> None:
    status, body = cassette("q_testing_s0_m100_cfe7536492ca.json")
    assert status == 200
    want = expected(body)
    assert len(want) == 100
    serve(httpserver, body)
    arxiv = ArxivClient(http, httpserver.url_for("/"), min_interval=0, page_size=100)
    summary = fetch_arxiv_query(repo, arxiv, "testing", max_results=100)
    assert (summary.new, summary.pages) == (100, 1)
    assert list(summary.ids) == [e["id"] for e in want]
    for entry in want:
        assert stored(repo, entry["id"]) == entry


def test_paging_reads_the_recorded_pages_in_order(
    httpserver: HTTPServer, http: Any, repo: Repository
) -> None:
    first = expected(cassette("q_testing_s0_m10_bc5a6c384fe9.json")[1])
    second = expected(cassette("q_testing_s10_m10_34e56e15aaac.json")[1])
    pages_by_start = {
        "0": cassette("q_testing_s0_m10_bc5a6c384fe9.json")[1],
        "10": cassette("q_testing_s10_m10_34e56e15aaac.json")[1],
    }
    httpserver.expect_request("/api/query").respond_with_handler(
        lambda request: Response(pages_by_start[request.args["start"]], content_type=ATOM)
    )
    arxiv = ArxivClient(http, httpserver.url_for("/"), min_interval=0, page_size=10)
    pages = list(arxiv.iter_query("testing", 0, 20))
    assert [as_dict(r) for p in pages for r in p.records] == [*first, *second]


def test_old_style_ids_an_impossible_id_and_an_empty_answer(
    httpserver: HTTPServer, arxiv: ArxivClient
) -> None:
    _, old = cassette("id_astro-ph_0601001_s0_m100_3150dca9dc76.json")
    serve(httpserver, old)
    [record] = arxiv.by_ids(["astro-ph/0601001"])
    assert as_dict(record) == expected(old)[0]
    assert record.id == "astro-ph/0601001"
    httpserver.clear()
    # arXiv answers no entry for a five-digit number of 2008 (recorded by arxiv.py); the app
    # refuses it before asking.
    with pytest.raises(InvalidInputError, match=r"0808\.05394"):
        arxiv.by_ids(["0808.05394", "1707.08567"])
    assert len(httpserver.log) == 0
    _, empty = cassette("id_0000.0000_s0_m100_8b51d9633a68.json")
    serve(httpserver, empty)
    assert [list(p.records) for p in arxiv.iter_query("id:0000.0000", 0, 10)] == [[]]


def test_the_400_error_feed_shows_arxivs_own_words(
    httpserver: HTTPServer, arxiv: ArxivClient, repo: Repository
) -> None:
    status, body = cassette("id_abc_s0_m100_b79c8dcf6bc3.json")
    assert status == 400
    serve(httpserver, body, status=400)
    with pytest.raises(InvalidInputError) as caught:
        fetch_arxiv_query(repo, arxiv, "id:abc", max_results=10)
    assert "incorrect id format for abc" in caught.value.message
    assert "HTTP 400" not in caught.value.message
    assert repo.db.execute_sql("SELECT count(*) FROM paper").fetchone() == (0,)


def test_adding_a_paper_known_only_to_arxiv_keeps_its_counts_unknown(
    httpserver: HTTPServer, http: Any, repo: Repository, tmp_path: Path
) -> None:
    from desktop_app.sources.hf import HfClient

    httpserver.expect_request("/api/papers/1707.08567").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    _, body = cassette("id_1707.08567_s0_m100_6a1afebfc6a3.json")
    serve(httpserver, body)
    hf = HfClient(http, httpserver.url_for("/"))
    arxiv = ArxivClient(http, httpserver.url_for("/"), min_interval=0)
    add_papers(repo, hf, arxiv, ["1707.08567"])
    paper = repo.get("1707.08567")
    assert stored(repo, "1707.08567") == expected(body)[0]
    assert (paper.upvotes, paper.comments, paper.on_hugging_face) == (None, None, False)
