"""Issue 14, items 2 and 3: notifications of papers new to what one follows, the tray icon,
keeping running in the tray, and one window per library (a second start hands over).

Offscreen there is no system tray and no session bus: the tray's model (tooltip, number,
menu) is tested without showing it, its availability is passed in where a test needs a tray,
and notifications go through a recording transport or the status bar."""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes
from ui_support import active

from desktop_app.cli import main
from desktop_app.cli.parser import build_parser, papers_open_the_window
from desktop_app.config import Settings, load_settings, save_settings
from desktop_app.domain import PaperRecord
from desktop_app.library import follow
from desktop_app.library.follow import Announcement
from desktop_app.library.jobs import AddPapers, FetchDaily
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.notify import (
    UNAVAILABLE_NOTE,
    DesktopNotifications,
    Notifier,
    TrayMessages,
)
from desktop_app.ui.preferences import PreferencesDialog
from desktop_app.ui.single import InstanceServer, hand_over, server_name, take_over
from desktop_app.ui.tray import Tray, badge_text, tooltip_text

LONG_AGO = "2000-01-01T00:00:00Z"
# Showing a tray icon where the offscreen platform has no tray (tests that pretend one).
NO_TRAY_HERE = pytest.mark.qt_log_ignore("No such signal QPlatformNativeInterface::systemTray")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hf_env(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """Hugging Face and arXiv on loopback (set before the window is built)."""
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver


@pytest.fixture
def quits_restored() -> Iterator[None]:
    """Hiding the window in the tray changes an application-wide flag: put it back."""
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(True)


def make_tray(window: MainWindow, *, available: bool) -> tuple[Tray, list[str]]:
    quits: list[str] = []
    tray = Tray(window, available=lambda: available, quit_app=lambda: quits.append("quit"))
    return tray, quits


# ----------------------------------------------------------------------------- the tray
def test_the_tray_shows_how_many_followed_papers_are_new(make_window, repo, qtbot) -> None:
    window = make_window(repo)
    tray, _ = make_tray(window, available=False)
    assert tray.icon.toolTip() == "Daily Papers"
    plain = tray.pixmap.toImage()
    corner = (plain.width() - 8, 8)
    window.followCountChanged.emit(3)
    assert tray.icon.toolTip() == "Daily Papers — 3 new papers you follow"
    badged = tray.pixmap.toImage()
    assert badged != plain
    assert QColor(badged.pixel(*corner)).red() > 150  # the red disc with the number
    assert not tray.icon.icon().isNull()
    window.followCountChanged.emit(1)
    assert tray.icon.toolTip().endswith("1 new paper you follow")
    window.followCountChanged.emit(0)
    assert tray.pixmap.toImage() == plain and tray.icon.toolTip() == "Daily Papers"
    assert [badge_text(n) for n in (0, 7, 99, 100, 5000)] == ["", "7", "99", "99+", "99+"]
    assert tooltip_text(2) == "Daily Papers — 2 new papers you follow"
    assert not tray.icon.isVisible()  # no tray on this desktop: built, never shown


def test_the_tray_menu_shows_hides_and_refreshes(make_window, repo, qtbot, hf_env) -> None:
    hf_env.expect_request("/api/daily_papers").respond_with_json([])
    window = make_window(repo)
    tray, _ = make_tray(window, available=False)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show window", "Refresh", "Quit"]
    tray.menu.aboutToShow.emit()
    assert tray.show_action.text() == "Show window"
    tray.show_action.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tray.menu.aboutToShow.emit()
    assert tray.show_action.text() == "Hide window"
    tray.show_action.trigger()
    assert not window.isVisible()
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)  # a click on the icon
    assert window.isVisible()
    tray.refresh_action.trigger()
    assert window.controller.running(FetchDaily) == 1
    qtbot.waitUntil(lambda: window.controller.running(FetchDaily) == 0)
    assert hf_env.log and hf_env.log[0][0].path == "/api/daily_papers"


