"""Telling the user, once, about papers new to what they follow.

The :class:`Notifier` listens to ``MainWindow.followNews`` and tells each
:class:`~desktop_app.library.follow.Announcement` through the first transport that works: the
system tray's balloon (``QSystemTrayIcon.showMessage``; clicking it opens the first followed
item's view). Where none works (no tray, or a headless session), the window's status bar says
the news, and the first time also that desktop notifications are not available here; the
application goes on as before. Either way the announcement is then marked as told
(:func:`desktop_app.library.follow.told`), so it is never told again.

The freedesktop notification service (``org.freedesktop.Notifications`` over D-Bus) is not
used: PySide6 turns every Python ``int`` into a D-Bus ``int32``, and ``Notify`` takes its
``replaces_id`` as a ``uint32``, which notification servers check. A transport is any object
with ``available()`` and ``send(title, body, on_click)``: one for D-Bus can be added beside
:class:`TrayMessages` when PySide6 can marshal one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QSystemTrayIcon

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


class Transport(Protocol):
    """A way to show the user a message they can click."""

    def available(self) -> bool: ...

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> None: ...


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

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> None:
        self._on_click = on_click
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)

    def _clicked(self) -> None:
        on_click, self._on_click = self._on_click, None
        if on_click is not None:
            on_click()


class Notifier(QObject):
    """Tells each announcement once (see the module's docstring). ``transports`` are tried in
    order; the first available one is used."""

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
        transport = next((t for t in self.transports if t.available()), None)
        if transport is not None:
            transport.send(news.title, news.body, lambda: self.open(news))
            how = type(transport).__name__
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
