"""Bulk upsert: records from a source merged into the library, one transaction per call.

This is the ingest hot path (a month of daily lists, a 10,000-entry BibTeX import, 100k papers
in ``bench/bench_store.py``), so it runs on the raw connection with ``executemany`` and tuples
in a fixed column order rather than through the query builder: the benchmark's ratio against a
raw ``executemany`` baseline is what keeps it honest (README, Benchmarks).
"""

from __future__ import annotations

import collections
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from peewee import IntegerField

from desktop_app.domain import (
    SOURCE_RANKS,
    DailyAppearance,
    PaperRecord,
    PersonName,
    UpsertResult,
)
from desktop_app.safetext import clean_text, single_line
from desktop_app.store.core import CHUNK, StoreCore, iso, marks, now
from desktop_app.store.models import FTS_COLUMNS, PAPER_COLUMNS, PaperRow

# Every fetched column an upsert writes: the paper table but its keys, the times it keeps, the
# citation key and what an imported entry says (store/entries.py writes those; user state
# lives in other tables). In the table's order.
_NOT_FETCHED = (
    "id",
    "paper_id",
    "first_seen",
    "last_fetched",
    "cite_key",
    "entry_type",
    "venue",
    "volume",
    "number",
    "pages",
)
UPSERT_COLUMNS = tuple(c for c in PAPER_COLUMNS if c not in _NOT_FETCHED)


def _line(value: Any) -> Any:
    """A text field as one clean line (controls, bidi overrides and surrogates removed)."""
    if value is None or value.isprintable():  # nearly always: nothing to do
        return value
    return " ".join(single_line(value).split())


