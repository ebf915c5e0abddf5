"""Issue 13, reading flow: keys from anywhere, focus where the reader is, state that tells
the truth. Every test drives real keys, clicks and actions on a real window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_support import active, answering, loaded_ids, when_shown

from desktop_app.config import Settings
from desktop_app.domain import DailyAppearance, FeedQuery, PaperRecord
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.main_window import MainWindow

TODAY = date.today()


def records(n: int) -> list[PaperRecord]:
    return [
        PaperRecord(
            id=f"2611.{i:05d}",
            title=f"Paper number {i} about sparse attention",
            abstract=f"Abstract {i}." + (" A long one." * 2000 if i == 1 else ""),
            authors=("Ada Lovelace",),
            published=TODAY - timedelta(days=i % 3),
            upvotes=40 - i,
        )
        for i in range(n)
    ]


@pytest.fixture
def lib(repo: Repository) -> Repository:
    recs = records(40)
    repo.upsert_papers(recs, [DailyAppearance(r.id, TODAY, i + 1) for i, r in enumerate(recs[:20])])
    repo.tag_papers(["2611.00000"], ["llm/reasoning"])
    repo.tag_papers(["2611.00001"], ["vision"])
    return repo


@pytest.fixture
def win(make_window, lib: Repository, qtbot) -> MainWindow:
    window = active(make_window(lib), qtbot)
    window.opened = []  # type: ignore[attr-defined]
    window.viewer.open_url = lambda url: window.opened.append(url.toString())  # type: ignore
    return window


def click_view(window: MainWindow, kind: str, qtbot) -> None:
    """Click a view in the sidebar with the mouse, as a person does."""
    index = window.sidebar_model.view_index(kind)
    rect = window.sidebar.visualRect(index)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def current_id(window: MainWindow) -> str | None:
    paper = window.current_paper()
    return paper.id if paper else None


# ----------------------------------------------------------------------------- 1. keys
def test_letter_keys_work_from_the_views_and_the_abstract(win: MainWindow, qtbot) -> None:
    win.sidebar.setFocus()
    assert current_id(win) == "2611.00000"
    QTest.keyClick(win.sidebar, Qt.Key.Key_J)  # j in the views: the next paper
    assert current_id(win) == "2611.00001"
    win.viewer.browser.setFocus()
    QTest.keyClick(win.viewer.browser, Qt.Key.Key_S)  # s in the abstract: star
    assert win.repo.get("2611.00001").starred
    QTest.keyClick(win.viewer.browser, Qt.Key.Key_K)
    assert current_id(win) == "2611.00000"
    QTest.keyClick(win.navigator.sort_combo, Qt.Key.Key_J)  # a combo box takes no letters
    assert current_id(win) == "2611.00001"


def test_letter_keys_type_in_text_fields(win: MainWindow, qtbot) -> None:
    win.viewer.note.setFocus()
    QTest.keyClicks(win.viewer.note, "jsm")
    assert win.viewer.note.toPlainText() == "jsm"
    assert current_id(win) == "2611.00000"
    assert not win.repo.get("2611.00000").starred
    win.navigator.search_box.setFocus()
    QTest.keyClicks(win.navigator.search_box, "s1")
    assert win.navigator.search_box.text() == "s1"
    assert win.repo.favourite_tags() == {}


def test_a_view_clicked_hands_the_keys_to_its_list(win: MainWindow, qtbot) -> None:
    click_view(win, "all", qtbot)
    assert win.spec == ViewSpec("all")
    assert win.feed.hasFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_Down)  # ↓ moves in the list, not through views
    assert win.spec == ViewSpec("all") and win.feed.currentIndex().row() == 1
    win.sidebar.setFocus()
    QTest.keyClick(win.sidebar, Qt.Key.Key_Up)  # in the views, arrows still walk them
    assert win.spec != ViewSpec("all") and win.sidebar.hasFocus()
    QTest.keyClick(win.sidebar, Qt.Key.Key_Return)  # Enter: into that view's list
    assert win.spec == ViewSpec("saved") and win.feed.hasFocus()


def test_keys_never_land_in_the_date_field(win: MainWindow, qtbot) -> None:
    win.feed.setFocus()
    date_edit = win.navigator.date_edit
    QTest.keyClick(win.feed, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # no list
    assert not win.feed.isVisible()
    assert QApplication.focusWidget() is win.sidebar
    QTest.keyClick(win.sidebar, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert win.feed.isVisible() and win.feed.hasFocus()  # back with the list
    with answering(None):  # a dialog (the tag picker) cancelled
        QTest.keyClick(win.feed, Qt.Key.Key_T)
    win.activateWindow()  # what the window manager does when the dialog closes
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() is not date_edit
    qtbot.waitUntil(lambda: win.feed.hasFocus())
    # Another window (a dialog) had the keys; Qt gives them back to the date field, first
    # in the tab chain (as it did under a window manager): the window hands them on.
    from PySide6.QtWidgets import QLineEdit

    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other)
    date_edit.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    other.close()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.feed.hasFocus())
    win.cancel_button.show()
    qtbot.mouseClick(win.cancel_button, Qt.MouseButton.LeftButton)
    win.cancel_button.hide()
    assert win.feed.hasFocus()  # Cancel took no focus, so none fell to the date field


# ----------------------------------------------------------------------------- 2. search box
def test_search_box_enter_goes_to_the_first_result_and_esc_goes_back(
    make_window, lib: Repository, qtbot
) -> None:
    win = active(make_window(lib, Settings(refresh_on_start=False, mark_read_after_ms=30)), qtbot)
    box = win.navigator.search_box
    win.navigator.on_find_triggered()
    QTest.keyClicks(box, "number 7")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert win.spec == ViewSpec("search") and win.feed.hasFocus()
    assert current_id(win) == "2611.00007"
    assert not win.mark_read_timer.isActive()  # shown, not chosen: not read
    win.navigator.on_find_triggered()
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert win.feed.hasFocus()
    (clear_button,) = [w for w in box.children() if w.metaObject().className().endswith("Button")]
    qtbot.waitUntil(lambda: clear_button.property("opacity") == 1)  # shown with the text
    win.navigator.on_find_triggered()
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and win.spec == ViewSpec("daily") and win.feed.hasFocus()
    assert win.feed_model.total == 20
    # The box's clear button fades with its text (it listens to the box's own signals).
    qtbot.waitUntil(lambda: clear_button.property("opacity") == 0)
    assert not lib.get("2611.00007").read


def test_switching_views_leaves_no_search_that_looks_applied(win: MainWindow, qtbot) -> None:
    box = win.navigator.search_box
    QTest.keyClicks(box, "number 3")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert win.spec == ViewSpec("search")
    click_view(win, "starred", qtbot)
    assert box.text() == ""
    assert not win.navigator.search_hf_button.isEnabled()
    # A "This view" search narrows whatever view is shown: it stays, and is applied.
    win.navigator.scope_combo.setCurrentIndex(1)
    click_view(win, "all", qtbot)
    QTest.keyClicks(box, "number 3")
    QTest.keyClick(box, Qt.Key.Key_Return)
    click_view(win, "unread", qtbot)
    assert box.text() == "number 3"
    assert win.feed_model.total == win.repo.count(replace(win.feed_model.query))
    assert win.feed_model.query.text == "number 3"


# ----------------------------------------------------------------------------- 3. tag dialog
def test_tag_dialog_takes_a_completion_with_one_enter(win: MainWindow, qtbot) -> None:
    from desktop_app.ui.dialogs import TagPicker

    win.feed.setCurrentIndex(win.feed_model.index(2))
    seen: dict[str, object] = {}

    def type_into_picker(picker: TagPicker) -> None:
        QTest.keyClicks(picker.edit, "reas")
        popup = picker.completer.popup()
        qtbot.waitUntil(popup.isVisible)
        ok = picker.buttons.buttons()[0]
        top_left = ok.mapToGlobal(QPoint(0, 0))
        seen["covers"] = popup.geometry().intersects(ok.geometry().translated(top_left - ok.pos()))
        QTest.keyClick(popup, Qt.Key.Key_Down)
        QTest.keyClick(popup, Qt.Key.Key_Return)  # one Enter: completed and applied

    timer = when_shown(TagPicker, type_into_picker)
    QTest.keyClick(win.feed, Qt.Key.Key_T)
    assert not timer.isActive()
    qtbot.waitUntil(lambda: "llm/reasoning" in win.repo.flags(["2611.00002"])["2611.00002"][3])
    assert seen["covers"] is False


def test_tag_dialog_lists_current_tags_and_unticking_removes(win: MainWindow, qtbot) -> None:
    from desktop_app.ui.dialogs import TagPicker

    win.repo.tag_papers(["2611.00000"], ["vision"])
    shown: list[list[str]] = []

    def untick(picker: TagPicker) -> None:
        items = [picker.current.item(i) for i in range(picker.current.count())]
        shown.append([i.text() for i in items])
        picker.activateWindow()  # as the window manager does with a new dialog
        qtbot.waitUntil(lambda: QApplication.activeWindow() is picker)
        picker.current.setFocus()
        picker.current.setCurrentRow(1)
        QTest.keyClick(picker.current, Qt.Key.Key_Space)  # untick "vision"
        QTest.keyClick(picker.edit, Qt.Key.Key_Return)

    when_shown(TagPicker, untick)
    QTest.keyClick(win.feed, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: win.repo.flags(["2611.00000"])["2611.00000"][3] == ("llm/reasoning",))
    assert shown == [["llm/reasoning", "vision"]]
    win.editor.stack.undo()  # one undo step
    assert set(win.repo.flags(["2611.00000"])["2611.00000"][3]) == {"llm/reasoning", "vision"}


def test_right_click_on_a_tag_opens_its_menu_without_switching_view(win: MainWindow, qtbot) -> None:
    index = win.sidebar_model.tag_index("vision")
    rect = win.sidebar.visualRect(index)
    qtbot.mouseClick(win.sidebar.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    assert win.spec == ViewSpec("daily")
    win.sidebar.customContextMenuRequested.emit(rect.center())
    menu = win.tags.context_menu
    assert menu is not None and "Rename…" in [a.text() for a in menu.actions()]
    menu.close()
    assert win.spec == ViewSpec("daily")


# ----------------------------------------------------------------------------- 4. help, Space
def test_question_mark_shows_every_shortcut(win: MainWindow, qtbot) -> None:
    from desktop_app.ui.dialogs import ShortcutSheet

    sheets: list[list[tuple[str, str]]] = []

    def read_sheet(sheet: ShortcutSheet) -> None:
        sheets.append(sheet.texts())
        sheet.reject()

    when_shown(ShortcutSheet, read_sheet)
    QTest.keyClick(win.feed, "?")
    qtbot.waitUntil(lambda: bool(sheets))
    listed = {what for _keys, what in sheets[0]}
    from PySide6.QtGui import QAction

    with_keys = {
        a.property("sheetText") or a.text().replace("&", "")
        for a in win.findChildren(QAction)
        if any(not k.isEmpty() for k in a.shortcuts())
    }
    assert with_keys <= listed
    assert ("Ctrl+,", "Preferences…") in [(k.split(" or ")[-1], w) for k, w in sheets[0]]
    assert ("j", "Next paper") in sheets[0]  # typed lower-case
    assert ("Alt+Left", "Previous day (week, month)") in sheets[0]
    assert win.acts.shortcuts in win.menus.help.actions()


def test_space_at_the_end_of_the_abstract_moves_to_the_next_paper(win: MainWindow) -> None:
    win.feed.setFocus()
    bar = win.viewer.browser.verticalScrollBar()
    win.viewer.browser.setPlainText("word " * 4000)  # a long abstract: pages first
    assert bar.maximum() > 0
    QTest.keyClick(win.feed, Qt.Key.Key_Space)
    assert bar.value() > 0 and current_id(win) == "2611.00000"
    bar.setValue(bar.maximum())
    QTest.keyClick(win.feed, Qt.Key.Key_Space)
    assert current_id(win) == "2611.00001"
    assert bar.value() == 0  # the next paper is read from its top


# ----------------------------------------------------------------------------- 5. read state
def test_only_a_paper_the_user_moved_to_is_marked_read(make_window, lib, qtbot) -> None:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=20)
    win = active(make_window(lib, settings), qtbot)
    assert current_id(win) == "2611.00000"
    assert not win.mark_read_timer.isActive()  # chosen by the list, not by the user
    click_view(win, "unread", qtbot)
    assert not win.mark_read_timer.isActive()
    QTest.keyClicks(win.navigator.search_box, "sparse")
    qtbot.waitUntil(lambda: win.spec == ViewSpec("search"))
    assert not win.mark_read_timer.isActive()
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_J)
    moved_to = current_id(win)
    qtbot.waitUntil(lambda: lib.get(moved_to).read, timeout=2000)
    assert lib.count(FeedQuery(unread=True)) == 39


def test_automatic_mark_read_is_not_an_undo_step(make_window, lib, qtbot) -> None:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=20)
    win = active(make_window(lib, settings), qtbot)
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_S)  # the user's edit
    for _ in range(3):
        QTest.keyClick(win.feed, Qt.Key.Key_J)
        paper = current_id(win)
        qtbot.waitUntil(lambda p=paper: lib.get(p).read, timeout=2000)
    assert win.undo_stack.count() == 1
    QTest.keyClick(win.feed, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not lib.get("2611.00000").starred  # the first Ctrl+Z undid the star
    assert lib.get("2611.00003").read  # and the papers read stay read


# ----------------------------------------------------------------------------- 7. counts
def test_one_count_for_a_view_everywhere(make_window, lib, qtbot) -> None:
    win = active(make_window(lib), qtbot)
    click_view(win, "unread", qtbot)
    QTest.keyClick(win.feed, Qt.Key.Key_M)  # the current paper read: 39 unread

    def sidebar_unread() -> str:
        row = win.sidebar_model.view_index("unread")
        return win.sidebar_model.itemFromIndex(row.siblingAtColumn(2)).text()

    qtbot.waitUntil(lambda: sidebar_unread() == "39" and win.feed_model.total == 39)
    assert win.count_label.text().startswith("39 papers")
    assert win.view_info().total == 39
    unread_cell = win.sidebar_model.view_index("unread").siblingAtColumn(1)
    cell = win.sidebar_model.itemFromIndex(unread_cell)
    assert "unread" in cell.toolTip()


def test_tags_header_counts_its_rows(win: MainWindow) -> None:
    root = win.sidebar_model.tag_index("llm").parent()
    header = win.sidebar_model.itemFromIndex(root)

    def rows(item) -> int:
        return sum(1 + rows(item.child(r)) for r in range(item.rowCount()))

    assert rows(header) == 3  # llm, llm/reasoning, vision
    assert header.text() == "Tags (3)"


# ----------------------------------------------------------------------------- 6. errors
FAST = {"retries": 1, "backoff": 0.01, "max_wait": 0.05, "timeout": 2}


def closed_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_first_start_offline_keeps_the_error_while_the_backup_runs(
    make_window, lib: Repository, qtbot
) -> None:
    from desktop_app.library import backups
    from desktop_app.library.jobs import Backup

    url = closed_url()
    settings = Settings(
        hf_endpoint=url, arxiv_url=url, refresh_on_start=True, backup_every_days=7
    ).effective()
    win = active(make_window(lib, settings, http_options=FAST), qtbot)
    with qtbot.waitSignal(win.controller.failed, timeout=5000):
        win.controller.start_auto_refresh()  # the start-up fetch fails; a backup is due
    qtbot.waitUntil(lambda: win.controller.running(Backup) == 0, timeout=5000)
    assert backups.automatic_backups(lib)  # the backup was taken, quietly
    assert win.message_bar.isVisibleTo(win)  # and the error is still there
    assert win.offline_label.isVisibleTo(win)
    assert "backed up" not in win.statusBar().currentMessage()


def test_a_new_fetch_clears_the_old_error_and_offline_means_unreachable(
    make_window, lib: Repository, qtbot, httpserver
) -> None:
    import threading

    from werkzeug import Request, Response

    url = closed_url()
    settings = Settings(hf_endpoint=url, arxiv_url=url, refresh_on_start=False)
    win = active(make_window(lib, settings.effective(), http_options=FAST), qtbot)
    with qtbot.waitSignal(win.controller.failed, timeout=5000):
        win.acts.refresh.trigger()
    assert win.message_bar.isVisibleTo(win) and win.offline_label.isVisibleTo(win)
    # The network is back, but Hugging Face limits the rate: reachable, so not "Offline".
    release = threading.Event()

    def limited(_request: Request) -> Response:
        release.wait(5)
        return Response("slow down", status=429, headers={"Retry-After": "1"})

    httpserver.expect_request("/api/daily_papers").respond_with_handler(limited)
    live = replace(settings, hf_endpoint=httpserver.url_for("/").rstrip("/"))
    win.apply_settings(live)
    with qtbot.waitSignal(win.controller.busy, timeout=3000):
        win.acts.refresh.trigger()
    assert not win.message_bar.isVisibleTo(win)  # the new attempt cleared the old error
    with qtbot.waitSignal(win.controller.failed, timeout=8000) as failed:
        release.set()
    assert failed.args[1] is False
    assert win.message_bar.isVisibleTo(win)
    assert not win.offline_label.isVisibleTo(win)


# ----------------------------------------------------------------------------- 10. ties
def test_equal_sort_keys_keep_one_order_across_sessions_and_refetches(
    make_window, tmp_path, qtbot
) -> None:
    import random

    from desktop_app.domain import Sort

    day = date(2026, 11, 2)
    recs = [
        PaperRecord(
            id=f"2611.{i:05d}", title="equal words", abstract="equal", published=day, upvotes=5
        )
        for i in range(60)
    ]
    random.Random(4).shuffle(recs)
    path = tmp_path / "ties.sqlite3"

    def orders(repo: Repository) -> dict[Sort, list[str]]:
        span = {"daily_only": True, "date_from": day, "date_to": day}
        return {
            Sort.DATE: repo.ids(FeedQuery(sort=Sort.DATE)),
            Sort.UPVOTES: repo.ids(FeedQuery(sort=Sort.UPVOTES)),
            Sort.RANK: repo.ids(FeedQuery(sort=Sort.RANK, **span)),  # type: ignore[arg-type]
            Sort.RELEVANCE: repo.ids(FeedQuery(sort=Sort.RELEVANCE, text="equal")),
        }

    first = Repository.open(path)
    first.upsert_papers(recs, [DailyAppearance(r.id, day, 1) for r in recs])
    before = orders(first)
    window = make_window(first)
    window.sidebar.select_spec(ViewSpec("all"))
    shown = loaded_ids(window.feed_model)
    assert len(shown) == 60
    again = Repository.open(path)  # a new session
    random.Random(5).shuffle(recs)
    again.upsert_papers(recs, [DailyAppearance(r.id, day, 1) for r in recs])  # refetched
    assert orders(again) == before
    assert all(len(set(ids)) == 60 for ids in before.values())
    other = make_window(again)
    other.sidebar.select_spec(ViewSpec("all"))
    assert loaded_ids(other.feed_model) == shown


# ----------------------------------------------------------------------------- 8. empty states
def test_an_empty_hugging_face_search_does_not_suggest_itself(
    make_window, lib: Repository, qtbot, httpserver
) -> None:
    httpserver.expect_request("/api/papers/search").respond_with_json([])
    endpoint = httpserver.url_for("/").rstrip("/")
    settings = Settings(hf_endpoint=endpoint, arxiv_url=endpoint, refresh_on_start=False)
    win = active(make_window(lib, settings, http_options=FAST), qtbot)
    box = win.navigator.search_box
    QTest.keyClicks(box, "qwertyuiop")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert "Search Hugging Face" in win.empty_label.text()  # the library alone was searched
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        qtbot.mouseClick(win.navigator.search_hf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "on Hugging Face" in win.empty_label.text())
    assert "Search Hugging Face" not in win.empty_label.text()
    assert win.empty_label.isVisibleTo(win) and not win.feed.isVisibleTo(win)


def past(weekday: int, weeks_back: int = 2) -> date:
    """A day ``weeks_back`` weeks ago on ``weekday`` (0 = Monday)."""
    monday = TODAY - timedelta(days=TODAY.weekday() + 7 * weeks_back)
    return monday + timedelta(days=weekday)


def test_a_weekend_day_says_there_is_no_list_at_weekends(win: MainWindow, qtbot) -> None:
    win.navigator.set_day(past(6))  # a Sunday
    assert not win.feed.isVisibleTo(win)
    text = win.empty_label.text()
    assert "no list at weekends" in text and "stored for this date" not in text
    win.navigator.set_day(past(2))  # a Wednesday nobody fetched
    assert "Press Refresh (F5)" in win.empty_label.text()


# ----------------------------------------------------------------------------- 9. days
@pytest.fixture
def days_lib(repo: Repository) -> Repository:
    friday, monday, wednesday = past(4), past(0, 1), past(2, 1)
    recs = records(6)
    repo.upsert_papers(
        recs,
        [
            DailyAppearance(recs[0].id, friday, 1),
            DailyAppearance(recs[1].id, friday, 2),
            DailyAppearance(recs[2].id, monday, 1),
            DailyAppearance(recs[3].id, wednesday, 1),
        ],
    )
    return repo


def test_alt_left_from_monday_goes_to_friday(make_window, days_lib: Repository, qtbot) -> None:
    win = active(make_window(days_lib), qtbot)
    win.navigator.set_day(past(0, 1))
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert win.navigator.day == past(4)
    assert win.feed_model.total == 2
    QTest.keyClick(win.feed, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert win.navigator.day == past(0, 1)
    QTest.keyClick(win.feed, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert win.navigator.day == past(1, 1)  # a weekday without a list is not skipped


def test_the_calendar_marks_days_with_lists(make_window, days_lib: Repository, qtbot) -> None:
    from PySide6.QtCore import QDate
    from PySide6.QtGui import QFont

    win = make_window(days_lib)
    win.navigator.set_day(past(4))
    calendar = win.navigator.date_edit.calendarWidget()
    calendar.setCurrentPage(past(4).year, past(4).month)

    def weight(day: date) -> int:
        fmt = calendar.dateTextFormat(QDate(day.year, day.month, day.day))
        return int(fmt.fontWeight())

    assert weight(past(4)) == int(QFont.Weight.Bold)
    assert weight(past(3)) != int(QFont.Weight.Bold)
    # A list fetched later is marked as soon as the library says it changed.
    days_lib.upsert_papers([], [DailyAppearance("2611.00004", past(3), 1)])
    win.controller.libraryChanged.emit()
    assert weight(past(3)) == int(QFont.Weight.Bold)


def test_neighbour_day_rules(repo: Repository) -> None:
    from desktop_app.library.views import neighbour_day

    monday = past(0, 1)
    saturday = monday - timedelta(days=2)
    assert neighbour_day(monday, "day", -1, repo, TODAY) == monday - timedelta(days=3)
    repo.upsert_papers(records(1), [DailyAppearance("2611.00000", saturday, 1)])
    assert neighbour_day(monday, "day", -1, repo, TODAY) == saturday  # a stored weekend list
    friday = past(4, 0) if past(4, 0) <= TODAY else past(4, 1)
    assert neighbour_day(TODAY, "day", 1, repo, TODAY) == TODAY  # not into the future
    assert neighbour_day(friday, "week", 1, repo, TODAY) <= TODAY
    assert neighbour_day(monday, "month", -1, repo, TODAY).day == 1


def test_export_of_one_paper_says_entry() -> None:
    from desktop_app.library.jobs import Exported

    assert Exported(1, "/tmp/a.bib").describe() == "Exported 1 entry to /tmp/a.bib."
    assert Exported(2, "/tmp/a.bib").describe() == "Exported 2 entries to /tmp/a.bib."