@NO_TRAY_HERE
def test_closing_keeps_running_in_the_tray_and_quit_really_quits(
    make_window, repo, qtbot, quits_restored
) -> None:
    settings = Settings(refresh_on_start=False, keep_in_tray=True, refresh_interval_min=30)
    window = active(make_window(repo, settings), qtbot)
    window.controller.start_auto_refresh()
    tray, quits = make_tray(window, available=True)
    assert tray.keeps_running()
    window.qsettings.remove("window/geometry")
    assert window.close() is False  # hidden, not closed
    assert not window.isVisible() and quits == []
    assert window.qsettings.value("window/geometry") is not None  # its state was saved
    assert window.controller.timer.isActive()  # the periodic refresh goes on, hidden
    app = QApplication.instance()
    assert isinstance(app, QApplication) and not app.quitOnLastWindowClosed()
    tray.show_action.trigger()
    assert window.isVisible() and app.quitOnLastWindowClosed()
    window.hide()
    window.qsettings.remove("window/geometry")
    tray.quit_action.trigger()  # quits from the tray, the window hidden
    assert quits == ["quit"] and tray.quitting
    assert window.qsettings.value("window/geometry") is not None
    assert not tray.icon.isVisible()


@pytest.mark.parametrize(
    ("keep", "tray_there"), [(False, True), (True, False)], ids=["not-kept", "no-tray"]
)
@NO_TRAY_HERE
def test_closing_quits_without_the_preference_or_a_tray(
    make_window, repo, qtbot, keep: bool, tray_there: bool
) -> None:
    window = active(make_window(repo, Settings(refresh_on_start=False, keep_in_tray=keep)), qtbot)
    tray, _ = make_tray(window, available=tray_there)
    assert not tray.keeps_running()
    assert window.close() is True


def test_the_preference_is_a_checkbox_and_a_setting(qtbot, tmp_path: Path) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.keep_in_tray.isChecked()
    assert "tray" in dialog.keep_in_tray.text()
    dialog.keep_in_tray.click()
    chosen = dialog.result_settings()
    assert chosen.keep_in_tray is True
    save_settings(tmp_path, chosen)
    assert load_settings(tmp_path).keep_in_tray is True
    again = PreferencesDialog(chosen)
    qtbot.addWidget(again)
    assert again.keep_in_tray.isChecked()


# ----------------------------------------------------------------------------- notifications
class Recording:
    """A notification transport that records what it was asked to show."""

    def __init__(self, available: bool = True, works: bool = True) -> None:
        self.is_available = available
        self.works = works
        self.sent: list[tuple[str, str, Callable[[], None]]] = []

    def available(self) -> bool:
        return self.is_available

    def send(self, title: str, body: str, on_click: Callable[[], None]) -> bool:
        self.sent.append((title, body, on_click))
        return self.works


@pytest.fixture
def news_repo(repo: Repository) -> Repository:
    """A library with a followed tag and two papers new to it, not told yet."""
    repo.upsert_papers(
        [
            PaperRecord(id="2611.00001", title="Sparse attention", authors=("Ada Lovelace",)),
            PaperRecord(id="2611.00002", title="Dense attention", authors=("Alan Turing",)),
            PaperRecord(id="2611.00003", title="Unrelated", authors=("Alan Turing",)),
        ]
    )
    repo.tag_papers(["2611.00001", "2611.00002"], ["attention"])
    repo.follows_store.add_follow("tag", "attention", checked=LONG_AGO)
    assert follow.check(repo).total == 2
    return repo


def pending(repo: Repository) -> Announcement:
    news = follow.announcement(repo)
    assert news is not None
    return news


def test_news_is_told_once_and_its_click_opens_the_followed_view(
    make_window, news_repo: Repository, qtbot
) -> None:
    window = make_window(news_repo)
    transport, broken = Recording(), Recording(works=False)  # broken: its service refused
    notifier = Notifier(window, news_repo, [Recording(available=False), broken, transport])
    window.followNews.emit(pending(news_repo))
    ((title, body, on_click),) = transport.sent
    assert len(broken.sent) == 1
    assert title == "2 new papers you follow"
    assert "• Sparse attention" in body and "• Dense attention" in body
    assert follow.announcement(news_repo) is None  # told: never announced again
    assert [how for how, _ in notifier.told] == ["Recording"]
    assert window.spec != ViewSpec("tag", "attention")
    on_click()
    qtbot.waitUntil(lambda: window.isVisible())
    assert window.spec == ViewSpec("tag", "attention")