# How each column is read off a record. Text is cleaned on the way in: nothing that acts on
# a terminal or reorders what is shown (see desktop_app.safetext) is ever stored.
def clean_authors(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names (authors, categories), each one clean line; one C-level check for the usual
    clean list."""
    if "".join(names).isprintable():
        return names
    return tuple(_line(a) for a in names)


_SPECIAL: dict[str, Callable[[PaperRecord], Any]] = {
    "abstract": lambda r: clean_text(r.abstract).strip() if r.abstract is not None else None,
    "authors_text": lambda r: ", ".join(clean_authors(r.authors)) if r.authors else None,
    # A paper known only by its year (a .bib entry) is dated by it: "2015" sorts among full
    # dates (ISO 8601's reduced precision); a Paper reads it as no full date.
    "published": lambda r: iso(r.published) or (str(r.year) if r.year else None),
    "updated": lambda r: iso(r.updated),
    "ai_keywords": lambda r: (
        json.dumps([_line(k) for k in r.ai_keywords], ensure_ascii=False)
        if r.ai_keywords is not None
        else None
    ),
    "categories": lambda r: (
        " ".join(clean_authors(r.categories)) if r.categories is not None else None
    ),
    "source_rank": lambda r: SOURCE_RANKS.get(r.source, SOURCE_RANKS["unknown"]),
}


def _compile_record_values() -> Callable[[PaperRecord], tuple[Any, ...]]:
    """``record_values`` written out for the columns of the model, once at import.

    The ingest benchmark calls it 100,000 times: one tuple expression with the common case
    inline is several times faster than a loop over per-column getters. The source is
    generated from ``UPSERT_COLUMNS`` (the model), so a column added there is read here
    without a change.
    """
    parts = []
    for name in UPSERT_COLUMNS:
        if name in _SPECIAL:
            parts.append(f"_SPECIAL[{name!r}](r)")
        elif isinstance(getattr(PaperRow, name), IntegerField):
            parts.append(f"r.{name}")
        elif name == "title":  # shown on one line: wrapped titles are joined
            parts.append("' '.join(_line(r.title).split())")
        else:  # the common case inline: None, or text with nothing to clean
            parts.append(f"(v if (v := r.{name}) is None or v.isprintable() else _line(v))")
    source = f"def record_values(r):\n    return ({', '.join(parts)},)\n"
    namespace: dict[str, Any] = {"_SPECIAL": _SPECIAL, "_line": _line}
    exec(compile(source, "<desktop_app.store.ingest>", "exec"), namespace)
    return namespace["record_values"]  # type: ignore[no-any-return]


record_values = _compile_record_values()
record_values.__doc__ = (
    "The fetched columns of a record in ``UPSERT_COLUMNS`` order; ``None`` = does not say."
)
# (Upvotes and comments stay NULL until Hugging Face says: unknown is not 0.)
_DEFAULTS = {"abstract": "", "authors_text": "", "published": ""}
_NEW_ROW_DEFAULTS = {UPSERT_COLUMNS.index(c): v for c, v in _DEFAULTS.items()}
# Columns indexed by FTS5. Its update trigger fires when one of them is SET, changed or not,
# so an update that leaves them alone must not name them (a daily upvote refresh would
# otherwise delete and re-insert every refreshed paper in the index).
_FTS_INDEXES = tuple(UPSERT_COLUMNS.index(c) for c in FTS_COLUMNS)
_OTHER_COLUMNS = tuple(c for c in UPSERT_COLUMNS if c not in FTS_COLUMNS)
_OTHER_INDEXES = tuple(UPSERT_COLUMNS.index(c) for c in _OTHER_COLUMNS)
# The bibliographic columns, which a source ranked below the paper's only fills when empty
# (domain.SOURCE_RANKS); the version only ever goes up.
_RANKED = (
    "title",
    "abstract",
    "authors_text",
    "published",
    "updated",
    "categories",
    "primary_category",
    "doi",
    "journal_ref",
    "arxiv_comment",
    "year",
)
_RANKED_INDEXES = tuple(UPSERT_COLUMNS.index(c) for c in _RANKED)
_RANK_INDEX = UPSERT_COLUMNS.index("source_rank")
_VERSION_INDEX = UPSERT_COLUMNS.index("version")

_COLS = ", ".join(UPSERT_COLUMNS)
_INSERT_SQL = (
    f"INSERT INTO paper (id, paper_id, {_COLS}, first_seen, last_fetched) "
    f"VALUES (?, ?, {', '.join('?' * len(UPSERT_COLUMNS))}, ?, ?)"
)
_UPDATE_ALL_SQL = (
    f"UPDATE paper SET {', '.join(f'{c} = ?' for c in UPSERT_COLUMNS)}, "
    "last_fetched = ? WHERE id = ?"
)
_UPDATE_OTHER_SQL = (
    f"UPDATE paper SET {', '.join(f'{c} = ?' for c in _OTHER_COLUMNS)}, "
    "last_fetched = ? WHERE id = ?"
)
NEXT_PK_SQL = "SELECT coalesce(max(id), 0) + 1 FROM paper"
_NEW, _UPDATED, _UNCHANGED = 1, 2, 3  # what an upsert did to a paper


def _overlay(fresh: tuple[Any, ...], base: tuple[Any, ...]) -> tuple[Any, ...]:
    """``fresh`` with the fields it leaves ``None`` taken from ``base``."""
    return tuple(f if f is not None else b for f, b in zip(fresh, base, strict=True))


def _merge(fresh: tuple[Any, ...], stored: tuple[Any, ...]) -> tuple[Any, ...]:
    """A refetched record's values merged over the stored row: what it says wins, except
    that a lower-ranked source only fills empty bibliographic fields and the version never
    goes down."""
    merged = list(_overlay(fresh, stored))
    if fresh[_RANK_INDEX] < stored[_RANK_INDEX]:
        for i in _RANKED_INDEXES:
            if stored[i] not in (None, ""):
                merged[i] = stored[i]
    merged[_RANK_INDEX] = max(fresh[_RANK_INDEX], stored[_RANK_INDEX])
    if fresh[_VERSION_INDEX] is not None and stored[_VERSION_INDEX] is not None:
        merged[_VERSION_INDEX] = max(fresh[_VERSION_INDEX], stored[_VERSION_INDEX])
    return tuple(merged)


def _new_row_values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``values`` with the NOT NULL columns' defaults for a paper seen for the first time."""
    row = list(values)
    for i, default in _NEW_ROW_DEFAULTS.items():
        if row[i] is None:
            row[i] = default
    return tuple(row)


class Ingest:
    """Storing what sources say about papers."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def upsert_papers(
        self,
        records: Iterable[PaperRecord],
        appearances: Iterable[DailyAppearance] = (),
        *,
        fetched_at: str | None = None,
    ) -> UpsertResult:
        """Insert new papers and merge refetched ones, all in one transaction.

        A field the record leaves ``None`` keeps its stored value, and a source ranked below
        the one that wrote a paper's bibliographic fields only fills gaps in them; user state
        (tags, notes, read/starred/saved) is never touched. Rows are updated in place
        (``INSERT … ON CONFLICT`` semantics by hand, never the delete-and-insert of an ``OR
        REPLACE`` conflict clause), so keys stay stable and the FTS index, maintained by
        triggers, stays consistent.

        ``records`` is consumed as a stream, a few hundred at a time, so a caller that streams
        them (an arXiv listing, a generator) never holds them all. Records are applied in
        order: a later record for the same id merges over the earlier one, and the paper is
        counted once (new if this call created it).
        """
        apps = list(appearances)
        stamp = fetched_at or now()
        outcome: dict[str, int] = {}  # paper id → _NEW / _UPDATED / _UNCHANGED
        with self.core.transaction():
            conn = self.core.connection()
            stream = iter(records)
            while chunk := list(itertools.islice(stream, CHUNK)):
                self._upsert_chunk(conn, chunk, stamp, outcome)
            if apps:
                self._record_appearances(apps)
        counts = collections.Counter(outcome.values())
        return UpsertResult(
            new=counts[_NEW], updated=counts[_UPDATED], unchanged=counts[_UNCHANGED]
        )

    def _upsert_chunk(
        self,
        conn: sqlite3.Connection,
        chunk: list[PaperRecord],
        stamp: str,
        outcome: dict[str, int],
    ) -> None:
        # Repeats within the chunk fold into one row of values, later fields over earlier.
        pending: dict[str, tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        parts: dict[str, tuple[PersonName, ...]] = {}  # name parts, from bibliographies
        for rec in chunk:
            fresh = record_values(rec)
            authors = clean_authors(rec.authors)
            earlier = pending.get(rec.id)
            if earlier is not None:
                fresh = _overlay(fresh, earlier[0])
                pending[rec.id] = (fresh, authors or earlier[1])
            else:
                pending[rec.id] = (fresh, authors)
            if authors and rec.author_parts is not None:
                if len(rec.author_parts) == len(authors):
                    parts[rec.id] = rec.author_parts
                else:
                    parts.pop(rec.id, None)
        ids = list(pending)
        existing = {
            row[1]: row
            for row in conn.execute(
                f"SELECT id, paper_id, {_COLS} FROM paper WHERE paper_id IN ({marks(len(ids))})",
                ids,
            )
        }
        stored_authors = self._stored_authors(
            conn,
            [existing[i][0] for i, (_, authors) in pending.items() if authors and i in existing],
        )
        inserts: list[tuple[Any, ...]] = []
        insert_authors: list[tuple[int, tuple[str, ...], str]] = []
        updates_all: list[tuple[Any, ...]] = []
        updates_other: list[tuple[Any, ...]] = []
        update_authors: list[tuple[int, tuple[str, ...], str]] = []
        touched: list[tuple[str, int]] = []
        # New rows get their keys from us, as SQLite would assign them (max + 1; we hold the
        # write lock), so their authors need no lookup after the insert.
        next_pk = None
        for paper_id, (fresh, authors) in pending.items():
            old = existing.get(paper_id)
            if old is None:
                if next_pk is None:
                    next_pk = conn.execute(NEXT_PK_SQL).fetchone()[0]
                inserts.append((next_pk, paper_id, *_new_row_values(fresh), stamp, stamp))
                insert_authors.append((next_pk, authors, paper_id))
                next_pk += 1
                outcome[paper_id] = _NEW
                continue
            pk, stored = old[0], old[2:]
            merged = _merge(fresh, stored)
            # Compare the author lists themselves: the joined text cannot tell
            # ("Smith, J.",) from ("Smith", "J."). A lower source leaves them as they are.
            lower = fresh[_RANK_INDEX] < stored[_RANK_INDEX] and bool(stored_authors.get(pk))
            authors_changed = (
                bool(authors) and not lower and stored_authors.get(pk) != tuple(authors)
            )
            if merged == stored and not authors_changed:
                outcome.setdefault(paper_id, _UNCHANGED)
                touched.append((stamp, pk))
                continue
            if any(merged[i] != stored[i] for i in _FTS_INDEXES):
                updates_all.append((*merged, stamp, pk))
            else:
                updates_other.append((*(merged[i] for i in _OTHER_INDEXES), stamp, pk))
            if authors_changed:
                update_authors.append((pk, authors, paper_id))
            if outcome.get(paper_id) != _NEW:
                outcome[paper_id] = _UPDATED
        if inserts:
            conn.executemany(_INSERT_SQL, inserts)
            self._write_authors(conn, insert_authors, parts)
        if updates_all:
            conn.executemany(_UPDATE_ALL_SQL, updates_all)
        if updates_other:
            conn.executemany(_UPDATE_OTHER_SQL, updates_other)
        if update_authors:
            conn.executemany(
                "DELETE FROM paper_author WHERE paper = ?", [(pk,) for pk, _, _ in update_authors]
            )
            self._write_authors(conn, update_authors, parts)
        if touched:
            conn.executemany("UPDATE paper SET last_fetched = ? WHERE id = ?", touched)

    @staticmethod
    def _write_authors(
        conn: sqlite3.Connection,
        rows: list[tuple[int, tuple[str, ...], str]],
        parts: dict[str, tuple[PersonName, ...]],
    ) -> None:
        """The author rows of papers; with their name parts where a bibliography gave them."""
        plain = [
            (pk, pos, name)
            for pk, names, pid in rows
            if pid not in parts
            for pos, name in enumerate(names)
        ]
        conn.executemany("INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)", plain)
        if parts:
            conn.executemany(
                "INSERT INTO paper_author (paper, position, name, given, family, von, jr, "
                "literal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        pk,
                        pos,
                        name,
                        p.given or None,
                        p.family or None,
                        p.von or None,
                        p.jr or None,
                        p.literal or None,
                    )
                    for pk, names, pid in rows
                    if pid in parts
                    for pos, (name, p) in enumerate(zip(names, parts[pid], strict=True))
                ],
            )

    @staticmethod
    def _stored_authors(conn: sqlite3.Connection, pks: list[int]) -> dict[int, tuple[str, ...]]:
        if not pks:
            return {}
        names: dict[int, list[str]] = {pk: [] for pk in pks}
        for pk, name in conn.execute(
            f"SELECT paper, name FROM paper_author WHERE paper IN ({marks(len(pks))}) "
            "ORDER BY paper, position",
            pks,
        ):
            names[pk].append(name)
        return {pk: tuple(v) for pk, v in names.items()}

    def _record_appearances(self, apps: list[DailyAppearance]) -> None:
        pks = self.core.pks([a.paper_id for a in apps])
        rows = [(a.day.isoformat(), pks[a.paper_id], a.rank) for a in apps if a.paper_id in pks]
        # The rank of a paper on a given day is refreshed, never duplicated.
        self.core.connection().executemany(
            "INSERT INTO daily_appearance (day, paper, rank) VALUES (?, ?, ?) "
            "ON CONFLICT (day, paper) DO UPDATE SET rank = excluded.rank",
            rows,
        )
