"""Light, dark or the system's colours, on the Fusion style (the same look on every desktop)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

STYLESHEET = """
QListView#feed { border: none; }
QListView#feed::item { border-bottom: 1px solid palette(midlight); }
QFrame#messageBar { background: #fff4e5; color: #5c3b00; border: 1px solid #f0c36d;
                    border-radius: 4px; }
QFrame#messageBar QLabel { color: #5c3b00; }
QLabel#viewTitle { padding: 2px 4px 6px 4px; }
QTreeView { border: none; }
"""


def apply_theme(app: QApplication | None, theme: str) -> None:
    """``theme`` is "system", "light" or "dark"."""
    if app is None:
        return
    app.setStyle("Fusion")
    scheme = {
        "light": Qt.ColorScheme.Light,
        "dark": Qt.ColorScheme.Dark,
    }.get(theme, Qt.ColorScheme.Unknown)
    app.styleHints().setColorScheme(scheme)
    app.setStyleSheet(STYLESHEET)
