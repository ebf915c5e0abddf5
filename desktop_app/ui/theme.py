"""Light, dark or the system's colours, on the Fusion style (the same look on every desktop)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.contrast import readable


def dark_palette() -> QPalette:
    """Fusion's colours for a dark theme (set explicitly: not every platform has one)."""
    p = QPalette()
    base, window, text = QColor("#1f2125"), QColor("#2a2d32"), QColor("#e6e6e6")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#8a8f98"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Highlight: QColor("#3d7bd9"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#7fb2ff"),
        QPalette.ColorRole.Mid: QColor("#3a3d44"),
        QPalette.ColorRole.Midlight: QColor("#34373d"),
        QPalette.ColorRole.Dark: QColor("#17181b"),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f737b"))
    return p


def readable_palette(p: QPalette) -> QPalette:
    """``p`` with the colours text is drawn in shaded, where need be, to read at 4.5:1 (WCAG AA)
    on what it is drawn on: links on the base, selected text on the highlight, placeholders on
    the base and window. Fusion's own highlight (#308cc6) gives white text 3.6:1."""
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        base = p.color(group, role.Base).name()
        window = p.color(group, role.Window).name()
        for link in (role.Link, role.LinkVisited):
            p.setColor(group, link, QColor(readable(p.color(group, link).name(), base)))
        selected_text = p.color(group, role.HighlightedText).name()
        highlight = readable(p.color(group, role.Highlight).name(), selected_text)
        p.setColor(group, role.Highlight, QColor(highlight))
        placeholder = p.color(group, role.PlaceholderText).name()
        for background in (base, window):
            placeholder = readable(placeholder, background)
        p.setColor(group, role.PlaceholderText, QColor(placeholder))
    return p


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
    style = app.style()
    if theme == "dark":
        app.setPalette(readable_palette(dark_palette()))
    elif style is not None:
        app.setPalette(readable_palette(style.standardPalette()))
    app.setStyleSheet(STYLESHEET)
