"""For you in the window (issue 15): the sort ranks the view's papers with their reasons,
`x` hides a paper from For you and Ctrl+Z brings it back, and too few labels are said."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from test_recommend import pid, topical
from ui_support import active, loaded_ids, when_shown

from desktop_app.config import Settings
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.main_window import MainWindow


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers([topical(pid(i), "diffusion" if i % 2 == 0 else "rl", i) for i in range(40)])
    repo.tag_papers([pid(i) for i in (0, 2, 4, 6, 8, 10)], ["gen/diffusion"])
    repo.tag_papers([pid(i) for i in (1, 3, 5)], ["rl"])
    repo.set_read([pid(i) for i in (7, 9, 11, 13, 15, 17)])
    return repo


def choose_for_you(win: MainWindow, qtbot) -> None:
    combo = win.navigator.sort_combo
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        combo.setCurrentIndex(combo.findData("for-you"))
    qtbot.waitUntil(lambda: win.view_title.text().endswith("· For you"), timeout=5000)


def test_sorting_a_view_for_you_ranks_it_with_reasons(make_window, lib, qtbot) -> None:
    win = active(make_window(lib, Settings(refresh_on_start=False, mark_read_after_ms=0)), qtbot)
    win.sidebar.select_spec(ViewSpec("unread"))
    choose_for_you(win, qtbot)
    ranked = loaded_ids(win.feed_model)
    assert len(ranked) == 34  # the unread papers, every one ranked
    assert all(int(p[-5:]) % 2 == 0 for p in ranked[:10]), "diffusion papers first"
    shown = win.viewer.browser.toPlainText()
    assert re.search(r"For you: Like [56] papers you tagged gen/diffusion: “", shown), shown
    # x: not interested in the top paper: gone from For you, back with Ctrl+Z.
    top = ranked[0]
    win.feed.setFocus()
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        QTest.keyClick(win.feed, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: top not in loaded_ids(win.feed_model), timeout=5000)
    assert lib.not_interested_ids() == {top}
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        QTest.keyClick(win.feed, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: top in loaded_ids(win.feed_model), timeout=5000)
    assert lib.not_interested_ids() == set()
    # Another view opens in its own order again.
    win.sidebar.select_spec(ViewSpec("all"))
    assert not win.view_title.text().endswith("For you")
    assert win.navigator.sort_combo.currentData() != "for-you"


def test_too_few_labels_are_said_and_the_order_stays(make_window, repo, qtbot) -> None:
    repo.upsert_papers([topical(pid(i), "diffusion", i) for i in range(6)])
    repo.tag_papers([pid(0)], ["one"])
    win = make_window(repo, Settings(refresh_on_start=False, mark_read_after_ms=0))
    win.sidebar.select_spec(ViewSpec("all"))
    before = loaded_ids(win.feed_model)
    combo = win.navigator.sort_combo
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        combo.setCurrentIndex(combo.findData("for-you"))
    assert "at least" in win.message_bar.label.text()
    assert loaded_ids(win.feed_model) == before
    assert combo.currentData() != "for-you"


def test_the_abstract_lists_related_papers_once_a_model_was_trained(
    make_window, lib, qtbot
) -> None:
    from desktop_app.library.interest_jobs import TrainInterests

    win = make_window(lib, Settings(refresh_on_start=False, mark_read_after_ms=0))
    win.sidebar.select_spec(ViewSpec("all"))
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        win.controller.run(TrainInterests())  # what the window does a minute after changes
    row = win.feed_model.row_of(pid(20))
    win.feed.setCurrentIndex(win.feed_model.index(row))  # a diffusion paper
    qtbot.waitUntil(
        lambda: "Related in your library" in win.viewer.browser.toPlainText(), timeout=5000
    )
    near = [p for p, _title, _sim in win.viewer.related[1]]
    assert near and all(int(p[-5:]) % 2 == 0 for p in near[:3]), near  # diffusion ones
    # A related paper clicked is shown in the abstract.
    win.viewer.browser.anchorClicked.emit(QUrl(f"paper:{near[0]}"))  # as a click does
    assert win.viewer.paper.id == near[0]
    assert win.current_paper().id == pid(20)  # the list stays where it was


def test_the_tag_dialog_offers_the_models_tags(make_window, lib, qtbot) -> None:
    from desktop_app.library.interest_jobs import TrainInterests
    from desktop_app.ui.dialogs import TagPicker

    win = active(make_window(lib, Settings(refresh_on_start=False, mark_read_after_ms=0)), qtbot)
    win.sidebar.select_spec(ViewSpec("all"))
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        win.controller.run(TrainInterests())
    index = win.feed_model.index(win.feed_model.row_of(pid(22)))
    win.feed.scrollTo(index)
    qtbot.mouseClick(
        win.feed.viewport(), Qt.MouseButton.LeftButton, pos=win.feed.visualRect(index).center()
    )  # one paper chosen, as a person clicks it
    assert win.selected_ids() == [pid(22)]
    offered: list[list[str]] = []

    def tick(picker: TagPicker) -> None:
        qtbot.waitUntil(lambda: picker.suggested.count() > 0, timeout=5000)
        item = picker.suggested.item(0)
        offered.append([picker.suggested.item(i).text() for i in range(picker.suggested.count())])
        item.setCheckState(Qt.CheckState.Checked)
        QTest.keyClick(picker.edit, Qt.Key.Key_Return)

    when_shown(TagPicker, tick)
    QTest.keyClick(win.feed, Qt.Key.Key_T)
    assert offered and offered[0][0].startswith("gen/diffusion  (")
    assert "gen/diffusion" in lib.flags([pid(22)])[pid(22)][3]


def test_the_for_you_view_ranks_the_last_week(make_window, repo, qtbot) -> None:
    from datetime import date, timedelta

    today = date.today()
    repo.upsert_papers(
        [
            topical(
                pid(i),
                "diffusion" if i % 2 == 0 else "rl",
                i,
                published=today - timedelta(days=i % 3),
            )
            for i in range(30)
        ]
    )
    repo.tag_papers([pid(i) for i in (0, 2, 4, 6, 8, 10)], ["gen/diffusion"])
    win = make_window(repo, Settings(refresh_on_start=False, mark_read_after_ms=0))
    with qtbot.waitSignal(win.controller.done, timeout=30_000):
        win.sidebar.select_spec(ViewSpec("foryou"))
    qtbot.waitUntil(lambda: win.feed_model.query.ids is not None)  # the ranking is shown
    assert win.view_title.text() == "For you"
    ranked = loaded_ids(win.feed_model)
    assert len(ranked) == 30 and all(int(p[-5:]) % 2 == 0 for p in ranked[:10])
    assert win.navigator.sort_combo.currentData() == "for-you"


def test_the_not_interested_button_under_the_abstract(make_window, lib, qtbot) -> None:
    win = make_window(lib, Settings(refresh_on_start=False, mark_read_after_ms=0))
    win.sidebar.select_spec(ViewSpec("all"))
    shown = win.viewer.paper.id
    qtbot.mouseClick(win.viewer.not_interested_button, Qt.MouseButton.LeftButton)
    assert lib.not_interested_ids() == {shown}
    win.acts.undo.trigger()
    assert lib.not_interested_ids() == set()
