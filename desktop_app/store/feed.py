"""Reading papers: one by id, and the views of the window (filters, sorts, keyset paging).

The feed is read with hand-written SQL rather than peewee queries: it is the hot path (every
scroll and keystroke; ``bench/bench_store.py`` measures a page at random cursors and search
p95 against raw FTS5), and the shapes below matter for speed. Conditions refer to ``paper p``
and ``paper_state s``; every value is a bound parameter.

Every view is read in two steps: the *keys* of the next page in its order (rowid, paper id and
the cursor after each row — no abstracts, authors or tags), then, when whole papers are
wanted, their rows by rowid. The window appends thousands of keys at a time and reads papers
only for the rows it paints.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from desktop_app.domain import FeedQuery, PageResult, Paper, Sort
from desktop_app.store.core import CHUNK, StoreCore, chunks, marks, parse_date
from desktop_app.store.models import PAPER_COLUMNS
from desktop_app.store.search import (
    arxiv_id_in_query,
    build_fts_query,
    excluded_fts_query,
    relevance_tiers,
    symbol_terms,
)

Cursor = tuple[Any, ...]
KeyPage = tuple[list[tuple[str, Cursor]], Cursor | None]  # [(paper id, cursor after)], next

# A Paper is built from these columns of ``paper`` (named as the Paper's fields, where they
# differ) and the user's state.
_PAPER_FIELDS = {c: c for c in PAPER_COLUMNS if c not in ("authors_text", "source_rank")}
_PAPER_FIELDS.update(id="rowid", paper_id="id")
_SELECTED = tuple(_PAPER_FIELDS)
_SELECT_PAPERS = (
    f"SELECT {', '.join(f'p.{c}' for c in _SELECTED)}, COALESCE(s.read, 0), "
    "COALESCE(s.starred, 0), COALESCE(s.saved, 0), COALESCE(s.note, '') "
    "FROM paper p LEFT JOIN paper_state s ON s.paper = p.id"
)


def _tuple_split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def _keywords(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "published": parse_date,
    "updated": parse_date,
    "ai_keywords": _keywords,
    "categories": _tuple_split,
    "abstract": lambda v: v or "",
}


def _compile_paper_maker() -> Callable[..., Paper]:
    """``make(row, authors, tags, day, rank)``: a Paper from a row of ``_SELECT_PAPERS``,
    each column passed by name to the field it fills.

    Written out once from the model's columns: a page of 100 papers (and an export of
    thousands) builds them in one call each instead of a loop over a mapping per paper.
    """
    args = []
    for i, column in enumerate(_SELECTED):
        value = f"r[{i}]"
        if column in _CONVERT:
            value = f"_CONVERT[{column!r}]({value})"
        args.append(f"{_PAPER_FIELDS[column]}={value}")
    n = len(_SELECTED)
    args += [
        f"read=bool(r[{n}])",
        f"starred=bool(r[{n + 1}])",
        f"saved=bool(r[{n + 2}])",
        f"note=r[{n + 3}] or ''",
        "authors=authors",
        "tags=tags",
        "daily_day=parse_date(day)",
        "daily_rank=rank",
    ]
    source = f"def make(r, authors, tags, day, rank):\n    return Paper({', '.join(args)})\n"
    namespace: dict[str, Any] = {"Paper": Paper, "_CONVERT": _CONVERT, "parse_date": parse_date}
    exec(compile(source, "<desktop_app.store.feed>", "exec"), namespace)
    return namespace["make"]  # type: ignore[no-any-return]


_make_paper = _compile_paper_maker()


# One row of a view's keyset: its rowid, paper id and the cursor that follows it (a plain
# tuple: a page of keys can be 10,000 rows long).
_Key = tuple[int, str, Cursor]


def _where_sql(conditions: Sequence[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def date_range(column: str, query: FeedQuery) -> tuple[list[str], list[str]]:
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
    conds, params = date_range("day", query)
    return _where_sql(conds), params


class Feed:
    """Papers by id and by view."""

    def __init__(self, core: StoreCore, tag_ids_with_children: Callable[[str], list[int]]):
        self.core = core
        self._tag_ids = tag_ids_with_children

    # ------------------------------------------------------------------ papers by id
    def get_many(self, paper_ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``paper_ids``, in the order given."""

        def run() -> list[Paper]:
            found: dict[str, Paper] = {}
            conn = self.core.connection()
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                rows = conn.execute(
                    f"{_SELECT_PAPERS} WHERE p.paper_id IN ({marks(len(chunk))})", chunk
                ).fetchall()
                for paper in self._materialize(rows):
                    found[paper.id] = paper
            return [found[p] for p in paper_ids if p in found]

        return self.core.read(run)

    def _by_pks(self, pks: Sequence[int]) -> list[Paper]:
        """Papers by rowid, in the order given."""
        conn = self.core.connection()
        rows: list[tuple[Any, ...]] = []
        for chunk in chunks(pks):
            rows += conn.execute(f"{_SELECT_PAPERS} WHERE p.id IN ({marks(len(chunk))})", chunk)
        order = {pk: i for i, pk in enumerate(pks)}
        rows.sort(key=lambda r: order[r[0]])
        return self._materialize(rows)

    def _materialize(self, rows: Sequence[tuple[Any, ...]]) -> list[Paper]:
        """Papers from rows of ``_SELECT_PAPERS``, mapped by column name.

        Authors, tags and the latest daily appearance come in one query each for the whole
        page, not one per paper.
        """
        if not rows:
            return []
        pks = [r[0] for r in rows]
        authors: dict[int, list[str]] = {pk: [] for pk in pks}
        tags: dict[int, list[str]] = {pk: [] for pk in pks}
        daily: dict[int, tuple[str, int]] = {}
        conn = self.core.connection()
        for chunk in chunks(pks):
            m = marks(len(chunk))
            for pk, name in conn.execute(
                f"SELECT paper, name FROM paper_author WHERE paper IN ({m}) "
                "ORDER BY paper, position",
                chunk,
            ):
                authors[pk].append(name)
            for pk, name in conn.execute(
                f"SELECT pt.paper, t.name FROM paper_tag pt JOIN tag t ON t.id = pt.tag "
                f"WHERE pt.paper IN ({m}) ORDER BY t.name_key",
                chunk,
            ):
                tags[pk].append(name)
            # SQLite takes the bare column ``rank`` from the row holding MAX(day).
            for pk, day, rank in conn.execute(
                f"SELECT paper, MAX(day), rank FROM daily_appearance WHERE paper IN ({m}) "
                "GROUP BY paper",
                chunk,
            ):
                daily[pk] = (day, rank)
        papers = []
        for r in rows:
            pk = r[0]
            day, rank = daily.get(pk, (None, None))
            papers.append(_make_paper(r, tuple(authors[pk]), tuple(tags[pk]), day, rank))
        return papers

    def daily_days(self, first: date, last: date) -> list[date]:
        """The days from ``first`` to ``last`` that have a stored Hugging Face list."""

        def run() -> list[date]:
            rows = self.core.connection().execute(
                "SELECT DISTINCT day FROM daily_appearance WHERE day BETWEEN ? AND ? ORDER BY day",
                [first.isoformat(), last.isoformat()],
            )
            return [d for (text,) in rows if (d := parse_date(text)) is not None]

        return self.core.read(run)

    def latest_daily_day(self, on_or_before: date | None = None) -> date | None:
        """The most recent day with a stored Hugging Face list (not after ``on_or_before``)."""

        def run() -> date | None:
            sql = "SELECT MAX(day) FROM daily_appearance"
            args: list[str] = []
            if on_or_before is not None:
                sql += " WHERE day <= ?"
                args.append(on_or_before.isoformat())
            row = self.core.connection().execute(sql, args).fetchone()
            return parse_date(row[0]) if row and row[0] else None

        return self.core.read(run)

    # ------------------------------------------------------------------ views
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
                    excluded = excluded_fts_query(query.text)
                    if not patterns and excluded is None:
                        return None
                    for pattern in patterns:
                        where.append("p.title LIKE ? ESCAPE '\\'")
                        params.append(pattern)
                    if excluded is not None:
                        where.append(
                            "p.id NOT IN (SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?)"
                        )
                        params.append(excluded)
                elif fts_filter:
                    where.append("p.id IN (SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?)")
                    params.append(match)
        if query.tags:
            groups = [self._tag_ids(t) for t in query.tags]
            if query.tag_mode == "any":
                groups = [sorted({i for g in groups for i in g})]
            if any(not g for g in groups):
                return None
            for group in groups:
                where.append(
                    f"p.id IN (SELECT paper FROM paper_tag WHERE tag IN ({marks(len(group))}))"
                )
                params.extend(group)
        if query.ids is not None:
            pks = sorted(self.core.pks(list(query.ids)).values())
            if not pks:
                return None
            if len(pks) <= CHUNK:
                where.append(f"p.id IN ({marks(len(pks))})")
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
            conds, values = date_range("p.published", query)
            where.extend(conds)
            params.extend(values)
        if query.author.strip():
            where.append("p.id IN (SELECT paper FROM paper_author WHERE name = ? COLLATE NOCASE)")
            params.append(query.author.strip())
        if query.organization.strip():
            where.append("p.organization = ? COLLATE NOCASE")
            params.append(query.organization.strip())
        if query.unread:
            where.append("COALESCE(s.read, 0) = 0")
        if query.starred:
            where.append("s.starred = 1")
        if query.saved:
            where.append("s.saved = 1")
        return where, params

    def page(self, query: FeedQuery, cursor: Cursor | None = None, limit: int = 100) -> PageResult:
        """One page of a view in its sort order, continuing after ``cursor`` (keyset paging)."""

        def run() -> PageResult:
            keys = self._keys(query, cursor, limit)
            papers = self._by_pks([k[0] for k in keys])
            return PageResult(tuple(papers), keys[-1][2] if len(keys) == limit else None)

        return self.core.read(run)

    def page_keys(
        self, query: FeedQuery, cursor: Cursor | None = None, limit: int = 1000
    ) -> KeyPage:
        """The ids of the next ``limit`` papers of a view, each with the cursor that follows it.

        Reads no abstracts, authors or tags: for lists that only need to know which papers
        come next (the feed appends thousands of rows at a time and reads full papers only
        for the rows it paints, with :meth:`page` from the cursor in front of them).
        """

        def run() -> KeyPage:
            keys = self._keys(query, cursor, limit)
            keyed = [(paper_id, after) for _pk, paper_id, after in keys]
            return keyed, (keyed[-1][1] if len(keyed) == limit else None)

        return self.core.read(run)

    def _keys(self, query: FeedQuery, cursor: Cursor | None, limit: int) -> list[_Key]:
        if limit < 1:
            # A page of 0 rows would hand back a cursor taken from a row that does not exist.
            raise ValueError(f"limit must be at least 1, not {limit}")
        sort = query.sort
        match = build_fts_query(query.text) if sort is Sort.RELEVANCE else None
        if sort is Sort.RELEVANCE and (match is None or arxiv_id_in_query(query.text)):
            if query.ids is not None and not query.text.strip():
                return self._keys_given(query, cursor, limit)
            sort = Sort.DATE
        cond = self._conditions(
            query, fts_filter=sort is not Sort.RELEVANCE, daily_filter=sort is not Sort.RANK
        )
        if cond is None:
            return []
        where, params = cond
        conn = self.core.connection()
        if sort is Sort.RELEVANCE:
            tiers = relevance_tiers(query.text)
            assert tiers is not None
            return self._keys_relevance(conn, tiers, where, params, cursor, limit)
        if sort is Sort.RANK:
            return self._keys_rank(conn, query, where, params, cursor, limit)
        key = "published" if sort is Sort.DATE else "upvotes"
        # Unknown upvotes (NULL) sort below 0, by the expression the index is built on.
        value = "p.published" if sort is Sort.DATE else "coalesce(p.upvotes, -1)"
        if cursor:
            # A row value keeps the keyset condition an index range (an OR of two
            # comparisons makes SQLite walk the index from the top).
            where = [*where, f"({value}, p.id) < (?, ?)"]
            params = [*params, cursor[0], cursor[1]]
        # With a text filter SQLite prefers to fetch every match by key and sort them all;
        # walking the sort index and testing membership stops after one page (80 ms → 5 ms
        # for a word in a quarter of 100k papers; a rare word walks the index, ~15 ms).
        hint = f" INDEXED BY paper_{key}" if query.text.strip() else ""
        rows = conn.execute(
            f"SELECT p.id, p.paper_id, {value} FROM paper p{hint} "
            f"LEFT JOIN paper_state s ON s.paper = p.id{_where_sql(where)} "
            f"ORDER BY {value} DESC, p.id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [(pk, pid, (value, pk)) for pk, pid, value in rows]

    def _keys_given(self, query: FeedQuery, cursor: Cursor | None, limit: int) -> list[_Key]:
        """``query.ids`` in their own order (a source's ranking, such as Hugging Face's
        search results), with the other filters applied. The cursor is (position, rowid)."""
        assert query.ids is not None
        cond = self._conditions(replace(query, ids=None), fts_filter=True, daily_filter=True)
        pks = self.core.pks(list(query.ids))
        # Positions are those of ``query.ids`` (null for an id not in the library, or seen
        # before), so a cursor stays right if one of them is added between two pages.
        seen: set[str] = set()
        positions: list[int | None] = []
        for paper_id in query.ids:
            positions.append(pks.get(paper_id) if paper_id not in seen else None)
            seen.add(paper_id)
        if cond is None or not pks:
            return []
        where, params = cond
        if cursor:
            where = [*where, "j.key > ?"]
            params = [*params, cursor[0]]
        rows = (
            self.core.connection()
            .execute(
                "SELECT p.id, p.paper_id, j.key FROM json_each(?) j JOIN paper p ON p.id = "
                f"j.value LEFT JOIN paper_state s ON s.paper = p.id{_where_sql(where)} "
                "ORDER BY j.key LIMIT ?",
                [json.dumps(positions), *params, limit],
            )
            .fetchall()
        )
        return [(pk, pid, (position, pk)) for pk, pid, position in rows]

    def _keys_rank(
        self,
        conn: sqlite3.Connection,
        query: FeedQuery,
        where: list[str],
        params: list[Any],
        cursor: Cursor | None,
        limit: int,
    ) -> list[_Key]:
        """Newest daily list first, then rank within the day; a paper counts on its latest
        list within the date range."""
        sub, sub_params = _daily_range(query)
        if cursor:
            where = [
                *where,
                "(l.dday < ? OR (l.dday = ? AND (d.rank, p.id) > (?, ?)))",
            ]
            params = [*params, cursor[0], cursor[0], cursor[1], cursor[2]]
        rows = conn.execute(
            "SELECT p.id, p.paper_id, l.dday, d.rank "
            f"FROM (SELECT paper AS lp, MAX(day) AS dday FROM daily_appearance{sub} "
            "GROUP BY paper) l "
            "JOIN daily_appearance d ON d.paper = l.lp AND d.day = l.dday "
            "JOIN paper p ON p.id = l.lp LEFT JOIN paper_state s ON s.paper = p.id"
            f"{_where_sql(where)} ORDER BY l.dday DESC, d.rank, p.id LIMIT ?",
            [*sub_params, *params, limit],
        ).fetchall()
        return [(pk, pid, (day, rank, pk)) for pk, pid, day, rank in rows]

    def _keys_relevance(
        self,
        conn: sqlite3.Connection,
        tiers: tuple[str, str],
        where: list[str],
        params: list[Any],
        cursor: Cursor | None,
        limit: int,
    ) -> list[_Key]:
        """Title matches first, then the rest; bm25 order within each (title weighted over
        authors over abstract), ties by rowid. The cursor is (tier, score, rowid).

        Ranks narrow (rowid, score) pairs only: joining the paper rows before sorting carries
        every matching abstract through the sorter, which makes a common word several times
        slower.
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
            return []
        pks = [pk for _, pk, _ in ranked]
        names = dict(
            conn.execute(
                f"SELECT id, paper_id FROM paper WHERE id IN ({marks(len(pks))})", pks
            ).fetchall()
        )
        return [(pk, names[pk], (tier, score, pk)) for tier, pk, score in ranked]

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
            conn = self.core.connection()
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

        return self.core.read(run)

    def stored_since(self, query: FeedQuery, since: str) -> list[str]:
        """The papers of a view first stored at or after ``since`` (an ISO time)."""

        def run() -> list[str]:
            cond = self._conditions(query, fts_filter=True, daily_filter=True)
            if cond is None:
                return []
            where, params = cond
            sql = (
                "SELECT p.paper_id FROM paper p LEFT JOIN paper_state s ON s.paper = p.id"
                f"{_where_sql([*where, 'p.first_seen >= ?'])} ORDER BY p.upvotes DESC, p.id DESC"
            )
            return [pid for (pid,) in self.core.connection().execute(sql, [*params, since])]

        return self.core.read(run)

    def ids(self, query: FeedQuery) -> list[str]:
        """Every paper id of a view in its order (for export and bulk actions)."""
        out: list[str] = []
        cursor = None
        while True:
            keyed, cursor = self.page_keys(query, cursor, limit=5000)
            out.extend(paper_id for paper_id, _ in keyed)
            if cursor is None:
                return out
