"""The background worker: one QObject living in one QThread, running jobs one at a time.

A job is a plain callable ``job(ctx) -> result`` (usually a function of
:mod:`desktop_app.library.fetch`) that receives a :class:`JobContext`: the repository, the
network clients of the worker's own thread, a cancel event and a progress callable. The
worker reports only through signals, which Qt delivers to the GUI thread as queued calls; it
never touches a widget.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.config import Settings
from desktop_app.errors import AppError, CancelledError
from desktop_app.library.jobs import JobContext
from desktop_app.store import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: int
    title: str
    run: Callable[[JobContext], Any]


class Worker(QObject):
    """Runs jobs in its thread.

    Signals:
        started(int, str): a job began (job id, title).
        progress(int, int, int): job id, pages so far, papers so far.
        finished(int, object): job id and the job's result (e.g. a FetchSummary).
        failed(int, str, str): job id, the user-facing message and the error's class name
            (``OfflineError``, ``RateLimitedError``…) so the window can say it is offline.
        cancelled(int): job id; the job stopped because the user cancelled it.
    """

    started = Signal(int, str)
    progress = Signal(int, int, int)
    finished = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)
    _submit = Signal(object)

    def __init__(
        self, repo: Repository, settings: Settings, http_options: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self._http_options = dict(http_options or {})
        self._repo = repo
        self._settings = settings
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._current_cancel: threading.Event | None = None
        self._current_id: int | None = None
        self._stopping = False  # set on quit: queued jobs are dropped, not run
        self._queued: set[int] = set()  # submitted, not started yet
        self._cancel_pending: set[int] = set()  # queued, and cancelled before they start
        self._reset_clients = False
        self._submit.connect(self._run_job)

    def set_settings(self, settings: Settings) -> None:
        """New endpoints take effect from the next job (clients are rebuilt)."""
        with self._lock:
            self._settings = settings
            self._reset_clients = True

    # called from the GUI thread -------------------------------------------------------
    def submit(self, job: Job) -> None:
        """Queue ``job``; the worker thread runs it after the jobs before it."""
        with self._lock:
            self._queued.add(job.id)
        self._submit.emit(job)

    def stop_all(self) -> None:
        """Cancel the running job and every queued one (on quit). Thread-safe."""
        with self._lock:
            self._stopping = True
            if self._current_cancel is not None:
                self._current_cancel.set()

    def cancel(self, job_id: int | None = None) -> None:
        """Cancel the running job (or a queued one by id). Thread-safe; returns at once."""
        with self._lock:
            if job_id is None or job_id == self._current_id:
                if self._current_cancel is not None:
                    self._current_cancel.set()
            elif job_id in self._queued:
                self._cancel_pending.add(job_id)
            # else: the job has ended (its report may still be on its way): nothing to do

    # worker thread ----------------------------------------------------------------
    @Slot(object)
    def _run_job(self, job: Job) -> None:
        with self._lock:
            self._queued.discard(job.id)
            if job.id in self._cancel_pending or self._stopping:
                self._cancel_pending.discard(job.id)
                self.cancelled.emit(job.id)
                return
            cancel = threading.Event()
            self._current_cancel = cancel
            self._current_id = job.id
            settings = self._settings
            if self._reset_clients:
                for client in self._clients.values():
                    client.close()
                self._clients.clear()
                self._reset_clients = False
        self.started.emit(job.id, job.title)
        ctx = JobContext(
            repo=self._repo,
            settings=settings,
            cancel=cancel,
            progress=lambda pages, papers: self.progress.emit(job.id, pages, papers),
            clients=self._clients,
            http_options=self._http_options,
        )
        try:
            result = job.run(ctx)
        except CancelledError:
            self.cancelled.emit(job.id)
        except AppError as exc:
            # A partial fetch is reported by what stopped it (offline, rate limit…).
            self.failed.emit(job.id, str(exc), type(getattr(exc, "cause", exc)).__name__)
        except Exception as exc:  # a bug: keep the worker alive and say so
            log.exception("job %r failed", job.title)
            self.failed.emit(
                job.id, f"Unexpected error ({type(exc).__name__}: {exc}).", "InternalError"
            )
        else:
            # A job that returned has done its work (an import committed, a file written):
            # report it as finished even if Cancel came too late to stop it.
            self.finished.emit(job.id, result)
        finally:
            with self._lock:
                self._current_cancel = None
                self._current_id = None

    @Slot()
    def shutdown(self) -> None:
        """Close this thread's database connection and HTTP sessions (runs in the thread)."""
        for client in self._clients.values():
            close = getattr(client, "close", None)
            if close:
                close()
        self._clients.clear()
        self._repo.close()


class WorkerHost(QObject):
    """Owns the worker thread: start, submit with ids, cancel, and stop cleanly."""

    def __init__(
        self,
        repo: Repository,
        settings: Settings,
        parent: QObject | None = None,
        http_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self.thread = QThread()
        self.thread.setObjectName("daily-papers-worker")
        self.worker = Worker(repo, settings, http_options)
        self.worker.moveToThread(self.thread)
        self.thread.start()

    def submit(self, title: str, run: Callable[[JobContext], Any]) -> int:
        job = Job(next(self._ids), title, run)
        self.worker.submit(job)
        return job.id

    def stop_all(self) -> None:
        """Cancel the running job and every queued one (on quit). Thread-safe."""
        self.worker.stop_all()

    def cancel(self, job_id: int | None = None) -> None:
        self.worker.cancel(job_id)

    def stop(self, timeout_ms: int = 5000) -> None:
        """Cancel what runs, let the thread close its connections, and join it."""
        if not self.thread.isRunning():
            return
        self.worker.stop_all()
        from PySide6.QtCore import QMetaObject, Qt

        QMetaObject.invokeMethod(
            self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection
        )
        self.thread.quit()
        self.thread.wait(timeout_ms)
