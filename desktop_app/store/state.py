"""The user's state of each paper: read, starred, saved, the note.

A paper without a ``paper_state`` row is unread, unstarred, unsaved and has no note. Flags are
set for many papers at once (mark a whole view read, star a selection of thousands) with one
``executemany`` upsert; the rest uses peewee's query builder.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import fn

from desktop_app.safetext import clean_text
from desktop_app.store.core import StoreCore, chunks, marks, now

Flags = tuple[bool, bool, bool, tuple[str, ...]]  # read, starred, saved, tag names
FLAG_COLUMNS = ("read", "starred", "saved")


class State:
    """Read/starred/saved flags and notes."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def set_flag(self, pks: Sequence[int], column: str, value: bool) -> None:
        """Set one flag on papers by rowid (a starred paper is also saved). In a transaction."""
        if column not in FLAG_COLUMNS:
            raise ValueError(f"not a flag: {column!r}")
        stamp = now()
        conn = self.core.connection()
        extra = ", saved = 1" if column == "starred" and value else ""
        conn.executemany(
            f"INSERT INTO paper_state (paper, {column}, changed) VALUES (?, ?, ?) "
            f"ON CONFLICT (paper) DO UPDATE SET {column} = excluded.{column}, "
            f"changed = excluded.changed{extra}",
            [(pk, int(value), stamp) for pk in pks],
        )
        if extra:
            conn.executemany(
                "UPDATE paper_state SET saved = 1 WHERE paper = ?", [(pk,) for pk in pks]
            )

    def set(self, paper_ids: Sequence[str], column: str, value: bool) -> None:
        with self.core.transaction():
            self.set_flag(self.core.require_pks(paper_ids), column, value)

    def set_note(self, paper_id: str, note: str) -> None:
        """Store the note; a paper with a note is saved to the library."""
        S = self.core.m.State
        text = clean_text(note)
        with self.core.transaction():
            (pk,) = self.core.require_pks([paper_id])
            S.insert(paper=pk, note=text, saved=int(bool(text.strip())), changed=now()).on_conflict(
                conflict_target=[S.paper],
                update={
                    S.note: text,
                    S.saved: fn.MAX(S.saved, int(bool(text.strip()))),
                    S.changed: now(),
                },
            ).execute()

    def flags(self, paper_ids: Sequence[str]) -> dict[str, Flags]:
        """``paper_id → (read, starred, saved, tag names)`` without reading whole papers.

        For snapshots before a bulk edit (undo), where thousands of papers may be selected.
        """

        def run() -> dict[str, Flags]:
            conn = self.core.connection()
            out: dict[str, tuple[bool, bool, bool]] = {}
            tags: dict[str, list[str]] = {}
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                m = marks(len(chunk))
                for pid, read, starred, saved in conn.execute(
                    "SELECT p.paper_id, COALESCE(s.read, 0), COALESCE(s.starred, 0), "
                    "COALESCE(s.saved, 0) FROM paper p LEFT JOIN paper_state s "
                    f"ON s.paper = p.id WHERE p.paper_id IN ({m})",
                    chunk,
                ):
                    out[pid] = (bool(read), bool(starred), bool(saved))
                for pid, name in conn.execute(
                    "SELECT p.paper_id, t.name FROM paper_tag pt JOIN tag t ON t.id = pt.tag "
                    f"JOIN paper p ON p.id = pt.paper WHERE p.paper_id IN ({m})",
                    chunk,
                ):
                    tags.setdefault(pid, []).append(name)
            return {
                pid: (*flags, tuple(sorted(tags.get(pid, ()), key=str.casefold)))
                for pid, flags in out.items()
            }

        return self.core.read(run)

    def stats(self) -> dict[str, int]:
        """How many papers, tags, saved papers and unread papers the library holds."""
        row = self.core.read(
            lambda: (
                self.core.connection()
                .execute(
                    "SELECT (SELECT COUNT(*) FROM paper), (SELECT COUNT(*) FROM tag), "
                    "(SELECT COUNT(*) FROM paper_state WHERE saved = 1), "
                    "(SELECT COUNT(*) FROM paper) - "
                    "(SELECT COUNT(*) FROM paper_state WHERE read = 1)"
                )
                .fetchone()
            )
        )
        return {"papers": row[0], "tags": row[1], "saved": row[2], "unread": row[3]}
