"""The system tray icon: how many papers new to followed items, and Show/Hide, Refresh, Quit.

The icon is the window's (or the application's) icon, or a drawn one; with papers new to
followed items (``MainWindow.followCountChanged``) it carries their number, and the tooltip
says it. With Preferences ▸ *Keep running in the tray when the window is closed*
(``Settings.keep_in_tray``) and a tray on the desktop, closing the window hides it instead of
quitting: the controller's periodic refresh goes on (its timer does not depend on the window
being shown), and *Quit* in the tray's menu quits for real, saving the window's state as
closing it does. Without a tray, closing the window quits as always.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Slot
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop_app import APP_NAME
from desktop_app.ui.main_window import MainWindow

ICON_SIZE = 64


def badge_text(count: int) -> str:
    """The number drawn on the icon: nothing for 0, ``99+`` past 99."""
    if count <= 0:
        return ""
    return str(count) if count < 100 else "99+"


def tooltip_text(count: int) -> str:
    if count <= 0:
        return APP_NAME
    return f"{APP_NAME} — {count} new paper{'s' if count != 1 else ''} you follow"


def drawn_icon() -> QPixmap:
    """A plain icon for a window without one: a page on a coloured square."""
    pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ff9d00"))  # Hugging Face's yellow-orange
    p.drawRoundedRect(2, 2, ICON_SIZE - 4, ICON_SIZE - 4, 12, 12)
    p.setBrush(QColor("white"))
    p.drawRect(18, 12, 28, 40)
    p.setPen(QColor("#555555"))
    for y in (22, 30, 38):
        p.drawLine(23, y, 41, y)
    p.end()
    return pixmap


def with_badge(base: QPixmap, text: str) -> QPixmap:
    """``base`` with ``text`` in a red disc at its top right (``base`` itself when empty)."""
    if not text:
        return base
    pixmap = QPixmap(base)
    size = pixmap.width()
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * (0.42 if len(text) < 3 else 0.3)))
    p.setFont(font)
    width = max(int(size * 0.6), p.fontMetrics().horizontalAdvance(text) + size // 8)
    disc = QRect(size - width, 0, width, int(size * 0.6))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#d32f2f"))
    p.drawRoundedRect(disc, disc.height() / 2, disc.height() / 2)
    p.setPen(QColor("white"))
    p.drawText(disc, Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return pixmap


class Tray(QObject):
    """The tray icon of ``window`` and its menu (see the module's docstring).

    ``available`` says whether the desktop has a tray now (``QSystemTrayIcon``'s own check
    by default) and ``quit_app`` ends the application (``QApplication.quit``); tests pass
    their own. The icon is built, with its tooltip and menu, either
    way; it is shown only where there is a tray.
    """

    def __init__(
        self,
        window: MainWindow,
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        quit_app: Callable[[], None] = QApplication.quit,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.available = available
        self._quit_app = quit_app
        self.count = 0
        self.quitting = False
        self.base = self._base_pixmap()
        self.pixmap = self.base
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(window)
        self.show_action = QAction("Show window", self.menu)
        self.refresh_action = QAction("Refresh", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        for action in (self.show_action, self.refresh_action, None, self.quit_action):
            if action is None:
                self.menu.addSeparator()
            else:
                self.menu.addAction(action)
        self.show_action.triggered.connect(self.on_show_triggered)
        self.refresh_action.triggered.connect(self.on_refresh_triggered)
        self.quit_action.triggered.connect(self.on_quit_triggered)
        self.menu.aboutToShow.connect(self.update_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self.on_icon_activated)
        window.followCountChanged.connect(self.set_count)
        window.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Logging out closes the window: then it really closes, whatever the preference.
            app.commitDataRequest.connect(self.on_commit_data_requested)
        self.set_count(0)
        # Shown even before the desktop has a tray (a panel starting after the application):
        # Qt puts it there when one appears. Not where there is no desktop at all.
        if self.available() or QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.icon.show()

    def _base_pixmap(self) -> QPixmap:
        icon = self.window.windowIcon()
        if icon.isNull():
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
        if icon.isNull() or icon.pixmap(ICON_SIZE, ICON_SIZE).isNull():
            return drawn_icon()
        return icon.pixmap(ICON_SIZE, ICON_SIZE)

    # -- the number -------------------------------------------------------------------
    @Slot(int)
    def set_count(self, count: int) -> None:
        """Papers new to followed items: on the icon and in the tooltip."""
        self.count = max(count, 0)
        self.pixmap = with_badge(self.base, badge_text(self.count))
        self.icon.setIcon(QIcon(self.pixmap))
        self.icon.setToolTip(tooltip_text(self.count))

    # -- the menu -----------------------------------------------------------------------
    @Slot()
    def update_menu(self) -> None:
        shown = self.window.isVisible() and not self.window.isMinimized()
        self.show_action.setText("Hide window" if shown else "Show window")

    @Slot()
    def on_show_triggered(self) -> None:
        self.update_menu()
        if self.show_action.text() == "Hide window":
            self.window.hide()
        else:
            self.bring_forward()

    def bring_forward(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    @Slot()
    def on_refresh_triggered(self) -> None:
        """Fetch Hugging Face's newest list, as the periodic refresh does."""
        self.window.controller.fetch_latest()

    @Slot()
    def on_quit_triggered(self) -> None:
        """Quit for real: the window closes (saving its state) and the event loop ends."""
        self.quitting = True
        self.window.close()
        self.icon.hide()
        self._quit_app()

    @Slot(QSystemTrayIcon.ActivationReason)
    def on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.on_show_triggered()

    @Slot()
    def on_commit_data_requested(self) -> None:
        self.quitting = True

    # -- closing the window --------------------------------------------------------------
    def keeps_running(self) -> bool:
        """Whether closing the window now hides it in the tray."""
        return self.window.settings.keep_in_tray and self.available() and not self.quitting

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window:
            return False
        app = QApplication.instance()
        if event.type() == QEvent.Type.Close and self.keeps_running():
            event.ignore()
            self.window.viewer.flush_note()
            self.window.save_state()
            self.window.hide()
            # Hidden in the tray, the application is still running: a dialog closed
            # meanwhile must not count as the last window.
            if isinstance(app, QApplication):
                app.setQuitOnLastWindowClosed(False)
            return True
        if event.type() == QEvent.Type.Show and isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(True)
        return False
