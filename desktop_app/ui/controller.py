"""The GUI-thread controller: starts jobs on the workers and hands each its result.

Whoever starts a job may pass ``on_done``, called on the GUI thread with the job's typed
result (Anki's operations: the code that asks for the work says what to do with it, and
nothing switches on kinds of jobs). Views and tests listen to the controller's signals, never
to the workers' directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.config import Settings
from desktop_app.library import backups
from desktop_app.library.bookkeeping import last_daily_fetch
from desktop_app.library.follow_jobs import SendDigest
from desktop_app.library.jobs import (
    AddPapers,
    AnyJob,
    Backup,
    FetchDaily,
    FetchTrending,
    SearchRemote,
)
from desktop_app.library.pdf_jobs import DownloadPdf
from desktop_app.store import Repository
from desktop_app.worker import WorkerHost

Handler = Callable[[Any], None]

DIGEST_DAY = "digest:window_sent"  # the day the window last mailed the digest

# Jobs that talk to Hugging Face or arXiv: only they may say whether the network is there,
# and a new one starting clears the error banner of the last (job state is owned).
NETWORK_JOBS = (FetchDaily, FetchTrending, SearchRemote, AddPapers, DownloadPdf)


@dataclass
class _Running:
    job: AnyJob
    on_done: Handler | None
    quiet: bool


class Controller(QObject):
    """Starts fetches and other jobs, tracks the running ones, offers retry.

    Signals:
        busy(str): a job the user sees started (its title); show progress with Cancel.
        fetchStarted(): a job that talks to Hugging Face or arXiv started (a new attempt:
            the last one's error banner can go).
        progress(str): human progress text ("3 pages, 120 papers").
        done(str, object): such a job finished: its one-line description and its result.
        failed(str, bool): user-facing message, and whether it means we are offline.
        cancelled(): the running job was cancelled.
        idle(): no job the user sees is running any more.
        libraryChanged(): papers were stored or changed; views should reload.
        onlineChanged(bool): False when Hugging Face or arXiv could not be reached; True
            again once one answered (even with an error: a 429 or a malformed answer came
            over a working network).
        crashed(str): a job hit a bug: the traceback, for the crash dialog.
    """

    busy = Signal(str)
    fetchStarted = Signal()
    progress = Signal(str)
    done = Signal(str, object)
    failed = Signal(str, bool)
    cancelled = Signal()
    idle = Signal()
    libraryChanged = Signal()
    onlineChanged = Signal(bool)
    crashed = Signal(str)

    def __init__(self, repo: Repository, host: WorkerHost, settings: Settings, parent: Any = None):
        super().__init__(parent)
        self.repo = repo
        self.host = host
        self.settings = settings
        self.online = True
        self._jobs: dict[int, _Running] = {}
        self._last_failed: _Running | None = None
        for worker in host.workers:
            worker.started.connect(self.on_worker_started)
            worker.progress.connect(self.on_worker_progress)
            worker.finished.connect(self.on_worker_finished)
            worker.failed.connect(self.on_worker_failed)
            worker.cancelled.connect(self.on_worker_cancelled)
            worker.crashed.connect(self.on_worker_crashed)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.on_timer_timeout)
        # The daily digest, mailed at the chosen time while the window runs (once a day).
        self.digest_timer = QTimer(self)
        self.digest_timer.setInterval(60_000)
        self.digest_timer.timeout.connect(self.on_digest_timer_timeout)
        self._digest_tried: date | None = None

    # -- starting work -----------------------------------------------------------
    def run(
        self,
        job: AnyJob,
        on_done: Handler | None = None,
        *,
        quiet: bool = False,
        media: bool = False,
    ) -> int:
        """Queue ``job`` on the worker; ``on_done(result)`` runs here when it finishes. A
        quiet job shows no progress and no message (background bookkeeping). ``media``: on
        the media worker (a download that should not wait behind a fetch, nor hold up the
        fetches queued after it)."""
        job_id = self.host.submit(job, media=media)
        self._jobs[job_id] = _Running(job, on_done, quiet)
        return job_id

    def read(self, job: AnyJob, on_done: Handler) -> int:
        """Run a quick read-only job (a count) on the reader, beside any fetch; quiet."""
        job_id = self.host.submit(job, read_only=True)
        self._jobs[job_id] = _Running(job, on_done, quiet=True)
        return job_id

    def fetch_media(self, job: AnyJob, on_done: Handler) -> int:
        """Run a download of pictures (thumbnails) on the media worker; quiet."""
        return self.run(job, on_done, quiet=True, media=True)

    def fetch_daily(self, day: date | None = None, mode: str = "day") -> int:
        """Fetch the HF list of ``day``'s day, ISO week or month (default: today)."""
        day = day or date.today()
        if mode == "week":
            iso = day.isocalendar()
            return self.run(FetchDaily(week=f"{iso.year}-W{iso.week:02d}"))
        if mode == "month":
            return self.run(FetchDaily(month=day.strftime("%Y-%m")))
        return self.run(FetchDaily(day=day))

    def fetch_latest(self) -> int:
        """Fetch Hugging Face's newest list (today's, or the last weekday's at a weekend)."""
        return self.run(FetchDaily())

    def fetch_trending(self) -> int:
        return self.run(FetchTrending())

    def search_remote(self, text: str, on_done: Handler | None = None) -> int:
        return self.run(SearchRemote(text), on_done)

    def cancel(self) -> None:
        """Cancel the jobs the user sees (fetches, exports…), not background bookkeeping."""
        for job_id, running in list(self._jobs.items()):
            if not running.quiet:
                self.host.cancel(job_id)

    def retry(self) -> int | None:
        if self._last_failed is None:
            return None
        failed, self._last_failed = self._last_failed, None
        return self.run(failed.job, failed.on_done, quiet=failed.quiet)

    def running(self, kind: type) -> int:
        """How many jobs of this class are queued or running (quiet ones included)."""
        return sum(isinstance(r.job, kind) for r in self._jobs.values())

    @property
    def is_busy(self) -> bool:
        return any(not r.quiet for r in self._jobs.values())

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
        if self.settings.digest_at is not None:
            self.digest_timer.start()
            self.on_digest_timer_timeout()  # a time already past today: now
        else:
            self.digest_timer.stop()
        due = backups.backup_due(self.repo, self.settings.backup_every_days)
        if due and not self.running(Backup):
            self.run(Backup(), quiet=True)  # bookkeeping: no banner, no message

    def digest_due(self, now: datetime) -> bool:
        """Whether the daily digest is to be mailed now: its time has come today, and it was
        neither sent nor tried today (a failure waits for Retry, or tomorrow)."""
        at = self.settings.digest_at
        if at is None or not self.settings.digest_to.strip() or now.time() < at:
            return False
        today = now.date()
        return self._digest_tried != today and self.repo.get_meta(DIGEST_DAY) != today.isoformat()

    @Slot()
    def on_digest_timer_timeout(self) -> None:
        now = datetime.now()
        if self.digest_due(now):
            self._digest_tried = now.date()
            self.run(SendDigest(self.settings.digest_to), self._on_digest_sent)

    def _on_digest_sent(self, _result: object) -> None:
        self.repo.set_meta(DIGEST_DAY, date.today().isoformat())

    @Slot()
    def on_timer_timeout(self) -> None:
        if not self.is_busy:
            self.fetch_latest()

    # -- worker relays ------------------------------------------------------------
    def _visible(self, job_id: int) -> bool:
        running = self._jobs.get(job_id)
        return running is not None and not running.quiet

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.onlineChanged.emit(online)

    @Slot(int, str)
    def on_worker_started(self, job_id: int, title: str) -> None:
        if self._visible(job_id):
            if isinstance(self._jobs[job_id].job, NETWORK_JOBS):
                self.fetchStarted.emit()
            self.busy.emit(title)

    @Slot(int, int, int)
    def on_worker_progress(self, job_id: int, pages: int, papers: int) -> None:
        if self._visible(job_id):
            # A job may say what its two numbers are (a download: bytes of bytes).
            describe = getattr(self._jobs[job_id].job, "describe_progress", None)
            if describe is not None:
                self.progress.emit(describe(pages, papers))
            else:
                self.progress.emit(f"{pages} page{'s' if pages != 1 else ''}, {papers} papers")

    @Slot(int, object)
    def on_worker_finished(self, job_id: int, result: Any) -> None:
        running = self._jobs.pop(job_id, None)
        if running is None:
            return
        if running.on_done is not None:
            running.on_done(result)
        if running.quiet:
            if getattr(result, "changes_library", False):
                self.libraryChanged.emit()
            return
        if isinstance(running.job, NETWORK_JOBS):
            self._set_online(True)
        if getattr(result, "changes_library", False):
            self.libraryChanged.emit()
        describe = getattr(result, "describe", None)
        self.done.emit(describe() if describe else "Done.", result)
        self._maybe_idle()

    @Slot(int, str, str)
    def on_worker_failed(self, job_id: int, message: str, kind: str) -> None:
        running = self._jobs.pop(job_id, None)
        if running is None or running.quiet:
            return  # bookkeeping that failed is done again with the next change
        self._last_failed = running
        offline = kind == "OfflineError"
        if isinstance(running.job, NETWORK_JOBS) and kind != "FetchTimeoutError":
            self._set_online(not offline)  # any answer, even an error, means reachable
        self.failed.emit(message, offline)
        # A failed fetch may still have stored the pages before the failure.
        self.libraryChanged.emit()
        self._maybe_idle()

    @Slot(int)
    def on_worker_cancelled(self, job_id: int) -> None:
        running = self._jobs.pop(job_id, None)
        if running is None or running.quiet:
            return
        self.cancelled.emit()
        self.libraryChanged.emit()
        self._maybe_idle()

    @Slot(int, str)
    def on_worker_crashed(self, job_id: int, details: str) -> None:
        running = self._jobs.pop(job_id, None)
        self.crashed.emit(details)
        if running is not None and not running.quiet:
            self.libraryChanged.emit()
            self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self.is_busy:
            self.idle.emit()
