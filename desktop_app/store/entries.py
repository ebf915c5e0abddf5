"""Bibliography entries kept with papers: the type and fields an imported entry came with,
its authors' name parts, the keys of entries merged into it, and the file's preambles.

A paper holds an entry when ``paper.entry_type`` is set; its fields (LaTeX source, in order)
are rows of ``paper_field``. Papers fetched from Hugging Face or arXiv hold none: exporters
make theirs from the paper's columns. Nothing here interprets LaTeX (that is the BibTeX
service's job); the importer hands over what is shown (venue, volume…) already decoded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from desktop_app.domain import BibEntry, EntryWrite, PublishedVersion
from desktop_app.store.core import StoreCore, chunks, marks, now

_PREAMBLES = "bibtex_preambles"


class Entries:
    """Entries, aliases and preambles."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def set(self, writes: Mapping[str, EntryWrite]) -> None:
        """Store entries for papers (replacing any they had) with what is shown of them."""
        if not writes:
            return
        with self.core.transaction():
            conn = self.core.connection()
            pks = self.core.require_pks(list(writes))
            by_id = dict(zip(dict.fromkeys(writes), pks, strict=True))
            conn.executemany(
                "UPDATE paper SET entry_type = ?, venue = ?, volume = ?, number = ?, pages = ? "
                "WHERE id = ?",
                [
                    (w.entry.type, w.venue, w.volume, w.number, w.pages, by_id[pid])
                    for pid, w in writes.items()
                ],
            )
            with_fields = self._with_fields(list(by_id.values()))
            conn.executemany(
                "DELETE FROM paper_field WHERE paper = ?", [(pk,) for pk in with_fields]
            )
            conn.executemany(
                "INSERT INTO paper_field (paper, position, name, value) VALUES (?, ?, ?, ?)",
                [
                    (by_id[pid], pos, name, value)
                    for pid, w in writes.items()
                    for pos, (name, value) in enumerate(w.entry.fields)
                ],
            )

    def _with_fields(self, pks: list[int]) -> list[int]:
        """Those of ``pks`` that hold fields (new papers hold none: nothing to delete)."""
        found: list[int] = []
        for chunk in chunks(pks):
            found += [
                pk
                for (pk,) in self.core.connection().execute(
                    f"SELECT DISTINCT paper FROM paper_field WHERE paper IN ({marks(len(chunk))})",
                    chunk,
                )
            ]
        return found

    def get(self, paper_ids: Sequence[str]) -> dict[str, BibEntry]:
        """The entries of those papers that hold one, with their aliases."""

        def read() -> dict[str, BibEntry]:
            conn = self.core.connection()
            types: dict[int, tuple[str, str]] = {}
            fields: dict[int, list[tuple[str, str]]] = {}
            aliases: dict[int, list[str]] = {}
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                for pk, pid, kind in conn.execute(
                    f"SELECT id, paper_id, entry_type FROM paper WHERE paper_id IN "
                    f"({marks(len(chunk))}) AND entry_type IS NOT NULL",
                    chunk,
                ):
                    types[pk] = (pid, kind)
            pks = list(types)
            for part in chunks(pks):
                for pk, name, value in conn.execute(
                    f"SELECT paper, name, value FROM paper_field WHERE paper IN "
                    f"({marks(len(part))}) ORDER BY paper, position",
                    part,
                ):
                    fields.setdefault(pk, []).append((name, value))
                for pk, key in conn.execute(
                    f"SELECT paper, key FROM paper_alias WHERE paper IN ({marks(len(part))}) "
                    "ORDER BY key",
                    part,
                ):
                    aliases.setdefault(pk, []).append(key)
            return {
                pid: BibEntry(kind, tuple(fields.get(pk, ())), tuple(aliases.get(pk, ())))
                for pk, (pid, kind) in types.items()
            }

        return self.core.read(read)

    def add_aliases(self, aliases: Mapping[str, Sequence[str]]) -> None:
        """Remember ``keys`` as other keys of each paper (a key already taken is skipped)."""
        if not aliases:
            return
        with self.core.transaction():
            pks = dict(
                zip(dict.fromkeys(aliases), self.core.require_pks(list(aliases)), strict=True)
            )
            self.core.connection().executemany(
                "INSERT OR IGNORE INTO paper_alias (key, paper) VALUES (?, ?)",
                [(key, pks[pid]) for pid, keys in aliases.items() for key in keys],
            )

    def aliases(self) -> dict[str, str]:
        """Every alias, ``key → paper_id``."""
        return dict(
            self.core.read(
                lambda: (
                    self.core.connection()
                    .execute(
                        "SELECT a.key, p.paper_id FROM paper_alias a JOIN paper p ON p.id = a.paper"
                    )
                    .fetchall()
                )
            )
        )

    # ------------------------------------------------------------------ published versions
    def set_published(
        self,
        paper_id: str,
        version: PublishedVersion,
        shown: tuple[str | None, str | None, str | None, str | None] | None = None,
    ) -> None:
        """Remember what a lookup found for a paper (or that it found nothing); ``shown`` is
        the venue, volume, number and pages to show, for a paper that shows none yet."""
        with self.core.transaction():
            (pk,) = self.core.require_pks([paper_id])
            entry = version.entry
            self.core.connection().execute(
                "INSERT INTO published (paper, checked, record, entry_type, fields) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper) DO UPDATE SET "
                "checked = excluded.checked, record = excluded.record, "
                "entry_type = excluded.entry_type, fields = excluded.fields",
                (
                    pk,
                    version.checked or now(),
                    version.record,
                    entry.type if entry else None,
                    json.dumps(entry.fields, ensure_ascii=False) if entry else None,
                ),
            )
            if shown is not None:
                self.core.connection().execute(
                    "UPDATE paper SET venue = ?, volume = ?, number = ?, pages = ? "
                    "WHERE id = ? AND venue IS NULL",
                    (*shown, pk),
                )

    def published(self, paper_ids: Sequence[str]) -> dict[str, PublishedVersion]:
        """What the last lookups found for those papers that were looked up."""

        def read() -> dict[str, PublishedVersion]:
            out: dict[str, PublishedVersion] = {}
            conn = self.core.connection()
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                for pid, checked, record, kind, fields in conn.execute(
                    "SELECT p.paper_id, v.checked, v.record, v.entry_type, v.fields "
                    "FROM published v JOIN paper p ON p.id = v.paper "
                    f"WHERE p.paper_id IN ({marks(len(chunk))})",
                    chunk,
                ):
                    entry = (
                        BibEntry(kind, tuple(tuple(f) for f in json.loads(fields)))
                        if kind and fields
                        else None
                    )
                    out[pid] = PublishedVersion(checked, record, entry)
            return out

        return self.core.read(read)

    def unpublished_preprints(self, checked_before: str) -> list[str]:
        """The library's arXiv papers with no venue, not looked up since ``checked_before``
        (oldest first): what a lookup of the whole library checks."""
        return [
            pid
            for (pid,) in self.core.read(
                lambda: (
                    self.core.connection()
                    .execute(
                        "SELECT p.paper_id FROM paper p JOIN paper_state s ON s.paper = p.id "
                        "LEFT JOIN published v ON v.paper = p.id "
                        "WHERE s.saved = 1 AND p.paper_id NOT LIKE 'local:%' AND p.venue IS NULL "
                        "AND (v.checked IS NULL OR v.checked < ?) "
                        "ORDER BY coalesce(v.checked, ''), p.published",
                        (checked_before,),
                    )
                    .fetchall()
                )
            )
        ]

    def preambles(self) -> list[str]:
        """The ``@preamble`` texts of imported files (each once, in the order first seen)."""
        M = self.core.m.Meta
        row = self.core.read(lambda: M.get_or_none(M.key == _PREAMBLES))
        return list(json.loads(row.value)) if row else []

    def add_preambles(self, texts: Sequence[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t.strip()]
        if not new:
            return
        M = self.core.m.Meta
        with self.core.transaction():
            have = self.preambles()
            merged = have + [t for t in new if t not in have]
            if merged != have:
                value = json.dumps(merged, ensure_ascii=False)
                M.insert(key=_PREAMBLES, value=value).on_conflict(
                    conflict_target=[M.key], update={M.value: value}
                ).execute()
