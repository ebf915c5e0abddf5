"""The repository: the one object through which the application reads and writes the library.

A small facade over the parts of the store, each in its own module (Anki's ``Collection`` and
its managers are the model): :mod:`ingest` (bulk upsert), :mod:`feed` (papers and views),
:mod:`tags`, :mod:`state` (read/starred/saved/notes), :mod:`snapshots` (delete and restore).
Callers only ever see plain dataclasses, and nothing outside ``store/`` touches the database.

Safe to share between threads: peewee keeps one SQLite connection per thread, each opened
with the same pragmas (WAL, foreign keys, busy timeout). Writes are transactions that begin
IMMEDIATE; a lock held longer than the busy timeout becomes a :class:`DatabaseBusyError`, and
every other failure SQLite reports (a full disk, a read-only or damaged file) the matching
:class:`~desktop_app.errors.StoreError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.domain import (
    AutoExport,
    BibEntry,
    DailyAppearance,
    EntryWrite,
    FeedQuery,
    Follow,
    PageResult,
    Paper,
    PaperRecord,
    PaperSnapshot,
    PublishedVersion,
    SavedSearch,
    Tag,
    UpsertResult,
)
from desktop_app.errors import CancelToken, NotFoundError
from desktop_app.store import db as store_db
from desktop_app.store.autoexports import AutoExports
from desktop_app.store.core import StoreCore, rows
from desktop_app.store.db import DEFAULT_BUSY_TIMEOUT, LibraryDatabase, open_database
from desktop_app.store.entries import Entries
from desktop_app.store.feed import Cursor, Feed, KeyPage
from desktop_app.store.follows import Follows
from desktop_app.store.ingest import Ingest
from desktop_app.store.interests import Interests, Labels, PaperText
from desktop_app.store.pdfs import Pdfs
from desktop_app.store.snapshots import Snapshots
from desktop_app.store.state import Flags, State
from desktop_app.store.tags import (  # noqa: F401  (re-exported: the store's public names)
    MAX_FAVOURITES,
    MAX_TAG_CHARS,
    Tags,
    check_new_tag_name,
    normalize_color,
    normalize_tag_name,
    tag_key,
)


class Repository:
    """The library. Create with :meth:`open`; share between threads; :meth:`close` at the end."""

    def __init__(self, db: LibraryDatabase, path: Path) -> None:
        self._core = StoreCore(db, path)
        self._state = State(self._core)
        self._tags = Tags(self._core, save=lambda pks: self._state.set_flag(pks, "saved", True))
        self._feed = Feed(self._core, self._tags.ids_with_children)
        self._ingest = Ingest(self._core)
        self._snapshots = Snapshots(self._core, self._tags.ensure)
        self._entries = Entries(self._core)
        self._autoexports = AutoExports(self._core)
        self._follows = Follows(self._core)
        self._interests = Interests(self._core)
        self._pdfs = Pdfs(self._core)

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Repository:
        """Open the library at ``path``; a writer waits ``busy_timeout`` s for another's lock."""
        path = Path(path)
        return cls(open_database(path, busy_timeout=busy_timeout), path)

    def close(self) -> None:
        """Close this thread's connection (other threads close their own)."""
        if not self._core.db.is_closed():
            self._core.db.close()

    @property
    def path(self) -> Path:
        return self._core.path

    @property
    def db(self) -> LibraryDatabase:
        """The database, for tests and benchmarks that look under the hood; the application
        itself goes through the methods below."""
        return self._core.db

    @property
    def read_only(self) -> bool:
        """Whether the library was opened read-only (a read-only file, folder or disk)."""
        return self._core.read_only

    def changes(self) -> int:
        """How many rows this thread's connection has changed since it opened (SQLite's
        ``total_changes``): compare two readings to tell whether a command wrote anything."""
        return int(self._core.connection().total_changes)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction around several calls (nested ones become savepoints), with
        SQLite's errors mapped to the user's (:meth:`StoreCore.transaction`)."""
        with self._core.transaction():
            yield

    def backup_to(self, target: Path, cancel: CancelToken | None = None) -> None:
        """A consistent copy of the library at ``target`` (see :func:`store.db.backup`)."""
        store_db.backup(self._core.db, target, cancel)

    # ------------------------------------------------------------------ storing what sources say
    def upsert_papers(
        self,
        records: Iterable[PaperRecord],
        appearances: Iterable[DailyAppearance] = (),
        *,
        fetched_at: str | None = None,
    ) -> UpsertResult:
        """See :meth:`ingest.Ingest.upsert_papers`."""
        return self._ingest.upsert_papers(records, appearances, fetched_at=fetched_at)

    # ------------------------------------------------------------------ bibliography entries
    def set_entries(self, writes: Mapping[str, EntryWrite]) -> None:
        """See :meth:`entries.Entries.set`."""
        self._entries.set(writes)

    def entries(self, paper_ids: Sequence[str]) -> dict[str, BibEntry]:
        """The entries (with aliases) of those papers that hold one."""
        return self._entries.get(paper_ids)

    def add_aliases(self, aliases: Mapping[str, Sequence[str]]) -> None:
        """Remember other keys of papers (``paper_id → keys``); taken keys are skipped."""
        self._entries.add_aliases(aliases)

    def aliases(self) -> dict[str, str]:
        """Every alias, ``key → paper_id``."""
        return self._entries.aliases()

    def set_published(
        self,
        paper_id: str,
        version: PublishedVersion,
        shown: tuple[str | None, str | None, str | None, str | None] | None = None,
    ) -> None:
        """See :meth:`entries.Entries.set_published`."""
        self._entries.set_published(paper_id, version, shown)

    def published(self, paper_ids: Sequence[str]) -> dict[str, PublishedVersion]:
        """The published versions looked up for those papers (found or not)."""
        return self._entries.published(paper_ids)

    def unpublished_preprints(self, checked_before: str) -> list[str]:
        """See :meth:`entries.Entries.unpublished_preprints`."""
        return self._entries.unpublished_preprints(checked_before)

    def preambles(self) -> list[str]:
        """The ``@preamble`` texts of imported files."""
        return self._entries.preambles()

    def add_preambles(self, texts: Sequence[str]) -> None:
        self._entries.add_preambles(texts)

    # ------------------------------------------------------------------ auto-export
    def autoexports(self) -> list[AutoExport]:
        """Every file kept up to date, by path."""
        return self._autoexports.all()

    def add_autoexport(self, spec: AutoExport) -> AutoExport:
        """Keep a file up to date (a path already kept gets the new spec)."""
        return self._autoexports.add(spec)

    def remove_autoexport(self, path: str) -> bool:
        """Stop keeping a file up to date (the file stays). False if it was not kept."""
        return self._autoexports.remove(path)

    def record_autoexport(
        self, path: str, *, written: bool, entries: int | None = None, error: str | None = None
    ) -> None:
        """How a file's last update went (see :meth:`autoexports.AutoExports.record`)."""
        self._autoexports.record(path, written=written, entries=entries, error=error)

    # ------------------------------------------------------------------ papers and views
    def get(self, paper_id: str) -> Paper:
        paper = self.find(paper_id)
        if paper is None:
            raise NotFoundError(
                f"No paper {paper_id} in the library.",
                hint="Check the id, or add it with `daily-papers add ID`.",
            )
        return paper

    def find(self, paper_id: str) -> Paper | None:
        papers = self._feed.get_many([paper_id])
        return papers[0] if papers else None

    def get_many(self, paper_ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``paper_ids``, in the order given."""
        return self._feed.get_many(paper_ids)

    def page(self, query: FeedQuery, cursor: Cursor | None = None, limit: int = 100) -> PageResult:
        """One page of a view in its sort order, continuing after ``cursor``."""
        return self._feed.page(query, cursor, limit)

    def page_keys(
        self, query: FeedQuery, cursor: Cursor | None = None, limit: int = 1000
    ) -> KeyPage:
        """The ids of the next ``limit`` papers of a view, each with the cursor after it."""
        return self._feed.page_keys(query, cursor, limit)

    def count(self, query: FeedQuery) -> int:
        """How many papers the view holds."""
        return self._feed.count(query)

    def ids(self, query: FeedQuery) -> list[str]:
        """Every paper id of a view in its order (for export and bulk actions)."""
        return self._feed.ids(query)

    def daily_days(self, first: date, last: date) -> list[date]:
        """The days from ``first`` to ``last`` that have a stored Hugging Face list."""
        return self._feed.daily_days(first, last)

    def latest_daily_day(self, on_or_before: date | None = None) -> date | None:
        """The most recent day with a stored Hugging Face list (not after ``on_or_before``)."""
        return self._feed.latest_daily_day(on_or_before)

    # ------------------------------------------------------------------ tags
    def tags(self, order: str = "name") -> list[Tag]:
        """Every tag with its paper count and unread count (own papers, not sub-tags')."""
        return self._tags.all(order)

    def tag_counts_with_children(self) -> dict[str, tuple[int, int]]:
        """``name_key → (papers, unread)`` counting each paper once across a tag's subtree."""
        return self._tags.counts_with_children()

    def tag_members(self, name: str) -> tuple[str, ...]:
        """The papers that carry exactly the tag ``name`` (not its sub-tags)."""
        return self._tags.members(name)

    def favourite_tags(self) -> dict[int, str]:
        """The favourite tags by their key (1–9), in key order; keys may have gaps."""
        return self._tags.favourites()

    def set_favourite_tags(
        self, favourites: Mapping[int, str], *, create: bool = False
    ) -> dict[int, str]:
        """See :meth:`tags.Tags.set_favourites`."""
        return self._tags.set_favourites(favourites, create=create)

    def get_tag(self, name: str) -> Tag:
        return self._tags.get(name)

    def create_tag(self, name: str, color: str | None = None) -> Tag:
        """Create a tag (or return the existing one with that name, in any case)."""
        return self._tags.create(name, color)

    def set_tag_color(self, name: str, color: str | None) -> None:
        """Set a tag's colour (``#rrggbb``, ``#rgb`` or a basic colour name), or clear it."""
        self._tags.set_color(name, color)

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag and its sub-tags; returns how many tags were renamed."""
        return self._tags.rename(old, new)

    def merge_tags(self, source: str, target: str) -> int:
        """Move ``source`` (and its sub-tags) onto ``target``; returns papers that gained it."""
        return self._tags.merge(source, target)

    def delete_tag(self, name: str) -> int:
        """Delete a tag and its sub-tags (papers stay); returns how many tags went."""
        return self._tags.delete(name)

    def delete_single_tag(self, name: str) -> None:
        """Delete one tag but not its sub-tags."""
        self._tags.delete_one(name)

    def tag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Add tags (created if new) to papers; tagged papers are saved. Returns links added."""
        return self._tags.tag_papers(paper_ids, names)

    def untag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Remove tags from papers (the tags themselves stay). Returns links removed."""
        return self._tags.untag_papers(paper_ids, names)

    # ------------------------------------------------------------------ the user's state
    def set_read(self, paper_ids: Sequence[str], read: bool = True) -> None:
        self._state.set(paper_ids, "read", read)

    def set_starred(self, paper_ids: Sequence[str], starred: bool = True) -> None:
        """Star or unstar; a starred paper is also saved to the library."""
        self._state.set(paper_ids, "starred", starred)

    def set_saved(self, paper_ids: Sequence[str], saved: bool = True) -> None:
        self._state.set(paper_ids, "saved", saved)

    def mark_view_read(self, query: FeedQuery) -> list[str]:
        """Mark every paper of a view read, in one transaction.

        Returns the ids that were unread (what an undo has to mark unread again).
        """
        ids = self.ids(replace(query, unread=True))
        with self._core.transaction():
            self._state.set_flag(list(self._core.pks(ids).values()), "read", True)
        return ids

    def set_note(self, paper_id: str, note: str) -> None:
        """Store the note; a paper with a note is saved to the library."""
        self._state.set_note(paper_id, note)

    def flags(self, paper_ids: Sequence[str]) -> dict[str, Flags]:
        """``paper_id → (read, starred, saved, tag names)`` without reading whole papers."""
        return self._state.flags(paper_ids)

    def stats(self) -> dict[str, int]:
        return self._state.stats()

    # ------------------------------------------------------------------ delete / restore
    def snapshot_papers(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Everything stored about these papers now, for :meth:`restore_papers`."""
        return self._snapshots.snapshot(paper_ids)

    def delete_papers(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Delete papers with everything about them; returns it, for :meth:`restore_papers`."""
        return self._snapshots.delete(paper_ids)

    def restore_papers(self, snapshot: PaperSnapshot, *, exact: bool = False) -> int:
        """See :meth:`snapshots.Snapshots.restore`."""
        return self._snapshots.restore(snapshot, exact=exact)

    # ------------------------------------------------------------------ bookkeeping
    def get_meta(self, key: str) -> str | None:
        M = self._core.m.Meta
        row = self._core.read(lambda: M.get_or_none(M.key == key))
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        M = self._core.m.Meta
        with self._core.transaction():
            M.insert(key=key, value=value).on_conflict(
                conflict_target=[M.key], update={M.value: value}
            ).execute()

    def set_cite_keys(self, keys: dict[str, str]) -> None:
        """Store citation keys for papers that have none yet (a stored key never changes)."""
        with self._core.transaction():
            self._core.connection().executemany(  # thousands on a first export
                "UPDATE paper SET cite_key = ? WHERE paper_id = ? AND cite_key IS NULL",
                [(k, pid) for pid, k in keys.items()],
            )

    def cite_keys(self) -> dict[str, str]:
        """Every stored citation key, ``paper_id → key``."""
        P = self._core.m.Paper
        query = P.select(P.paper_id, P.cite_key).where(P.cite_key.is_null(False)).tuples()
        return dict(self._core.read(lambda: rows(query)))

    def identities(
        self,
    ) -> list[tuple[Any, ...]]:
        """``(paper_id, doi, title, year, published, first author, its family name, entry
        type, citation key)`` of every paper, cheaply: what duplicate detection (an import)
        matches on, without materialising papers. The family name is the stored part (or
        literal name) when the name came from a bibliography, else None."""
        rows = self._core.read(
            lambda: (
                self._core.connection()
                .execute(
                    "SELECT p.paper_id, p.doi, p.title, p.year, p.published, a.name, "
                    "coalesce(a.family, a.literal), p.entry_type, p.cite_key FROM paper p "
                    "LEFT JOIN paper_author a ON a.paper = p.id AND a.position = 0"
                )
                .fetchall()
            )
        )
        return [(r[0], r[1], r[2], r[3], r[4] or None, r[5], r[6], r[7], r[8]) for r in rows]

    def taken_keys(self) -> set[str]:
        """Every citation key and alias in use, case-folded (a new key must be none of them)."""
        found = self._core.read(
            lambda: (
                self._core.connection()
                .execute(
                    "SELECT cite_key FROM paper WHERE cite_key IS NOT NULL "
                    "UNION ALL SELECT key FROM paper_alias"
                )
                .fetchall()
            )
        )
        return {k.casefold() for (k,) in found}

    # ------------------------------------------------------------------ cached PDFs
    @property
    def pdfs(self) -> Pdfs:
        """Cached PDFs' records and the full-text index of their pages (store/pdfs.py)."""
        return self._pdfs

    # ------------------------------------------------------------------ following
    @property
    def follows_store(self) -> Follows:
        """Saved searches, followed items, their news and digests (store/follows.py)."""
        return self._follows

    def saved_searches(self) -> list[SavedSearch]:
        return self._follows.searches()

    def saved_search(self, name: str) -> SavedSearch:
        return self._follows.search(name)

    def follows(self) -> list[Follow]:
        """Followed items with their counts of papers new to them and not yet looked at."""
        return self._follows.follows()

    def stored_since(self, query: FeedQuery, since: str) -> list[str]:
        """The papers of a view first stored at or after ``since`` (an ISO time)."""
        return self._feed.stored_since(query, since)

    # ------------------------------------------------------------------ interests
    def set_not_interested(self, paper_ids: Sequence[str], on: bool = True) -> None:
        """Mark papers not interesting (hidden from For you), or take the mark back."""
        self._interests.set_not_interested(paper_ids, on)

    def not_interested_ids(self) -> set[str]:
        return self._interests.not_interested_ids()

    def labels(self) -> Labels:
        """Tags, kept (starred/saved/noted/tagged), read and not-interested papers."""
        return self._interests.labels()

    def labels_fingerprint(self) -> str:
        """Changes whenever the labels or the papers do (see store/interests.py)."""
        return self._interests.fingerprint()

    def paper_texts(self, paper_ids: Sequence[str]) -> list[PaperText]:
        """``(paper_id, title, abstract, authors_text)`` of those papers, in order."""
        return self._interests.texts(paper_ids)

    def sample_paper_ids(self, k: int, seed: int = 0) -> list[str]:
        """Up to ``k`` paper ids drawn at random (reproducibly)."""
        return self._interests.sample_ids(k, seed)
