"""Garbage collection on the GUI thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is the worker thread and the garbage holds a Qt object created on the GUI
thread (a closed dialog, a widget in a reference cycle), Qt destroys it from the wrong thread
("Timers cannot be stopped from another thread", and worse). So automatic collection is
switched off and the GUI thread collects on a timer, the approach qutebrowser takes.
"""

from __future__ import annotations

import gc
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot


class GarbageCollector(QObject):
    """Collects on the GUI thread every ``interval_ms``; restores automatic GC on stop()."""

    def __init__(self, parent: Any = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.on_timer_timeout)
        self.timer.start()

    @Slot()
    def on_timer_timeout(self) -> None:
        # Cheap young-generation passes usually; a full pass when the counts say so.
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        generation = 0
        if counts[1] > thresholds[1]:
            generation = 1
        if counts[2] > thresholds[2]:
            generation = 2
        if counts[0] > thresholds[0] or generation:
            gc.collect(generation)

    def stop(self) -> None:
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
