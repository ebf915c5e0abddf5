"""The PDF cache's records and the full-text index of their pages.

``pdf_file`` holds one row per cached paper: which arXiv version the file is (``None`` when
it was fetched without one, or attached by hand), its name inside the cache folder, size and
SHA-256, when it was downloaded and last read, the page the reader was on, and how the text
extraction went (:data:`TEXT_STATES`). ``pdf_text`` holds each page's text and
``pdf_text_fts`` indexes it. The files themselves are the library layer's
(:mod:`desktop_app.library.pdfs`); this module never touches the disk.

Deleting a paper deletes its record and its text (foreign keys cascade; the FTS triggers
follow), and so does removing a record (eviction). Recording a new file for a paper replaces
the old record and drops the old file's text in the same transaction.

Search results carry a snippet whose matched words are wrapped in :data:`HIGHLIGHT_START`
(``\\x02``) and :data:`HIGHLIGHT_END` (``\\x03``): control characters that never occur in stored
text (it is cleaned on the way in), so a front end can escape the snippet and then turn the
markers into bold (:func:`highlight_spans` splits it for that).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.errors import NotFoundError
from desktop_app.safetext import clean_text
from desktop_app.store.core import StoreCore, chunks, marks, now
from desktop_app.store.search import build_fts_query

TEXT_STATES = ("pending", "indexed", "no_text", "failed", "encrypted")
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
SNIPPET_TOKENS = 16  # words of context in a snippet
MAX_PAGE_CHARS = 200_000  # a page's text beyond this is not indexed (no real page has it)
# A page's row id is ``paper row id << PAGE_BITS | page``: the paper and page of a match come
# from the index alone, without reading the page's row (search groups matches by paper).
PAGE_BITS = 16
MAX_PAGES = 1 << PAGE_BITS
# A search whose words are on more pages than this lists the newest papers first instead of
# ranking them: bm25 counts every page holding each word or phrase (its IDF), which for a
# phrase of common words ("encoder and decoder") in 10,000 papers takes ~0.1 s, and a word
# nearly every paper holds ranks nothing useful anyway.
RANKED_PAGES = 4000

_COLUMNS = (
    "p.paper_id, f.version, f.file, f.size, f.sha256, f.downloaded, f.last_read, "
    "f.last_page, f.text_state, f.pages"
)
_FROM = "FROM pdf_file f JOIN paper p ON p.id = f.paper"
# A paper the user keeps: starred, saved (which a note or a tag also makes it) or tagged.
KEPT_SQL = (
    "(EXISTS (SELECT 1 FROM paper_state s WHERE s.paper = {pk} AND (s.starred OR s.saved)) "
    "OR EXISTS (SELECT 1 FROM paper_tag t WHERE t.paper = {pk}))"
)


@dataclass(frozen=True)
class PdfFile:
    """A paper's cached PDF as recorded (``file`` is relative to the cache folder)."""

    paper_id: str
    version: int | None
    file: str
    size: int
    sha256: str
    downloaded: str
    last_read: str
    last_page: int
    text_state: str
    pages: int | None

    @property
    def searchable(self) -> bool:
        """Whether the paper's text is in the full-text index."""
        return self.text_state == "indexed"


@dataclass(frozen=True)
class FulltextHit:
    """A paper whose PDF text matched: its best page (0-based) and a snippet of it, the
    matched words between :data:`HIGHLIGHT_START` and :data:`HIGHLIGHT_END`."""

    paper_id: str
    page: int
    snippet: str
    score: float  # bm25: lower is better


def highlight_spans(snippet: str) -> list[tuple[str, bool]]:
    """``snippet`` as ``(text, highlighted)`` pieces, the markers removed and its whitespace
    (a PDF's line breaks) made single spaces: one line to show."""
    pieces: list[tuple[str, bool]] = []
    on = False
    current = ""
    for ch in " ".join(snippet.split()):
        if ch in (HIGHLIGHT_START, HIGHLIGHT_END):
            if current:
                pieces.append((current, on))
            current = ""
            on = ch == HIGHLIGHT_START
        else:
            current += ch
    if current:
        pieces.append((current, on))
    return pieces


