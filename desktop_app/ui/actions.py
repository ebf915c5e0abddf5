"""The window's actions and menus, built in one place from the slots they trigger.

``QAction.triggered`` carries a ``checked`` flag, and PySide passes it to any slot that can
take it: a slot with an optional parameter (``def on_delete(self, confirm=True)``) would get
``confirm=False``. Slots connected to actions therefore take no optional parameters; where an
action needs an argument, :func:`bound` makes a slot that takes none (tests/test_actions.py
checks every connection).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

Slot = Callable[[], Any]


def bound(fn: Callable[..., Any], *args: Any) -> Callable[[], None]:
    """A slot without parameters that calls ``fn(*args)``."""

    def slot() -> None:
        fn(*args)

    return slot


def menu_text(name: str) -> str:
    """A user's text (a tag name) as a menu item's text: ``&`` is shown, not a shortcut."""
    return name.replace("&", "&&")


def keys(*sequences: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    """Key sequences, without the standard ones this platform leaves empty (Linux has no
    standard Preferences key)."""
    out: list[QKeySequence] = []
    for sequence in sequences:
        if isinstance(sequence, QKeySequence.StandardKey):
            out += [k for k in QKeySequence.keyBindings(sequence) if not k.isEmpty()]
        else:
            out.append(QKeySequence(sequence))
    return out


@dataclass(frozen=True)
class Slots:
    """What each action does (all slots without parameters)."""

    open: Slot
    open_pdf: Slot
    open_pdf_elsewhere: Slot
    toggle_read: Slot
    toggle_star: Slot
    toggle_saved: Slot
    next_paper: Slot
    previous_paper: Slot
    page_abstract: Slot
    delete: Slot
    mark_all_read: Slot
    find: Slot
    about: Slot
    diagnostics: Slot
    preferences: Slot
    quit: Slot
    add_paper: Slot
    today: Slot
    refresh: Slot
    previous_day: Slot
    next_day: Slot
    tag: Slot
    quick_tag: Callable[[int], Slot]
    copy_link: Slot
    new_tag: Slot
    export: Slot
    import_: Slot
    copy_bibtex: Slot
    keep_exported: Slot
    find_published: Slot
    shortcuts: Slot
    save_search: Slot
    not_interested: Slot


@dataclass
class Actions:
    """Every action of the window."""

    open: QAction
    open_pdf: QAction
    open_pdf_elsewhere: QAction
    read: QAction
    star: QAction
    save: QAction
    down: QAction
    up: QAction
    page: QAction
    delete: QAction
    mark_all: QAction
    find: QAction
    about: QAction
    diagnostics: QAction
    prefs: QAction
    quit: QAction
    add: QAction
    today: QAction
    refresh: QAction
    prev: QAction
    next: QAction
    tag: QAction
    undo: QAction
    redo: QAction
    copy_link: QAction
    new_tag: QAction
    export: QAction
    import_: QAction
    copy_bib: QAction
    keep_exported: QAction
    find_published: QAction
    shortcuts: QAction
    save_search: QAction
    not_interested: QAction
    quick: list[QAction] = field(default_factory=list)


def build_actions(
    owner: QWidget, reading: list[QWidget], slots: Slots, undo_stack: QUndoStack
) -> Actions:
    """Create the actions with their shortcuts.

    Single-letter keys (``j``, ``s``, ``1``…) work anywhere in the window: a text field takes
    printable keys before any shortcut (Qt's ShortcutOverride), so typing in the search box or
    the note editor never triggers them. ``Space`` pages the abstract only from the
    ``reading`` widgets (the list, the views, the abstract): on a button it presses the
    button, in a combo box it opens it.
    """

    def act(
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Slot,
        letter: bool = False,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, owner)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
        if letter:  # works even while its menu is not in the window (favourite keys)
            owner.addAction(action)
        action.triggered.connect(slot)
        return action

    actions = Actions(
        open=act("Open paper page", "O", slots.open, True),
        open_pdf=act(
            "Read PDF",
            "P",
            slots.open_pdf,
            True,
            "Read the paper here (downloaded first if needed)",
        ),
        open_pdf_elsewhere=act(
            "Open PDF in another viewer",
            "Shift+P",
            slots.open_pdf_elsewhere,
            True,
            "The downloaded PDF in your PDF viewer, or the PDF in your browser",
        ),
        read=act("Toggle read", "M", slots.toggle_read, True),
        star=act("Toggle star", "S", slots.toggle_star, True),
        save=act("Toggle saved in library", "L", slots.toggle_saved, True),
        down=act("Next paper", "J", slots.next_paper, True),
        up=act("Previous paper", "K", slots.previous_paper, True),
        page=act("Scroll abstract, then next paper", "Space", slots.page_abstract),
        delete=act("Delete from this computer…", "Shift+Del", slots.delete, True),
        mark_all=act("Mark all in view as read", "Ctrl+Shift+M", slots.mark_all_read),
        find=act("Find", QKeySequence.StandardKey.Find, slots.find),
        about=act("About Daily Papers", None, slots.about),
        diagnostics=act(
            "Copy diagnostics",
            None,
            slots.diagnostics,
            tip="Copy the version, the library's place and the last errors, for a bug report",
        ),
        shortcuts=act("Keyboard shortcuts", "?", slots.shortcuts, True),
        not_interested=act(
            "Not interested",
            "X",
            slots.not_interested,
            True,
            tip="Hide from For you, and learn from it (undoable)",
        ),
        save_search=act(
            "Save search…",
            "Ctrl+S",
            slots.save_search,
            tip="Save the search and filters shown as a view of its own, which can be followed",
        ),
        prefs=act("Preferences…", QKeySequence.StandardKey.Preferences, slots.preferences),
        quit=act("Quit", QKeySequence.StandardKey.Quit, slots.quit),
        add=act("Add paper by id or URL…", "Ctrl+N", slots.add_paper),
        today=act("Go to today", "Alt+Home", slots.today),
        refresh=act(
            "Refresh",
            None,
            slots.refresh,
            tip="Fetch the current view from Hugging Face (F5)",
        ),
        prev=act("◀", "Alt+Left", slots.previous_day, tip="Previous day (Alt+Left)"),
        next=act("▶", "Alt+Right", slots.next_day, tip="Next day (Alt+Right)"),
        tag=act("Tag…", "T", slots.tag, True),
        undo=undo_stack.createUndoAction(owner, "Undo"),
        redo=undo_stack.createRedoAction(owner, "Redo"),
        copy_link=act("Copy link", None, slots.copy_link),
        new_tag=act("New tag…", None, slots.new_tag),
        export=act("Export…", "Ctrl+E", slots.export),
        import_=act("Import Bibliography…", "Ctrl+I", slots.import_),
        copy_bib=act("Copy BibTeX", "Ctrl+Shift+C", slots.copy_bibtex),
        find_published=act(
            "Find published version",
            None,
            slots.find_published,
            tip="Look up on DBLP where the selected preprints were published",
        ),
        keep_exported=act(
            "Keep exported…",
            None,
            slots.keep_exported,
            tip="Files rewritten whenever the library changes (auto-export)",
        ),
    )
    actions.refresh.setShortcuts(
        [QKeySequence(QKeySequence.StandardKey.Refresh), QKeySequence("Ctrl+R")]
    )
    actions.shortcuts.setShortcuts(keys("?", QKeySequence.StandardKey.HelpContents))
    actions.prefs.setShortcuts(keys(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
    actions.page.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for widget in reading:
        widget.addAction(actions.page)
    # What the shortcut sheet calls actions whose text is a symbol or changes.
    for action, text in (
        (actions.prev, "Previous day (week, month)"),
        (actions.next, "Next day (week, month)"),
        (actions.undo, "Undo"),
        (actions.redo, "Redo"),
    ):
        action.setProperty("sheetText", text)
    actions.delete.setProperty("destructive", True)  # asks first (tests check it)
    actions.undo.setShortcut(QKeySequence.StandardKey.Undo)
    actions.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for n in range(1, 10):
        actions.quick.append(act(f"Favourite tag {n}", str(n), slots.quick_tag(n), True))
    return actions


@dataclass
class Menus:
    file: QMenu
    edit: QMenu
    view: QMenu
    paper: QMenu
    favourites: QMenu
    help: QMenu


def build_menus(bar: QMenuBar, a: Actions) -> Menus:
    def menu(title: str, items: list[QAction | None]) -> QMenu:
        m = bar.addMenu(title)
        for item in items:
            if item is None:
                m.addSeparator()
            else:
                m.addAction(item)
        return m

    file = menu(
        "&File",
        [a.add, None, a.import_, a.export, a.keep_exported, None, a.prefs, None, a.quit],
    )
    edit = menu("&Edit", [a.undo, a.redo, None, a.copy_link, a.copy_bib])
    view = menu("&View", [a.refresh, None, a.prev, a.next, a.today, a.find, a.save_search])
    paper = menu(
        "&Paper",
        [
            a.open,
            a.open_pdf,
            a.open_pdf_elsewhere,
            None,
            a.down,
            a.up,
            a.page,
            None,
            a.read,
            a.star,
            a.save,
            a.tag,
            a.not_interested,
            a.mark_all,
            None,
            a.find_published,
            None,
            a.delete,
        ],
    )
    favourites = paper.addMenu("Favourite tags")
    help_ = menu("&Help", [a.shortcuts, None, a.diagnostics, a.about])
    return Menus(file, edit, view, paper, favourites, help_)
