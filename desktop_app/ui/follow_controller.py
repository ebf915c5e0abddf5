"""Saved searches and following in the window: save the search shown, edit, rename and
delete saved searches, follow or stop following a saved search, a tag, an author or an
organization — every change undoable, through the editor.

A non-widget QObject like the tag controller: it is given the repository, the editor and a
way to read the window's state, and says what happened by signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMenu,
    QSpinBox,
    QWidget,
)

from desktop_app.domain import Paper, SavedSearch, Sort
from desktop_app.errors import AppError
from desktop_app.library.views import ViewSpec, spec_follow
from desktop_app.store import Repository
from desktop_app.ui import ask
from desktop_app.ui.actions import bound, menu_text
from desktop_app.ui.editor import Editor
from desktop_app.ui.undo import CallEdit

SORTS = (
    ("Newest", Sort.DATE),
    ("Most upvoted", Sort.UPVOTES),
    ("Relevance", Sort.RELEVANCE),
    ("Rank on its day", Sort.RANK),
)
KIND_WORDS = {"search": "search", "tag": "tag", "author": "author", "org": "organization"}


class SavedSearchDialog(QDialog):
    """A saved search's name and query, edited."""

    def __init__(self, search: SavedSearch, parent: Any = None, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or "Saved search")
        self.name = QLineEdit(search.name)
        self.name.setObjectName("searchName")
        self.text = QLineEdit(search.text)
        self.text.setPlaceholderText('words, "a phrase", -excluded — empty: every paper')
        self.tags = QLineEdit(", ".join(search.tags))
        self.tags.setPlaceholderText("tags, separated by commas (sub-tags included)")
        self.any_tag = QCheckBox("Any of these tags (not all)")
        self.any_tag.setChecked(search.tag_mode == "any")
        self.unread = QCheckBox("Unread only")
        self.unread.setChecked(search.unread)
        self.starred = QCheckBox("Starred only")
        self.starred.setChecked(search.starred)
        self.saved = QCheckBox("In the library only")
        self.saved.setChecked(search.saved)
        self.days = QSpinBox()
        self.days.setRange(0, 3650)
        self.days.setSpecialValueText("any time")
        self.days.setSuffix(" days")
        self.days.setValue(search.days or 0)
        self.sort = QComboBox()
        for label, sort in SORTS:
            self.sort.addItem(label, sort.value)
        sorts = [s for _, s in SORTS]
        self.sort.setCurrentIndex(sorts.index(search.sort) if search.sort in sorts else 0)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Words", self.text)
        form.addRow("Tags", self.tags)
        form.addRow("", self.any_tag)
        form.addRow("", self.unread)
        form.addRow("", self.starred)
        form.addRow("", self.saved)
        form.addRow("Published in the last", self.days)
        form.addRow("Sort", self.sort)
        buttons = ask.ok_cancel(self)
        form.addRow(buttons)
        self._id = search.id
        self.resize(460, self.sizeHint().height())

    def result_search(self) -> SavedSearch:
        return SavedSearch(
            name=self.name.text().strip(),
            text=self.text.text().strip(),
            tags=tuple(t.strip() for t in self.tags.text().split(",") if t.strip()),
            tag_mode="any" if self.any_tag.isChecked() else "all",
            unread=self.unread.isChecked(),
            starred=self.starred.isChecked(),
            saved=self.saved.isChecked(),
            days=self.days.value() or None,
            sort=Sort(self.sort.currentData()),
            id=self._id,
        )


