"""The window in small sizes (issue 13): from 800×600 up every pane keeps a usable width.

The sidebar gives up width first (it only needs its names and counts), the list keeps the
most, and the abstract never gets narrower than a readable column.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSplitter

SIDEBAR_MIN = 150  # names stay readable; the counts keep their columns
VIEWER_MIN = 240  # about 30 characters a line: the abstract stays readable
PANE_SIZES = (290, 540, 450)  # at the default 1280 px; a smaller window scales them
PANE_STRETCH = (1, 5, 3)  # how a change of width is shared: the list first, the sidebar least


def fit_panes(splitter: QSplitter, title: QLabel) -> None:
    """Give the splitter's three panes (sidebar, list, abstract) their minimums, stretch
    and first sizes; the list's title wraps instead of holding the list wide."""
    title.setWordWrap(True)
    for i, minimum in ((0, SIDEBAR_MIN), (2, VIEWER_MIN)):
        pane = splitter.widget(i)
        if pane is not None:
            pane.setMinimumWidth(minimum)
    for i, stretch in enumerate(PANE_STRETCH):
        splitter.setStretchFactor(i, stretch)
    splitter.setSizes(list(PANE_SIZES))
