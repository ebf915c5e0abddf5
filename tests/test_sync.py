"""Services from source to store, against a loopback server and a real SQLite library.

For every failure the library must be exactly as before (or complete after a successful
retry), and a failure on a later page must leave the earlier pages stored.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from pytest_httpserver import HTTPServer
from sources_support import RawServer, fixture_bytes, http_response
from werkzeug import Request, Response

from desktop_app.config import Settings
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.errors import (
    AppError,
    BadResponseError,
    CancelledError,
    FetchTimeoutError,
    InvalidInputError,
    NotFoundError,
    PartialFetchError,
    RateLimitedError,
    ServerError,
)
from desktop_app.library.bookkeeping import LAST_DAILY_FETCH_KEY, last_daily_fetch
from desktop_app.library.fetch import (
    FetchSummary,
    add_papers,
    fetch_arxiv_listing,
    fetch_arxiv_query,
    fetch_daily,
    fetch_search,
    merge_records,
)
from desktop_app.sources import open_clients
from desktop_app.sources.arxiv import ArxivClient
from desktop_app.sources.hf import HfClient
from desktop_app.sources.http import HttpClient
from desktop_app.store import Repository

DAY = date(2026, 3, 6)
JSON = "application/json"
ATOM = "application/atom+xml"
HTML = fixture_bytes("maintenance.html")

pytestmark = pytest.mark.usefixtures("no_leaked_threads")


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with HttpClient(timeout=1, retries=1, backoff=0.01, max_wait=0.05) as client:
        yield client


def snapshot(repo: Repository) -> dict[str, list[tuple]]:
    """Every row that a fetch may write, for before/after comparisons."""
    tables = {
        "paper": "SELECT * FROM paper ORDER BY paper_id",
        "paper_author": "SELECT * FROM paper_author ORDER BY paper, position",
        "daily_appearance": "SELECT * FROM daily_appearance ORDER BY day, paper",
        "meta": "SELECT * FROM meta ORDER BY key",
    }
    return {name: list(repo.db.execute_sql(sql).fetchall()) for name, sql in tables.items()}


def seed(repo: Repository) -> None:
    """A library that already holds something, so "unchanged" is not just "empty"."""
    repo.upsert_papers([PaperRecord(id="2401.00001", title="Already here", upvotes=3)])
    repo.set_meta(LAST_DAILY_FETCH_KEY, "2026-03-01T08:00:00Z")


def _page(name: str) -> bytes:
    return fixture_bytes(name)


# --------------------------------------------------------------------------- fetch_daily


def test_fetch_daily_stores_papers_ranks_and_fetch_time(
    repo: Repository, httpserver: HTTPServer, http: HttpClient
) -> None:
    hf = HfClient(http, httpserver.url_for("/"))
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        _page("hf_daily_2026-03-06.json"), content_type=JSON
    )
    progress: list[tuple[int, int]] = []
    summary = fetch_daily(repo, hf, DAY, progress=lambda p, n: progress.append((p, n)))
    assert summary == FetchSummary(new=3, pages=1, ids=("2602.23229", "2603.04511", "2603.05002"))
    assert progress == [(1, 3)]
    paper = repo.get("2603.04511")
    assert (paper.daily_day, paper.daily_rank) == (DAY, 2)
    assert paper.title == (
        "Breaking the Quadratic Barrier: Linear Attention Scaling for Contrastive Loss"
    )
    assert paper.upvotes == 0
    assert last_daily_fetch(repo) is None  # a past day does not postpone the next refresh
    fetch_daily(repo, hf)  # the newest list records when it was fetched
    fetched = last_daily_fetch(repo)
    assert fetched is not None
    assert abs((datetime.now(UTC) - fetched).total_seconds()) < 60

    again = fetch_daily(repo, hf, DAY)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)


def test_each_page_is_one_transaction_and_a_late_failure_keeps_earlier_pages(
    repo: Repository, httpserver: HTTPServer, hf: HfClient
) -> None:
    seed(repo)
    for p in (0, 1):
        httpserver.expect_request(
            "/api/daily_papers", query_string={"sort": "publishedAt", "p": str(p), "limit": "2"}
        ).respond_with_data(_page(f"hf_daily_page{p}.json"), content_type=JSON)
    httpserver.expect_request("/api/daily_papers").respond_with_data("boom", status=500)
    calls: list[int] = []
    original = repo.upsert_papers

    def counting_upsert(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    repo.upsert_papers = counting_upsert  # type: ignore[method-assign]
    progress: list[tuple[int, int]] = []
    with pytest.raises(PartialFetchError) as info:
        fetch_daily(repo, hf, progress=lambda p, n: progress.append((p, n)))
    # Said exactly: what was stored, what failed and why, and what to do.
    assert str(info.value).startswith(
        "Stored pages 1–2 (4 papers: 4 new, 0 updated); page 3 failed: "
    )
    assert "server error (HTTP 500)" in str(info.value)
    assert "The same fetch run again completes it." in str(info.value)
    assert isinstance(info.value.cause, ServerError)
    assert len(calls) == 2  # one upsert per page
    assert progress == [(1, 2), (2, 4)]
    stored = {p.id for p in repo.get_many([f"2603.1000{i}" for i in range(1, 6)])}
    assert stored == {"2603.10001", "2603.10002", "2603.10003", "2603.10004"}
    assert repo.get_meta(LAST_DAILY_FETCH_KEY) == "2026-03-01T08:00:00Z"  # not a success


def test_fetch_daily_across_three_pages(
    repo: Repository, httpserver: HTTPServer, hf: HfClient
) -> None:
    for p in (0, 1, 2):
        httpserver.expect_request(
            "/api/daily_papers",
            query_string={"date": "2026-03-06", "sort": "publishedAt", "p": str(p), "limit": "2"},
        ).respond_with_data(_page(f"hf_daily_page{p}.json"), content_type=JSON)
    summary = fetch_daily(repo, hf, DAY)
    assert summary.pages == 3
    assert summary.new == 5
    assert summary.ids == tuple(f"2603.1000{i}" for i in range(1, 6))
    assert [p.daily_rank for p in repo.get_many(list(summary.ids))] == [1, 2, 3, 4, 5]


def test_retry_completes_the_fetch(repo: Repository, httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_oneshot_request("/api/daily_papers").respond_with_data(
        "busy", status=503, headers={"Retry-After": "0"}
    )
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        _page("hf_daily_page2.json"), content_type=JSON
    )
    summary = fetch_daily(repo, hf, DAY)
    assert summary.new == 1
    assert repo.get("2603.10005").daily_rank == 1


def test_cancel_mid_fetch_keeps_stored_pages(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, release: threading.Event
) -> None:
    httpserver.expect_request(
        "/api/daily_papers", query_string={"sort": "publishedAt", "p": "0", "limit": "2"}
    ).respond_with_data(_page("hf_daily_page0.json"), content_type=JSON)

    def slow(_request: Request) -> Response:
        release.wait(10)
        return Response(_page("hf_daily_page1.json"), content_type=JSON)

    httpserver.expect_request("/api/daily_papers").respond_with_handler(slow)
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        fetch_daily(repo, hf, cancel=cancel)
    assert time.monotonic() - started < 5  # not the server's 10 s
    timer.join()
    assert repo.stats()["papers"] == 2


Failure = Callable[[HTTPServer, threading.Event], str | None]


def _respond(**kwargs: object) -> Failure:
    def setup(server: HTTPServer, _release: threading.Event) -> None:
        server.expect_request("/api/daily_papers").respond_with_data(**kwargs)  # type: ignore[arg-type]

    return setup


def _slow(server: HTTPServer, release: threading.Event) -> None:
    def handler(_request: Request) -> Response:
        release.wait(10)
        return Response("[]", content_type=JSON)

    server.expect_request("/api/daily_papers").respond_with_handler(handler)


FAILURES: dict[str, tuple[Failure, type[AppError], str]] = {
    "500": (_respond(response_data="x", status=500), ServerError, "HTTP 500"),
    "503 with Retry-After": (
        _respond(response_data="x", status=503, headers={"Retry-After": "120"}),
        ServerError,
        "in 2 minutes",
    ),
    "429 with RateLimit": (
        _respond(
            response_data='{"error": "rate limited"}',
            status=429,
            headers={"RateLimit": '"api";r=0;t=45', "Retry-After": "45"},
        ),
        RateLimitedError,
        "in 45 s",
    ),
    "502 HTML page": (
        _respond(response_data=HTML, status=502, content_type="text/html"),
        BadResponseError,
        "error page",
    ),
    "200 HTML page": (
        _respond(response_data=HTML, content_type="text/html"),
        BadResponseError,
        "web page",
    ),
    "invalid JSON": (
        _respond(response_data='[{"paper": ', content_type=JSON),
        BadResponseError,
        "invalid JSON",
    ),
    "not a list": (
        _respond(response_data='{"papers": []}', content_type=JSON),
        BadResponseError,
        "expected a list",
    ),
    "empty body": (_respond(response_data="", content_type=JSON), BadResponseError, "empty"),
    "400 future date": (
        _respond(response_data=fixture_bytes("hf_error_400.json"), status=400, content_type=JSON),
        InvalidInputError,
        "in the future",
    ),
    "404": (
        _respond(response_data='{"error": "Not Found"}', status=404, content_type=JSON),
        NotFoundError,
        "HTTP 404",
    ),
    "slow response": (_slow, FetchTimeoutError, "did not answer"),
}


def test_a_page_cap_is_said_with_what_was_stored(
    repo: Repository, httpserver: HTTPServer, http: HttpClient
) -> None:
    counter = iter(range(1000))

    def endless(_request: Request) -> Response:
        n = next(counter)
        items = [
            {
                "paper": {
                    "id": f"2603.{20000 + 2 * n + k}",
                    "title": "P",
                    "submittedOnDailyAt": "2026-03-06T03:00:00.000Z",
                }
            }
            for k in (0, 1)
        ]
        return Response(json.dumps(items), content_type=JSON)

    httpserver.expect_request("/api/daily_papers").respond_with_handler(endless)
    hf = HfClient(http, httpserver.url_for("/"), page_size=2, max_pages=3)
    with pytest.raises(PartialFetchError) as info:
        fetch_daily(repo, hf, month="2026-03")
    assert str(info.value).startswith(
        "Stored pages 1–3 (6 papers: 6 new, 0 updated); stopped there: "
    )
    assert "kept sending pages past 3" in str(info.value)
    assert repo.count(FeedQuery()) == 6


def test_a_cancel_after_some_pages_says_what_was_stored(
    repo: Repository, httpserver: HTTPServer, hf: HfClient
) -> None:
    for p in (0, 1):
        httpserver.expect_request(
            "/api/daily_papers", query_string={"sort": "publishedAt", "p": str(p), "limit": "2"}
        ).respond_with_data(_page(f"hf_daily_page{p}.json"), content_type=JSON)
    cancel = threading.Event()

    def cancel_after_second(pages: int, _papers: int) -> None:
        if pages == 2:
            cancel.set()

    with pytest.raises(CancelledError, match=r"Cancelled; pages 1–2 \(4 papers"):
        fetch_daily(repo, hf, cancel=cancel, progress=cancel_after_second)


@pytest.mark.parametrize("name", list(FAILURES))
def test_failure_leaves_the_library_unchanged(
    name: str,
    repo: Repository,
    httpserver: HTTPServer,
    hf: HfClient,
    release: threading.Event,
) -> None:
    setup, error, words = FAILURES[name]
    seed(repo)
    setup(httpserver, release)
    before = snapshot(repo)
    with pytest.raises(error) as info:
        fetch_daily(repo, hf, DAY)
    assert words in str(info.value)
    assert "\n" not in str(info.value)
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(http_response(b'[{"paper": {"id": "2603', content_length=900), id="truncated"),
        pytest.param(b"", id="closed before response"),
        pytest.param(http_response(b"[1, 2, 3]")[:-4], id="closed mid-body"),
    ],
)
def test_connection_failures_leave_the_library_unchanged(
    action: bytes, repo: Repository, http: HttpClient
) -> None:
    seed(repo)
    before = snapshot(repo)
    with RawServer(action) as server:
        hf = HfClient(http, server.url(""))
        with pytest.raises(BadResponseError):
            fetch_daily(repo, hf, DAY)
        assert len(server.requests) == 2  # tried and retried
    assert snapshot(repo) == before


def test_empty_list_is_a_successful_fetch(
    repo: Repository, httpserver: HTTPServer, hf: HfClient
) -> None:
    seed(repo)
    httpserver.expect_request("/api/daily_papers").respond_with_json([])
    summary = fetch_daily(repo, hf)
    assert summary == FetchSummary(pages=1)
    assert repo.get_meta(LAST_DAILY_FETCH_KEY) != "2026-03-01T08:00:00Z"


# --------------------------------------------------------------------------- search


def test_fetch_search_keeps_ranking_and_never_erases(
    repo: Repository, httpserver: HTTPServer, hf: HfClient
) -> None:
    repo.upsert_papers(
        [PaperRecord(id="2302.13971", title="LLaMA", abstract="Known abstract.", upvotes=99)]
    )
    httpserver.expect_request("/api/papers/search").respond_with_data(
        fixture_bytes("hf_search_flat.json"), content_type=JSON
    )
    summary = fetch_search(repo, hf, "llama")
    assert summary.ids == ("2407.21783", "2302.13971")
    assert (summary.new, summary.updated) == (1, 1)
    llama = repo.get("2302.13971")
    assert llama.abstract == "Known abstract."  # the flat result had none: not erased
    assert llama.upvotes == 99
    assert llama.title == "LLaMA: Open and Efficient Foundation Language Models"


# --------------------------------------------------------------------------- add_papers


def _arxiv_feed_for(paper_id: str) -> bytes:
    """The 2025-layout fixture with its first paper renamed to ``paper_id``."""
    return fixture_bytes("arxiv_query_2025.xml").replace(b"2303.15343", paper_id.encode())


def test_add_paper_from_hf_enriched_with_arxiv(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type=JSON
    )
    httpserver.expect_request("/api/query").respond_with_data(
        _arxiv_feed_for("2602.23229"), content_type=ATOM
    )
    summary = add_papers(repo, hf, arxiv, ["https://huggingface.co/papers/2602.23229"])
    assert summary.ids == ("2602.23229",)
    assert summary.new == 1
    paper = repo.get("2602.23229")
    assert paper.num_models == 2  # from HF
    assert paper.upvotes == 10
    assert paper.categories == ("cs.CV", "cs.AI")  # from arXiv
    assert paper.primary_category == "cs.CV"
    assert paper.version == 4
    assert paper.title == "Large Multimodal Models as General In-Context Classifiers"


def test_add_paper_unknown_to_hf_comes_from_arxiv(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    httpserver.expect_request("/api/papers/2403.12345").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type=JSON
    )
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_query_2025.xml"), content_type=ATOM
    )
    summary = add_papers(repo, hf, arxiv, ["arXiv:2403.12345v1"])
    assert summary.ids == ("2403.12345",)
    paper = repo.get("2403.12345")
    assert paper.doi == "10.1000/things.2024.1"
    assert paper.authors == ("Ada Lovelace", "Charles Babbage")


def test_add_papers_reports_missing_ones(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type=JSON
    )
    httpserver.expect_request("/api/papers/2312.56789").respond_with_json(
        {"error": "Paper not found"}, status=404
    )
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_empty.xml"), content_type=ATOM
    )
    summary = add_papers(repo, hf, arxiv, ["2602.23229", "2312.56789"])
    assert summary.ids == ("2602.23229",)
    assert summary.missing == ("2312.56789",)


def test_add_papers_with_arxiv_down_keeps_hf_data_and_warns(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type=JSON
    )
    httpserver.expect_request("/api/query").respond_with_data("down", status=500)
    summary = add_papers(repo, hf, arxiv, ["2602.23229"])
    assert summary.new == 1
    assert len(summary.warnings) == 1
    assert "HTTP 500" in summary.warnings[0]
    assert repo.get("2602.23229").categories == ()


def test_add_papers_needing_arxiv_while_it_is_down_stores_nothing(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    seed(repo)
    before = snapshot(repo)
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type=JSON
    )
    httpserver.expect_request("/api/papers/2403.12345").respond_with_json(
        {"error": "Paper not found"}, status=404
    )
    httpserver.expect_request("/api/query").respond_with_data("down", status=503)
    with pytest.raises(ServerError):
        add_papers(repo, hf, arxiv, ["2602.23229", "2403.12345"])
    assert snapshot(repo) == before


def test_add_paper_found_nowhere(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    seed(repo)
    before = snapshot(repo)
    httpserver.expect_request("/api/papers/2312.56789").respond_with_json(
        {"error": "Paper not found"}, status=404
    )
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_empty.xml"), content_type=ATOM
    )
    with pytest.raises(NotFoundError, match=r"No paper 2312.56789"):
        add_papers(repo, hf, arxiv, ["2312.56789"])
    assert snapshot(repo) == before


def test_add_papers_refuses_a_bad_ref_before_any_request(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    with pytest.raises(InvalidInputError, match="not an arXiv id"):
        add_papers(repo, hf, arxiv, ["2602.23229", "not a paper"])
    assert httpserver.log == []
    assert repo.stats()["papers"] == 0


def test_add_papers_with_hf_offline_propagates(
    repo: Repository, http: HttpClient, arxiv: ArxivClient
) -> None:
    with RawServer(b"") as server:
        hf = HfClient(http, server.url(""))
        with pytest.raises(BadResponseError):
            add_papers(repo, hf, arxiv, ["2602.23229"])
    assert repo.stats()["papers"] == 0


def test_merge_records_prefers_arxiv_for_its_own_fields() -> None:
    from_hf = PaperRecord(id="1", title="T", published=date(2020, 1, 2), upvotes=5, authors=("A",))
    from_arxiv = PaperRecord(
        id="1",
        title="T (arXiv)",
        abstract="Abs",
        published=date(2020, 1, 1),
        categories=("cs.LG",),
        version=2,
        authors=("A", "B"),
    )
    merged = merge_records(from_hf, from_arxiv)
    assert merged.title == "T"
    assert merged.abstract == "Abs"
    assert merged.published == date(2020, 1, 1)
    assert merged.upvotes == 5
    assert merged.categories == ("cs.LG",)
    assert merged.version == 2
    assert merged.authors == ("A",)
    assert merge_records(None, from_arxiv) is from_arxiv
    assert merge_records(from_hf, None) is from_hf


# --------------------------------------------------------------------------- arXiv


def test_fetch_arxiv_listing(repo: Repository, httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        fixture_bytes("arxiv_rss_cs_LG.xml"), content_type="application/rss+xml"
    )
    progress: list[tuple[int, int]] = []
    summary = fetch_arxiv_listing(
        repo, arxiv, "cs.LG", progress=lambda p, n: progress.append((p, n))
    )
    assert summary.new == 4
    assert summary.announce_types["hep-th/9901001"] == "replace-cross"
    assert progress == [(1, 4)]
    assert repo.get("hep-th/9901001").version == 2


def test_alternating_sources_never_flip_a_field(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    """The RSS listing dates a paper by its announcement (19 March); Hugging Face and the
    arXiv API by its submission (17 March). Each owns what it is trusted for, so fetching
    both again and again changes nothing after the first round."""
    hf_items = [
        {
            "paper": {
                "id": "2403.11111",
                "title": "Sparse Mixtures of Experts Learn Fast: A Study",
                "summary": "We study sparse mixtures of experts and show that x < y.",
                "authors": [{"name": "Alice Smith"}, {"name": "Bob Jones"}, {"name": "C. Wu"}],
                "publishedAt": "2024-03-17T17:59:59.000Z",
                "upvotes": 12,
                "submittedOnDailyAt": "2024-03-19T00:00:00.000Z",
            },
            "numComments": 2,
        }
    ]
    httpserver.expect_request("/api/daily_papers").respond_with_json(hf_items)
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        fixture_bytes("arxiv_rss_cs_LG.xml"), content_type="application/rss+xml"
    )
    day = date(2024, 3, 19)
    first_hf = fetch_daily(repo, hf, day)
    first_rss = fetch_arxiv_listing(repo, arxiv, "cs.LG")
    assert (first_hf.new, first_rss.new, first_rss.updated) == (1, 3, 1)  # RSS adds categories
    paper = repo.get("2403.11111")
    assert paper.published == date(2024, 3, 17)  # not the announcement day
    assert paper.authors == ("Alice Smith", "Bob Jones", "C. Wu")  # as Hugging Face had them
    assert paper.categories == ("cs.LG", "cs.AI") and paper.upvotes == 12
    for _ in range(3):
        again_hf = fetch_daily(repo, hf, day)
        again_rss = fetch_arxiv_listing(repo, arxiv, "cs.LG")
        assert (again_hf.updated, again_hf.unchanged) == (0, 1)
        assert (again_rss.updated, again_rss.unchanged) == (0, 4)
    # The same paper, but for when it was last fetched (a later second on a slow machine).
    assert dataclasses.replace(repo.get("2403.11111"), last_fetched=paper.last_fetched) == paper


def test_a_paper_first_seen_in_a_listing_takes_the_better_dates_later(
    repo: Repository, httpserver: HTTPServer, hf: HfClient, arxiv: ArxivClient
) -> None:
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        fixture_bytes("arxiv_rss_cs_LG.xml"), content_type="application/rss+xml"
    )
    fetch_arxiv_listing(repo, arxiv, "cs.LG")
    assert repo.get("2403.11111").published == date(2024, 3, 19)  # the best known so far
    httpserver.expect_request("/api/daily_papers").respond_with_json(
        [{"paper": {"id": "2403.11111", "title": "T", "publishedAt": "2024-03-17T10:00:00Z"}}]
    )
    fetch_daily(repo, hf, date(2024, 3, 19))
    assert repo.get("2403.11111").published == date(2024, 3, 17)  # Hugging Face outranks it
    assert repo.get("2403.11111").title == "T"


def test_fetch_arxiv_listing_malformed_leaves_library_unchanged(
    repo: Repository, httpserver: HTTPServer, arxiv: ArxivClient
) -> None:
    seed(repo)
    before = snapshot(repo)
    httpserver.expect_request("/rss/cs.LG").respond_with_data(
        fixture_bytes("arxiv_rss_cs_LG.xml")[:-500], content_type="application/rss+xml"
    )
    with pytest.raises(BadResponseError, match="malformed XML"):
        fetch_arxiv_listing(repo, arxiv, "cs.LG")
    assert snapshot(repo) == before


def test_fetch_arxiv_query_error_entry_leaves_library_unchanged(
    repo: Repository, httpserver: HTTPServer, arxiv: ArxivClient
) -> None:
    seed(repo)
    before = snapshot(repo)
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_error.xml"), content_type=ATOM
    )
    with pytest.raises(InvalidInputError, match="incorrect id format"):
        fetch_arxiv_query(repo, arxiv, "id:1234.12345")
    assert snapshot(repo) == before


def test_fetch_arxiv_query_stores_each_page(
    repo: Repository, httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_query_legacy.xml"), content_type=ATOM
    )
    arxiv = ArxivClient(http, httpserver.url_for("/"), min_interval=0, page_size=5)
    summary = fetch_arxiv_query(repo, arxiv, "all:attention", max_results=5)
    assert summary.pages == 1  # three entries (one blank) < five asked: last page
    assert summary.ids == ("1706.03762", "hep-th/9711200")


# --------------------------------------------------------------------------- boundaries


def test_open_clients_share_one_session_and_honour_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", "http://127.0.0.1:10")
    with open_clients(Settings(request_timeout_s=5)) as clients:
        assert clients.hf.http is clients.http
        assert clients.arxiv.http is clients.http
        assert clients.hf.base_url == "http://127.0.0.1:9"
        assert clients.arxiv.base_url == "http://127.0.0.1:10"
        assert clients.http.timeout == 5