def test_without_notifications_the_status_bar_says_so_once(
    make_window, news_repo: Repository, qtbot
) -> None:
    window = make_window(news_repo)
    tray, _ = make_tray(window, available=False)
    notifier = Notifier(window, news_repo, [TrayMessages(tray.icon, tray_available=lambda: False)])
    window.followNews.emit(pending(news_repo))
    said = window.statusBar().currentMessage()
    assert said.startswith("2 new papers you follow.") and UNAVAILABLE_NOTE in said
    assert follow.announcement(news_repo) is None
    news_repo.upsert_papers([PaperRecord(id="2611.00004", title="More attention")])
    news_repo.tag_papers(["2611.00004"], ["attention"])
    follow.check(news_repo)
    window.followNews.emit(pending(news_repo))
    said = window.statusBar().currentMessage()
    assert said == "1 new paper you follow."  # the note is not repeated
    assert [how for how, _ in notifier.told] == ["status bar", "status bar"]
    window.followNews.emit(Announcement(0, (), (), ()))  # nothing new: nothing said
    assert len(notifier.told) == 2


@NO_TRAY_HERE
def test_the_tray_message_click_opens_the_followed_view(
    make_window, news_repo: Repository, qtbot
) -> None:
    """The real QSystemTrayIcon path: its message is shown (where a tray is, else the icon
    only takes it), and its messageClicked opens the view."""
    window = make_window(news_repo)
    tray, _ = make_tray(window, available=True)
    messages = TrayMessages(tray.icon, tray_available=lambda: True)
    assert messages.available() == QSystemTrayIcon.supportsMessages()
    if not messages.available():
        pytest.skip("this platform's tray icon shows no messages")
    Notifier(window, news_repo, [messages])
    window.followNews.emit(pending(news_repo))
    assert follow.announcement(news_repo) is None
    tray.icon.messageClicked.emit()
    assert window.isVisible() and window.spec == ViewSpec("tag", "attention")
    tray.icon.messageClicked.emit()  # a second click on an old message does nothing more


# A notification service, as GNOME's or dunst's: records each Notify on standard output, and
# "clicks" it (ActionInvoked) a moment later, after a click on another application's.
FAKE_SERVICE = """
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import QDBusConnection

app = QCoreApplication([])
bus = QDBusConnection.connectToBus(sys.argv[1], "service")


@ClassInfo({"D-Bus Interface": "org.freedesktop.Notifications"})
class Notifications(QObject):
    ActionInvoked = Signal("uint", str)
    NotificationClosed = Signal("uint", "uint")

    @Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(self, app_name, replaces, icon, summary, body, actions, hints, timeout):
        print(repr((app_name, replaces, summary, body, actions, hints, timeout)), flush=True)
        QTimer.singleShot(50, lambda: self.ActionInvoked.emit(41, "default"))
        QTimer.singleShot(100, lambda: self.ActionInvoked.emit(42, "default"))
        return 42

    @Slot(result="QStringList")
    def GetCapabilities(self):
        return ["actions", "body"]


service = Notifications()
options = QDBusConnection.RegisterOption
bus.registerObject(
    "/org/freedesktop/Notifications", service, options.ExportAllSlots | options.ExportAllSignals
)
bus.registerService("org.freedesktop.Notifications")
app.exec()
"""