def _file(row: Sequence[Any]) -> PdfFile:
    return PdfFile(*row)


class Pdfs:
    """Records of cached PDFs and their page texts (``repo.pdfs``)."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    # ------------------------------------------------------------------ reading
    def get(self, paper_id: str) -> PdfFile | None:
        """The record of ``paper_id``'s cached PDF, or None."""
        found = self.get_many([paper_id])
        return found.get(paper_id)

    def get_many(self, paper_ids: Sequence[str]) -> dict[str, PdfFile]:
        """``paper_id → record`` for those of ``paper_ids`` that have a cached PDF."""

        def read() -> dict[str, PdfFile]:
            conn = self.core.connection()
            result: dict[str, PdfFile] = {}
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                for row in conn.execute(
                    f"SELECT {_COLUMNS} {_FROM} WHERE p.paper_id IN ({marks(len(chunk))})",
                    list(chunk),
                ):
                    result[row[0]] = _file(row)
            return result

        return self.core.read(read)

    def all(self) -> list[PdfFile]:
        """Every record, least recently read first."""
        return self.core.read(
            lambda: [
                _file(r)
                for r in self.core.connection().execute(
                    f"SELECT {_COLUMNS} {_FROM} ORDER BY f.last_read, p.id"
                )
            ]
        )

    def kept(self, paper_ids: Collection[str] | None = None) -> set[str]:
        """The cached papers the user keeps (starred, saved or tagged), which eviction spares;
        among ``paper_ids`` when given."""
        sql = f"SELECT p.paper_id {_FROM} WHERE {KEPT_SQL.format(pk='f.paper')}"
        found = {r[0] for r in self.core.read(lambda: self.core.connection().execute(sql))}
        return found if paper_ids is None else found & set(paper_ids)

    def kept_papers(self) -> list[str]:
        """Every arXiv paper the user keeps (starred, saved or tagged), with a cached PDF or
        not, the most recently added first: what the background download fetches."""
        sql = (
            f"SELECT p.paper_id FROM paper p WHERE {KEPT_SQL.format(pk='p.id')} "
            "AND p.paper_id NOT LIKE 'local:%' ORDER BY p.id DESC"
        )
        return [r[0] for r in self.core.read(lambda: self.core.connection().execute(sql))]

    def current_ids(self) -> list[str]:
        """Papers whose cached PDF is of their current version (or of a paper whose version
        is unknown): the ones that can be read without downloading again."""
        sql = (
            f"SELECT p.paper_id {_FROM} "
            "WHERE p.version IS NULL OR f.version IS p.version ORDER BY p.id"
        )
        return [r[0] for r in self.core.read(lambda: self.core.connection().execute(sql))]

    def pending(self, limit: int = 100) -> list[str]:
        """Papers whose PDF's text is still to be extracted, oldest download first."""
        return [
            r[0]
            for r in self.core.read(
                lambda: (
                    self.core.connection()
                    .execute(
                        f"SELECT p.paper_id {_FROM} WHERE f.text_state = 'pending' "
                        "ORDER BY f.downloaded, p.id LIMIT ?",
                        (limit,),
                    )
                    .fetchall()
                )
            )
        ]

    def total_size(self) -> int:
        """Bytes of all cached files, as recorded."""
        return int(
            self.core.read(
                lambda: (
                    self.core.connection()
                    .execute("SELECT coalesce(sum(size), 0) FROM pdf_file")
                    .fetchone()[0]
                )
            )
        )

    def page_texts(self, paper_id: str) -> list[tuple[int, str]]:
        """``(page, text)`` of the indexed pages of ``paper_id``'s PDF, in page order."""
        return self.core.read(
            lambda: [
                (int(r[0]), str(r[1]))
                for r in self.core.connection().execute(
                    "SELECT t.page, t.text FROM pdf_text t JOIN paper p ON p.id = t.paper "
                    "WHERE p.paper_id = ? ORDER BY t.page",
                    (paper_id,),
                )
            ]
        )

    # ------------------------------------------------------------------ writing
    def record(
        self,
        paper_id: str,
        *,
        version: int | None,
        file: str,
        size: int,
        sha256: str,
        text_state: str = "pending",
    ) -> PdfFile | None:
        """Record ``file`` as the paper's cached PDF; returns the record it replaced (whose
        file the caller deletes when it is another one), or None.

        The old record's text goes with it. The last page read is kept when it is the same
        version, the time it was last read always."""
        if text_state not in TEXT_STATES:
            raise ValueError(f"not a text state: {text_state!r}")
        with self.core.transaction():
            (pk,) = self.core.require_pks([paper_id])
            old = self.get(paper_id)
            conn = self.core.connection()
            conn.execute("DELETE FROM pdf_file WHERE paper = ?", (pk,))
            stamp = now()
            last_page = old.last_page if old is not None and old.version == version else 0
            conn.execute(
                "INSERT INTO pdf_file (paper, version, file, size, sha256, downloaded, "
                "last_read, last_page, text_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    pk,
                    version,
                    file,
                    size,
                    sha256,
                    stamp,
                    old.last_read if old is not None else stamp,
                    last_page,
                    text_state,
                ),
            )
        return old

    def remove(self, paper_ids: Sequence[str]) -> list[PdfFile]:
        """Forget the cached PDFs of those papers, with their text; returns what was removed
        (the caller deletes the files)."""
        with self.core.transaction():
            removed = list(self.get_many(paper_ids).values())
            pks = self.core.pks([r.paper_id for r in removed])
            self.core.connection().executemany(
                "DELETE FROM pdf_file WHERE paper = ?", [(pk,) for pk in pks.values()]
            )
        return removed

    def set_last_page(self, paper_id: str, page: int) -> None:
        """Remember the page the reader is on (0-based); the paper counts as read now."""
        with self.core.transaction():
            cur = self.core.connection().execute(
                "UPDATE pdf_file SET last_page = ?, last_read = ? "
                "WHERE paper = (SELECT id FROM paper WHERE paper_id = ?)",
                (max(0, int(page)), now(), paper_id),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No cached PDF of {paper_id}.")

    def touch(self, paper_id: str) -> None:
        """The paper's PDF was opened now (least-recently-read eviction goes by this)."""
        with self.core.transaction():
            self.core.connection().execute(
                "UPDATE pdf_file SET last_read = ? "
                "WHERE paper = (SELECT id FROM paper WHERE paper_id = ?)",
                (now(), paper_id),
            )

    def set_text(
        self,
        paper_id: str,
        sha256: str,
        state: str,
        *,
        pages: int | None = None,
        texts: Sequence[str] = (),
    ) -> bool:
        """Store the extraction of the file with checksum ``sha256``: its state, its number of
        pages and each page's text (replacing any earlier text). Returns False, storing
        nothing, when the paper's record is now of another file (a new version came while
        the old one was being read) or gone."""
        if state not in TEXT_STATES:
            raise ValueError(f"not a text state: {state!r}")
        with self.core.transaction():
            conn = self.core.connection()
            row = conn.execute(
                "SELECT f.paper FROM pdf_file f JOIN paper p ON p.id = f.paper "
                "WHERE p.paper_id = ? AND f.sha256 = ?",
                (paper_id, sha256),
            ).fetchone()
            if row is None:
                return False
            pk = row[0]
            conn.execute("DELETE FROM pdf_text WHERE paper = ?", (pk,))
            conn.executemany(
                "INSERT INTO pdf_text (id, paper, page, text) VALUES (?, ?, ?, ?)",
                [
                    ((pk << PAGE_BITS) | page, pk, page, clean_text(text[:MAX_PAGE_CHARS]))
                    for page, text in enumerate(texts[:MAX_PAGES])
                    if text.strip()
                ],
            )
            conn.execute(
                "UPDATE pdf_file SET text_state = ?, pages = ? WHERE paper = ?",
                (state, pages, pk),
            )
        return True

    def reset_text(self, paper_ids: Sequence[str] | None = None) -> int:
        """Mark the text of those papers (all when None) to be extracted again; returns how
        many. The old text stays searchable until the new one replaces it."""
        with self.core.transaction():
            conn = self.core.connection()
            if paper_ids is None:
                return int(conn.execute("UPDATE pdf_file SET text_state = 'pending'").rowcount)
            pks = self.core.pks(paper_ids)
            conn.executemany(
                "UPDATE pdf_file SET text_state = 'pending' WHERE paper = ?",
                [(pk,) for pk in pks.values()],
            )
            return len(pks)

    # ------------------------------------------------------------------ search
    def search(self, query: str, limit: int = 50) -> list[FulltextHit]:
        """Papers whose PDF text matches ``query`` (any text: the paper search's syntax and
        sanitising, :func:`store.search.build_fts_query`, whole words only), best first,
        each with its best
        page and a snippet of it. A query with nothing to search for finds nothing; one whose
        words are on more than :data:`RANKED_PAGES` pages lists the newest papers first
        (each with the first page that holds them)."""
        # Whole words only (a trailing space: no prefix match for the last word), which
        # would merge the page lists of every word it begins.
        match = build_fts_query(query + " ")
        if match is None or limit <= 0:
            return []

        def run() -> list[FulltextHit]:
            conn = self.core.connection()
            many = conn.execute(
                "SELECT rowid FROM pdf_text_fts WHERE pdf_text_fts MATCH ? LIMIT 1 OFFSET ?",
                (match, RANKED_PAGES),
            ).fetchone()
            best: list[tuple[int, int, float]]
            if many is None:
                best = conn.execute(
                    # MATERIALIZED: bm25() only works in the FTS query itself, not
                    # flattened into the grouping around it.
                    "WITH h AS MATERIALIZED (SELECT rowid AS id, bm25(pdf_text_fts) AS "
                    "score FROM pdf_text_fts WHERE pdf_text_fts MATCH ?) "
                    f"SELECT id >> {PAGE_BITS} AS paper, id, min(score) AS best FROM h "
                    "GROUP BY paper ORDER BY best, paper LIMIT ?",
                    (match, limit),
                ).fetchall()
            else:
                best = self._newest(conn, match, limit)
            if not best:
                return []
            rowids = [r[1] for r in best]
            snippets = dict(
                conn.execute(
                    "SELECT rowid, snippet(pdf_text_fts, 0, ?, ?, '…', ?) FROM pdf_text_fts "
                    f"WHERE pdf_text_fts MATCH ? AND rowid IN ({marks(len(rowids))})",
                    (HIGHLIGHT_START, HIGHLIGHT_END, SNIPPET_TOKENS, match, *rowids),
                ).fetchall()
            )
            papers = [r[0] for r in best]
            ids = dict(
                conn.execute(
                    f"SELECT id, paper_id FROM paper WHERE id IN ({marks(len(papers))})", papers
                ).fetchall()
            )
            return [
                FulltextHit(
                    paper_id=ids[paper],
                    page=rowid & (MAX_PAGES - 1),
                    snippet=" ".join(str(snippets.get(rowid, "")).split()),
                    score=float(score),
                )
                for paper, rowid, score in best
                if paper in ids
            ]

        return self.core.read(run)

    @staticmethod
    def _newest(conn: Any, match: str, limit: int) -> list[tuple[int, int, float]]:
        """``(paper, row id of its first matching page, 0.0)`` of the newest ``limit`` papers
        matching ``match`` (row ids grow with the paper and the page)."""
        found: dict[int, int] = {}
        cursor = conn.execute(
            "SELECT rowid FROM pdf_text_fts WHERE pdf_text_fts MATCH ? ORDER BY rowid DESC",
            (match,),
        )
        for (rowid,) in cursor:
            paper = rowid >> PAGE_BITS
            if paper not in found and len(found) == limit:
                break
            found[paper] = rowid  # pages come last first: the first page wins
        cursor.close()
        return [(paper, rowid, 0.0) for paper, rowid in found.items()]
