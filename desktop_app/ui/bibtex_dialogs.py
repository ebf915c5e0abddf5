"""Export… (BibTeX, biblatex, CSL-JSON, RIS) and the import preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop_app.ui.ask import plain_label, rich_safe

if TYPE_CHECKING:  # the BibTeX code loads when it is first used, not with the window
    from desktop_app.bibtex import BibTeXOptions

# (format, label, file name, file-dialog filter)
EXPORT_FORMATS = (
    ("bibtex", "BibTeX (pdflatex + BibTeX, ASCII)", "papers.bib", "BibTeX (*.bib)"),
    ("biblatex", "BibLaTeX (biber, UTF-8)", "papers.bib", "BibLaTeX (*.bib)"),
    ("csl-json", "CSL-JSON (Zotero, Pandoc)", "papers.json", "CSL-JSON (*.json)"),
    ("ris", "RIS (EndNote, Mendeley)", "papers.ris", "RIS (*.ris)"),
)


class ExportDialog(QDialog):
    """Choose what to export (selection, view, tag, library), in which format, and how."""

    def __init__(
        self, scopes: list[tuple[str, str, int]], key_pattern: str, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._pattern = key_pattern
        box = QGroupBox("Papers")
        bl = QVBoxLayout(box)
        self.scope_group = QButtonGroup(self)
        self.scope_buttons: dict[str, QRadioButton] = {}
        for key, label, count in scopes:
            button = QRadioButton(f"{label} ({count})")
            button.setEnabled(count > 0)
            self.scope_group.addButton(button)
            self.scope_buttons[key] = button
            bl.addWidget(button)
        for button in self.scope_buttons.values():
            if button.isEnabled():
                button.setChecked(True)
                break
        self.format = QComboBox()
        for key, label, _, _ in EXPORT_FORMATS:
            self.format.addItem(label, key)
        self.unicode = QCheckBox("Keep accents and other characters as UTF-8 (for biber)")
        self.format.currentIndexChanged.connect(
            lambda _i: self.unicode.setEnabled(self.format.currentData() == "bibtex")
        )
        self.abstract = QCheckBox("Include abstracts")
        self.keywords = QCheckBox("Include tags as keywords")
        self.clipboard = QCheckBox("Copy to the clipboard instead of saving a file")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(QLabel("Format"))
        layout.addWidget(self.format)
        for w in (self.unicode, self.abstract, self.keywords, self.clipboard):
            layout.addWidget(w)
        layout.addWidget(buttons)

    def scope(self) -> str:
        for key, button in self.scope_buttons.items():
            if button.isChecked():
                return key
        return ""

    def options(self) -> BibTeXOptions:
        from desktop_app.bibtex import BibTeXOptions

        return BibTeXOptions(
            unicode=self.unicode.isChecked() and self.unicode.isEnabled(),
            include_abstract=self.abstract.isChecked(),
            include_keywords=self.keywords.isChecked(),
            key_pattern=self._pattern,
            format=str(self.format.currentData()),
        )

    def file_choice(self) -> tuple[str, str]:
        """``(default file name, file-dialog filter)`` for the chosen format."""
        for key, _, name, pattern in EXPORT_FORMATS:
            if key == self.format.currentData():
                return name, pattern
        return "papers.bib", "BibTeX (*.bib)"


class ImportPreview(QDialog):
    """What importing a file will do, entry by entry, before anything is written."""

    def __init__(self, report: Any, path: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Bibliography")
        fmt = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON"}.get(report.format, "")
        summary = plain_label(
            f"{path} ({fmt})\n{report.new} new, {report.merged} merged with papers already in "
            f"the library, {report.skipped} skipped (nothing new), {report.failed} failed."
        )
        summary.setWordWrap(True)
        table = QTableWidget(len(report.entries), 5)
        table.setHorizontalHeaderLabels(["Line", "Key", "Action", "Title", "Details"])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        for row, e in enumerate(report.entries):
            for col, value in enumerate((str(e.line), e.key, e.action, e.title, e.reason)):
                item = QTableWidgetItem(value)
                item.setToolTip(rich_safe(value))
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        table.setColumnWidth(3, min(table.columnWidth(3), 320))
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(report.new or report.merged)
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table)
        # What was not clean and what was done about it (as the command line prints it).
        self.problems = QListWidget()
        self.problems.addItems([str(p) for p in report.problems])
        if report.problems:
            n = len(report.problems)
            layout.addWidget(
                plain_label(f"{n} problem{'s' if n != 1 else ''} in the file, and what was done:")
            )
            self.problems.setMaximumHeight(120)
            layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(900, 480 if report.problems else 420)
