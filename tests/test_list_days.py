"""Hugging Face answers of each format era, replayed on loopback through the CLI: every field
stored, and every paper filed under the day of the list it is on, with that list's rank.

The answers are in ``tests/fixtures/hf_eras`` (see the README there): from about 2024-11-29 to
2025-03-14 an item does not state its list day (no ``submittedOnDailyAt``) and its outer
``publishedAt`` is the arXiv time, so a latest/week/month answer cannot date it; only a
``?date=`` request does.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes, fixture_json
from werkzeug import Request, Response

from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.store import Repository

ERA_DAYS = {
    "2024-05": "2024-05-15",
    "2024-10": "2024-10-08",
    "2025-03": "2025-03-12",
    "2025-06": "2025-06-10",
    "2026-01": "2026-01-20",
    "2026-08": "2026-08-04",
}
W11_DAYS = ("2025-03-07", "2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13")


@pytest.fixture
def hf_env(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


def era(name: str) -> Any:
    return fixture_json(f"hf_eras/{name}")


def serve(server: HTTPServer, answers: dict[str, str], fail: str | None = None) -> None:
    """Answer ``/api/daily_papers`` from fixture files keyed ``date=…``, ``week=…``,
    ``month=…`` or ``latest``; any other day's list is empty (a weekend, a day not recorded);
    the request keyed ``fail`` gets an HTTP 500."""

    def handler(request: Request) -> Response:
        args = request.args
        key = next((f"{k}={args[k]}" for k in ("date", "week", "month") if k in args), "latest")
        if key == fail:
            return Response('{"error": "Internal Error"}', status=500)
        name = answers.get(key)
        body = fixture_bytes(f"hf_eras/{name}") if name and args.get("p", "0") == "0" else b"[]"
        return Response(body, content_type="application/json")

    server.expect_request("/api/daily_papers").respond_with_handler(handler)


def asked_dates(server: HTTPServer) -> list[str]:
    return [r.args["date"] for r, _ in server.log if "date" in r.args]


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    assert main(["list", "--format", "json", "--limit", "1000"]) == 0
    return {row["id"]: row for row in json.loads(capsys.readouterr().out)}


def appearances(data_dir: Path) -> set[tuple[str, str, int]]:
    repo = Repository.open(db_path(data_dir))
    try:
        rows = repo.db.execute_sql(
            "SELECT p.paper_id, d.day, d.rank FROM daily_appearance d "
            "JOIN paper p ON p.id = d.paper"
        ).fetchall()
        return {(pid, day, rank) for pid, day, rank in rows}
    finally:
        repo.close()


def list_ranks(*days: str) -> set[tuple[str, str, int]]:
    """(paper, day, rank) of the day lists as ``?date=`` serves them: the lists' own ranks."""
    return {
        (item["paper"]["id"], day, rank)
        for day in days
        for rank, item in enumerate(era(f"2025-03_date_{day}.json"), 1)
    }


def expected_row(item: dict[str, Any], day: str, rank: int) -> dict[str, Any]:
    """What the library must say about an item, read off the JSON here, independently."""
    paper = item["paper"]
    org = paper.get("organization") or item.get("organization")
    return {
        "id": paper["id"],
        "title": " ".join(item["title"].split()),
        "summary": " ".join(paper["summary"].split()),
        "authors": [a["name"] for a in paper["authors"]],
        "published": paper["publishedAt"][:10],
        "upvotes": paper["upvotes"],
        "comments": item["numComments"],
        "organization": org["fullname"] if org else None,
        "github": paper.get("githubRepo"),
        "github_stars": paper.get("githubStars"),
        "project_page": paper.get("projectPage"),
        "ai_summary": paper.get("ai_summary"),
        "ai_keywords": paper.get("ai_keywords", []),
        "daily_day": day,
        "daily_rank": rank,
    }


# --------------------------------------------------------------------------- every era, --date