class FollowController(QObject):
    """Everything the window does with saved searches and followed items.

    Signals:
        show(object): show this ViewSpec (a search just saved).
        message(str): a short note for the status bar.
        searchDeleted(str): a saved search is gone (a view showing it should move on).
        searchRenamed(str, str): a saved search has a new name (a view showing it follows).
    """

    show = Signal(object)
    message = Signal(str)
    searchDeleted = Signal(str)
    searchRenamed = Signal(str, str)

    def __init__(
        self,
        repo: Repository,
        editor: Editor,
        current: Callable[[], SavedSearch],
        parent_widget: QWidget,
    ) -> None:
        super().__init__(parent_widget)
        self.repo = repo
        self.editor = editor
        self._current = current
        self._widget = parent_widget
        self.context_menu: QMenu | None = None  # the last one built (tests read it)

    # ------------------------------------------------------------------ saved searches
    def on_save_search_triggered(self) -> None:
        """View ▸ Save search…: the search and filters shown now, under a name."""
        dialog = SavedSearchDialog(self._current(), self._widget, "Save search")
        if not dialog.exec():
            return
        search = replace(dialog.result_search(), id=None)
        store = self.repo.follows_store
        if self.editor.run(
            lambda: CallEdit(
                f"Save search {search.name}",
                lambda: store.save_search(search),
                lambda: store.remove_search(search.name),
                self.editor.refresh,
            )
        ):
            self.show.emit(ViewSpec("smart", name=search.name))

    def edit_search(self, name: str) -> None:
        store = self.repo.follows_store
        try:
            before = store.search(name)
        except AppError as exc:
            self.message.emit(str(exc))
            return
        dialog = SavedSearchDialog(before, self._widget, f"Edit “{name}”")
        if not dialog.exec():
            return
        after = dialog.result_search()

        def change(old: SavedSearch, new: SavedSearch) -> None:
            if new.name != old.name:
                store.rename_search(old.name, new.name)
                self.searchRenamed.emit(old.name, new.name)
            store.save_search(new, replace_existing=True)

        if self.editor.run(
            lambda: CallEdit(
                f"Edit search {after.name}",
                lambda: change(before, after),
                lambda: change(after, before),
                self.editor.refresh,
            )
        ):
            self.show.emit(ViewSpec("smart", name=after.name))

    def rename_search(self, name: str) -> None:
        new = ask.ask_text(
            self._widget, "Rename saved search", f"New name for “{name}”:", text=name
        )
        if not new or not new.strip() or new.strip() == name:
            return
        store = self.repo.follows_store
        new = new.strip()

        def rename(old: str, to: str) -> None:
            store.rename_search(old, to)
            self.searchRenamed.emit(old, to)

        self.editor.run(
            lambda: CallEdit(
                f"Rename search {name}",
                lambda: rename(name, new),
                lambda: rename(new, name),
                self.editor.refresh,
            )
        )

    def delete_search(self, name: str) -> None:
        """Delete a saved search (and its follow); Ctrl+Z brings both back."""
        store = self.repo.follows_store
        kept: list[Any] = []

        def remove() -> None:
            kept[:] = [store.remove_search(name)]

        def restore() -> None:
            search, follows = kept[0]
            store.restore_search(search, follows)

        if self.editor.run(
            lambda: CallEdit(f"Delete search {name}", remove, restore, self.editor.refresh)
        ):
            self.searchDeleted.emit(name)

    # ------------------------------------------------------------------ following
    def is_followed(self, kind: str, target: str) -> bool:
        key = (kind, target.casefold())
        return any((f.kind, f.target.casefold()) == key for f in self.repo.follows())

    def set_followed(self, kind: str, target: str, on: bool) -> None:
        store = self.repo.follows_store
        word = KIND_WORDS[kind]
        if on:
            text = f"Follow {word} {target}"
            edit = CallEdit(
                text,
                lambda: store.add_follow(kind, target),
                lambda: store.remove_follow(kind, target),
                self.editor.refresh,
            )
        else:
            kept: list[tuple[str, str, str] | None] = [None]

            def stop() -> None:
                kept[0] = store.remove_follow(kind, target)

            def restore() -> None:
                if kept[0] is not None:
                    store.restore_follow(kind, target, kept[0])

            text = f"Stop following {word} {target}"
            edit = CallEdit(text, stop, restore, self.editor.refresh)
        if self.editor.run(edit) and on:
            self.message.emit(
                f"Following the {word} “{target}”: new papers that match it are counted after "
                "each refresh and announced."
            )

    def add_sidebar_items(self, menu: QMenu, spec: ViewSpec | None) -> None:
        """The sidebar menu's entries for a saved search, a tag or a followed item."""
        target = spec_follow(spec) if spec is not None else None
        if spec is not None and spec.kind == "smart":
            name = spec.name
            menu.addAction("Edit…").triggered.connect(bound(self.edit_search, name))
            menu.addAction("Rename…").triggered.connect(bound(self.rename_search, name))
            menu.addAction("Delete").triggered.connect(bound(self.delete_search, name))
        if target is not None:
            kind, name = target
            on = self.is_followed(kind, name)
            label = (
                f"Stop following “{menu_text(name)}”" if on else "Follow (tell me of new papers)"
            )
            menu.addAction(label).triggered.connect(bound(self.set_followed, kind, name, not on))

    def add_paper_items(self, menu: QMenu, paper: Paper | None) -> None:
        """The list menu's Follow ▸ the paper's authors and organization."""
        if paper is None or not (paper.authors or paper.organization):
            return
        sub = menu.addMenu("Follow")
        if paper.organization:
            org = paper.organization
            on = self.is_followed("org", org)
            act = sub.addAction(("✓ " if on else "") + f"Organization {menu_text(org)}")
            act.triggered.connect(bound(self.set_followed, "org", org, not on))
        for author in paper.authors[:12]:
            on = self.is_followed("author", author)
            act = sub.addAction(("✓ " if on else "") + menu_text(author))
            act.triggered.connect(bound(self.set_followed, "author", author, not on))
        self.context_menu = menu
