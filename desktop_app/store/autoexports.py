"""The files kept up to date (auto-export): what each holds, and how its last update went."""

from __future__ import annotations

from dataclasses import fields

from desktop_app.domain import AutoExport
from desktop_app.store.core import StoreCore, now, rows

_FIELDS = tuple(f.name for f in fields(AutoExport))


class AutoExports:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def all(self) -> list[AutoExport]:
        A = self.core.m.AutoExport
        query = A.select(*(getattr(A, f) for f in _FIELDS)).order_by(A.path).tuples()
        return [AutoExport(*row) for row in self.core.read(lambda: rows(query))]

    def add(self, spec: AutoExport) -> AutoExport:
        """Keep ``spec.path`` up to date with ``spec`` (replacing what it held before)."""
        A = self.core.m.AutoExport
        created = spec.created or now()
        with self.core.transaction():
            A.insert(
                path=spec.path, tag=spec.tag, query=spec.query, format=spec.format, created=created
            ).on_conflict(
                conflict_target=[A.path],
                update={A.tag: spec.tag, A.query: spec.query, A.format: spec.format},
            ).execute()
        return next(a for a in self.all() if a.path == spec.path)

    def remove(self, path: str) -> bool:
        A = self.core.m.AutoExport
        with self.core.transaction():
            return bool(A.delete().where(A.path == path).execute())

    def record(self, path: str, *, written: bool, entries: int | None, error: str | None) -> None:
        """How an update went: rewritten (now, with ``entries``), unchanged, or ``error``."""
        A = self.core.m.AutoExport
        update: dict[object, object] = {A.error: error}
        if written:
            update[A.written] = now()
        if entries is not None and error is None:
            update[A.entries] = entries
        with self.core.transaction():
            A.update(update).where(A.path == path).execute()
