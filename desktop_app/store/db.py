"""Opening the SQLite file: pragmas on every connection, migrations, newer-schema refusal."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from peewee import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SqliteDatabase,
)

from desktop_app.errors import (
    CancelToken,
    DamagedLibraryError,
    DatabaseBusyError,
    DiskFullError,
    ReadOnlyLibraryError,
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


# SQLite's primary result codes. sqlite3 exceptions carry the extended code
# (``sqlite_errorcode``, e.g. SQLITE_IOERR_WRITE = 778) whose low byte is the primary one.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26
_KNOWN_CODES = frozenset(
    {
        SQLITE_PERM,
        SQLITE_BUSY,
        SQLITE_LOCKED,
        SQLITE_NOMEM,
        SQLITE_READONLY,
        SQLITE_IOERR,
        SQLITE_CORRUPT,
        SQLITE_FULL,
        SQLITE_CANTOPEN,
        SQLITE_NOTADB,
    }
)
# What the driver raises for our own mistakes (a constraint, bad SQL): bugs, never the user's.
BUG_ERRORS = (IntegrityError, ProgrammingError, sqlite3.IntegrityError, sqlite3.ProgrammingError)
DB_ERRORS = (DatabaseError, sqlite3.DatabaseError)


def busy_error() -> DatabaseBusyError:
    return DatabaseBusyError(
        "The library is busy: another program is writing to it.",
        hint="Wait a moment and try again, or close the other Daily Papers window.",
    )


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code behind ``exc``, looked for through everything it wraps.

    peewee re-raises the driver's exceptions as its own classes (the original is their
    ``orig``), and a failed statement inside a transaction can be masked by the rollback that
    follows it ("cannot rollback - no transaction is active" after SQLite already rolled back
    on a full disk), so the chain is searched for the code that says what really happened.
    """
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    first: int | None = None
    while stack:
        item = stack.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        code = getattr(item, "sqlite_errorcode", None)
        if isinstance(code, int):
            primary = code & 0xFF
            if primary in _KNOWN_CODES:
                return primary
            first = primary if first is None else first
        stack.extend([getattr(item, "orig", None), *item.args, item.__cause__, item.__context__])
    return first


def store_error(exc: BaseException, path: Path, doing: str = "updated") -> StoreError:
    """The user-facing error for a database failure while the library was being ``doing``
    ("read", "updated", "opened"), classified by SQLite's result code."""
    code = sqlite_code(exc)
    where = path.parent
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return busy_error()
    if code == SQLITE_FULL:
        return DiskFullError(
            f"The disk holding the library ({where}) is full.",
            hint="Free some space and try again; nothing was changed.",
        )
    if code in (SQLITE_READONLY, SQLITE_PERM):
        return ReadOnlyLibraryError(
            f"The library {path} is read-only: it can be read but not changed.",
            hint="Check the permissions of the file and its folder, or whether the disk is "
            "mounted read-only.",
        )
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return DamagedLibraryError(
            f"The library {path} is damaged ({_detail(exc)}).",
            hint="Nothing was changed. `daily-papers check` lists the problems and "
            "`daily-papers repair` fixes what it can or says which backup to restore.",
        )
    if code == SQLITE_IOERR:
        return StoreError(
            f"The library could not be {doing}: the disk reported an error ({_detail(exc)}).",
            hint="Check the disk (and free space); nothing was changed.",
        )
    if code == SQLITE_CANTOPEN:
        return StoreError(
            f"The library {path} cannot be opened ({_detail(exc)}).",
            hint="Check that the file and its folder exist and are readable.",
        )
    return StoreError(f"The library could not be {doing}: {_detail(exc)}.")


def _detail(exc: BaseException) -> str:
    """The driver's own words for the failure (not the masking rollback message)."""
    stack: list[object] = [exc]
    seen: list[BaseException] = []
    texts: list[str] = []
    while stack:
        item = stack.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        if isinstance(item, sqlite3.Error):
            texts.append(str(item))
        stack.extend([getattr(item, "orig", None), *item.args, item.__cause__, item.__context__])
    useful = [t for t in texts if "cannot rollback" not in t]
    return (useful or texts or [str(exc)])[0].rstrip(".")


