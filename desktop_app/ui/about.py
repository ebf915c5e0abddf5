"""Help ▸ About (the version, the library's path and size, the Qt and Python versions) and
Help ▸ *Copy diagnostics* (the same, with the log's last errors, for a bug report); see
:mod:`desktop_app.library.diagnostics`."""

from __future__ import annotations

from collections.abc import Callable

import PySide6
from PySide6.QtCore import QObject, Qt, Slot, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app import APP_NAME
from desktop_app.domain import FeedQuery
from desktop_app.errors import AppError
from desktop_app.library.diagnostics import AboutInfo, diagnostics_text, library_size, log_path
from desktop_app.store import Repository
from desktop_app.ui import ask

BLURB = (
    "The Hugging Face Daily Papers feed and arXiv on your desktop: read abstracts quickly, "
    "tag a personal library, export BibTeX that compiles."
)


class AboutController(QObject):
    """The About box and the diagnostics; ``status(text)`` says in the status bar that they
    were copied."""

    def __init__(self, repo: Repository, parent: QWidget, status: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.repo = repo
        self._widget = parent
        self._status = status

    def info(self) -> AboutInfo:
        try:
            papers = self.repo.count(FeedQuery())
        except AppError:
            papers = -1
        return AboutInfo(
            library=self.repo.path,
            size=library_size(self.repo.path),
            papers=max(papers, 0),
            qt_version=qVersion(),
            pyside_version=PySide6.__version__,
        )

    def diagnostics(self) -> str:
        return diagnostics_text(self.info(), log_path(self.repo.path.parent))

    @Slot()
    def on_about_triggered(self) -> None:
        """The About box (Help ▸ Copy diagnostics copies what it says, and the log's errors)."""
        lines = self.info().lines()
        box = QMessageBox(
            QMessageBox.Icon.Information, f"About {APP_NAME}", "", parent=self._widget
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{lines[0]}\n\n{BLURB}")
        box.setInformativeText("\n".join(lines[1:]))
        ask.plain_labels(box)  # a folder's name is shown as it is, never as markup
        icon = QApplication.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(64, 64))
        box.exec()

    @Slot()
    def on_copy_diagnostics_triggered(self) -> None:
        QApplication.clipboard().setText(self.diagnostics())
        self._status("Diagnostics copied to the clipboard: paste them into your bug report.")
