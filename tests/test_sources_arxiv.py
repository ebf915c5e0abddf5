"""arXiv: both Atom layouts, the error feed, RSS listings and the rate-limited client."""

from __future__ import annotations

import threading
import time
from datetime import date
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from sources_support import RecordingCancel, fixture_bytes, query
from werkzeug import Request, Response

from desktop_app.config import Settings
from desktop_app.errors import (
    BadResponseError,
    CancelledError,
    InvalidInputError,
    RateLimitedError,
)
from desktop_app.sources.arxiv import (
    ArxivClient,
    normalize_ids,
    parse_atom,
    parse_entry,
    parse_rss,
)
from desktop_app.sources.http import HttpClient

ATOM = "application/atom+xml; charset=utf-8"

pytestmark = pytest.mark.usefixtures("no_leaked_threads")


# --------------------------------------------------------------------------- Atom parsing


def test_legacy_layout() -> None:
    feed = parse_atom(fixture_bytes("arxiv_query_legacy.xml"))
    assert feed.total_results == 3
    assert [r.id for r in feed.records] == ["1706.03762", "hep-th/9711200"]  # placeholder dropped
    attention, maldacena = feed.records
    assert attention.version == 7
    assert attention.title == "Attention Is All You Need"
    assert attention.published == date(2017, 6, 12)
    assert attention.updated == date(2023, 8, 2)
    assert attention.authors[0] == "Ashish Vaswani"
    assert attention.authors[-1] == "Illia Polosukhin"
    assert len(attention.authors) == 8
    assert attention.primary_category == "cs.CL"
    assert attention.categories == ("cs.CL", "cs.LG")
    assert attention.arxiv_comment == "15 pages, 5 figures"
    assert attention.doi is None
    assert attention.abstract is not None
    assert attention.abstract.startswith(
        "The dominant sequence transduction models are based on complex recurrent or "
        "convolutional neural networks"
    )
    assert "\n\nExperiments on two machine translation tasks" in attention.abstract
    assert "\n" not in attention.abstract.split("\n\n")[0]

    assert maldacena.version == 3
    assert maldacena.doi == "10.1023/A:1026654312961"
    assert maldacena.journal_ref == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert maldacena.arxiv_comment == (
        "20 pages, harvmac, v2: section on AdS_2 corrected, references added, v3: More "
        "references and a sign in eqns 2.8 and 2.9 corrected"
    )
    assert maldacena.primary_category == "hep-th"


def test_2025_layout() -> None:
    feed = parse_atom(fixture_bytes("arxiv_query_2025.xml"))
    assert feed.total_results == 2
    siglip, things = feed.records
    assert siglip.id == "2303.15343"
    assert siglip.version == 4
    assert siglip.published == date(2023, 3, 27)
    assert siglip.updated == date(2023, 9, 27)
    assert siglip.primary_category == "cs.CV"
    assert siglip.categories == ("cs.CV", "cs.AI")
    assert siglip.authors == (
        "Xiaohua Zhai",
        "Basil Mustafa",
        "Alexander Kolesnikov",
        "Lucas Beyer",
    )
    assert things.title == "A Study of Things & Stuff: x < y in Practice"
    assert things.abstract == "We study things and stuff. When x < y the results hold."
    assert things.doi == "10.1000/things.2024.1"
    assert things.journal_ref == "J. Things 12 (2024) 1-10"


def test_doi_from_a_doi_org_link_alone() -> None:
    body = fixture_bytes("arxiv_query_2025.xml").replace(
        b"<arxiv:doi>10.1000/things.2024.1</arxiv:doi>", b""
    )
    assert parse_atom(body).records[1].doi == "10.1000/things.2024.1"


def test_id_from_the_abs_link_when_id_is_odd() -> None:
    entry = {
        "id": "urn:something",
        "title": "T",
        "links": [{"href": "https://arxiv.org/pdf/2401.00001v2"}],
    }
    rec = parse_entry(entry)
    assert rec is not None
    assert (rec.id, rec.version) == ("2401.00001", 2)


def test_empty_result_feed() -> None:
    feed = parse_atom(fixture_bytes("arxiv_empty.xml"))
    assert feed.records == ()
    assert feed.total_results == 0


