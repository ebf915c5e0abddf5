"""Copies of the library: on demand (`daily-papers backup`) and automatically every few days.

A copy is taken by :func:`desktop_app.store.db.backup` (SQLite's backup API, written under a
temporary name and renamed when complete), so it is consistent even while the window writes
and a copy interrupted half-way never looks like a good one. Automatic copies go to
``backups/`` beside the library, named by their UTC time; only the newest few are kept.
Copies made with ``daily-papers backup`` go there too under another name and are never
deleted automatically.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Nothing here may import the network stack (requests, feedparser): the window imports this
# module before its first paint.
from desktop_app.errors import CancelToken, DamagedLibraryError, StoreError
from desktop_app.outputs import BACKUP_DIRNAME, check_target
from desktop_app.store import Repository
from desktop_app.store.health import check_library

KEEP = 3  # automatic copies kept
AUTO_PREFIX, MANUAL_PREFIX, SUFFIX = "library-", "manual-", ".sqlite3"
_STAMP = "%Y%m%dT%H%M%SZ"  # UTC: no repeated hour when the clocks go back
_SIDECARS = ("-wal", "-shm", "-journal")


def backups_dir(repo: Repository) -> Path:
    return repo.path.parent / BACKUP_DIRNAME


def backup_library(
    repo: Repository, target: Path, cancel: CancelToken | None = None, *, force: bool = False
) -> Path:
    """Write a consistent copy of the library to ``target`` (replacing it) and return it.

    Refuses the library itself, a file that is not an SQLite database (or is a backup) unless
    ``force``, and a target that is open as a library (its ``-wal`` or ``-shm`` is there:
    SQLite would replay that over the copy). Raises StoreError with the reason (no space, no
    permission), or CancelledError when ``cancel`` is set between steps; either way no partial
    file is left.
    """
    target = check_target(
        target, library=repo.path, kind="library copy", force=force, make_parent=True
    )
    in_use = [s for s in _SIDECARS if target.with_name(target.name + s).exists()]
    if in_use:
        raise StoreError(
            f"{target} is in use as a library ({target.name}{in_use[0]} is beside it).",
            hint="Close what has it open, or choose another file.",
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        repo.backup_to(target, cancel)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"Could not back up the library to {target}: {exc}.",
            hint="Check free disk space and that the folder is writable.",
        ) from exc
    return target


def _taken_at(path: Path, prefix: str = AUTO_PREFIX) -> datetime | None:
    try:
        stamp = datetime.strptime(path.name[len(prefix) : -len(SUFFIX)], _STAMP)
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC)


def automatic_backups(repo: Repository) -> list[Path]:
    """The automatic copies, oldest first (their names sort by time)."""
    folder = backups_dir(repo)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{AUTO_PREFIX}*{SUFFIX}") if _taken_at(p) is not None)


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def backup_due(repo: Repository, every_days: int, now: datetime | None = None) -> bool:
    """Whether the newest automatic copy is ``every_days`` old or more (0: never due).

    A copy stamped in the future (the clock was wrong then) does not count.
    """
    if every_days <= 0:
        return False
    now = _now(now)
    stamps = [t for p in automatic_backups(repo) if (t := _taken_at(p)) and t <= now]
    return not stamps or now - max(stamps) >= timedelta(days=every_days)


def take_automatic_backup(
    repo: Repository,
    now: datetime | None = None,
    keep: int = KEEP,
    cancel: CancelToken | None = None,
) -> Path:
    """Write a new automatic copy, then delete the older ones beyond the newest ``keep``
    (copies stamped in the future go first; the new one always stays)."""
    now = _now(now)
    problems = check_library(repo.path, quick=True)
    if problems:
        raise DamagedLibraryError(
            f"The library is damaged ({problems[0]}), so no automatic backup was taken; the "
            "backups already made are kept.",
            hint="Run `daily-papers check` and `daily-papers repair`.",
        )
    path = backup_library(
        repo, backups_dir(repo) / f"{AUTO_PREFIX}{now.strftime(_STAMP)}{SUFFIX}", cancel
    )
    problems = check_library(path, quick=True)
    if problems:  # never rotate a good copy out for a bad one
        with contextlib.suppress(OSError):
            path.unlink()
        raise DamagedLibraryError(
            f"The new backup failed its check ({problems[0]}); it was removed and the older "
            "backups are kept.",
            hint="Run `daily-papers check`.",
        )
    others = [p for p in automatic_backups(repo) if p != path]
    stamps = {p: _taken_at(p) or now for p in others}
    others.sort(key=lambda p: (stamps[p] <= now, stamps[p]))
    for old in others[: max(len(others) - (keep - 1), 0)]:
        with contextlib.suppress(OSError):
            old.unlink()
    for stale in backups_dir(repo).glob("*.partial"):  # left by a copy that was killed
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > 3600:  # not one being written now
                stale.unlink()
    return path


def take_manual_backup(repo: Repository, now: datetime | None = None) -> Path:
    """A copy in ``backups/`` that automatic rotation never deletes."""
    stamp = _now(now).strftime(_STAMP)
    return backup_library(repo, backups_dir(repo) / f"{MANUAL_PREFIX}{stamp}{SUFFIX}")
