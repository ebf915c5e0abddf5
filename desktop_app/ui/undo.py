"""Undoable library edits for the window's QUndoStack (Ctrl+Z / Ctrl+Shift+Z).

Each command snapshots what it is about to change (through :mod:`desktop_app.library.edits`),
so undo restores exactly the previous state, including the "saved" flag that tagging and
starring set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from desktop_app.domain import PaperSnapshot
from desktop_app.errors import AppError
from desktop_app.library.edits import (
    ImportUndo,
    MergePlan,
    PaperStates,
    restore_snapshots,
    snapshot_subtree,
)
from desktop_app.store import Repository
from desktop_app.store.tags import normalize_tag_name, tag_key

Refresh = Callable[[list[str]], None]


class Edit(QUndoCommand):
    """A command whose first ``do()`` the window runs itself, before pushing.

    So a refused edit (a name clash, a busy database) raises its AppError to the window, which
    shows it and pushes nothing; ``redo()`` skips the push-time call and re-applies afterwards.
    Errors during a later undo/redo go to ``on_error`` instead of escaping into Qt.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._pushed = False
        self.on_error: Callable[[Exception], None] = lambda exc: None

    def do(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._guard(self.do)

    def undo(self) -> None:
        self._guard(self.revert)

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except AppError as exc:  # a bug is not swallowed: it reaches the crash handler
            self.on_error(exc)


class StateCommand(Edit):
    """Set read / starred / saved on papers."""

    def __init__(
        self, repo: Repository, ids: Sequence[str], what: str, value: bool, refresh: Refresh
    ) -> None:
        verb = {
            "read": ("Mark read", "Mark unread"),
            "starred": ("Star", "Unstar"),
            "saved": ("Save", "Remove from library"),
        }[what][0 if value else 1]
        super().__init__(f"{verb} ({len(ids)})")
        self.repo, self.ids, self.what, self.value, self.refresh = (
            repo,
            list(ids),
            what,
            value,
            refresh,
        )
        self.before = PaperStates.take(repo, self.ids)

    def do(self) -> None:
        setter = {
            "read": self.repo.set_read,
            "starred": self.repo.set_starred,
            "saved": self.repo.set_saved,
        }[self.what]
        setter(self.ids, self.value)
        self.refresh(self.ids)

    def revert(self) -> None:
        self.before.restore(self.repo)
        self.refresh(self.ids)


class MarkedReadCommand(Edit):
    """ "Mark all as read", already applied by the worker: undo marks those papers unread."""

    def __init__(self, repo: Repository, ids: Sequence[str], refresh: Refresh) -> None:
        super().__init__(f"Mark all read ({len(ids)})")
        self.repo, self.ids, self.refresh = repo, list(ids), refresh

    def do(self) -> None:
        self.repo.set_read(self.ids, True)
        self.refresh([])

    def revert(self) -> None:
        self.repo.set_read(self.ids, False)
        self.refresh([])


class DeletedPapersCommand(Edit):
    """Papers deleted by the worker (already applied): undo puts them back exactly."""

    def __init__(self, repo: Repository, deleted: PaperSnapshot, refresh: Refresh) -> None:
        n = len(deleted.papers)
        super().__init__(f"Delete {n} paper{'s' if n != 1 else ''}")
        self.repo, self.deleted, self.refresh = repo, deleted, refresh

    def do(self) -> None:
        # Keep what an earlier undo could not put back (the library was busy, say): deleting
        # nothing must not replace the only copy with an empty one.
        self.deleted = self.deleted.updated_with(self.repo.delete_papers(self.deleted.ids))
        self.refresh([])

    def revert(self) -> None:
        self.repo.restore_papers(self.deleted)
        self.refresh([])


class ImportCommand(Edit):
    """A BibTeX import, already applied by the worker. Undo removes the papers it created and
    the tags it made (if no other paper has them now), and puts the papers it merged into
    back as they were; redo puts the import's result back."""

    def __init__(self, repo: Repository, undo: ImportUndo, path: str, refresh: Refresh) -> None:
        super().__init__(f"Import {Path(path).name}")
        self.repo, self.changes, self.refresh = repo, undo, refresh
        self.undone: PaperSnapshot | None = None  # the papers just before the last undo

    def do(self) -> None:
        self.changes.redo(self.repo, self.undone)
        self.refresh([])

    def revert(self) -> None:
        self.undone = self.changes.undo(self.repo)
        self.refresh([])


class TagPapersCommand(Edit):
    """Add or remove tags on papers; undo touches only the links this command changed."""

    def __init__(
        self,
        repo: Repository,
        ids: Sequence[str],
        add: Sequence[str],
        remove: Sequence[str],
        refresh: Refresh,
    ) -> None:
        # Compare names the way the store does ("ml/ Pruning" is the tag "ml/pruning"), so
        # undo removes exactly the links this edit made and never a tag that existed.
        add = [normalize_tag_name(n) for n in add]
        remove = [normalize_tag_name(n) for n in remove]
        names = ", ".join([*add, *remove])
        super().__init__(f"{'Tag' if add else 'Untag'} {len(ids)} with {names}")
        self.repo, self.ids, self.refresh = repo, list(ids), refresh
        self.add, self.remove = add, remove
        flags = repo.flags(self.ids)
        self.before = PaperStates(tuple((pid, *f[:3]) for pid, f in flags.items()))
        existing = {tag_key(t.name) for t in repo.tags()}
        self.new_tags = [n for n in self.add if tag_key(n) not in existing]

        def has(pid: str, name: str) -> bool:
            return tag_key(name) in {tag_key(t) for t in flags[pid][3]}

        self.added = {n: [pid for pid in flags if not has(pid, n)] for n in self.add}
        self.removed = {n: [pid for pid in flags if has(pid, n)] for n in self.remove}

    def do(self) -> None:
        if self.add:
            self.repo.tag_papers(self.ids, self.add)
        if self.remove:
            self.repo.untag_papers(self.ids, self.remove)
        self.refresh(self.ids)

    def revert(self) -> None:
        for name, ids in self.added.items():
            if ids:
                self.repo.untag_papers(ids, [name])
        for name in self.new_tags:
            self.repo.delete_single_tag(name)
        for name, ids in self.removed.items():
            if ids:
                self.repo.tag_papers(ids, [name])
        self.before.restore(self.repo)
        self.refresh(self.ids)


class RenameTagCommand(Edit):
    """Rename a tag and its sub-tags; ``renamed(old, new)`` lets the window follow."""

    def __init__(
        self,
        repo: Repository,
        old: str,
        new: str,
        refresh: Refresh,
        renamed: Callable[[str, str], None] = lambda old, new: None,
    ) -> None:
        old, new = normalize_tag_name(old), normalize_tag_name(new)
        super().__init__(f"Rename tag {old} to {new}")
        self.repo, self.old, self.new, self.refresh = repo, old, new, refresh
        self.renamed = renamed

    def do(self) -> None:
        self.repo.rename_tag(self.old, self.new)
        self.renamed(self.old, self.new)
        self.refresh([])

    def revert(self) -> None:
        self.repo.rename_tag(self.new, self.old)
        self.renamed(self.new, self.old)
        self.refresh([])


class DeleteTagCommand(Edit):
    def __init__(self, repo: Repository, name: str, refresh: Refresh) -> None:
        super().__init__(f"Delete tag {name}")
        self.repo, self.name, self.refresh = repo, name, refresh
        self.snapshot = snapshot_subtree(repo, name)
        self.follows = repo.follows_store.tag_follows(name)  # they go with the tags

    def do(self) -> None:
        self.repo.delete_tag(self.name)
        self.refresh([])

    def revert(self) -> None:
        restore_snapshots(self.repo, self.snapshot)
        restore_tag_follows(self.repo, self.follows)
        self.refresh([])


def restore_tag_follows(
    repo: Repository, follows: Sequence[tuple[str, tuple[str, str, str]]]
) -> None:
    """Follow again, with their news, the tags an undone delete or merge brought back."""
    for tag, kept in follows:
        repo.follows_store.restore_follow("tag", tag, kept)


class MergeTagsCommand(Edit):
    def __init__(self, repo: Repository, source: str, target: str, refresh: Refresh) -> None:
        super().__init__(f"Merge tag {source} into {target}")
        self.repo, self.source, self.target, self.refresh = repo, source, target, refresh
        self.plan = MergePlan.take(repo, source, target)
        self.follows = repo.follows_store.tag_follows(source)  # the source's go with it

    def do(self) -> None:
        self.repo.merge_tags(self.source, self.target)
        self.refresh([])

    def revert(self) -> None:
        self.plan.undo(self.repo)
        restore_tag_follows(self.repo, self.follows)
        self.refresh([])


class TagColorCommand(Edit):
    """Set (or clear, with None) a tag's colour."""

    def __init__(self, repo: Repository, name: str, color: str | None, refresh: Refresh) -> None:
        tag = repo.get_tag(name)
        super().__init__(f"Colour of tag {tag.name}")
        self.repo, self.name, self.color, self.refresh = repo, tag.name, color, refresh
        self.before = tag.color

    def do(self) -> None:
        self.repo.set_tag_color(self.name, self.color)
        self.refresh([])

    def revert(self) -> None:
        self.repo.set_tag_color(self.name, self.before)
        self.refresh([])


class FavouritesCommand(Edit):
    """Change the favourite tags (keys 1–9)."""

    def __init__(
        self, repo: Repository, favourites: Mapping[int, str], text: str, refresh: Refresh
    ) -> None:
        super().__init__(text)
        self.repo, self.refresh = repo, refresh
        self.before = repo.favourite_tags()
        self.after = dict(favourites)

    def do(self) -> None:
        # A parent in the tag tree (``llm`` above ``llm/agents``) becomes a tag of its own.
        self.repo.set_favourite_tags(self.after, create=True)
        self.refresh([])

    def revert(self) -> None:
        self.repo.set_favourite_tags(self.before)
        self.refresh([])


class CallEdit(Edit):
    """An edit given as two calls, ``do`` and ``revert`` (saved searches, follows): each
    must leave the library as the other found it."""

    def __init__(
        self,
        text: str,
        do: Callable[[], object],
        revert: Callable[[], object],
        refresh: Refresh,
    ) -> None:
        super().__init__(text)
        self._do, self._revert, self.refresh = do, revert, refresh

    def do(self) -> None:
        self._do()
        self.refresh([])

    def revert(self) -> None:
        self._revert()
        self.refresh([])
