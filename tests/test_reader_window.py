"""Issue 16 in the window: ``p`` reads the paper in the in-app reader (downloaded first from a
loopback PDF host, with progress and Cancel), the page is remembered, ``Esc`` and moving in
the list bring the abstract back, ``Shift+P`` hands the PDF to the system, links in the paper,
and papers with no PDF to download."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pdf_support import HTML_ERROR_PAGE, PdfSpec, make_pdf, paper_pages
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from pytest_httpserver import HTTPServer
from ui_support import active, answering, in_preferences

from desktop_app.config import Settings
from desktop_app.domain import PaperRecord
from desktop_app.library.jobs import AddPapers
from desktop_app.library.pdf_jobs import (
    AttachPdf,
    DownloadPdf,
    FetchLibraryPdfs,
    PrunePdfs,
    cache_of,
)
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.card_text import PDF_MARK
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.reader_controller import PREFETCH_BATCH

FAST = {"retries": 1, "backoff": 0.01, "max_wait": 0.05, "timeout": 2}
IDS = ("2611.00001", "2611.00002", "2611.00003")
PAGES = 12


class Opened(QObject):
    """Stands in for the desktop's URL handler: records what it was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def pdf_host(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("DAILY_PAPERS_PDF_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(id=pid, title=f"Paper {i}", published=date(2026, 11, 3 - i), version=1)
            for i, pid in enumerate(IDS)
        ]
    )
    return repo


def serve(host: HTTPServer, paper_id: str, body: bytes, **kw: object) -> None:
    host.expect_request(f"/pdf/{paper_id}v1").respond_with_data(
        body, content_type=kw.pop("content_type", "application/pdf"), **kw
    )


def window_on(make_window, repo: Repository, qtbot) -> MainWindow:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0, backup_every_days=0)
    window = make_window(repo, settings, http_options=FAST)
    window.resize(1280, 800)
    active(window, qtbot)
    window.sidebar.select_spec(ViewSpec("all"))
    return window


def pdf_requests(host: HTTPServer) -> int:
    return sum(1 for request, _ in host.log if request.path.startswith("/pdf/"))


def test_p_downloads_then_reads_and_esc_goes_back(make_window, lib, qtbot, pdf_host) -> None:
    serve(pdf_host, IDS[0], make_pdf(pages=paper_pages(PAGES, words="sparse mixtures")))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.feed.setFocus()
    assert window.current_paper().id == IDS[0]
    before = window.splitter.sizes()
    with qtbot.waitSignal(window.controller.busy) as busy:
        QTest.keyClick(window.feed, Qt.Key.Key_P)
    assert busy.args == [f"Downloading the PDF of {IDS[0]}"]
    qtbot.waitUntil(window.reading.reading, timeout=15_000)
    reader = window.reading.reader
    assert reader is not None and reader.page_count() == PAGES
    assert window.detail.currentWidget() is reader
    assert reader.isAncestorOf(window.focusWidget()) or window.focusWidget() is reader
    # The reader has most of the width; the list keeps its column.
    sizes = window.splitter.sizes()
    assert sizes[2] > sizes[1] > 0 and sizes != before
    # Kept in the cache, its text indexed in the background for full-text search; its card
    # says it can be read offline, the others' do not.
    assert cache_of(lib).cached(lib, IDS[0]) is not None
    card = window.delegate.card
    qtbot.waitUntil(lambda: PDF_MARK in card(window.feed_model.index(0)).info)
    assert PDF_MARK not in card(window.feed_model.index(1)).info
    qtbot.waitUntil(lambda: lib.pdfs.get(IDS[0]).text_state == "indexed", timeout=20_000)
    assert [h.paper_id for h in lib.pdfs.search("sparse mixtures")] == [IDS[0]]
    # Move on a few pages with the keys, then Esc: the abstract, keys in the list.
    reader.go_to_page(5)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    assert not window.reading.reading()
    assert window.detail.currentWidget() is window.viewer
    assert window.feed.hasFocus()
    assert window.splitter.sizes() == before  # the panes as they were
    assert lib.pdfs.get(IDS[0]).last_page == 5
    # p again: from the cache (no request), at the page it was left on.
    asked = pdf_requests(pdf_host)
    QTest.keyClick(window.feed, Qt.Key.Key_P)
    assert window.reading.reading() and reader.current_page() == 5
    assert pdf_requests(pdf_host) == asked


