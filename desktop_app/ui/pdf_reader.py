"""The in-app reader: a paper's PDF with its outline, search and the keyboard (issue 16).

QtPdf (PySide6-Addons) renders it; importing this module loads QtPdf, so the window imports it
only when a paper is opened (the first paint does not pay for it).

Keys (while the reader has the focus; the window's single-letter keys wait meanwhile):
``j``/``k`` or the arrows scroll, ``Space``/``PgDn`` and ``Shift+Space``/``PgUp`` a screen,
``Home``/``End`` the first/last page, ``+``/``=`` and ``-`` zoom, ``0`` (or ``Ctrl+0``) fits
the width again, ``/`` (or ``Ctrl+F``) searches the paper (``Enter``/``Shift+Enter`` or
``n``/``N`` next/previous hit), ``Ctrl+C`` copies the selected text (a drag with the mouse) or,
with nothing selected, the whole current page's text; ``Esc`` closes the search, then the reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPointF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtPdf import QPdfBookmarkModel, QPdfDocument, QPdfLink, QPdfSearchModel
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.pdf_view import PageView

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
OUTLINE_WIDTH = 170
LINE_STEP = 60  # pixels per j/k or arrow key
NOTE_MS = 3000  # how long a note ("Copied …") stays in the header
OPEN_ELSEWHERE = "You can open it in another PDF viewer (Shift+P)."
WEB_SCHEMES = ("http", "https")

_PLAIN = Qt.KeyboardModifier.NoModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_CTRL = Qt.KeyboardModifier.ControlModifier
_KEYPAD = Qt.KeyboardModifier.KeypadModifier
K = Qt.Key

# The page view's keys: (key, modifiers) -> command. Shift is part of the character for
# "+", "/", "N", so those are matched on the text as well (see _command).
VIEW_KEYS: dict[tuple[int, Any], str] = {
    (K.Key_J, _PLAIN): "down",
    (K.Key_Down, _PLAIN): "down",
    (K.Key_K, _PLAIN): "up",
    (K.Key_Up, _PLAIN): "up",
    (K.Key_Space, _PLAIN): "screen_down",
    (K.Key_PageDown, _PLAIN): "screen_down",
    (K.Key_Space, _SHIFT): "screen_up",
    (K.Key_PageUp, _PLAIN): "screen_up",
    (K.Key_Home, _PLAIN): "first",
    (K.Key_Home, _CTRL): "first",
    (K.Key_End, _PLAIN): "last",
    (K.Key_End, _CTRL): "last",
    (K.Key_0, _PLAIN): "fit",
    (K.Key_0, _CTRL): "fit",
    (K.Key_F, _CTRL): "search",
    (K.Key_C, _CTRL): "copy",
    (K.Key_Escape, _PLAIN): "close",
}
VIEW_TEXT = {
    "+": "zoom_in",
    "=": "zoom_in",
    "-": "zoom_out",
    "/": "search",
    "n": "next",
    "N": "previous",
}


def _command(event: QKeyEvent) -> str | None:
    """The reader's command for a key press in the page view, or None."""
    modifiers = event.modifiers() & ~_KEYPAD
    command = VIEW_KEYS.get((event.key(), modifiers))
    if command is None and not modifiers & ~(_SHIFT | _CTRL):
        command = VIEW_TEXT.get(event.text())
        if command is None and modifiers & _CTRL and event.key() in (K.Key_Plus, K.Key_Equal):
            command = "zoom_in"
        if command is None and modifiers & _CTRL and event.key() == K.Key_Minus:
            command = "zoom_out"
    return command