@pytest.fixture
def private_bus(tmp_path: Path) -> Iterator[tuple[str, Callable[[], subprocess.Popen[str]]]]:
    """A session bus of this test's own (``dbus-daemon``), and a way to start the service."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("no dbus-daemon on this machine")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    script = tmp_path / "fake_notifications.py"
    script.write_text(FAKE_SERVICE, encoding="utf-8")
    started: list[subprocess.Popen[str]] = []

    def start_service() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, str(script), address], stdout=subprocess.PIPE, text=True
        )
        started.append(proc)
        return proc

    yield address, start_service
    for proc in [*started, daemon]:
        proc.kill()
        proc.communicate()  # waits, and closes its pipe
    QDBusConnection.disconnectFromBus("daily-papers-test")


def test_desktop_notifications_go_over_d_bus_and_a_click_opens_the_view(
    make_window, news_repo: Repository, qtbot, private_bus
) -> None:
    address, start_service = private_bus
    bus = QDBusConnection.connectToBus(address, "daily-papers-test")
    assert bus.isConnected()
    window = make_window(news_repo)
    desktop = DesktopNotifications(bus, parent=window)
    fallback = Recording()
    notifier = Notifier(window, news_repo, [desktop, fallback])
    assert not desktop.available()  # no notification service on this bus yet
    service = start_service()
    qtbot.waitUntil(
        lambda: bus.interface().isServiceRegistered("org.freedesktop.Notifications").value(),
        timeout=30_000,
    )
    window.followNews.emit(pending(news_repo))
    assert [how for how, _ in notifier.told] == ["DesktopNotifications"] and not fallback.sent
    assert service.stdout is not None
    app_name, replaces, summary, body, actions, hints, timeout = ast.literal_eval(
        service.stdout.readline()
    )
    assert (app_name, replaces, summary, timeout) == (
        "Daily Papers",
        0,
        "2 new papers you follow",
        -1,
    )
    assert "• Sparse attention" in body and actions == ["default", "Open"]
    assert hints == {"desktop-entry": "daily-papers"}
    assert follow.announcement(news_repo) is None
    # The service says its notification 42 was clicked (after another application's 41).
    qtbot.waitUntil(lambda: window.spec == ViewSpec("tag", "attention"), timeout=10_000)
    assert window.isVisible()


# ----------------------------------------------------------------------------- one instance
def test_the_socket_is_named_per_user_and_per_data_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    name = server_name(tmp_path / "a")
    assert name.startswith("daily-papers-") and len(name) < 80
    assert server_name(tmp_path / "link") == name
    assert server_name(tmp_path / "b") != name


@pytest.fixture
def listening() -> Iterator[Callable[[str, MainWindow | None], InstanceServer]]:
    """Servers listening on a name, closed (their socket file removed) even if a test fails."""
    made: list[InstanceServer] = []

    def listen(name: str, window: MainWindow | None = None) -> InstanceServer:
        server = InstanceServer(window)
        assert server.listen(name)
        made.append(server)
        return server

    yield listen
    for server in made:
        server.close()


def second_start(name: str, papers: list[str]) -> Callable[[], bool | None]:
    """The second start's side, :func:`hand_over`, in another process (its blocking waits
    hold Python's lock, so a thread of this process would stall the window that answers).
    Returns a poll: None while it runs, then whether it handed over."""
    code = (
        "import sys; from desktop_app.ui.single import hand_over; "
        f"sys.exit(0 if hand_over({name!r}, {papers!r}) else 3)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )

    def poll() -> bool | None:
        code = proc.poll()
        return None if code is None else code == 0

    return poll


def test_a_second_start_raises_the_window_and_adds_its_papers(
    make_window, repo, qtbot, hf_env, tmp_path: Path, listening
) -> None:
    hf_env.expect_request("/api/papers/2602.23229").respond_with_data(
        fixture_bytes("hf_paper_2602.23229.json"), content_type="application/json"
    )
    window = make_window(repo)
    name = server_name(tmp_path)
    server = listening(name, window)
    queued: list[int] = []
    server.received.connect(lambda papers: take_over(window, papers))
    server.received.connect(lambda _: queued.append(window.controller.running(AddPapers)))
    assert not window.isVisible()
    done = second_start(name, ["https://arxiv.org/abs/2602.23229"])
    qtbot.waitUntil(lambda: done() is not None, timeout=30_000)
    assert done() is True and queued == [1]
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: repo.find("2602.23229") is not None, timeout=10_000)
    # A start without papers only raises the window.
    window.hide()
    done = second_start(name, [])
    qtbot.waitUntil(lambda: done() is not None, timeout=30_000)
    assert done() is True and window.isVisible()
    server.close()
    assert hand_over(name, ["2602.23229"], timeout_ms=500) is False  # nobody listens now


def test_a_stale_socket_file_does_not_block_the_start(qtbot, tmp_path: Path, listening) -> None:
    name = server_name(tmp_path)
    first = listening(name, None)
    path = first.server.fullServerName()
    first.close()
    crashed = socket.socket(socket.AF_UNIX)  # what a crashed window leaves: a dead socket file
    crashed.bind(path)
    crashed.close()
    assert os.path.exists(path)
    assert hand_over(name, ["2401.00001"], timeout_ms=500) is False
    second = listening(name, None)
    got: list[list[str]] = []
    second.received.connect(got.append)
    done = second_start(name, ["2401.00001"])
    qtbot.waitUntil(lambda: done() is not None, timeout=30_000)
    assert done() is True and got == [["2401.00001"]]


def test_a_second_daily_papers_hands_over_and_exits_0(
    make_window, repo, qtbot, tmp_path: Path, listening
) -> None:
    """The real command, in another process, against this process's window."""
    data = tmp_path / "data"
    data.mkdir()
    window = make_window(repo)
    server = listening(server_name(data), window)
    got: list[list[str]] = []
    server.received.connect(got.append)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "2401.00001", "2401.00002"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert (
        out.startswith("Handed over to the Daily Papers window already open") and "2 papers" in out
    )
    assert got == [["2401.00001", "2401.00002"]]


