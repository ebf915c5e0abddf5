"""Reversible library edits: snapshots taken before a change and what undoing it needs.

The window's undo stack (``ui/undo.py``) wraps these; they are plain functions over the
repository so they are tested without Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain import PaperSnapshot
from desktop_app.store import Repository
from desktop_app.store.tags import normalize_tag_name, tag_key


@dataclass(frozen=True)
class PaperStates:
    """read/starred/saved of some papers, to put back exactly."""

    states: tuple[tuple[str, bool, bool, bool], ...]

    @classmethod
    def take(cls, repo: Repository, ids: Sequence[str]) -> PaperStates:
        flags = repo.flags(ids)
        return cls(tuple((pid, *flags[pid][:3]) for pid in ids if pid in flags))

    def restore(self, repo: Repository) -> None:
        for column, setter in ((1, repo.set_read), (2, repo.set_starred), (3, repo.set_saved)):
            for value in (True, False):
                ids = [s[0] for s in self.states if s[column] is value]
                if ids:
                    setter(ids, value)


@dataclass(frozen=True)
class TagSnapshot:
    """One tag, its colour, its favourite key and exactly the papers that carry it (not its
    sub-tags')."""

    name: str
    color: str | None
    paper_ids: tuple[str, ...]
    favourite: int | None = None  # key 1–9


def snapshot_subtree(repo: Repository, name: str) -> list[TagSnapshot]:
    """The tag ``name`` and its sub-tags, as they are now."""
    key = tag_key(name)
    return [
        TagSnapshot(t.name, t.color, repo.tag_members(t.name), t.favourite)
        for t in repo.tags()
        if t.name.casefold() == key or t.name.casefold().startswith(key + "/")
    ]


def restore_favourites(repo: Repository, snapshots: Sequence[TagSnapshot]) -> None:
    """Give the snapshots' tags back the favourite keys they had (and none if they had none).

    Other favourites keep their keys: a key another tag holds now is not taken from it.
    """
    names = {s.name.casefold() for s in snapshots}
    favourites = {k: n for k, n in repo.favourite_tags().items() if n.casefold() not in names}
    for snap in snapshots:
        if snap.favourite is not None and snap.favourite not in favourites:
            favourites[snap.favourite] = snap.name
    repo.set_favourite_tags(favourites)


def restore_snapshots(repo: Repository, snapshots: Sequence[TagSnapshot]) -> None:
    """Recreate tags (with colours) and their links; existing tags just gain the links."""
    for snap in snapshots:
        repo.create_tag(snap.name, snap.color)
        repo.set_tag_color(snap.name, snap.color)
        if snap.paper_ids:
            present = [p.id for p in repo.get_many(list(snap.paper_ids))]
            states = PaperStates.take(repo, present)
            repo.tag_papers(present, [snap.name])
            states.restore(repo)  # tagging saves papers; undo must not leave them saved
    restore_favourites(repo, snapshots)


@dataclass(frozen=True)
class MergePlan:
    """What merging ``source`` into ``target`` will add, so that it can be taken back."""

    source: tuple[TagSnapshot, ...]
    target_before: tuple[TagSnapshot, ...]
    target_name: str

    @classmethod
    def take(cls, repo: Repository, source: str, target: str) -> MergePlan:
        return cls(
            tuple(snapshot_subtree(repo, source)),
            tuple(snapshot_subtree(repo, target)),
            normalize_tag_name(target),
        )

    def undo(self, repo: Repository) -> None:
        before = {s.name.casefold(): s for s in self.target_before}
        for snap in snapshot_subtree(repo, self.target_name):
            old = before.get(snap.name.casefold())
            if old is None:
                repo.delete_single_tag(snap.name)
                continue
            added = sorted(set(snap.paper_ids) - set(old.paper_ids))
            if added:
                repo.untag_papers(added, [snap.name])
        # The target's keys first: a key the merge passed to it goes back to the source.
        restore_favourites(repo, self.target_before)
        restore_snapshots(repo, self.source)  # with the source's favourite keys


@dataclass(frozen=True)
class ImportUndo:
    """What a BibTeX import changed, to take it back and to redo it."""

    new_ids: tuple[str, ...]  # papers the import created
    before: PaperSnapshot  # the papers it merged into, as they were
    after: PaperSnapshot  # the new and the merged papers, as the import left them
    new_tags: tuple[str, ...]  # tags it created

    def undo(self, repo: Repository) -> PaperSnapshot:
        """Remove the papers it created and the tags it made (unless another paper has them
        now); put the papers it merged into back as they were, keeping what the user did to
        them since (read, star, note). One transaction.

        Returns the papers as they were just before, for :meth:`redo`: notes written on an
        imported paper since come back with it.
        """
        with repo.transaction():
            now = repo.snapshot_papers([*self.new_ids, *self.before.ids])
            repo.delete_papers(self.new_ids)
            repo.restore_papers(self.before, exact=True)
            imported = {s[0]: s for s in self.after.states}
            for state in now.states:
                paper_id, read, starred, _saved, note, _changed = state
                if paper_id in self.new_ids or state == imported.get(paper_id):
                    continue  # a new paper (gone), or untouched since the import
                repo.set_read([paper_id], bool(read))
                repo.set_starred([paper_id], bool(starred))
                repo.set_note(paper_id, note)
            counts = {t.name.casefold(): t.count for t in repo.tags()}
            for name in self.new_tags:
                if counts.get(name.casefold()) == 0:
                    repo.delete_single_tag(name)
        return now

    def redo(self, repo: Repository, state: PaperSnapshot | None = None) -> None:
        """Put the import's result back: ``state`` (what :meth:`undo` returned) or, without
        it, the papers as the import left them."""
        with repo.transaction():
            repo.restore_papers(state or self.after, exact=True)
