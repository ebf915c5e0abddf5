"""The feed list's model: a window onto one view of the library, paged with ``fetchMore``.

Rows arrive 100 at a time through the repository's keyset paging, so scrolling a library of
100,000 papers never loads them all; sorting and filtering happen in SQL (the FeedQuery).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop_app.domain import FeedQuery, Paper
from desktop_app.store import Repository

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

    def __init__(self, repo: Repository, parent: Any = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._query = FeedQuery()
        self._papers: list[Paper] = []
        self._row_of: dict[str, int] = {}
        self._cursor: tuple | None = None
        self._exhausted = True
        self._total = 0

    # -- view control ------------------------------------------------------------
    @property
    def query(self) -> FeedQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def set_query(self, query: FeedQuery) -> None:
        """Show another view: reset and load its first page."""
        self.beginResetModel()
        self._query = query
        self._papers = []
        self._row_of = {}
        self._cursor = None
        self._exhausted = False
        self._load_page()
        self.endResetModel()
        self._total = self._repo.count(query)
        self.countChanged.emit(self._total)

    def reload(self, query: FeedQuery | None = None) -> None:
        """Re-run the view (or ``query``, the same view recomputed after a fetch) keeping as many
        rows loaded as before."""
        wanted = max(len(self._papers), self.PAGE)
        self.beginResetModel()
        if query is not None:
            self._query = query
        self._papers, self._row_of, self._cursor, self._exhausted = [], {}, None, False
        while len(self._papers) < wanted and not self._exhausted:
            self._load_page()
        self.endResetModel()
        self._total = self._repo.count(self._query)
        self.countChanged.emit(self._total)

    def _load_page(self) -> list[Paper]:
        page = self._repo.page(self._query, self._cursor, self.PAGE)
        start = len(self._papers)
        fresh = [p for p in page.papers if p.id not in self._row_of]
        self._papers.extend(fresh)
        for offset, paper in enumerate(fresh):
            self._row_of[paper.id] = start + offset
        self._cursor = page.cursor
        self._exhausted = page.cursor is None
        return fresh

    def refresh_papers(self, paper_ids: list[str]) -> None:
        """Re-read some papers (after tagging, reading…) and repaint their rows."""
        rows = {pid: self._row_of[pid] for pid in paper_ids if pid in self._row_of}
        if not rows:
            return
        for paper in self._repo.get_many(list(rows)):
            row = rows[paper.id]
            self._papers[row] = paper
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def paper_at(self, row: int) -> Paper | None:
        return self._papers[row] if 0 <= row < len(self._papers) else None

    def row_of(self, paper_id: str) -> int | None:
        return self._row_of.get(paper_id)

    def loaded_ids(self) -> list[str]:
        return [p.id for p in self._papers]

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._papers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._papers):
            return None
        paper = self._papers[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return paper.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{paper.title}\n{', '.join(paper.authors[:6])}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{paper.title}, {paper.upvotes} upvotes"
        if role == PaperRole:
            return paper
        if role == PaperIdRole:
            return paper.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._repo.page(self._query, self._cursor, self.PAGE)
        fresh = [p for p in page.papers if p.id not in self._row_of]
        self._cursor = page.cursor
        self._exhausted = page.cursor is None
        if not fresh:
            return
        start = len(self._papers)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._papers.extend(fresh)
        for offset, paper in enumerate(fresh):
            self._row_of[paper.id] = start + offset
        self.endInsertRows()

    def mimeTypes(self) -> list[str]:
        return [PAPER_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        ids = [self._papers[i.row()].id for i in indexes if i.isValid()]
        data.setData(PAPER_IDS_MIME, "\n".join(dict.fromkeys(ids)).encode())
        data.setText("\n".join(f"https://arxiv.org/abs/{i}" for i in dict.fromkeys(ids)))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction
