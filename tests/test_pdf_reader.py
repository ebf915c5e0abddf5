"""The in-app reader (issue 16), driven with qtbot over real generated PDFs: open, pages, keys,
zoom, search, outline, links, selection and copy, broken files; and QtPdf kept out of start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pdf_support import (
    HTML_ERROR_PAGE,
    PdfSpec,
    make_pdf,
    make_scanned_pdf,
    paper_pages,
    truncated,
)
from PySide6.QtCore import QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtPdf import QPdfLinkModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton, QVBoxLayout, QWidget
from ui_support import active

from desktop_app.ui.pdf_reader import LINE_STEP, PdfReader
from desktop_app.ui.pdf_view import PageView

ROOT = Path(__file__).resolve().parents[1]
OUTLINE = [("1 Introduction", 0), ("2 Background", 2), ("3 Model", 5), ("4 Training", 10)]
LINKS: list[tuple[int, str, str | int]] = [
    (0, "the arXiv abstract", "https://arxiv.org/abs/1706.03762"),
    (0, "write to us", "mailto:authors@example.org"),
    (0, "a local file", "file:///etc/passwd"),
    (0, "see section 3", 5),
]


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A 30-page paper with an outline and links (web, mail, file, a page of the paper)."""
    path = tmp_path / "2401.00001v1.pdf"
    spec = PdfSpec(pages=paper_pages(30), outline=OUTLINE, links=LINKS, title="A generated paper")
    path.write_bytes(make_pdf(spec))
    return path


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """Five pages, no outline, no links."""
    path = tmp_path / "plain.pdf"
    path.write_bytes(make_pdf(pages=paper_pages(5)))
    return path


@pytest.fixture
def reader(qtbot) -> PdfReader:
    widget = PdfReader()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    active(widget, qtbot)
    return widget


def press(qtbot, key: Qt.Key | str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed as a person does: into whatever has the focus."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    qtbot.keyClick(widget, key, modifier)


def opened(reader: PdfReader, qtbot, path: Path, page: int = 0) -> PdfReader:
    assert reader.open(path, page)
    reader.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reader.view)
    return reader


# ------------------------------------------------------------------ opening, pages


def test_opens_at_the_first_page_fitting_the_width(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper)
    assert reader.current_page() == 0
    assert reader.page_count() == 30
    assert reader.page_label.text() == "page 1 / 30"
    assert reader.title_label.text() == "A generated paper"  # from the PDF when none is given
    assert reader.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert reader.zoom_label.text() == "fit width"
    rect = reader.view.page_rect(0)  # the page fills the width but for the margins
    assert rect.width() == reader.view.viewport().width() - 2 * 12


def test_opens_at_a_given_page_even_before_it_is_shown(qtbot, paper: Path) -> None:
    widget = PdfReader()
    qtbot.addWidget(widget)
    pages: list[int] = []
    widget.pageChanged.connect(pages.append)
    assert widget.open(paper, page=12, title="Attention")
    assert widget.current_page() == 12
    widget.resize(900, 700)
    active(widget, qtbot)
    assert widget.current_page() == 12
    assert widget.page_label.text() == "page 13 / 30"
    assert widget.title_label.text() == "Attention"
    top = widget.view.page_rect(12).top() - widget.view.verticalScrollBar().value()
    assert 0 <= top <= 12  # page 13's top is at the top of the view
    assert pages == [12]  # the page opened at, once: nothing for the scrolling while opening
    widget.resize(700, 600)  # a narrower pane: pages get shorter, the place stays
    qtbot.waitUntil(lambda: widget.view.viewport().width() < 700)
    assert widget.current_page() == 12


def test_a_page_past_the_end_opens_the_last_page(reader: PdfReader, qtbot, plain: Path) -> None:
    opened(reader, qtbot, plain, page=99)
    assert reader.current_page() == 4


def test_keys_scroll_and_move_through_the_pages(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper)
    pages: list[int] = []
    reader.pageChanged.connect(pages.append)
    bar = reader.view.verticalScrollBar()
    press(qtbot, "j")
    assert bar.value() == LINE_STEP
    press(qtbot, Qt.Key.Key_Down)
    assert bar.value() == 2 * LINE_STEP
    press(qtbot, "k")
    press(qtbot, Qt.Key.Key_Up)
    assert bar.value() == 0
    for _ in range(5):  # a screen each (a page is taller than the view)
        press(qtbot, Qt.Key.Key_PageDown)
    assert bar.value() == 5 * int(reader.view.viewport().height() * 0.9)
    assert reader.current_page() >= 2
    assert pages and pages[-1] == reader.current_page()
    assert reader.page_label.text() == f"page {reader.current_page() + 1} / 30"
    before = reader.current_page()
    for _ in range(3):
        press(qtbot, Qt.Key.Key_PageUp)
    assert reader.current_page() < before
    press(qtbot, Qt.Key.Key_End)
    assert reader.current_page() == 29
    assert pages[-1] == 29
    assert reader.page_label.text() == "page 30 / 30"
    press(qtbot, Qt.Key.Key_Home)
    assert reader.current_page() == 0 and bar.value() == 0
    assert pages[-1] == 0
    press(qtbot, Qt.Key.Key_Space)
    assert bar.value() > 0


def test_the_reader_keeps_its_keys_from_the_windows_shortcuts(qtbot, paper: Path) -> None:
    """The window has single-letter shortcuts (j: next paper, Space: page the abstract); in
    the reader the letters are the reader's. Elsewhere in the window the shortcut still works."""
    window = QMainWindow()
    qtbot.addWidget(window)
    central = QWidget()
    layout = QVBoxLayout(central)
    button = QPushButton("elsewhere")
    widget = PdfReader()
    layout.addWidget(button)
    layout.addWidget(widget, 1)
    window.setCentralWidget(central)
    fired: list[str] = []
    for key in ("J", "Space", "Ctrl+C", "N"):
        action = QAction(key, window)
        action.setShortcut(key)
        action.triggered.connect(lambda _checked=False, key=key: fired.append(key))
        window.addAction(action)
    window.resize(900, 800)
    active(window, qtbot)
    opened(widget, qtbot, paper)
    press(qtbot, "j")
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, "c", Qt.KeyboardModifier.ControlModifier)
    press(qtbot, "N", Qt.KeyboardModifier.ShiftModifier)
    assert fired == []
    assert widget.view.verticalScrollBar().value() > LINE_STEP
    button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
    press(qtbot, "j")
    assert fired == ["J"]


def test_zoom_keys_zoom_and_0_fits_the_width_again(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper, page=3)
    fit = reader.view.effective_zoom()
    press(qtbot, "+")
    assert reader.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert reader.view.zoomFactor() > fit
    assert reader.zoom_label.text() == f"{round(reader.view.zoomFactor() * 100)} %"
    assert reader.current_page() == 3  # zooming keeps the page
    bigger = reader.view.zoomFactor()
    press(qtbot, "-")
    press(qtbot, "-")
    assert reader.view.zoomFactor() < bigger
    assert reader.view.page_rect(3).width() < reader.view.viewport().width() - 24
    assert reader.current_page() == 3
    press(qtbot, "0")
    assert reader.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert reader.zoom_label.text() == "fit width"
    assert reader.view.effective_zoom() == pytest.approx(fit)
    press(qtbot, "=")  # the + key without Shift
    assert reader.view.zoomMode() == QPdfView.ZoomMode.Custom


def test_the_page_layout_is_where_qpdfview_paints_the_pages(
    reader: PdfReader, qtbot, paper: Path
) -> None:
    """Links, selection and 'go to page' rely on PageView's copy of QPdfView's layout: the
    pages must be painted exactly where it says (white inside, background outside)."""
    opened(reader, qtbot, paper, page=7)
    for zoom in (None, 0.5, 1.5):
        reader.view.set_zoom(zoom)
        view: PageView = reader.view
        image = view.viewport().grab().toImage()
        background = view.palette().color(view.palette().ColorRole.Dark).name()
        offset = QPoint(view.horizontalScrollBar().value(), view.verticalScrollBar().value())
        for page in (7, 8):
            rect = view.page_rect(page).translated(-offset)
            if not rect.intersects(image.rect()) or rect.top() < 1:
                continue
            inside = QPoint(rect.left() + 2, rect.top() + 2)
            outside = QPoint(rect.left() + 2, rect.top() - 2)
            assert image.pixelColor(inside).name() == "#ffffff", (zoom, page)
            assert image.pixelColor(outside).name() == background, (zoom, page)
            if rect.left() > 2:
                left = QPoint(rect.left() - 2, rect.top() + 2)
                assert image.pixelColor(left).name() == background, (zoom, page)


# ------------------------------------------------------------------ search


def test_slash_searches_and_enter_goes_to_the_hit(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper)
    pages: list[int] = []
    reader.pageChanged.connect(pages.append)
    press(qtbot, "/")
    assert reader.search_bar.isVisible()
    assert QApplication.focusWidget() is reader.search_edit
    qtbot.keyClicks(reader.search_edit, "page-marker-17")
    press(qtbot, Qt.Key.Key_Return)
    assert reader.hits_label.text() == "1 of 1"
    assert reader.current_page() == 17
    assert pages[-1] == 17
    assert reader.view.currentSearchResultIndex() == 0  # QPdfView frames the hit


def test_next_and_previous_hit_from_where_the_reader_is(
    reader: PdfReader, qtbot, paper: Path
) -> None:
    opened(reader, qtbot, paper, page=4)
    press(qtbot, "/")
    qtbot.keyClicks(reader.search_edit, "transformer")  # once on every page
    press(qtbot, Qt.Key.Key_Return)
    assert reader.hits_label.text() == "5 of 30"  # the first hit from page 5 on
    assert reader.current_page() == 4
    press(qtbot, Qt.Key.Key_Return)
    assert reader.hits_label.text() == "6 of 30"
    assert reader.current_page() == 5
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert reader.hits_label.text() == "5 of 30"
    press(qtbot, Qt.Key.Key_Escape)  # the bar closes; n / N go on from the page view
    assert not reader.search_bar.isVisible()
    assert QApplication.focusWidget() is reader.view
    press(qtbot, "n")
    assert reader.hits_label.text() == "6 of 30" and reader.current_page() == 5
    press(qtbot, "N", Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, "N", Qt.KeyboardModifier.ShiftModifier)
    assert reader.hits_label.text() == "4 of 30" and reader.current_page() == 3


def test_a_search_without_hits_says_so(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper, page=2)
    press(qtbot, "/")
    qtbot.keyClicks(reader.search_edit, "xylophone")
    press(qtbot, Qt.Key.Key_Return)
    assert reader.hits_label.text() == "No matches"
    assert reader.current_page() == 2


def test_escape_closes_the_search_then_the_reader(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper)
    closed: list[bool] = []
    reader.closeRequested.connect(lambda: closed.append(True))
    press(qtbot, "/")
    press(qtbot, Qt.Key.Key_Escape)
    assert not reader.search_bar.isVisible()
    assert closed == []
    with qtbot.waitSignal(reader.closeRequested, timeout=1000):
        press(qtbot, Qt.Key.Key_Escape)


# ------------------------------------------------------------------ outline


def test_the_outline_lists_the_sections_and_goes_to_them(
    reader: PdfReader, qtbot, paper: Path
) -> None:
    opened(reader, qtbot, paper)
    assert reader.outline.isVisible()
    model = reader.outline.model()
    titles = [model.index(row, 0).data() for row in range(model.rowCount(QModelIndex()))]
    assert titles == [title for title, _page in OUTLINE]
    pages: list[int] = []
    reader.pageChanged.connect(pages.append)
    reader.outline.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reader.outline)
    press(qtbot, "j")  # the first entry
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Down)
    assert reader.outline.currentIndex().data() == "4 Training"
    press(qtbot, Qt.Key.Key_Return)
    assert reader.current_page() == 10
    assert pages[-1] == 10
    rect = reader.outline.visualRect(model.index(1, 0))
    qtbot.mouseClick(reader.outline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert reader.current_page() == 2


def test_no_outline_pane_for_a_paper_without_one(reader: PdfReader, qtbot, paper, plain) -> None:
    opened(reader, qtbot, paper)
    assert reader.outline.isVisible()
    opened(reader, qtbot, plain)
    assert not reader.outline.isVisible()
    assert reader.view.width() > reader.width() - 30  # the pages take the room


# ------------------------------------------------------------------ links


def link_centres(path: Path, page: int) -> dict[str, QPointF]:
    """Where each link of ``page`` is (its target -> centre, in points), read by QtPdf."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    model = QPdfLinkModel()
    model.setDocument(document)
    model.setPage(page)
    found = {}
    for row in range(model.rowCount(QModelIndex())):
        link = model.index(row, 0).data(QPdfLinkModel.Role.Link.value)
        key = link.url().toString() or f"page {link.page()}"
        found[key] = link.rectangles()[0].center()
    document.close()
    return found


def click_at(qtbot, reader: PdfReader, page: int, point: QPointF) -> None:
    """Click there, scrolling it into view first if need be (with j, as a person would)."""
    while reader.view.to_viewport(page, point).y() > reader.view.viewport().height() - 20:
        press(qtbot, "j")
    position = reader.view.to_viewport(page, point).toPoint()
    assert reader.view.viewport().rect().contains(position)
    qtbot.mouseClick(reader.view.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_clicking_links_web_goes_out_pages_are_shown_the_rest_ignored(
    reader: PdfReader, qtbot, paper: Path
) -> None:
    opened(reader, qtbot, paper)
    links = link_centres(paper, 0)
    assert set(links) == {
        "https://arxiv.org/abs/1706.03762",
        "mailto:authors@example.org",
        "file:///etc/passwd",
        "page 5",
    }
    requested: list[str] = []
    reader.linkRequested.connect(requested.append)
    for ignored in ("mailto:authors@example.org", "file:///etc/passwd"):
        click_at(qtbot, reader, 0, links[ignored])
    assert requested == []
    assert reader.current_page() == 0
    click_at(qtbot, reader, 0, links["https://arxiv.org/abs/1706.03762"])
    assert requested == ["https://arxiv.org/abs/1706.03762"]
    assert reader.current_page() == 0
    click_at(qtbot, reader, 0, links["page 5"])
    assert reader.current_page() == 5
    assert requested == ["https://arxiv.org/abs/1706.03762"]


def test_a_link_still_works_when_scrolled_and_zoomed(reader: PdfReader, qtbot, paper) -> None:
    opened(reader, qtbot, paper)
    reader.view.set_zoom(1.75)
    links = link_centres(paper, 0)
    target = links["https://arxiv.org/abs/1706.03762"]
    reader.view.show_point(0, target)  # scrolled down (and across) to the link
    assert reader.view.verticalScrollBar().value() > 0
    with qtbot.waitSignal(reader.linkRequested, timeout=1000) as signal:
        click_at(qtbot, reader, 0, target)
    assert signal.args == ["https://arxiv.org/abs/1706.03762"]


# ------------------------------------------------------------------ selection, copy


def test_dragging_selects_text_and_ctrl_c_copies_it(reader: PdfReader, qtbot, paper) -> None:
    opened(reader, qtbot, paper)
    QGuiApplication.clipboard().clear()
    viewport = reader.view.viewport()
    start = reader.view.to_viewport(0, QPointF(60, 40)).toPoint()
    end = reader.view.to_viewport(0, QPointF(400, 70)).toPoint()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * step / 5)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    selected = reader.view.selected_text()
    assert "page-marker-0" in selected
    assert len(selected) < len(reader.document.getAllText(0).text())
    press(qtbot, "c", Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == selected
    assert reader.note_label.text() == "Copied the selection"
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=start)  # a click deselects
    assert reader.view.selected_text() == ""


def test_ctrl_c_without_a_selection_copies_the_page(reader: PdfReader, qtbot, paper) -> None:
    opened(reader, qtbot, paper, page=6)
    press(qtbot, "c", Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    assert "page-marker-6" in text and "page-marker-7" not in text
    assert reader.note_label.text() == "Copied the text of page 7"


# ------------------------------------------------------------------ bad files


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (make_pdf(PdfSpec(pages=paper_pages(2), user_password="secret")), "password"),
        (truncated(make_pdf(pages=paper_pages(5))), "damaged or is not a PDF"),
        (HTML_ERROR_PAGE, "damaged or is not a PDF"),
        (b"", "damaged or is not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "damaged or is not a PDF"),
    ],
    ids=["encrypted", "truncated", "html", "empty", "garbage"],
)
def test_a_file_qt_cannot_open_gives_false_and_a_message(
    reader: PdfReader, qtbot, tmp_path: Path, paper: Path, content: bytes, says: str
) -> None:
    opened(reader, qtbot, paper, page=3)  # a paper was open: it is replaced by the message
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(content)
    closed: list[bool] = []
    reader.closeRequested.connect(lambda: closed.append(True))
    assert reader.open(bad, page=2) is False
    assert reader.stack.currentWidget() is reader.message_page
    assert says in reader.message.text() and "bad.pdf" in reader.message.text()
    assert reader.page_count() == 0 and reader.page_label.text() == ""
    press(qtbot, Qt.Key.Key_Escape)  # still a way back to the list
    assert closed == [True]
    assert reader.open(paper, page=1)  # and the next paper opens as usual
    assert reader.stack.currentWidget() is reader.splitter
    assert reader.current_page() == 1


def test_a_password_protected_pdf_asks_for_its_password(
    reader: PdfReader, qtbot, tmp_path: Path
) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(make_pdf(PdfSpec(pages=paper_pages(3), user_password="secret")))
    assert reader.open(path, page=2) is False
    assert reader.password_edit.isVisible() and reader.password_edit.hasFocus()
    qtbot.keyClicks(reader.password_edit, "guess")
    qtbot.keyClick(reader.password_edit, Qt.Key.Key_Return)
    assert "not the password" in reader.message.text()
    assert reader.password_edit.text() == "" and reader.password_edit.hasFocus()
    qtbot.keyClicks(reader.password_edit, "secret")
    qtbot.keyClick(reader.password_edit, Qt.Key.Key_Return)
    assert reader.stack.currentWidget() is reader.splitter
    assert reader.page_count() == 3 and reader.current_page() == 2
    assert reader.view.hasFocus() and not reader.password_edit.isVisible()


def test_a_missing_file_says_to_download_it_again(reader: PdfReader, tmp_path: Path) -> None:
    assert reader.open(tmp_path / "gone.pdf") is False
    assert "not on this computer" in reader.message.text()


def test_an_owner_password_only_pdf_opens(reader: PdfReader, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "owner.pdf"
    path.write_bytes(make_pdf(PdfSpec(pages=paper_pages(3), owner_password="owner")))
    assert opened(reader, qtbot, path).page_count() == 3


def test_a_scanned_paper_opens_and_search_says_it_has_no_text(
    reader: PdfReader, qtbot, tmp_path: Path
) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(pages=2))
    opened(reader, qtbot, path)
    assert reader.page_count() == 2
    press(qtbot, "/")
    qtbot.keyClicks(reader.search_edit, "Scanned")
    press(qtbot, Qt.Key.Key_Return)
    assert reader.hits_label.text() == "This paper has no searchable text"
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, "c", Qt.KeyboardModifier.ControlModifier)
    assert reader.note_label.text() == "Nothing to copy: this page has no text"


def test_close_document_lets_go_of_the_paper(reader: PdfReader, qtbot, paper: Path) -> None:
    opened(reader, qtbot, paper, page=4)
    reader.close_document()
    assert reader.page_count() == 0
    assert reader.title_label.text() == "" and reader.page_label.text() == ""
    assert not reader.outline.isVisible()


# ------------------------------------------------------------------ start-up


def test_the_window_does_not_load_qtpdf_at_start(tmp_path: Path) -> None:
    """First paint must not pay for QtPdf: the window is built and painted in a fresh
    process (another test may already have imported QtPdf here), which then reports what is
    loaded; and loading the reader does load QtPdf (so the check sees it when it is there)."""
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        from desktop_app.app import build_window
        from desktop_app.config import Settings

        app = QApplication([])
        window, _controller, host = build_window(
            Path(sys.argv[1]), Settings(refresh_on_start=False)
        )
        window.show()
        app.processEvents()
        window.grab()
        at_start = sorted(m for m in sys.modules if m.startswith("PySide6.QtPdf"))
        import desktop_app.ui.pdf_reader  # what opening a paper does
        after = sorted(m for m in sys.modules if m.startswith("PySide6.QtPdf"))
        host.stop()
        print(json.dumps({"at_start": at_start, "after": after}))
        """
    )
    data = tmp_path / "data"
    data.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DAILY_PAPERS_HOME=str(data))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", script, str(data)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["at_start"] == []
    assert "PySide6.QtPdf" in loaded["after"] and "PySide6.QtPdfWidgets" in loaded["after"]


