"""Shared fixtures. Qt runs offscreen; every library is a real SQLite file in tmp_path."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never see the developer's own library, settings or endpoints.
for _var in (
    "DAILY_PAPERS_HOME",
    "HF_ENDPOINT",
    "DAILY_PAPERS_ARXIV_URL",
    "DAILY_PAPERS_DBLP_URL",
    "DAILY_PAPERS_PDF_URL",
    "DAILY_PAPERS_SMTP_URL",
):
    os.environ.pop(_var, None)

from desktop_app.store import Repository  # noqa: E402

# Shared loopback-HTTP fixtures (http, hf, arxiv, release, no_leaked_threads).
pytest_plugins = ["sources_support"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use a Qt fixture are GUI tests: ``pytest -m "not gui"`` runs the core alone."""
    for item in items:
        if {"qtbot", "qapp", "qtmodeltester"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory, also exported as DAILY_PAPERS_HOME."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("DAILY_PAPERS_HOME", str(path))
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    """A repository over a real WAL-mode SQLite file."""
    repository = Repository.open(tmp_path / "library.sqlite3")
    yield repository
    repository.close()


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """In Qt tests, as in the application (ui/gc_guard.py): no automatic collection, which
    could run on the worker thread and destroy Qt objects there; collect here afterwards."""
    if not {"qtbot", "qapp", "qtmodeltester"} & set(request.fixturenames):
        yield
        return
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture(autouse=True)
def _no_stray_dialogs(request: pytest.FixtureRequest) -> Iterator[None]:
    """A modal dialog nobody answers would hang a Qt test forever (its ``exec`` never
    returns): one left open for 3 s is closed and the test fails, naming it. Tests answer
    the dialogs they expect with ``ui_support.answering``."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    stray: list[str] = []
    seen: dict[int, int] = {}

    def check() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible():
            seen.clear()
            return
        ticks = seen[id(widget)] = seen.get(id(widget), 0) + 1
        if ticks >= 12:  # 12 × 250 ms
            stray.append(f"{type(widget).__name__} {widget.windowTitle()!r}")
            seen.clear()
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    timer = QTimer()
    timer.setInterval(250)
    timer.timeout.connect(check)
    timer.start()
    yield
    timer.stop()
    assert not stray, f"a modal dialog was left unanswered: {stray}"


@pytest.fixture
def make_window(qtbot, tmp_path: Path):
    """Build the real main window over ``repo`` as the application does (``build_window``),
    with its worker threads, stopped afterwards.

    Windows made by one test share one ``window.ini``, so a second window restores what the
    first saved. A bug in a job fails the test (the crash dialog is never left unseen).
    """
    from PySide6.QtCore import QSettings

    from desktop_app.app import build_window
    from desktop_app.config import Settings
    from desktop_app.ui import crash
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.worker import WorkerHost

    hosts: list[WorkerHost] = []
    crashes_before = len(crash.reported)

    def make(
        repo: Repository,
        settings: Settings | None = None,
        *,
        http_options: dict | None = None,
        show: bool = False,
    ) -> MainWindow:
        settings = settings or Settings(refresh_on_start=False, mark_read_after_ms=0)
        ini = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        window, _controller, host = build_window(
            tmp_path, settings, ini, repo=repo, http_options=http_options
        )
        hosts.append(host)
        qtbot.addWidget(window)
        if show:
            window.show()
        return window

    yield make
    for host in hosts:
        host.stop()
    assert crash.reported[crashes_before:] == [], "a job crashed (see the traceback)"