class LibraryDatabase(SqliteDatabase):
    """A library's database; ``read_only`` when it was opened without write access."""

    read_only = False


# The tables every library has had since schema 1: a file without them is not a library.
_OUR_TABLES = frozenset({"paper", "tag", "paper_tag"})


def library_writable(path: Path) -> bool:
    """Whether the library at ``path`` (or the folder it would be created in) can be written:
    the file, its folder (for the ``-wal``/``-shm`` files) and the disk all allow it."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return False
    except (OSError, AttributeError):  # no statvfs (Windows): permissions decide
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK)


def header_problem(header: bytes) -> str | None:
    """What is wrong with an SQLite file header (its first 100 bytes), or None.

    Checks the fields SQLite itself insists on (magic, page size, format versions, payload
    fractions) and that ``user_version`` is one this application could have written.
    """
    if len(header) < 100 or not header.startswith(_HEADER_MAGIC):
        return "it is not an SQLite database, or its first page is damaged"
    page_size = int.from_bytes(header[16:18], "big")
    if not (page_size == 1 or (512 <= page_size <= 32768 and page_size & (page_size - 1) == 0)):
        return f"its header is damaged (page size {page_size})"
    if header[18] not in (1, 2) or header[19] not in (1, 2) or header[21:24] != b"\x40\x20\x20":
        return "its header is damaged"
    version = int.from_bytes(header[60:64], "big", signed=True)
    if version < 0:
        return f"its schema version is {version}, which no version of Daily Papers writes"
    return None


def _read_header(path: Path) -> bytes | None:
    """The first 100 bytes of the file, or None when there is no file (or it is empty)."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"Cannot read the library {path}: {exc.strerror or exc}.",
            hint="Check the file's permissions, or choose another --data-dir.",
        ) from exc
    return header or None


def _damaged(path: Path, why: str) -> DamagedLibraryError:
    return DamagedLibraryError(
        f"The library {path} cannot be used: {why}.",
        hint="Nothing was changed. `daily-papers check` says more; `daily-papers repair` "
        "fixes what it can or says which backup to restore. Or choose another --data-dir.",
    )


def _not_ours(path: Path) -> DamagedLibraryError:
    return DamagedLibraryError(
        f"{path} is an SQLite database, but not a Daily Papers library.",
        hint="Nothing was changed. Choose another --data-dir (or move that file away).",
    )


def open_database(
    path: Path,
    *,
    migrate_to: int = LATEST_VERSION,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> LibraryDatabase:
    """Open (creating if needed) the library at ``path`` and bring its schema up to date.

    Write transactions begin IMMEDIATE so a writer waits for the lock up front (for at most
    ``busy_timeout`` seconds) instead of failing half-way when a reader upgrades. A library
    that cannot be written (a read-only file, folder or disk) is opened read-only: reading
    works, and every write raises ReadOnlyLibraryError.

    Refuses, leaving the file untouched: a library written by a newer version
    (SchemaTooNewError); a damaged file or an SQLite file that is not a library
    (DamagedLibraryError); a migration that cannot get the lock in time (DatabaseBusyError);
    a file that cannot be opened at all (StoreError).
    """
    path = Path(path)
    # Look before the pragmas run: ``journal_mode=wal`` rewrites the header of a file that is
    # not in WAL mode yet, and a file from a newer version must stay exactly as it is.
    header = _read_header(path)
    if header is not None:
        problem = header_problem(header)
        if problem is not None:
            raise _damaged(path, problem)
    writable = library_writable(path)
    if header is not None:
        # Decide what the file is before anything may change it (the WAL pragma would).
        version, names = _probe(path)
        if version > LATEST_VERSION:
            if not names >= _OUR_TABLES:
                raise _not_ours(path)
            raise _too_new(path, version)
        if (version == 0 and names) or (version > 0 and not names >= _OUR_TABLES):
            raise _not_ours(path)
    elif not writable:
        raise ReadOnlyLibraryError(
            f"Cannot create a library in {path.parent}: the folder is read-only.",
            hint="Choose another folder with --data-dir or DAILY_PAPERS_HOME.",
        )
    db = _connect(path, busy_timeout, writable)
    try:
        version = db.execute_sql("PRAGMA user_version").fetchone()[0]
    except DB_ERRORS as exc:
        db.close()
        raise _open_error(
            exc, path, "Check the file's permissions, or choose another --data-dir."
        ) from exc
    if version < migrate_to:
        if not writable:
            db.close()
            raise ReadOnlyLibraryError(
                f"The library {path} is read-only and was written by an older version of "
                "Daily Papers: it must be updated before it can be read.",
                hint="Make the file and its folder writable once, then open it again.",
            )
        try:
            if version > 0:
                backup(db, path.with_name(f"{path.name}.v{version}.bak"))
            migrate(db, version, migrate_to)
        except (OperationalError, sqlite3.OperationalError, OSError) as exc:
            db.close()
            raise _open_error(
                exc,
                path,
                "The file was not changed; check its permissions and free disk space.",
                "Cannot update the library {path} to the current format",
            ) from exc
    return db


def _probe(path: Path) -> tuple[int, set[str]]:
    """``(user_version, table names)`` of an existing file, read without changing it or
    leaving anything beside it: no pragma that writes, no -wal or -shm created. Without
    pending WAL content the file is complete and is read as immutable; with it, read-only
    through the WAL."""
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    uri = f"{path.absolute().as_uri()}?mode=ro{'' if pending else '&immutable=1'}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=DEFAULT_BUSY_TIMEOUT)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return version, {r[0] for r in rows}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _open_error(exc, path, "Check the file's permissions.") from exc


def _connect(path: Path, busy_timeout: float, writable: bool) -> LibraryDatabase:
    if writable:
        pragmas = {**PRAGMAS, "busy_timeout": int(busy_timeout * 1000)}
        db = LibraryDatabase(
            str(path), pragmas=pragmas, lock_type="IMMEDIATE", timeout=busy_timeout
        )
    else:
        # Read-only: no pragma that writes. A WAL library whose -shm file cannot be created
        # opens only as "immutable" (nothing can change it anyway); one with a WAL still
        # holding changes is read through it.
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        pending = wal.exists() and wal.stat().st_size > 0
        immutable = "" if pending and shm.exists() else "&immutable=1"
        pragmas = {k: v for k, v in PRAGMAS.items() if k in ("foreign_keys", "cache_size")}
        uri = f"{path.absolute().as_uri()}?mode=ro{immutable}"
        db = LibraryDatabase(uri, pragmas=pragmas, uri=True, timeout=busy_timeout)
        db.read_only = True
    try:
        db.connect(reuse_if_open=True)
    except DB_ERRORS as exc:
        db.close()
        raise _open_error(
            exc, path, "Check the file's permissions, or choose another --data-dir."
        ) from exc
    return db


def _open_error(
    exc: BaseException, path: Path, hint: str, doing: str = "Cannot open the library {path}"
) -> StoreError:
    """What opening the library failed with: a known cause (busy, full, damaged, read-only),
    or the driver's words after ``doing`` and with ``hint``."""
    if sqlite_code(exc) in _KNOWN_CODES:
        return store_error(exc, path, "opened")
    return StoreError(f"{doing.format(path=path)}: {_detail(exc)}.", hint=hint)


def _too_new(path: Path, version: int) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"The library {path} was written by a newer version of Daily Papers "
        f"(schema {version}; this version knows up to {LATEST_VERSION}).",
        hint="Update Daily Papers, or choose another --data-dir.",
    )


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