def open_error_message(error: QPdfDocument.Error, path: Path) -> str:
    """What the reader says when QtPdf cannot open ``path``: what failed and what to do."""
    name = path.name
    if error == QPdfDocument.Error.FileNotFound:
        return f"The PDF “{name}” is not on this computer any more. Download it again."
    if error == QPdfDocument.Error.IncorrectPassword:
        return (
            f"“{name}” is protected by a password. Type it below and press Enter (it is not "
            "kept), or open the paper in another PDF viewer (Shift+P)."
        )
    if error == QPdfDocument.Error.UnsupportedSecurityScheme:
        return f"“{name}” uses a protection the reader does not support. " + OPEN_ELSEWHERE
    return (
        f"“{name}” is damaged or is not a PDF (perhaps an incomplete download). "
        "Download it again, or open it in another PDF viewer (Shift+P)."
    )


def web_url(link: QPdfLink) -> str | None:
    """The address a link leads to when it is an http(s) link to a web page; else None
    (internal links have a page instead; mailto:, file:, javascript: … are not followed)."""
    url: QUrl = link.url()
    if url.isValid() and url.scheme().lower() in WEB_SCHEMES and url.host():
        return str(url.toString())
    return None


class PdfReader(QWidget):
    """One paper's PDF: header (title, page, zoom), search bar, outline and pages.

    ``open(path, page, title)`` shows a PDF (False and a message in place of the pages when
    QtPdf cannot open it); ``pageChanged(int)`` (0-based) follows the reader's page,
    ``closeRequested()`` is Esc, ``linkRequested(str)`` an http(s) link clicked in the paper.
    """

    pageChanged = Signal(int)
    closeRequested = Signal()
    linkRequested = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfReader")
        self.document = QPdfDocument(self)
        self.path: Path | None = None
        self._page = -1
        self._opening = False
        self._has_text: bool | None = None  # computed on the first search without a hit

        self.view = PageView()
        self.view.set_document(self.document)
        self.view.linkClicked.connect(self._follow)
        self.view.moved.connect(self._track_page)
        self.search_model = QPdfSearchModel(self)
        self.search_model.setDocument(self.document)
        self.view.setSearchModel(self.search_model)

        self.outline_model = QPdfBookmarkModel(self)
        self.outline_model.setDocument(self.document)
        self.outline = QTreeView()
        self.outline.setObjectName("pdfOutline")
        self.outline.setModel(self.outline_model)
        self.outline.setHeaderHidden(True)
        self.outline.setUniformRowHeights(True)
        self.outline.setMinimumWidth(120)
        self.outline.setIndentation(14)  # also the left margin of a flat outline
        self.outline.activated.connect(self._go_to_entry)
        self.outline.clicked.connect(self._go_to_entry)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.outline)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([OUTLINE_WIDTH, 800])

        self.message = QLabel()
        self.message.setObjectName("pdfMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMargin(24)
        self.message.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Esc still closes

        # A password-protected PDF: asked for here, in place of the pages (never stored).
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("pdfPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Password")
        self.password_edit.setMaximumWidth(280)
        self.password_edit.returnPressed.connect(self._on_password_entered)
        self.message_page = QWidget()
        page_layout = QVBoxLayout(self.message_page)
        page_layout.addStretch(1)
        page_layout.addWidget(self.message)
        page_layout.addWidget(self.password_edit, 0, Qt.AlignmentFlag.AlignHCenter)
        page_layout.addStretch(1)
        self.password_edit.hide()
        self._asked: tuple[Path, int, str] | None = None  # what the password opens

        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.message_page)

        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.note_label = QLabel()
        self.note_label.setEnabled(False)  # the palette's quieter text
        self.page_label = QLabel()
        self.zoom_label = QLabel()
        self.zoom_label.setEnabled(False)
        header = QHBoxLayout()
        header.setContentsMargins(10, 4, 10, 4)
        header.setSpacing(14)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.note_label)
        header.addWidget(self.page_label)
        header.addWidget(self.zoom_label)
        # The mouse's way to what the keys do; the buttons never take the keys from the page.
        self.buttons: dict[str, QToolButton] = {}
        for name, text, tip, slot in (
            ("zoom_out", "−", "Zoom out (-)", self.zoom_out),
            ("zoom_in", "+", "Zoom in (+)", self.zoom_in),
            ("fit", "↔", "Fit the width (0)", self.fit_width),
            ("search", "Find", "Search in the paper (/)", self.show_search),
            ("close", "Close", "Back to the abstract (Esc)", self._on_close_clicked),
        ):
            button = QToolButton()
            button.setObjectName(f"pdf_{name}")
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            self.buttons[name] = button
            header.addWidget(button)
        header.setSpacing(8)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_MS)
        self._note_timer.timeout.connect(self.note_label.clear)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("pdfSearch")
        self.search_edit.setPlaceholderText("Search in the paper")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(360)
        self.hits_label = QLabel()
        hint = QLabel("Enter next · Shift+Enter previous · Esc close")
        hint.setEnabled(False)
        self.search_bar = QFrame()
        self.search_bar.setObjectName("pdfSearchBar")
        bar = QHBoxLayout(self.search_bar)
        bar.setContentsMargins(10, 2, 10, 4)
        bar.setSpacing(10)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.hits_label)
        bar.addStretch(0)
        bar.addWidget(hint)
        self.search_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.stack, 1)

        for widget in (self.view, self.outline, self.search_edit, self.message, self.password_edit):
            widget.installEventFilter(self)
        self.setFocusProxy(self.view)
        self.close_document()

    def _on_close_clicked(self) -> None:
        self.closeRequested.emit()

    # ------------------------------------------------------------------ public API

    def open(self, path: Path, page: int = 0, title: str = "", password: str = "") -> bool:
        """Show the PDF at ``path`` from ``page`` (0-based; clamped). False, with a message
        in place of the pages, when QtPdf cannot open it (missing, damaged, not a PDF,
        password-protected: then the password is asked for there, and ``password`` is
        tried)."""
        self.close_document()
        self._opening = True  # no pageChanged for the scrolling done while opening
        path = Path(path)
        self.document.setPassword(password)
        error = self.document.load(str(path))
        self.document.setPassword("")  # not kept beyond opening
        if error == QPdfDocument.Error.None_ and self.document.pageCount() == 0:
            error = QPdfDocument.Error.InvalidFileFormat
        if error != QPdfDocument.Error.None_:
            self.document.close()
            self._opening = False
            text = open_error_message(error, path)
            locked = error == QPdfDocument.Error.IncorrectPassword
            if locked and password:
                text = f"That is not the password of “{path.name}”. Try again, or Esc."
            self.message.setText(text)
            self._asked = (path, page, title) if locked else None
            self.password_edit.clear()
            self.password_edit.setVisible(locked)
            self.stack.setCurrentWidget(self.message_page)
            self.title_label.setText(title or path.name)
            if locked:
                self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            elif self.view.hasFocus():
                self.message.setFocus()
            return False
        self.path = path
        meta = self.document.metaData(QPdfDocument.MetaDataField.Title)
        self.title_label.setText(title or (str(meta) if meta else "") or path.name)
        self.title_label.setToolTip(self.title_label.text())
        self.view.reset()
        has_outline = self.outline_model.rowCount(QModelIndex()) > 0
        self.outline.setVisible(has_outline)
        if has_outline:
            self.outline.expandToDepth(0)
        self.stack.setCurrentWidget(self.splitter)
        self.view.go_to(page)
        self._opening = False
        self._update_zoom_label()
        self._track_page()
        return True

    def take_focus(self) -> None:
        """Give the keys to what the reader shows: the pages, or in their place the password
        field (a protected PDF) or the message (``Esc`` goes back)."""
        reason = Qt.FocusReason.OtherFocusReason
        if self.stack.currentWidget() is not self.message_page:
            self.view.setFocus(reason)
        elif not self.password_edit.isHidden():
            self.password_edit.setFocus(reason)
        else:
            self.message.setFocus(reason)

    def _on_password_entered(self) -> None:
        if self._asked is not None and self.password_edit.text():
            path, page, title = self._asked
            if self.open(path, page, title, self.password_edit.text()):
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_document(self) -> None:
        """Show nothing and let go of the file (and of its rendered pages)."""
        self._hide_search()
        self.search_model.setSearchString("")
        self.search_edit.clear()
        self.document.close()
        self.view.reset()
        self.path = None
        self._page = -1
        self._has_text = None
        self.outline.hide()
        self.title_label.clear()
        self.page_label.clear()
        self.zoom_label.clear()
        self.note_label.clear()
        self.message.clear()
        self.stack.setCurrentWidget(self.splitter)

    def current_page(self) -> int:
        """The page being read (0-based)."""
        return self.view.current_page()

    def page_count(self) -> int:
        return self.view.page_count()

    def go_to_page(self, page: int) -> None:
        self.view.go_to(page)

    def zoom_in(self) -> None:
        self._zoom(+1)

    def zoom_out(self) -> None:
        self._zoom(-1)

    def fit_width(self) -> None:
        self.view.set_zoom(None)
        self._update_zoom_label()

    def show_search(self) -> None:
        self.search_bar.show()
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def find_text(self, text: str, backwards: bool = False) -> int:
        """Go to the next (previous) hit of ``text`` from where the reader is; the number of
        hits in the paper (0: none, and the bar says why)."""
        text = text.strip()
        if not text or not self.page_count():
            self.hits_label.clear()
            return 0
        model = self.search_model
        if model.searchString() != text:
            model.setSearchString(text)
            self.view.setCurrentSearchResultIndex(-1)
        # QPdfSearchModel searches one page per 100 ms on its own; the count is needed now
        # (about 1 ms a page).
        for page in range(self.page_count()):
            model.resultsOnPage(page)
        total = model.rowCount(QModelIndex())
        if total == 0:
            self.view.setCurrentSearchResultIndex(-1)
            self.hits_label.setText(
                "No matches" if self._searchable() else "This paper has no searchable text"
            )
            return 0
        index = self._next_hit(total, backwards)
        self.view.setCurrentSearchResultIndex(index)
        hit = model.resultAtIndex(index)
        rects = hit.rectangles()
        self.view.show_point(hit.page(), rects[0].topLeft() if rects else hit.location())
        self.hits_label.setText(f"{index + 1} of {total}")
        return total

    def copy(self) -> str:
        """Copy the selected text or, with nothing selected, the current page's; returns it."""
        text = self.view.selected_text()
        what = "the selection"
        if not text and self.page_count():
            page = self.current_page()
            text = self.document.getAllText(page).text()
            what = f"the text of page {page + 1}"
        if not text:
            self._note("Nothing to copy: this page has no text")
            return ""
        QGuiApplication.clipboard().setText(text)
        self._note(f"Copied {what}")
        return text

    # ------------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        if watched is self.search_edit:
            command = self._search_command(event)
        elif watched is self.outline:
            command = self._outline_command(event)
        elif watched is self.view:
            command = _command(event)
        else:  # the message shown in place of the pages
            command = "close" if event.key() == K.Key_Escape else None
        if command is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key is the reader's, not a window shortcut's
            return True
        self._run(command)
        return True

    @staticmethod
    def _search_command(event: QKeyEvent) -> str | None:
        key, modifiers = event.key(), event.modifiers() & ~_KEYPAD
        if key == K.Key_Escape:
            return "hide_search"
        if key in (K.Key_Return, K.Key_Enter):
            return "previous" if modifiers & _SHIFT else "next"
        if key == K.Key_F and modifiers == _CTRL:
            return "search"
        return None

    @staticmethod
    def _outline_command(event: QKeyEvent) -> str | None:
        key, text = event.key(), event.text()
        if key == K.Key_Escape:
            return "close"
        if text == "j":
            return "outline_down"
        if text == "k":
            return "outline_up"
        if text == "/" or (key == K.Key_F and event.modifiers() == _CTRL):
            return "search"
        return None

    def _run(self, command: str) -> None:
        bar = self.view.verticalScrollBar()
        screen = max(LINE_STEP, int(self.view.viewport().height() * 0.9))
        moves = {
            "down": LINE_STEP,
            "up": -LINE_STEP,
            "screen_down": screen,
            "screen_up": -screen,
        }
        if command in moves:
            bar.setValue(bar.value() + moves[command])
        elif command == "first":
            self.view.go_to(0)
        elif command == "last":
            bar.setValue(bar.maximum())
        elif command == "zoom_in":
            self.zoom_in()
        elif command == "zoom_out":
            self.zoom_out()
        elif command == "fit":
            self.fit_width()
        elif command == "search":
            self.show_search()
        elif command in ("next", "previous"):
            self.find_text(self.search_edit.text(), backwards=command == "previous")
        elif command == "copy":
            self.copy()
        elif command == "hide_search":
            self._hide_search()
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif command == "close":
            if self.search_bar.isVisible():
                self._run("hide_search")
            else:
                self.closeRequested.emit()
        elif command in ("outline_down", "outline_up"):
            current = self.outline.currentIndex()
            move = self.outline.indexBelow if command == "outline_down" else self.outline.indexAbove
            target = move(current) if current.isValid() else self.outline_model.index(0, 0)
            if target.isValid():
                self.outline.setCurrentIndex(target)

    # ------------------------------------------------------------------ internals

    def _zoom(self, step: int) -> None:
        if not self.page_count():
            return
        now = self.view.effective_zoom()
        if step > 0:
            factor = next((z for z in ZOOM_STEPS if z > now * 1.01), ZOOM_STEPS[-1])
        else:
            factor = next((z for z in reversed(ZOOM_STEPS) if z < now * 0.99), ZOOM_STEPS[0])
        self.view.set_zoom(factor)
        self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        if not self.page_count():
            self.zoom_label.clear()
        elif self.view.zoomMode() == self.view.ZoomMode.FitToWidth:
            self.zoom_label.setText("fit width")
        else:
            self.zoom_label.setText(f"{round(self.view.zoomFactor() * 100)} %")

    def _track_page(self) -> None:
        count = self.page_count()
        if not count or self._opening:
            return
        page = self.view.current_page()
        self.page_label.setText(f"page {page + 1} / {count}")
        if page != self._page:
            self._page = page
            self.pageChanged.emit(page)

    def _hide_search(self) -> None:
        self.search_bar.hide()

    def _next_hit(self, total: int, backwards: bool) -> int:
        """The hit after (before) the current one; for a new search, the first hit from the
        page being read on (wrapping round)."""
        current = self.view.currentSearchResultIndex()
        if 0 <= current < total:
            return (current + (-1 if backwards else 1)) % total
        page = self.current_page()
        pages = [self.search_model.resultAtIndex(i).page() for i in range(total)]
        if backwards:
            return max((i for i, p in enumerate(pages) if p <= page), default=total - 1)
        return next((i for i, p in enumerate(pages) if p >= page), 0)

    def _searchable(self) -> bool:
        """Whether any page has a text layer (a scanned paper has none)."""
        if self._has_text is None:
            self._has_text = any(
                self.document.getAllText(page).text().strip() for page in range(self.page_count())
            )
        return self._has_text

    def _follow(self, link: QPdfLink) -> None:
        """A link clicked in the paper: a page of the paper is shown, an http(s) address goes
        to the window (``linkRequested``); anything else (mailto:, file:, …) is ignored."""
        url = web_url(link)
        if url is not None:
            self.linkRequested.emit(url)
        elif link.url().isEmpty() and 0 <= link.page() < self.page_count():
            location: QPointF = link.location()
            if location.isNull():
                self.view.go_to(link.page())
            else:
                self.view.show_point(link.page(), location)

    def _go_to_entry(self, index: QModelIndex) -> None:
        page = index.data(QPdfBookmarkModel.Role.Page.value)
        if isinstance(page, int) and 0 <= page < self.page_count():
            self.view.go_to(page)

    def _note(self, text: str) -> None:
        self.note_label.setText(text)
        self._note_timer.start()


__all__ = ["PdfReader", "open_error_message", "web_url"]
