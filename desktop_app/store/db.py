"""Opening the SQLite file: pragmas on every connection, migrations, newer-schema refusal."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from peewee import DatabaseError, OperationalError, SqliteDatabase

from desktop_app.errors import (
    CancelToken,
    DatabaseBusyError,
    SchemaTooNewError,
    StoreError,
    check_cancel,
)
from desktop_app.store.migrations import LATEST_VERSION, MIGRATIONS

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer's lock

# Set on every connection peewee opens (one per thread), so the worker thread's connection
# gets the same guarantees as the GUI thread's. ``busy_timeout`` is added per database.
PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "cache_size": -32000,  # 32 MiB page cache per connection
    "temp_store": "memory",
    # Checkpoint every ~40 MiB of WAL instead of SQLite's 4 MiB: a fetch of a thousand papers
    # writes a few MiB (mostly FTS5 segments), and checkpointing after every such transaction
    # copied pages that the next one rewrote anyway (~10% of bulk-ingest time at 100k papers).
    "wal_autocheckpoint": 10000,
    # ... and do not leave a WAL file that grew during a large import at its peak size.
    "journal_size_limit": 64 * 1024 * 1024,
}

_HEADER_MAGIC = b"SQLite format 3\x00"


def busy_error() -> DatabaseBusyError:
    return DatabaseBusyError(
        "The library is busy: another program is writing to it.",
        hint="Wait a moment and try again, or close the other Daily Papers window.",
    )


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def open_database(
    path: Path,
    *,
    migrate_to: int = LATEST_VERSION,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> SqliteDatabase:
    """Open (creating if needed) the library at ``path`` and bring its schema up to date.

    Write transactions begin IMMEDIATE so a writer waits for the lock up front (for at most
    ``busy_timeout`` seconds) instead of failing half-way when a reader upgrades.

    Raises SchemaTooNewError (leaving the file untouched) for a library written by a newer
    version, DatabaseBusyError when a migration cannot get the lock in time, and StoreError
    when the file cannot be opened at all.
    """
    path = Path(path)
    # Look before the pragmas run: ``journal_mode=wal`` rewrites the header of a file that is
    # not in WAL mode yet, and a file from a newer version must stay exactly as it is.
    peeked = _peek_user_version(path)
    if peeked is not None and peeked > LATEST_VERSION:
        raise _too_new(path, peeked)
    pragmas = {**PRAGMAS, "busy_timeout": int(busy_timeout * 1000)}
    db = SqliteDatabase(str(path), pragmas=pragmas, lock_type="IMMEDIATE", timeout=busy_timeout)
    try:
        db.connect(reuse_if_open=True)
        version = db.execute_sql("PRAGMA user_version").fetchone()[0]
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        # peewee re-raises the driver's errors as its own classes, which do not derive from
        # sqlite3's: 'file is not a database' arrives as peewee.DatabaseError.
        db.close()
        raise _open_error(
            exc,
            f"Cannot open the library {path}: {exc}.",
            "Check the file's permissions, or choose another --data-dir.",
        ) from exc
    if version > LATEST_VERSION:
        db.close()
        raise _too_new(path, version)
    if version < migrate_to:
        try:
            if version > 0:
                backup(db, path.with_name(f"{path.name}.v{version}.bak"))
            migrate(db, version, migrate_to)
        except (OperationalError, sqlite3.OperationalError, OSError) as exc:
            db.close()
            raise _open_error(
                exc,
                f"Cannot update the library {path} to the current format: {exc}.",
                "The file was not changed; check its permissions and free disk space.",
            ) from exc
    return db


def _open_error(exc: BaseException, message: str, hint: str) -> StoreError:
    """What opening the library failed with: busy (another writer), or ``message``."""
    return busy_error() if is_busy(exc) else StoreError(message, hint=hint)


def _too_new(path: Path, version: int) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"The library {path} was written by a newer version of Daily Papers "
        f"(schema {version}; this version knows up to {LATEST_VERSION}).",
        hint="Update Daily Papers, or choose another --data-dir.",
    )


def _peek_user_version(path: Path) -> int | None:
    """``PRAGMA user_version`` read from the file header without opening a connection.

    None when there is no file, it is not a database, or a non-empty WAL may hold a newer
    header (then the connection reads the real value).
    """
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
        with path.open("rb") as f:
            header = f.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(_HEADER_MAGIC):
        return None
    return int.from_bytes(header[60:64], "big")


def migrate(db: SqliteDatabase, current: int, target: int) -> None:
    """Apply migrations ``current+1 … target``, each in its own transaction.

    The version is read again under the write lock, so two processes opening the same old
    library at once do not both apply a step (the second would fail on a duplicate column).
    """
    for number in range(current + 1, target + 1):
        with db.atomic():
            if db.execute_sql("PRAGMA user_version").fetchone()[0] >= number:
                continue
            for statement in MIGRATIONS[number - 1]:
                db.execute_sql(statement)
            # PRAGMA cannot take a bound parameter; ``number`` is our own integer.
            db.execute_sql(f"PRAGMA user_version = {int(number)}")


_PAGES_PER_STEP = 16_384  # 64 MiB per step of a copy (4 KiB pages): a point to cancel at


def backup(db: SqliteDatabase, target: Path, cancel: CancelToken | None = None) -> None:
    """Copy the database to ``target`` consistently (SQLite's backup API), replacing it.

    The copy is written as ``target.partial`` and renamed when complete, so an interrupted
    copy (a full disk, a kill) never looks like a good one; it is in rollback-journal mode,
    so it opens on its own without a ``-wal`` file. ``cancel``, checked between steps, stops
    it with CancelledError. On any error the partial file is removed and the error raised.
    """
    target = Path(target)
    partial = target.with_name(target.name + ".partial")

    def step(_status: int, _remaining: int, _total: int) -> None:
        check_cancel(cancel)

    try:
        dest = sqlite3.connect(str(partial))
        try:
            db.connection().backup(dest, pages=_PAGES_PER_STEP, progress=step)
            dest.execute("PRAGMA journal_mode = delete")
        finally:
            dest.close()
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
