"""Fetching end to end: the CLI commands and the window's Refresh, against a loopback server."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes
from ui_support import loaded_ids, paper_at
from werkzeug import Request, Response

from desktop_app.cli import main
from desktop_app.config import Settings, db_path
from desktop_app.domain import PaperRecord
from desktop_app.store import Repository
from desktop_app.store.health import check_library
from desktop_app.ui.controller import Controller
from desktop_app.ui.main_window import MainWindow
from desktop_app.worker import WorkerHost

DAY = date(2026, 3, 6)
FAST = {"retries": 1, "backoff": 0.01, "max_wait": 0.05, "timeout": 2}


@pytest.fixture
def hf_env(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- CLI
def test_cli_fetch_a_day(data_dir: Path, hf_env: HTTPServer, capsys) -> None:
    hf_env.expect_request("/api/daily_papers", query_string={"date": "2026-03-06"}, method="GET")
    hf_env.clear()
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    assert main(["fetch", "--date", "2026-03-06"]) == 0
    out = capsys.readouterr().out
    assert "3 new, 0 updated, 0 unchanged" in out
    request = hf_env.log[0][0]
    assert request.args["date"] == "2026-03-06"
    assert request.headers["User-Agent"].startswith("daily-papers/")
    assert (
        main(
            [
                "list",
                "--format",
                "json",
                "--sort",
                "rank",
                "--from",
                "2026-03-06",
                "--to",
                "2026-03-06",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["daily_rank"] for r in rows] == [1, 2, 3]
    assert main(["fetch", "--date", "2026-03-06"]) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_cli_fetch_bad_date_is_one_line(data_dir: Path, hf_env: HTTPServer, capsys) -> None:
    assert main(["fetch", "--date", "2026-13-40"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daily-papers: error: ")
    assert len(err.strip().splitlines()) == 1
    assert hf_env.log == []  # refused before any request


def test_cli_fetch_server_error_changes_nothing(data_dir: Path, hf_env: HTTPServer, capsys):
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers([PaperRecord(id="2401.00001", title="Kept")])
    repo.close()
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    assert main(["fetch", "--date", "2026-03-06"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["list", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["2401.00001"]


def test_cli_partial_fetch_says_what_was_stored(data_dir: Path, hf_env: HTTPServer, capsys):
    base = hf_env.url_for("/api/daily_papers")
    for p in (0, 1):
        hf_env.expect_request("/api/daily_papers", query_string={"p": str(p)}).respond_with_data(
            fixture_bytes(f"hf_daily_page{p}.json"),
            content_type="application/json",
            headers={"Link": f'<{base}?p={p + 1}>; rel="next"'},
        )
    hf_env.expect_request("/api/daily_papers", query_string={"p": "2"}).respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_page0.json"),
        content_type="application/json",
        headers={"Link": f'<{base}?p=1>; rel="next"'},
    )
    assert main(["fetch", "--month", "2026-03"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daily-papers: error: Stored pages 1–2 (4 papers: 4 new, 0 updated)")
    assert "page 3 failed" in err and len(err.strip().splitlines()) == 1
    assert main(["list", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4


def test_cli_add_by_url_falls_back_to_arxiv(data_dir: Path, hf_env: HTTPServer, capsys) -> None:
    hf_env.expect_request("/api/papers/2403.12345").respond_with_data(
        fixture_bytes("hf_error_404.json"), status=404, content_type="application/json"
    )
    atom = fixture_bytes("arxiv_query_2025.xml")
    hf_env.expect_request("/api/query").respond_with_data(atom, content_type="application/atom+xml")
    assert main(["add", "https://arxiv.org/abs/2403.12345v2"]) == 0
    assert "Added: 1 new" in capsys.readouterr().out
    assert main(["show", "2403.12345", "--format", "json"]) == 0
    paper = json.loads(capsys.readouterr().out)
    assert paper["authors"] == ["Ada Lovelace", "Charles Babbage"]
    assert paper["doi"] == "10.1000/things.2024.1"


def test_cli_add_rejects_garbage_before_any_request(data_dir: Path, hf_env, capsys) -> None:
    assert main(["add", "2403.12345", "not a paper"]) == 1
    assert "not a paper" in capsys.readouterr().err
    assert hf_env.log == []


def test_cli_offline_says_so(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    assert main(["fetch", "--date", "2026-03-06"]) == 1
    err = capsys.readouterr().err.lower()
    assert "connect" in err or "offline" in err or "reach" in err


# ----------------------------------------------------------------------------- window
@pytest.fixture
def app_window(make_window, repo: Repository, hf_env) -> MainWindow:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0).effective()
    win = make_window(repo, settings, http_options=FAST)
    win.navigator.set_day(DAY)
    return win


def test_refresh_fetches_the_day_in_the_worker(app_window: MainWindow, hf_env, qtbot) -> None:
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    assert app_window.feed_model.total == 0
    with (
        qtbot.waitSignal(app_window.controller.busy, timeout=5000),
        qtbot.waitSignal(app_window.controller.done, timeout=5000) as done,
    ):
        app_window.acts.refresh.trigger()
    assert "3 new" in done.args[0]
    qtbot.waitUntil(lambda: app_window.feed_model.total == 3)
    assert paper_at(app_window.feed_model, 0).daily_rank == 1
    assert not app_window.cancel_button.isVisibleTo(app_window)
    assert not app_window.message_bar.isVisibleTo(app_window)


def test_refresh_failure_shows_message_and_retry_works(app_window: MainWindow, hf_env, qtbot):
    calls = {"n": 0}

    def handler(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] <= 2:  # both attempts of the first refresh fail
            return Response(
                "<html><body>Bad gateway</body></html>", status=502, content_type="text/html"
            )
        return Response(fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json")

    hf_env.expect_request("/api/daily_papers").respond_with_handler(handler)
    with qtbot.waitSignal(app_window.controller.failed, timeout=5000) as failed:
        app_window.acts.refresh.trigger()
    message, offline = failed.args
    assert not offline
    assert app_window.message_bar.isVisibleTo(app_window)
    assert app_window.message_bar.label.text() == message
    assert app_window.message_bar.retry_button.isVisibleTo(app_window)
    assert app_window.feed_model.total == 0
    with qtbot.waitSignal(app_window.controller.done, timeout=5000):
        app_window.message_bar.retry_button.click()
    qtbot.waitUntil(lambda: app_window.feed_model.total == 3)


def test_cancel_during_a_slow_response(app_window: MainWindow, hf_env, qtbot) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(10)
        return Response("[]", content_type="application/json")

    hf_env.expect_request("/api/daily_papers").respond_with_handler(slow)
    with qtbot.waitSignal(app_window.controller.busy, timeout=3000):
        app_window.acts.refresh.trigger()
    try:
        with qtbot.waitSignal(app_window.controller.cancelled, timeout=1500):
            app_window.cancel_button.click()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not app_window.cancel_button.isVisibleTo(app_window))
    assert app_window.feed_model.total == 0


def test_offline_is_announced_and_library_stays_usable(
    make_window, qtbot, repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    repo.upsert_papers([PaperRecord(id="2401.00001", title="Stored before going offline")])
    settings = Settings(refresh_on_start=True, mark_read_after_ms=0).effective()
    win = make_window(repo, settings, http_options=FAST, show=True)
    controller = win.controller
    with qtbot.waitSignal(controller.failed, timeout=5000) as failed:
        controller.start_auto_refresh()  # the start-up refresh: stale, so it fetches
    assert failed.args[1] is True
    assert win.offline_label.isVisibleTo(win)
    assert "Offline" in win.offline_label.text()
    win.sidebar.select_spec(type(win.spec)("all"))
    assert loaded_ids(win.feed_model) == ["2401.00001"]


def test_auto_refresh_only_when_stale(qtbot, repo: Repository) -> None:
    from datetime import UTC, datetime, timedelta

    settings = Settings(refresh_interval_min=60)
    host = WorkerHost(repo, settings)
    try:
        controller = Controller(repo, host, settings)
        now = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
        assert controller.refresh_due(now)
        repo.set_meta("last_fetch:daily", (now - timedelta(minutes=10)).isoformat())
        assert not controller.refresh_due(now)
        repo.set_meta("last_fetch:daily", (now - timedelta(minutes=61)).isoformat())
        assert controller.refresh_due(now)
    finally:
        host.stop()


def test_opening_takes_a_backup_when_one_is_due(qtbot, repo: Repository) -> None:
    from desktop_app.library import backups
    from desktop_app.library.jobs import Backup

    settings = Settings(refresh_on_start=False, backup_every_days=7)
    host = WorkerHost(repo, settings)
    try:
        controller = Controller(repo, host, settings)
        said: list[str] = []
        for signal in (controller.busy, controller.done, controller.failed):
            signal.connect(lambda *args: said.append(str(args)))
        controller.start_auto_refresh()
        controller.start_auto_refresh()  # Preferences applied meanwhile: not twice
        assert controller.running(Backup) == 1  # one backup queued, not two
        assert not controller.is_busy  # bookkeeping: no progress, no Cancel
        qtbot.waitUntil(lambda: controller.running(Backup) == 0, timeout=5000)
        (copy,) = backups.automatic_backups(repo)
        assert said == []  # quiet: no banner, no "backed up" over the user's messages
        controller.start_auto_refresh()  # a week has not passed: no second copy
        assert not controller.is_busy and backups.automatic_backups(repo) == [copy]
        off = Controller(repo, host, Settings(refresh_on_start=False, backup_every_days=0))
        copy.unlink()
        off.start_auto_refresh()
        assert not off.is_busy
    finally:
        host.stop()


def test_search_hugging_face_shows_and_stores_results(app_window: MainWindow, hf_env, qtbot):
    hf_env.expect_request("/api/papers/search").respond_with_data(
        fixture_bytes("hf_search_daily.json"), content_type="application/json"
    )
    app_window.navigator.search_box.setText("in-context classifiers")
    assert app_window.navigator.search_hf_button.isEnabled()
    with qtbot.waitSignal(app_window.controller.done, timeout=5000):
        app_window.navigator.search_hf_button.click()
    assert hf_env.log[0][0].args["q"] == "in-context classifiers"
    # HF's ranked results are shown even where the words themselves do not all appear.
    assert app_window.spec.kind == "search"
    assert sorted(loaded_ids(app_window.feed_model)) == ["2602.23229", "2603.05002"]
    assert "on Hugging Face" in app_window.view_title.text()
    assert app_window.repo.get("2602.23229").title


def test_hugging_face_results_keep_its_ranking_until_another_sort_is_chosen(
    app_window: MainWindow, hf_env, qtbot
) -> None:
    # Hugging Face ranks the paper with 3 upvotes above the one with 10.
    ranked = list(reversed(json.loads(fixture_bytes("hf_search_daily.json"))))
    hf_env.expect_request("/api/papers/search").respond_with_json(ranked)
    app_window.navigator.search_box.setText("in-context classifiers")
    with qtbot.waitSignal(app_window.controller.done, timeout=5000):
        app_window.navigator.search_hf_button.click()
    assert app_window.navigator.sort_combo.currentData() == "relevance"
    assert loaded_ids(app_window.feed_model) == ["2603.05002", "2602.23229"]
    app_window.navigator.sort_combo.setCurrentIndex(
        app_window.navigator.sort_combo.findData("upvotes")
    )
    qtbot.waitUntil(lambda: loaded_ids(app_window.feed_model) == ["2602.23229", "2603.05002"])


def test_trending_view_refreshes_from_the_trending_list(app_window: MainWindow, hf_env, qtbot):
    hf_env.expect_request(
        "/api/daily_papers", query_string={"sort": "trending", "p": "0", "limit": "100"}
    ).respond_with_data(fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json")
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        b"[]", content_type="application/json"
    )
    app_window.sidebar.select_spec(type(app_window.spec)("trending"))
    assert app_window.feed_model.total == 0
    with qtbot.waitSignal(app_window.controller.done, timeout=5000):
        app_window.acts.refresh.trigger()
    qtbot.waitUntil(lambda: app_window.feed_model.total == 3)
    upvotes = [paper_at(app_window.feed_model, r).upvotes for r in range(3)]
    assert upvotes == sorted(upvotes, reverse=True)


def test_user_data_survives_refetch_and_restart(
    app_window: MainWindow, hf_env, qtbot, tmp_path: Path
) -> None:
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    with qtbot.waitSignal(app_window.controller.done, timeout=5000):
        app_window.acts.refresh.trigger()
    repo = app_window.repo
    repo.tag_papers(["2603.04511"], ["ml/contrastive"])
    repo.set_starred(["2603.04511"])
    repo.set_read(["2603.04511"])
    repo.set_note("2603.04511", "compare with SigLIP")
    with qtbot.waitSignal(app_window.controller.done, timeout=5000) as again:
        app_window.acts.refresh.trigger()
    assert "3 unchanged" in again.args[0]
    reopened = Repository.open(repo.path)
    try:
        p = reopened.get("2603.04511")
        assert (p.tags, p.starred, p.read, p.saved, p.note) == (
            ("ml/contrastive",),
            True,
            True,
            True,
            "compare with SigLIP",
        )
        assert check_library(reopened.path) == []
    finally:
        reopened.close()


def test_start_up_refresh_fetches_the_latest_list_and_shows_it(
    make_window, qtbot, repo: Repository, hf_env
) -> None:
    hf_env.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    settings = Settings(refresh_on_start=True, mark_read_after_ms=0).effective()
    win = make_window(repo, settings, http_options=FAST, show=True)
    assert win.feed_model.rowCount() == 0  # an empty library opens on today
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        win.controller.start_auto_refresh()
    assert "date" not in hf_env.log[0][0].args  # HF's newest list, whatever its day
    qtbot.waitUntil(lambda: win.navigator.day == DAY)
    assert win.feed_model.rowCount() == 3
