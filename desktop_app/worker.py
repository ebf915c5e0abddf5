"""The background workers: QObjects living in their own QThreads, running jobs one at a time.

A job is an operation of :mod:`desktop_app.library.jobs`: a title and ``run(ctx)``, where the
:class:`JobContext` holds the repository, the network clients of the worker's own thread, a
cancel event and a progress callable. A worker reports only through signals, which Qt
delivers to the GUI thread as queued calls; it never touches a widget.

:class:`WorkerHost` owns three workers: one for fetches and writes, run in the order they were
asked for; one *reader* for quick read-only queries (the sidebar's counts), which under
SQLite's WAL run beside a long fetch instead of queueing behind it; and one for *media* (the
cards' thumbnails), so pictures neither wait behind a long fetch nor delay a count.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from desktop_app.config import Settings
from desktop_app.errors import AppError, CancelledError
from desktop_app.library.jobs import AnyJob, JobContext
from desktop_app.store import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Queued:
    id: int
    job: AnyJob


class Worker(QObject):
    """Runs jobs in its thread.

    Signals:
        started(int, str): a job began (job id, title).
        progress(int, int, int): job id, pages so far, papers so far.
        finished(int, object): job id and the job's typed result.
        failed(int, str, str): job id, the user-facing message and the error's class name
            (``OfflineError``, ``RateLimitedError``…) so the window can say it is offline.
        cancelled(int): job id; the job stopped because the user cancelled it.
        crashed(int, str): job id and the traceback of a bug (not an error the user can
            cause); the worker goes on with the next job.
    """

    started = Signal(int, str)
    progress = Signal(int, int, int)
    finished = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)
    crashed = Signal(int, str)
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
    def submit(self, job_id: int, job: AnyJob) -> None:
        """Queue ``job``; the worker thread runs it after the jobs before it."""
        with self._lock:
            self._queued.add(job_id)
        self._submit.emit(_Queued(job_id, job))

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
    def _run_job(self, item: _Queued) -> None:
        with self._lock:
            self._queued.discard(item.id)
            if item.id in self._cancel_pending or self._stopping:
                self._cancel_pending.discard(item.id)
                self.cancelled.emit(item.id)
                return
            cancel = threading.Event()
            self._current_cancel = cancel
            self._current_id = item.id
            settings = self._settings
            if self._reset_clients:
                for client in self._clients.values():
                    client.close()
                self._clients.clear()
                self._reset_clients = False
        self.started.emit(item.id, item.job.title)
        ctx = JobContext(
            repo=self._repo,
            settings=settings,
            cancel=cancel,
            progress=lambda pages, papers: self.progress.emit(item.id, pages, papers),
            clients=self._clients,
            http_options=self._http_options,
        )
        try:
            result = item.job.run(ctx)
        except CancelledError:
            self.cancelled.emit(item.id)
        except AppError as exc:
            # In the log for bug reports (Help ▸ Copy diagnostics): the kind of job and the
            # message — what failed and why, never the papers' notes.
            log.warning("%s failed: %s", type(item.job).__name__, exc)
            # A partial fetch is reported by what stopped it (offline, rate limit…).
            self.failed.emit(item.id, str(exc), type(getattr(exc, "cause", exc)).__name__)
        except Exception:  # a bug: keep the worker alive, and let the crash handler say it
            log.exception("job %r failed", item.job.title)
            self.crashed.emit(item.id, traceback.format_exc())
        else:
            # A job that returned has done its work (an import committed, a file written):
            # report it as finished even if Cancel came too late to stop it.
            self.finished.emit(item.id, result)
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
    """Owns the worker threads: start, submit with ids, cancel, and stop cleanly.

    ``worker`` runs fetches and writes in order; ``reader`` runs read-only jobs (counts)
    beside them; ``media`` downloads thumbnails.
    """

    def __init__(
        self,
        repo: Repository,
        settings: Settings,
        parent: QObject | None = None,
        http_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self.worker = Worker(repo, settings, http_options)
        self.reader = Worker(repo, settings)
        self.media = Worker(repo, settings, http_options)
        self._threads: list[QThread] = []
        for worker, name in (
            (self.worker, "daily-papers-worker"),
            (self.reader, "reader"),
            (self.media, "media"),
        ):
            thread = QThread()
            thread.setObjectName(name)
            worker.moveToThread(thread)
            thread.start()
            self._threads.append(thread)

    @property
    def worker_thread(self) -> QThread:
        return self._threads[0]

    @property
    def workers(self) -> tuple[Worker, Worker, Worker]:
        return self.worker, self.reader, self.media

    def submit(self, job: AnyJob, *, read_only: bool = False, media: bool = False) -> int:
        """Queue ``job`` (on the reader, for a read-only one; on the media worker, for a
        download of pictures); returns its id."""
        job_id = next(self._ids)
        (self.media if media else self.reader if read_only else self.worker).submit(job_id, job)
        return job_id

    def set_settings(self, settings: Settings) -> None:
        self.worker.set_settings(settings)
        self.media.set_settings(settings)

    def stop_all(self) -> None:
        """Cancel the running jobs and every queued one (on quit). Thread-safe."""
        for worker in self.workers:
            worker.stop_all()

    def cancel(self, job_id: int | None = None) -> None:
        for worker in self.workers:
            worker.cancel(job_id)

    def is_running(self) -> bool:
        return any(t.isRunning() for t in self._threads)

    def stop(self, timeout_ms: int = 5000) -> None:
        """Cancel what runs, let each thread close its connections, and join them."""
        if not self.is_running():
            return
        self.stop_all()
        for worker, thread in zip(self.workers, self._threads, strict=True):
            QMetaObject.invokeMethod(worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
            thread.quit()
            thread.wait(timeout_ms)
