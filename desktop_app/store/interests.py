"""What the interest model learns from: the papers' text, the user's labels (tags, stars,
saves, notes, read marks) and the papers they are not interested in.

Read in bulk with plain SQL (a library of 100,000 papers is read in well under a second);
the model itself lives in :mod:`desktop_app.library.recommend`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.store.core import StoreCore, chunks, marks, now

PaperText = tuple[str, str, str, str]  # paper_id, title, abstract, authors_text


@dataclass(frozen=True)
class Labels:
    """The user's labels, by paper id."""

    tags: dict[str, tuple[str, ...]]  # paper → the tags it carries (as named)
    kept: frozenset[str]  # starred, saved or noted (tagged papers are saved too)
    read: frozenset[str]  # marked read
    not_interested: frozenset[str]


class Interests:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def set_not_interested(self, paper_ids: Sequence[str], on: bool) -> None:
        """Mark papers not interesting (or take the mark back)."""
        with self.core.transaction():
            pks = self.core.require_pks(paper_ids)
            conn = self.core.connection()
            if on:
                stamp = now()
                conn.executemany(
                    "INSERT INTO not_interested (paper, marked) VALUES (?, ?) "
                    "ON CONFLICT (paper) DO NOTHING",
                    [(pk, stamp) for pk in pks],
                )
            else:
                conn.executemany(
                    "DELETE FROM not_interested WHERE paper = ?", [(pk,) for pk in pks]
                )

    def not_interested_ids(self) -> set[str]:
        return {
            pid
            for (pid,) in self.core.read(
                lambda: (
                    self.core.connection()
                    .execute(
                        "SELECT p.paper_id FROM not_interested n JOIN paper p ON p.id = n.paper"
                    )
                    .fetchall()
                )
            )
        }

    def labels(self) -> Labels:
        def run() -> Labels:
            conn = self.core.connection()
            tags: dict[str, list[str]] = {}
            for pid, name in conn.execute(
                "SELECT p.paper_id, t.name FROM paper_tag pt JOIN tag t ON t.id = pt.tag "
                "JOIN paper p ON p.id = pt.paper ORDER BY pt.added, p.id"
            ):
                tags.setdefault(pid, []).append(name)
            kept: set[str] = set()
            read: set[str] = set()
            for pid, is_read, kept_flag in conn.execute(
                "SELECT p.paper_id, s.read, (s.starred OR s.saved OR s.note != '') "
                "FROM paper_state s JOIN paper p ON p.id = s.paper "
                "WHERE s.read OR s.starred OR s.saved OR s.note != ''"
            ):
                if kept_flag:
                    kept.add(pid)
                if is_read:
                    read.add(pid)
            return Labels(
                {k: tuple(v) for k, v in tags.items()},
                frozenset(kept | set(tags)),
                frozenset(read),
                frozenset(self.not_interested_ids()),
            )

        return self.core.read(run)

    def fingerprint(self) -> str:
        """Changes whenever what the model learns from changes (labels, not-interested marks,
        the number of papers); cheap enough to read before every use of the model."""
        row = self.core.read(
            lambda: (
                self.core.connection()
                .execute(
                    "SELECT (SELECT COUNT(*) FROM paper_tag), (SELECT MAX(added) FROM paper_tag), "
                    "(SELECT COUNT(*) FROM paper_state), (SELECT MAX(changed) FROM paper_state), "
                    "(SELECT SUM(read) + 2 * SUM(starred) + 4 * SUM(saved) FROM paper_state), "
                    "(SELECT COUNT(*) FROM not_interested), "
                    "(SELECT MAX(marked) FROM not_interested), (SELECT MAX(id) FROM paper), "
                    "(SELECT COUNT(*) FROM paper)"
                )
                .fetchone()
            )
        )
        return "|".join(str(v) for v in row)

    def texts(self, paper_ids: Sequence[str]) -> list[PaperText]:
        """``(paper_id, title, abstract, authors_text)`` of those papers that exist, in the
        order given."""

        def run() -> list[PaperText]:
            conn = self.core.connection()
            found: dict[str, PaperText] = {}
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                for row in conn.execute(
                    "SELECT paper_id, title, abstract, authors_text FROM paper "
                    f"WHERE paper_id IN ({marks(len(chunk))})",
                    chunk,
                ):
                    found[row[0]] = (row[0], row[1] or "", row[2] or "", row[3] or "")
            return [found[p] for p in paper_ids if p in found]

        return self.core.read(run)

    def sample_ids(self, k: int, seed: int = 0) -> list[str]:
        """Up to ``k`` paper ids drawn at random (the same draw for the same library and
        seed), without reading the whole table's text."""

        def run() -> list[str]:
            conn = self.core.connection()
            ids = [pid for (pid,) in conn.execute("SELECT paper_id FROM paper ORDER BY id")]
            if len(ids) <= k:
                return ids
            return random.Random(seed).sample(ids, k)

        return self.core.read(run)
