"""Is the library file healthy, and mending it when it is not (``daily-papers check/repair``).

These work on the file itself, not through :class:`Repository`, because a damaged library may
not open as one. :func:`check_library` runs SQLite's integrity check, FTS5's own check of the
search index and the foreign-key check, and returns one line per problem. :func:`repair_library`
rebuilds what can be rebuilt from the data (the search index, the other indexes, rows pointing
at papers that are gone) and checks again; what it cannot mend needs a backup, which
:func:`good_backups` finds and :func:`restore_backup` puts in place (the damaged file is kept
beside it, never deleted).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.errors import DamagedLibraryError, DatabaseBusyError, StoreError
from desktop_app.store.db import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    header_problem,
    library_writable,
    sqlite_code,
)
from desktop_app.store.migrations import LATEST_VERSION

_OUR_TABLES = frozenset({"paper", "tag", "paper_tag"})
_MAX_LINES = 100  # integrity_check stops after this many problems
_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class RepairReport:
    """What :func:`repair_library` did and what is still wrong afterwards."""

    done: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


@contextlib.contextmanager
def _connection(path: Path, *, write: bool) -> Iterator[sqlite3.Connection]:
    if write:
        conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
    else:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=10.0)
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _problems(conn: sqlite3.Connection, *, quick: bool, fts: bool) -> list[str]:
    """Every check on an open connection; ``fts`` needs one that may write (it writes
    nothing, but FTS5 runs its check as an INSERT)."""
    problems: list[str] = []
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = _tables(conn)
    if not tables >= _OUR_TABLES:
        return ["this is an SQLite database, but not a Daily Papers library"]
    if version > LATEST_VERSION:
        return [f"written by a newer version of Daily Papers (schema {version})"]
    pragma = "quick_check" if quick else "integrity_check"
    rows = conn.execute(f"PRAGMA {pragma}({_MAX_LINES})").fetchall()
    problems += [f"sqlite: {r[0]}" for r in rows if r[0] != "ok"]
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        where = f" (row {rowid})" if rowid is not None else ""
        problems.append(f"{table}{where} refers to a missing row of {parent}")
    for index, label in (("paper_fts", "search index"), ("pdf_text_fts", "full-text index")):
        if not fts or index not in tables:
            continue
        try:
            conn.execute("BEGIN")
            conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"{label}: {exc}")
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
    return problems


def check_library(path: Path, *, quick: bool = False) -> list[str]:
    """One line per problem of the library at ``path``; empty when it is healthy.

    ``quick`` uses SQLite's ``quick_check`` (no index-versus-table comparison: a few times
    faster, for the check before each automatic backup). Never changes the file.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        return [f"there is no library at {path}"]
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror or exc}"]
    problem = header_problem(header)
    if problem is not None:
        return [problem]
    try:
        if library_writable(path):
            with _connection(path, write=True) as conn:
                return _problems(conn, quick=quick, fts=True)
        # A read-only library: check a copy (FTS5 runs its check as a write).
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "copy.sqlite3"
            with _connection(path, write=False) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            with _connection(copy, write=True) as conn:
                return _problems(conn, quick=quick, fts=True)
    except sqlite3.DatabaseError as exc:
        if sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED):
            raise DatabaseBusyError(
                "The library is busy: another program is writing to it.",
                hint="Close the Daily Papers window and try again.",
            ) from exc
        return [f"sqlite: {exc}"]


def repair_library(path: Path) -> RepairReport:
    """Rebuild the library from its tables and check the result.

    Every row is read straight from its table (never through an index, which may be what is
    damaged) into a fresh file with the same schema; rows pointing at papers or tags that are
    gone are dropped, the indexes and the search index are built anew. When the fresh file
    passes the check it takes the library's place and the damaged file is kept beside it
    (``library.sqlite3.damaged-<time>``). When a table itself cannot be read, nothing is
    changed and the problems are returned: then only a backup helps (:func:`good_backups`).

    Needs the library to itself: it is refused while another program writes to it.
    """
    path = Path(path)
    if not library_writable(path):
        raise StoreError(
            f"The library {path} is read-only: it cannot be repaired in place.",
            hint="Copy it somewhere writable and repair the copy.",
        )
    before = check_library(path)
    if not before:
        return RepairReport(done=(), problems=())
    unfixable = ("not a Daily Papers library", "newer version", "there is no library")
    if any(u in p for p in before for u in unfixable):
        return RepairReport(done=(), problems=tuple(before))
    with contextlib.suppress(OSError), path.open("rb") as fh:
        if header_problem(fh.read(100)) is not None:
            return RepairReport(done=(), problems=tuple(before))
    fresh = path.with_name(f".{path.name}.rebuilding")
    fresh.unlink(missing_ok=True)
    try:
        dropped = _rebuild(path, fresh)
    except sqlite3.DatabaseError as exc:
        fresh.unlink(missing_ok=True)
        if sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED):
            raise DatabaseBusyError(
                "The library is in use by another program.",
                hint="Close the Daily Papers window (and any running command), then repair.",
            ) from exc
        return RepairReport(done=(), problems=(*before, f"cannot be rebuilt: {exc}"))
    after = check_library(fresh)
    if after:
        fresh.unlink(missing_ok=True)
        return RepairReport(done=(), problems=(*before, *after))
    aside = _replace(path, fresh)
    done = ["rebuilt the library from its tables, with new indexes and a new search index"]
    if dropped:
        done.append(f"dropped {dropped} rows that pointed at deleted papers or tags")
    done.append(f"kept the damaged file as {aside.name}")
    return RepairReport(done=tuple(done), problems=())


