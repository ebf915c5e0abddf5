"""The GUI-thread controller: starts jobs on the worker and relays their outcome.

Views and tests listen to the controller's signals, never to the worker's directly, so a
worker signal is never connected to a widget (it would be delivered in the right thread by Qt,
but keeping one relay makes the flow easy to follow and to test).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.config import Settings
from desktop_app.library import backups, jobs
from desktop_app.library.bookkeeping import last_daily_fetch
from desktop_app.store import Repository
from desktop_app.worker import JobContext, WorkerHost

BACKUP_TITLE = "Backing up the library"


class Controller(QObject):
    """Starts fetches, tracks the running job, offers retry.

    Signals:
        busy(str): a job started (its title); show progress with Cancel.
        progress(str): human progress text ("3 pages, 120 papers").
        done(str, object): a job finished: summary text and its result.
        failed(str, bool): user-facing message, and whether it means we are offline.
        cancelled(): the running job was cancelled.
        idle(): no job is running any more.
        libraryChanged(): papers were stored; views should reload.
        onlineChanged(bool): True after a successful fetch, False when offline.
        quietResult(object): the result of a quiet job (background bookkeeping such as the
            sidebar's counts, which shows no progress and changes no papers).
    """

    busy = Signal(str)
    progress = Signal(str)
    done = Signal(str, object)
    failed = Signal(str, bool)
    cancelled = Signal()
    idle = Signal()
    libraryChanged = Signal()
    onlineChanged = Signal(bool)
    quietResult = Signal(object)

    def __init__(self, repo: Repository, host: WorkerHost, settings: Settings, parent: Any = None):
        super().__init__(parent)
        self.repo = repo
        self.host = host
        self.settings = settings
        self.online = True
        self._running: dict[int, tuple[str, Callable[[JobContext], Any]]] = {}
        self._last_failed: tuple[str, Callable[[JobContext], Any]] | None = None
        self._quiet: set[int] = set()
        w = host.worker
        w.started.connect(self.on_worker_started)
        w.progress.connect(self.on_worker_progress)
        w.finished.connect(self.on_worker_finished)
        w.failed.connect(self.on_worker_failed)
        w.cancelled.connect(self.on_worker_cancelled)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.on_timer_timeout)

    # -- starting work -----------------------------------------------------------
    def run(self, title: str, job: Callable[[JobContext], Any], quiet: bool = False) -> int:
        """Queue ``job`` on the worker. A quiet job reports only through ``quietResult``."""
        job_id = self.host.submit(title, job)
        if quiet:
            self._quiet.add(job_id)
        else:
            self._running[job_id] = (title, job)
        return job_id

    def fetch_daily(self, day: date | None = None, mode: str = "day") -> int:
        """Fetch the HF list of ``day``'s day, ISO week or month (default: today)."""
        day = day or date.today()
        if mode == "week":
            iso = day.isocalendar()
            label = f"{iso.year}-W{iso.week:02d}"
            return self.run(
                f"Fetching Hugging Face papers of week {label}",
                lambda ctx: jobs.fetch_daily(ctx, week=label),
            )
        if mode == "month":
            label = day.strftime("%Y-%m")
            return self.run(
                f"Fetching Hugging Face papers of {label}",
                lambda ctx: jobs.fetch_daily(ctx, month=label),
            )
        return self.run(
            f"Fetching Hugging Face papers of {day.isoformat()}",
            lambda ctx: jobs.fetch_daily(ctx, day=day),
        )

    def fetch_latest(self) -> int:
        """Fetch Hugging Face's newest list (today's, or the last weekday's at a weekend)."""
        return self.run("Fetching the latest Hugging Face papers", jobs.fetch_daily)

    def fetch_trending(self) -> int:
        return self.run("Fetching trending papers", jobs.fetch_trending)

    def search_remote(self, text: str) -> int:
        return self.run(
            f"Searching Hugging Face for “{text}”", lambda ctx: jobs.search_remote(ctx, text)
        )

    def add_papers(self, refs: list[str]) -> int:
        return self.run(
            f"Adding {len(refs)} paper{'s' if len(refs) != 1 else ''}",
            lambda ctx: jobs.add_papers(ctx, refs),
        )

    def cancel(self) -> None:
        """Cancel the jobs the user sees (fetches, exports…), not background bookkeeping."""
        for job_id in list(self._running):
            self.host.cancel(job_id)

    def retry(self) -> int | None:
        if self._last_failed is None:
            return None
        title, job = self._last_failed
        self._last_failed = None
        return self.run(title, job)

    @property
    def is_busy(self) -> bool:
        return bool(self._running)

    # -- periodic refresh ---------------------------------------------------------
    def refresh_due(self, now: datetime | None = None) -> bool:
        last = last_daily_fetch(self.repo)
        now = now or datetime.now(UTC)
        interval = timedelta(minutes=max(self.settings.refresh_interval_min, 1))
        return last is None or now - last >= interval

    def start_auto_refresh(self) -> None:
        """Refresh today's list now if it is stale, then every interval while running."""
        minutes = self.settings.refresh_interval_min
        if minutes > 0:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()
        if self.settings.refresh_on_start and self.refresh_due():
            self.fetch_latest()
        pending = any(title == BACKUP_TITLE for title, _ in self._running.values())
        if not pending and backups.backup_due(self.repo, self.settings.backup_every_days):
            self.run(BACKUP_TITLE, jobs.backup)

    @Slot()
    def on_timer_timeout(self) -> None:
        if not self.is_busy:
            self.fetch_latest()

    # -- worker relays ------------------------------------------------------------
    @Slot(int, str)
    def on_worker_started(self, job_id: int, title: str) -> None:
        if job_id not in self._quiet:
            self.busy.emit(title)

    @Slot(int, int, int)
    def on_worker_progress(self, job_id: int, pages: int, papers: int) -> None:
        if job_id in self._quiet:
            return
        self.progress.emit(f"{pages} page{'s' if pages != 1 else ''}, {papers} papers")

    @Slot(int, object)
    def on_worker_finished(self, job_id: int, result: Any) -> None:
        if job_id in self._quiet:
            self._quiet.discard(job_id)
            self.quietResult.emit(result)
            return
        self._running.pop(job_id, None)
        if not self.online:
            self.online = True
            self.onlineChanged.emit(True)
        if jobs.changes_library(result):
            self.libraryChanged.emit()
        self.done.emit(jobs.describe(result), result)
        self._maybe_idle()

    @Slot(int, str, str)
    def on_worker_failed(self, job_id: int, message: str, kind: str) -> None:
        if job_id in self._quiet:  # bookkeeping that failed is retried with the next change
            self._quiet.discard(job_id)
            return
        self._last_failed = self._running.pop(job_id, None)
        offline = kind in ("OfflineError",)
        if offline and self.online:
            self.online = False
            self.onlineChanged.emit(False)
        self.failed.emit(message, offline)
        # A failed fetch may still have stored the pages before the failure.
        self.libraryChanged.emit()
        self._maybe_idle()

    @Slot(int)
    def on_worker_cancelled(self, job_id: int) -> None:
        if job_id in self._quiet:
            self._quiet.discard(job_id)
            return
        self._running.pop(job_id, None)
        self.cancelled.emit()
        self.libraryChanged.emit()
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self._running:
            self.idle.emit()
