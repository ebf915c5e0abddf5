"""The Preferences dialog: endpoints, refresh, mark-as-read, backups, thumbnails, theme."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from desktop_app.config import DEFAULT_ARXIV_URL, DEFAULT_HF_ENDPOINT, Settings
from desktop_app.ui.abstract_view import is_safe_url

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.hf = QLineEdit(settings.hf_endpoint)
        self.hf.setPlaceholderText(DEFAULT_HF_ENDPOINT)
        self.arxiv = QLineEdit(settings.arxiv_url)
        self.arxiv.setPlaceholderText(DEFAULT_ARXIV_URL)
        self.refresh_on_start = QCheckBox("Refresh today's list when the application starts")
        self.refresh_on_start.setChecked(settings.refresh_on_start)
        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setSpecialValueText("Never")
        self.interval.setValue(settings.refresh_interval_min)
        self.mark_read = QSpinBox()
        self.mark_read.setRange(0, 60_000)
        self.mark_read.setSingleStep(250)
        self.mark_read.setSuffix(" ms")
        self.mark_read.setSpecialValueText("Never (press M)")
        self.mark_read.setValue(settings.mark_read_after_ms)
        self.backup = QSpinBox()
        self.backup.setRange(0, 365)
        self.backup.setPrefix("every ")
        self.backup.setSpecialValueText("Never")
        self.backup.valueChanged.connect(
            lambda n: self.backup.setSuffix(" day" if n == 1 else " days")
        )
        self.backup.setValue(settings.backup_every_days)
        self.backup.setSuffix(" day" if settings.backup_every_days == 1 else " days")
        self.backup.setToolTip("A copy of the library in backups/ when the window opens")
        self.thumbnails = QCheckBox("Show paper thumbnails in the list (fetched from Hugging Face)")
        self.thumbnails.setChecked(settings.show_thumbnails)
        self.theme = QComboBox()
        for label, value in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(
            [v for _, v in THEMES].index(settings.theme)
            if settings.theme in [v for _, v in THEMES]
            else 0
        )
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("Hugging Face endpoint", self.hf)
        form.addRow("arXiv endpoint", self.arxiv)
        form.addRow("", QLabel("HF_ENDPOINT and DAILY_PAPERS_ARXIV_URL override these."))
        form.addRow("", self.refresh_on_start)
        form.addRow("Refresh every", self.interval)
        form.addRow("Mark as read after", self.mark_read)
        form.addRow("Back up the library", self.backup)
        form.addRow("", self.thumbnails)
        form.addRow("Theme", self.theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        return replace(
            self._settings,
            hf_endpoint=self.hf.text().strip().rstrip("/") or DEFAULT_HF_ENDPOINT,
            arxiv_url=self.arxiv.text().strip().rstrip("/") or DEFAULT_ARXIV_URL,
            refresh_on_start=self.refresh_on_start.isChecked(),
            refresh_interval_min=self.interval.value(),
            mark_read_after_ms=self.mark_read.value(),
            backup_every_days=self.backup.value(),
            show_thumbnails=self.thumbnails.isChecked(),
            theme=self.theme.currentData(),
        )

    def accept(self) -> None:
        s = self.result_settings()
        for label, url in (("Hugging Face", s.hf_endpoint), ("arXiv", s.arxiv_url)):
            if not is_safe_url(url):
                self.error.setText(f"The {label} endpoint must be an http(s) URL.")
                return
        super().accept()