@pytest.mark.parametrize("name", sorted(ERA_DAYS))
def test_a_days_list_of_each_era_is_stored_with_every_field(
    name: str, data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    day = ERA_DAYS[name]
    answer = era(f"{name}_date_{day}.json")
    serve(hf_env, {f"date={day}": f"{name}_date_{day}.json"})
    assert main(["fetch", "--date", day]) == 0
    rows = listed(capsys)
    assert len(rows) == len(answer)
    for rank, item in enumerate(answer, 1):
        want = expected_row(item, day, rank)
        assert {k: rows[want["id"]][k] for k in want} == want
    repo = Repository.open(db_path(data_dir))
    try:
        for item in answer:
            assert repo.get(item["paper"]["id"]).thumbnail == item.get("thumbnail")
    finally:
        repo.close()
    assert asked_dates(hf_env) == [day]  # the answer states the day: nothing more to ask


def test_the_era_shapes_are_those_of_the_real_answers() -> None:
    """The fixtures keep each era's fields, present and absent (see the README beside them)."""

    def keys(name: str) -> tuple[set[str], set[str]]:
        outer: set[str] = set()
        inner: set[str] = set()
        for item in era(name):
            outer |= set(item)
            inner |= set(item["paper"])
        return outer, inner

    may, may_paper = keys("2024-05_date_2024-05-15.json")
    assert "mediaUrl" in may and "thumbnail" not in may and "submittedOnDailyAt" not in may_paper
    octo, octo_paper = keys("2024-10_date_2024-10-08.json")
    assert {"thumbnail", "submittedBy"} <= octo and "submittedOnDailyAt" not in octo_paper
    _mar, mar_paper = keys("2025-03_date_2025-03-12.json")
    assert {"ai_keywords", "githubRepo"} <= mar_paper
    assert not {"submittedOnDailyAt", "ai_summary", "githubStars"} & mar_paper
    jun, jun_paper = keys("2025-06_date_2025-06-10.json")
    assert {"submittedOnDailyAt", "ai_summary", "githubStars"} <= jun_paper
    assert "organization" not in jun
    jan, jan_paper = keys("2026-01_date_2026-01-20.json")
    assert "organization" in jan and "ai_summary_model" not in jan_paper
    _aug, aug_paper = keys("2026-08_date_2026-08-04.json")
    assert "ai_summary_model" in aug_paper
    # In the 2025-03 era the outer publishedAt is the arXiv time, days before the list.
    latest = era("2025-03_latest_2025-03-12.json")
    assert {i["publishedAt"] for i in latest} == {i["paper"]["publishedAt"] for i in latest}
    assert all(i["publishedAt"][:10] < "2025-03-12" for i in latest)


# --------------------------------------------------------------------------- list days


def test_latest_list_of_the_undated_era_is_filed_under_its_own_day(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(
        hf_env,
        {
            "latest": "2025-03_latest_2025-03-12.json",
            "date=2025-03-12": "2025-03_date_2025-03-12.json",
        },
    )
    assert main(["fetch"]) == 0
    out = capsys.readouterr().out
    assert "23 new" in out
    assert "List days taken from the lists of single days" in out
    assert appearances(data_dir) == list_ranks("2025-03-12")
    # Asked from the newest day the list can be (a week after the newest arXiv date) back,
    # and stopped at the day whose list held every paper.
    assert asked_dates(hf_env) == [f"2025-03-{d}" for d in range(18, 11, -1)]


@pytest.mark.parametrize(("flag", "value"), [("--week", "2025-W11"), ("--month", "2025-03")])
def test_week_and_month_of_the_undated_era_file_no_paper_under_a_wrong_day(
    flag: str,
    value: str,
    data_dir: Path,
    hf_env: HTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = {f"date={d}": f"2025-03_date_{d}.json" for d in W11_DAYS}
    kind = flag.removeprefix("--")
    answers[f"{kind}={value}"] = "2025-03_week_2025-W11.json"
    serve(hf_env, answers)
    assert main(["fetch", flag, value]) == 0
    assert "43 new" in capsys.readouterr().out
    # Every paper on the day of its list, with the list's rank; nothing on another day.
    assert appearances(data_dir) == list_ranks(*W11_DAYS)
    asked = asked_dates(hf_env)
    if kind == "week":  # the week's answer starts on the Friday before it
        assert asked == ["2025-03-07", *(f"2025-03-{d:02d}" for d in range(8, 17))]
    else:
        assert asked == [f"2025-03-{d:02d}" for d in range(1, 32)]
    rows = listed(capsys)
    assert rows["2502.10037"]["daily_day"] == "2025-03-12"  # an arXiv paper of 2025-02-26


def test_a_paper_on_no_days_list_is_kept_without_a_list_day_and_said(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {f"date={d}": f"2025-03_date_{d}.json" for d in W11_DAYS if d != "2025-03-13"}
    answers["week=2025-W11"] = "2025-03_week_2025-W11.json"
    serve(hf_env, answers)
    assert main(["fetch", "--week", "2025-W11"]) == 0
    captured = capsys.readouterr()
    assert "43 new" in captured.out
    assert "5 papers stored without a list day" in captured.err
    assert appearances(data_dir) == list_ranks(*(d for d in W11_DAYS if d != "2025-03-13"))
    rows = listed(capsys)
    for item in era("2025-03_date_2025-03-13.json"):
        assert rows[item["paper"]["id"]]["daily_day"] is None  # not another day's


def test_a_failed_day_request_leaves_the_library_as_it_was(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {f"date={d}": f"2025-03_date_{d}.json" for d in W11_DAYS}
    answers["week=2025-W11"] = "2025-03_week_2025-W11.json"
    serve(hf_env, answers, fail="date=2025-03-11")
    assert main(["fetch", "--week", "2025-W11"]) == 1
    assert "HTTP 500" in capsys.readouterr().err
    assert listed(capsys) == {}
    assert appearances(data_dir) == set()


def test_an_answer_that_states_every_list_day_needs_no_day_requests(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(hf_env, {"week=2025-W24": "2025-06_week_2025-W24.json"})
    assert main(["fetch", "--week", "2025-W24"]) == 0
    assert asked_dates(hf_env) == []
    days = {(pid, day) for pid, day, _rank in appearances(data_dir)}
    assert days == {
        (i["paper"]["id"], d)
        for d in ("2025-06-10", "2025-06-11")
        for i in era(f"2025-06_date_{d}.json")
    }


def test_unknown_upvotes_stay_unknown_and_known_ones_are_not_forgotten(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A paper from arXiv alone has unknown upvotes (not 0); Hugging Face's refetch sets them,
    and a later arXiv-only refetch does not turn them back to unknown."""
    hf_env.expect_request("/api/papers/2502.10037").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    atom = fixture_bytes("arxiv_query_2025.xml").replace(b"2403.12345", b"2502.10037")
    hf_env.expect_request("/api/query").respond_with_data(atom, content_type="application/atom+xml")
    assert main(["add", "2502.10037"]) == 0
    row = listed(capsys)["2502.10037"]
    assert (row["upvotes"], row["comments"]) == (None, None)
    assert main(["show", "2502.10037"]) == 0
    shown = capsys.readouterr().out
    assert "upvotes unknown" in shown and "▲" not in shown and "comment" not in shown
    assert main(["list"]) == 0
    assert " – " in capsys.readouterr().out  # the table's upvote column: unknown
    # Hugging Face's list gives the real counts
    hf_env.clear()
    serve(hf_env, {"date=2025-03-12": "2025-03_date_2025-03-12.json"})
    assert main(["fetch", "--date", "2025-03-12"]) == 0
    item = next(i for i in era("2025-03_date_2025-03-12.json") if i["paper"]["id"] == "2502.10037")
    row = listed(capsys)["2502.10037"]
    assert (row["upvotes"], row["comments"]) == (item["paper"]["upvotes"], item["numComments"])
    # arXiv alone again: the counts stay
    hf_env.clear()
    hf_env.expect_request("/api/papers/2502.10037").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    hf_env.expect_request("/api/query").respond_with_data(atom, content_type="application/atom+xml")
    assert main(["add", "2502.10037"]) == 0
    row = listed(capsys)["2502.10037"]
    assert (row["upvotes"], row["comments"]) == (item["paper"]["upvotes"], item["numComments"])


def test_sorting_by_upvotes_puts_unknown_last_and_pages_through_them(tmp_path: Path) -> None:
    from desktop_app.domain import FeedQuery, PaperRecord, Sort

    repo = Repository.open(tmp_path / "lib.sqlite3")
    try:
        repo.upsert_papers(
            [
                PaperRecord(id=f"2503.{n:05d}", title=f"P{n}", upvotes=n if n % 2 else None)
                for n in range(1, 9)
            ]
        )
        seen: list[str] = []
        cursor = None
        while True:
            page = repo.page(FeedQuery(sort=Sort.UPVOTES), cursor=cursor, limit=3)
            seen += [p.id for p in page.papers]
            if page.cursor is None:
                break
            cursor = page.cursor
        known = ["2503.00007", "2503.00005", "2503.00003", "2503.00001"]
        assert seen[:4] == known
        assert sorted(seen[4:]) == ["2503.00002", "2503.00004", "2503.00006", "2503.00008"]
    finally:
        repo.close()


def test_day_numbers_in_the_period_are_not_past_today() -> None:
    from desktop_app.sources.hf import list_period

    assert list_period(week="2025-W11")[0] == date(2025, 3, 7)
    assert list_period(week="2025-W11")[-1] == date(2025, 3, 16)
    assert len(list_period(month="2025-02")) == 28
    assert list_period(month="2025-03", today=date(2025, 3, 4))[-1] == date(2025, 3, 4)


def test_a_page_cap_stores_what_was_read_with_list_days_learned(
    data_dir: Path, hf_env: HTTPServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A week answer that keeps sending pages stops at the cap; the papers read are stored,
    each under the day whose list has it, and the cap is said."""
    from desktop_app.errors import PartialFetchError
    from desktop_app.library.fetch import fetch_daily
    from desktop_app.sources.hf import HfClient
    from desktop_app.sources.http import HttpClient

    week = era("2025-03_week_2025-W11.json")

    def handler(request: Request) -> Response:
        if "date" in request.args:
            name = f"2025-03_date_{request.args['date']}.json"
            known = request.args["date"] in W11_DAYS
            return Response(fixture_bytes(f"hf_eras/{name}") if known else b"[]")
        p = int(request.args.get("p", "0"))
        return Response(json.dumps(week[p * 10 : p * 10 + 10]), content_type="application/json")

    hf_env.expect_request("/api/daily_papers").respond_with_handler(handler)
    repo = Repository.open(tmp_path / "lib.sqlite3")
    try:
        with HttpClient(timeout=2, retries=1) as http:
            hf = HfClient(http, hf_env.url_for("/"), page_size=10, max_pages=2)
            with pytest.raises(PartialFetchError, match="kept sending pages past 2"):
                fetch_daily(repo, hf, week="2025-W11")
        rows = repo.db.execute_sql(
            "SELECT p.paper_id, d.day, d.rank FROM daily_appearance d "
            "JOIN paper p ON p.id = d.paper"
        ).fetchall()
        assert {tuple(r) for r in rows} == list_ranks(*W11_DAYS)
    finally:
        repo.close()
