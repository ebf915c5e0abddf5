"""Tagging and tag management for the main window: the tag picker, favourite keys,
context menus, and rename / merge / delete / colour through the undo stack.

A mixin of :class:`~desktop_app.ui.main_window.MainWindow`: it uses the window's repository,
feed, sidebar, undo machinery (``run_edit``) and message bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QApplication, QColorDialog, QMenu

from desktop_app.domain import FeedQuery
from desktop_app.library.views import ViewSpec
from desktop_app.store.tags import MAX_FAVOURITES
from desktop_app.ui import ask
from desktop_app.ui.actions import bound, menu_text
from desktop_app.ui.dialogs import TagPicker
from desktop_app.ui.undo import (
    DeleteTagCommand,
    FavouritesCommand,
    MergeTagsCommand,
    RenameTagCommand,
    TagColorCommand,
    TagPapersCommand,
)


class TagActions:
    """Tag-related actions of the main window."""

    # ------------------------------------------------------------------ tagging
    def tag_selection(self, add: list[str], remove: list[str] = ()) -> None:  # type: ignore[assignment]
        ids = self.selected_ids()
        if ids and (add or remove):
            self.run_edit(TagPapersCommand(self.repo, ids, add, list(remove), self.after_edit))

    @Slot()
    def on_tag_picker_triggered(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        picker = TagPicker([t.name for t in self.repo.tags()], len(ids), self)
        if picker.exec() and picker.tags():
            self.tag_selection(picker.tags())

    def toggle_tag(self, name: str) -> None:
        """Add ``name`` to the selection, or remove it when every selected paper has it."""
        flags = self.repo.flags(self.selected_ids())
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
            self.statusBar().showMessage(
                f"No favourite tag {number}: right-click a tag in the sidebar to make it one.",
                5000,
            )

    # ------------------------------------------------------------------ menus
    @Slot()
    def on_quick_menu_about_to_show(self) -> None:
        self.quick_menu.clear()
        if not self.favourites:
            act = self.quick_menu.addAction("Right-click a tag in the sidebar to add one")
            act.setEnabled(False)
        for n, name in self.favourites.items():
            act = self.quick_menu.addAction(f"{n}  {menu_text(name)}")
            act.triggered.connect(bound(self.quick_tag, n))

    @Slot(object)
    def on_feed_context_menu(self, pos: Any) -> None:
        if not self.selected_ids():
            return
        menu = QMenu(self)
        for a in (
            self.open_action,
            self.open_pdf_action,
            self.copy_link_action,
            self.copy_bib_action,
        ):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.read_action, self.star_action, self.save_action):
            menu.addAction(a)
        menu.addAction(self.delete_action)
        menu.addSeparator()
        menu.addAction(self.tag_action)
        flags = self.repo.flags(self.selected_ids())
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
        self.context_menu = menu  # kept for tests
        menu.popup(self.feed.viewport().mapToGlobal(pos))

    @Slot(object)
    def on_sidebar_context_menu(self, pos: Any) -> None:
        spec = self.sidebar.indexAt(pos).siblingAtColumn(0).data(Qt.ItemDataRole.UserRole + 10)
        menu = QMenu(self)
        menu.addAction(self.new_tag_action)
        if spec is not None and spec.kind == "tag":
            name = spec.tag
            menu.addAction("Rename…").triggered.connect(lambda: self.rename_tag_dialog(name))
            menu.addAction("Merge into…").triggered.connect(lambda: self.merge_tag_dialog(name))
            menu.addAction("Colour…").triggered.connect(lambda: self.colour_tag_dialog(name))
            if name.casefold() in (f.casefold() for f in self.favourites.values()):
                menu.addAction("Remove from favourites").triggered.connect(
                    lambda: self.set_favourite(name, False)
                )
            else:
                menu.addAction("Make favourite (keys 1–9)").triggered.connect(
                    lambda: self.set_favourite(name, True)
                )
            menu.addSeparator()
            menu.addAction("Delete…").triggered.connect(lambda: self.delete_tag_confirm(name))
        menu.addSeparator()
        order = menu.addMenu("Sort tags")
        for label, value in (("By name", "name"), ("By paper count", "count")):
            act = order.addAction(label)
            act.setCheckable(True)
            act.setChecked(self.tag_order == value)
            act.triggered.connect(bound(self.set_tag_order, value))
        self.context_menu = menu
        menu.popup(self.sidebar.viewport().mapToGlobal(pos))

    @Slot(list)
    def on_sidebar_tags_selected(self, names: list[str]) -> None:
        self.show_view(ViewSpec("tags", tags=tuple(names)))

    @Slot(int)
    def on_tag_mode_changed(self, _index: int) -> None:
        if self.spec.kind == "tags":
            self.show_view(self.spec)

    @Slot()
    def on_copy_link_triggered(self) -> None:
        papers = self.repo.get_many(self.selected_ids())
        links = [p.arxiv_url or p.id for p in papers]
        if links:
            QApplication.clipboard().setText("\n".join(links))
            self.statusBar().showMessage(f"Copied {len(links)} link(s).", 3000)

    # ------------------------------------------------------------------ tag management
    @Slot()
    def on_new_tag_triggered(self) -> None:
        name = ask.ask_text(self, "New tag", "Name (use / for a sub-tag, e.g. ml/pruning):")
        if name and name.strip():
            try:
                self.repo.create_tag(name)
            except Exception as exc:
                self.show_error(exc)
            self.refresh_sidebar()

    def rename_tag_dialog(self, name: str) -> None:
        new = ask.ask_text(self, "Rename tag", f"New name for “{name}”:", text=name)
        if new and new.strip() and new.strip() != name:
            self.rename_tag(name, new.strip())

    def rename_tag(self, old: str, new: str) -> None:
        self.run_edit(
            lambda: RenameTagCommand(self.repo, old, new, self.after_edit, self.follow_rename)
        )

    def follow_rename(self, old: str, new: str) -> None:
        """Point favourites and the shown view at the renamed tags (sub-tags included)."""

        def rebase(name: str) -> str:
            key = old.casefold()
            if name.casefold() == key or name.casefold().startswith(key + "/"):
                return new + name[len(old) :]
            return name

        if self.spec.kind == "tag":
            self.spec = ViewSpec("tag", rebase(self.spec.tag))
        elif self.spec.kind == "tags":
            self.spec = ViewSpec("tags", tags=tuple(rebase(t) for t in self.spec.tags))

    def merge_tag_dialog(self, name: str) -> None:
        others = [t.name for t in self.repo.tags() if t.name.casefold() != name.casefold()]
        target = ask.ask_item(self, "Merge tag", f"Merge “{name}” into:", others)
        if target and target.strip():
            self.merge_tags(name, target.strip())

    def merge_tags(self, source: str, target: str) -> None:
        self.run_edit(lambda: MergeTagsCommand(self.repo, source, target, self.after_edit))

    def delete_tag_confirm(self, name: str) -> None:
        """Delete a tag and its sub-tags, after asking."""
        count = self.repo.count(FeedQuery(tags=(name,)))
        if ask.confirm(
            self,
            "Delete tag",
            f"Delete the tag “{name}” and its sub-tags? {count} paper(s) lose it; the "
            "papers stay in the library. You can undo this with Ctrl+Z.",
            action="Delete",
        ):
            self.delete_tag(name)

    def delete_tag(self, name: str) -> None:
        if self.run_edit(lambda: DeleteTagCommand(self.repo, name, self.after_edit)):
            key = name.casefold()
            if self.spec.kind == "tag" and (
                self.spec.tag.casefold() == key or self.spec.tag.casefold().startswith(key + "/")
            ):
                self.sidebar.select_spec(ViewSpec("all"))

    def colour_tag_dialog(self, name: str) -> None:
        from desktop_app.ui.feed_delegate import tag_color

        current = tag_color(name, self.delegate.tag_colors.get(name.casefold()))
        color = QColorDialog.getColor(current, self, f"Colour of “{name}”")
        if color.isValid():
            self.set_tag_colour(name, color.name())

    def set_tag_colour(self, name: str, color: str | None) -> None:
        self.run_edit(lambda: TagColorCommand(self.repo, name, color, self.after_edit))

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
                self.statusBar().showMessage("Nine favourites already: remove one first.", 5000)
                return
            favourites[free[0]] = name
        text = f"{'Make' if on else 'Remove'} favourite {name}"
        self.run_edit(FavouritesCommand(self.repo, favourites, text, self.refresh_tags))

    def refresh_tags(self, _ids: list[str]) -> None:
        """After an edit that changes the tag list's looks but no paper."""
        self.refresh_sidebar()

    def set_tag_order(self, order: str) -> None:
        self.tag_order = order
        self.refresh_sidebar()
