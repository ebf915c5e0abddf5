"""Following topics: saved searches, followed items, the papers new to each, and what a
digest mailed where.

A paper found new to a followed item is recorded by its arXiv id (not its row), so a paper
deleted and fetched again is not news twice, and a paper that matches two followed items is
told once (:meth:`Follows.unnotified` gives each paper once).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

from desktop_app.domain import FOLLOW_KINDS, Follow, SavedSearch, Sort
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.store.core import StoreCore, chunks, now, rows

SPEC_FIELDS = ("text", "tags", "tag_mode", "unread", "starred", "saved", "days", "sort")


def _spec(search: SavedSearch) -> str:
    data = {k: v for k, v in asdict(search).items() if k in SPEC_FIELDS}
    data["sort"] = search.sort.value
    data["tags"] = list(search.tags)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _search(row_id: int, name: str, spec: str) -> SavedSearch:
    data = json.loads(spec)
    try:
        sort = Sort(data.get("sort", Sort.DATE.value))
    except ValueError:
        sort = Sort.DATE
    return SavedSearch(
        name=name,
        text=str(data.get("text", "")),
        tags=tuple(str(t) for t in data.get("tags", ())),
        tag_mode="any" if data.get("tag_mode") == "any" else "all",
        unread=bool(data.get("unread")),
        starred=bool(data.get("starred")),
        saved=bool(data.get("saved")),
        days=int(data["days"]) if data.get("days") else None,
        sort=sort,
        id=row_id,
    )


class Follows:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    # ------------------------------------------------------------------ saved searches
    def searches(self) -> list[SavedSearch]:
        S = self.core.m.SavedSearch
        query = S.select(S.id, S.name, S.spec).order_by(S.name_key).tuples()
        return [_search(*row) for row in self.core.read(lambda: rows(query))]

    def search(self, name: str) -> SavedSearch:
        key = name.strip().casefold()
        for found in self.searches():
            if found.name.casefold() == key:
                return found
        raise NotFoundError(f"No saved search named “{name.strip()}”.")

    def save_search(self, search: SavedSearch, *, replace_existing: bool = False) -> SavedSearch:
        """Store ``search`` under its name (a new one; or, with ``replace_existing``, the
        query of the one of that name changes and its follows stay)."""
        name = search.name.strip()
        if not name:
            raise InvalidInputError("A saved search needs a name.")
        if search.days is not None and search.days < 1:
            raise InvalidInputError("--days must be 1 or more.")
        S = self.core.m.SavedSearch
        with self.core.transaction():
            existing = S.get_or_none(S.name_key == name.casefold())
            if existing is not None and not replace_existing:
                raise InvalidInputError(f"A saved search named “{name}” exists already.")
            if existing is not None:
                S.update(name=name, spec=_spec(search)).where(S.id == existing.id).execute()
            elif search.id is not None:  # put back as it was (undo)
                S.insert(
                    id=search.id,
                    name=name,
                    name_key=name.casefold(),
                    spec=_spec(search),
                    created=now(),
                ).execute()
            else:
                S.insert(
                    name=name, name_key=name.casefold(), spec=_spec(search), created=now()
                ).execute()
        return self.search(name)

    def rename_search(self, old: str, new: str) -> SavedSearch:
        found = self.search(old)
        name = new.strip()
        if not name:
            raise InvalidInputError("A saved search needs a name.")
        S = self.core.m.SavedSearch
        with self.core.transaction():
            clash = S.get_or_none(S.name_key == name.casefold())
            if clash is not None and clash.id != found.id:
                raise InvalidInputError(f"A saved search named “{name}” exists already.")
            S.update(name=name, name_key=name.casefold()).where(S.id == found.id).execute()
        return replace(found, name=name)

    def remove_search(self, name: str) -> tuple[SavedSearch, list[tuple[str, str, str]]]:
        """Delete a saved search (its follow goes with it); returns what undo needs: the
        search, and its follow's (created, checked, news JSON) if it was followed."""
        found = self.search(name)
        F = self.core.m.Follow
        with self.core.transaction():
            follow = F.get_or_none(F.search == found.id)
            kept = [self._follow_snapshot(follow.id)] if follow is not None else []
            self.core.m.SavedSearch.delete().where(self.core.m.SavedSearch.id == found.id).execute()
        return found, kept

    def restore_search(self, search: SavedSearch, follows: Sequence[tuple[str, str, str]]) -> None:
        """Undo :meth:`remove_search`."""
        with self.core.transaction():
            self.save_search(search)
            for created, checked, news in follows:
                follow = self.add_follow("search", search.name, created=created, checked=checked)
                self._restore_news(follow.id, news)

    # ------------------------------------------------------------------ followed items
    def _target(
        self, kind: str, target: str, *, create: bool = False
    ) -> tuple[str, dict[str, object]]:
        """``target_key`` and the columns naming a followed item; raises for unknown ones.
        With ``create``, a parent in the tag tree that is no tag yet becomes one."""
        name = target.strip()
        if kind not in FOLLOW_KINDS:
            raise InvalidInputError(f"Cannot follow a {kind!r}.")
        if not name:
            raise InvalidInputError(f"Which {kind} to follow? The name is empty.")
        if kind == "search":
            found = self.search(name)
            return f"search:{found.id}", {"search": found.id}
        if kind == "tag":
            T = self.core.m.Tag
            key = name.casefold().strip("/")
            tag = self.core.read(lambda: T.get_or_none(T.name_key == key))
            if tag is None:
                # A parent in the tree ("vision" above "vision/video") becomes a tag.
                child = self.core.read(
                    lambda: T.select().where(T.name_key.startswith(key + "/")).first()
                )
                if child is None or not create:
                    raise NotFoundError(f"No tag named “{name}”.")
                with self.core.transaction():
                    tag_id = T.insert(
                        name=child.name[: len(key)], name_key=key, created=now()
                    ).execute()
                return f"tag:{tag_id}", {"tag": tag_id}
            return f"tag:{tag.id}", {"tag": tag.id}
        return f"{kind}:{name.casefold()}", {"name": name}

    def add_follow(
        self, kind: str, target: str, *, created: str | None = None, checked: str | None = None
    ) -> Follow:
        """Follow an item. Papers already in the library are not news: only those stored
        after now (``checked``) can be."""
        key, columns = self._target(kind, target, create=True)
        F = self.core.m.Follow
        stamp = now()
        # Stored times have whole seconds: a paper stored in this very second is older.
        after = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.core.transaction():
            row = F.get_or_none(F.target_key == key)
            follow_id = (
                row.id
                if row is not None
                else F.insert(
                    kind=kind,
                    target_key=key,
                    created=created or stamp,
                    checked=checked or after,
                    **columns,
                ).execute()
            )
        return next(f for f in self.follows() if f.id == follow_id)

    def remove_follow(self, kind: str, target: str) -> tuple[str, str, str] | None:
        """Stop following; returns what undo needs (created, checked, news), or None when
        the item was not followed."""
        try:
            key, _ = self._target(kind, target)
        except NotFoundError:
            return None
        F = self.core.m.Follow
        with self.core.transaction():
            row = F.get_or_none(F.target_key == key)
            if row is None:
                return None
            kept = self._follow_snapshot(row.id)
            F.delete().where(F.id == row.id).execute()
        return kept

    def restore_follow(self, kind: str, target: str, kept: tuple[str, str, str]) -> None:
        """Undo :meth:`remove_follow`: the follow as it was, with its news."""
        created, checked, news = kept
        with self.core.transaction():
            follow = self.add_follow(kind, target, created=created, checked=checked)
            self._restore_news(follow.id, news)

    def tag_follows(self, name: str) -> list[tuple[str, tuple[str, str, str]]]:
        """The followed tags among ``name`` and its sub-tags, as :meth:`restore_follow`
        takes them back (a tag deleted or merged away takes its follow with it)."""
        key = name.strip().casefold()
        sql = (
            "SELECT f.id, t.name FROM follow f JOIN tag t ON t.id = f.tag "
            "WHERE t.name_key = ? OR t.name_key LIKE ? ESCAPE '\\'"
        )
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"

        def run() -> list[tuple[str, tuple[str, str, str]]]:
            rows = self.core.connection().execute(sql, (key, like)).fetchall()
            return [(tag, self._follow_snapshot(fid)) for fid, tag in rows]

        return self.core.read(run)

    def follows(self) -> list[Follow]:
        """Every followed item, with how many papers new to it the user has not looked at
        (papers deleted since are not counted)."""
        sql = (
            "SELECT f.id, f.kind, COALESCE(s.name, t.name, f.name), f.created, f.checked, "
            "(SELECT COUNT(*) FROM follow_news n JOIN paper p ON p.paper_id = n.paper_id "
            " WHERE n.follow = f.id AND n.seen IS NULL) "
            "FROM follow f LEFT JOIN saved_search s ON s.id = f.search "
            "LEFT JOIN tag t ON t.id = f.tag ORDER BY f.kind, COALESCE(s.name, t.name, f.name)"
        )
        found = self.core.read(lambda: self.core.connection().execute(sql).fetchall())
        return [Follow(*row) for row in found]

    # ------------------------------------------------------------------ news
    def record_news(self, follow_id: int, paper_ids: Sequence[str], checked: str) -> list[str]:
        """Record papers found new to a followed item (those never found for it before),
        and when it was checked; returns the ones that were new."""
        conn = self.core.connection()
        fresh: list[str] = []
        with self.core.transaction():
            for chunk in chunks(list(dict.fromkeys(paper_ids))):
                before = conn.total_changes
                for paper_id in chunk:
                    conn.execute(
                        "INSERT OR IGNORE INTO follow_news (follow, paper_id, found) "
                        "VALUES (?, ?, ?)",
                        (follow_id, paper_id, checked),
                    )
                    if conn.total_changes > before:
                        fresh.append(paper_id)
                        before = conn.total_changes
            conn.execute("UPDATE follow SET checked = ? WHERE id = ?", (checked, follow_id))
        return fresh

    def mark_seen(self, follow_id: int) -> int:
        """The user looked at a followed item's view: its news is no longer new."""
        with self.core.transaction():
            cursor = self.core.connection().execute(
                "UPDATE follow_news SET seen = ? WHERE follow = ? AND seen IS NULL",
                (now(), follow_id),
            )
            return int(cursor.rowcount)

    def unseen(self) -> int:
        """Papers new to a followed item that the user has not looked at (each once)."""
        sql = (
            "SELECT COUNT(DISTINCT n.paper_id) FROM follow_news n "
            "JOIN paper p ON p.paper_id = n.paper_id WHERE n.seen IS NULL"
        )
        return int(self.core.read(lambda: self.core.connection().execute(sql).fetchone()[0]))

    def unnotified(self) -> list[tuple[str, str, list[int]]]:
        """Papers found new that the user was not told about yet, each once however many
        followed items it matched: ``(paper_id, title, follow ids)``, best first."""
        sql = (
            "SELECT n.paper_id, p.title, group_concat(n.follow) FROM follow_news n "
            "JOIN paper p ON p.paper_id = n.paper_id WHERE n.notified IS NULL "
            "GROUP BY n.paper_id ORDER BY MAX(p.upvotes) DESC, n.paper_id DESC"
        )
        found = self.core.read(lambda: self.core.connection().execute(sql).fetchall())
        return [(pid, title, [int(f) for f in str(fs).split(",")]) for pid, title, fs in found]

    def mark_notified(self, paper_ids: Sequence[str]) -> None:
        stamp = now()
        with self.core.transaction():
            for chunk in chunks(list(paper_ids)):
                self.core.connection().execute(
                    "UPDATE follow_news SET notified = ? WHERE notified IS NULL AND paper_id IN "
                    f"({','.join('?' * len(chunk))})",
                    [stamp, *chunk],
                )

    def news(self, follow_id: int, since: str | None = None) -> list[str]:
        """The papers found new to a followed item (since ``since``, an ISO time), newest
        finding first."""
        sql = (
            "SELECT n.paper_id FROM follow_news n JOIN paper p ON p.paper_id = n.paper_id "
            "WHERE n.follow = ? AND (? IS NULL OR n.found >= ?) ORDER BY n.found DESC, "
            "p.upvotes DESC, n.paper_id DESC"
        )
        found = self.core.read(
            lambda: self.core.connection().execute(sql, (follow_id, since, since)).fetchall()
        )
        return [pid for (pid,) in found]

    def _follow_snapshot(self, follow_id: int) -> tuple[str, str, str]:
        conn = self.core.connection()
        created, checked = conn.execute(
            "SELECT created, checked FROM follow WHERE id = ?", (follow_id,)
        ).fetchone()
        news = conn.execute(
            "SELECT paper_id, found, notified, seen FROM follow_news WHERE follow = ?",
            (follow_id,),
        ).fetchall()
        return created, checked, json.dumps(news)

    def _restore_news(self, follow_id: int, news: str) -> None:
        self.core.connection().executemany(
            "INSERT OR IGNORE INTO follow_news (follow, paper_id, found, notified, seen) "
            "VALUES (?, ?, ?, ?, ?)",
            [(follow_id, *row) for row in json.loads(news)],
        )

    # ------------------------------------------------------------------ digests
    def digest_sent(self, address: str, paper_ids: Sequence[str]) -> set[str]:
        """Which of ``paper_ids`` a digest already mailed to ``address``."""
        conn = self.core.connection()
        out: set[str] = set()

        def run() -> None:
            for chunk in chunks(list(paper_ids)):
                out.update(
                    pid
                    for (pid,) in conn.execute(
                        "SELECT paper_id FROM digest_sent WHERE address = ? AND paper_id IN "
                        f"({','.join('?' * len(chunk))})",
                        [address.casefold(), *chunk],
                    )
                )

        self.core.read(run)
        return out

    def claim_digest(self, address: str, paper_ids: Sequence[str]) -> list[str]:
        """Record ``paper_ids`` as mailed to ``address`` before sending; returns those this
        call claimed (another sender may have claimed the rest a moment earlier)."""
        stamp = now()
        conn = self.core.connection()
        claimed: list[str] = []
        with self.core.transaction():
            for pid in dict.fromkeys(paper_ids):
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO digest_sent (address, paper_id, sent) VALUES (?, ?, ?)",
                    (address.casefold(), pid, stamp),
                )
                if cursor.rowcount:
                    claimed.append(pid)
        return claimed

    def release_digest(self, address: str, paper_ids: Sequence[str]) -> None:
        """A send failed: its claims go (nothing was mailed)."""
        with self.core.transaction():
            for chunk in chunks(list(paper_ids)):
                self.core.connection().execute(
                    "DELETE FROM digest_sent WHERE address = ? AND paper_id IN "
                    f"({','.join('?' * len(chunk))})",
                    [address.casefold(), *chunk],
                )
