"""Composition root: builds the repository, worker, controller and window, and runs Qt."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app import APP_NAME, APP_SLUG, __version__
from desktop_app.config import Settings, db_path, load_settings, save_settings
from desktop_app.errors import AppError
from desktop_app.preflight import check_gui_environment
from desktop_app.store import Repository

if TYPE_CHECKING:  # Qt is imported only once a window is wanted (the CLI starts without it)
    from PySide6.QtCore import QSettings

    from desktop_app.ui.controller import Controller
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.notify import Notifier
    from desktop_app.ui.single import InstanceServer
    from desktop_app.ui.tray import Tray
    from desktop_app.worker import WorkerHost


def build_window(
    data_dir: Path,
    settings: Settings,
    qsettings: QSettings | None = None,
    *,
    repo: Repository | None = None,
    http_options: dict[str, Any] | None = None,
) -> tuple[MainWindow, Controller, WorkerHost]:
    """Create everything the window needs; returns (window, controller, host). No event loop.

    ``settings`` are the stored preferences (the window edits and saves them); the workers get
    them with the environment's endpoint overrides applied. ``repo`` and ``http_options`` let
    tests pass their own library and faster network retries.
    """
    from PySide6.QtCore import QSettings

    from desktop_app.library.thumbnails import cache_dir
    from desktop_app.ui.controller import Controller
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.thumbnails import ThumbnailCache
    from desktop_app.worker import WorkerHost

    repo = repo or Repository.open(db_path(data_dir))
    host = WorkerHost(repo, settings.effective(), http_options=http_options)
    controller = Controller(repo, host, settings.effective())
    if qsettings is None:
        qsettings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)

    def persist(new: Settings) -> None:
        save_settings(data_dir, new)

    window = MainWindow(repo, controller, settings, qsettings, persist)
    from desktop_app.ui.desktop import app_icon

    window.setWindowIcon(app_icon())
    controller.crashed.connect(window.on_controller_crashed)
    thumbnails = ThumbnailCache(cache_dir(data_dir), controller.fetch_media, window)
    thumbnails.ready.connect(window.feed_model.repaint_papers)
    window.delegate.thumbnails = thumbnails
    window.delegate.show_thumbnails = settings.show_thumbnails
    return window, controller, host


@dataclass
class DesktopServices:
    """What ties the window to the desktop: the tray icon, notifications, and the socket a
    second start hands its papers to."""

    tray: Tray
    notifier: Notifier
    server: InstanceServer


def add_desktop_services(window: MainWindow, name: str) -> DesktopServices:
    """The tray icon, the notifier and the single-instance server (listening on ``name``,
    see :func:`desktop_app.ui.single.server_name`) of ``window``."""
    from desktop_app.ui.notify import DesktopNotifications, Notifier, Transport, TrayMessages
    from desktop_app.ui.single import InstanceServer, take_over
    from desktop_app.ui.tray import Tray

    tray = Tray(window)
    transports: list[Transport] = [DesktopNotifications(parent=window), TrayMessages(tray.icon)]
    notifier = Notifier(window, window.repo, transports)
    server = InstanceServer(window)
    server.listen(name)
    server.filesReceived.connect(window.drops.import_files)
    server.received.connect(lambda papers: take_over(window, papers))
    return DesktopServices(tray, notifier, server)


def run_gui(data_dir: Path, papers: Sequence[str] = (), files: Sequence[str] = ()) -> int:
    """Open the main window and run until it closes, adding ``papers`` (ids or links) and
    previewing the import of ``files`` (bibliographies, absolute paths).

    When a window is already open on this library, it is given them and brought to the
    front instead, and this returns 0 at once. The first start offers to add the launcher
    to the application menu (once)."""
    check_gui_environment()
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui import crash
    from desktop_app.ui.gc_guard import GarbageCollector
    from desktop_app.ui.theme import apply_theme

    stored = load_settings(data_dir)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_SLUG)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_SLUG)
    from desktop_app.ui.desktop import app_icon

    app.setWindowIcon(app_icon())
    from desktop_app.ui.single import BusyInstanceError, hand_over, server_name

    name = server_name(data_dir)
    try:
        handed = hand_over(name, list(papers), files=files)
    except BusyInstanceError:
        print(
            f"A {APP_NAME} window is open on {data_dir} but did not answer (busy); "
            "try again in a moment.",
            file=sys.stderr,
        )
        return 1
    if handed:
        wanted = [f"{len(papers)} paper{'s' if len(papers) != 1 else ''} to add"] if papers else []
        if files:
            wanted.append(f"{len(files)} bibliograph{'ies' if len(files) != 1 else 'y'} to import")
        what = f" ({', '.join(wanted)})" if wanted else ""
        print(f"Handed over to the {APP_NAME} window already open on {data_dir}{what}.")
        return 0
    apply_theme(app, stored.theme)
    crash.install(app, data_dir)
    collector = GarbageCollector(app)
    try:
        window, controller, host = build_window(data_dir, stored)
    except AppError as exc:
        # Started from a launcher, nobody reads standard error: say it in a window too.
        from desktop_app.ui.ask import inform

        collector.stop()
        inform(None, f"{APP_NAME} cannot open the library", str(exc))
        raise
    services = add_desktop_services(window, name)
    window.show()
    controller.start_auto_refresh()
    window.drops.add_papers(list(papers))
    window.drops.import_files(list(files))
    from desktop_app.ui.desktop import offer_desktop_entry, offer_wanted

    if offer_wanted(window.settings):
        from PySide6.QtCore import QTimer

        def offer() -> None:
            if QApplication.activeModalWidget() is not None:  # an import preview: after it
                QTimer.singleShot(1000, offer)
                return
            window.settings = offer_desktop_entry(
                window, window.settings, lambda s: save_settings(data_dir, s), controller, data_dir
            )

        QTimer.singleShot(800, offer)  # once the window is on the screen
    try:
        return app.exec()
    finally:
        services.server.close()
        host.stop()
        window.repo.close()
        collector.stop()