def test_the_page_is_remembered_after_a_pause_and_across_windows(
    make_window, lib, qtbot, pdf_host
) -> None:
    serve(pdf_host, IDS[0], make_pdf(pages=paper_pages(PAGES)))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.acts.open_pdf.trigger()
    qtbot.waitUntil(window.reading.reading, timeout=15_000)
    window.reading.reader.go_to_page(7)
    # Written a moment after the reader stops on a page, without leaving it.
    qtbot.waitUntil(lambda: lib.pdfs.get(IDS[0]).last_page == 7, timeout=5_000)
    window.reading.reader.go_to_page(8)
    window.close()  # written at once on closing
    assert lib.pdfs.get(IDS[0]).last_page == 8
    again = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: again.feed_model.rowCount() == 3)
    again.acts.open_pdf.trigger()
    assert again.reading.reading() and again.reading.reader.current_page() == 8


def test_moving_in_the_list_brings_the_abstract_back(make_window, lib, qtbot, pdf_host) -> None:
    serve(pdf_host, IDS[0], make_pdf(pages=paper_pages(3)))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.acts.open_pdf.trigger()
    qtbot.waitUntil(window.reading.reading, timeout=15_000)
    window.feed.setFocus()
    QTest.keyClick(window.feed, Qt.Key.Key_J)  # the next paper, from the list
    assert window.current_paper().id == IDS[1]
    assert not window.reading.reading()
    assert window.viewer.paper is not None and window.viewer.paper.id == IDS[1]


def test_a_failed_download_says_why_and_keeps_nothing(make_window, lib, qtbot, pdf_host) -> None:
    serve(pdf_host, IDS[0], HTML_ERROR_PAGE, content_type="text/html")
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    with qtbot.waitSignal(window.controller.failed, timeout=15_000) as failed:
        window.acts.open_pdf.trigger()
    assert "sent a web page instead of PDF data" in failed.args[0]
    assert not window.reading.reading() and window.reading.reader is None
    assert lib.pdfs.get(IDS[0]) is None
    assert not cache_of(lib).directory.exists() or not any(cache_of(lib).directory.iterdir())


