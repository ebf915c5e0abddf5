"""Guards against Qt binding bugs that would crash a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_signal_emission_keeps_reference_counts(qapp) -> None:
    # PySide6 6.12.0 drops a reference to True on every Python-side emit; after enough
    # emits the interpreter aborts with "bool_dealloc". pyproject.toml excludes it.
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.ping.emit(i)
    assert len(received) == 500
    assert sys.getrefcount(True) >= before - 5
