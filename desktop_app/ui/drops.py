"""Papers handed to the window from outside: dropped on it, pasted into the list (Ctrl+V), or
given to ``daily-papers`` (directly, or by a second start through the single-instance socket).

Installed on the main window. A drop's or the clipboard's ``QMimeData`` is read into its local
files, links and text and sorted by :func:`desktop_app.library.handoff.classify`:

- arXiv / Hugging Face ids and links are added (an ``AddPapers`` job) and the first one shown;
- bibliographies (``.bib``, ``.ris``, ``.json``) open the import preview (``ImportBibTeX``,
  read in the worker; one preview at a time);
- a PDF dropped onto a paper — a card in the list, or the abstract shown — goes to
  :meth:`DropController.attach_pdf` for that paper;
- anything else (another file, a folder, a link to some other site) is refused with a
  message above the list saying what works.

Drags that start inside the window (papers dragged onto a tag) are left to their targets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from desktop_app.library.handoff import Handoff, Refused, classify, merge
from desktop_app.library.jobs import AddPapers, Fetched, ImportBibTeX, Imported
from desktop_app.ui.abstract_view import AbstractView
from desktop_app.ui.bibtex_controller import BibtexController
from desktop_app.ui.controller import Controller
from desktop_app.ui.feed_model import PaperIdRole


def read_mime(mime: QMimeData) -> Handoff:
    """What a drop or the clipboard holds, sorted (see :func:`classify`)."""
    files: list[str] = []
    links: list[str] = []
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                files.append(url.toLocalFile())
            elif url.isValid() and not url.isEmpty():
                links.append(url.toString())
    text = mime.text() if mime.hasText() and not (files or links) else ""
    return classify(files, links, text)


class DropController(QObject):
    """Drops on the window and Ctrl+V in the list (see the module's docstring).

    ``show_paper(id)`` shows a paper in the abstract, ``say(text)`` puts a message above the
    list; Ctrl+V pastes papers in the ``reading`` widgets (the list, the views, the abstract).
    """

    def __init__(
        self,
        window: QWidget,
        feed: QAbstractItemView,
        viewer: AbstractView,
        controller: Controller,
        bibtex: BibtexController,
        show_paper: Callable[[str], None],
        say: Callable[[str], None],
        reading: list[QWidget],
        attach: Callable[[str, Path], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.feed = feed
        self.viewer = viewer
        self.controller = controller
        self.bibtex = bibtex
        self._show_paper = show_paper
        self._say = say
        self._attach = attach
        self._previews: list[Imported] = []
        self._confirming = False
        for widget in (window, feed.viewport(), viewer):
            widget.setAcceptDrops(True)
            widget.installEventFilter(self)
        self.paste_action = QAction("Paste papers", window)
        self.paste_action.setToolTip(
            "Add the arXiv or Hugging Face papers whose ids or links are on the clipboard"
        )
        self.paste_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Paste))
        # In the list, the views and the abstract (the views have the keys while the list is
        # empty); the search box and the note paste text as always (a text field takes its
        # keys before any shortcut).
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.paste_action.triggered.connect(self.on_paste_triggered)
        for widget in reading:
            widget.addAction(self.paste_action)

    # ------------------------------------------------------------------ drops
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        # DragEnter and DragMove are drop events too; a drag from inside the window (papers
        # onto a tag) is left to its target.
        if not isinstance(event, QDropEvent) or event.source() is not None:
            return False
        mime = event.mimeData()
        if not (mime.hasUrls() or mime.hasText()):
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if isinstance(event, QDragEnterEvent | QDragMoveEvent):
            return True
        target = self.paper_at(watched, event.position().toPoint())
        self.take(read_mime(mime), target)
        return True

    def paper_at(self, widget: QObject, pos: QPoint) -> str | None:
        """The paper a drop at ``pos`` of ``widget`` lands on: a card of the list, or the
        paper the abstract shows; None elsewhere."""
        if widget is self.feed.viewport():
            return self.feed.indexAt(pos).data(PaperIdRole) or None
        if widget is self.viewer:
            return self.current_paper()
        if isinstance(widget, QWidget):
            for area in (self.feed.viewport(), self.viewer):
                inside = area.mapFrom(widget, pos)
                if area.isVisible() and area.rect().contains(inside):
                    return self.paper_at(area, inside)
        return None

    def current_paper(self) -> str | None:
        """The paper the abstract shows."""
        return self.viewer.paper.id if self.viewer.paper is not None else None

    # ------------------------------------------------------------------ paste
    @Slot()
    def on_paste_triggered(self) -> None:
        mime = QApplication.clipboard().mimeData()
        handoff = read_mime(mime) if mime is not None else Handoff()
        if handoff.empty:
            self._say(
                "The clipboard is empty: copy an arXiv id or an arXiv or Hugging Face link, "
                "then press Ctrl+V in the list."
            )
            return
        self.take(handoff, self.current_paper())

    # ------------------------------------------------------------------ what to do
    def take(self, handoff: Handoff, paper: str | None) -> None:
        """Do what ``handoff`` asks; PDFs go to ``paper`` (None: nowhere to attach them)."""
        refused = list(handoff.refused)
        if handoff.pdfs and paper is None:
            where = "onto a paper in the list or onto its abstract"
            refused += [Refused(str(p), f"a PDF has to be dropped {where}") for p in handoff.pdfs]
        elif paper is not None:
            for pdf in handoff.pdfs:
                self.attach_pdf(paper, pdf)
        if refused:
            self._say(merge([Handoff(refused=tuple(refused))]).message())
        if handoff.refs:
            self.add_papers(list(handoff.refs))
        self.import_files([str(p) for p in handoff.bibliographies])

    def add_papers(self, refs: list[str]) -> None:
        """Add papers by id or link in the worker; the first is shown once stored."""
        if refs:
            self.controller.run(AddPapers(tuple(refs)), self._on_added)

    def _on_added(self, result: Fetched) -> None:
        ids = result.summary.ids
        if ids:
            # After the window has reloaded its view (libraryChanged follows this).
            QTimer.singleShot(0, lambda: self._show_paper(ids[0]))

    def import_files(self, paths: list[str]) -> None:
        """Preview importing each bibliography (read in the worker); the previews are shown
        one after the other."""
        for path in paths:
            self.controller.run(ImportBibTeX(path, None, dry_run=True), self._on_previewed)

    def _on_previewed(self, preview: Imported) -> None:
        self._previews.append(preview)
        if self._confirming:  # another preview is open: this one follows it
            return
        self._confirming = True
        try:
            while self._previews:
                self.bibtex.confirm_previewed(self._previews.pop(0))
        finally:
            self._confirming = False

    def attach_pdf(self, paper_id: str, path: Path) -> None:
        """A PDF dropped onto ``paper_id``: kept as that paper's PDF (in the PDF cache, by
        the worker; its text is then indexed)."""
        self._attach(paper_id, Path(path))
