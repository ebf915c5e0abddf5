"""Issue 13, item 13: the window laid out for 800×600 upwards. Every toolbar control is in
view (none behind the toolbar's overflow button), the sidebar gives up width, the list and
the abstract keep theirs. Each test resizes the real window as a person would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton, QWidget

from desktop_app.domain import DailyAppearance, PaperRecord
from desktop_app.store import Repository
from desktop_app.ui.main_window import MainWindow

TODAY = date.today()
LONG_SEARCH = "sparse attention for long-context transformers"


@pytest.fixture
def lib(repo: Repository) -> Repository:
    recs = [
        PaperRecord(
            id=f"2611.{i:05d}",
            title=f"A rather long paper title number {i} about sparse attention in transformers",
            abstract="We study sparse attention. " * 40,
            authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
            published=TODAY - timedelta(days=i % 3),
            upvotes=400 - i,
        )
        for i in range(30)
    ]
    repo.upsert_papers(recs, [DailyAppearance(r.id, TODAY, i + 1) for i, r in enumerate(recs)])
    repo.tag_papers([recs[0].id], ["llm/reasoning/chain-of-thought"])
    repo.tag_papers([recs[1].id], ["vision/diffusion"])
    return repo


def sized(make_window, lib: Repository, qtbot, width: int, height: int) -> MainWindow:
    win = make_window(lib, show=True)
    qtbot.waitExposed(win)
    win.resize(width, height)
    qtbot.waitUntil(lambda: win.toolbar.width() == width)
    return win


def toolbar_controls(win: MainWindow) -> list[QWidget]:
    nav, tb, a = win.navigator, win.toolbar, win.acts
    buttons = [tb.widgetForAction(action) for action in (a.refresh, a.prev, a.next)]
    widgets = [nav.date_edit, nav.mode_combo, nav.sort_combo, nav.search_box]
    return [w for w in buttons if w is not None] + widgets + [nav.scope_combo, nav.search_hf_button]


def overflow_button(tb: QToolBar) -> QToolButton | None:
    return tb.findChild(QToolButton, "qt_toolbar_ext_button")


def settle() -> None:
    """Run the layout passes Qt has queued (a label changed, the window was resized)."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def assert_toolbar_fits(win: MainWindow) -> None:
    settle()
    tb = win.toolbar
    ext = overflow_button(tb)
    assert ext is None or not ext.isVisible(), "controls went behind the overflow button"
    for w in toolbar_controls(win):
        name = w.objectName() or type(w).__name__
        assert w.isVisible(), name
        assert tb.rect().contains(w.geometry()), (name, w.geometry(), tb.rect())
        # Not clipped: each has at least the width it asks for (the search box its minimum).
        wanted = w.minimumWidth() if w is win.navigator.search_box else w.sizeHint().width()
        assert w.width() >= wanted, (name, w.width(), wanted)


@pytest.mark.parametrize(
    ("width", "height", "sidebar_max", "list_min"),
    [(800, 600, 200, 300), (900, 600, 220, 340), (1280, 800, 300, 480)],
)
def test_every_toolbar_control_is_in_view_and_the_panes_keep_usable_widths(
    make_window, lib: Repository, qtbot, width: int, height: int, sidebar_max: int, list_min: int
) -> None:
    win = sized(make_window, lib, qtbot, width, height)
    assert_toolbar_fits(win)
    # Typing a long search lengthens the Hugging Face button only while there is room.
    QTest.keyClicks(win.navigator.search_box, LONG_SEARCH)
    qtbot.waitUntil(lambda: win.navigator.search_hf_button.isEnabled())
    assert_toolbar_fits(win)
    sidebar, feed, viewer = win.splitter.sizes()
    assert 150 <= sidebar <= sidebar_max
    assert feed >= list_min
    assert viewer >= 240  # the abstract keeps a readable column
    assert feed > viewer > sidebar
    # The list's rows fit it: nothing hides behind a horizontal scroll bar.
    assert not win.feed.horizontalScrollBar().isVisible()
    # The view's title wraps rather than holding the list wide.
    assert win.view_title.width() <= feed


def test_a_narrow_toolbar_shortens_labels_and_a_wide_one_gives_them_back(
    make_window, lib: Repository, qtbot
) -> None:
    win = sized(make_window, lib, qtbot, 1280, 800)
    nav = win.navigator
    QTest.keyClicks(nav.search_box, "sparse attention")
    assert nav.search_hf_button.text() == "Search Hugging Face for “sparse attention”"
    assert nav.sort_label.isVisible()
    win.resize(800, 600)
    qtbot.waitUntil(lambda: nav.search_hf_button.text() == "Search HF")
    settle()
    assert nav.search_hf_button.toolTip() == "Search Hugging Face for “sparse attention”"
    assert not nav.sort_label.isVisible()
    assert nav.sort_combo.toolTip()  # what the box is for, without its label
    assert_toolbar_fits(win)
    win.resize(1280, 800)
    qtbot.waitUntil(lambda: nav.search_hf_button.text().startswith("Search Hugging Face for"))
    settle()
    assert nav.sort_label.isVisible()


def test_the_hugging_face_button_still_searches_when_short(
    make_window, lib: Repository, qtbot
) -> None:
    win = sized(make_window, lib, qtbot, 800, 600)
    nav = win.navigator
    QTest.keyClicks(nav.search_box, LONG_SEARCH)
    settle()
    assert nav.search_hf_button.isVisible()  # in the toolbar, not in its overflow menu
    with qtbot.waitSignal(nav.remoteSearchRequested) as asked:
        qtbot.mouseClick(nav.search_hf_button, Qt.MouseButton.LeftButton)
    assert asked.args == [LONG_SEARCH]


def test_the_sidebar_counts_take_the_width_of_their_numbers(
    make_window, lib: Repository, qtbot
) -> None:
    """The hidden header's names no longer hold the count columns wide, so a narrow
    sidebar still shows its views' and tags' names."""
    win = sized(make_window, lib, qtbot, 800, 600)
    sb = win.sidebar
    for column in (1, 2):
        numbers = max(sb.sizeHintForColumn(column), sb.header().minimumSectionSize())
        assert sb.columnWidth(column) <= numbers
    assert sb.columnWidth(0) >= sb.width() // 2
