"""The page view of the in-app reader: QtPdf's ``QPdfView`` with what it lacks in Qt 6.11.

``QPdfView`` renders pages lazily on its own threads and keeps the last ~20 rendered pages
(a limit it does not expose). It does not say where each page is, selects no text, and its own
link handling maps the mouse without the scroll offset and "jumps" to page -1 for a web link.
This subclass adds, on the same layout as ``QPdfView``'s (``page_rect`` is checked against
what it paints by a test):

- where each page is, to scroll to a page or a search hit and to map the mouse to a page;
- the page under the reading line (``current_page``), which the reader shows and remembers;
- text selection with the mouse (drag across the text of a page; one page at a time);
- link clicks, handed to the reader (``linkClicked``), which decides what to do with them.

Everything here is in QtPdf's units: points (1/72 inch, origin at the page's top left) on a
page; pixels of the document's layout (``QRect``) otherwise.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QMargins, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTransform,
)
from PySide6.QtPdf import QPdfDocument, QPdfLink, QPdfLinkModel, QPdfSelection
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QApplication

MARGIN = 12  # pixels of background around the pages, and between two pages
READING_LINE = 0.4  # the page crossing this height of the view is the current page (as QPdfView)
SELECTION_COLOUR = QColor(51, 136, 255, 90)


def _qround(value: float) -> int:
    """Qt's rounding (half away from zero), as QPdfView rounds its page sizes."""
    return math.floor(value + 0.5)


