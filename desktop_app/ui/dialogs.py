"""Small dialogs: the tag picker (press T in the feed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)


class TagPicker(QDialog):
    """Type a tag (with completion over existing ones); Enter applies it, creating it if new.

    Several tags may be given separated by commas. ``remove`` mode lists only the tags the
    selection carries.
    """

    def __init__(
        self, names: list[str], count: int, parent: Any = None, title: str = "Tag papers"
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.edit = QLineEdit()
        self.edit.setObjectName("tagPickerEdit")
        self.edit.setPlaceholderText("tag, or parent/child — Enter to apply")
        completer = QCompleter(sorted(names, key=str.casefold), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        self.completer = completer
        label = QLabel(f"Tag {count} selected paper{'s' if count != 1 else ''}:")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(buttons)
        self.resize(380, self.sizeHint().height())

    def tags(self) -> list[str]:
        return [t.strip() for t in self.edit.text().split(",") if t.strip().strip("/")]
