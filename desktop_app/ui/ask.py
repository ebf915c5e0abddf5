"""Modal questions, with every piece of text shown as plain text.

Qt guesses whether a label's text is rich text (``Qt::AutoText``), so a tag name arriving from
a ``.bib`` keyword such as ``<img src="file:/etc/passwd">`` would be rendered, and would make
Qt load a local file. Every question the window asks goes through these helpers, which set
``Qt.TextFormat.PlainText`` on each label they show. They are also the one place tests answer
dialogs.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QWidget,
)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that always shows its text literally (for anything a user or server wrote)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def plain_labels(widget: QWidget) -> None:
    """Make every label inside ``widget`` show its text literally."""
    for label in widget.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)


def rich_safe(text: str) -> str:
    """``text`` for a tooltip, which Qt renders as rich text when it looks like some: such
    text is escaped (and shown literally), anything else is left as it is."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


def ok_cancel(dialog: QDialog, orientation: Qt.Orientation | None = None) -> QDialogButtonBox:
    """OK and Cancel that accept and reject ``dialog`` (laid out by the caller)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    if orientation is not None:
        buttons.setOrientation(orientation)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def confirm(parent: QWidget | None, title: str, text: str, *, action: str = "") -> bool:
    """A Yes/No question; No is the default (Enter does not destroy anything)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes = box.addButton(action or "Yes", QMessageBox.ButtonRole.YesRole)
    no = box.addButton("Cancel" if action else "No", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def inform(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text, or None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    return _run(dialog, dialog.textValue)


def ask_item(
    parent: QWidget | None, title: str, label: str, items: Sequence[str], editable: bool = True
) -> str | None:
    """One of ``items`` (or, if ``editable``, anything typed), or None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setComboBoxItems(list(items))
    dialog.setComboBoxEditable(editable)
    return _run(dialog, dialog.textValue)


def _run(dialog: QInputDialog, value: Callable[[], Any]) -> Any:
    plain_labels(dialog)
    try:
        return value() if dialog.exec() else None
    finally:
        dialog.deleteLater()
