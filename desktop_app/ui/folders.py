"""Where a file dialog opens: the folder last used for the same purpose (export, import,
auto-export), kept in the window's ``window.ini``; the first time, the user's documents
folder (or home), never the folder the process happened to start in."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

PURPOSES = ("export", "import", "autoexport")


def default_folder() -> str:
    """The user's documents folder when it exists, else their home folder."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return docs
    return str(Path.home())


class RecentFolders:
    """The last folder of each purpose; ``None`` settings keep them for this session only."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._qsettings = qsettings
        self._session: dict[str, str] = {}

    def folder(self, purpose: str) -> str:
        """Where a dialog for ``purpose`` opens: the last folder used, if it still exists."""
        value = self._session.get(purpose)
        if value is None and self._qsettings is not None:
            stored = self._qsettings.value(f"folders/{purpose}")
            value = stored if isinstance(stored, str) else None
        if value and Path(value).is_dir():
            return value
        return default_folder()

    def start(self, purpose: str, name: str = "") -> str:
        """The path a file dialog starts at: the folder, with ``name`` proposed in it."""
        folder = self.folder(purpose)
        return os.path.join(folder, name) if name else folder

    def remember(self, purpose: str, path: str) -> None:
        """A file was chosen at ``path``: its folder is where the next dialog opens."""
        if not path:
            return
        folder = str(Path(path).parent)
        self._session[purpose] = folder
        if self._qsettings is not None:
            self._qsettings.setValue(f"folders/{purpose}", folder)
