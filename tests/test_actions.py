"""Guards over every action of the window: triggered for real, destructive ones ask first.

``QAction.triggered`` passes ``checked`` to any slot that can take it, so a slot with an
optional parameter (``confirm=True``) silently receives ``False``: that is how Shift+Del once
deleted without asking. Two guards keep the whole class from coming back: a static check of
every connection to ``triggered`` in ``desktop_app/ui``, and a test that triggers every action
of a real window the way a menu click does, with its dialogs cancelled.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from ui_support import answering

from desktop_app.config import Settings
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui import main_window as main_window_module

UI = Path(main_window_module.__file__).parent


def _methods_with_defaults() -> dict[str, list[str]]:
    """Every method of a ui/ class whose parameters (after self) include a default."""
    found: dict[str, list[str]] = {}
    for path in UI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (
                node.args.defaults or any(d is not None for d in node.args.kw_defaults)
            ):
                found.setdefault(node.name, []).append(path.name)
    return found


def _connected_slots() -> list[tuple[str, int, ast.expr]]:
    """``(file, line, slot expression)`` of each ``….triggered.connect(slot)`` and of each slot
    the window hands ``ui.actions.Slots`` (which ``build_actions`` connects to its actions)."""
    slots = []
    for path in UI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "connect"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "triggered"
                and node.args
            ):
                slots.append((path.name, node.lineno, node.args[0]))
            elif isinstance(func, ast.Name) and func.id == "Slots":
                for keyword in node.keywords:
                    value = keyword.value
                    # quick_tag is a factory of slots: lambda n: bound(…, n)
                    if isinstance(value, ast.Lambda) and isinstance(value.body, ast.Call):
                        value = value.body
                    slots.append((path.name, node.lineno, value))
    return slots


def test_no_slot_connected_to_an_action_takes_an_optional_parameter() -> None:
    with_defaults = _methods_with_defaults()
    slots = _connected_slots()
    assert len(slots) > 30  # the scan sees the window's actions
    problems = []
    for file, line, slot in slots:
        if isinstance(slot, ast.Lambda):
            if slot.args.args or slot.args.defaults:
                problems.append(f"{file}:{line}: a lambda with parameters")
        elif isinstance(slot, ast.Attribute) and slot.attr in with_defaults:
            problems.append(f"{file}:{line}: {slot.attr} has an optional parameter")
    assert problems == []


def test_the_scan_would_catch_the_old_delete_slot() -> None:
    source = "def on_delete_triggered(self, confirm: bool = True) -> None: ...\n"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef) and node.args.defaults


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(id=f"2611.{i:05d}", title=f"Paper {i}", published=date(2026, 11, 1 + i))
            for i in range(4)
        ]
    )
    repo.tag_papers(["2611.00000"], ["ml"])
    return repo


def test_every_action_triggered_for_real_and_destructive_ones_ask(
    make_window, lib: Repository, qtbot
) -> None:
    closed = "http://127.0.0.1:9"  # nothing listens: fetches fail at once, offline
    settings = Settings(
        hf_endpoint=closed, arxiv_url=closed, refresh_on_start=False, mark_read_after_ms=0
    )
    window = make_window(lib, settings, show=True)
    opened: list[str] = []
    window.viewer.open_url = lambda url: opened.append(url.toString())
    window.sidebar.select_spec(ViewSpec("all"))
    window.feed.setCurrentIndex(window.feed_model.index(0))
    destructive = {a for a in window.findChildren(QAction) if a.property("destructive")}
    assert window.acts.delete in destructive
    actions = [a for a in window.findChildren(QAction) if a is not window.acts.quit]
    assert len(actions) > 30
    for action in actions:
        if not action.isEnabled() or action.menu() is not None:
            continue
        before = lib.ids(FeedQuery())
        with answering(None) as asked:  # every dialog cancelled
            action.trigger()
            qtbot.waitUntil(lambda: not window.controller.is_busy, timeout=5000)
        if action in destructive:
            assert asked.seen, f"{action.text()!r} did not ask first"
            assert lib.ids(FeedQuery()) == before, f"{action.text()!r} changed the library"
    assert opened  # o and p went to the browser
    window.acts.quit.trigger()
    assert not window.isVisible()


def test_slots_take_no_checked_argument_at_run_time(make_window, lib: Repository) -> None:
    window = make_window(lib)
    for name, method in inspect.getmembers(window, inspect.ismethod):
        if name.startswith("on_") and name.endswith("_triggered"):
            params = inspect.signature(method).parameters.values()
            assert all(p.default is inspect.Parameter.empty for p in params), name
