"""Small dialogs: the tag picker (press T) and the keyboard-shortcut sheet (press ?)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop_app.ui import ask


class TagPicker(QDialog):
    """Type a tag (with completion over existing ones); one Enter applies it, creating it if
    new. Several tags may be given separated by commas.

    The tags the selected papers carry are listed, ticked (half-ticked when only some papers
    carry one); untick one to remove it. The buttons sit beside the field, so the completion
    popup below it never covers them.
    """

    def __init__(
        self,
        names: list[str],
        count: int,
        parent: Any = None,
        title: str = "Tag papers",
        current: Sequence[tuple[str, bool]] = (),
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
        # Enter on a completion fills the field and applies it: one Enter, not two.
        completer.activated.connect(self.on_completer_activated)
        self.edit.returnPressed.connect(self.accept)
        label = QLabel(f"Tag {count} selected paper{'s' if count != 1 else ''}:")
        self.current = QListWidget()
        self.current.setObjectName("currentTags")
        self.current.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for name, everywhere in current:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if everywhere else Qt.CheckState.PartiallyChecked
            )
            item.setToolTip("Untick to remove this tag (Space)")
            self.current.addItem(item)
        self.current.setVisible(bool(current))
        self.current.setMaximumHeight(120)
        current_label = QLabel("Tags they have (untick to remove):")
        current_label.setVisible(bool(current))
        # Suggestions of the interest model (filled in when they arrive from the worker).
        self.suggested_label = QLabel("Suggested (tick to add):")
        self.suggested = QListWidget()
        self.suggested.setObjectName("suggestedTags")
        self.suggested.setMaximumHeight(100)
        for widget in (self.suggested_label, self.suggested):
            widget.hide()
        buttons = ask.ok_cancel(self, Qt.Orientation.Vertical)
        self.buttons = buttons
        layout = QGridLayout(self)
        layout.addWidget(label, 0, 0)
        layout.addWidget(self.edit, 1, 0)
        layout.addWidget(current_label, 2, 0)
        layout.addWidget(self.current, 3, 0)
        layout.addWidget(self.suggested_label, 4, 0)
        layout.addWidget(self.suggested, 5, 0)
        layout.addWidget(buttons, 0, 1, 6, 1, Qt.AlignmentFlag.AlignTop)
        self.resize(460, self.sizeHint().height())

    def on_completer_activated(self, text: str) -> None:
        self.edit.setText(text)
        QTimer.singleShot(0, self._accept_once)

    def _accept_once(self) -> None:
        if self.isVisible():
            self.accept()

    def set_suggestions(self, found: Sequence[tuple[str, float]]) -> None:
        """Offer the tags the interest model is confident about, with their confidence."""
        carried = {self.current.item(i).text().casefold() for i in range(self.current.count())}
        self.suggested.clear()
        for tag, confidence in found:
            if tag.casefold() in carried:
                continue
            item = QListWidgetItem(f"{tag}  ({round(confidence * 100)}%)")
            item.setData(Qt.ItemDataRole.UserRole, tag)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip("Learned from the papers you tagged so (Space ticks it)")
            self.suggested.addItem(item)
        for widget in (self.suggested_label, self.suggested):
            widget.setVisible(self.suggested.count() > 0)

    def tags(self) -> list[str]:
        """The tags typed in the field, and the suggestions ticked."""
        typed = [t.strip() for t in self.edit.text().split(",") if t.strip().strip("/")]
        items = (self.suggested.item(i) for i in range(self.suggested.count()))
        ticked = [
            str(i.data(Qt.ItemDataRole.UserRole))
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        ]
        return typed + [t for t in ticked if t.casefold() not in {x.casefold() for x in typed}]

    def removed(self) -> list[str]:
        """The current tags the user unticked."""
        items = (self.current.item(i) for i in range(self.current.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Unchecked]


# Keys that are not actions of a menu: they belong to a widget.
EXTRA_KEYS = (
    ("Search", "Enter or ↓", "Go to the first result"),
    ("Search", "Esc", "Clear the search and go back to the view"),
    ("Lists", "↑ ↓ Page Up/Down Home End", "Move in the list"),
    ("Lists", "Shift/Ctrl + click or arrows", "Select several papers"),
)


def shortcut_rows(
    menus: Sequence[QMenu], extra: Sequence[QAction] = ()
) -> list[tuple[str, str, str]]:
    """``(section, keys, what)`` for every action with a shortcut, by menu, then the keys
    that belong to widgets: what the sheet shows, so it can never drift from the actions."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def add(section: str, action: QAction) -> None:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        # Letters are typed lower-case: "j", not "J" (which reads as Shift+J).
        keys = [k.lower() if len(k) == 1 else k for k in keys if k]
        if keys and id(action) not in seen:
            seen.add(id(action))
            what = action.property("sheetText") or action.text().replace("&", "")
            rows.append((section, " or ".join(keys), str(what)))

    for menu in menus:
        section = menu.title().replace("&", "")
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                for inner in sub.actions():
                    add(section, inner)
            elif not action.isSeparator():
                add(section, action)
    for action in extra:
        add("Tags", action)
    rows += [(section, keys, what) for section, keys, what in EXTRA_KEYS]
    return rows


class ShortcutSheet(QDialog):
    """Every keyboard shortcut on one sheet (Help ▸ Keyboard shortcuts, or ``?``)."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        note = QLabel(
            "Single-letter keys work anywhere in the window except while typing in a text field."
        )
        note.setWordWrap(True)
        table = QTableWidget(len(rows), 3)
        table.setObjectName("shortcutTable")
        table.setHorizontalHeaderLabels(["", "Keys", "Does"])
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        last = None
        for r, (section, keys, what) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(section if section != last else ""))
            table.setItem(r, 1, QTableWidgetItem(keys))
            table.setItem(r, 2, QTableWidgetItem(what))
            last = section
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        self.resize(560, 620)

    def texts(self) -> list[tuple[str, str]]:
        """``(keys, what)`` of each row."""
        t = self.table

        def text(row: int, column: int) -> str:
            item = t.item(row, column)
            return item.text() if item is not None else ""

        return [(text(r, 1), text(r, 2)) for r in range(t.rowCount())]
