"""The main window and its models, driven by qtbot on real widgets over a real library."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QUrl
from PySide6.QtTest import QTest
from ui_support import cached_papers, loaded_ids, paper_at

from desktop_app.config import Settings
from desktop_app.domain import DailyAppearance, FeedQuery, PaperRecord, Sort
from desktop_app.store import Repository
from desktop_app.ui.abstract_view import is_safe_url, render_paper_html
from desktop_app.ui.feed_model import PAPER_IDS_MIME, FeedModel
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sidebar import SidebarModel, ViewSpec

TODAY = date.today()


def make_records(n: int, day: date = TODAY) -> list[PaperRecord]:
    return [
        PaperRecord(
            id=f"2611.{i:05d}",
            title=f"Paper number {i} about sparse attention",
            abstract=f"Abstract {i}.\n\nSecond paragraph of {i}.",
            authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
            published=day - timedelta(days=i % 3),
            upvotes=n - i,
            comments=i % 4,
        )
        for i in range(n)
    ]


@pytest.fixture
def filled(repo: Repository) -> Repository:
    recs = make_records(250)
    repo.upsert_papers(recs, [DailyAppearance(r.id, TODAY, i + 1) for i, r in enumerate(recs[:30])])
    return repo


@pytest.fixture
def window(make_window, filled: Repository) -> MainWindow:
    win = make_window(filled, show=True)
    win.opened: list[str] = []  # type: ignore[misc]
    win.viewer.open_url = lambda url: win.opened.append(url.toString())  # type: ignore[attr-defined]
    return win


def test_feed_model_passes_modeltester_before_and_after_fetch_more(qtmodeltester, filled) -> None:
    model = FeedModel(filled)
    model.set_query(FeedQuery(sort=Sort.DATE))
    assert model.rowCount() == 100
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 200
    qtmodeltester.check(model)  # the tester itself calls fetchMore until the end
    assert model.rowCount() == 250
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    assert len(set(loaded_ids(model))) == 250
    assert model.total == 250


def test_feed_model_keyset_matches_sql_order(filled) -> None:
    model = FeedModel(filled)
    model.set_query(FeedQuery(sort=Sort.UPVOTES))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    votes = [paper_at(model, r).upvotes for r in range(model.rowCount())]
    assert votes == sorted(votes, reverse=True)


def test_daily_view_shows_the_days_list_in_rank_order(window: MainWindow) -> None:
    assert window.spec == ViewSpec("daily")
    assert window.feed_model.total == 30
    assert [paper_at(window.feed_model, r).daily_rank for r in range(3)] == [1, 2, 3]
    assert "30 papers" in window.count_label.text()


def test_keyboard_navigation_and_state_keys(window: MainWindow, qtbot) -> None:
    window.feed.setFocus()
    assert window.current_paper().id == "2611.00000"
    QTest.keyClick(window.feed, Qt.Key.Key_J)
    assert window.current_paper().id == "2611.00001"
    assert window.viewer.paper.id == "2611.00001"
    QTest.keyClick(window.feed, Qt.Key.Key_K)
    assert window.current_paper().id == "2611.00000"
    QTest.keyClick(window.feed, Qt.Key.Key_Down)
    assert window.current_paper().id == "2611.00001"
    QTest.keyClick(window.feed, Qt.Key.Key_M)
    assert window.repo.get("2611.00001").read
    QTest.keyClick(window.feed, Qt.Key.Key_M)
    assert not window.repo.get("2611.00001").read
    QTest.keyClick(window.feed, Qt.Key.Key_S)
    paper = window.repo.get("2611.00001")
    assert paper.starred and paper.saved
    assert window.current_paper().starred  # the row was repainted with fresh data
    QTest.keyClick(window.feed, Qt.Key.Key_O)
    assert window.opened == ["https://huggingface.co/papers/2611.00001"]


def test_letter_keys_do_not_fire_while_typing_in_search(window: MainWindow) -> None:
    window.navigator.search_box.setFocus()
    QTest.keyClicks(window.navigator.search_box, "ms")
    assert window.navigator.search_box.text() == "ms"
    assert not window.repo.get("2611.00000").read
    assert not window.repo.get("2611.00000").starred


def test_selection_marks_read_after_dwell(window: MainWindow, qtbot) -> None:
    window.settings = replace(window.settings, mark_read_after_ms=50)
    window.feed.setCurrentIndex(window.feed_model.index(2))
    qtbot.waitUntil(lambda: window.repo.get("2611.00002").read, timeout=2000)


def test_search_box_searches_as_you_type_and_never_errors(window: MainWindow, qtbot) -> None:
    window.navigator.search_box.setText("sparse attent")
    qtbot.waitUntil(lambda: window.spec.kind == "search", timeout=2000)
    qtbot.waitUntil(lambda: window.feed_model.total == 250)
    assert window.navigator.search_hf_button.isEnabled()
    for text in ['"unbalanced', "c++", "GPT-4", "AND", "🙂", "it's", "(", "NEAR"]:
        window.navigator.search_box.setText(text)
        window.navigator.on_search_timer_timeout()
        assert window.feed_model.total >= 0
    window.navigator.search_box.setText("number 7 ")
    window.navigator.on_search_timer_timeout()
    assert window.feed_model.total == 1
    window.navigator.search_box.clear()
    window.navigator.on_search_timer_timeout()
    assert window.spec.kind != "search"


def test_views_switch_and_count(window: MainWindow, qtbot) -> None:
    window.sidebar.select_spec(ViewSpec("all"))
    assert window.spec.kind == "all"
    assert window.feed_model.total == -1  # a large view is counted in the worker
    assert "counting" in window.count_label.text()
    qtbot.waitUntil(lambda: window.feed_model.total == 250)
    assert window.count_label.text() == "250 papers (100 loaded)"
    window.repo.set_starred(["2611.00005"])
    window.sidebar.select_spec(ViewSpec("starred"))
    assert loaded_ids(window.feed_model) == ["2611.00005"]


def test_date_navigation_changes_the_daily_list(window: MainWindow) -> None:
    window.repo.upsert_papers([], [DailyAppearance("2611.00100", TODAY - timedelta(days=1), 1)])
    window.navigator.step_day(-1)
    assert window.navigator.day == TODAY - timedelta(days=1)
    assert loaded_ids(window.feed_model) == ["2611.00100"]
    window.navigator.step_day(1)
    assert window.feed_model.total == 30
    window.navigator.mode_combo.setCurrentIndex(1)  # week
    assert window.navigator.mode == "week"
    assert window.feed_model.total == 31 or TODAY.weekday() == 0


HOSTILE = PaperRecord(
    id="2611.99999",
    title='<img src="file:///etc/passwd"> Title <b>bold</b>',
    abstract=(
        'Look <a href="file:///etc/passwd">here</a> and <script>alert(1)</script> '
        '<img src="http://tracker.example/pixel.png">'
    ),
    authors=("<i>Mallory</i>",),
    published=TODAY,
    github_repo="javascript:alert(1)",
    project_page="file:///etc/passwd",
)


def test_untrusted_html_is_shown_literally_and_loads_nothing(window: MainWindow) -> None:
    window.repo.upsert_papers([HOSTILE])
    window.sidebar.select_spec(ViewSpec("all"))
    row = window.feed_model.row_of("2611.99999")
    window.feed.setCurrentIndex(window.feed_model.index(row))
    text = window.viewer.browser.toPlainText()
    assert '<img src="file:///etc/passwd"> Title <b>bold</b>' in text
    assert "<script>alert(1)</script>" in text
    assert '<a href="file:///etc/passwd">here</a>' in text
    assert "<i>Mallory</i>" in text
    assert window.viewer.browser.loaded_resources == []
    html = render_paper_html(window.viewer.paper)
    assert "javascript:" not in html and "file:///etc/passwd'" not in html
    assert "<script>" not in html
    # a non-http link that somehow reaches the viewer is refused
    refused: list[str] = []
    window.viewer.linkRefused.connect(refused.append)
    window.viewer.on_browser_anchor_clicked(QUrl("file:///etc/passwd"))
    window.viewer.on_browser_anchor_clicked(QUrl("https://arxiv.org/abs/2611.99999"))
    assert refused == ["file:///etc/passwd"]
    assert window.opened == ["https://arxiv.org/abs/2611.99999"]


def test_links_with_ampersands_and_quotes_open_exactly_as_stored(window: MainWindow, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    page = "https://example.org/p?x=1&y=2&name='q'&say=\"hi\"#top"
    repo = "https://github.com/o/r?tab=readme&lang=en"
    window.repo.upsert_papers(
        [
            PaperRecord(
                id="2611.99998",
                title="Links",
                project_page=page,
                github_repo=repo,
                published=date(2030, 1, 1),
            )
        ]
    )
    window.sidebar.select_spec(ViewSpec("all"))
    window.reload_view()
    window.feed.setCurrentIndex(window.feed_model.index(window.feed_model.row_of("2611.99998")))
    window.show()
    browser = window.viewer.browser
    anchors: dict[str, int] = {}
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref():
                anchors[fragment.charFormat().anchorHref()] = fragment.position()
            it += 1
        block = block.next()
    assert page in anchors and repo in anchors  # the document holds them exactly
    for url in (page, repo):
        cursor = QTextCursor(browser.document())
        cursor.setPosition(anchors[url] + 1)
        browser.ensureCursorVisible()
        point = browser.cursorRect(cursor).center()
        window.opened.clear()
        QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
        qtbot.waitUntil(lambda: bool(window.opened))
        assert QUrl(window.opened[0]) == QUrl(url)
        assert window.opened[0] == QUrl(url).toString()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://arxiv.org/abs/1", True),
        ("http://x.org", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("https://", False),
        (None, False),
        ("  HTTPS://EXAMPLE.ORG/a  ", True),
    ],
)
def test_safe_url(url, ok) -> None:
    assert is_safe_url(url) is ok


def test_note_is_saved_on_close(window: MainWindow, qtbot) -> None:
    window.feed.setCurrentIndex(window.feed_model.index(0))
    window.viewer.note.setPlainText("Read section 3 again")
    window.close()  # before the typing pause elapses
    paper = window.repo.get("2611.00000")
    assert paper.note == "Read section 3 again"
    assert paper.saved


def test_settings_restored_in_a_new_window(make_window, filled) -> None:
    first = make_window(filled, Settings(refresh_on_start=False))
    first.resize(700, 540)  # smaller than the offscreen screen, which clips geometry
    first.show()
    first.splitter.setSizes([150, 300, 250])
    first.sidebar.select_spec(ViewSpec("all"))
    first.navigator.sort_combo.setCurrentIndex(2)  # most upvoted
    sizes = first.splitter.sizes()
    first.close()
    second = make_window(filled, Settings(refresh_on_start=False), show=True)
    assert (second.size().width(), second.size().height()) == (700, 540)
    assert second.splitter.sizes() == sizes
    assert second.navigator.query_for(ViewSpec("all")).sort is Sort.UPVOTES


def test_sidebar_model_tester_and_tag_tree(qtmodeltester, filled) -> None:
    filled.tag_papers(["2611.00001"], ["ml/pruning", "ml/vision", "reading"])
    model = SidebarModel()
    model.set_tags(filled.tags(), filled.tag_counts_with_children())
    qtmodeltester.check(model)
    ml = model.tag_index("ml")
    assert ml.isValid() and model.rowCount(ml) == 2
    assert model.tag_index("ml/pruning").parent() == ml
    assert model.index(ml.row(), 2, ml.parent()).data() == "1"


def test_drop_papers_on_a_tag(window: MainWindow) -> None:
    window.repo.create_tag("to-read")
    window.refresh_sidebar()
    index = window.sidebar_model.tag_index("to-read")
    data = QMimeData()
    data.setData(PAPER_IDS_MIME, b"2611.00003\n2611.00004")
    assert window.sidebar_model.canDropMimeData(data, Qt.DropAction.CopyAction, -1, 0, index)
    window.sidebar_model.dropMimeData(data, Qt.DropAction.CopyAction, -1, 0, index)
    assert window.repo.get("2611.00003").tags == ("to-read",)
    assert window.repo.get("2611.00004").tags == ("to-read",)
    assert window.sidebar_model.index(index.row(), 2, index.parent()).data() == "2"
    # dropping on a smart view does nothing
    assert not window.sidebar_model.canDropMimeData(
        data, Qt.DropAction.CopyAction, -1, 0, window.sidebar_model.view_index("all")
    )


def test_preferences_dialog_validates_and_applies(window: MainWindow, qtbot, tmp_path) -> None:
    from desktop_app.ui.preferences import PreferencesDialog

    saved: list[Settings] = []
    window._save_settings = saved.append
    dialog = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.hf.setText("file:///etc")
    dialog.accept()
    assert dialog.result() == 0 and "http(s)" in dialog.error.text()
    dialog.hf.setText("http://127.0.0.1:9/")
    dialog.interval.setValue(15)
    dialog.backup.setValue(0)
    dialog.theme.setCurrentIndex(2)
    dialog.accept()
    assert dialog.result() == 1
    window.apply_settings(dialog.result_settings())
    assert saved[-1].hf_endpoint == "http://127.0.0.1:9"
    assert saved[-1].refresh_interval_min == 15 and saved[-1].theme == "dark"
    assert saved[-1].backup_every_days == 0
    assert window.controller.timer.interval() == 15 * 60_000


def test_about_box_names_the_version(window: MainWindow, qtbot) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app import __version__

    def close_box() -> None:
        box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
        assert __version__ in box.text()
        box.accept()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, close_box)
    window.acts.about.trigger()


def test_scrolling_to_the_end_keeps_a_bounded_number_of_papers(qtmodeltester, repo) -> None:
    recs = make_records(1200)
    repo.upsert_papers(recs)
    model = FeedModel(repo)
    model.CACHED_PAGES = 3
    model.set_query(FeedQuery(sort=Sort.UPVOTES))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 1200
    assert cached_papers(model) <= 300
    # rows whose page was dropped are read again, in the same order
    assert paper_at(model, 0).upvotes == 1200
    assert paper_at(model, 555).upvotes == 1200 - 555
    assert model.index(1199).data() == recs[-1].title
    assert cached_papers(model) <= 300
    qtmodeltester.check(model)


def test_window_opens_on_the_latest_stored_list(make_window, repo) -> None:
    friday = TODAY - timedelta(days=10)
    recs = make_records(3, friday)
    repo.upsert_papers(recs, [DailyAppearance(r.id, friday, i + 1) for i, r in enumerate(recs)])
    win = make_window(repo)
    assert win.navigator.day == friday
    assert win.feed_model.total == 3


def test_the_window_starts_without_loading_the_network_or_bibtex_stacks() -> None:
    # They cost ~230 ms of imports before the first paint; the worker loads them on first use.
    # The same holds for the learning libraries of the interest model (library/recommend.py).
    import subprocess
    import sys

    code = (
        "import sys; import desktop_app.app, desktop_app.ui.main_window, desktop_app.worker, "
        "desktop_app.library.interest_jobs; "
        "print(sorted(m for m in ('requests', 'feedparser', 'pybtex', 'pylatexenc', 'sklearn', "
        "'numpy', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_list_has_the_keys_when_the_window_opens(make_window, repo, qtbot) -> None:
    """Not the toolbar's date field (first in the tab chain), which took Ctrl+E as "end of
    line" instead of Export… when driven under a window manager."""
    from PySide6.QtWidgets import QApplication

    win = make_window(repo, show=True)  # an empty library: the views get the keys
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() is win.sidebar
    repo.upsert_papers([PaperRecord(id="2401.00001", title="One", published=date(2026, 1, 1))])
    other = make_window(repo)
    other.sidebar.select_spec(ViewSpec("all"))  # papers to show: the list gets the keys
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is other.feed)