def test_error_entry_is_invalid_input_with_arxivs_message() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_atom(fixture_bytes("arxiv_error.xml"))
    assert "incorrect id format for 1234.12345" in str(info.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fixture_bytes("arxiv_query_2025.xml")[:-200], "malformed XML"),  # cut mid-entry
        (b"<?xml version='1.0'?><feed><entry></entr></feed>", "malformed XML"),
        (fixture_bytes("maintenance.html"), "web page"),
        (b'{"error": "not a feed"}', "malformed XML"),
        (b"<?xml version='1.0'?><error>nope</error>", "not a feed"),
        (b"   ", "empty"),
    ],
)
def test_unreadable_answers(body: bytes, message: str) -> None:
    with pytest.raises(BadResponseError, match=message):
        parse_atom(body)


def test_normalize_ids() -> None:
    assert normalize_ids(["2403.12345v2", "hep-th/9901001", "2403.12345"]) == [
        "2403.12345",
        "hep-th/9901001",
    ]
    with pytest.raises(InvalidInputError):
        normalize_ids(["2403.12345", "nope"])


# --------------------------------------------------------------------------- RSS parsing


def test_rss_listing_with_announce_types() -> None:
    listing = parse_rss(fixture_bytes("arxiv_rss_cs_LG.xml"))
    assert [r.id for r in listing.records] == [
        "2403.11111",
        "2403.22222",
        "1706.03762",
        "hep-th/9901001",
    ]
    assert dict(listing.announce_types) == {
        "2403.11111": "new",
        "2403.22222": "cross",
        "1706.03762": "replace",
        "hep-th/9901001": "replace-cross",
    }
    new, cross, replaced, old = listing.records
    assert new.title == "Sparse Mixtures of Experts Learn Fast: A Study"
    assert new.abstract == "We study sparse mixtures of experts and show that x < y."
    assert new.authors == ("Alice Smith", "Bob Jones", "Carol Wu")
    assert new.categories == ("cs.LG", "cs.AI")
    assert new.version == 1
    assert new.published == date(2024, 3, 19)
    assert cross.categories == ("cs.SI", "cs.LG")
    assert replaced.version == 8
    assert replaced.published is None  # the v1 date is not in RSS
    assert replaced.updated == date(2024, 3, 19)
    assert replaced.doi == "10.5555/3295222.3295349"
    assert replaced.journal_ref == "Advances in Neural Information Processing Systems 30 (2017)"
    assert old.version == 2


def test_rss_weekend_is_empty() -> None:
    body = fixture_bytes("arxiv_rss_cs_LG.xml")
    start, end = body.index(b"<item>"), body.rindex(b"</item>") + len(b"</item>")
    listing = parse_rss(body[:start] + body[end:])
    assert listing.records == ()


# --------------------------------------------------------------------------- client


