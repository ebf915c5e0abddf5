"""Hugging Face: the pure parsers on real-shaped items, and the client on a loopback server."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from pytest_httpserver import HTTPServer
from sources_support import daily, fixture_bytes, fixture_json
from werkzeug import Request, Response

from desktop_app.config import Settings
from desktop_app.domain import DailyAppearance
from desktop_app.errors import (
    BadResponseError,
    CancelledError,
    InvalidInputError,
    NotFoundError,
    PageCapError,
)
from desktop_app.sources.hf import (
    HfClient,
    parse_item,
    parse_items,
    submitted_day,
    validate_daily_query,
)
from desktop_app.sources.http import HttpClient

DAY = date(2026, 3, 6)

pytestmark = pytest.mark.usefixtures("no_leaked_threads")


def _daily_query(p: int, limit: int = 2, **params: str) -> dict[str, str]:
    """The exact query string the client sends for page ``p``."""
    return {"sort": "publishedAt", **params, "p": str(p), "limit": str(limit)}


# --------------------------------------------------------------------------- parsers


def test_full_daily_item() -> None:
    item = fixture_json("hf_daily_2026-03-06.json")[0]
    rec = parse_item(item)
    assert rec.id == "2602.23229"
    assert rec.title == "Large Multimodal Models as General In-Context Classifiers"
    assert rec.abstract is not None
    assert rec.abstract.endswith("\n\nWe release code and models.")
    assert rec.authors == ("Marco Garosi", "Riccardo Tedoldi", "Nicu Sebe")
    assert rec.published == date(2026, 2, 26)  # paper.publishedAt, the arXiv date
    assert rec.upvotes == 10  # inside paper
    assert rec.comments == 1  # outer numComments
    assert rec.organization == "Multimedia and Human Understanding Group"
    assert rec.github_repo == "https://github.com/marco-garosi/CIRCLE"
    assert rec.github_stars == 9
    assert rec.project_page == "https://circle-lmm.github.io/"
    assert rec.thumbnail == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2602.23229.png"
    )
    assert rec.ai_summary == (
        "Large multimodal models classify images in context without fine-tuning."
    )
    assert rec.ai_keywords == (
        "in-context learning",
        "large multimodal models",
        "zero-shot classification",
    )
    # arXiv-only fields stay unknown, so a merge never erases them
    assert rec.categories is None
    assert rec.doi is None
    assert rec.version is None
    assert submitted_day(item) == DAY


def test_hard_wrapped_item_with_zero_upvotes_and_no_optional_keys() -> None:
    item = fixture_json("hf_daily_2026-03-06.json")[1]
    rec = parse_item(item)
    assert rec.title == (
        "Breaking the Quadratic Barrier: Linear Attention Scaling for Contrastive Loss"
    )
    assert rec.abstract == (
        "We revisit contrastive losses. The usual formulation scales quadratically with the "
        "batch size.\n\nWe propose a linear alternative."
    )
    assert rec.upvotes == 0  # not None: huggingface_hub's `or` bug
    assert rec.comments == 0
    assert rec.organization is None
    assert rec.github_repo is None
    assert rec.github_stars is None
    assert rec.project_page is None
    assert rec.ai_summary is None
    assert rec.ai_keywords is None
    assert rec.authors == ("Wei Zhang", "Ana Lima")


def test_organization_and_summary_from_the_outer_item() -> None:
    item = fixture_json("hf_daily_2026-03-06.json")[2]
    rec = parse_item(item)
    assert rec.organization == "tiny-labs"  # outer, `name` only
    assert rec.abstract == "Outer summary only: the paper object has none."
    assert rec.ai_keywords == ()
    assert rec.comments == 4


def test_an_item_without_submitted_on_daily_states_no_list_day() -> None:
    item = fixture_json("hf_daily_week_2024-W41.json")[1]
    rec = parse_item(item)
    assert rec.title == (
        "GLEE: A Unified Framework and Benchmark for Language-based Economic Environments"
    )
    assert rec.abstract == (
        "Large Language Models (LLMs) show significant potential in economic settings."
    )
    assert rec.published == date(2024, 10, 7)
    # The outer publishedAt (2024-10-08) is not taken for the list day: in answers of
    # 2024-11-29 to 2025-03-14 it is the arXiv time, and nothing tells the eras apart.
    assert item["publishedAt"].startswith("2024-10-08")
    assert submitted_day(item) is None
    assert submitted_day(fixture_json("hf_daily_week_2024-W41.json")[3]) == date(2024, 10, 9)


def test_versioned_ids_are_stripped_and_wrong_types_ignored() -> None:
    item = {
        "paper": {
            "id": "2403.12345v3",
            "title": "T",
            "upvotes": "12",
            "githubStars": True,
            "organization": None,
            "authors": [{"name": "  Ann  \n Lee "}, {"name": ""}, "Bo Li", {"_id": "x"}],
        },
        "numComments": None,
        "projectPage": "",
    }
    rec = parse_item(item)
    assert rec.id == "2403.12345"
    assert rec.upvotes is None
    assert rec.github_stars is None
    assert rec.organization is None
    assert rec.comments is None
    assert rec.project_page is None
    assert rec.authors == ("Ann Lee", "Bo Li")


def test_flat_paper_object_with_repo_counts() -> None:
    rec = parse_item(fixture_json("hf_paper_2602.23229.json"))
    assert rec.id == "2602.23229"
    assert rec.num_models == 2
    assert rec.num_datasets == 0
    assert rec.num_spaces == 1
    assert rec.upvotes == 10
    assert rec.github_repo == "https://github.com/marco-garosi/CIRCLE"
    assert rec.published == date(2026, 2, 26)
    assert rec.comments is None  # the paper page does not count comments


def test_search_items_in_both_shapes() -> None:
    flat = parse_item(fixture_json("hf_search_flat.json")[0])
    assert flat.id == "2407.21783"
    assert flat.title == "The Llama 3 Herd of Models"
    assert flat.thumbnail is not None and flat.thumbnail.endswith("2407.21783.png")
    assert flat.abstract is None
    assert flat.authors == ()
    nested = parse_item(fixture_json("hf_search_daily.json")[1])
    assert nested.id == "2603.05002"
    assert nested.upvotes == 3


def test_broken_items_are_skipped_but_a_wholly_broken_list_is_an_error() -> None:
    good = fixture_json("hf_daily_2026-03-06.json")[0]
    parsed = parse_items([{"paper": {"title": "no id"}}, good, "junk"], "hf")
    assert [r.id for r, _ in parsed] == ["2602.23229"]
    with pytest.raises(BadResponseError, match="format"):
        parse_items([{"paper": {"id": "not-an-id", "title": "x"}}], "hf")
    with pytest.raises(BadResponseError, match="expected a list"):
        parse_items({"error": "nope"}, "hf")
    assert parse_items([], "hf") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"week": "2025-W60"}, "not a week"),
        ({"week": "2025-W53"}, "not a week"),  # 2025 has 52 ISO weeks
        ({"week": "2025-9"}, "not a week"),
        ({"month": "2025-13"}, "not a month"),
        ({"month": "March"}, "not a month"),
        ({"day": "2025-02-30"}, "not a date"),
        ({"day": date(2025, 1, 2), "week": "2025-W01"}, "one of"),
        ({"sort": "upvotes"}, "Unknown sort"),
    ],
)
def test_invalid_daily_queries_are_refused_locally(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        validate_daily_query(**kwargs)


def test_valid_daily_queries() -> None:
    assert validate_daily_query(DAY) == {"sort": "publishedAt", "date": "2026-03-06"}
    assert validate_daily_query("2026-03-06")["date"] == "2026-03-06"
    assert validate_daily_query(week="2026-W53")["week"] == "2026-W53"
    assert validate_daily_query(month="2025-02", sort="trending") == {
        "sort": "trending",
        "month": "2025-02",
    }
    assert validate_daily_query() == {"sort": "publishedAt"}


# --------------------------------------------------------------------------- client: daily


def test_daily_for_a_day_ranks_papers_as_served(httpserver: HTTPServer, http: HttpClient) -> None:
    hf = HfClient(http, httpserver.url_for("/"))  # page size 100: one short page
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(0, 100, date="2026-03-06")
    ).respond_with_data(fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json")
    result = daily(hf, DAY)
    assert [r.id for r in result.records] == ["2602.23229", "2603.04511", "2603.05002"]
    assert result.appearances == (
        DailyAppearance("2602.23229", DAY, 1),
        DailyAppearance("2603.04511", DAY, 2),
        DailyAppearance("2603.05002", DAY, 3),
    )
    assert result.pages == 1
    assert len(httpserver.log) == 1


def test_daily_follows_link_header_and_page_numbers_across_three_pages(
    httpserver: HTTPServer, hf: HfClient
) -> None:
    day = {"date": "2026-03-06"}
    # Page 0 announces page 1 with a Link header; page 1 has none but is full, so the
    # client asks for p=2; page 2 is short, so paging stops there.
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(0, **day)
    ).respond_with_data(
        fixture_bytes("hf_daily_page0.json"),
        content_type="application/json",
        headers={
            "Link": f"<{httpserver.url_for('/api/daily_papers')}?date=2026-03-06"
            '&sort=publishedAt&p=1&limit=2>; rel="next"'
        },
    )
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(1, **day)
    ).respond_with_data(fixture_bytes("hf_daily_page1.json"), content_type="application/json")
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(2, **day)
    ).respond_with_data(fixture_bytes("hf_daily_page2.json"), content_type="application/json")
    seen_pages = []
    result = daily(hf, DAY, on_page=lambda page: seen_pages.append(len(page.records)))
    assert seen_pages == [2, 2, 1]
    assert result.pages == 3
    assert [a.rank for a in result.appearances] == [1, 2, 3, 4, 5]
    assert [r.id for r in result.records] == [f"2603.1000{i}" for i in range(1, 6)]
    assert len(httpserver.log) == 3


def test_daily_stops_at_an_empty_page_after_a_full_one(
    httpserver: HTTPServer, hf: HfClient
) -> None:
    httpserver.expect_request("/api/daily_papers", query_string=_daily_query(0)).respond_with_data(
        fixture_bytes("hf_daily_page0.json"), content_type="application/json"
    )
    httpserver.expect_request("/api/daily_papers", query_string=_daily_query(1)).respond_with_json(
        []
    )
    result = daily(hf)
    assert len(result.records) == 2
    assert result.pages == 2


def test_daily_stops_when_the_server_ignores_the_page_number(
    httpserver: HTTPServer, hf: HfClient
) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_page0.json"), content_type="application/json"
    )
    result = daily(hf)
    assert len(result.records) == 2
    assert len(httpserver.log) == 2  # the repeat brought nothing new


def test_daily_page_cap(httpserver: HTTPServer, http: HttpClient) -> None:
    counter = iter(range(10_000))

    def endless(_request: Request) -> Response:
        n = next(counter)
        items = [
            {"paper": {"id": f"2603.{20000 + 2 * n + k}", "title": f"P{n}-{k}"}} for k in (0, 1)
        ]
        return Response(json.dumps(items), content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(endless)
    hf = HfClient(http, httpserver.url_for("/"), page_size=2, max_pages=4)
    pages = []
    with pytest.raises(PageCapError, match="kept sending pages past 4"):
        for page in hf.iter_daily():
            pages.append(page)
    assert len(pages) == 4 and len(httpserver.log) == 4  # every page read was handed over


def test_link_to_another_host_is_not_followed(httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_page2.json"),
        content_type="application/json",
        headers={"Link": '<https://elsewhere.example/api/daily_papers?p=1>; rel="next"'},
    )
    assert daily(hf).pages == 1


def test_week_dates_only_papers_that_state_their_list_day(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    hf = HfClient(http, httpserver.url_for("/"))
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(0, 100, week="2024-W41")
    ).respond_with_data(
        fixture_bytes("hf_daily_week_2024-W41.json"), content_type="application/json"
    )
    pages = list(hf.iter_daily(week="2024-W41"))
    assert [a for p in pages for a in p.appearances] == [
        DailyAppearance("2410.07000", date(2024, 10, 9), 1),  # its submittedOnDailyAt
    ]
    assert [i for p in pages for i in p.undated] == ["2410.05258", "2410.05254", "2410.06244"]


def test_month_and_trending(httpserver: HTTPServer, http: HttpClient) -> None:
    hf = HfClient(http, httpserver.url_for("/"))
    httpserver.expect_request(
        "/api/daily_papers", query_string=_daily_query(0, 100, month="2026-03", sort="trending")
    ).respond_with_data(fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json")
    result = daily(hf, month="2026-03", sort="trending")
    assert len(result.records) == 3
    assert result.appearances == ()  # an all-time ranking is not a day's list


def test_weekend_empty_list(httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_json([])
    result = daily(hf, date(2026, 3, 7))
    assert result.records == ()
    assert result.pages == 1


def test_future_date_400_carries_the_servers_message(httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_error_400.json"), status=400, content_type="application/json"
    )
    with pytest.raises(InvalidInputError, match="2031-01-05 is in the future"):
        daily(hf, date(2031, 1, 5))


def test_invalid_week_sends_no_request(httpserver: HTTPServer, hf: HfClient) -> None:
    with pytest.raises(InvalidInputError):
        hf.iter_daily(week="2025-W99")
    assert httpserver.log == []


def test_cancel_between_pages(httpserver: HTTPServer, hf: HfClient) -> None:
    cancel = threading.Event()
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_page0.json"), content_type="application/json"
    )
    with pytest.raises(CancelledError):
        daily(hf, cancel=cancel, on_page=lambda _page: cancel.set())
    assert len(httpserver.log) == 1


# --------------------------------------------------------------------------- client: paper, search


def test_paper_by_id(httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type="application/json"
    )
    rec = hf.paper("2602.23229v2")
    assert rec.id == "2602.23229"
    assert rec.num_models == 2


def test_unknown_paper_is_not_found(httpserver: HTTPServer, hf: HfClient) -> None:
    httpserver.expect_request("/api/papers/2312.56789").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    with pytest.raises(NotFoundError, match=r"Hugging Face has no page for paper 2312.56789"):
        hf.paper("2312.56789")


def test_paper_with_a_bad_id_sends_nothing(httpserver: HTTPServer, hf: HfClient) -> None:
    with pytest.raises(InvalidInputError):
        hf.paper("../etc/passwd")
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("fixture", "ids"),
    [
        ("hf_search_flat.json", ["2407.21783", "2302.13971"]),
        ("hf_search_daily.json", ["2602.23229", "2603.05002"]),
    ],
)
def test_search_accepts_both_shapes(
    httpserver: HTTPServer, hf: HfClient, fixture: str, ids: list[str]
) -> None:
    httpserver.expect_request(
        "/api/papers/search", query_string={"q": "llama herd", "limit": "5"}
    ).respond_with_data(fixture_bytes(fixture), content_type="application/json")
    assert [r.id for r in hf.search("  llama \n herd ", limit=5)] == ids


def test_empty_search_is_refused(httpserver: HTTPServer, hf: HfClient) -> None:
    with pytest.raises(InvalidInputError):
        hf.search("   ")
    assert httpserver.log == []


def test_from_settings_honours_hf_endpoint(
    monkeypatch: pytest.MonkeyPatch, http: HttpClient
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    assert HfClient.from_settings(http, Settings()).base_url == "http://127.0.0.1:9"
