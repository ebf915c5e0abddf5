"""Export… (BibTeX, biblatex, CSL-JSON, RIS) and the import preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
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

from desktop_app.ui import ask
from desktop_app.ui.ask import plain_label, rich_safe

DETAILS = 4  # the import preview's column of details
KEY_WIDTH = 180
TITLE_WIDTH = 260
WRAP_ROWS_UP_TO = 2000  # above, rows stay one line (measuring each would be slow)

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
        buttons = ask.ok_cancel(self)
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
        # Details (why an entry merges, what it adds, what was forgiven) are often longer
        # than a line: the column takes the room the others leave, and its text wraps.
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for row, e in enumerate(report.entries):
            for col, value in enumerate((str(e.line), e.key, e.action, e.title, e.reason)):
                item = QTableWidgetItem(value)
                item.setToolTip(rich_safe(value))
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        for col, widest in ((1, KEY_WIDTH), (3, TITLE_WIDTH)):
            table.setColumnWidth(col, min(table.columnWidth(col), widest))
        table.setColumnWidth(DETAILS, 200)  # then stretched over the room left
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(40)
        self.table = table
        # Row heights follow the wrapped details whenever the column's width changes (for
        # a file of thousands of entries rows stay one line: the tooltip has the text).
        if len(report.entries) <= WRAP_ROWS_UP_TO:
            header.sectionResized.connect(self.on_section_resized)
        buttons = ask.ok_cancel(self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(report.new or report.merged)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table)
        # What was not clean and what was done about it (as the command line prints it).
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.addItems([str(p) for p in report.problems])
        for i in range(self.problems.count()):
            self.problems.item(i).setToolTip(rich_safe(self.problems.item(i).text()))
        if report.problems:
            n = len(report.problems)
            layout.addWidget(
                plain_label(f"{n} problem{'s' if n != 1 else ''} in the file, and what was done:")
            )
            self.problems.setMaximumHeight(120)
            layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(900, 520 if report.problems else 440)

    @Slot(int, int, int)
    def on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column == DETAILS:
            self.table.resizeRowsToContents()
