"""One window per library: a second start hands its papers to the running window.

The running window listens on a local socket named per user and per data folder
(:func:`server_name`). ``daily-papers [ID_OR_URL…]`` started again first tries to connect to
it (:func:`hand_over`): when the window answers, the second process sends its ids and links
(one JSON line) and the bibliographies it was given (absolute paths), the window comes to the
front, adds the papers (an ``AddPapers`` job) and previews importing the files, and the
second process exits. When nobody answers — no window, or the socket file of one that crashed
— the new process opens the window itself, removing a stale socket file first.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop_app import APP_SLUG
from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ACK = b"ok\n"
MAX_MESSAGE = 1 << 20  # a message longer than this is no hand-over of ours


def server_name(data_dir: Path) -> str:
    """The socket's name for this user and this data folder (the same folder written another
    way — a symlink, a trailing slash — gives the same name)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:32]
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        # The user's private runtime folder (0700): no other user can take the name first.
        return os.path.join(runtime, f"{APP_SLUG}-{digest}.sock")
    return f"{APP_SLUG}-{user}-{digest}"


class BusyInstanceError(Exception):
    """A window listens on the name but did not answer in time (busy, or hung)."""


def hand_over(
    name: str, papers: list[str], timeout_ms: int = 3000, *, files: Sequence[str] = ()
) -> bool:
    """Give ``papers`` (and bibliographies: ``files``, absolute paths) to the window listening
    on ``name``; whether it took them.

    False when no window listens (nothing there, or a stale socket file). A window that took
    the connection but did not answer within ``timeout_ms`` raises BusyInstanceError: it is
    alive, and its socket must not be taken over. Blocking: for the start of a second
    process, before any window.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        message = {"papers": list(papers), "files": list(files)}
        socket.write(json.dumps(message).encode() + b"\n")
        socket.flush()
        # False too when everything went at once (nothing left to write): the reply tells.
        socket.waitForBytesWritten(timeout_ms)
        reply = b""
        while not reply.endswith(b"\n"):
            if not socket.waitForReadyRead(timeout_ms):
                if socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
                    raise BusyInstanceError(name)
                return False
            reply += bytes(socket.readAll().data())
        return reply == ACK
    finally:
        socket.abort()


class InstanceServer(QObject):
    """The running window's end: ``received(list)`` with the papers each later start sent.

    Signals:
        filesReceived(list): bibliographies another start was given (absolute paths);
            emitted before ``received``, only when there are some.
        received(list): another start handed over (its ids and links, maybe none).
    """

    filesReceived = Signal(list)
    received = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self.on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self, name: str) -> bool:
        """Listen on ``name``. A socket file left by a window that crashed is removed first
        (call this only after :func:`hand_over` found nobody answering)."""
        QLocalServer.removeServer(name)
        if self.server.listen(name):
            return True
        log.warning("no single-instance socket %s: %s", name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    @Slot()
    def on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers.pop(socket, None)
        try:
            message = json.loads(line)
            papers = [str(p) for p in message.get("papers", [])]
            files = [str(f) for f in message.get("files", [])]
        except (ValueError, AttributeError, TypeError):
            log.warning("ignored a malformed hand-over: %r", line[:200])
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        if files:
            self.filesReceived.emit(files)
        self.received.emit(papers)


def take_over(window: MainWindow, papers: list[str]) -> None:
    """What the running window does with a later start: come to the front (out of the tray
    too) and add the papers it was given, showing the first."""
    window.showNormal()
    window.raise_()
    window.activateWindow()
    window.drops.add_papers(papers)