# ----------------------------------------------------------------------------- the command line
def test_papers_without_a_command_open_the_window(data_dir: Path, capsys) -> None:
    parser = build_parser()
    assert papers_open_the_window(parser, ["2401.00001"]) == ["gui", "2401.00001"]
    url = "https://huggingface.co/papers/2401.00001"
    assert papers_open_the_window(parser, ["--data-dir", "d", url, "2401.00002"]) == [
        "--data-dir",
        "d",
        "gui",
        url,
        "2401.00002",
    ]
    for unchanged in (["list"], ["lsit"], ["--debug", "add", "2401.00001"], [], ["--version"]):
        assert papers_open_the_window(parser, unchanged) == unchanged
    args = parser.parse_args(["gui", "2401.00001", url])
    assert args.papers == ["2401.00001", url]
    assert main(["2401.0000x1"]) == 1  # refused before any window, saying what works
    assert "not an arXiv id or a paper link" in capsys.readouterr().err


def test_the_application_wires_tray_notifier_and_socket(
    make_window, repo, qtbot, tmp_path: Path
) -> None:
    """What ``run_gui`` adds to the window (no news is emitted: on a developer's desktop the
    notifier would show a real notification)."""
    from desktop_app.app import add_desktop_services

    window = make_window(repo)
    name = server_name(tmp_path)
    services = add_desktop_services(window, name)
    try:
        window.followCountChanged.emit(4)
        assert services.tray.icon.toolTip().endswith("4 new papers you follow")
        assert services.notifier.transports[-1].available() == (
            QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()
        )
        done = second_start(name, [])
        qtbot.waitUntil(lambda: done() is not None, timeout=30_000)
        assert done() is True and window.isVisible()
    finally:
        services.server.close()


def test_a_window_that_does_not_answer_is_busy_not_gone(qtbot, tmp_path, monkeypatch) -> None:
    """A second start must not take the socket of a live window that is only busy."""
    from PySide6.QtNetwork import QLocalServer

    from desktop_app.ui.single import BusyInstanceError, hand_over, server_name

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = server_name(tmp_path / "library")
    assert name.startswith(str(tmp_path))  # the user's private runtime folder
    silent = QLocalServer()
    assert silent.listen(name)
    try:
        with pytest.raises(BusyInstanceError):
            hand_over(name, ["2401.00001"], timeout_ms=200)  # connected, never answered
    finally:
        silent.close()
    assert hand_over(name, [], timeout_ms=200) is False  # nobody there now