def test_the_header_buttons_do_what_the_keys_do(qtbot, tmp_path) -> None:
    """For the mouse: zoom out and in, fit the width, search, close; they never take the keys."""
    from desktop_app.ui.pdf_reader import PdfReader

    path = tmp_path / "p.pdf"
    path.write_bytes(make_pdf(pages=paper_pages(3)))
    reader = PdfReader()
    qtbot.addWidget(reader)
    reader.resize(900, 700)
    reader.show()
    qtbot.waitExposed(reader)
    assert reader.open(path)
    assert reader.zoom_label.text() == "fit width"
    qtbot.mouseClick(reader.buttons["zoom_in"], Qt.MouseButton.LeftButton)
    zoomed = reader.view.zoomFactor()
    assert reader.zoom_label.text() == f"{round(zoomed * 100)} %"
    qtbot.mouseClick(reader.buttons["zoom_out"], Qt.MouseButton.LeftButton)
    assert reader.view.zoomFactor() < zoomed
    qtbot.mouseClick(reader.buttons["fit"], Qt.MouseButton.LeftButton)
    assert reader.zoom_label.text() == "fit width"
    qtbot.mouseClick(reader.buttons["search"], Qt.MouseButton.LeftButton)
    assert reader.search_bar.isVisible()
    with qtbot.waitSignal(reader.closeRequested):
        qtbot.mouseClick(reader.buttons["close"], Qt.MouseButton.LeftButton)
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in reader.buttons.values())
