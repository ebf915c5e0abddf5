"""Shared fixtures. Qt runs offscreen; every library is a real SQLite file in tmp_path."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never see the developer's own library, settings or endpoints.
for _var in ("DAILY_PAPERS_HOME", "HF_ENDPOINT", "DAILY_PAPERS_ARXIV_URL"):
    os.environ.pop(_var, None)

from desktop_app.store import Repository  # noqa: E402


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
