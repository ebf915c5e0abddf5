"""Helpers for connecting actions.

``QAction.triggered`` carries a ``checked`` flag, and PySide passes it to any slot that can
take it: a slot with an optional parameter (``def on_delete(self, confirm=True)``) would get
``confirm=False``. Slots connected to actions therefore take no optional parameters; where an
action needs an argument, :func:`bound` makes a slot that takes none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def bound(fn: Callable[..., Any], *args: Any) -> Callable[[], None]:
    """A slot without parameters that calls ``fn(*args)``."""

    def slot() -> None:
        fn(*args)

    return slot


def menu_text(name: str) -> str:
    """A user's text (a tag name) as a menu item's text: ``&`` is shown, not a shortcut."""
    return name.replace("&", "&&")
