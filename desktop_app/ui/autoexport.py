"""Files kept up to date in the window: File ▸ Keep exported…, and the background updates.

A moment after any change to the library (an edit, an import, a fetch — debounced, so a burst
of edits is one update), the worker brings every kept file up to date
(:mod:`desktop_app.library.autoexport`): a file is rewritten only when its text changes. A
file that could not be updated is named in the message bar with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.library.jobs import (
    AddAutoExport,
    AutoExported,
    RefreshAutoExports,
    RemoveAutoExport,
)
from desktop_app.store import Repository
from desktop_app.ui import ask
from desktop_app.ui.ask import plain_label, rich_safe
from desktop_app.ui.bibtex_dialogs import EXPORT_FORMATS
from desktop_app.ui.controller import Controller
from desktop_app.ui.folders import RecentFolders
from desktop_app.ui.message_bar import MessageBar

DELAY_MS = 1500  # after the last change


class AutoExportController(QObject):
    """Schedules the background updates and runs the Keep exported… dialog.

    Signals:
        refreshed(object): an update finished (:class:`~desktop_app.library.jobs.AutoExported`).
    """

    refreshed = Signal(object)

    def __init__(
        self,
        repo: Repository,
        controller: Controller,
        message_bar: MessageBar,
        status: Callable[[str], None],
        scopes: Callable[[], list[tuple[str, str | None, str]]],
        parent_widget: QWidget,
        folders: RecentFolders | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.repo = repo
        self.controller = controller
        self.message_bar = message_bar
        self.folders = folders or RecentFolders()
        self._status = status
        self._scopes = scopes  # (label, tag, query) the Add dialog offers
        self._widget = parent_widget
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.refresh_now)
        self.dialog: KeepExportedDialog | None = None

    @Slot()
    def schedule(self) -> None:
        """The library changed: update the kept files once it has been quiet a moment."""
        self.timer.start()

    @Slot()
    def refresh_now(self) -> None:
        self.controller.run(RefreshAutoExports(), self._on_refreshed, quiet=True)

    def _on_refreshed(self, result: AutoExported) -> None:
        for r in result.failed:
            self.message_bar.show_message(
                f"Could not update {Path(r.path).name}: {r.error}", retry=False
            )
        if result.written:
            self._status(result.describe())
        if self.dialog is not None:
            self.dialog.reload()
        self.refreshed.emit(result)

    # ------------------------------------------------------------------ the dialog
    @Slot()
    def on_keep_exported_triggered(self) -> None:
        self.dialog = KeepExportedDialog(self, self._widget)
        try:
            self.dialog.exec()
        finally:
            self.dialog = None

    def ask_path(self, name: str, pattern: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self._widget, "Keep exported", self.folders.start("autoexport", name), pattern
        )
        self.folders.remember("autoexport", path)
        return path

    def add(self, path: str, tag: str | None, query: str, fmt: str) -> int:
        return self.controller.run(AddAutoExport(path, tag, query, fmt), self._on_changed)

    def remove(self, path: str) -> int:
        return self.controller.run(RemoveAutoExport(path), self._on_changed)

    def _on_changed(self, result: AutoExported) -> None:
        for r in result.failed:
            self.message_bar.show_message(
                f"Could not write {Path(r.path).name}: {r.error}", retry=False
            )
        if self.dialog is not None:
            self.dialog.reload()
        self.refreshed.emit(result)


class KeepExportedDialog(QDialog):
    """The files kept up to date: what each holds, its format and how its last update went."""

    def __init__(self, owner: AutoExportController, parent: Any = None) -> None:
        super().__init__(parent)
        self.owner = owner
        self.setWindowTitle("Keep exported")
        intro = plain_label(
            "These files are rewritten whenever the library changes (only when their text "
            "changes), so a LaTeX document or a git repository always has the current "
            "bibliography. Citation keys never change."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["File", "Holds", "Format", "Last update"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("Add…")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.resize(820, 320)
        self.reload()

    def reload(self) -> None:
        specs = self.owner.repo.autoexports()
        self.table.setRowCount(len(specs))
        for i, spec in enumerate(specs):
            if spec.error:
                status = f"Failed: {spec.error}"
            elif spec.written:
                n = spec.entries or 0
                status = f"{_local_time(spec.written)} ({n} entr{'y' if n == 1 else 'ies'})"
            else:
                status = "Not written yet"
            for col, text in enumerate((spec.path, spec.scope, spec.format, status)):
                item = QTableWidgetItem(text)
                item.setToolTip(rich_safe(text))
                self.table.setItem(i, col, item)
        self.table.resizeColumnsToContents()
        self.remove_button.setEnabled(bool(specs))

    @Slot()
    def on_add_clicked(self) -> None:
        form = AddKeptDialog(self.owner._scopes(), self)
        if not form.exec():
            return
        _label, tag, query = form.scope()
        fmt, name, pattern = form.format_choice()
        path = self.owner.ask_path(name, pattern)
        if path:
            self.owner.add(path, tag, query, fmt)

    @Slot()
    def on_remove_clicked(self) -> None:
        row = self.table.currentRow()
        row = row if row >= 0 else 0
        item = self.table.item(row, 0)
        if item is not None:
            self.owner.remove(item.text())


def _local_time(stamp: str) -> str:
    """A stored UTC time (``2026-12-02T00:26:31Z``) as the user's clock shows it."""
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    return when.astimezone().strftime("%d %b %Y %H:%M")


class AddKeptDialog(QDialog):
    """What a new kept file holds, and in which format."""

    def __init__(self, scopes: list[tuple[str, str | None, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keep a file up to date")
        self._scopes = scopes
        self.what = QComboBox()
        for label, _tag, _query in scopes:
            self.what.addItem(label)
        self.format = QComboBox()
        for key, label, _, _ in EXPORT_FORMATS:
            self.format.addItem(label, key)
        form = QFormLayout()
        form.addRow("Papers", self.what)
        form.addRow("Format", self.format)
        buttons = ask.ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def scope(self) -> tuple[str, str | None, str]:
        return self._scopes[max(self.what.currentIndex(), 0)]

    def format_choice(self) -> tuple[str, str, str]:
        """``(format, default file name, file-dialog filter)``."""
        key = str(self.format.currentData())
        for k, _label, name, pattern in EXPORT_FORMATS:
            if k == key:
                return k, name, pattern
        return "bibtex", "papers.bib", "BibTeX (*.bib)"
