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


def test_garbage_is_collected_on_the_gui_thread(qapp) -> None:
    import gc
    import weakref

    from desktop_app.ui.gc_guard import GarbageCollector

    gc.enable()  # as at application start (the test fixture turns it off)
    collector = GarbageCollector(interval_ms=60_000)
    try:
        assert not gc.isenabled()

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the cyclic collector frees
        alive = weakref.ref(a)
        del a, b
        churn = [[] for _ in range(gc.get_threshold()[0] + 10)]  # cross the threshold
        assert alive() is not None
        collector.on_timer_timeout()
        assert alive() is None
        del churn
    finally:
        collector.stop()
    assert gc.isenabled()