def test_a_download_can_be_cancelled(make_window, lib, qtbot, pdf_host) -> None:
    """The status bar's Cancel stops the download: no reader, nothing kept."""
    pdf_host.expect_request(f"/pdf/{IDS[0]}v1").respond_with_handler(_slow_pdf)
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    with qtbot.waitSignal(window.controller.progress, timeout=10_000) as progress:
        window.acts.open_pdf.trigger()
    assert progress.args[0].endswith(" MB")  # bytes so far (of the total, when known)
    assert window.controller.running(DownloadPdf) == 1
    qtbot.waitUntil(window.cancel_button.isVisible)
    assert " MB" in window.progress_label.text()
    with qtbot.waitSignal(window.controller.cancelled, timeout=15_000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.reading.reading()
    assert lib.pdfs.get(IDS[0]) is None


def _slow_pdf(_request):
    """A large PDF that trickles in (16 kB every 0.2 s, ~5 s in all): long enough to see
    its progress and press Cancel; the client reads it in 64 kB pieces."""
    import time

    from werkzeug import Response

    body = make_pdf(pages=paper_pages(2)) + b"%" + b"x" * 400_000 + b"\n%%EOF\n"

    def chunks():
        for i in range(0, len(body), 16_384):
            time.sleep(0.2)
            yield body[i : i + 16_384]

    return Response(chunks(), content_type="application/pdf")


def test_a_paper_with_no_pdf_says_so(make_window, repo, qtbot, pdf_host) -> None:
    repo.upsert_papers([PaperRecord(id="local:lovelace2024", title="A Paper From a .bib")])
    window = window_on(make_window, repo, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 1)
    window.acts.open_pdf.trigger()
    assert "has no PDF to download: it is not on arXiv" in window.message_bar.label.text()
    assert not window.controller.is_busy and pdf_requests(pdf_host) == 0


def test_shift_p_hands_the_cached_pdf_to_the_system(make_window, lib, qtbot, pdf_host) -> None:
    serve(pdf_host, IDS[0], make_pdf(pages=paper_pages(2)))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    opened = Opened()
    for scheme in ("file", "https"):
        QDesktopServices.setUrlHandler(scheme, opened, "open")
    try:
        window.feed.setFocus()
        # Not cached: the PDF's page in the browser.
        QTest.keyClick(window.feed, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
        assert opened.urls == [window.current_paper().pdf_url]
        # Cached: the file itself, for the system's PDF viewer.
        window.acts.open_pdf.trigger()
        qtbot.waitUntil(window.reading.reading, timeout=15_000)
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
        QTest.keyClick(window.feed, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    finally:
        for scheme in ("file", "https"):
            QDesktopServices.unsetUrlHandler(scheme)
    path = cache_of(lib).cached(lib, IDS[0])
    assert opened.urls[1:] == [QUrl.fromLocalFile(str(path)).toString()]


def test_links_in_the_paper(make_window, lib, qtbot, pdf_host) -> None:
    """A link to an arXiv paper offers to add it; any other web link opens in the browser."""
    spec = PdfSpec(
        pages=["See the related work."],
        links=[(0, "Attention", "https://arxiv.org/abs/1706.03762")],
    )
    serve(pdf_host, IDS[0], make_pdf(spec))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.acts.open_pdf.trigger()
    qtbot.waitUntil(window.reading.reading, timeout=15_000)
    reader = window.reading.reader
    opened = Opened()
    QDesktopServices.setUrlHandler("https", opened, "open")
    try:
        with answering("Cancel") as answers:
            reader.linkRequested.emit("https://arxiv.org/abs/1706.03762")
        question = "The link is to arXiv paper 1706.03762. Add it to your library?"
        assert question in answers.seen[0].texts
        assert window.controller.running(AddPapers) == 0
        with answering("Add"):
            reader.linkRequested.emit("https://arxiv.org/abs/1706.03762")
        assert window.controller.running(AddPapers) == 1
        reader.linkRequested.emit("https://github.com/example/code")
        reader.linkRequested.emit("javascript:alert(1)")  # never opened
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert opened.urls == ["https://github.com/example/code"]


def test_the_window_starts_without_qtpdf_until_a_paper_is_read(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    assert window.reading.reader is None
    assert window.detail.count() == 1  # the abstract only


def test_turning_on_offline_pdfs_downloads_the_librarys(make_window, lib, qtbot, pdf_host) -> None:
    """Starred, saved and tagged papers get their PDFs in the background (and their text), a
    few at a time until all are there; the others do not."""
    more = [f"2611.0001{i}" for i in range(4)]
    lib.upsert_papers([PaperRecord(id=pid, title=f"More {pid}", version=1) for pid in more])
    kept = [IDS[0], IDS[1], *more]  # six: more than one batch
    for pid in [*kept, IDS[2]]:
        serve(pdf_host, pid, make_pdf(pages=paper_pages(2, words=f"offline{pid[-2:]}")))
    lib.set_starred([IDS[0]])
    lib.tag_papers([IDS[1], *more], ["to-read"])
    window = window_on(make_window, lib, qtbot)
    window._save_settings = lambda _s: None
    with in_preferences(lambda d: d.pdf_prefetch.setChecked(True)):
        window.acts.prefs.trigger()
    assert window.settings.pdf_prefetch
    qtbot.waitUntil(
        lambda: all(
            (r := lib.pdfs.get(pid)) is not None and r.text_state == "indexed" for pid in kept
        ),
        timeout=60_000,
    )
    assert len(kept) > PREFETCH_BATCH
    assert lib.pdfs.get(IDS[2]) is None  # not kept: not fetched
    assert not window.controller.is_busy  # quietly, in the background
    assert [h.paper_id for h in lib.pdfs.search("offline01")] == [IDS[0]]


def test_a_smaller_quota_applies_at_once(make_window, lib, qtbot, tmp_path) -> None:
    """Lowering the quota removes the least recently read PDFs of papers not kept, until
    the cache fits; a starred paper's PDF stays whatever the quota."""
    four_mb = make_pdf(pages=paper_pages(2)) + b"%" + b"x" * (4 * 1024 * 1024) + b"\n%%EOF\n"
    lib.upsert_papers([PaperRecord(id="2611.00004", title="Paper 4", version=1)])
    ids = [*IDS, "2611.00004"]
    for pid in ids:  # read in this order: the first is the least recently read
        source = tmp_path / f"{pid}.pdf"
        source.write_bytes(four_mb)
        cache_of(lib).attach(lib, pid, source)
    lib.set_starred([ids[0]])  # kept whatever the quota
    window = window_on(make_window, lib, qtbot)
    window._save_settings = lambda _s: None
    with in_preferences(lambda d: d.pdf_quota.setValue(10)):
        window.acts.prefs.trigger()
    assert window.settings.pdf_quota_bytes == 10 * 1024 * 1024
    # 16 MB in four PDFs: the two least recently read of the papers not kept go.
    qtbot.waitUntil(lambda: lib.pdfs.get(ids[1]) is None and lib.pdfs.get(ids[2]) is None)
    qtbot.waitUntil(lambda: window.controller.running(PrunePdfs) == 0)  # files deleted too
    assert lib.pdfs.get(ids[0]) is not None and lib.pdfs.get(ids[3]) is not None
    assert sorted(p.name for p in cache_of(lib).directory.iterdir()) == [
        f"{ids[0]}v1.pdf",
        f"{ids[3]}v1.pdf",
    ]


def test_a_deleted_paper_brought_back_is_searchable_again(
    make_window, lib, qtbot, tmp_path
) -> None:
    """Deleting a paper takes its PDF's text out of the index; Ctrl+Z brings the paper back
    and its text is read again in the background."""
    source = tmp_path / "kept.pdf"
    source.write_bytes(make_pdf(pages=["Gradient checkpointing trades compute for memory."]))
    cache_of(lib).attach(lib, IDS[0], source)
    from desktop_app.library.pdf_jobs import index_text

    index_text(lib, IDS[0])
    assert [h.paper_id for h in lib.pdfs.search("checkpointing")] == [IDS[0]]
    window = window_on(make_window, lib, qtbot)
    window.feed.setCurrentIndex(window.feed_model.index(0))
    assert window.current_paper().id == IDS[0]
    with qtbot.waitSignal(window.controller.done, timeout=10_000), answering("Delete"):
        window.acts.delete.trigger()
    assert lib.find(IDS[0]) is None and lib.pdfs.search("checkpointing") == []
    window.acts.undo.trigger()
    assert lib.find(IDS[0]) is not None
    qtbot.waitUntil(
        lambda: [h.paper_id for h in lib.pdfs.search("checkpointing")] == [IDS[0]],
        timeout=20_000,
    )


# ----------------------------------------------------------------------------- found in review
def attach_file(repo: Repository, tmp: Path, paper_id: str, pdf: bytes) -> None:
    source = tmp / f"{paper_id}.pdf"
    source.write_bytes(pdf)
    cache_of(repo).attach(repo, paper_id, source)


def test_a_protected_pdf_takes_the_typed_password_not_the_window(
    make_window, lib, qtbot, tmp_path
) -> None:
    """The keys go to the password field in place of the pages: typing "secret" must not
    star (s) or tag (t) the paper."""
    locked = make_pdf(PdfSpec(pages=paper_pages(3), user_password="secret"))
    attach_file(lib, tmp_path, IDS[0], locked)
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.feed.setFocus()
    QTest.keyClick(window.feed, Qt.Key.Key_P)
    reader = window.reading.reader
    assert window.reading.reading() and reader.password_edit.hasFocus()
    QTest.keyClicks(window.focusWidget(), "secret")
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert reader.page_count() == 3 and reader.view.hasFocus()
    assert not lib.find(IDS[0]).starred


def test_a_download_that_ends_later_leaves_the_keys_where_the_user_types(
    make_window, lib, qtbot, pdf_host
) -> None:
    pdf_host.expect_request(f"/pdf/{IDS[0]}v1").respond_with_handler(_slow_pdf)
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.feed.setCurrentIndex(window.feed_model.index(0))
    window.acts.open_pdf.trigger()
    note = window.viewer.note
    note.setFocus()
    QTest.keyClicks(note, "first thoughts ")
    ready = f"The PDF of {IDS[0]} is ready: press p to read it."
    qtbot.waitUntil(lambda: window.message_bar.label.text() == ready, timeout=30_000)
    assert note.hasFocus() and not window.reading.reading()  # the note is not covered
    QTest.keyClicks(window.focusWidget(), "s")
    assert note.toPlainText() == "first thoughts s" and not lib.find(IDS[0]).starred
    window.feed.setFocus()
    QTest.keyClick(window.feed, Qt.Key.Key_P)  # when the user wants it: from the cache
    assert window.reading.reading()


def test_deleting_the_paper_being_read_closes_the_reader(make_window, lib, qtbot, tmp_path) -> None:
    attach_file(lib, tmp_path, IDS[0], make_pdf(pages=paper_pages(4)))
    window = window_on(make_window, lib, qtbot)
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    window.feed.setCurrentIndex(window.feed_model.index(0))
    window.acts.open_pdf.trigger()
    assert window.reading.reading()
    with qtbot.waitSignal(window.controller.done, timeout=10_000), answering("Delete"):
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: lib.find(IDS[0]) is None)
    qtbot.waitUntil(lambda: not window.reading.reading())
    assert window.detail.currentWidget() is window.viewer
    assert window.focusWidget() in (window.feed, window.sidebar)  # the keys are not lost


def test_a_pdf_gone_from_arxiv_does_not_stop_the_background_download(
    make_window, repo, qtbot, pdf_host
) -> None:
    """A 404 is that paper's failure: the others are still fetched, and it is not asked for
    again in this session."""
    good, gone = "2611.00009", "2611.00020"  # the gone one is newer: tried first
    repo.upsert_papers([PaperRecord(id=good, title="Good", version=1)])
    repo.upsert_papers([PaperRecord(id=gone, title="Withdrawn", version=1)])
    serve(pdf_host, good, make_pdf(pages=paper_pages(2)))
    pdf_host.expect_request(f"/pdf/{gone}v1").respond_with_data("gone", status=404)
    repo.set_starred([good, gone])
    window = window_on(make_window, repo, qtbot)
    window._save_settings = lambda _s: None
    with in_preferences(lambda d: d.pdf_prefetch.setChecked(True)):
        window.acts.prefs.trigger()
    qtbot.waitUntil(lambda: repo.pdfs.get(good) is not None, timeout=30_000)
    assert repo.pdfs.get(gone) is None
    asked = sum(1 for r, _ in pdf_host.log if r.path == f"/pdf/{gone}v1")
    window.reading.on_prefetch_timer_timeout()  # another batch: the gone one is skipped
    qtbot.waitUntil(lambda: window.controller.running(FetchLibraryPdfs) == 0)
    assert sum(1 for r, _ in pdf_host.log if r.path == f"/pdf/{gone}v1") == asked


def test_an_attach_cancelled_before_it_starts_keeps_the_old_pdf(lib, tmp_path) -> None:
    import threading

    from desktop_app.errors import CancelledError
    from desktop_app.library.jobs import JobContext

    attach_file(lib, tmp_path, IDS[0], make_pdf(pages=paper_pages(2, words="original")))
    before = lib.pdfs.get(IDS[0])
    new = tmp_path / "new.pdf"
    new.write_bytes(make_pdf(pages=paper_pages(3, words="replacement")))
    cancel = threading.Event()
    cancel.set()
    ctx = JobContext(lib, Settings(), cancel, lambda _done, _total: None)
    with pytest.raises(CancelledError):
        AttachPdf(IDS[0], new).run(ctx)
    assert lib.pdfs.get(IDS[0]) == before
