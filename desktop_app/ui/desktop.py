"""The application's icon (window, tray, About) and the first start's offer to add Daily
Papers to the desktop's application menu (:mod:`desktop_app.desktop_entry`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app import APP_NAME, desktop_entry
from desktop_app.config import Settings, default_data_dir
from desktop_app.ui.controller import Controller

OFFER_TITLE = f"Add {APP_NAME} to the application menu?"
OFFER_TEXT = (
    f"{APP_NAME} can have a launcher with its icon in your desktop's application menu, and "
    "be offered in Open With for .bib and .ris files.\n\nYou can add or remove it later "
    "with the command: daily-papers desktop-entry install (or uninstall)."
)
ADD = "Add to menu"
NO = "No, thanks"


def app_icon() -> QIcon:
    """The application icon, from its PNG sizes (and the SVG, for sizes between)."""
    icon = QIcon()
    for size in desktop_entry.ICON_SIZES:
        path = desktop_entry.icon_png(size)
        if path.exists():
            icon.addFile(str(path), QSize(size, size))
    if desktop_entry.ICON_SVG.exists():
        icon.addFile(str(desktop_entry.ICON_SVG))
    return icon


def offer_wanted(settings: Settings, platform: str = sys.platform) -> bool:
    """Whether to offer the launcher: once (never again after an answer), on a freedesktop
    system, where it is not installed yet."""
    return (
        not settings.desktop_entry_offered
        and platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
        and not desktop_entry.is_installed()
    )


def offer_desktop_entry(
    parent: QWidget,
    settings: Settings,
    save: Callable[[Settings], None],
    controller: Controller,
    library: Path | None = None,
) -> Settings:
    """Ask once whether to add the launcher (for the library in the folder ``library``);
    install it (in the worker) if so. The answer is remembered in ``settings`` (given back) —
    Esc or closing the question is a no."""
    box = QMessageBox(QMessageBox.Icon.Question, OFFER_TITLE, OFFER_TEXT, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    add = box.addButton(ADD, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(NO, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(add)
    box.setEscapeButton(no)
    try:
        box.exec()
        wanted = box.clickedButton() is add
    finally:
        box.deleteLater()
    settings = replace(settings, desktop_entry_offered=True)
    save(settings)
    if wanted:
        # The launcher opens this library when it is not the default one (--data-dir,
        # DAILY_PAPERS_HOME), as `desktop-entry install --data-dir` does.
        chosen = library if library is not None and library != default_data_dir() else None
        command = tuple(desktop_entry.launch_command(chosen))
        controller.run(desktop_entry.InstallDesktopEntry(command=command))
    return settings
