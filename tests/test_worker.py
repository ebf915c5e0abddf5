"""The worker thread: jobs run off the GUI thread, report by signals, and cancel promptly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.config import Settings
from desktop_app.domain import PaperRecord
from desktop_app.errors import CancelledError, OfflineError
from desktop_app.library.jobs import Call, JobContext
from desktop_app.store import Repository
from desktop_app.worker import WorkerHost


class Relay(QObject):
    """Re-emits the worker's signals in the GUI thread, as the real Controller does.

    pytest-qt's blockers must be triggered in the GUI thread (their timers live there), so
    tests wait on this relay rather than on signals emitted from the worker thread.
    """

    started = Signal(int, str)
    progress = Signal(int, int, int)
    finished = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)
    crashed = Signal(int, str)

    def __init__(self, host: WorkerHost) -> None:
        super().__init__()
        w = host.worker
        w.started.connect(self.on_started)
        w.progress.connect(self.on_progress)
        w.finished.connect(self.on_finished)
        w.failed.connect(self.on_failed)
        w.cancelled.connect(self.on_cancelled)
        w.crashed.connect(self.on_crashed)

    @Slot(int, str)
    def on_started(self, *a) -> None:
        self.started.emit(*a)

    @Slot(int, int, int)
    def on_progress(self, *a) -> None:
        self.progress.emit(*a)

    @Slot(int, object)
    def on_finished(self, *a) -> None:
        self.finished.emit(*a)

    @Slot(int, str, str)
    def on_failed(self, *a) -> None:
        self.failed.emit(*a)

    @Slot(int)
    def on_cancelled(self, *a) -> None:
        self.cancelled.emit(*a)

    @Slot(int, str)
    def on_crashed(self, *a) -> None:
        self.crashed.emit(*a)


def submit(host: WorkerHost, title: str, fn) -> int:  # type: ignore[no-untyped-def]
    """Run a plain function as a job (the window runs the operations of library.jobs)."""
    return host.submit(Call(title, fn))


@pytest.fixture
def host(qtbot, repo: Repository) -> Iterator[WorkerHost]:
    h = WorkerHost(repo, Settings())
    h.relay = Relay(h)  # type: ignore[attr-defined]
    yield h
    h.stop()
    assert not h.is_running()


def test_job_runs_in_the_worker_thread_and_stores(host: WorkerHost, qtbot, repo) -> None:
    seen: dict[str, object] = {}

    def job(ctx: JobContext) -> int:
        seen["thread"] = threading.current_thread().name
        ctx.progress(1, 2)
        ctx.repo.upsert_papers([PaperRecord(id="2401.00001", title="T")])
        return 7

    with (
        qtbot.waitSignal(host.relay.progress) as progress,
        qtbot.waitSignal(host.relay.finished) as finished,
    ):
        job_id = submit(host, "store one", job)
    assert finished.args == [job_id, 7]
    assert progress.args == [job_id, 1, 2]
    assert seen["thread"] != threading.main_thread().name
    assert repo.get("2401.00001").title == "T"


def test_failure_is_a_message_with_its_kind(host: WorkerHost, qtbot) -> None:
    def job(ctx: JobContext) -> None:
        raise OfflineError("Cannot reach huggingface.co.", hint="Check your connection.")

    with qtbot.waitSignal(host.relay.failed) as failed:
        job_id = submit(host, "offline", job)
    assert failed.args == [
        job_id,
        "Cannot reach huggingface.co. Check your connection.",
        "OfflineError",
    ]


def test_a_bug_in_a_job_does_not_kill_the_worker(host: WorkerHost, qtbot) -> None:
    with qtbot.waitSignal(host.relay.crashed) as crashed:
        submit(host, "bug", lambda ctx: 1 / 0)
    assert "ZeroDivisionError" in crashed.args[1] and "Traceback" in crashed.args[1]
    with qtbot.waitSignal(host.relay.finished) as finished:
        submit(host, "fine", lambda ctx: "ok")
    assert finished.args[1] == "ok"


def test_cancel_takes_effect_at_once(host: WorkerHost, qtbot) -> None:
    started = threading.Event()

    def slow(ctx: JobContext) -> None:
        started.set()
        # A job that waits on the network or a backoff waits on the cancel event.
        if ctx.cancel.wait(30):
            raise CancelledError("Cancelled.")

    with qtbot.waitSignal(host.relay.started):
        job_id = submit(host, "slow", slow)
    assert started.wait(5)
    t0 = time.monotonic()
    with qtbot.waitSignal(host.relay.cancelled, timeout=2000) as cancelled:
        host.cancel()
    assert cancelled.args == [job_id]
    assert time.monotonic() - t0 < 10  # not the job's 30 s


def test_queued_job_can_be_cancelled_before_it_starts(host: WorkerHost, qtbot) -> None:
    gate = threading.Event()
    first = submit(host, "blocker", lambda ctx: gate.wait(5))
    second = submit(host, "queued", lambda ctx: "ran")
    host.cancel(second)
    with qtbot.waitSignal(host.relay.cancelled, check_params_cb=lambda i: i == second):
        gate.set()
    assert first < second


def test_cancelling_one_job_leaves_the_running_other_alone(host: WorkerHost, qtbot) -> None:
    gate = threading.Event()
    with qtbot.waitSignal(host.relay.started):
        running = submit(host, "running", lambda ctx: gate.wait(5) and not ctx.cancel.is_set())
    queued = submit(host, "queued", lambda ctx: "never")
    host.cancel(queued)
    with qtbot.waitSignal(host.relay.finished, check_params_cb=lambda i, r: i == running) as done:
        gate.set()
    assert done.args == [running, True]


def test_stop_drops_queued_jobs_instead_of_running_them(repo, qtbot) -> None:
    import time as _time

    host = WorkerHost(repo, Settings())
    ran: list[str] = []
    started = threading.Event()

    def slow(ctx: JobContext) -> None:
        started.set()
        if ctx.cancel.wait(10):
            raise CancelledError("Cancelled.")

    submit(host, "slow", slow)
    for name in ("a", "b", "c"):
        submit(host, name, lambda ctx, name=name: ran.append(name))
    assert started.wait(5)
    t0 = _time.monotonic()
    host.stop()
    assert _time.monotonic() - t0 < 5  # not the job's 10 s
    assert ran == []
    assert not host.is_running()


def test_a_job_that_finished_despite_cancel_reports_finished(host: WorkerHost, qtbot) -> None:
    gate = threading.Event()

    def commits(ctx: JobContext) -> str:
        gate.wait(5)
        return "committed"  # ignores the cancel: its work is done

    with qtbot.waitSignal(host.relay.started):
        job_id = submit(host, "import", commits)
    host.cancel()
    with qtbot.waitSignal(host.relay.finished) as done:
        gate.set()
    assert done.args == [job_id, "committed"]


def test_cancelling_a_job_that_has_ended_keeps_nothing(host: WorkerHost, qtbot) -> None:
    with qtbot.waitSignal(host.relay.finished) as done:
        job_id = submit(host, "quick", lambda ctx: "ok")
    assert done.args == [job_id, "ok"]
    host.cancel(job_id)  # the user clicked Cancel as the report arrived
    assert host.worker._cancel_pending == set()
    assert host.worker._queued == set()
    # ... and the next job runs normally.
    with qtbot.waitSignal(host.relay.finished) as done:
        submit(host, "next", lambda ctx: "ran")
    assert done.args[1] == "ran"


def test_host_stop_all_cancels_the_running_job_and_drops_the_queue(host: WorkerHost, qtbot) -> None:
    ran: list[str] = []

    def slow(ctx: JobContext) -> None:
        if ctx.cancel.wait(10):
            raise CancelledError("Cancelled.")

    with qtbot.waitSignal(host.relay.started):
        running = submit(host, "slow", slow)
    queued = submit(host, "queued", lambda ctx: ran.append("queued"))
    with qtbot.waitSignals(
        [host.relay.cancelled, host.relay.cancelled],
        check_params_cbs=[lambda i: i == running, lambda i: i == queued],
        timeout=3000,
    ):
        host.stop_all()
    assert ran == []


def test_a_crash_in_a_job_reaches_the_crash_dialog_and_the_log(
    make_window, repo, qtbot, tmp_path, monkeypatch
) -> None:
    import sys

    from PySide6.QtWidgets import QApplication, QMessageBox
    from ui_support import answering

    from desktop_app.ui import crash

    window = make_window(repo)
    shown: list[str] = []
    real_exec = QMessageBox.exec

    def spy(box: QMessageBox) -> int:
        shown.append(box.detailedText())
        return real_exec(box)

    monkeypatch.setattr(QMessageBox, "exec", spy)
    app = QApplication.instance()
    old_hook = sys.excepthook
    handler = crash.install(app, tmp_path)
    try:
        with answering(None):
            window.controller.run(Call("boom", lambda ctx: 1 / 0))
            qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        assert "ZeroDivisionError" in shown[0] and "Traceback" in shown[0]
        with answering(None):  # a bug on the GUI thread takes the same way
            try:
                raise KeyError("gui bug")
            except KeyError:
                sys.excepthook(*sys.exc_info())
        assert "KeyError: 'gui bug'" in shown[1]
        log = (tmp_path / crash.LOG_FILENAME).read_text()
        assert "ZeroDivisionError" in log and "KeyError" in log
    finally:
        import logging

        sys.excepthook = old_hook
        logging.getLogger("desktop_app").removeHandler(handler)
        handler.close()
        crash.reported.clear()


def test_a_count_does_not_wait_behind_a_long_fetch(host: WorkerHost, qtbot, repo) -> None:
    from desktop_app.domain import FeedQuery
    from desktop_app.library.jobs import CountFeed

    repo.upsert_papers([PaperRecord(id="2401.00001", title="T")])
    gate = threading.Event()
    with qtbot.waitSignal(host.relay.started):
        fetch = submit(host, "long fetch", lambda ctx: gate.wait(30))
    counted: list[object] = []
    host.reader.finished.connect(lambda job_id, result: counted.append(result))
    host.submit(CountFeed(FeedQuery()), read_only=True)
    qtbot.waitUntil(lambda: bool(counted), timeout=5000)  # while the fetch still runs
    assert counted[0].total == 1 and not gate.is_set()
    with qtbot.waitSignal(host.relay.finished, check_params_cb=lambda i, r: i == fetch):
        gate.set()
