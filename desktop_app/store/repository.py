"""The repository: every read and write of the library, returning plain dataclasses.

Safe to share between threads: peewee keeps one SQLite connection per thread, each opened
with the same pragmas (WAL, foreign keys, busy timeout). Writes are transactions that begin
IMMEDIATE; a lock held longer than the busy timeout becomes a :class:`DatabaseBusyError`.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import operator
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from peewee import (
    DatabaseError,
)

from desktop_app.domain import (
    SOURCE_RANKS,
    DailyAppearance,
    FeedQuery,
    PageResult,
    Paper,
    PaperRecord,
    PaperSnapshot,
    Sort,
    Tag,
    UpsertResult,
)
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.safetext import clean_text, single_line
from desktop_app.store.db import (
    BUG_ERRORS,
    DB_ERRORS,
    DEFAULT_BUSY_TIMEOUT,
    open_database,
    store_error,
)
from desktop_app.store.models import bind_models
from desktop_app.store.search import (
    arxiv_id_in_query,
    build_fts_query,
    excluded_fts_query,
    relevance_tiers,
    symbol_terms,
)

T = TypeVar("T")


# Record fields stored as-is in a same-named column (title and abstract are cleaned first).
_SCALAR_FIELDS = (
    "upvotes",
    "comments",
    "organization",
    "github_repo",
    "github_stars",
    "project_page",
    "thumbnail",
    "ai_summary",
    "primary_category",
    "doi",
    "journal_ref",
    "arxiv_comment",
    "version",
    "num_models",
    "num_datasets",
    "num_spaces",
    "year",
)
# Every fetched column written by an upsert (user state lives in other tables).
_UPSERT_COLUMNS = (
    "title",
    "abstract",
    *_SCALAR_FIELDS,
    "authors_text",
    "published",
    "updated",
    "ai_keywords",
    "categories",
    "source_rank",
)
_NEW_ROW_DEFAULTS = {
    _UPSERT_COLUMNS.index(name): default
    for name, default in (
        ("abstract", ""),
        ("authors_text", ""),
        ("published", ""),
        ("upvotes", 0),
        ("comments", 0),
    )
}
# Columns indexed by FTS5. Its update trigger fires when one of them is SET, changed or not,
# so an update that leaves them alone must not name them (a daily upvote refresh would
# otherwise delete and re-insert every refreshed paper in the index).
_FTS_COLUMNS = ("title", "abstract", "authors_text")
_FTS_INDEXES = tuple(_UPSERT_COLUMNS.index(c) for c in _FTS_COLUMNS)
_OTHER_COLUMNS = tuple(c for c in _UPSERT_COLUMNS if c not in _FTS_COLUMNS)
_OTHER_INDEXES = tuple(_UPSERT_COLUMNS.index(c) for c in _OTHER_COLUMNS)
_CHUNK = 400  # ids per IN (...) lookup, well under SQLite's variable limit
# The bibliographic columns, which a source ranked below the paper's only fills when empty
# (domain.SOURCE_RANKS); the version only ever goes up.
_RANKED_INDEXES = tuple(
    _UPSERT_COLUMNS.index(c)
    for c in (
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
)
_RANK_INDEX = _UPSERT_COLUMNS.index("source_rank")
_VERSION_INDEX = _UPSERT_COLUMNS.index("version")

_COLS = ", ".join(_UPSERT_COLUMNS)
_INSERT_SQL = (
    f"INSERT INTO paper (id, paper_id, {_COLS}, first_seen, last_fetched) "
    f"VALUES (?, ?, {', '.join('?' * len(_UPSERT_COLUMNS))}, ?, ?)"
)
_UPDATE_ALL_SQL = (
    f"UPDATE paper SET {', '.join(f'{c} = ?' for c in _UPSERT_COLUMNS)}, "
    "last_fetched = ? WHERE id = ?"
)
_UPDATE_OTHER_SQL = (
    f"UPDATE paper SET {', '.join(f'{c} = ?' for c in _OTHER_COLUMNS)}, "
    "last_fetched = ? WHERE id = ?"
)
_NEXT_PK_SQL = "SELECT coalesce(max(id), 0) + 1 FROM paper"
_NEW, _UPDATED, _UNCHANGED = 1, 2, 3  # what an upsert did to a paper
MAX_FAVOURITES = 9  # favourite tags, on keys 1–9
# Columns a restore never fills into a paper fetched again since: its fresh text and times.
_KEEP_ON_RESTORE = frozenset(
    {"paper_id", "title", "abstract", "authors_text", "first_seen", "last_fetched"}
)

# The columns a Paper is built from, in order (see _paper_from_row).
_PAPER_COLUMNS = (
    "id",
    "paper_id",
    "title",
    "abstract",
    "published",
    "updated",
    "upvotes",
    "comments",
    "organization",
    "github_repo",
    "github_stars",
    "project_page",
    "thumbnail",
    "ai_summary",
    "ai_keywords",
    "num_models",
    "num_datasets",
    "num_spaces",
    "categories",
    "primary_category",
    "doi",
    "journal_ref",
    "arxiv_comment",
    "version",
    "year",
    "cite_key",
    "first_seen",
    "last_fetched",
)


_PAPER_SELECT_LIST = ", ".join(f"p.{c}" for c in _PAPER_COLUMNS) + (
    ", COALESCE(s.read, 0), COALESCE(s.starred, 0), COALESCE(s.saved, 0), COALESCE(s.note, '')"
)
_N_SELECTED = len(_PAPER_COLUMNS) + 4
_SELECT_PAPERS = (
    f"SELECT {_PAPER_SELECT_LIST} FROM paper p LEFT JOIN paper_state s ON s.paper = p.id"
)


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _keyed(rows: Sequence[tuple], limit: int) -> tuple[list[tuple[str, tuple]], tuple | None]:
    """``(paper_id, *cursor)`` rows as ``[(paper_id, cursor after it)]`` and the next cursor."""
    keyed = [(row[0], tuple(row[1:])) for row in rows]
    return keyed, (keyed[-1][1] if len(keyed) == limit else None)


def _where_sql(conditions: Sequence[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def _date_range(column: str, query: FeedQuery) -> tuple[list[str], list[str]]:
    """Conditions on ``column`` (an ISO date) for the query's date range."""
    conds, params = [], []
    if query.date_from:
        conds.append(f"{column} >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to:
        conds.append(f"{column} <= ?")
        params.append(query.date_to.isoformat())
    return conds, params


def _daily_range(query: FeedQuery) -> tuple[str, list[str]]:
    """A WHERE clause on ``daily_appearance.day`` for the query's date range."""
    conds, params = _date_range("day", query)
    return _where_sql(conds), params


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def normalize_tag_name(name: str) -> str:
    """Trim, collapse spaces and drop empty path segments: ``" ml // pruning "`` → ``ml/pruning``.

    Raises InvalidInputError for a name with nothing left in it.
    """
    text = unicodedata.normalize("NFC", single_line(str(name)))
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [p for p in parts if p]
    if not parts:
        raise InvalidInputError(
            f"{name!r} is not a usable tag name.", hint="Use letters or digits."
        )
    return "/".join(parts)


MAX_TAG_CHARS = 200
# The CSS basic colour names, for `tags color TAG red`; anything else is given as #rrggbb.
_COLOR_NAMES = {
    "black": "#000000", "silver": "#c0c0c0", "gray": "#808080", "grey": "#808080",
    "white": "#ffffff", "maroon": "#800000", "red": "#ff0000", "purple": "#800080",
    "fuchsia": "#ff00ff", "green": "#008000", "lime": "#00ff00", "olive": "#808000",
    "yellow": "#ffff00", "navy": "#000080", "blue": "#0000ff", "teal": "#008080",
    "aqua": "#00ffff", "orange": "#ffa500",
}  # fmt: skip
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", re.ASCII)


def normalize_color(color: str | None) -> str | None:
    """``#rrggbb`` (lower case) for a colour a person typed, None to clear; anything else
    (``red; background:url(…)``, ``#12345g``) is an InvalidInputError saying what works."""
    if color is None or not color.strip():
        return None
    text = color.strip().lower()
    if text in _COLOR_NAMES:
        return _COLOR_NAMES[text]
    if _HEX_COLOR.fullmatch(text):
        if len(text) == 4:
            text = "#" + "".join(c * 2 for c in text[1:])
        return text
    raise InvalidInputError(
        f"{color!r} is not a colour.",
        hint="Use #rrggbb (e.g. #3366cc), #rgb or a basic colour name such as teal or orange.",
    )


def check_new_tag_name(clean: str) -> None:
    """Refuse a new tag name that is too long to be a name (a whole abstract pasted into a
    ``.bib`` keyword, say). Existing tags of any length can still be renamed and deleted."""
    if len(clean) > MAX_TAG_CHARS:
        raise InvalidInputError(
            f"Tag names are at most {MAX_TAG_CHARS} characters; this one has {len(clean):,}.",
            hint="Use a shorter name.",
        )


def _rebase(name: str, old_root: str, new_root: str) -> str:
    """``name`` (``old_root`` or one of its sub-tags) moved under ``new_root``.

    Counts path segments rather than characters: the stored name and the root a person typed
    match case-insensitively but may differ in length (``Straße`` vs ``STRASSE``).
    """
    depth = old_root.count("/") + 1
    return "/".join([new_root, *name.split("/")[depth:]])


def tag_key(name: str) -> str:
    """The case-insensitive identity of a tag name (Unicode-aware, unlike SQLite's NOCASE)."""
    return normalize_tag_name(name).casefold()


_scalars = operator.attrgetter(*_SCALAR_FIELDS)


def _line(value: Any) -> Any:
    """A text field as one clean line (controls, bidi overrides and surrogates removed)."""
    return " ".join(single_line(value).split()) if isinstance(value, str) else value


def _record_values(rec: PaperRecord) -> tuple[Any, ...]:
    """The fetched columns of a record in ``_UPSERT_COLUMNS`` order; ``None`` = "does not say".

    Text is cleaned on the way in: nothing that acts on a terminal or reorders what is shown
    (see :mod:`desktop_app.safetext`) is ever stored.
    """
    return (
        _line(rec.title),
        clean_text(rec.abstract).strip() if rec.abstract is not None else None,
        *map(_line, _scalars(rec)),
        ", ".join(_line(a) for a in rec.authors) if rec.authors else None,
        _iso(rec.published),
        _iso(rec.updated),
        json.dumps([_line(k) for k in rec.ai_keywords], ensure_ascii=False)
        if rec.ai_keywords is not None
        else None,
        " ".join(_line(c) for c in rec.categories) if rec.categories is not None else None,
        SOURCE_RANKS.get(rec.source, SOURCE_RANKS["unknown"]),
    )


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


class Repository:
    """The library. Create with :meth:`open`; share between threads; :meth:`close` at the end."""

    def __init__(self, db: Any, path: Path, *, read_only: bool = False) -> None:
        self.db = db
        self.path = path
        self.m = bind_models(db)
        self._read_only = read_only

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Repository:
        """Open the library at ``path``; a writer waits ``busy_timeout`` s for another's lock."""
        path = Path(path)
        db = open_database(path, busy_timeout=busy_timeout)
        return cls(db, path, read_only=db.read_only)

    def close(self) -> None:
        """Close this thread's connection (other threads close their own)."""
        if not self.db.is_closed():
            self.db.close()

    @property
    def read_only(self) -> bool:
        """Whether the library was opened read-only (a read-only file, folder or disk)."""
        return self._read_only

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

    _write = transaction

    def _read(self, fn_: Callable[[], T]) -> T:
        try:
            return fn_()
        except DB_ERRORS as exc:
            if isinstance(exc, BUG_ERRORS):
                raise
            raise store_error(exc, self.path, "read") from exc

    # ------------------------------------------------------------------ upsert
    def upsert_papers(
        self,
        records: Iterable[PaperRecord],
        appearances: Iterable[DailyAppearance] = (),
        *,
        fetched_at: str | None = None,
    ) -> UpsertResult:
        """Insert new papers and merge refetched ones, all in one transaction.

        A field the record leaves ``None`` keeps its stored value; user state (tags, notes,
        read/starred/saved) is never touched. Rows are updated in place (``INSERT … ON
        CONFLICT`` semantics by hand, never the delete-and-insert of an ``OR REPLACE`` conflict
        clause), so keys stay stable and the FTS index, maintained by triggers, stays
        consistent.

        ``records`` is consumed as a stream, a few hundred at a time, so a caller that streams
        them (an arXiv listing, a generator) never holds them all. Records are applied in
        order: a later
        record for the same id merges over the earlier one, and the paper is counted once
        (new if this call created it).
        """
        apps = list(appearances)
        now = fetched_at or _now()
        outcome: dict[str, int] = {}  # paper id → _NEW / _UPDATED / _UNCHANGED
        with self._write():
            conn = self.db.connection()
            stream = iter(records)
            while chunk := list(itertools.islice(stream, _CHUNK)):
                self._upsert_chunk(conn, chunk, now, outcome)
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
        now: str,
        outcome: dict[str, int],
    ) -> None:
        # Repeats within the chunk fold into one row of values, later fields over earlier.
        pending: dict[str, tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        for rec in chunk:
            fresh = _record_values(rec)
            authors = tuple(_line(a) for a in rec.authors)
            earlier = pending.get(rec.id)
            if earlier is not None:
                fresh = _overlay(fresh, earlier[0])
                pending[rec.id] = (fresh, authors or earlier[1])
            else:
                pending[rec.id] = (fresh, authors)
        ids = list(pending)
        existing = {
            row[1]: row
            for row in conn.execute(
                f"SELECT id, paper_id, {_COLS} FROM paper WHERE paper_id IN ({_marks(len(ids))})",
                ids,
            )
        }
        stored_authors = self._stored_authors(
            conn,
            [existing[i][0] for i, (_, authors) in pending.items() if authors and i in existing],
        )
        inserts: list[tuple] = []
        insert_authors: list[tuple[int, tuple[str, ...]]] = []
        updates_all: list[tuple] = []
        updates_other: list[tuple] = []
        update_authors: list[tuple[int, tuple[str, ...]]] = []
        touched: list[tuple[str, int]] = []
        # New rows get their keys from us, as SQLite would assign them (max + 1; we hold the
        # write lock), so their authors need no lookup after the insert.
        next_pk = None
        for paper_id, (fresh, authors) in pending.items():
            old = existing.get(paper_id)
            if old is None:
                if next_pk is None:
                    next_pk = conn.execute(_NEXT_PK_SQL).fetchone()[0]
                inserts.append((next_pk, paper_id, *_new_row_values(fresh), now, now))
                insert_authors.append((next_pk, authors))
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
                touched.append((now, pk))
                continue
            if any(merged[i] != stored[i] for i in _FTS_INDEXES):
                updates_all.append((*merged, now, pk))
            else:
                updates_other.append((*(merged[i] for i in _OTHER_INDEXES), now, pk))
            if authors_changed:
                update_authors.append((pk, authors))
            if outcome.get(paper_id) != _NEW:
                outcome[paper_id] = _UPDATED
        if inserts:
            conn.executemany(_INSERT_SQL, inserts)
            conn.executemany(
                "INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)",
                [(pk, pos, name) for pk, names in insert_authors for pos, name in enumerate(names)],
            )
        if updates_all:
            conn.executemany(_UPDATE_ALL_SQL, updates_all)
        if updates_other:
            conn.executemany(_UPDATE_OTHER_SQL, updates_other)
        if update_authors:
            conn.executemany(
                "DELETE FROM paper_author WHERE paper = ?", [(pk,) for pk, _ in update_authors]
            )
            conn.executemany(
                "INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)",
                [(pk, pos, name) for pk, names in update_authors for pos, name in enumerate(names)],
            )
        if touched:
            conn.executemany("UPDATE paper SET last_fetched = ? WHERE id = ?", touched)

    @staticmethod
    def _stored_authors(conn: sqlite3.Connection, pks: list[int]) -> dict[int, tuple[str, ...]]:
        if not pks:
            return {}
        names: dict[int, list[str]] = {pk: [] for pk in pks}
        for pk, name in conn.execute(
            f"SELECT paper, name FROM paper_author WHERE paper IN ({','.join('?' * len(pks))}) "
            "ORDER BY paper, position",
            pks,
        ):
            names[pk].append(name)
        return {pk: tuple(v) for pk, v in names.items()}

    def _record_appearances(self, apps: list[DailyAppearance]) -> None:
        pks = self._pks([a.paper_id for a in apps])
        rows = [(a.day.isoformat(), pks[a.paper_id], a.rank) for a in apps if a.paper_id in pks]
        # The rank of a paper on a given day is refreshed, never duplicated.
        self.db.connection().executemany(
            "INSERT INTO daily_appearance (day, paper, rank) VALUES (?, ?, ?) "
            "ON CONFLICT (day, paper) DO UPDATE SET rank = excluded.rank",
            rows,
        )

    def _pks(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """``paper_id → rowid`` for the given ids that exist."""
        result: dict[str, int] = {}
        unique = list(dict.fromkeys(paper_ids))
        conn = self.db.connection()
        for chunk in _chunks(unique):
            result.update(
                conn.execute(
                    f"SELECT paper_id, id FROM paper WHERE paper_id IN ({_marks(len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return result

    def _require_pks(self, paper_ids: Sequence[str]) -> list[int]:
        pks = self._pks(paper_ids)
        missing = [p for p in paper_ids if p not in pks]
        if missing:
            raise NotFoundError(
                f"No paper {missing[0]} in the library.",
                hint="Add it with `daily-papers add ID` first.",
            )
        return [pks[p] for p in dict.fromkeys(paper_ids)]

    # ------------------------------------------------------------------ reads
    def get(self, paper_id: str) -> Paper:
        paper = self.find(paper_id)
        if paper is None:
            raise NotFoundError(
                f"No paper {paper_id} in the library.",
                hint="Check the id, or add it with `daily-papers add ID`.",
            )
        return paper

    def find(self, paper_id: str) -> Paper | None:
        papers = self.get_many([paper_id])
        return papers[0] if papers else None

    def get_many(self, paper_ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``paper_ids``, in the order given."""

        def run() -> list[Paper]:
            found: dict[str, Paper] = {}
            conn = self.db.connection()
            for chunk in _chunks(list(dict.fromkeys(paper_ids))):
                rows = conn.execute(
                    f"{_SELECT_PAPERS} WHERE p.paper_id IN ({_marks(len(chunk))})", chunk
                ).fetchall()
                for paper in self._materialize(rows):
                    found[paper.id] = paper
            return [found[p] for p in paper_ids if p in found]

        return self._read(run)

    def _materialize(self, rows: Sequence[tuple]) -> list[Paper]:
        """Papers from rows of ``_SELECT_PAPERS`` (extra trailing columns are ignored).

        Authors, tags and the latest daily appearance come in one query each for the whole
        page, not one per paper.
        """
        if not rows:
            return []
        pks = [r[0] for r in rows]
        authors: dict[int, list[str]] = {pk: [] for pk in pks}
        tags: dict[int, list[str]] = {pk: [] for pk in pks}
        daily: dict[int, tuple[str, int]] = {}
        conn = self.db.connection()
        for chunk in _chunks(pks):
            marks = _marks(len(chunk))
            for pk, name in conn.execute(
                f"SELECT paper, name FROM paper_author WHERE paper IN ({marks}) "
                "ORDER BY paper, position",
                chunk,
            ):
                authors[pk].append(name)
            for pk, name in conn.execute(
                f"SELECT pt.paper, t.name FROM paper_tag pt JOIN tag t ON t.id = pt.tag "
                f"WHERE pt.paper IN ({marks}) ORDER BY t.name_key",
                chunk,
            ):
                tags[pk].append(name)
            # SQLite takes the bare column ``rank`` from the row holding MAX(day).
            for pk, day, rank in conn.execute(
                f"SELECT paper, MAX(day), rank FROM daily_appearance WHERE paper IN ({marks}) "
                "GROUP BY paper",
                chunk,
            ):
                daily[pk] = (day, rank)
        papers = []
        for r in rows:
            (
                pk,
                paper_id,
                title,
                abstract,
                published,
                updated,
                upvotes,
                comments,
                organization,
                github_repo,
                github_stars,
                project_page,
                thumbnail,
                ai_summary,
                ai_keywords,
                num_models,
                num_datasets,
                num_spaces,
                categories,
                primary_category,
                doi,
                journal_ref,
                arxiv_comment,
                version,
                year,
                cite_key,
                first_seen,
                last_fetched,
                read,
                starred,
                saved,
                note,
            ) = r[:_N_SELECTED]
            day, rank = daily.get(pk, (None, None))
            papers.append(
                Paper(
                    id=paper_id,
                    title=title,
                    abstract=abstract or "",
                    authors=tuple(authors[pk]),
                    published=_parse_date(published),
                    updated=_parse_date(updated),
                    upvotes=upvotes or 0,
                    comments=comments or 0,
                    organization=organization,
                    github_repo=github_repo,
                    github_stars=github_stars,
                    project_page=project_page,
                    thumbnail=thumbnail,
                    ai_summary=ai_summary,
                    ai_keywords=tuple(json.loads(ai_keywords)) if ai_keywords else (),
                    num_models=num_models,
                    num_datasets=num_datasets,
                    num_spaces=num_spaces,
                    categories=tuple(categories.split()) if categories else (),
                    primary_category=primary_category,
                    doi=doi,
                    journal_ref=journal_ref,
                    arxiv_comment=arxiv_comment,
                    version=version,
                    year=year,
                    cite_key=cite_key,
                    first_seen=first_seen,
                    last_fetched=last_fetched,
                    read=bool(read),
                    starred=bool(starred),
                    saved=bool(saved),
                    note=note or "",
                    tags=tuple(tags[pk]),
                    daily_day=_parse_date(day),
                    daily_rank=rank,
                    rowid=pk,
                )
            )
        return papers

    # ------------------------------------------------------------------ views
    # The feed is read with hand-written SQL rather than peewee queries: it is the hot path
    # (every scroll and keystroke), and the shapes below matter for speed. Conditions refer
    # to ``paper p`` and ``paper_state s``; every value is a bound parameter.
    def _conditions(
        self, query: FeedQuery, *, fts_filter: bool, daily_filter: bool
    ) -> tuple[list[str], list[Any]] | None:
        """SQL conditions for the filters of ``query``; None when it can match nothing.

        ``fts_filter``: restrict to the text match here (the relevance sort joins the FTS
        table itself). ``daily_filter``: restrict to papers on a daily list in the date
        range (the rank sort joins the daily lists itself).
        """
        where: list[str] = []
        params: list[Any] = []
        if query.text.strip():
            ax = arxiv_id_in_query(query.text)
            if ax is not None:
                where.append("p.paper_id = ?")
                params.append(ax)
            else:
                match = build_fts_query(query.text)
                if match is None:
                    # Symbols alone (an emoji): FTS5 does not index them; look in the text.
                    # Exclusions alone (-word): everything without those words.
                    patterns = symbol_terms(query.text)
                    if not patterns and excluded_fts_query(query.text) is None:
                        return None
                    for pattern in patterns:
                        where.append("p.title LIKE ? ESCAPE '\\'")
                        params.append(pattern)
                    excluded = excluded_fts_query(query.text)
                    if excluded is not None:
                        where.append(
                            "p.id NOT IN (SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?)"
                        )
                        params.append(excluded)
                elif fts_filter:
                    where.append("p.id IN (SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?)")
                    params.append(match)
        if query.tags:
            groups = [self._tag_ids_with_children(t) for t in query.tags]
            if query.tag_mode == "any":
                groups = [sorted({i for g in groups for i in g})]
            if any(not g for g in groups):
                return None
            for group in groups:
                where.append(
                    f"p.id IN (SELECT paper FROM paper_tag WHERE tag IN ({_marks(len(group))}))"
                )
                params.extend(group)
        if query.ids is not None:
            pks = sorted(self._pks(list(query.ids)).values())
            if not pks:
                return None
            if len(pks) <= _CHUNK:
                where.append(f"p.id IN ({_marks(len(pks))})")
                params.extend(pks)
            else:
                # One JSON parameter rather than more than SQLite may bind.
                where.append("p.id IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(pks))
        if query.daily_only or query.sort is Sort.RANK:
            if daily_filter:
                sub, sub_params = _daily_range(query)
                where.append(f"p.id IN (SELECT paper FROM daily_appearance{sub})")
                params.extend(sub_params)
        else:
            conds, values = _date_range("p.published", query)
            where.extend(conds)
            params.extend(values)
        if query.unread:
            where.append("COALESCE(s.read, 0) = 0")
        if query.starred:
            where.append("s.starred = 1")
        if query.saved:
            where.append("s.saved = 1")
        return where, params

    def page(self, query: FeedQuery, cursor: tuple | None = None, limit: int = 100) -> PageResult:
        """One page of a view in its sort order, continuing after ``cursor`` (keyset paging)."""
        return self._read(lambda: self._page(query, cursor, limit))

    def page_keys(
        self, query: FeedQuery, cursor: tuple | None = None, limit: int = 1000
    ) -> tuple[list[tuple[str, tuple]], tuple | None]:
        """The ids of the next ``limit`` papers of a view, each with the cursor that follows it.

        Reads no abstracts, authors or tags: for lists that only need to know which papers
        come next (the feed appends thousands of rows at a time and reads full papers only
        for the rows it paints, with :meth:`page` from the cursor in front of them).
        """
        return self._read(lambda: self._page(query, cursor, limit, keys_only=True))

    def _page(
        self, query: FeedQuery, cursor: tuple | None, limit: int, keys_only: bool = False
    ) -> Any:
        if limit < 1:
            # A page of 0 rows would hand back a cursor taken from a row that does not exist.
            raise ValueError(f"limit must be at least 1, not {limit}")
        sort = query.sort
        match = build_fts_query(query.text) if sort is Sort.RELEVANCE else None
        if sort is Sort.RELEVANCE and (match is None or arxiv_id_in_query(query.text)):
            if query.ids is not None and not query.text.strip():
                return self._page_given(query, cursor, limit, keys_only)
            sort = Sort.DATE
        cond = self._conditions(
            query, fts_filter=sort is not Sort.RELEVANCE, daily_filter=sort is not Sort.RANK
        )
        if cond is None:
            return ([], None) if keys_only else PageResult((), None)
        where, params = cond
        conn = self.db.connection()
        if sort is Sort.RELEVANCE:
            assert match is not None
            tiers = relevance_tiers(query.text)
            assert tiers is not None
            return self._page_relevance(conn, tiers, where, params, cursor, limit, keys_only)
        if sort is Sort.RANK:
            return self._page_rank(conn, query, where, params, cursor, limit, keys_only)
        key = "published" if sort is Sort.DATE else "upvotes"
        if cursor:
            # A row value keeps the keyset condition an index range (an OR of two
            # comparisons makes SQLite walk the index from the top).
            where = [*where, f"(p.{key}, p.id) < (?, ?)"]
            params = [*params, cursor[0], cursor[1]]
        # With a text filter SQLite prefers to fetch every match by key and sort them all;
        # walking the sort index and testing membership stops after one page (80 ms → 5 ms
        # for a word in a quarter of 100k papers; a rare word walks the index, ~15 ms).
        hint = f" INDEXED BY paper_{key}" if query.text.strip() else ""
        if keys_only:
            keyed = conn.execute(
                f"SELECT p.paper_id, p.{key}, p.id FROM paper p{hint} "
                f"LEFT JOIN paper_state s ON s.paper = p.id{_where_sql(where)} "
                f"ORDER BY p.{key} DESC, p.id DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
            return _keyed(keyed, limit)
        select = _SELECT_PAPERS.replace("FROM paper p ", f"FROM paper p{hint} ")
        rows = conn.execute(
            f"{select}{_where_sql(where)} ORDER BY p.{key} DESC, p.id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        papers = self._materialize(rows)
        index = _PAPER_COLUMNS.index(key)
        last = rows[-1] if len(rows) == limit else None
        return PageResult(tuple(papers), (last[index], last[0]) if last else None)

    def _page_given(
        self, query: FeedQuery, cursor: tuple | None, limit: int, keys_only: bool
    ) -> Any:
        """``query.ids`` in their own order (a source's ranking, such as Hugging Face's
        search results), with the other filters applied. The cursor is (position, rowid)."""
        assert query.ids is not None
        cond = self._conditions(replace(query, ids=None), fts_filter=True, daily_filter=True)
        pks = self._pks(list(query.ids))
        # Positions are those of ``query.ids`` (null for an id not in the library, or seen
        # before), so a cursor stays right if one of them is added between two pages.
        seen: set[str] = set()
        positions: list[int | None] = []
        for paper_id in query.ids:
            positions.append(pks.get(paper_id) if paper_id not in seen else None)
            seen.add(paper_id)
        if cond is None or not pks:
            return ([], None) if keys_only else PageResult((), None)
        where, params = cond
        if cursor:
            where = [*where, "j.key > ?"]
            params = [*params, cursor[0]]
        select = "p.paper_id, j.key, p.id" if keys_only else f"{_PAPER_SELECT_LIST}, j.key"
        rows = (
            self.db.connection()
            .execute(
                f"SELECT {select} FROM json_each(?) j JOIN paper p ON p.id = j.value "
                f"LEFT JOIN paper_state s ON s.paper = p.id{_where_sql(where)} "
                "ORDER BY j.key LIMIT ?",
                [json.dumps(positions), *params, limit],
            )
            .fetchall()
        )
        if keys_only:
            return _keyed(rows, limit)
        last = rows[-1] if len(rows) == limit else None
        return PageResult(tuple(self._materialize(rows)), (last[-1], last[0]) if last else None)

    def _page_rank(
        self,
        conn: sqlite3.Connection,
        query: FeedQuery,
        where: list[str],
        params: list[Any],
        cursor: tuple | None,
        limit: int,
        keys_only: bool = False,
    ) -> Any:
        """Newest daily list first, then rank within the day; a paper counts on its latest
        list within the date range."""
        sub, sub_params = _daily_range(query)
        if cursor:
            where = [
                *where,
                "(l.dday < ? OR (l.dday = ? AND (d.rank, p.id) > (?, ?)))",
            ]
            params = [*params, cursor[0], cursor[0], cursor[1], cursor[2]]
        select = "p.paper_id, l.dday, d.rank, p.id" if keys_only else _PAPER_SELECT_LIST
        rows = conn.execute(
            f"SELECT {select}{'' if keys_only else ', l.dday, d.rank'} "
            f"FROM (SELECT paper AS lp, MAX(day) AS dday FROM daily_appearance{sub} "
            "GROUP BY paper) l "
            "JOIN daily_appearance d ON d.paper = l.lp AND d.day = l.dday "
            "JOIN paper p ON p.id = l.lp LEFT JOIN paper_state s ON s.paper = p.id"
            f"{_where_sql(where)} ORDER BY l.dday DESC, d.rank, p.id LIMIT ?",
            [*sub_params, *params, limit],
        ).fetchall()
        if keys_only:
            return _keyed(rows, limit)
        papers = self._materialize(rows)
        last = rows[-1] if len(rows) == limit else None
        return PageResult(tuple(papers), (last[-2], last[-1], last[0]) if last else None)

    def _page_relevance(
        self,
        conn: sqlite3.Connection,
        tiers: tuple[str, str],
        where: list[str],
        params: list[Any],
        cursor: tuple | None,
        limit: int,
        keys_only: bool = False,
    ) -> Any:
        """Title matches first, then the rest; bm25 order within each (title weighted over
        authors over abstract), ties by rowid. The cursor is (tier, score, rowid).

        Ranks narrow (rowid, score) pairs first and reads the full rows of the one page
        only: joining the paper rows before sorting carries every matching abstract
        through the sorter, which makes a common word several times slower.
        """
        join = (
            " JOIN paper p ON p.id = f.fid LEFT JOIN paper_state s ON s.paper = p.id"
            if where
            else ""
        )
        ranked: list[tuple[int, int, float]] = []  # (tier, rowid, score)
        first_tier = int(cursor[0]) if cursor else 1
        for tier in range(first_tier, 3):
            fts = (
                "SELECT rowid AS fid, bm25(paper_fts, 10.0, 1.0, 3.0) AS score "
                "FROM paper_fts WHERE paper_fts MATCH ?"
            )
            conds = list(where)
            cond_params = list(params)
            if cursor and tier == first_tier:
                conds.append("(f.score, f.fid) > (?, ?)")
                cond_params.extend(cursor[1:3])
            rows = conn.execute(
                f"SELECT f.fid, f.score FROM ({fts}) f{join}{_where_sql(conds)} "
                "ORDER BY f.score, f.fid LIMIT ?",
                [tiers[tier - 1], *cond_params, limit - len(ranked)],
            ).fetchall()
            ranked.extend((tier, fid, score) for fid, score in rows)
            if len(ranked) == limit:
                break
        if not ranked:
            return ([], None) if keys_only else PageResult((), None)
        pks = [pk for _, pk, _ in ranked]
        if keys_only:
            names = dict(
                conn.execute(
                    f"SELECT id, paper_id FROM paper WHERE id IN ({_marks(len(pks))})", pks
                ).fetchall()
            )
            return _keyed([(names[pk], tier, score, pk) for tier, pk, score in ranked], limit)
        order = {pk: i for i, pk in enumerate(pks)}
        rows = conn.execute(f"{_SELECT_PAPERS} WHERE p.id IN ({_marks(len(pks))})", pks).fetchall()
        rows.sort(key=lambda r: order[r[0]])
        papers = self._materialize(rows)
        last = ranked[-1] if len(ranked) == limit else None
        return PageResult(tuple(papers), (last[0], last[2], last[1]) if last else None)

    def count(self, query: FeedQuery) -> int:
        """How many papers the view holds."""

        def run() -> int:
            match = None
            if query.text.strip() and arxiv_id_in_query(query.text) is None:
                match = build_fts_query(query.text)
            # A text filter is counted from the FTS side: walking the matches and probing
            # papers by key is many times faster than scanning every paper for membership.
            cond = self._conditions(query, fts_filter=match is None, daily_filter=True)
            if cond is None:
                return 0
            where, params = cond
            needs_state = query.unread or query.starred or query.saved
            join = " LEFT JOIN paper_state s ON s.paper = p.id" if needs_state else ""
            if (query.starred or query.saved) and not query.unread:
                # Only papers with a state row can match: let SQLite start from the flags.
                join = " JOIN paper_state s ON s.paper = p.id"
            conn = self.db.connection()
            if match is None and all("p." not in w for w in where):
                # Views on the user's flags alone (Starred, Library, Unread) are counted
                # from paper_state: every state row belongs to a paper (foreign key), and
                # this avoids reading 100k wide paper rows.
                if query.unread and not (query.starred or query.saved):
                    if len(where) == 1:
                        sql = (
                            "SELECT (SELECT COUNT(*) FROM paper) - "
                            "(SELECT COUNT(*) FROM paper_state WHERE read = 1)"
                        )
                        return int(conn.execute(sql).fetchone()[0])
                elif where and not query.unread:
                    sql = f"SELECT COUNT(*) FROM paper_state s{_where_sql(where)}"
                    return int(conn.execute(sql, params).fetchone()[0])
            if match is not None:
                if not where:
                    sql = "SELECT COUNT(*) FROM paper_fts WHERE paper_fts MATCH ?"
                    return int(conn.execute(sql, [match]).fetchone()[0])
                sql = (
                    "SELECT COUNT(*) FROM paper_fts f CROSS JOIN paper p ON p.id = f.rowid"
                    f"{join}{_where_sql(['f.paper_fts MATCH ?', *where])}"
                )
                return int(conn.execute(sql, [match, *params]).fetchone()[0])
            sql = f"SELECT COUNT(*) FROM paper p{join}{_where_sql(where)}"
            return int(conn.execute(sql, params).fetchone()[0])

        return self._read(run)

    def ids(self, query: FeedQuery) -> list[str]:
        """Every paper id of a view in its order (for export and bulk actions)."""
        out: list[str] = []
        cursor = None
        while True:
            page = self.page(query, cursor, limit=1000)
            out.extend(p.id for p in page.papers)
            cursor = page.cursor
            if cursor is None:
                return out

    # ------------------------------------------------------------------ tags
    def _tag_ids_with_children(self, name: str) -> list[int]:
        return [tid for tid, _ in self._subtree(normalize_tag_name(name))]

    def tags(self, order: str = "name") -> list[Tag]:
        """Every tag with its paper count and unread count (own papers, not sub-tags')."""

        def run() -> list[Tag]:
            rows = self.db.execute_sql(
                "SELECT t.name, t.color, t.favourite, COUNT(pt.paper), "
                "COALESCE(SUM(CASE WHEN pt.paper IS NOT NULL AND COALESCE(s.read, 0) = 0 "
                "THEN 1 ELSE 0 END), 0) "
                "FROM tag t LEFT JOIN paper_tag pt ON pt.tag = t.id "
                "LEFT JOIN paper_state s ON s.paper = pt.paper "
                "GROUP BY t.id ORDER BY t.name_key"
            ).fetchall()
            tags = [
                Tag(name=r[0], color=r[1], favourite=r[2], count=r[3], unread=r[4]) for r in rows
            ]
            if order == "count":
                tags.sort(key=lambda t: (-t.count, t.name.casefold()))
            return tags

        return self._read(run)

    def tag_counts_with_children(self) -> dict[str, tuple[int, int]]:
        """``name_key → (papers, unread)`` counting each paper once across a tag's subtree."""
        rows = self._read(
            lambda: self.db.execute_sql(
                "SELECT t.name_key, pt.paper, COALESCE(s.read, 0) FROM paper_tag pt "
                "JOIN tag t ON t.id = pt.tag LEFT JOIN paper_state s ON s.paper = pt.paper"
            ).fetchall()
        )
        seen: dict[str, dict[int, int]] = {}
        for key, pk, read in rows:
            parts = key.split("/")
            for depth in range(1, len(parts) + 1):
                seen.setdefault("/".join(parts[:depth]), {})[pk] = read
        return {k: (len(v), sum(1 for r in v.values() if not r)) for k, v in seen.items()}

    def favourite_tags(self) -> dict[int, str]:
        """The favourite tags by their key (1–9), in key order; keys may have gaps."""
        rows = self._read(
            lambda: self.db.execute_sql(
                "SELECT favourite, name FROM tag WHERE favourite IS NOT NULL ORDER BY favourite"
            ).fetchall()
        )
        return dict(rows)

    def set_favourite_tags(
        self, favourites: Mapping[int, str], *, create: bool = False
    ) -> dict[int, str]:
        """Make ``favourites`` (key 1–9 → tag name) the favourite tags, replacing the others.

        A name that is not a tag is created when ``create`` is set (a parent shown in the
        tag tree, such as ``llm`` above ``llm/agents``, is no tag of its own) and skipped
        otherwise; a tag given under two keys keeps the lower one. Returns what is now set.
        """
        wanted: dict[int, str] = {}
        for key in sorted(favourites):
            if not 1 <= key <= MAX_FAVOURITES:
                raise InvalidInputError(f"Favourite keys are 1 to {MAX_FAVOURITES}, not {key}.")
            with contextlib.suppress(InvalidInputError):
                wanted[key] = normalize_tag_name(favourites[key])
        T = self.m.Tag
        result: dict[int, str] = {}
        with self._write():
            T.update(favourite=None).where(T.favourite.is_null(False)).execute()
            taken: set[int] = set()
            for key, name in wanted.items():
                row = T.get_or_none(T.name_key == name.casefold())
                if row is None and create:
                    row = T.get_by_id(self._ensure_tag(name))
                if row is None or row.id in taken:
                    continue
                taken.add(row.id)
                T.update(favourite=key).where(T.id == row.id).execute()
                result[key] = row.name
        return result

    def get_tag(self, name: str) -> Tag:
        T = self.m.Tag
        key = tag_key(name)
        row = self._read(lambda: T.get_or_none(T.name_key == key))
        if row is None:
            raise NotFoundError(f"No tag named {name!r}.", hint="See `daily-papers tags`.")
        return Tag(name=row.name, color=row.color)

    def create_tag(self, name: str, color: str | None = None) -> Tag:
        """Create a tag (or return the existing one with that name, in any case)."""
        clean = normalize_tag_name(name)
        color = normalize_color(color)
        with self._write():
            tid = self._ensure_tag(clean, color)
        T = self.m.Tag
        row = T.get_by_id(tid)
        return Tag(name=row.name, color=row.color)

    def _ensure_tag(self, clean: str, color: str | None = None) -> int:
        T = self.m.Tag
        row = T.get_or_none(T.name_key == clean.casefold())
        if row is not None:
            return row.id
        check_new_tag_name(clean)
        return T.insert(
            name=clean, name_key=clean.casefold(), color=color, created=_now()
        ).execute()

    def set_tag_color(self, name: str, color: str | None) -> None:
        """Set a tag's colour (``#rrggbb``, ``#rgb`` or a basic colour name), or clear it."""
        color = normalize_color(color)
        T = self.m.Tag
        with self._write():
            n = T.update(color=color).where(T.name_key == tag_key(name)).execute()
        if not n:
            raise NotFoundError(f"No tag named {name!r}.", hint="See `daily-papers tags`.")

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag and its sub-tags (``ml`` → ``ai`` turns ``ml/x`` into ``ai/x``).

        Returns how many tags were renamed. Renaming onto an existing tag is refused; merge
        instead.
        """
        old_clean, new_clean = normalize_tag_name(old), normalize_tag_name(new)
        T = self.m.Tag
        with self._write():
            subtree = self._subtree(old_clean)
            if not subtree:
                raise NotFoundError(f"No tag named {old!r}.", hint="See `daily-papers tags`.")
            renames = []
            for tid, name in subtree:
                target = _rebase(name, old_clean, new_clean)
                check_new_tag_name(target)
                renames.append((tid, target))
            own = {tid for tid, _ in subtree}
            for _, target in renames:
                clash = T.get_or_none(T.name_key == target.casefold())
                if clash is not None and clash.id not in own:
                    raise InvalidInputError(
                        f"A tag named {clash.name!r} already exists.",
                        hint=f"Use `daily-papers tags merge {old_clean} {new_clean}` instead.",
                    )
            # Two steps so a case-only rename or a swap inside the subtree never trips UNIQUE.
            for tid, _ in renames:
                T.update(name_key=f"\x00{tid}").where(T.id == tid).execute()
            for tid, target in renames:
                T.update(name=target, name_key=target.casefold()).where(T.id == tid).execute()
        return len(renames)

    def merge_tags(self, source: str, target: str) -> int:
        """Move every paper of ``source`` (and its sub-tags) onto ``target``; delete ``source``.

        ``source/x`` becomes ``target/x``. Returns how many papers gained a tag.
        """
        src, dst = normalize_tag_name(source), normalize_tag_name(target)
        if src.casefold() == dst.casefold():
            raise InvalidInputError("Cannot merge a tag into itself.")
        if dst.casefold().startswith(src.casefold() + "/"):
            raise InvalidInputError(f"Cannot merge {src!r} into its own sub-tag {dst!r}.")
        T, PT = self.m.Tag, self.m.PaperTag
        gained = 0
        with self._write():
            subtree = self._subtree(src)
            if not subtree:
                raise NotFoundError(f"No tag named {source!r}.", hint="See `daily-papers tags`.")
            # New sub-tags follow the existing target's spelling, not the case typed here.
            existing = T.get_or_none(T.name_key == dst.casefold())
            if existing is not None:
                dst = existing.name
            for tid, name in subtree:
                dest_id = self._ensure_tag(_rebase(name, src, dst))
                cur = self.db.execute_sql(
                    "INSERT OR IGNORE INTO paper_tag (paper, tag, added) "
                    "SELECT paper, ?, added FROM paper_tag WHERE tag = ?",
                    (dest_id, tid),
                )
                gained += cur.rowcount
                favourite = T.get_by_id(tid).favourite
                PT.delete().where(PT.tag == tid).execute()
                T.delete().where(T.id == tid).execute()
                # A favourite key keeps working: it moves to the tag that took the papers.
                if favourite is not None:
                    T.update(favourite=favourite).where(
                        (T.id == dest_id) & T.favourite.is_null()
                    ).execute()
        return gained

    def delete_tag(self, name: str) -> int:
        """Delete a tag and its sub-tags (papers stay). Returns how many tags were deleted."""
        T = self.m.Tag
        with self._write():
            subtree = self._subtree(normalize_tag_name(name))
            if not subtree:
                raise NotFoundError(f"No tag named {name!r}.", hint="See `daily-papers tags`.")
            T.delete().where(T.id.in_([tid for tid, _ in subtree])).execute()
        return len(subtree)

    def _subtree(self, clean: str) -> list[tuple[int, str]]:
        """``(id, name)`` of the tag ``clean`` and its sub-tags, by name.

        Sub-tags are the keys between ``key/`` and ``key0`` ('0' follows '/'): an index range,
        with no LIKE pattern to escape (or to be "too complex" for a long name).
        """
        key = clean.casefold()
        return (
            self.db.connection()
            .execute(
                "SELECT id, name FROM tag WHERE name_key = ? OR (name_key >= ? AND name_key < ?) "
                "ORDER BY name_key",
                (key, key + "/", key + "0"),
            )
            .fetchall()
        )

    def tag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Add tags (created if new) to papers; tagged papers are saved. Returns links added."""
        cleaned = [normalize_tag_name(n) for n in names]
        if not cleaned or not paper_ids:
            return 0
        added = 0
        now = _now()
        with self._write():
            pks = self._require_pks(paper_ids)
            for name in cleaned:
                tid = self._ensure_tag(name)
                cur = self.db.connection().executemany(
                    "INSERT OR IGNORE INTO paper_tag (paper, tag, added) VALUES (?, ?, ?)",
                    [(pk, tid, now) for pk in pks],
                )
                added += cur.rowcount
            self._set_flag(pks, "saved", True)
        return added

    def untag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Remove tags from papers (the tags themselves stay). Returns links removed."""
        if not names or not paper_ids:
            return 0
        PT = self.m.PaperTag
        keys = [tag_key(n) for n in names]
        with self._write():
            pks = self._require_pks(paper_ids)
            tids = [
                r[0]
                for r in self.db.connection().execute(
                    f"SELECT id FROM tag WHERE name_key IN ({_marks(len(keys))})", keys
                )
            ]
            if not tids:
                return 0
            return PT.delete().where(PT.paper.in_(pks) & PT.tag.in_(tids)).execute()

    # ------------------------------------------------------------------ user state
    def _set_flag(self, pks: Sequence[int], column: str, value: bool) -> None:
        assert column in ("read", "starred", "saved")
        now = _now()
        conn = self.db.connection()
        extra = ", saved = 1" if column == "starred" and value else ""
        conn.executemany(
            f"INSERT INTO paper_state (paper, {column}, changed) VALUES (?, ?, ?) "
            f"ON CONFLICT (paper) DO UPDATE SET {column} = excluded.{column}, "
            f"changed = excluded.changed{extra}",
            [(pk, int(value), now) for pk in pks],
        )
        if extra:
            conn.executemany(
                "UPDATE paper_state SET saved = 1 WHERE paper = ?", [(pk,) for pk in pks]
            )

    def _set_state(self, paper_ids: Sequence[str], column: str, value: bool) -> None:
        with self._write():
            self._set_flag(self._require_pks(paper_ids), column, value)

    def set_read(self, paper_ids: Sequence[str], read: bool = True) -> None:
        self._set_state(paper_ids, "read", read)

    def set_starred(self, paper_ids: Sequence[str], starred: bool = True) -> None:
        """Star or unstar; a starred paper is also saved to the library."""
        self._set_state(paper_ids, "starred", starred)

    def set_saved(self, paper_ids: Sequence[str], saved: bool = True) -> None:
        self._set_state(paper_ids, "saved", saved)

    def mark_view_read(self, query: FeedQuery) -> list[str]:
        """Mark every paper of a view read, in one transaction.

        Returns the ids that were unread (what an undo has to mark unread again).
        """
        ids = self.ids(replace(query, unread=True))
        with self._write():
            self._set_flag(list(self._pks(ids).values()), "read", True)
        return ids

    def set_note(self, paper_id: str, note: str) -> None:
        """Store the note; a paper with a note is saved to the library."""
        with self._write():
            (pk,) = self._require_pks([paper_id])
            self.db.execute_sql(
                "INSERT INTO paper_state (paper, note, saved, changed) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (paper) DO UPDATE SET note = excluded.note, "
                "saved = MAX(saved, excluded.saved), changed = excluded.changed",
                (pk, clean_text(note), int(bool(note.strip())), _now()),
            )

    # ------------------------------------------------------------------ bookkeeping
    def get_meta(self, key: str) -> str | None:
        M = self.m.Meta
        row = self._read(lambda: M.get_or_none(M.key == key))
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        M = self.m.Meta
        with self._write():
            M.insert(key=key, value=value).on_conflict(
                conflict_target=[M.key], update={M.value: value}
            ).execute()

    # ------------------------------------------------------------------ delete / restore
    def _snapshot(self, conn: sqlite3.Connection, pks: Sequence[int]) -> PaperSnapshot:
        def rows(sql: str) -> tuple[tuple, ...]:
            found: list[tuple] = []
            for chunk in _chunks(pks):
                found += conn.execute(sql.format(marks=_marks(len(chunk))), chunk).fetchall()
            return tuple(found)

        columns = tuple(r[1] for r in conn.execute("PRAGMA table_info(paper)") if r[1] != "id")
        return PaperSnapshot(
            columns=columns,
            papers=rows(f"SELECT {', '.join(columns)} FROM paper WHERE id IN ({{marks}})"),
            authors=rows(
                "SELECT p.paper_id, a.position, a.name FROM paper_author a "
                "JOIN paper p ON p.id = a.paper WHERE a.paper IN ({marks})"
            ),
            tags=rows(
                "SELECT p.paper_id, t.name, t.color, pt.added FROM paper_tag pt "
                "JOIN tag t ON t.id = pt.tag JOIN paper p ON p.id = pt.paper "
                "WHERE pt.paper IN ({marks})"
            ),
            states=rows(
                "SELECT p.paper_id, s.read, s.starred, s.saved, s.note, s.changed "
                "FROM paper_state s JOIN paper p ON p.id = s.paper WHERE s.paper IN ({marks})"
            ),
            appearances=rows(
                "SELECT p.paper_id, d.day, d.rank FROM daily_appearance d "
                "JOIN paper p ON p.id = d.paper WHERE d.paper IN ({marks})"
            ),
        )

    def snapshot_papers(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Everything stored about these papers now (ids not in the library are skipped), for
        :meth:`restore_papers` to put back later."""
        return self._read(
            lambda: self._snapshot(self.db.connection(), list(self._pks(paper_ids).values()))
        )

    def delete_papers(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Delete papers with their authors, tags, state, note and daily-list appearances (the
        FTS index follows through its trigger). Returns all of it, for :meth:`restore_papers`.

        Ids not in the library are ignored. Tags themselves stay, even when left empty.
        """
        with self._write():
            conn = self.db.connection()
            pks = list(self._pks(paper_ids).values())
            deleted = self._snapshot(conn, pks)
            for chunk in _chunks(pks):
                conn.execute(f"DELETE FROM paper WHERE id IN ({_marks(len(chunk))})", chunk)
        return deleted

    def restore_papers(self, snapshot: PaperSnapshot, *, exact: bool = False) -> int:
        """Put papers back as the snapshot has them; returns how many rows were re-created.

        A paper missing now comes back whole. One present now (fetched again since it was
        deleted) keeps its fresh row, which gets the snapshot's values where it has none (a
        DOI, the citation key) and the user's data merged in: its tags are added, read,
        starred and saved are set if either had them, and a different note is kept below the
        current one. With ``exact`` it is made exactly as in the snapshot instead, tags,
        authors and appearances included (undoing an import). A citation key another paper
        took since is dropped.
        """
        columns = snapshot.columns
        id_index = columns.index("paper_id")
        key_index = columns.index("cite_key")
        with self._write():
            conn = self.db.connection()
            present = self._pks(snapshot.ids)
            next_pk = conn.execute(_NEXT_PK_SQL).fetchone()[0]
            inserted: dict[str, int] = {}
            for row in snapshot.papers:
                paper_id = row[id_index]
                values = list(row)
                owner = conn.execute(
                    "SELECT paper_id FROM paper WHERE cite_key = ?", (values[key_index],)
                ).fetchone()
                if owner is not None and owner[0] != paper_id:
                    values[key_index] = None
                if paper_id not in present:
                    conn.execute(
                        f"INSERT INTO paper (id, {', '.join(columns)}) "
                        f"VALUES (?, {_marks(len(columns))})",
                        [next_pk, *values],
                    )
                    inserted[paper_id] = next_pk
                    next_pk += 1
                elif exact:
                    conn.execute(
                        f"UPDATE paper SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                        [*values, present[paper_id]],
                    )
                else:
                    fill = [i for i, c in enumerate(columns) if c not in _KEEP_ON_RESTORE]
                    conn.execute(
                        "UPDATE paper SET "
                        + ", ".join(f"{columns[i]} = coalesce({columns[i]}, ?)" for i in fill)
                        + ", first_seen = min(first_seen, ?) WHERE id = ?",
                        [
                            *(values[i] for i in fill),
                            values[columns.index("first_seen")],
                            present[paper_id],
                        ],
                    )
            pks = {**present, **inserted}
            # Rows whose every detail comes from the snapshot: new ones, and all when exact.
            whole = set(inserted) | (set(present) if exact else set())
            if exact:
                for table in ("paper_author", "paper_tag", "paper_state", "daily_appearance"):
                    conn.executemany(
                        f"DELETE FROM {table} WHERE paper = ?", [(present[p],) for p in present]
                    )
            conn.executemany(
                "INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)",
                [(pks[p], pos, name) for p, pos, name in snapshot.authors if p in whole],
            )
            tag_ids: dict[str, int] = {}
            links = []
            for paper_id, name, color, added in snapshot.tags:
                if name.casefold() not in tag_ids:
                    tag_ids[name.casefold()] = self._ensure_tag(name, color)
                links.append((pks[paper_id], tag_ids[name.casefold()], added))
            conn.executemany(
                "INSERT OR IGNORE INTO paper_tag (paper, tag, added) VALUES (?, ?, ?)", links
            )
            # A state row only conflicts for a paper present now (not exact): merge, never
            # take back what the user did since.
            conn.executemany(
                "INSERT INTO paper_state (paper, read, starred, saved, note, changed) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (paper) DO UPDATE SET "
                "read = max(read, excluded.read), starred = max(starred, excluded.starred), "
                "saved = max(saved, excluded.saved), note = CASE "
                "WHEN excluded.note IN ('', note) THEN note WHEN note = '' THEN excluded.note "
                "ELSE note || char(10) || char(10) || excluded.note END, "
                "changed = max(changed, excluded.changed)",
                [(pks[p], *rest) for p, *rest in snapshot.states],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO daily_appearance (day, paper, rank) VALUES (?, ?, ?)",
                [(day, pks[p], rank) for p, day, rank in snapshot.appearances],
            )
        return len(inserted)

    def set_cite_keys(self, keys: dict[str, str]) -> None:
        """Store citation keys for papers that have none yet (a stored key never changes)."""
        with self._write():
            self.db.connection().executemany(
                "UPDATE paper SET cite_key = ? WHERE paper_id = ? AND cite_key IS NULL",
                [(k, pid) for pid, k in keys.items()],
            )

    def identities(self) -> list[tuple[str, str | None, str, int | None, str | None]]:
        """``(paper_id, doi, title, year, published)`` of every paper, cheaply.

        What duplicate detection (BibTeX import) matches on, without materialising papers.
        """
        rows = self.db.execute_sql("SELECT paper_id, doi, title, year, published FROM paper")
        return [(r[0], r[1], r[2], r[3], r[4] or None) for r in rows]

    def flags(
        self, paper_ids: Sequence[str]
    ) -> dict[str, tuple[bool, bool, bool, tuple[str, ...]]]:
        """``paper_id → (read, starred, saved, tag names)`` without reading whole papers.

        For snapshots before a bulk edit (undo), where thousands of papers may be selected.
        """

        def run() -> dict[str, tuple[bool, bool, bool, tuple[str, ...]]]:
            conn = self.db.connection()
            out: dict[str, tuple[bool, bool, bool, tuple[str, ...]]] = {}
            tags: dict[str, list[str]] = {}
            for chunk in _chunks(list(dict.fromkeys(paper_ids))):
                marks = _marks(len(chunk))
                for pid, read, starred, saved in conn.execute(
                    "SELECT p.paper_id, COALESCE(s.read, 0), COALESCE(s.starred, 0), "
                    "COALESCE(s.saved, 0) FROM paper p LEFT JOIN paper_state s "
                    f"ON s.paper = p.id WHERE p.paper_id IN ({marks})",
                    chunk,
                ):
                    out[pid] = (bool(read), bool(starred), bool(saved), ())
                for pid, name in conn.execute(
                    "SELECT p.paper_id, t.name FROM paper_tag pt JOIN tag t ON t.id = pt.tag "
                    f"JOIN paper p ON p.id = pt.paper WHERE p.paper_id IN ({marks})",
                    chunk,
                ):
                    tags.setdefault(pid, []).append(name)
            return {
                pid: (r, st, sv, tuple(sorted(tags.get(pid, ()), key=str.casefold)))
                for pid, (r, st, sv, _) in out.items()
            }

        return self._read(run)

    def latest_daily_day(self, on_or_before: date | None = None) -> date | None:
        """The most recent day with a stored Hugging Face list (not after ``on_or_before``)."""

        def run() -> date | None:
            sql = "SELECT MAX(day) FROM daily_appearance"
            args: list[str] = []
            if on_or_before is not None:
                sql += " WHERE day <= ?"
                args.append(on_or_before.isoformat())
            row = self.db.connection().execute(sql, args).fetchone()
            return _parse_date(row[0]) if row and row[0] else None

        return self._read(run)

    def cite_keys(self) -> dict[str, str]:
        """Every stored citation key, ``paper_id → key``."""
        sql = "SELECT paper_id, cite_key FROM paper WHERE cite_key IS NOT NULL"
        return self._read(lambda: dict(self.db.connection().execute(sql).fetchall()))

    def stats(self) -> dict[str, int]:
        row = self._read(
            lambda: self.db.execute_sql(
                "SELECT (SELECT COUNT(*) FROM paper), (SELECT COUNT(*) FROM tag), "
                "(SELECT COUNT(*) FROM paper_state WHERE saved = 1), "
                "(SELECT COUNT(*) FROM paper p LEFT JOIN paper_state s ON s.paper = p.id "
                " WHERE COALESCE(s.read, 0) = 0)"
            ).fetchone()
        )
        return {"papers": row[0], "tags": row[1], "saved": row[2], "unread": row[3]}

    def integrity_problems(self) -> list[str]:
        """Results of SQLite's and FTS5's integrity checks; empty when all is well."""
        # peewee raises its own DatabaseError (not a subclass of sqlite3's) for a malformed
        # file or index, and that is exactly what this method exists to report.
        try:
            rows = self.db.execute_sql("PRAGMA integrity_check").fetchall()
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            return [f"sqlite: {exc}"]
        problems = [r[0] for r in rows if r[0] != "ok"]
        try:
            self.db.execute_sql(
                "INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)"
            )
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            problems.append(f"fts: {exc}")
        return problems
