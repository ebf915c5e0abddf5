"""The window's undo stack and the one way edits are applied: run now, push, report.

Every undoable change of the library made in the window goes through :meth:`Editor.run` (or,
for work the worker already did, :meth:`Editor.push_applied`), so a refused edit is reported
and never pushed, and every edit announces which papers it touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop_app.errors import AppError
from desktop_app.ui.undo import Edit


class Editor(QObject):
    """Applies edits and keeps them undoable.

    Signals:
        papersChanged(list): the ids of the papers an edit (or its undo) changed; an empty
            list means "anything may have changed" (tags renamed, papers deleted).
        tagsChanged(): the tags' looks changed but no paper (a colour, a favourite key).
        failed(str): an edit was refused or its undo failed: the message to show.
    """

    papersChanged = Signal(list)
    tagsChanged = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)

    def refresh(self, ids: list[str]) -> None:
        """What commands call after they change something (see :class:`ui.undo.Edit`)."""
        self.papersChanged.emit(list(ids))

    def refresh_tags(self, _ids: list[str]) -> None:
        """For commands that change how tags look but no paper."""
        self.tagsChanged.emit()

    def run(self, command: Edit | Callable[[], Edit]) -> bool:
        """Apply an edit now and put it on the undo stack; a refused edit is only reported.

        ``command`` may be a factory: building a command can itself be refused (a tag name
        with nothing in it), and that is reported the same way.
        """
        try:
            if not isinstance(command, Edit):
                command = command()
            command.on_error = self._report
            command.do()
        except AppError as exc:  # refused by the store: say it, change nothing
            self._report(exc)
            return False
        self.stack.push(command)
        return True

    def push_applied(self, command: Edit) -> None:
        """Put an edit the worker has already applied (a delete, an import) on the stack."""
        command.on_error = self._report
        self.stack.push(command)  # Edit.redo skips its first call: nothing is done twice

    def _report(self, exc: Any) -> None:
        self.failed.emit(str(exc))
