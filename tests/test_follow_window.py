"""Saved searches and following in the window (issue 14): saved with Ctrl+S, counted and
shown in the sidebar, followed from menus, news found after a refresh, badges that go when
the view is opened, and every change undoable."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes
from ui_support import active, when_shown

from desktop_app.config import Settings
from desktop_app.domain import PaperRecord
from desktop_app.library.follow_jobs import CheckFollows
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.follow_controller import SavedSearchDialog
from desktop_app.ui.main_window import MainWindow

FAST = {"retries": 1, "backoff": 0.01, "max_wait": 0.05, "timeout": 2}
DAY = date(2026, 3, 6)


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(
                id=f"2611.{i:05d}",
                title=f"{'Diffusion' if i % 2 else 'Attention'} paper {i}",
                authors=("Ada Lovelace",),
                published=date(2026, 11, 1),
            )
            for i in range(10)
        ]
    )
    return repo


@pytest.fixture
def hf(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


@pytest.fixture
def win(make_window, lib: Repository, hf, qtbot) -> MainWindow:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0).effective()
    return active(make_window(lib, settings, http_options=FAST), qtbot)


def row_text(win: MainWindow, spec: ViewSpec) -> str:
    index = win.sidebar_model.spec_index(spec)
    assert index.isValid(), f"no row for {spec}"
    return str(index.data())


def counts(win: MainWindow, spec: ViewSpec) -> tuple[str, str]:
    index = win.sidebar_model.spec_index(spec)
    return (str(index.siblingAtColumn(1).data()), str(index.siblingAtColumn(2).data()))


def test_ctrl_s_saves_the_search_shown_as_a_view_with_counts(win: MainWindow, qtbot) -> None:
    QTest.keyClicks(win.navigator.search_box, "diffusion")
    QTest.keyClick(win.navigator.search_box, Qt.Key.Key_Return)

    def name_it(dialog: SavedSearchDialog) -> None:
        assert dialog.text.text() == "diffusion"
        dialog.name.setText("Diffusion")
        dialog.days.setValue(0)
        dialog.accept()

    when_shown(SavedSearchDialog, name_it)
    QTest.keyClick(win.feed, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    spec = ViewSpec("smart", name="Diffusion")
    qtbot.waitUntil(lambda: win.spec == spec)
    assert win.view_title.text() == "Saved search · Diffusion"
    assert win.feed_model.total == 5
    # Saved from a search, it keeps the search's order, and the sort menu says so.
    assert win.navigator.sort_combo.currentData() == "relevance"
    assert win.feed_model.query.sort.value == "relevance"
    qtbot.waitUntil(lambda: counts(win, spec) == ("5", "5"))
    assert not win.sidebar.isRowHidden(1, win.sidebar_model.index(1, 0).parent())
    assert win.repo.saved_search("diffusion").text == "diffusion"
    win.acts.undo.trigger()
    assert win.repo.saved_searches() == []
    assert not win.sidebar_model.spec_index(spec).isValid()
    win.acts.redo.trigger()
    assert win.repo.saved_search("Diffusion").text == "diffusion"


def test_an_empty_heading_is_hidden(win: MainWindow) -> None:
    heading = win.sidebar_model.index(1, 0)
    assert heading.data().startswith("Saved searches")
    assert win.sidebar.isRowHidden(1, heading.parent())


def test_a_followed_organization_gets_news_after_a_refresh_and_a_badge_until_opened(
    win: MainWindow, hf: HTTPServer, qtbot
) -> None:
    win.repo.follows_store.add_follow("org", "tiny-labs", checked="2000-01-01T00:00:00Z")
    win.refresh_sidebar()
    spec = ViewSpec("org", name="tiny-labs")
    assert row_text(win, spec) == "tiny-labs"
    counted: list[int] = []
    win.followCountChanged.connect(counted.append)
    hf.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    win.navigator.set_day(DAY)
    with qtbot.waitSignal(win.followNews, timeout=8000) as news:
        win.acts.refresh.trigger()
    (told,) = news.args
    assert told.count == 1 and told.titles == ("Small Models, Big Ideas",)
    assert row_text(win, spec) == "tiny-labs  ● 1"
    assert counted[-1] == 1
    qtbot.waitUntil(lambda: counts(win, spec) == ("1", "1"))
    win.sidebar.select_spec(spec)  # opening the view is looking at the news
    assert win.feed_model.total == 1
    assert row_text(win, spec) == "tiny-labs"
    assert counted[-1] == 0
    # Fetched again: not news twice.
    with qtbot.waitSignal(win.controller.done, timeout=8000):
        win.acts.refresh.trigger()
    assert win.controller.running(CheckFollows) == 1
    qtbot.waitUntil(lambda: win.controller.running(CheckFollows) == 0)
    assert win.repo.follows()[0].new == 0


def test_follow_an_author_from_the_list_and_stop_with_undo(win: MainWindow, qtbot) -> None:
    win.sidebar.select_spec(ViewSpec("all"))
    win.feed.setCurrentIndex(win.feed_model.index(0))
    win.on_feed_context_menu(win.feed.visualRect(win.feed_model.index(0)).center())
    menu = win.context_menu
    follow_menu = next(a.menu() for a in menu.actions() if a.text() == "Follow")
    (ada,) = [a for a in follow_menu.actions() if a.text() == "Ada Lovelace"]
    ada.trigger()
    assert [f.label for f in win.repo.follows()] == ["Author Ada Lovelace"]
    assert row_text(win, ViewSpec("author", name="Ada Lovelace")) == "Ada Lovelace"
    qtbot.waitUntil(lambda: counts(win, ViewSpec("author", name="Ada Lovelace"))[1] == "10")
    win.acts.undo.trigger()
    assert win.repo.follows() == []
    heading = win.sidebar_model.index(2, 0)
    assert win.sidebar.isRowHidden(2, heading.parent())


def test_a_saved_search_is_edited_renamed_deleted_and_followed_from_its_menu(
    win: MainWindow, qtbot
) -> None:
    from desktop_app.domain import SavedSearch

    win.repo.follows_store.save_search(SavedSearch("Attention", text="attention"))
    win.refresh_sidebar()
    spec = ViewSpec("smart", name="Attention")
    rect = win.sidebar.visualRect(win.sidebar_model.spec_index(spec))
    win.on_sidebar_context_menu(rect.center())
    menu = win.follow.context_menu
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Edit…", "Rename…", "Delete", "Follow (tell me of new papers)"]

    def narrow(dialog: SavedSearchDialog) -> None:
        dialog.unread.setChecked(True)
        dialog.name.setText("Attention, unread")
        dialog.accept()

    when_shown(SavedSearchDialog, narrow)
    menu.actions()[0].trigger()
    edited = win.repo.saved_search("Attention, unread")
    assert edited.unread and edited.text == "attention"
    menu.actions()[3].trigger()  # follow (by name: the search it was built for is renamed)
    assert win.repo.follows() == []  # the old name no longer exists: refused, said
    win.on_sidebar_context_menu(
        win.sidebar.visualRect(
            win.sidebar_model.spec_index(ViewSpec("smart", name="Attention, unread"))
        ).center()
    )
    win.follow.context_menu.actions()[3].trigger()
    assert [f.label for f in win.repo.follows()] == ["Search Attention, unread"]
    win.sidebar.select_spec(ViewSpec("smart", name="Attention, unread"))
    win.follow.context_menu.actions()[2].trigger()  # delete: its follow goes too
    assert win.repo.saved_searches() == [] and win.repo.follows() == []
    assert win.spec == ViewSpec("all")  # the view shown was that search: it moves on
    win.acts.undo.trigger()  # both come back
    assert [f.label for f in win.repo.follows()] == ["Search Attention, unread"]
    win.acts.undo.trigger()
    win.acts.undo.trigger()
    assert win.repo.saved_search("Attention").unread is False


def test_review_fixes_coloured_tag_badge_unfollow_undo_and_rank_sort(
    win: MainWindow, qtbot
) -> None:
    from desktop_app.domain import SavedSearch, Sort
    from desktop_app.library import follow

    repo = win.repo
    repo.tag_papers(["2611.00001"], ["vision"])
    repo.set_tag_color("vision", "#ff0000")
    repo.follows_store.add_follow("tag", "vision", checked="2000-01-01T00:00:00Z")
    follow.check(repo)
    win.refresh_sidebar()
    # A coloured tag's badge shows its name, not its colour (two roles once shared a number).
    assert row_text(win, ViewSpec("tag", "vision")) == "vision  ● 1"
    # Stop following, then undo: the follow comes back with its news.
    win.follow.set_followed("tag", "vision", False)
    assert repo.follows() == []
    win.acts.undo.trigger()
    assert [(f.label, f.new) for f in repo.follows()] == [("Tag vision", 1)]
    assert row_text(win, ViewSpec("tag", "vision")) == "vision  ● 1"
    # A saved search sorted by rank (the command line allows it) opens in the edit dialog.
    repo.follows_store.save_search(SavedSearch("ranked", sort=Sort.RANK))
    dialog = SavedSearchDialog(repo.saved_search("ranked"))
    qtbot.addWidget(dialog)
    assert dialog.result_search().sort is Sort.RANK


def test_renaming_the_saved_search_shown_keeps_showing_it(win: MainWindow, qtbot) -> None:
    from ui_support import answering

    from desktop_app.domain import SavedSearch

    win.repo.follows_store.save_search(SavedSearch("Attention", text="attention"))
    win.refresh_sidebar()
    win.sidebar.select_spec(ViewSpec("smart", name="Attention"))
    assert win.feed_model.total == 5
    with answering("Focus"):
        win.follow.rename_search("Attention")
    assert win.spec == ViewSpec("smart", name="Focus")
    assert win.feed_model.total == 5 and win.view_title.text() == "Saved search · Focus"
    win.acts.undo.trigger()
    assert win.spec == ViewSpec("smart", name="Attention") and win.feed_model.total == 5


def test_the_check_job_tells_its_news_once(lib: Repository) -> None:
    from desktop_app.library import follow
    from desktop_app.library.jobs import JobContext

    lib.upsert_papers([PaperRecord(id="2611.09999", title="New", organization="Acme")])
    lib.follows_store.add_follow("org", "acme", checked="2000-01-01T00:00:00Z")
    import threading

    ctx = JobContext(lib, Settings(), threading.Event(), lambda pages, papers: None)
    first = CheckFollows().run(ctx)
    assert first.announcement is not None and first.announcement.count == 1
    assert CheckFollows().run(ctx).announcement is None  # a second check queued meanwhile
    assert follow.announcement(lib) is None


def test_undoing_a_tag_delete_or_merge_brings_its_follow_back(win: MainWindow) -> None:
    from desktop_app.library import follow

    repo = win.repo
    repo.tag_papers(["2611.00001"], ["attention"])
    repo.tag_papers(["2611.00002"], ["attention/sparse", "other"])
    repo.follows_store.add_follow("tag", "attention/sparse", checked="2000-01-01T00:00:00Z")
    follow.check(repo)
    before = [(f.label, f.new) for f in repo.follows()]
    assert before == [("Tag attention/sparse", 1)]
    win.tags.delete_tag("attention")  # the sub-tag, and its follow, go too
    assert repo.follows() == []
    win.acts.undo.trigger()
    assert [(f.label, f.new) for f in repo.follows()] == before
    win.tags.merge_tags("attention/sparse", "other")
    assert repo.follows() == []
    win.acts.undo.trigger()
    assert [(f.label, f.new) for f in repo.follows()] == before
