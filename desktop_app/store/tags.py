"""Tags: names and colours, the tree (``ml/pruning`` under ``ml``), favourites, and which papers
carry them. Written with peewee's query builder, except bulk tagging (thousands of papers
selected at once), which goes through ``executemany``.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from peewee import JOIN, Case, Value, fn

from desktop_app.domain import Tag
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.safetext import single_line
from desktop_app.store.core import StoreCore, now, rows

MAX_FAVOURITES = 9  # favourite tags, on keys 1–9
MAX_TAG_CHARS = 200
# The CSS basic colour names, for `tags color TAG red`; anything else is given as #rrggbb.
_COLOR_NAMES = {
    "black": "#000000", "silver": "#c0c0c0", "gray": "#808080", "grey": "#808080",
    "white": "#ffffff", "maroon": "#800000", "red": "#ff0000", "purple": "#800080",
    "fuchsia": "#ff00ff", "green": "#008000", "lime": "#00ff00", "olive": "#808000",
    "yellow": "#ffff00", "navy": "#000080", "blue": "#0000ff", "teal": "#008080",
    "aqua": "#00ffff", "orange": "#ffa500",
}  # fmt: skip
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", re.ASCII)


def normalize_tag_name(name: str) -> str:
    """Trim, collapse spaces and drop empty path segments: ``" ml // pruning "`` → ``ml/pruning``.

    Control, direction and invisible characters are removed. Raises InvalidInputError for a
    name with nothing left in it.
    """
    text = unicodedata.normalize("NFC", single_line(str(name)))
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [p for p in parts if p]
    if not parts:
        raise InvalidInputError(
            f"{name!r} is not a usable tag name.", hint="Use letters or digits."
        )
    return "/".join(parts)


def tag_key(name: str) -> str:
    """The case-insensitive identity of a tag name (Unicode-aware, unlike SQLite's NOCASE)."""
    return normalize_tag_name(name).casefold()


def check_new_tag_name(clean: str) -> None:
    """Refuse a new tag name that is too long to be a name (a whole abstract pasted into a
    ``.bib`` keyword, say). Existing tags of any length can still be renamed and deleted."""
    if len(clean) > MAX_TAG_CHARS:
        raise InvalidInputError(
            f"Tag names are at most {MAX_TAG_CHARS} characters; this one has {len(clean):,}.",
            hint="Use a shorter name.",
        )


def normalize_color(color: str | None) -> str | None:
    """``#rrggbb`` (lower case) for a colour a person typed, None to clear; anything else
    (``red; background:url(…)``, ``#12345g``) is an InvalidInputError saying what works."""
    if color is None or not color.strip():
        return None
    text = color.strip().lower()
    if text in _COLOR_NAMES:
        return _COLOR_NAMES[text]
    if _HEX_COLOR.fullmatch(text):
        if len(text) == 4:
            text = "#" + "".join(c * 2 for c in text[1:])
        return text
    raise InvalidInputError(
        f"{color!r} is not a colour.",
        hint="Use #rrggbb (e.g. #3366cc), #rgb or a basic colour name such as teal or orange.",
    )


def _rebase(name: str, old_root: str, new_root: str) -> str:
    """``name`` (``old_root`` or one of its sub-tags) moved under ``new_root``.

    Counts path segments rather than characters: the stored name and the root a person typed
    match case-insensitively but may differ in length (``Straße`` vs ``STRASSE``).
    """
    depth = old_root.count("/") + 1
    return "/".join([new_root, *name.split("/")[depth:]])


def _no_tag(name: str) -> NotFoundError:
    return NotFoundError(f"No tag named {name!r}.", hint="See `daily-papers tags`.")


class Tags:
    """The library's tags. ``save`` marks papers saved (a tagged paper is in the library)."""

    def __init__(self, core: StoreCore, save: Callable[[Sequence[int]], None]) -> None:
        self.core = core
        self._save = save

    # ------------------------------------------------------------------ reading
    def all(self, order: str = "name") -> list[Tag]:
        """Every tag with its paper count and unread count (own papers, not sub-tags')."""
        T, PT, S = self.core.m.Tag, self.core.m.PaperTag, self.core.m.State
        unread = Case(None, [(PT.paper.is_null(False) & (fn.COALESCE(S.read, 0) == 0), 1)], 0)
        counts = (fn.COUNT(PT.paper), fn.COALESCE(fn.SUM(unread), 0))
        query = (
            T.select(T.name, T.color, T.favourite, *counts)
            .join(PT, JOIN.LEFT_OUTER, on=(PT.tag == T.id))
            .join(S, JOIN.LEFT_OUTER, on=(S.paper == PT.paper))
            .group_by(T.id)
            .order_by(T.name_key)
            .tuples()
        )
        tags = [
            Tag(name=name, color=color, favourite=fav, count=count, unread=unread)
            for name, color, fav, count, unread in self.core.read(lambda: rows(query))
        ]
        if order == "count":
            tags.sort(key=lambda t: (-t.count, t.name.casefold()))
        return tags

    def counts_with_children(self) -> dict[str, tuple[int, int]]:
        """``name_key → (papers, unread)`` counting each paper once across a tag's subtree."""
        T, PT, S = self.core.m.Tag, self.core.m.PaperTag, self.core.m.State
        query = (
            PT.select(T.name_key, PT.paper, fn.COALESCE(S.read, 0))
            .join(T, on=(T.id == PT.tag))
            .join_from(PT, S, JOIN.LEFT_OUTER, on=(S.paper == PT.paper))
            .tuples()
        )
        seen: dict[str, dict[int, int]] = {}
        for key, pk, read in self.core.read(lambda: rows(query)):
            parts = key.split("/")
            for depth in range(1, len(parts) + 1):
                seen.setdefault("/".join(parts[:depth]), {})[pk] = read
        return {k: (len(v), sum(1 for r in v.values() if not r)) for k, v in seen.items()}

    def get(self, name: str) -> Tag:
        T = self.core.m.Tag
        key = tag_key(name)
        row = self.core.read(lambda: T.get_or_none(T.name_key == key))
        if row is None:
            raise _no_tag(name)
        return Tag(name=row.name, color=row.color, favourite=row.favourite)

    def members(self, name: str) -> tuple[str, ...]:
        """The ids of the papers that carry exactly the tag ``name`` (not its sub-tags')."""
        P, PT, T = self.core.m.Paper, self.core.m.PaperTag, self.core.m.Tag
        query = (
            P.select(P.paper_id)
            .join(PT, on=(PT.paper == P.id))
            .join(T, on=(T.id == PT.tag))
            .where(T.name_key == tag_key(name))
            .order_by(P.paper_id)
            .tuples()
        )
        return tuple(r[0] for r in self.core.read(lambda: rows(query)))

    def ids_with_children(self, name: str) -> list[int]:
        return [tid for tid, _ in self._subtree(normalize_tag_name(name))]

    def _subtree(self, clean: str) -> list[tuple[int, str]]:
        """``(id, name)`` of the tag ``clean`` and its sub-tags, by name.

        Sub-tags are the keys between ``key/`` and ``key0`` ('0' follows '/'): an index range,
        with no LIKE pattern to escape (or to be "too complex" for a long name).
        """
        T = self.core.m.Tag
        key = clean.casefold()
        query = (
            T.select(T.id, T.name)
            .where((T.name_key == key) | ((T.name_key >= key + "/") & (T.name_key < key + "0")))
            .order_by(T.name_key)
            .tuples()
        )
        return [(int(tid), str(name)) for tid, name in rows(query)]

    # ------------------------------------------------------------------ favourites
    def favourites(self) -> dict[int, str]:
        """The favourite tags by their key (1–9), in key order; keys may have gaps."""
        T = self.core.m.Tag
        query = (
            T.select(T.favourite, T.name)
            .where(T.favourite.is_null(False))
            .order_by(T.favourite)
            .tuples()
        )
        return dict(self.core.read(lambda: rows(query)))

    def set_favourites(
        self, favourites: Mapping[int, str], *, create: bool = False
    ) -> dict[int, str]:
        """Make ``favourites`` (key 1–9 → tag name) the favourite tags, replacing the others.

        A name that is not a tag is created when ``create`` is set (a parent shown in the
        tag tree, such as ``llm`` above ``llm/agents``, is no tag of its own) and skipped
        otherwise; a tag given under two keys keeps the lower one. Returns what is now set.
        """
        wanted: dict[int, str] = {}
        for key in sorted(favourites):
            if not 1 <= key <= MAX_FAVOURITES:
                raise InvalidInputError(f"Favourite keys are 1 to {MAX_FAVOURITES}, not {key}.")
            with contextlib.suppress(InvalidInputError):
                wanted[key] = normalize_tag_name(favourites[key])
        T = self.core.m.Tag
        result: dict[int, str] = {}
        with self.core.transaction():
            T.update(favourite=None).where(T.favourite.is_null(False)).execute()
            taken: set[int] = set()
            for key, name in wanted.items():
                row = T.get_or_none(T.name_key == name.casefold())
                if row is None and create:
                    row = T.get_by_id(self.ensure(name))
                if row is None or row.id in taken:
                    continue
                taken.add(row.id)
                T.update(favourite=key).where(T.id == row.id).execute()
                result[key] = row.name
        return result

    # ------------------------------------------------------------------ editing tags
    def create(self, name: str, color: str | None = None) -> Tag:
        """Create a tag (or return the existing one with that name, in any case)."""
        clean = normalize_tag_name(name)
        color = normalize_color(color)
        with self.core.transaction():
            tid = self.ensure(clean, color)
        row = self.core.m.Tag.get_by_id(tid)
        return Tag(name=row.name, color=row.color)

    def ensure(self, clean: str, color: str | None = None) -> int:
        """The id of the tag ``clean`` (already normalised), created if new. In a transaction."""
        T = self.core.m.Tag
        row = T.get_or_none(T.name_key == clean.casefold())
        if row is not None:
            return int(row.id)
        check_new_tag_name(clean)
        return int(
            T.insert(name=clean, name_key=clean.casefold(), color=color, created=now()).execute()
        )

    def set_color(self, name: str, color: str | None) -> None:
        """Set a tag's colour (``#rrggbb``, ``#rgb`` or a basic colour name), or clear it."""
        color = normalize_color(color)
        T = self.core.m.Tag
        with self.core.transaction():
            n = T.update(color=color).where(T.name_key == tag_key(name)).execute()
        if not n:
            raise _no_tag(name)

    def rename(self, old: str, new: str) -> int:
        """Rename a tag and its sub-tags (``ml`` → ``ai`` turns ``ml/x`` into ``ai/x``).

        Returns how many tags were renamed. Renaming onto an existing tag is refused; merge
        instead.
        """
        old_clean, new_clean = normalize_tag_name(old), normalize_tag_name(new)
        T = self.core.m.Tag
        with self.core.transaction():
            subtree = self._subtree(old_clean)
            if not subtree:
                raise _no_tag(old)
            renames = []
            for tid, name in subtree:
                target = _rebase(name, old_clean, new_clean)
                check_new_tag_name(target)
                renames.append((tid, target))
            own = {tid for tid, _ in subtree}
            for _, target in renames:
                clash = T.get_or_none(T.name_key == target.casefold())
                if clash is not None and clash.id not in own:
                    raise InvalidInputError(
                        f"A tag named {clash.name!r} already exists.",
                        hint=f"Use `daily-papers tags merge {old_clean} {new_clean}` instead.",
                    )
            # Two steps so a case-only rename or a swap inside the subtree never trips UNIQUE.
            for tid, _ in renames:
                T.update(name_key=f"\x00{tid}").where(T.id == tid).execute()
            for tid, target in renames:
                T.update(name=target, name_key=target.casefold()).where(T.id == tid).execute()
        return len(renames)

    def merge(self, source: str, target: str) -> int:
        """Move every paper of ``source`` (and its sub-tags) onto ``target``; delete ``source``.

        ``source/x`` becomes ``target/x``. Returns how many papers gained a tag.
        """
        src, dst = normalize_tag_name(source), normalize_tag_name(target)
        if src.casefold() == dst.casefold():
            raise InvalidInputError("Cannot merge a tag into itself.")
        if dst.casefold().startswith(src.casefold() + "/"):
            raise InvalidInputError(f"Cannot merge {src!r} into its own sub-tag {dst!r}.")
        T, PT = self.core.m.Tag, self.core.m.PaperTag
        gained = 0
        with self.core.transaction():
            subtree = self._subtree(src)
            if not subtree:
                raise _no_tag(source)
            # New sub-tags follow the existing target's spelling, not the case typed here.
            existing = T.get_or_none(T.name_key == dst.casefold())
            if existing is not None:
                dst = existing.name
            for tid, name in subtree:
                dest_id = self.ensure(_rebase(name, src, dst))
                moved = PT.select(PT.paper, Value(dest_id), PT.added).where(PT.tag == tid)
                gained += (
                    PT.insert_from(moved, [PT.paper, PT.tag, PT.added])
                    .on_conflict_ignore()
                    .as_rowcount()
                    .execute()
                )
                favourite = T.get_by_id(tid).favourite
                PT.delete().where(PT.tag == tid).execute()
                T.delete().where(T.id == tid).execute()
                # A favourite key keeps working: it moves to the tag that took the papers.
                if favourite is not None:
                    T.update(favourite=favourite).where(
                        (T.id == dest_id) & T.favourite.is_null()
                    ).execute()
        return gained

    def delete(self, name: str) -> int:
        """Delete a tag and its sub-tags (papers stay). Returns how many tags were deleted."""
        T = self.core.m.Tag
        with self.core.transaction():
            subtree = self._subtree(normalize_tag_name(name))
            if not subtree:
                raise _no_tag(name)
            T.delete().where(T.id.in_([tid for tid, _ in subtree])).execute()
        return len(subtree)

    def delete_one(self, name: str) -> None:
        """Delete one tag but not its sub-tags (undoing a merge or a tagging that made it)."""
        T = self.core.m.Tag
        with self.core.transaction():
            T.delete().where(T.name_key == tag_key(name)).execute()

    # ------------------------------------------------------------------ tagging papers
    def tag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Add tags (created if new) to papers; tagged papers are saved. Returns links added."""
        cleaned = [normalize_tag_name(n) for n in names]
        if not cleaned or not paper_ids:
            return 0
        added = 0
        stamp = now()
        with self.core.transaction():
            pks = self.core.require_pks(paper_ids)
            for name in cleaned:
                tid = self.ensure(name)
                # executemany: a selection can be thousands of papers.
                cur = self.core.connection().executemany(
                    "INSERT OR IGNORE INTO paper_tag (paper, tag, added) VALUES (?, ?, ?)",
                    [(pk, tid, stamp) for pk in pks],
                )
                added += cur.rowcount
            self._save(pks)
        return added

    def untag_papers(self, paper_ids: Sequence[str], names: Sequence[str]) -> int:
        """Remove tags from papers (the tags themselves stay). Returns links removed."""
        if not names or not paper_ids:
            return 0
        T, PT = self.core.m.Tag, self.core.m.PaperTag
        keys = [tag_key(n) for n in names]
        with self.core.transaction():
            pks = self.core.require_pks(paper_ids)
            tids = [r[0] for r in rows(T.select(T.id).where(T.name_key.in_(keys)).tuples())]
            if not tids:
                return 0
            return int(PT.delete().where(PT.paper.in_(pks) & PT.tag.in_(tids)).execute())