def _rebuild(path: Path, fresh: Path) -> int:
    """Copy every table of ``path`` into the new file ``fresh`` (schema first, indexes and
    triggers after the rows); returns how many orphaned rows were left out."""
    conn = sqlite3.connect(str(path), timeout=2.0, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        conn.execute("ATTACH DATABASE ? AS fresh", (str(fresh),))
        conn.execute("BEGIN EXCLUSIVE")  # nobody writes to the library while it is read
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY rowid"
        ).fetchall()
        virtual = [o for o in objects if o[0] == "table" and "VIRTUAL TABLE" in o[3].upper()]
        shadows = tuple(f"{v[1]}_" for v in virtual)
        tables = [
            o
            for o in objects
            if o[0] == "table" and o not in virtual and not o[1].startswith((*shadows, "sqlite_"))
        ]
        for _type, _name, _tbl, sql in tables + virtual:
            conn.execute(_in_fresh(sql))
        for _type, name, _tbl, _sql in tables:
            columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{name}")'))
            conn.execute(
                f'INSERT INTO fresh."{name}" ({columns}) SELECT {columns} FROM main."{name}" '
                "NOT INDEXED"
            )
        dropped = _remove_orphans(conn, [t[1] for t in tables], schema="fresh")
        for _type, _name, _tbl, sql in objects:
            if _type in ("index", "trigger"):
                conn.execute(_in_fresh(sql))
        for vtable in virtual:
            name = vtable[1]
            with contextlib.suppress(sqlite3.DatabaseError):  # its settings (automerge)
                conn.execute(
                    f'INSERT OR REPLACE INTO fresh."{name}_config" '
                    f'SELECT * FROM main."{name}_config"'
                )
            conn.execute(f'INSERT INTO fresh."{name}" ("{name}") VALUES (\'rebuild\')')
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA fresh.user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return dropped


def _in_fresh(sql: str) -> str:
    """A CREATE statement of the library, made to create its object in the ``fresh`` schema."""
    words = sql.split(None, 5)
    # CREATE [UNIQUE|VIRTUAL] TABLE|INDEX|TRIGGER name …
    at = 3 if words[1].upper() in ("UNIQUE", "VIRTUAL") else 2
    return " ".join(words[:at]) + " fresh." + sql.split(None, at)[at]


def _remove_orphans(conn: sqlite3.Connection, tables: list[str], schema: str) -> int:
    """Delete rows whose foreign key points at nothing (a damaged index can leave them)."""
    removed = 0
    for table in tables:
        for row in conn.execute(f'PRAGMA {schema}.foreign_key_list("{table}")').fetchall():
            parent, column, target = row[2], row[3], row[4] or "rowid"
            cur = conn.execute(
                f'DELETE FROM {schema}."{table}" WHERE "{column}" IS NOT NULL AND "{column}" '
                f'NOT IN (SELECT "{target}" FROM {schema}."{parent}")'
            )
            removed += max(cur.rowcount, 0)
    return removed


def _replace(path: Path, replacement: Path) -> Path:
    """Move the library (and its -wal/-shm, which must never meet another file) aside and
    put ``replacement`` in its place; returns where the old library went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", *_COMPANIONS):
            current = path.with_name(path.name + suffix)
            if current.exists():
                os.replace(current, aside.with_name(aside.name + suffix))
                moved.append((aside.with_name(aside.name + suffix), current))
        os.replace(replacement, path)
    except OSError as exc:
        for src, dst in reversed(moved):  # put everything back as it was
            with contextlib.suppress(OSError):
                os.replace(src, dst)
        raise StoreError(
            f"Could not put the repaired library in place: {exc.strerror or exc}.",
            hint="Check the folder's permissions; the library was not changed.",
        ) from exc
    return aside


def good_backups(path: Path) -> list[Path]:
    """The copies of the library in its ``backups/`` folder that pass the check, newest first."""
    folder = Path(path).parent / "backups"
    if not folder.is_dir():
        return []
    copies = sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [c for c in copies if not check_library(c, quick=True)]


def restore_backup(path: Path, backup: Path) -> Path:
    """Put ``backup`` in place of the library at ``path``; returns where the old library went.

    The backup is checked first. The current library and its ``-wal``/``-shm`` files are moved
    aside (``library.sqlite3.damaged-<UTC time>``), never deleted, and the backup is copied
    (not moved) into place under a temporary name and renamed.
    """
    path, backup = Path(path), Path(backup)
    problems = check_library(backup)
    if problems:
        raise DamagedLibraryError(
            f"The backup {backup} is not a healthy library either ({problems[0]}).",
            hint="Choose another backup.",
        )
    tmp = path.with_name(f".{path.name}.restoring")
    try:
        shutil.copyfile(backup, tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"Could not restore {backup}: {exc.strerror or exc}.",
            hint="Check free disk space and the folder's permissions.",
        ) from exc
    try:
        aside = _replace(path, tmp)
    finally:
        tmp.unlink(missing_ok=True)
    return aside
