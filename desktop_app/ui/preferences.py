"""The Preferences dialog: endpoints, refresh, mark-as-read, backups, thumbnails, tray, theme.

An endpoint set in the environment (``HF_ENDPOINT``, ``DAILY_PAPERS_ARXIV_URL``,
``DAILY_PAPERS_DBLP_URL``, ``DAILY_PAPERS_PDF_URL``) wins over the preference: its field then
shows the address in use, read-only, and says which variable set it; the stored preference is
kept for when the variable is gone."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSystemTrayIcon,
    QTimeEdit,
    QVBoxLayout,
)

from desktop_app.config import (
    DEFAULT_ARXIV_URL,
    DEFAULT_DBLP_URL,
    DEFAULT_HF_ENDPOINT,
    DEFAULT_PDF_URL,
    Settings,
)
from desktop_app.ui import ask
from desktop_app.ui.abstract_view import is_safe_url
from desktop_app.ui.ask import rich_safe

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
# (Settings field, label, environment variable that overrides it, default)
ENDPOINTS = (
    ("hf_endpoint", "Hugging Face endpoint", "HF_ENDPOINT", DEFAULT_HF_ENDPOINT),
    ("arxiv_url", "arXiv endpoint", "DAILY_PAPERS_ARXIV_URL", DEFAULT_ARXIV_URL),
    ("dblp_url", "DBLP endpoint", "DAILY_PAPERS_DBLP_URL", DEFAULT_DBLP_URL),
    ("pdf_url", "PDF host", "DAILY_PAPERS_PDF_URL", DEFAULT_PDF_URL),
)


def overriding_variable(field: str) -> str | None:
    """The environment variable that sets endpoint ``field`` now, if one does."""
    for name, _label, variable, _default in ENDPOINTS:
        if name == field and os.environ.get(variable):
            return variable
    return None


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._settings = settings
        in_use = settings.effective()
        self.endpoints: dict[str, QLineEdit] = {}
        self.overridden: dict[str, str] = {}  # field -> the variable that sets it
        for name, _label, variable, default in ENDPOINTS:
            edit = QLineEdit(getattr(settings, name))
            edit.setPlaceholderText(default)
            if overriding_variable(name):
                self.overridden[name] = variable
                edit.setText(getattr(in_use, name))
                edit.setReadOnly(True)
                edit.setEnabled(False)
                edit.setToolTip(
                    rich_safe(
                        f"Set by the environment variable {variable}; your preference "
                        f"({getattr(settings, name)}) applies when it is unset."
                    )
                )
            self.endpoints[name] = edit
        self.hf = self.endpoints["hf_endpoint"]
        self.arxiv = self.endpoints["arxiv_url"]
        self.dblp = self.endpoints["dblp_url"]
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
        self.keep_in_tray = QCheckBox("Keep running in the tray when the window is closed")
        self.keep_in_tray.setChecked(settings.keep_in_tray)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self.keep_in_tray.setToolTip(
                "This desktop shows no system tray now: closing the window quits."
            )
        # The daily digest, mailed by the window at a time of day (library/mailer.py).
        self.digest_on = QCheckBox("Mail the digest every day at")
        self.digest_on.setChecked(settings.digest_at is not None)
        self.digest_time = QTimeEdit()
        self.digest_time.setDisplayFormat("HH:mm")
        at = settings.digest_at
        self.digest_time.setTime(QTime(at.hour, at.minute) if at else QTime(8, 0))
        self.digest_to = QLineEdit(settings.digest_to)
        self.digest_to.setObjectName("digestTo")
        self.digest_to.setPlaceholderText("you@example.org")
        self.smtp = QLineEdit(settings.smtp_url)
        self.smtp.setObjectName("smtpUrl")
        self.smtp.setPlaceholderText("smtp+starttls://you%40example.org@smtp.example.org")
        self.smtp.setToolTip(
            rich_safe(
                "smtp://, smtp+starttls:// or smtps://user@host:port; the password from the "
                "keyring (keyring set daily-papers USER@HOST) when not in the address"
            )
        )
        self.smtp_variable = (
            "DAILY_PAPERS_SMTP_URL" if os.environ.get("DAILY_PAPERS_SMTP_URL") else ""
        )
        if self.smtp_variable:
            self.smtp.setText("(set by DAILY_PAPERS_SMTP_URL)")  # never shown: may hold a password
            self.smtp.setEnabled(False)
        # The PDF cache (library/pdfs.py): its quota, and the library's PDFs for offline reading.
        self.pdf_quota = QSpinBox()
        self.pdf_quota.setObjectName("pdfQuota")
        self.pdf_quota.setRange(10, 1024 * 1024)
        self.pdf_quota.setSingleStep(256)
        self.pdf_quota.setSuffix(" MB")
        self.pdf_quota.setValue(settings.pdf_quota_mb)
        self.pdf_quota.setToolTip(
            "Past this size, the least recently read PDFs of papers you have not starred, "
            "saved or tagged are removed (their papers stay)"
        )
        self.pdf_prefetch = QCheckBox(
            "Download the PDFs of starred, saved and tagged papers, for offline reading"
        )
        self.pdf_prefetch.setObjectName("pdfPrefetch")
        self.pdf_prefetch.setChecked(settings.pdf_prefetch)
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
        for name, label, variable, _default in ENDPOINTS:
            form.addRow(label, self.endpoints[name])
            if name in self.overridden:
                note = QLabel(f"In use, from the environment variable {variable}.")
                note.setObjectName(f"{name}Override")
                note.setWordWrap(True)
                form.addRow("", note)
        if not self.overridden:
            hint = QLabel(", ".join(v for _, _, v, _ in ENDPOINTS) + " override these when set.")
            hint.setWordWrap(True)
            form.addRow("", hint)
        form.addRow("", self.refresh_on_start)
        form.addRow("Refresh every", self.interval)
        form.addRow("Mark as read after", self.mark_read)
        form.addRow("Back up the library", self.backup)
        form.addRow("", self.thumbnails)
        form.addRow("", self.keep_in_tray)
        digest_row = QHBoxLayout()
        digest_row.addWidget(self.digest_on)
        digest_row.addWidget(self.digest_time)
        digest_row.addWidget(QLabel("to"))
        digest_row.addWidget(self.digest_to, 1)
        form.addRow("Digest", digest_row)
        form.addRow("Mail server", self.smtp)
        form.addRow("Keep PDFs up to", self.pdf_quota)
        form.addRow("", self.pdf_prefetch)
        form.addRow("Theme", self.theme)
        buttons = ask.ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        """The preferences as edited; an endpoint the environment sets keeps its stored
        preference (the variable's value is never written to ``settings.json``)."""
        endpoints: dict[str, str] = {
            name: (
                getattr(self._settings, name)
                if name in self.overridden
                else self.endpoints[name].text().strip().rstrip("/") or default
            )
            for name, _label, _variable, default in ENDPOINTS
        }
        return replace(
            self._settings,
            hf_endpoint=endpoints["hf_endpoint"],
            arxiv_url=endpoints["arxiv_url"],
            dblp_url=endpoints["dblp_url"],
            pdf_url=endpoints["pdf_url"],
            refresh_on_start=self.refresh_on_start.isChecked(),
            refresh_interval_min=self.interval.value(),
            mark_read_after_ms=self.mark_read.value(),
            backup_every_days=self.backup.value(),
            show_thumbnails=self.thumbnails.isChecked(),
            keep_in_tray=self.keep_in_tray.isChecked(),
            digest_time=self.digest_time.time().toString("HH:mm")
            if self.digest_on.isChecked()
            else "",
            digest_to=self.digest_to.text().strip(),
            smtp_url=self._settings.smtp_url if self.smtp_variable else self.smtp.text().strip(),
            theme=self.theme.currentData(),
            pdf_quota_mb=self.pdf_quota.value(),
            pdf_prefetch=self.pdf_prefetch.isChecked(),
        )

    def accept(self) -> None:
        s = self.result_settings()
        if s.digest_time:
            from desktop_app.errors import AppError
            from desktop_app.library import mailer

            try:
                mailer.check_address(s.digest_to)
                if not self.smtp_variable:
                    mailer.parse_smtp_url(s.smtp_url)
            except AppError as exc:
                self.error.setText(f"Digest: {exc}")
                return
        for name, label, _variable, _default in ENDPOINTS:
            if name not in self.overridden and not is_safe_url(getattr(s, name)):
                self.error.setText(f"The {label} must be an http(s) URL.")
                return
        super().accept()
