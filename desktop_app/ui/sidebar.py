"""The sidebar: smart views on top, the user's tags below as a tree split on ``/``.

Each row carries a :class:`ViewSpec` (what the feed should show when it is selected), its paper
count and unread count. Papers dragged from the feed and dropped on a tag are tagged.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QMouseEvent,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from desktop_app.contrast import tag_text_color
from desktop_app.domain import Follow, SavedSearch, Tag
from desktop_app.library.views import FOLLOWED_KINDS, ViewSpec, follow_spec
from desktop_app.ui.ask import rich_safe
from desktop_app.ui.feed_model import PAPER_IDS_MIME

SpecRole = Qt.ItemDataRole.UserRole + 10
LabelRole = Qt.ItemDataRole.UserRole + 12  # a row's name without its badge
TagColorRole = Qt.ItemDataRole.UserRole + 11  # the tag's own colour as chosen, or None


SMART_VIEWS: tuple[tuple[str, str, str], ...] = (
    ("daily", "Daily", "The Hugging Face list of a day, week or month"),
    ("trending", "Trending", "Most upvoted papers on Hugging Face"),
    ("search", "Search results", "The last search"),
    ("today", "Today", "Papers on today's Hugging Face list"),
    ("week", "This week", "Papers on this week's Hugging Face lists"),
    ("foryou", "For you", "The last week's papers ranked by what you tag, star and save"),
    ("unread", "Unread", "Papers you have not read"),
    ("starred", "Starred", "Papers you starred"),
    ("saved", "Library", "Papers saved in your library (tagged, starred or noted)"),
    ("all", "All papers", "Everything stored"),
)


class SidebarModel(QStandardItemModel):
    """Two columns (name, count). Accepts paper drops on tag rows.

    Signals:
        papersDropped(list, str): paper ids and the tag they were dropped on.
    """

    papersDropped = Signal(list, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # The header is hidden: the count columns' names are for screen readers only (as
        # display text they would hold each column at twice its numbers' width).
        self.setHorizontalHeaderLabels(["View", "", ""])
        for column, heading in ((1, "Unread"), (2, "Papers")):
            self.setHeaderData(
                column, Qt.Orientation.Horizontal, heading, Qt.ItemDataRole.AccessibleTextRole
            )
        self.background = "#ffffff"  # the view's, set by it: tag names must read on it
        self._views_root = QStandardItem("Views")
        self._searches_root = QStandardItem("Saved searches")
        self._follow_root = QStandardItem("Following")
        self._tags_root = QStandardItem("Tags")
        roots = (self._views_root, self._searches_root, self._follow_root, self._tags_root)
        self.badges: dict[ViewSpec, int] = {}  # papers new to a followed item, not looked at
        for root in roots:
            root.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont()
            font.setBold(True)
            root.setFont(font)
            self.appendRow([root, *_count_items("", "", Qt.ItemFlag.ItemIsEnabled)])
        for kind, label, tip in SMART_VIEWS:
            name = QStandardItem(label)
            name.setToolTip(tip)
            name.setData(ViewSpec(kind), SpecRole)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            name.setFlags(flags)
            self._views_root.appendRow([name, *_count_items("", "", flags)])

    # -- contents ----------------------------------------------------------------
    def view_index(self, kind: str) -> QModelIndex:
        for row in range(self._views_root.rowCount()):
            item = self._views_root.child(row, 0)
            if item.data(SpecRole).kind == kind:
                return item.index()
        return QModelIndex()

    def spec_index(self, spec: ViewSpec) -> QModelIndex:
        """The row of any sidebar entry (a view, a tag, a saved search, a followed item)."""
        if spec.kind == "tag":
            return self.tag_index(spec.tag)
        if spec.kind in FOLLOWED_KINDS:
            root = self._searches_root if spec.kind == "smart" else self._follow_root
            key = spec.name.casefold()
            for row in range(root.rowCount()):
                item = root.child(row, 0)
                found = item.data(SpecRole)
                if found.kind == spec.kind and found.name.casefold() == key:
                    return item.index()
            return QModelIndex()
        return self.view_index(spec.kind)

    def empty_roots(self) -> list[QModelIndex]:
        """The headings with nothing under them (hidden: no saved search, nothing followed)."""
        return [r.index() for r in (self._searches_root, self._follow_root) if not r.rowCount()]

    def set_followed(
        self, searches: list[SavedSearch], follows: list[Follow], described: bool = True
    ) -> None:
        """Rebuild the saved searches and the followed authors and organizations, and the
        badges (papers new to a followed item) on every followed row."""
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        self.badges = {follow_spec(f): f.new for f in follows}
        followed = set(self.badges)
        self._searches_root.removeRows(0, self._searches_root.rowCount())
        for search in searches:
            spec = ViewSpec("smart", name=search.name)
            item = QStandardItem(search.name)
            item.setData(spec, SpecRole)
            item.setData(search.name, LabelRole)
            item.setToolTip(rich_safe(f"Saved search: {search.describe()}"))
            item.setFlags(flags)
            self._searches_root.appendRow([item, *_count_items("", "", flags)])
            if spec not in followed:
                self._badge(item, None)
        self._follow_root.removeRows(0, self._follow_root.rowCount())
        for follow in follows:
            if follow.kind not in ("author", "org"):
                continue
            spec = follow_spec(follow)
            item = QStandardItem(follow.target)
            item.setData(spec, SpecRole)
            item.setData(follow.target, LabelRole)
            what = "author" if follow.kind == "author" else "organization"
            item.setToolTip(rich_safe(f"Followed {what}: {follow.target}"))
            item.setFlags(flags)
            self._follow_root.appendRow([item, *_count_items("", "", flags)])
        self._searches_root.setText(
            f"Saved searches ({len(searches)})" if searches else "Saved searches"
        )
        self.apply_badges()

    def apply_badges(self) -> None:
        """Show each followed row's news: "name  ● 3" in bold while there is some."""
        for spec, new in self.badges.items():
            index = self.spec_index(spec)
            if index.isValid():
                self._badge(self.itemFromIndex(index), new)

    def _badge(self, item: QStandardItem, new: int | None) -> None:
        label = item.data(LabelRole) or item.text()
        item.setData(label, LabelRole)
        item.setText(f"{label}  ● {new}" if new else label)
        font = item.font()
        font.setBold(bool(new))
        item.setFont(font)
        tip = item.toolTip().split("\n")[0]
        if new is not None:
            tip += f"\nFollowed: {new} new paper{'s' if new != 1 else ''} not looked at yet"
        item.setToolTip(tip)

    def set_spec_count(self, spec: ViewSpec, count: int, unread: int) -> None:
        """The counts of a saved search or a followed item's row."""
        index = self.spec_index(spec)
        if not index.isValid() or spec.kind not in FOLLOWED_KINDS:
            return
        parent = self.itemFromIndex(index.parent())
        unread_cell = parent.child(index.row(), 1)
        total_cell = parent.child(index.row(), 2)
        unread_cell.setText(str(unread) if unread else "")
        total_cell.setText(str(count))
        unread_cell.setToolTip(count_tip(unread, count, "unread"))
        total_cell.setToolTip(count_tip(unread, count, "total"))

    def tag_index(self, name: str) -> QModelIndex:
        key = name.casefold()
        stack = [self._tags_root]
        while stack:
            parent = stack.pop()
            for row in range(parent.rowCount()):
                item = parent.child(row, 0)
                spec = item.data(SpecRole)
                if spec and spec.tag.casefold() == key:
                    return item.index()
                stack.append(item)
        return QModelIndex()

    def set_view_count(self, kind: str, count: int, unread: int | None = None) -> None:
        index = self.view_index(kind)
        if index.isValid():
            unread_cell = self._views_root.child(index.row(), 1)
            total_cell = self._views_root.child(index.row(), 2)
            unread_cell.setText(str(unread) if unread else "")
            total_cell.setText(str(count))
            unread_cell.setToolTip(count_tip(unread or 0, count, "unread"))
            total_cell.setToolTip(count_tip(unread or 0, count, "total"))

    def set_tags(
        self, tags: list[Tag], totals: dict[str, tuple[int, int]], order: str = "name"
    ) -> None:
        """Rebuild the tag tree; parents that are not tags themselves are still shown."""
        self._tags_root.removeRows(0, self._tags_root.rowCount())
        names = {t.name.casefold(): t for t in tags}
        all_paths: dict[str, str] = {}
        for t in tags:
            parts = t.name.split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                all_paths.setdefault(path.casefold(), path)

        def sort_key(path: str) -> tuple:
            count = totals.get(path.casefold(), (0, 0))[0]
            leaf = path.split("/")[-1].casefold()
            return (-count, leaf) if order == "count" else (leaf,)

        items: dict[str, QStandardItem] = {}
        for key in sorted(all_paths, key=lambda k: (k.count("/"), sort_key(all_paths[k]))):
            path = all_paths[key]
            parent_key = key.rsplit("/", 1)[0] if "/" in key else None
            parent = items[parent_key] if parent_key else self._tags_root
            tag = names.get(key)
            leaf = path.split("/")[-1]
            # A favourite shows the key that toggles it on the selected papers.
            name = QStandardItem(f"{leaf}  [{tag.favourite}]" if tag and tag.favourite else leaf)
            name.setData(ViewSpec("tag", path), SpecRole)
            name.setToolTip(
                rich_safe(
                    f"{path} (favourite: key {tag.favourite})" if tag and tag.favourite else path
                )
            )
            name.setData(tag.color if tag else None, TagColorRole)
            self._color_tag(name)
            flags = (
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDropEnabled
            )
            name.setFlags(flags)
            total, unread = totals.get(key, (0, 0))
            parent.appendRow(
                [name, *_count_items(str(unread) if unread else "", str(total), flags)]
            )
            items[key] = name
        # The header counts the rows under it (a parent like "llm" of "llm/rl" is a row).
        self._tags_root.setText(f"Tags ({len(all_paths)})" if all_paths else "Tags")
        self.apply_badges()  # followed tags keep their news through the rebuild

    def set_background(self, color: str) -> None:
        """The view's background changed (a theme): colour the tag names to read on it."""
        if color == self.background:
            return
        self.background = color
        stack = [self._tags_root]
        while stack:
            parent = stack.pop()
            for row in range(parent.rowCount()):
                item = parent.child(row, 0)
                self._color_tag(item)
                stack.append(item)

    def _color_tag(self, item: QStandardItem) -> None:
        """A tag's name in its colour, shaded if need be to read at 4.5:1 on the background
        (the colour the user chose stays as chosen in the library)."""
        spec = item.data(SpecRole)
        color = tag_text_color(spec.tag, item.data(TagColorRole), self.background)
        item.setForeground(QBrush(QColor(color)))

    # -- drag and drop ------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [PAPER_IDS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction | Qt.DropAction.MoveAction

    def _drop_tag(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> str | None:
        target = (
            self.index(row, 0, parent) if row >= 0 else self.index(parent.row(), 0, parent.parent())
        )
        spec = target.data(SpecRole) if target.isValid() else None
        return spec.tag if spec and spec.kind == "tag" else None

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return data.hasFormat(PAPER_IDS_MIME) and self._drop_tag(row, parent) is not None

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        tag = self._drop_tag(row, parent)
        if tag is None or not data.hasFormat(PAPER_IDS_MIME):
            return False
        ids = [i for i in bytes(data.data(PAPER_IDS_MIME).data()).decode().split("\n") if i]
        if ids:
            self.papersDropped.emit(ids, tag)
        return False  # nothing is inserted into this model


def count_tip(unread: int, total: int, which: str) -> str:
    """The tooltip that says what a number column is (bold: unread; plain: all papers)."""
    papers = f"{total:,} paper{'s' if total != 1 else ''}"
    if which == "unread":
        return f"Bold: {unread:,} unread (of {papers})"
    return f"{papers} in all ({unread:,} unread, the bold number)"


def _count_items(unread: str, total: str, flags: Qt.ItemFlag) -> list[QStandardItem]:
    """The unread (bold) and total cells of a row, right-aligned."""
    cells = []
    n_unread, n_total = int(unread or 0), int(total or 0)
    for text, bold in ((unread, True), (total, False)):
        item = QStandardItem(text)
        if total:
            item.setToolTip(count_tip(n_unread, n_total, "unread" if bold else "total"))
        item.setFlags(flags)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if bold:
            font = QFont()
            font.setBold(True)
            item.setFont(font)
        cells.append(item)
    return cells


class Sidebar(QTreeView):
    """The tree view over :class:`SidebarModel`.

    Signals:
        viewSelected(object): the ViewSpec the user picked.
    """

    viewSelected = Signal(object)
    tagsSelected = Signal(list)

    def __init__(self, model: SidebarModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        # Ctrl-click several tags to see papers with all (or any) of them.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.collapsed_tags: set[str] = set()  # what the user folded, kept across rebuilds
        self.collapsed.connect(self.on_collapsed)
        self.expanded.connect(self.on_expanded)
        self.restore_expansion()
        self.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        model.set_background(self.palette().color(QPalette.ColorRole.Base).name())

    def changeEvent(self, event: QEvent) -> None:
        """A new theme recolours the tag names for the new background."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            model: SidebarModel = self.model()  # type: ignore[assignment]
            model.set_background(self.palette().color(QPalette.ColorRole.Base).name())

    def restore_expansion(self) -> None:
        """Expand everything except the tags the user collapsed (after the tree is rebuilt)."""
        model: SidebarModel = self.model()  # type: ignore[assignment]
        self.blockSignals(True)
        self.expandAll()
        for key in self.collapsed_tags:
            index = model.tag_index(key)
            if index.isValid():
                self.collapse(index)
        self.blockSignals(False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A right-click opens the row's menu without switching the view to that row."""
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            return
        super().mousePressEvent(event)

    @Slot(QModelIndex)
    def on_collapsed(self, index: QModelIndex) -> None:
        spec = index.siblingAtColumn(0).data(SpecRole)
        if spec is not None and spec.kind == "tag":
            self.collapsed_tags.add(spec.tag.casefold())

    @Slot(QModelIndex)
    def on_expanded(self, index: QModelIndex) -> None:
        spec = index.siblingAtColumn(0).data(SpecRole)
        if spec is not None and spec.kind == "tag":
            self.collapsed_tags.discard(spec.tag.casefold())

    def selected_tags(self) -> list[str]:
        names = []
        for index in self.selectionModel().selectedRows(0):
            spec = index.data(SpecRole)
            if spec is not None and spec.kind == "tag":
                names.append(spec.tag)
        return names

    @Slot()
    def on_selection_changed(self, *_args: object) -> None:
        tags = self.selected_tags()
        if len(tags) > 1:
            self.tagsSelected.emit(tags)

    def current_spec(self) -> ViewSpec | None:
        index = self.currentIndex().siblingAtColumn(0)
        return index.data(SpecRole) if index.isValid() else None

    def show_spec(self, spec: ViewSpec) -> None:
        """Highlight ``spec``'s row(s) without announcing a view change."""
        model: SidebarModel = self.model()  # type: ignore[assignment]
        names = spec.tags if spec.kind == "tags" else (spec.tag,) if spec.kind == "tag" else ()
        indexes = [model.tag_index(n) for n in names] if names else [model.spec_index(spec)]
        indexes = [i for i in indexes if i.isValid()]
        selection = self.selectionModel()
        selection.blockSignals(True)
        try:
            flags = QItemSelectionModel.SelectionFlag
            selection.clearSelection()
            for i, index in enumerate(indexes):
                if i == 0:
                    selection.setCurrentIndex(index, flags.NoUpdate)
                selection.select(index, flags.Select | flags.Rows)
        finally:
            selection.blockSignals(False)
        self.viewport().update()

    def select_spec(self, spec: ViewSpec) -> None:
        model: SidebarModel = self.model()  # type: ignore[assignment]
        index = model.spec_index(spec)
        if index.isValid():
            self.setCurrentIndex(index)

    @Slot(QModelIndex, QModelIndex)
    def on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        spec = current.siblingAtColumn(0).data(SpecRole) if current.isValid() else None
        if spec is not None:
            self.viewSelected.emit(spec)
