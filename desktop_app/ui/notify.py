"""Telling the user, once, about papers new to what they follow.

The :class:`Notifier` listens to ``MainWindow.followNews`` and tells each
:class:`~desktop_app.library.follow.Announcement` through the first transport that works:

1. the desktop's notification service (freedesktop ``org.freedesktop.Notifications`` over
   the D-Bus session bus: GNOME, KDE, dunst, mako…), with a default action: clicking the
   notification (its ``ActionInvoked`` signal) opens the first followed item's view;
2. the system tray icon's message (``QSystemTrayIcon.showMessage``; ``messageClicked`` opens
   the view likewise);
3. neither (no bus, no tray: a headless session) — the window's status bar says the news,
   and the first time in the session also that desktop notifications are not available
   here; the application goes on as before.

Either way the announcement is then marked as told (:func:`desktop_app.library.follow.told`),
so it is never told again. A transport is any object with ``available()`` and
``send(title, body, on_click) -> bool`` (tests pass a recording one).

PySide6 turns a Python ``int`` into a D-Bus ``int32``, and ``Notify`` takes a ``uint32``
(which notification servers check), so the call goes through ``QDBusInterface``'s
introspected method with typed ``Q_ARG``s rather than a hand-built message.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, QObject, Qt, Slot
from PySide6.QtDBus import QDBusConnection, QDBusInterface
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app import APP_NAME, APP_SLUG
from desktop_app.errors import AppError
from desktop_app.library import follow
from desktop_app.library.follow import Announcement
from desktop_app.store import Repository
from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

UNAVAILABLE_NOTE = (
    "Desktop notifications are not available here; new papers you follow are counted in the window."
)
STATUS_MS = 15_000


SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Transport(Protocol):
    """A way to show the user a message they can click."""

    def available(self) -> bool: ...

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> bool:
        """Show it; whether it was shown."""
        ...


class DesktopNotifications(QObject):
    """The freedesktop notification service on ``bus`` (the session bus by default)."""

    def __init__(
        self,
        bus: QDBusConnection | None = None,
        timeout_ms: int = 3000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bus = bus if bus is not None else QDBusConnection.sessionBus()
        self.timeout_ms = timeout_ms
        self._iface: QDBusInterface | None = None
        self._pending: dict[int, Callable[[], None]] = {}  # notification id -> on_click

    def available(self) -> bool:
        """Whether a notification service answers (asked again until one does: it may be
        started after the application)."""
        if self._iface is not None:
            return True
        if not self.bus.isConnected():
            return False
        iface = QDBusInterface(SERVICE, PATH, SERVICE, self.bus, self)
        if not iface.isValid():
            iface.deleteLater()
            return False
        iface.setTimeout(self.timeout_ms)
        self._iface = iface
        for name, slot in (
            ("ActionInvoked", "on_action_invoked(uint,QString)"),
            ("NotificationClosed", "on_notification_closed(uint,uint)"),
        ):
            # A str, as Qt's SLOT() makes (the stubs say bytes, which PySide6 refuses).
            self.bus.connect(SERVICE, PATH, SERVICE, name, self, f"1{slot}")  # type: ignore[call-overload]
        return True

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> bool:
        if not self.available() or self._iface is None:
            return False
        try:
            ident = QMetaObject.invokeMethod(
                self._iface,
                "Notify",
                Qt.ConnectionType.DirectConnection,
                Q_RETURN_ARG("uint"),
                Q_ARG(str, APP_NAME),
                Q_ARG("uint", 0),  # replaces no earlier notification
                Q_ARG(str, APP_SLUG),  # the icon, by the application's name
                Q_ARG(str, title),
                # The body is markup for GNOME and KDE: a title's "<" or "&" is text.
                Q_ARG(str, html.escape(body, quote=False)),
                Q_ARG("QStringList", ["default", "Open"]),
                Q_ARG("QVariantMap", {"desktop-entry": APP_SLUG}),
                Q_ARG(int, -1),  # the server's default timeout
            )
        except (RuntimeError, TypeError) as exc:  # the service's Notify is not the standard one
            log.warning("desktop notification not sent: %s", exc)
            self._iface = None
            return False
        error = self._iface.lastError()
        if not isinstance(ident, int) or not ident or error.isValid():
            log.warning("desktop notification not sent: %s", error.message())
            self._iface = None  # asked again next time
            return False
        self._pending[ident] = on_click
        return True

    @Slot("uint", str)
    def on_action_invoked(self, ident: int, action: str) -> None:
        on_click = self._pending.pop(int(ident), None)  # other applications' are not ours
        if on_click is not None and action == "default":
            on_click()

    @Slot("uint", "uint")
    def on_notification_closed(self, ident: int, _reason: int) -> None:
        self._pending.pop(int(ident), None)


class TrayMessages:
    """Messages shown by the system tray icon (a balloon, or the desktop's own notification,
    depending on the platform); a click on the last one calls its ``on_click``."""

    def __init__(
        self,
        icon: QSystemTrayIcon,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
    ) -> None:
        self.icon = icon
        self._tray_available = tray_available
        self._on_click: Callable[[], None] | None = None
        icon.messageClicked.connect(self._clicked)

    def available(self) -> bool:
        return self._tray_available() and QSystemTrayIcon.supportsMessages()

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> bool:
        self._on_click = on_click
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)
        return True

    def _clicked(self) -> None:
        on_click, self._on_click = self._on_click, None
        if on_click is not None:
            on_click()


class Notifier(QObject):
    """Tells each announcement once (see the module's docstring). ``transports`` are tried in
    order; the first that shows it is used."""

    def __init__(self, window: MainWindow, repo: Repository, transports: list[Transport]) -> None:
        super().__init__(window)
        self.window = window
        self.repo = repo
        self.transports = transports
        self.noted_unavailable = False  # the status bar said so once this session
        self.told: list[tuple[str, Announcement]] = []  # (how, what): for the curious and tests
        window.followNews.connect(self.on_follow_news)

    @Slot(object)
    def on_follow_news(self, news: Announcement) -> None:
        if news.count <= 0:
            return
        how = ""
        for transport in self.transports:
            if transport.available() and transport.send(
                news.title, news.body, lambda: self.open(news)
            ):
                how = type(transport).__name__
                break
        else:
            text = news.title + "."
            if not self.noted_unavailable:
                self.noted_unavailable = True
                text += " " + UNAVAILABLE_NOTE
            self.window.statusBar().showMessage(text, STATUS_MS)
            how = "status bar"
        self.told.append((how, news))
        try:
            follow.told(self.repo, news)
        except AppError as exc:  # a read-only library: it is told again next time
            log.warning("announcement not marked as told: %s", exc)

    def open(self, news: Announcement) -> None:
        """A notification was clicked: the first followed item's view, the window raised."""
        if news.follows:
            self.window.show_follow(news.follows[0])
        else:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
