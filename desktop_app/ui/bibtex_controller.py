"""BibTeX in the window: copy, export (in the worker) and import with a preview first.

A non-widget QObject given what it needs: the repository, the job controller, the editor (an
import can be undone), the selection, and what the current view is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from desktop_app.config import Settings
from desktop_app.domain import FeedQuery
from desktop_app.library.jobs import (
    ExportBibTeX,
    Exported,
    ImportBibTeX,
    Imported,
    LookUpPublished,
)
from desktop_app.store import Repository
from desktop_app.ui.controller import Controller
from desktop_app.ui.editor import Editor
from desktop_app.ui.folders import RecentFolders
from desktop_app.ui.undo import ImportCommand

if TYPE_CHECKING:  # pybtex and pylatexenc load when BibTeX is first used
    from desktop_app.bibtex import BibTeXOptions


@dataclass(frozen=True)
class ViewInfo:
    """What the export dialog needs to know of the view the window shows."""

    label: str
    query: FeedQuery
    total: int
    tag: str | None  # the tag, when the view is one tag's


class BibtexController(QObject):
    """Copy BibTeX, Export…, Import Bibliography…"""

    def __init__(
        self,
        repo: Repository,
        controller: Controller,
        editor: Editor,
        settings: Callable[[], Settings],
        selection: Callable[[], list[str]],
        view: Callable[[], ViewInfo],
        parent_widget: QWidget,
        folders: RecentFolders | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.repo = repo
        self.controller = controller
        self.editor = editor
        self.folders = folders or RecentFolders()
        self._settings = settings
        self._selection = selection
        self._view = view
        self._widget = parent_widget

    def options(self) -> BibTeXOptions:
        from desktop_app.bibtex import BibTeXOptions

        return BibTeXOptions(key_pattern=self._settings().cite_key_pattern)

    # ------------------------------------------------------------------ copy
    def copy_bibtex(self, ids: list[str]) -> None:
        """BibTeX of ``ids`` to the clipboard (keys are assigned in the worker)."""
        if ids:
            self.controller.run(ExportBibTeX(self.options(), ids=tuple(ids)), self._to_clipboard)

    @staticmethod
    def _to_clipboard(result: Exported) -> None:
        if result.text is not None:
            QApplication.clipboard().setText(result.text)

    @Slot()
    def on_copy_bibtex_triggered(self) -> None:
        self.copy_bibtex(self._selection())

    # ------------------------------------------------------------------ export
    def export_scopes(self) -> list[tuple[str, str, int]]:
        view = self._view()
        scopes = [
            ("selection", "Selected papers", len(self._selection())),
            ("view", f"This view: {view.label}", view.total),
        ]
        if view.tag is not None:
            scopes.append(
                (
                    "tag",
                    f"Tag {view.tag} with sub-tags",
                    self.repo.count(FeedQuery(tags=(view.tag,))),
                )
            )
        scopes.append(("library", "Library (saved papers)", self.repo.count(FeedQuery(saved=True))))
        scopes.append(("all", "All papers", self.repo.count(FeedQuery())))
        return scopes

    def export_bibtex(self, scope: str, options: BibTeXOptions, path: str | None) -> int:
        """Start exporting ``scope`` to ``path`` (or the clipboard) in the worker."""
        view = self._view()
        query = {
            "view": view.query,
            "library": FeedQuery(saved=True),
            "all": FeedQuery(),
            "tag": FeedQuery(tags=(view.tag or "",)),
        }.get(scope)
        if scope == "selection":
            job = ExportBibTeX(options, ids=tuple(self._selection()), path=path)
        else:
            job = ExportBibTeX(options, query=query, path=path)
        return self.controller.run(job, self._to_clipboard)

    @Slot()
    def on_export_triggered(self) -> None:
        from desktop_app.ui.bibtex_dialogs import ExportDialog

        dialog = ExportDialog(self.export_scopes(), self.options().key_pattern, self._widget)
        if not dialog.exec() or not dialog.scope():
            return
        path = None
        if not dialog.clipboard.isChecked():
            name, pattern = dialog.file_choice()
            path, _ = QFileDialog.getSaveFileName(
                self._widget, "Export", self.folders.start("export", name), pattern
            )
            if not path:
                return
            self.folders.remember("export", path)
        self.export_bibtex(dialog.scope(), dialog.options(), path)

    # ------------------------------------------------------------------ published versions
    @Slot()
    def on_find_published_triggered(self) -> None:
        """Look up where the selected preprints were published (DBLP, in the worker)."""
        ids = tuple(self._selection())
        if ids:
            self.controller.run(LookUpPublished(ids, refresh=True))

    # ------------------------------------------------------------------ import
    def confirm_import(self, report: Any, path: str) -> bool:
        from desktop_app.ui.bibtex_dialogs import ImportPreview

        return bool(ImportPreview(report, path, self._widget).exec())

    def import_bibtex(self, path: str, tag: str | None = None) -> int:
        """Preview the import in the worker; the preview dialog then confirms it."""
        return self.controller.run(ImportBibTeX(path, tag, dry_run=True), self.confirm_previewed)

    def confirm_previewed(self, preview: Imported) -> None:
        """Show a preview read in the worker; import when the user confirms it."""
        if self.confirm_import(preview.report, preview.path):
            self.controller.run(ImportBibTeX(preview.path, preview.tag), self._on_imported)

    def _on_imported(self, result: Imported) -> None:
        if result.undo is not None:
            self.editor.push_applied(
                ImportCommand(self.repo, result.undo, result.path, self.editor.refresh)
            )

    @Slot()
    def on_import_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._widget,
            "Import Bibliography",
            self.folders.start("import"),
            "Bibliographies (*.bib *.bibtex *.ris *.json);;All files (*)",
        )
        if path:
            self.folders.remember("import", path)
            self.import_bibtex(path)
