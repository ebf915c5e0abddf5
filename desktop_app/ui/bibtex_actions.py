"""BibTeX actions of the main window: copy, export (in the worker) and import with a preview.

A mixin of :class:`~desktop_app.ui.main_window.MainWindow`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot

from desktop_app.domain import FeedQuery
from desktop_app.library import jobs


class BibtexActions:
    """BibTeX-related actions of the main window."""

    # ------------------------------------------------------------------ BibTeX
    def _bib_options(self) -> Any:
        from desktop_app.bibtex import BibTeXOptions

        return BibTeXOptions(key_pattern=self.settings.cite_key_pattern)

    def copy_bibtex(self, ids: list[str]) -> None:
        """BibTeX of ``ids`` to the clipboard (keys are assigned in the worker)."""
        if ids:
            options = self._bib_options()
            self.controller.run(
                "Preparing BibTeX", lambda ctx: jobs.export_bib(ctx, ids, options, None)
            )

    @Slot()
    def on_copy_bibtex_triggered(self) -> None:
        self.copy_bibtex(self.selected_ids())

    def export_scopes(self) -> list[tuple[str, str, int]]:
        scopes = [
            ("selection", "Selected papers", len(self.selected_ids())),
            ("view", f"This view: {self.view_label(self.spec)}", self.feed_model.total),
        ]
        if self.spec.kind == "tag":
            scopes.append(
                (
                    "tag",
                    f"Tag {self.spec.tag} with sub-tags",
                    self.repo.count(FeedQuery(tags=(self.spec.tag,))),
                )
            )
        scopes.append(("library", "Library (saved papers)", self.repo.count(FeedQuery(saved=True))))
        scopes.append(("all", "All papers", self.repo.count(FeedQuery())))
        return scopes

    def export_bibtex(self, scope: str, options: Any, path: str | None) -> int | None:
        """Start exporting ``scope`` to ``path`` (or the clipboard) in the worker."""
        query = {
            "view": self.feed_model.query,
            "library": FeedQuery(saved=True),
            "all": FeedQuery(),
            "tag": FeedQuery(tags=(self.spec.tag,)),
        }.get(scope)
        selection = self.selected_ids() if scope == "selection" else None

        def job(ctx: Any) -> Any:
            ids = selection if selection is not None else ctx.repo.ids(query)
            return jobs.export_bib(ctx, ids, options, path)

        return self.controller.run("Exporting BibTeX", job)

    @Slot()
    def on_export_triggered(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from desktop_app.ui.bibtex_dialogs import ExportDialog

        dialog = ExportDialog(self.export_scopes(), self.settings.cite_key_pattern, self)
        if not dialog.exec() or not dialog.scope():
            return
        path = None
        if not dialog.clipboard.isChecked():
            path, _ = QFileDialog.getSaveFileName(
                self, "Export BibTeX", "papers.bib", "BibTeX (*.bib)"
            )
            if not path:
                return
        self.export_bibtex(dialog.scope(), dialog.options(), path)

    def confirm_import(self, report: Any, path: str) -> bool:
        from desktop_app.ui.bibtex_dialogs import ImportPreview

        return bool(ImportPreview(report, path, self).exec())

    def import_bibtex(self, path: str, tag: str | None = None) -> int:
        """Preview the import in the worker; the preview dialog then confirms it."""
        return self.controller.run(
            f"Reading {path}", lambda ctx: jobs.import_bib(ctx, path, tag, True)
        )

    @Slot()
    def on_import_triggered(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "Import BibTeX", "", "BibTeX (*.bib);;All files (*)"
        )
        if path:
            self.import_bibtex(path)