def test_by_ids_batches_and_strips_versions(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    seen: list[dict[str, list[str]]] = []

    def handler(request: Request) -> Response:
        seen.append(parse_qs(request.query_string.decode()))
        return Response(fixture_bytes("arxiv_query_2025.xml"), content_type=ATOM)

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    ids = [f"2401.{n:05d}" for n in range(150)] + ["2303.15343v1", "2403.12345"]
    records = arxiv.by_ids(ids)
    assert [len(q["id_list"][0].split(",")) for q in seen] == [100, 52]
    assert seen[0]["max_results"] == ["100"]
    assert "2303.15343" in seen[1]["id_list"][0].split(",")
    # returned in the order asked, unknown ids left out
    assert [r.id for r in records] == ["2303.15343", "2403.12345"]
    assert httpserver.log[0][0].headers["Accept"].startswith("application/atom+xml")


def test_old_style_ids_round_trip(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request(
        "/api/query", query_string={"id_list": "1706.03762,hep-th/9711200", "max_results": "2"}
    ).respond_with_data(fixture_bytes("arxiv_query_legacy.xml"), content_type=ATOM)
    records = arxiv.by_ids(["1706.03762", "hep-th/9711200v1"])
    assert [r.id for r in records] == ["1706.03762", "hep-th/9711200"]


def test_error_feed_over_http(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_error.xml"), content_type=ATOM
    )
    with pytest.raises(InvalidInputError, match="incorrect id format"):
        query(arxiv, "id:1234.12345")


def test_malformed_xml_over_http(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_query_legacy.xml")[:-300], content_type=ATOM
    )
    with pytest.raises(BadResponseError, match="malformed XML"):
        arxiv.by_ids(["1706.03762"])


def test_rate_exceeded_is_rate_limited(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        "Rate exceeded.", status=429, content_type="text/plain"
    )
    with pytest.raises(RateLimitedError) as info:
        arxiv.by_ids(["1706.03762"])
    assert "Try again in a few minutes" in str(info.value)


def test_query_pages_until_total(httpserver: HTTPServer, http: HttpClient) -> None:
    starts: list[str] = []

    def handler(request: Request) -> Response:
        query = parse_qs(request.query_string.decode())
        starts.append(query["start"][0])
        assert query["search_query"] == ["cat:cs.CV AND ti:sigmoid"]
        assert query["sortBy"] == ["submittedDate"]
        body = fixture_bytes("arxiv_query_2025.xml")
        if query["start"] == ["0"]:  # first page: one entry of two
            cut = body.index(b"<entry>", body.index(b"<entry>") + 1)
            body = body[:cut] + b"</feed>"
        else:
            first = body.index(b"<entry>")
            second = body.index(b"<entry>", first + 1)
            body = body[:first] + body[second:]
        return Response(body, content_type=ATOM)

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    client = ArxivClient(http, httpserver.url_for("/"), min_interval=0, page_size=1)
    feed = query(client, "cat:cs.CV AND ti:sigmoid", max_results=10, sort_by="submittedDate")
    assert [r.id for r in feed.records] == ["2303.15343", "2403.12345"]
    assert feed.total_results == 2
    assert starts == ["0", "1"]  # stopped at totalResults, not at max_results


def test_query_limits_are_checked_locally(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    with pytest.raises(InvalidInputError, match="at most 30000"):
        query(arxiv, "all:x", max_results=30001)
    with pytest.raises(InvalidInputError):
        query(arxiv, "  ")
    assert httpserver.log == []


def test_listing(httpserver: HTTPServer, arxiv: ArxivClient) -> None:
    httpserver.expect_request("/rss/cs.LG+cs.AI").respond_with_data(
        fixture_bytes("arxiv_rss_cs_LG.xml"), content_type="application/rss+xml"
    )
    listing = arxiv.listing("cs.LG+cs.AI")
    assert len(listing.records) == 4
    assert listing.announce_types["2403.22222"] == "cross"


@pytest.mark.parametrize("category", ["", "cs LG", "../etc", "CS.LG"])
def test_bad_category(httpserver: HTTPServer, arxiv: ArxivClient, category: str) -> None:
    with pytest.raises(InvalidInputError):
        arxiv.listing(category)
    assert httpserver.log == []


def test_requests_are_spaced_by_the_rate_limit(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_empty.xml"), content_type=ATOM
    )
    client = ArxivClient(http, httpserver.url_for("/"))  # the real 3 s interval
    cancel = RecordingCancel()
    client.by_ids(["2401.00001"], cancel=cancel)
    client.by_ids(["2401.00002"], cancel=cancel)
    assert len(cancel.waits) == 1
    assert 2.0 < cancel.waits[0] <= 3.0


def test_rate_limit_wait_is_cancellable(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_empty.xml"), content_type=ATOM
    )
    client = ArxivClient(http, httpserver.url_for("/"), min_interval=30)
    client.by_ids(["2401.00001"])
    cancel = threading.Event()
    timer = threading.Timer(0.1, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        client.by_ids(["2401.00002"], cancel=cancel)
    # Not the 30 s the limiter would wait (a loaded machine may take a while to get here).
    assert time.monotonic() - started < 10
    assert len(httpserver.log) == 1
    timer.join()


def test_from_settings_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, http: HttpClient
) -> None:
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", "http://127.0.0.1:9/")
    client = ArxivClient.from_settings(http, Settings())
    assert client.base_url == "http://127.0.0.1:9"
    assert client.limiter.min_interval == 3.0