class PageView(QPdfView):
    """All pages one below the other, fit to width unless zoomed; see the module."""

    linkClicked = Signal(QPdfLink)
    selectionChanged = Signal()
    moved = Signal()  # the view shows another place (scroll, zoom, resize, go_to)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.setPageSpacing(MARGIN)
        self.setDocumentMargins(QMargins(MARGIN, MARGIN, MARGIN, MARGIN))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)  # the hand cursor over a link
        # QPdfView takes the screen's resolution once, when it is made; so does the layout here.
        screen = QGuiApplication.primaryScreen()
        self._resolution = (screen.logicalDotsPerInch() if screen else 72.0) / 72.0
        self._links = QPdfLinkModel(self)
        self._layout_key: tuple[Any, ...] | None = None
        self._generation = 0  # one more for every document loaded: the layout is redone
        self._layout: list[tuple[QRect, float]] = []
        self._place: tuple[int, float] = (0, 0.0)  # the page and how far down it, at the top
        self._restoring = False
        self._press: tuple[int, QPointF, QPoint] | None = None  # page, point, mouse position
        self._dragging = False
        self._selection: tuple[int, QPdfSelection] | None = None

    # ------------------------------------------------------------------ the layout

    def set_document(self, document: QPdfDocument) -> None:
        """Show ``document`` (for good: the reader loads and closes it), from its first page.
        (Never None: QtPdf's link models warn when given no document.)"""
        self.setDocument(document)
        self._links.setDocument(document)
        self.reset()

    def reset(self) -> None:
        """Forget the place and the selection (another file was loaded, or none)."""
        self._layout_key = None
        self._generation += 1
        self._place = (0, 0.0)
        self.clear_selection()

    def page_count(self) -> int:
        document = self.document()
        if document is None or document.status() != QPdfDocument.Status.Ready:
            return 0
        return document.pageCount()

    def _pages(self) -> list[tuple[QRect, float]]:
        """Each page's rectangle in the layout and its scale (pixels per point), computed as
        QPdfView computes them (``calculateDocumentLayout`` in qpdfview.cpp)."""
        document = self.document()
        width = self.viewport().width()
        fit = self.zoomMode() == QPdfView.ZoomMode.FitToWidth
        count = self.page_count()
        key = (self._generation, count, width, fit, self.zoomFactor())
        if key == self._layout_key:
            return self._layout
        margins = self.documentMargins()
        sizes: list[tuple[QSize, float]] = []
        for page in range(count):
            points = document.pagePointSize(page)
            if fit:
                base = QSize(
                    _qround(points.width() * self._resolution),
                    _qround(points.height() * self._resolution),
                )
                factor = (width - margins.left() - margins.right()) / max(1, base.width())
                size = QSize(_qround(base.width() * factor), _qround(base.height() * factor))
                scale = self._resolution * factor
            else:
                scale = self._resolution * self.zoomFactor()
                size = QSize(_qround(points.width() * scale), _qround(points.height() * scale))
            sizes.append((size, scale))
        total = max((s.width() for s, _ in sizes), default=0) + margins.left() + margins.right()
        y = margins.top()
        layout = []
        for size, scale in sizes:
            x = (max(total, width) - size.width()) // 2
            layout.append((QRect(QPoint(x, y), size), scale))
            y += size.height() + self.pageSpacing()
        self._layout_key, self._layout = key, layout
        return layout

    def page_rect(self, page: int) -> QRect:
        """Where ``page`` is in the layout (pixels; the view shows the part at the scroll bars'
        values)."""
        pages = self._pages()
        return QRect(pages[page][0]) if 0 <= page < len(pages) else QRect()

    def page_scale(self, page: int) -> float:
        """Pixels per point on ``page`` at the current zoom."""
        pages = self._pages()
        return pages[page][1] if 0 <= page < len(pages) else 1.0

    def _offset(self) -> QPoint:
        return QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def to_viewport(self, page: int, point: QPointF) -> QPointF:
        """A point on ``page`` (points) in the viewport's pixels."""
        rect = self.page_rect(page)
        scale = self.page_scale(page)
        return QPointF(rect.topLeft() - self._offset()) + point * scale

    def page_at(self, position: QPoint) -> tuple[int, QPointF] | None:
        """The page under a viewport position and the point on it (points), or None."""
        at = position + self._offset()
        for page, (rect, scale) in enumerate(self._pages()):
            if rect.top() > at.y():
                break
            if rect.contains(at):
                return page, QPointF(at - rect.topLeft()) / scale
        return None

    def current_page(self) -> int:
        """The page crossing the reading line (40 % down the view, as QPdfView's own page
        tracking); the last page once the view is scrolled to the end."""
        pages = self._pages()
        if self._restoring or not self._usable() or not pages:
            return min(self._place[0], max(0, len(pages) - 1))
        bar = self.verticalScrollBar()
        if bar.maximum() > 0 and bar.value() >= bar.maximum():
            return len(pages) - 1
        line = bar.value() + int(self.viewport().height() * READING_LINE)
        for page, (rect, _scale) in enumerate(pages):
            if rect.bottom() + self.pageSpacing() >= line:
                return page
        return len(pages) - 1

    # ------------------------------------------------------------------ moving

    def _usable(self) -> bool:
        """Whether the view has a real size yet (before it is shown, it has none)."""
        margins = self.documentMargins()
        return self.isVisible() and self.viewport().width() > margins.left() + margins.right()

    def _top_place(self) -> tuple[int, float]:
        """The page at the top of the view and how far down it (0..1)."""
        top = self.verticalScrollBar().value()
        pages = self._pages()
        for page, (rect, _scale) in enumerate(pages):
            if rect.bottom() + self.pageSpacing() >= top:
                return page, max(0.0, (top - rect.top()) / max(1, rect.height()))
        return max(0, len(pages) - 1), 0.0

    def go_to(self, page: int, fraction: float = 0.0) -> None:
        """Scroll so that ``fraction`` (0..1) down ``page`` is at the top of the view (with a
        margin of background above a page's top). Before the view has a size, it goes there
        when it is shown."""
        count = self.page_count()
        if not count:
            return
        page = max(0, min(page, count - 1))
        self._place = (page, fraction)
        if not self._usable():
            self.moved.emit()
            return
        rect = self.page_rect(page)
        top = rect.top() - self.documentMargins().top() if fraction <= 0 else rect.top()
        self._restoring = True
        try:
            self.verticalScrollBar().setValue(top + int(fraction * rect.height()))
        finally:
            self._restoring = False
        self.moved.emit()

    def show_point(self, page: int, point: QPointF) -> None:
        """Scroll so that ``point`` of ``page`` is in view, a third of the way down."""
        height = max(1.0, self.document().pagePointSize(page).height())
        if not self._usable():
            self.go_to(page, max(0.0, point.y() / height - 0.1))
            return
        scale = self.page_scale(page)
        rect = self.page_rect(page)
        self.verticalScrollBar().setValue(
            int(rect.top() + point.y() * scale - self.viewport().height() / 3)
        )
        x = rect.left() + point.x() * scale
        bar = self.horizontalScrollBar()
        if not bar.value() <= x - MARGIN <= bar.value() + self.viewport().width() - 2 * MARGIN:
            bar.setValue(int(x - MARGIN))

    def set_zoom(self, factor: float | None) -> None:
        """``None``: fit the width; else ``factor`` (1.0 is the paper's real size). The page
        and the place on it at the top of the view stay where they are."""
        place = self._place
        self._restoring = True
        try:
            if factor is None:
                self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            else:
                self.setZoomMode(QPdfView.ZoomMode.Custom)
                self.setZoomFactor(factor)
        finally:
            self._restoring = False
        self.go_to(*place)

    def effective_zoom(self) -> float:
        """The zoom now shown (1.0 is real size), also while fitting the width."""
        return self.page_scale(self.current_page()) / self._resolution

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if not self._restoring and self._usable():
            self._place = self._top_place()  # the reader scrolled: remember the new place
            self.moved.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The layout changes with the width (fit width); the scroll bar's value would then
        # point elsewhere: keep the place instead.
        self._restoring = True
        try:
            super().resizeEvent(event)
        finally:
            self._restoring = False
        self.go_to(*self._place)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.go_to(*self._place)

    # ------------------------------------------------------------------ selection, links

    def selected_text(self) -> str:
        return self._selection[1].text() if self._selection is not None else ""

    def clear_selection(self) -> None:
        if self._selection is not None:
            self._selection = None
            self.viewport().update()
            self.selectionChanged.emit()

    def link_at(self, page: int, point: QPointF) -> QPdfLink | None:
        self._links.setPage(page)
        link = self._links.linkAt(point)
        # Not isValid(): QPdfLink calls a web link (no page) invalid; no link has no rectangle.
        return link if link.rectangles() else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self.page_at(event.position().toPoint())
        self._press = (hit[0], hit[1], event.position().toPoint()) if hit else None
        self._dragging = False
        self.clear_selection()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position().toPoint()
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            hit = self.page_at(position)
            over_link = hit is not None and self.link_at(*hit) is not None
            self.viewport().setCursor(
                Qt.CursorShape.PointingHandCursor if over_link else Qt.CursorShape.IBeamCursor
            )
            return
        page, start, pressed_at = self._press
        if (position - pressed_at).manhattanLength() < QApplication.startDragDistance():
            return
        self._dragging = True
        rect = self.page_rect(page)
        scale = self.page_scale(page)
        # A drag past the page's edge selects to that edge: one page at a time.
        end = QPointF(position + self._offset() - rect.topLeft()) / scale
        size = self.document().pagePointSize(page)
        end = QPointF(min(max(end.x(), 0.0), size.width()), min(max(end.y(), 0.0), size.height()))
        selection = self.document().getSelection(page, start, end)
        self._selection = (page, selection) if selection.isValid() and selection.text() else None
        self.viewport().update()
        self.selectionChanged.emit()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, self._press = self._press, None
        if event.button() != Qt.MouseButton.LeftButton or press is None or self._dragging:
            return
        link = self.link_at(press[0], press[1])
        if link is not None:
            self.linkClicked.emit(link)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # the pages and the search hits (QPdfView)
        if self._selection is None:
            return
        page, selection = self._selection
        rect = self.page_rect(page)
        scale = self.page_scale(page)
        origin = rect.topLeft() - self._offset()
        transform = QTransform().translate(origin.x(), origin.y()).scale(scale, scale)
        painter = QPainter(self.viewport())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SELECTION_COLOUR)
        for polygon in selection.bounds():
            painter.drawPolygon(transform.map(polygon))
        painter.end()
