"""Answering the window's real modal dialogs from a test, the way a person would.

``answering(...)`` starts a timer that watches for a modal dialog (a QMessageBox, an input
dialog, a file or colour dialog, any QDialog), records what it said, and answers it: clicks a
button by its text, types a value and accepts, or cancels. The dialog runs its real ``exec()``
event loop in between, so tests see exactly what a user sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QWidget,
)


@dataclass
class Seen:
    """One dialog that was shown: its class, title and every label's text and format (and,
    for a file dialog, the folder it opened in)."""

    kind: str
    title: str
    texts: list[str]
    plain: list[bool]
    directory: str = ""


@dataclass
class Answers:
    """What to answer, in order; the last answer repeats. ``None`` cancels.

    An answer is a button's text (QMessageBox, or any dialog's button), a value to type
    (input dialogs), a path (file dialogs), or "accept".
    """

    replies: list[str | None]
    seen: list[Seen] = field(default_factory=list)

    def next_reply(self) -> str | None:
        if len(self.replies) > 1:
            return self.replies.pop(0)
        return self.replies[0] if self.replies else None


def _describe(widget: QWidget) -> Seen:
    labels = widget.findChildren(QLabel)
    texts = [label.text() for label in labels if label.text()]
    plain = [label.textFormat().name == "PlainText" for label in labels if label.text()]
    for lst in widget.findChildren(QListWidget):  # what a list shows is text too
        items = [lst.item(i).text() for i in range(lst.count())]
        texts += items
        plain += [True] * len(items)
    if isinstance(widget, QMessageBox):
        texts.insert(0, widget.text())
        plain.insert(0, widget.textFormat().name == "PlainText")
    directory = widget.directory().absolutePath() if isinstance(widget, QFileDialog) else ""
    return Seen(type(widget).__name__, widget.windowTitle(), texts, plain, directory)


def _answer(widget: QWidget, reply: str | None) -> None:
    if isinstance(widget, QMessageBox):
        if reply is not None:
            for button in widget.findChildren(QAbstractButton):
                if button.text().replace("&", "") == reply:
                    button.click()
                    return
        widget.reject()
        return
    if isinstance(widget, QInputDialog) and reply is not None:
        widget.setTextValue(reply)
        widget.accept()
        return
    if isinstance(widget, QFileDialog) and reply is not None:
        from pathlib import Path

        widget.setDirectory(str(Path(reply).parent))
        widget.selectFile(Path(reply).name)
        name_edit = widget.findChild(QLineEdit, "fileNameEdit")  # what a person types into
        if name_edit is not None:
            name_edit.setText(reply)
        widget.accept()
        return
    if isinstance(widget, QDialog):
        if reply is not None and reply == "accept":
            widget.accept()
            return
        if reply is not None:  # a button of the dialog, by its text ("Add…", "Close")
            for button in widget.findChildren(QAbstractButton):
                if button.text().replace("&", "") == reply and button.isEnabled():
                    button.click()
                    return
        widget.reject()


@contextlib.contextmanager
def answering(*replies: str | None, interval_ms: int = 5) -> Iterator[Answers]:
    """Answer every modal dialog opened inside the block; see :class:`Answers`."""
    answers = Answers(list(replies))
    timer = QTimer()
    timer.setInterval(interval_ms)

    answering_now: set[int] = set()

    def tick() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible() or id(widget) in answering_now:
            return
        answers.seen.append(_describe(widget))
        reply = answers.next_reply()
        answering_now.add(id(widget))

        def answer() -> None:
            # Outside the timer's slot: an answer that opens another dialog (a button that
            # asks more) runs its event loop here, and the timer goes on answering that one
            # (this dialog is left alone until its answer has returned).
            try:
                _answer(widget, reply)
            finally:
                answering_now.discard(id(widget))

        QTimer.singleShot(0, answer)

    timer.timeout.connect(tick)
    timer.start()
    try:
        yield answers
    finally:
        timer.stop()


# --------------------------------------------------------------------------- the feed model


def paper_at(model: Any, row: int) -> Any:
    """The Paper shown in ``row`` of the feed (read as a delegate reads it)."""
    from desktop_app.ui.feed_model import PaperRole

    return model.index(row).data(PaperRole)


def loaded_ids(model: Any) -> list[str]:
    """The ids of every row the feed has loaded, in order."""
    from desktop_app.ui.feed_model import PaperIdRole

    return [model.index(r).data(PaperIdRole) for r in range(model.rowCount())]


def cached_papers(model: Any) -> int:
    """How many whole papers the feed keeps in memory (its bounded page cache)."""
    return sum(len(page) for page in model._pages.values())


def when_shown(kind: type, act: Callable[[Any], None]) -> QTimer:
    """Call ``act(dialog)`` once a modal dialog of ``kind`` is open, from inside its event
    loop: for a test that works a dialog's widgets itself (keys, ticks) before answering."""
    timer = QTimer()
    timer.setInterval(5)

    def tick() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            timer.stop()
            act(widget)

    timer.timeout.connect(tick)
    timer.start()
    return timer


def active(window: Any, qtbot: Any) -> Any:
    """Show ``window`` and make it the active one, as a window manager does with a window
    the user clicks: window-wide shortcuts (the single-letter keys) need it."""
    from PySide6.QtWidgets import QApplication

    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


@contextlib.contextmanager
def in_preferences(change: Callable[[Any], None]) -> Iterator[None]:
    """Answer the Preferences dialog as a person would: ``change(dialog)`` (tick a box, pick
    a theme…), then press OK."""
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from desktop_app.ui.preferences import PreferencesDialog

    def tick() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PreferencesDialog) and dialog.isVisible():
            timer.stop()
            change(dialog)
            box = dialog.findChild(QDialogButtonBox)
            box.button(QDialogButtonBox.StandardButton.Ok).click()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    try:
        yield
    finally:
        timer.stop()
