"""The feed list's model: a window onto one view of the library, paged with ``fetchMore``.

Rows arrive 100 at a time through the repository's keyset paging, and sorting and filtering
happen in SQL (the FeedQuery). Scrolling a library of 100,000 papers to the end does not keep
100,000 papers in memory: the model remembers every row's paper id and the keyset cursor in
front of each page, but only the most recently used pages of full :class:`Paper` objects; a page
that was dropped is read again from its cursor when it is painted.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

from desktop_app.domain import FeedQuery, Paper
from desktop_app.store import Repository
from desktop_app.ui.ask import rich_safe

PaperRole = Qt.ItemDataRole.UserRole + 1
PaperIdRole = Qt.ItemDataRole.UserRole + 2
PAPER_IDS_MIME = "application/x-daily-papers-ids"

_Index = QModelIndex | QPersistentModelIndex


class FeedModel(QAbstractListModel):
    """Papers of one FeedQuery.

    Signals:
        countChanged(int): the total number of papers in the view (not just loaded rows).
    """

    countChanged = Signal(int)
    PAGE = 100
    CACHED_PAGES = 40  # at most 4,000 papers held in memory
    MAX_CHUNK = 10_000  # rows appended by one fetchMore at most (ids only)

    def __init__(
        self,
        repo: Repository,
        parent: Any = None,
        count_in_background: Callable[[FeedQuery], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        # Counting a large view is bulk work; given this, the model asks for the count and
        # receives it later through set_total (the window runs it in the worker).
        self._count_in_background = count_in_background
        self._query = FeedQuery()
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._page_cursors: list[tuple | None] = []  # cursor in front of page k
        self._page_starts: list[int] = []  # first row of page k (pages may be short)
        self._pages: OrderedDict[int, list[Paper]] = OrderedDict()
        self._cursor: tuple | None = None  # after the last loaded row
        self._exhausted = True
        self._total = 0

    # -- view control ------------------------------------------------------------
    @property
    def query(self) -> FeedQuery:
        return self._query

    @property
    def total(self) -> int:
        """Papers in the view; -1 while a background count is pending."""
        return self._total

    def set_query(self, query: FeedQuery) -> None:
        """Show another view: reset and load its first page."""
        self.beginResetModel()
        self._query = query
        self._clear()
        self._append_page()
        self.endResetModel()
        self._recount()

    def reload(self, query: FeedQuery | None = None) -> None:
        """Re-run the view (or ``query``, the same view recomputed after a fetch) keeping as many
        rows loaded as before."""
        wanted = max(len(self._ids), self.PAGE)
        self.beginResetModel()
        if query is not None:
            self._query = query
        self._clear()
        self._append_page()
        # The rest as ids only, like fetchMore: papers are read again when painted.
        while len(self._ids) < wanted and not self._exhausted:
            self._append_keys(min(wanted - len(self._ids), self.MAX_CHUNK))
        self.endResetModel()
        self._recount()

    def _clear(self) -> None:
        self._ids, self._row_of, self._page_cursors, self._page_starts = [], {}, [], []
        self._pages.clear()
        self._cursor, self._exhausted = None, False

    def _recount(self) -> None:
        if self._exhausted:  # everything is loaded: no need to ask the database
            self._total = len(self._ids)
        elif self._count_in_background is not None:
            self._total = -1  # unknown until set_total
            self._count_in_background(self._query)
        else:
            self._total = self._repo.count(self._query)
        self.countChanged.emit(self._total)

    def set_total(self, query: FeedQuery, total: int) -> None:
        """The count of ``query``, computed elsewhere; ignored if the view changed since."""
        if query == self._query:
            self._total = total
            self.countChanged.emit(total)

    def _append_page(self) -> int:
        """Load the page after the last loaded row; returns how many rows it added."""
        page = self._repo.page(self._query, self._cursor, self.PAGE)
        fresh = [p for p in page.papers if p.id not in self._row_of]
        number = len(self._page_cursors)
        self._page_cursors.append(self._cursor)
        start = len(self._ids)
        self._page_starts.append(start)
        for offset, paper in enumerate(fresh):
            self._ids.append(paper.id)
            self._row_of[paper.id] = start + offset
        self._remember(number, fresh)
        self._cursor = page.cursor
        self._exhausted = page.cursor is None
        return len(fresh)

    def _remember(self, number: int, papers: list[Paper]) -> None:
        self._pages[number] = papers
        self._pages.move_to_end(number)
        while len(self._pages) > self.CACHED_PAGES:
            self._pages.popitem(last=False)

    def _paper(self, row: int) -> Paper | None:
        if not 0 <= row < len(self._ids):
            return None
        number, offset = self._locate(row)
        papers = self._pages.get(number)
        if papers is None:
            # Dropped from the cache: read the page again from the cursor in front of it.
            page = self._repo.page(self._query, self._page_cursors[number], self.PAGE)
            by_id = {p.id: p for p in page.papers}
            ids = self._ids[self._page_starts[number] : self._page_end(number)]
            missing = [i for i in ids if i not in by_id]
            if missing:  # the library changed under this page: fetch those rows by id
                by_id.update({p.id: p for p in self._repo.get_many(missing)})
            papers = [by_id[i] for i in ids if i in by_id]
            if len(papers) != len(ids):  # a paper vanished; show what is there
                return None
            self._remember(number, papers)
        else:
            self._pages.move_to_end(number)
        return papers[offset] if offset < len(papers) else None

    def _locate(self, row: int) -> tuple[int, int]:
        number = bisect.bisect_right(self._page_starts, row) - 1
        return number, row - self._page_starts[number]

    def _page_end(self, number: int) -> int:
        nxt = number + 1
        return self._page_starts[nxt] if nxt < len(self._page_starts) else len(self._ids)

    def refresh_papers(self, paper_ids: list[str]) -> None:
        """Re-read some papers (after tagging, reading…) and repaint their rows."""
        rows = {pid: self._row_of[pid] for pid in paper_ids if pid in self._row_of}
        if not rows:
            return
        for paper in self._repo.get_many(list(rows)):
            row = rows[paper.id]
            number, offset = self._locate(row)
            page = self._pages.get(number)
            if page is not None and offset < len(page):
                page[offset] = paper
            index = self.index(row)
            self.dataChanged.emit(index, index)

    @Slot(list)
    def repaint_papers(self, paper_ids: list[str]) -> None:
        """Repaint the rows of some papers whose data did not change (a thumbnail arrived)."""
        for paper_id in paper_ids:
            row = self._row_of.get(paper_id)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def row_of(self, paper_id: str) -> int | None:
        return self._row_of.get(paper_id)

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == PaperIdRole:
            row = index.row()
            return self._ids[row] if 0 <= row < len(self._ids) else None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
            PaperRole,
        ):
            return None
        paper = self._paper(index.row())
        if paper is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return paper.title
        if role == Qt.ItemDataRole.ToolTipRole:  # Qt would render a title that looks like HTML
            return rich_safe(f"{paper.title}\n{', '.join(paper.authors[:6])}")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            votes = f", {paper.upvotes} upvotes" if paper.upvotes is not None else ""
            return f"{paper.title}{votes}"
        return paper

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:
        """Append the next rows: one page at first, then more per call as the list grows.

        A list view lays out all of its rows again after every insertion, so inserting 100
        rows at a time would make scrolling to the end of 100,000 rows quadratic; growing
        chunks keep it near-linear. Only ids and cursors are read here (no abstracts); the
        papers of a page are read when its rows are painted.
        """
        if parent.isValid() or self._exhausted:
            return
        want = min(max(self.PAGE, len(self._ids) // 2), self.MAX_CHUNK)
        fresh = self._next_keys(want)
        if not fresh:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._add_keys(fresh)
        self.endInsertRows()

    def _next_keys(self, want: int) -> list[tuple[str, tuple | None]]:
        """The next ``want`` ids, each with the cursor in front of it; advances the cursor."""
        keyed, next_cursor = self._repo.page_keys(self._query, self._cursor, want)
        cursor_before = self._cursor
        fresh: list[tuple[str, tuple | None]] = []
        for paper_id, after in keyed:
            if paper_id not in self._row_of:
                fresh.append((paper_id, cursor_before))
            cursor_before = after
        self._cursor = next_cursor
        self._exhausted = next_cursor is None
        return fresh

    def _add_keys(self, fresh: list[tuple[str, tuple | None]]) -> None:
        for offset, (paper_id, before) in enumerate(fresh):
            if offset % self.PAGE == 0:
                self._page_cursors.append(before)
                self._page_starts.append(len(self._ids))
            self._row_of[paper_id] = len(self._ids)
            self._ids.append(paper_id)

    def _append_keys(self, want: int) -> None:
        """Append ids without notifying views (inside a reset)."""
        self._add_keys(self._next_keys(want))

    def mimeTypes(self) -> list[str]:
        return [PAPER_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        ids = list(dict.fromkeys(self._ids[i.row()] for i in indexes if i.isValid()))
        data.setData(PAPER_IDS_MIME, "\n".join(ids).encode())
        data.setText("\n".join(f"https://arxiv.org/abs/{i}" for i in ids))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction
