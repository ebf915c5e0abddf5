"""Tagging and tag management: the tag picker, favourite keys, the tag menus, and rename /
merge / delete / colour through the undo stack.

A non-widget QObject (qutebrowser's habit): it is given the repository, the editor (undo) and
a way to read the selection, and says what happened by signals the window lays out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPoint, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QColorDialog, QMenu, QWidget

from desktop_app.domain import FeedQuery
from desktop_app.errors import AppError
from desktop_app.store import Repository
from desktop_app.store.tags import MAX_FAVOURITES
from desktop_app.ui import ask
from desktop_app.ui.actions import bound, menu_text
from desktop_app.ui.dialogs import TagPicker
from desktop_app.ui.editor import Editor
from desktop_app.ui.feed_delegate import tag_color
from desktop_app.ui.sidebar import Sidebar, SpecRole
from desktop_app.ui.undo import (
    DeleteTagCommand,
    FavouritesCommand,
    MergeTagsCommand,
    RenameTagCommand,
    TagColorCommand,
    TagPapersCommand,
)


class TagController(QObject):
    """Everything the window does with tags.

    Signals:
        message(str): a short note for the status bar.
        renamed(str, str): a tag (and its sub-tags) was renamed from the first to the second
            name, by an edit or its undo: views showing it should follow.
        deleted(str): a tag and its sub-tags are gone.
        orderChanged(): the sidebar's tag order (by name, by count) changed.
    """

    message = Signal(str)
    renamed = Signal(str, str)
    deleted = Signal(str)
    orderChanged = Signal()

    def __init__(
        self,
        repo: Repository,
        editor: Editor,
        selection: Callable[[], list[str]],
        parent_widget: QWidget,
        tag_colors: Callable[[], dict[str, str | None]],
        suggest: Callable[[str, Callable[[Any], None]], object] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.repo = repo
        self.editor = editor
        self._selection = selection
        self._widget = parent_widget
        self._tag_colors = tag_colors
        self._suggest = suggest  # (paper id, on_done): the interest model's tags, in the worker
        self.tag_order = "name"
        self.context_menu: QMenu | None = None  # the last one shown (tests read it)

    # ------------------------------------------------------------------ tagging
    def tag_selection(self, add: list[str], remove: list[str] | None = None) -> None:
        ids = self._selection()
        if ids and (add or remove):
            self.editor.run(
                TagPapersCommand(self.repo, ids, add, remove or [], self.editor.refresh)
            )

    @Slot()
    def on_tag_picker_triggered(self) -> None:
        ids = self._selection()
        if not ids:
            return
        flags = self.repo.flags(ids)
        carried: dict[str, tuple[str, int]] = {}
        for f in flags.values():
            for name in f[3]:
                shown, n = carried.get(name.casefold(), (name, 0))
                carried[name.casefold()] = (shown, n + 1)
        current = [
            (shown, n == len(flags))
            for shown, n in sorted(carried.values(), key=lambda c: c[0].casefold())
        ]
        picker = TagPicker(
            [t.name for t in self.repo.tags()], len(ids), self._widget, current=current
        )
        if self._suggest is not None and len(ids) == 1:

            def offer(result: Any) -> None:
                if picker.isVisible():
                    picker.set_suggestions(result.tags)

            self._suggest(ids[0], offer)
        if picker.exec():
            self.tag_selection(picker.tags(), picker.removed())

    def toggle_tag(self, name: str) -> None:
        """Add ``name`` to the selection, or remove it when every selected paper has it."""
        flags = self.repo.flags(self._selection())
        if not flags:
            return
        have = all(name.casefold() in (t.casefold() for t in f[3]) for f in flags.values())
        if have:
            self.tag_selection([], [name])
        else:
            self.tag_selection([name])

    def quick_tag(self, number: int) -> None:
        name = self.favourites.get(number)
        if name is not None:
            self.toggle_tag(name)
        else:
            self.message.emit(
                f"No favourite tag {number}: right-click a tag in the sidebar to make it one."
            )

    # ------------------------------------------------------------------ menus
    def fill_favourites_menu(self, menu: QMenu) -> None:
        """The Paper ▸ Favourite tags menu, as it is now."""
        menu.clear()
        if not self.favourites:
            act = menu.addAction("Right-click a tag in the sidebar to add one")
            act.setEnabled(False)
        for n, name in self.favourites.items():
            act = menu.addAction(f"{n}  {menu_text(name)}")
            act.triggered.connect(bound(self.quick_tag, n))

    def add_paper_menus(self, menu: QMenu) -> None:
        """The tag parts of the feed's context menu: favourites and removing present tags."""
        flags = self.repo.flags(self._selection())
        if self.favourites:
            fav = menu.addMenu("Favourite tags")
            for n, name in self.favourites.items():
                act = fav.addAction(f"{n}  {menu_text(name)}")
                act.triggered.connect(bound(self.toggle_tag, name))
        present = sorted({t for f in flags.values() for t in f[3]}, key=str.casefold)
        if present:
            rm = menu.addMenu("Remove tag")
            for name in present:
                act = rm.addAction(menu_text(name))
                act.triggered.connect(bound(self.tag_selection, [], [name]))

    def show_sidebar_menu(
        self,
        sidebar: Sidebar,
        pos: QPoint,
        new_tag: Any,
        more: Callable[[QMenu], None] | None = None,
    ) -> None:
        """The sidebar's context menu at ``pos`` (tag actions on a tag row; ``more`` adds
        the entries of others, such as following the tag)."""
        spec = sidebar.indexAt(pos).siblingAtColumn(0).data(SpecRole)
        menu = QMenu(self._widget)
        menu.addAction(new_tag)
        if spec is not None and spec.kind == "tag":
            name = spec.tag
            menu.addAction("Rename…").triggered.connect(bound(self.rename_tag_dialog, name))
            menu.addAction("Merge into…").triggered.connect(bound(self.merge_tag_dialog, name))
            menu.addAction("Colour…").triggered.connect(bound(self.colour_tag_dialog, name))
            if name.casefold() in (f.casefold() for f in self.favourites.values()):
                menu.addAction("Remove from favourites").triggered.connect(
                    bound(self.set_favourite, name, False)
                )
            else:
                menu.addAction("Make favourite (keys 1–9)").triggered.connect(
                    bound(self.set_favourite, name, True)
                )
            if more is not None:
                more(menu)
            menu.addSeparator()
            menu.addAction("Delete…").triggered.connect(bound(self.delete_tag_confirm, name))
        menu.addSeparator()
        order = menu.addMenu("Sort tags")
        for label, value in (("By name", "name"), ("By paper count", "count")):
            act = order.addAction(label)
            act.setCheckable(True)
            act.setChecked(self.tag_order == value)
            act.triggered.connect(bound(self.set_tag_order, value))
        self.context_menu = menu
        menu.popup(sidebar.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ tag management
    @Slot()
    def on_new_tag_triggered(self) -> None:
        name = ask.ask_text(self._widget, "New tag", "Name (use / for a sub-tag, e.g. ml/pruning):")
        if name and name.strip():
            try:  # an empty tag changes no paper: not an undo step of its own
                self.repo.create_tag(name)
            except AppError as exc:
                self.editor.failed.emit(str(exc))
            self.editor.tagsChanged.emit()

    def rename_tag_dialog(self, name: str) -> None:
        new = ask.ask_text(self._widget, "Rename tag", f"New name for “{name}”:", text=name)
        if new and new.strip() and new.strip() != name:
            self.rename_tag(name, new.strip())

    def rename_tag(self, old: str, new: str) -> None:
        self.editor.run(
            lambda: RenameTagCommand(self.repo, old, new, self.editor.refresh, self.renamed.emit)
        )

    def merge_tag_dialog(self, name: str) -> None:
        others = [t.name for t in self.repo.tags() if t.name.casefold() != name.casefold()]
        target = ask.ask_item(self._widget, "Merge tag", f"Merge “{name}” into:", others)
        if target and target.strip():
            self.merge_tags(name, target.strip())

    def merge_tags(self, source: str, target: str) -> None:
        self.editor.run(lambda: MergeTagsCommand(self.repo, source, target, self.editor.refresh))

    def delete_tag_confirm(self, name: str) -> None:
        """Delete a tag and its sub-tags, after asking."""
        count = self.repo.count(FeedQuery(tags=(name,)))
        if ask.confirm(
            self._widget,
            "Delete tag",
            f"Delete the tag “{name}” and its sub-tags? {count} paper(s) lose it; the "
            "papers stay in the library. You can undo this with Ctrl+Z.",
            action="Delete",
        ):
            self.delete_tag(name)

    def delete_tag(self, name: str) -> None:
        if self.editor.run(lambda: DeleteTagCommand(self.repo, name, self.editor.refresh)):
            self.deleted.emit(name)

    def colour_tag_dialog(self, name: str) -> None:
        # The dialog opens on the tag's own colour, or the palette shade it is shown in.
        background = self._widget.palette().color(QPalette.ColorRole.Base).name()
        current = tag_color(name, self._tag_colors().get(name.casefold()), background)
        color = QColorDialog.getColor(current, self._widget, f"Colour of “{name}”")
        if color.isValid():
            self.set_tag_colour(name, color.name())

    def set_tag_colour(self, name: str, color: str | None) -> None:
        self.editor.run(lambda: TagColorCommand(self.repo, name, color, self.editor.refresh))

    @property
    def favourites(self) -> dict[int, str]:
        """The favourite tags by key (1–9), kept in the library."""
        return self.repo.favourite_tags()

    def set_favourite(self, name: str, on: bool) -> None:
        """Give ``name`` the lowest free key, or take its key away; other keys stay."""
        favourites = {k: f for k, f in self.favourites.items() if f.casefold() != name.casefold()}
        if on:
            free = [k for k in range(1, MAX_FAVOURITES + 1) if k not in favourites]
            if not free:
                self.message.emit("Nine favourites already: remove one first.")
                return
            favourites[free[0]] = name
        text = f"{'Make' if on else 'Remove'} favourite {name}"
        self.editor.run(FavouritesCommand(self.repo, favourites, text, self.editor.refresh_tags))

    def set_tag_order(self, order: str) -> None:
        self.tag_order = order
        self.orderChanged.emit()
