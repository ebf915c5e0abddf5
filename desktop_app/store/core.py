"""What every part of the store shares: the database, its bound models, transactions that map
SQLite's errors to the user's, and the small helpers for ids and ``IN (…)`` lists.

The parts (:mod:`ingest`, :mod:`feed`, :mod:`tags`, :mod:`state`, :mod:`snapshots`) each hold
one :class:`StoreCore`; :class:`~desktop_app.store.repository.Repository` builds them and is the
only thing the rest of the application sees.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from desktop_app.errors import NotFoundError
from desktop_app.store.db import BUG_ERRORS, DB_ERRORS, LibraryDatabase, store_error
from desktop_app.store.models import Models, bind_models

T = TypeVar("T")
CHUNK = 400  # ids per IN (...) lookup, well under SQLite's variable limit


def rows(query: Any) -> list[tuple[Any, ...]]:
    """The rows of a ``.tuples()`` query (peewee's stubs type them as model instances)."""
    return list(query)


def marks(n: int) -> str:
    """``?,?,?`` for ``n`` bound values."""
    return ",".join("?" * n)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def now() -> str:
    """The current UTC time as stored (``2026-03-06T08:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


class StoreCore:
    """One library's database, shared by the parts of the store (and between threads: peewee
    keeps one SQLite connection per thread)."""

    def __init__(self, db: LibraryDatabase, path: Path) -> None:
        self.db = db
        self.path = path
        self.m: Models = bind_models(db)

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.db, "read_only", False))

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (the bulk paths use it directly, for speed)."""
        return self.db.connection()  # type: ignore[no-any-return]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (nested ones are savepoints). Statements run through peewee
        raise its error classes and those on the raw connection sqlite3's; either way a
        locked, full, read-only or damaged library becomes the matching StoreError, while a
        constraint or SQL error is ours and stays a bug."""
        try:
            with self.db.atomic():
                yield
        except DB_ERRORS as exc:
            if isinstance(exc, BUG_ERRORS):
                raise
            raise store_error(exc, self.path, "updated") from exc

    def read(self, fn: Callable[[], T]) -> T:
        """Run a read, with the same error mapping as :meth:`transaction`."""
        try:
            return fn()
        except DB_ERRORS as exc:
            if isinstance(exc, BUG_ERRORS):
                raise
            raise store_error(exc, self.path, "read") from exc

    def pks(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """``paper_id → rowid`` for the given ids that exist."""
        result: dict[str, int] = {}
        conn = self.connection()
        for chunk in chunks(list(dict.fromkeys(paper_ids))):
            result.update(
                conn.execute(
                    f"SELECT paper_id, id FROM paper WHERE paper_id IN ({marks(len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return result

    def require_pks(self, paper_ids: Sequence[str]) -> list[int]:
        """The rowids of ``paper_ids`` in their order, or NotFoundError for the first missing."""
        pks = self.pks(paper_ids)
        missing = [p for p in paper_ids if p not in pks]
        if missing:
            raise NotFoundError(
                f"No paper {missing[0]} in the library.",
                hint="Add it with `daily-papers add ID` first.",
            )
        return [pks[p] for p in dict.fromkeys(paper_ids)]
