"""The crash handler: a bug is logged and shown with its traceback, never swallowed.

Errors a person can cause are :class:`~desktop_app.errors.AppError` and are reported where
they happen (the message bar, a dialog). Anything else is a bug: an exception escaping a slot
on the GUI thread reaches :func:`sys.excepthook`, one in a background job arrives as the
worker's ``crashed`` signal; both end here, in the log file and in a dialog whose details the
user can copy into a bug report.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app import APP_NAME, __version__
from desktop_app.library.diagnostics import LOG_FILENAME

log = logging.getLogger("desktop_app.crash")
reported: list[str] = []  # every crash shown in this process (tests check it stays empty)


def install(app: QApplication, data_dir: Path) -> logging.Handler:
    """Log to a rotating file in the data folder and route uncaught exceptions here; returns
    the log handler."""
    handler = RotatingFileHandler(
        data_dir / LOG_FILENAME, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger("desktop_app").addHandler(handler)
    logging.getLogger("desktop_app").setLevel(logging.INFO)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            app.quit()
            return
        report("".join(traceback.format_exception(kind, exc, tb)))

    sys.excepthook = excepthook
    return handler


def report(details: str, parent: QWidget | None = None) -> None:
    """Log a bug's traceback and show it in a dialog the user can copy it from."""
    reported.append(details)
    log.error("internal error\n%s", details)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(f"{APP_NAME}: internal error")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        "Something went wrong inside Daily Papers (this is a bug, not something you did). "
        "Your library is safe: unfinished changes were not saved.\n\n"
        "Please report it with the details below."
    )
    box.setDetailedText(f"{APP_NAME} {__version__}\n\n{details}")
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is copy:
        QApplication.clipboard().setText(box.detailedText())
