"""Everything stored about some papers, taken and put back: deleting papers (and undoing it),
and undoing a BibTeX import exactly.

A :class:`~desktop_app.domain.PaperSnapshot` holds plain rows keyed by paper id (rowids may
differ when they come back). The paper table's columns come from the model, so a column added
by a migration is carried without a change here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop_app.domain import PaperSnapshot
from desktop_app.store.core import StoreCore, chunks, marks
from desktop_app.store.ingest import NEXT_PK_SQL
from desktop_app.store.models import PAPER_COLUMNS

_COLUMNS = tuple(c for c in PAPER_COLUMNS if c != "id")
# Columns a restore never fills into a paper fetched again since: its fresh text and times.
_KEEP_ON_RESTORE = frozenset(
    {"paper_id", "title", "abstract", "authors_text", "first_seen", "last_fetched"}
)
_USER_TABLES = (
    "paper_author",
    "paper_tag",
    "paper_state",
    "daily_appearance",
    "paper_field",
    "paper_alias",
)
_AUTHOR_COLUMNS = ("position", "name", "given", "family", "von", "jr", "literal")
# A cached PDF's record comes back without its text (which is not kept in a snapshot): its
# text_state is 'pending', so the text is extracted from the file again.
_PDF_COLUMNS = ("version", "file", "size", "sha256", "downloaded", "last_read", "last_page")


class Snapshots:
    """Taking papers out of the library and putting them back."""

    def __init__(self, core: StoreCore, ensure_tag: Callable[[str, str | None], int]) -> None:
        self.core = core
        self._ensure_tag = ensure_tag

    def _take(self, pks: Sequence[int]) -> PaperSnapshot:
        conn = self.core.connection()

        def rows(sql: str) -> tuple[tuple[Any, ...], ...]:
            found: list[tuple[Any, ...]] = []
            for chunk in chunks(pks):
                found += conn.execute(sql.format(marks=marks(len(chunk))), chunk).fetchall()
            return tuple(found)

        return PaperSnapshot(
            columns=_COLUMNS,
            papers=rows(f"SELECT {', '.join(_COLUMNS)} FROM paper WHERE id IN ({{marks}})"),
            authors=rows(
                f"SELECT p.paper_id, {', '.join('a.' + c for c in _AUTHOR_COLUMNS)} "
                "FROM paper_author a JOIN paper p ON p.id = a.paper WHERE a.paper IN ({marks})"
            ),
            fields=rows(
                "SELECT p.paper_id, f.position, f.name, f.value FROM paper_field f "
                "JOIN paper p ON p.id = f.paper WHERE f.paper IN ({marks})"
            ),
            aliases=rows(
                "SELECT p.paper_id, a.key FROM paper_alias a "
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
            pdfs=rows(
                f"SELECT p.paper_id, {', '.join('f.' + c for c in _PDF_COLUMNS)} FROM pdf_file f "
                "JOIN paper p ON p.id = f.paper WHERE f.paper IN ({marks})"
            ),
        )

    def snapshot(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Everything stored about these papers now (ids not in the library are skipped), for
        :meth:`restore` to put back later."""
        return self.core.read(lambda: self._take(list(self.core.pks(paper_ids).values())))

    def delete(self, paper_ids: Sequence[str]) -> PaperSnapshot:
        """Delete papers with their authors, tags, state, note, daily-list appearances and
        cached PDF record with its text (the FTS indexes follow through their triggers).
        Returns all of it, for :meth:`restore`.

        Ids not in the library are ignored. Tags themselves stay, even when left empty.
        """
        P = self.core.m.Paper
        with self.core.transaction():
            pks = list(self.core.pks(paper_ids).values())
            deleted = self._take(pks)
            for chunk in chunks(pks):
                P.delete().where(P.id.in_(list(chunk))).execute()
        return deleted

    def restore(self, snapshot: PaperSnapshot, *, exact: bool = False) -> int:
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
        with self.core.transaction():
            conn = self.core.connection()
            present = self.core.pks(snapshot.ids)
            next_pk = conn.execute(NEXT_PK_SQL).fetchone()[0]
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
                        f"VALUES (?, {marks(len(columns))})",
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
                for table in _USER_TABLES:
                    conn.executemany(
                        f"DELETE FROM {table} WHERE paper = ?", [(present[p],) for p in present]
                    )
            conn.executemany(
                f"INSERT INTO paper_author (paper, {', '.join(_AUTHOR_COLUMNS)}) "
                f"VALUES (?, {marks(len(_AUTHOR_COLUMNS))})",
                [(pks[p], *rest) for p, *rest in snapshot.authors if p in whole],
            )
            # An entry comes back whole or not at all: into a paper that holds none now.
            bare = whole | {
                p
                for p in present
                if conn.execute(
                    "SELECT 1 FROM paper_field WHERE paper = ? LIMIT 1", (present[p],)
                ).fetchone()
                is None
            }
            conn.executemany(
                "INSERT INTO paper_field (paper, position, name, value) VALUES (?, ?, ?, ?)",
                [(pks[p], *rest) for p, *rest in snapshot.fields if p in bare],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO paper_alias (key, paper) VALUES (?, ?)",
                [(key, pks[p]) for p, key in snapshot.aliases],
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
            # A paper that has a cached PDF now (downloaded again since) keeps that one.
            conn.executemany(
                f"INSERT OR IGNORE INTO pdf_file (paper, {', '.join(_PDF_COLUMNS)}) "
                f"VALUES (?, {marks(len(_PDF_COLUMNS))})",
                [(pks[p], *rest) for p, *rest in snapshot.pdfs],
            )
        return len(inserted)
