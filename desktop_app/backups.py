"""Copies of the library: on demand (`daily-papers backup`) and automatically every few days.

A copy is taken with SQLite's backup API, so it is consistent even while the window writes,
and is written under a temporary name and renamed when complete: a copy interrupted half-way
(a full disk, the program killed) never looks like a good one. Automatic copies go to
``backups/`` beside the library; only the newest few are kept.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from desktop_app.errors import StoreError
from desktop_app.store import Repository

BACKUP_DIRNAME = "backups"
KEEP = 3  # automatic copies kept
_PREFIX, _SUFFIX = "library-", ".sqlite3"
_STAMP = "%Y-%m-%d-%H%M%S"
_SIDECARS = ("-wal", "-shm", "-journal")


def backups_dir(repo: Repository) -> Path:
    return repo.path.parent / BACKUP_DIRNAME


def backup_library(repo: Repository, target: Path) -> Path:
    """Write a consistent copy of the library to ``target`` (replacing it) and return it.

    Raises StoreError with the reason (no space, no permission) and leaves no partial file.
    """
    target = Path(target)
    library = repo.path.resolve()
    if target.resolve() in {library, *(library.with_name(library.name + s) for s in _SIDECARS)}:
        raise StoreError(
            f"{target} is the library itself.", hint="Choose another file for the copy."
        )
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(partial))
        try:
            repo.db.connection().backup(dest)
            # A copy that opens on its own, without the -wal file of a WAL-mode library.
            dest.execute("PRAGMA journal_mode = delete")
        finally:
            dest.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise StoreError(
            f"Could not back up the library to {target}: {exc}.",
            hint="Check free disk space and that the folder is writable.",
        ) from exc
    return target


def automatic_backups(repo: Repository) -> list[Path]:
    """The automatic copies, oldest first (their names sort by time)."""
    folder = backups_dir(repo)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{_PREFIX}*{_SUFFIX}") if _taken_at(p) is not None)


def _taken_at(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.name[len(_PREFIX) : -len(_SUFFIX)], _STAMP)
    except ValueError:
        return None


def backup_due(repo: Repository, every_days: int, now: datetime | None = None) -> bool:
    """Whether the newest automatic copy is ``every_days`` old or more (0: never due)."""
    if every_days <= 0:
        return False
    existing = automatic_backups(repo)
    newest = _taken_at(existing[-1]) if existing else None
    if newest is None:
        return True
    age = (now or datetime.now()) - newest
    return not timedelta(0) <= age < timedelta(days=every_days)  # a future stamp: due


def take_automatic_backup(repo: Repository, now: datetime | None = None, keep: int = KEEP) -> Path:
    """Write a new automatic copy and delete all but the newest ``keep``."""
    stamp = (now or datetime.now()).strftime(_STAMP)
    path = backup_library(repo, backups_dir(repo) / f"{_PREFIX}{stamp}{_SUFFIX}")
    for old in automatic_backups(repo)[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()
    return path
