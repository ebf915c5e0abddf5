"""Opening the SQLite file: pragmas on every connection, migrations, newer-schema refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import OperationalError, SqliteDatabase

from desktop_app.errors import SchemaTooNewError, StoreError
from desktop_app.store.migrations import LATEST_VERSION, MIGRATIONS

# Set on every connection peewee opens (one per thread), so the worker thread's connection
# gets the same guarantees as the GUI thread's.
PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "cache_size": -32000,  # 32 MiB page cache per connection
    "temp_store": "memory",
}


def open_database(path: Path, *, migrate_to: int = LATEST_VERSION) -> SqliteDatabase:
    """Open (creating if needed) the library at ``path`` and bring its schema up to date.

    Write transactions begin IMMEDIATE so a writer waits for the lock up front (bounded by
    ``busy_timeout``) instead of failing half-way when a reader upgrades.
    """
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE", timeout=10)
    try:
        db.connect(reuse_if_open=True)
        version = db.execute_sql("PRAGMA user_version").fetchone()[0]
    except (OperationalError, sqlite3.DatabaseError) as exc:
        db.close()
        raise StoreError(
            f"Cannot open the library {path}: {exc}.",
            hint="Check the file's permissions, or choose another --data-dir.",
        ) from exc
    if version > LATEST_VERSION:
        db.close()
        raise SchemaTooNewError(
            f"The library {path} was written by a newer version of Daily Papers "
            f"(schema {version}; this version knows up to {LATEST_VERSION}).",
            hint="Update Daily Papers, or choose another --data-dir.",
        )
    if version < migrate_to:
        if version > 0:
            backup(db, path.with_name(f"{path.name}.v{version}.bak"))
        migrate(db, version, migrate_to)
    return db


def migrate(db: SqliteDatabase, current: int, target: int) -> None:
    """Apply migrations ``current+1 … target``, each in its own transaction."""
    for number in range(current + 1, target + 1):
        with db.atomic():
            for statement in MIGRATIONS[number - 1]:
                db.execute_sql(statement)
            # PRAGMA cannot take a bound parameter; ``number`` is our own integer.
            db.execute_sql(f"PRAGMA user_version = {int(number)}")


def backup(db: SqliteDatabase, target: Path) -> None:
    """Copy the database (consistently, through SQLite's backup API) before migrating it."""
    dest = sqlite3.connect(str(target))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
