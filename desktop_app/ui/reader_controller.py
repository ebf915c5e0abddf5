"""The paper itself in the window (issue 16): ``p`` reads the PDF in the in-app reader,
``Shift+P`` opens it in the system's PDF viewer (or the browser), a PDF dropped onto a paper
becomes its PDF, and the library's PDFs are downloaded in the background when the preference
says so.

The reader (:mod:`desktop_app.ui.pdf_reader`, QtPdf) is created the first time a paper
opens — the window's start does not load QtPdf — and takes the abstract's place beside the
list, which keeps its column; the sidebar gives up width while it reads. ``Esc`` (or moving
to another paper in the list) brings the abstract back. Downloading runs in the worker with
progress and Cancel in the status bar; the text is then extracted (time-limited) in the
background, for full-text search. The page the reader is on is remembered per paper.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QWidget,
)

from desktop_app.domain import Paper
from desktop_app.errors import AppError, InvalidInputError, NotFoundError
from desktop_app.library.pdf_jobs import (
    AttachPdf,
    DownloadPdf,
    ExtractPendingText,
    ExtractText,
    FetchLibraryPdfs,
    LibraryPdfsFetched,
    ListPdfs,
    PdfReady,
    PdfsHeld,
    PrunePdfs,
    cache_of,
)
from desktop_app.safetext import is_http_url
from desktop_app.ui import ask

if TYPE_CHECKING:
    from desktop_app.config import Settings
    from desktop_app.store import Repository
    from desktop_app.ui.controller import Controller
    from desktop_app.ui.pdf_reader import PdfReader

SAVE_PAGE_MS = 1500  # the page is written this long after the reader stops on it
PREFETCH_AFTER_MS = 30_000  # the library's PDFs: this long after the start or a change
PREFETCH_SOON_MS = 2_000  # … or after the preference was turned on
PREFETCH_BATCH = 3  # papers per background job
PREFETCH_NEXT_MS = 500  # between batches
LOOK_AFTER_MS = 2_000  # marks and text waiting to be read: looked at this long after a change
READER_SHARE = 0.62  # of the splitter's width, while reading
NO_PDF = (
    "{paper} has no PDF to download: it is not on arXiv. Drop a PDF file onto it to keep "
    "one with the paper."
)


class ReaderController(QObject):
    """Reading papers in the window.

    ``detail`` is the splitter pane that holds the abstract (``viewer``); the reader is added
    to it when first needed. ``current_paper()`` is the list's current paper, ``focus_list()``
    gives the keys back to the list, ``say(text)`` puts a message above the list,
    ``open_url(url)`` opens a web link, ``add_papers(ids)`` adds papers to the library.
    """

    def __init__(
        self,
        repo: Repository,
        settings: Settings,
        controller: Controller,
        splitter: QSplitter,
        detail: QStackedWidget,
        viewer: QWidget,
        *,
        current_paper: Callable[[], Paper | None],
        focus_list: Callable[[], None],
        say: Callable[[str], None],
        open_url: Callable[[str], None],
        add_papers: Callable[[list[str]], None],
        show_with_pdf: Callable[[frozenset[str]], None] = lambda _ids: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.repo = repo
        self.settings = settings
        self.controller = controller
        self.splitter = splitter
        self.detail = detail
        self.viewer = viewer
        self.current_paper = current_paper
        self.focus_list = focus_list
        self.say = say
        self.open_url = open_url
        self.add_papers = add_papers
        self.show_with_pdf = show_with_pdf
        self.reader: PdfReader | None = None
        self.paper_id: str | None = None  # the paper in the reader
        self._sizes: list[int] | None = None  # the splitter's sizes before reading
        self._page: int | None = None  # the page to remember (not written yet)
        self.page_timer = QTimer(self)
        self.page_timer.setSingleShot(True)
        self.page_timer.setInterval(SAVE_PAGE_MS)
        self.page_timer.timeout.connect(self.save_page)
        self.prefetch_timer = QTimer(self)
        self.prefetch_timer.setSingleShot(True)
        self.prefetch_timer.setInterval(PREFETCH_AFTER_MS)
        self.prefetch_timer.timeout.connect(self.on_prefetch_timer_timeout)
        self.look_timer = QTimer(self)  # downloads, evictions, text to read: look again
        self.look_timer.setSingleShot(True)
        self.look_timer.setInterval(LOOK_AFTER_MS)
        self.look_timer.timeout.connect(self.refresh_with_pdf)
        self._failed: set[str] = set()  # papers whose background download failed
        # Where a full-text search found a paper's words: (page, words), read there by p.
        self.found: Callable[[str], tuple[int, str] | None] = lambda _paper_id: None

    # ------------------------------------------------------------------ state
    def reading(self) -> bool:
        """Whether the reader is showing (in place of the abstract)."""
        return self.reader is not None and self.detail.currentWidget() is self.reader

    # ------------------------------------------------------------------ p and Shift+P
    @Slot()
    def on_open_pdf_triggered(self) -> None:
        """``p``: the current paper's PDF in the reader (downloaded first when needed)."""
        paper = self.current_paper()
        if paper is None:
            return
        already = self.reading() and self.paper_id == paper.id  # keep the reader's place
        found = None if already else self.found(paper.id)
        self.open_paper(paper, *found) if found else self.open_paper(paper)

    def open_paper(self, paper: Paper, page: int | None = None, words: str = "") -> None:
        """Read ``paper`` (at ``page``, else where the reader last was; ``words`` searched
        in it, from a full-text search)."""
        path = self._cached(paper.id)
        if path is not None:
            self.show(paper, path, page, words)
        elif paper.pdf_url is None:
            self.say(NO_PDF.format(paper=paper.id))
        else:
            # On the media worker: neither waits behind a fetch nor holds one up.
            self.controller.run(
                DownloadPdf(paper.id), lambda r: self._on_downloaded(r, page), media=True
            )

    def _on_downloaded(self, result: PdfReady, page: int | None) -> None:
        self.refresh_with_pdf()
        if result.fetched:  # its text, for full-text search (in the background)
            self.extract(result.paper_id)
        current = self.current_paper()
        if current is None or current.id != result.paper_id:
            # The user moved on meanwhile: they are not pulled back to it.
            self.say(f"The PDF of {result.paper_id} is ready: select it and press p to read it.")
            return
        if _typing_elsewhere():
            # Writing the note (which the reader would cover), searching, in a dialog: the
            # reader waits for p rather than taking the keys.
            self.say(f"The PDF of {result.paper_id} is ready: press p to read it.")
            return
        self.show(current, result.path, page)

    def extract(self, paper_id: str) -> None:
        """Read the text of the paper's PDF in the background; then look at what waits."""
        self.controller.run(ExtractText(paper_id), self._on_extracted, quiet=True)

    def _on_extracted(self, _result: object) -> None:
        self.look_timer.start()

    @Slot()
    def on_open_pdf_elsewhere_triggered(self) -> None:
        """``Shift+P``: the cached PDF in the system's PDF viewer, else the PDF's page in the
        browser."""
        paper = self.current_paper()
        if paper is None:
            return
        path = self._cached(paper.id)
        if path is not None:
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self.say(f"No application could open {path}.")
        elif paper.pdf_url is not None:
            self.open_url(paper.pdf_url)
        else:
            self.say(NO_PDF.format(paper=paper.id))

    def _cached(self, paper_id: str) -> Path | None:
        try:
            return cache_of(self.repo).cached(self.repo, paper_id)
        except AppError as exc:
            self.say(exc.message)
            return None

    # ------------------------------------------------------------------ the reader
    def _make_reader(self) -> PdfReader:
        from desktop_app.ui.pdf_reader import PdfReader  # loads QtPdf: only now

        reader = PdfReader()
        reader.setObjectName("pdfReader")
        reader.pageChanged.connect(self.on_reader_page_changed)
        reader.closeRequested.connect(self.close)
        reader.linkRequested.connect(self.on_reader_link_requested)
        self.detail.addWidget(reader)
        return reader

    def show(
        self,
        paper: Paper,
        path: Path,
        page: int | None = None,
        words: str = "",
        *,
        focus: bool = True,
    ) -> None:
        """Show ``path`` (the PDF of ``paper``) in the reader, beside the list (at ``page``,
        with ``words`` searched; with the keys, when ``focus``)."""
        if self.reader is None:
            self.reader = self._make_reader()
        reader = self.reader
        self.save_page()
        record = self.repo.pdfs.get(paper.id)
        start = page if page is not None else (record.last_page if record else 0)
        if self.paper_id != paper.id or page is not None or not self.reading():
            reader.open(path, start, paper.title)
        self.paper_id = paper.id
        with contextlib.suppress(AppError):
            self.repo.pdfs.touch(paper.id)  # least recently read goes first
        if not self.reading():
            self._sizes = self.splitter.sizes()
            self.detail.setCurrentWidget(reader)
            self._widen()
        if focus:
            reader.take_focus()
        if words:  # once laid out at that page: the first hit from there, highlighted
            reader.search_edit.setText(words)
            reader.search_bar.show()
            QTimer.singleShot(0, lambda: reader.find_text(words))

    def _widen(self) -> None:
        """Give the reader most of the width: the sidebar gives first, the list keeps a
        column of cards."""
        sizes = self.splitter.sizes()
        if len(sizes) != 3:
            return
        total = sum(sizes)
        sidebar = self.splitter.widget(0)
        minimum = sidebar.minimumWidth() if sidebar is not None else 0
        side = min(sizes[0], max(minimum, total // 8))
        reader = max(int(total * READER_SHARE), sizes[2])
        listed = max(total - side - reader, 0)
        self.splitter.setSizes([side, listed, total - side - listed])

    def leave_sizes(self) -> None:
        """Put the panes back as they were before reading (the window saves them)."""
        if self._sizes is not None:
            self.splitter.setSizes(self._sizes)

    @Slot()
    def close(self) -> None:
        """Back to the abstract, with the keys in the list (``Esc`` in the reader)."""
        if self.reading():
            self._leave(keys_to_list=True)

    def on_current_paper(self, paper: Paper | None) -> None:
        """The list moved to another paper, or the one read left the list (deleted, no longer
        in the view): its abstract takes the reader's place (and the keys go to the list if
        the reader had them)."""
        if self.reading() and (paper is None or paper.id != self.paper_id):
            focused = self.detail.window().focusWidget()  # (also while a dialog is up)
            reader = self.reader
            had_keys = reader is not None and focused is not None and reader.isAncestorOf(focused)
            self._leave(keys_to_list=had_keys)

    def _leave(self, *, keys_to_list: bool) -> None:
        """The abstract in the reader's place, the panes as they were, the page written."""
        self.save_page()
        self.detail.setCurrentWidget(self.viewer)
        self.leave_sizes()
        self._sizes = None
        if keys_to_list:
            self.focus_list()

    # ------------------------------------------------------------------ the page
    @Slot(int)
    def on_reader_page_changed(self, page: int) -> None:
        self._page = page
        self.page_timer.start()

    @Slot()
    def save_page(self) -> None:
        """Write the page the reader is on (a moment after it stopped there, or now)."""
        self.page_timer.stop()
        page, self._page = self._page, None
        if page is None or self.paper_id is None:
            return
        try:
            self.repo.pdfs.set_last_page(self.paper_id, page)
        except NotFoundError:  # evicted, or the paper deleted, meanwhile
            pass
        except AppError as exc:
            self.say(exc.message)

    # ------------------------------------------------------------------ links in the PDF
    @Slot(str)
    def on_reader_link_requested(self, url: str) -> None:
        """A web link clicked in the paper: an arXiv paper may be added to the library;
        anything else opens in the browser (the reader passes only http(s) links)."""
        if not is_http_url(url):
            return
        ref = _arxiv_ref(url)
        if ref is None:
            self.open_url(url)
            return
        known = self.repo.find(ref)
        if known is not None:
            question = f"{ref} is in your library: {known.title}. Open its arXiv page?"
            if ask.confirm(self.reader, "Link to a paper", question, action="Open"):
                self.open_url(url)
            return
        question = f"The link is to arXiv paper {ref}. Add it to your library?"
        if ask.confirm(self.reader, "Link to a paper", question, action="Add"):
            self.add_papers([ref])

    # ------------------------------------------------------------------ dropped PDFs
    def attach(self, paper_id: str, path: Path) -> None:
        """A PDF file dropped onto ``paper_id``: kept as its PDF (in the worker)."""
        self.controller.run(AttachPdf(paper_id, Path(path)), self._on_attached)

    def _on_attached(self, result: PdfReady) -> None:
        self.refresh_with_pdf()
        self.extract(result.paper_id)
        if self.reading() and self.paper_id == result.paper_id and self.reader is not None:
            self.reader.open(result.path, 0, "")

    # ------------------------------------------------------------------ preferences
    def apply_settings(self, settings: Settings) -> None:
        """New preferences: a smaller quota is applied at once (in the worker), and the
        library's PDFs are fetched soon after the background download is turned on."""
        old, self.settings = self.settings, settings
        if settings.pdf_quota_mb < old.pdf_quota_mb:
            self.controller.run(PrunePdfs(settings.pdf_quota_bytes), _ignore, quiet=True)
        if settings.pdf_prefetch and not old.pdf_prefetch:
            self.prefetch_timer.start(PREFETCH_SOON_MS)

    # ------------------------------------------------------------------ in the background
    def start(self) -> None:
        """When the window opens: the cards' PDF marks and any text left to read, and the
        library's PDFs a while later if the preference says so."""
        self.refresh_with_pdf()
        if self.settings.pdf_prefetch:
            self.prefetch_timer.start(PREFETCH_AFTER_MS)

    def schedule_background(self) -> None:
        """After a change: look again soon (downloads, evictions, deletes; the text of a
        deleted paper brought back by undo), and fetch the library's PDFs a while from now
        if the preference says so."""
        self.look_timer.start()
        if self.settings.pdf_prefetch:
            self.prefetch_timer.start(PREFETCH_AFTER_MS)

    @Slot()
    def refresh_with_pdf(self) -> None:
        """Read, on the reader worker, which papers have a downloaded PDF (the cards say so)
        and whether a PDF's text waits to be read (then read it, in the background)."""
        self.controller.read(ListPdfs(), self._on_listed)

    def _on_listed(self, held: PdfsHeld) -> None:
        self.show_with_pdf(held.paper_ids)
        busy = self.controller.running(ExtractPendingText) or self.controller.running(ExtractText)
        if held.text_pending and not busy:  # (when one ends, it looks again)
            self.controller.run(ExtractPendingText(), self._on_extracted, quiet=True)

    @Slot()
    def on_prefetch_timer_timeout(self) -> None:
        if not self.settings.pdf_prefetch or self.controller.running(FetchLibraryPdfs):
            return
        # On the media worker, quietly, a few at a time: a PDF the user asks for (p) waits
        # for one batch at most.
        job = FetchLibraryPdfs(limit=PREFETCH_BATCH, skip=frozenset(self._failed))
        self.controller.fetch_media(job, self._on_prefetched)

    def _on_prefetched(self, result: LibraryPdfsFetched) -> None:
        if result.fetched:
            self.refresh_with_pdf()
        # A paper whose PDF failed (gone from arXiv, not a PDF) is not asked for again this
        # session; going offline or a rate limit stops the batches until the next change.
        self._failed.update(paper_id for paper_id, _message in result.failed)
        if result.remaining and not result.stopped:
            self.prefetch_timer.start(PREFETCH_NEXT_MS)  # the next batch


def _arxiv_ref(url: str) -> str | None:
    """The arXiv id a link names (arxiv.org/abs/…, /pdf/…, huggingface.co/papers/…)."""
    from desktop_app.sources.ids import parse_paper_ref  # the network stack: not at start

    try:
        return parse_paper_ref(url)[0]
    except InvalidInputError:
        return None


def _ignore(_result: object) -> None:
    pass


def _typing_elsewhere() -> bool:
    """Whether the keys are in a text field or a dialog (not to be taken from the user)."""
    if QApplication.activeModalWidget() is not None:
        return True
    widget = QApplication.focusWidget()
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        return True
    return isinstance(widget, QTextEdit) and not widget.isReadOnly()
