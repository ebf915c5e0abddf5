"""Background jobs: what the worker thread runs, as plain functions of a JobContext.

No Qt here: the worker (a QObject in a QThread) calls these with a context holding the
repository, the thread's own HTTP clients, a cancel event and a progress callable, and turns
their result or error into signals. The CLI calls the same services
(:mod:`desktop_app.library.fetch`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.config import Settings
from desktop_app.domain import PaperSnapshot
from desktop_app.library import backups
from desktop_app.library.bookkeeping import SEARCH_IDS, SEARCH_TEXT, TRENDING_IDS
from desktop_app.library.edits import ImportUndo
from desktop_app.store import Repository


@dataclass
class JobContext:
    """What a job may use. ``clients`` are created in, and only used from, the worker thread."""

    repo: Repository
    settings: Settings
    cancel: threading.Event
    progress: Callable[[int, int], None]
    clients: dict[str, Any] = field(default_factory=dict)
    http_options: dict[str, Any] = field(default_factory=dict)
    _budget_started: bool = False

    def client(self, name: str) -> Any:
        """The worker thread's client ``"hf"`` or ``"arxiv"`` (one HTTP session per thread).

        The clients outlive the job, but each job gets the whole time budget of one fetch.
        """
        if "all" not in self.clients:
            from desktop_app.sources import open_clients

            self.clients["all"] = open_clients(self.settings, **self.http_options)
        if not self._budget_started:
            self.clients["all"].http.start_budget()
            self._budget_started = True
        return getattr(self.clients["all"], name)


@dataclass(frozen=True)
class JobResult:
    """What a job reports back: counts, and the kind of job for the window to react to."""

    kind: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: tuple[str, ...] = ()
    label: str = ""
    payload: Any = None  # e.g. BibTeX text for the clipboard, or an ImportReport


def changes_library(result: Any) -> bool:
    """Whether views must be re-read after this result (an export or a preview wrote none)."""
    return not (
        isinstance(result, JobResult) and result.kind in ("export", "import-preview", "backup")
    )


def describe(result: Any) -> str:
    """One line for the status bar."""
    if isinstance(result, JobResult):
        if result.kind in ("export", "import", "import-preview", "backup", "delete"):
            return result.label
        if result.kind == "mark-read":
            return f"Marked {result.unchanged} papers as read."
        stored = result.new + result.updated + result.unchanged
        if not stored:
            return f"{result.label}: nothing found."
        return (
            f"{result.label}: {result.new} new, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
    return "Done."


def _result(kind: str, label: str, summary: Any) -> JobResult:
    return JobResult(
        kind=kind,
        new=summary.new,
        updated=summary.updated,
        unchanged=summary.unchanged,
        ids=tuple(summary.ids),
        label=label,
    )


def backup(ctx: JobContext) -> JobResult:
    """An automatic copy of the library (see :mod:`desktop_app.library.backups`)."""
    path = backups.take_automatic_backup(ctx.repo, cancel=ctx.cancel)
    return JobResult(kind="backup", label=f"Library backed up to {path}.")


def fetch_daily(
    ctx: JobContext,
    day: date | None = None,
    week: str | None = None,
    month: str | None = None,
) -> JobResult:
    from desktop_app.library import fetch as sync

    summary = sync.fetch_daily(
        ctx.repo,
        ctx.client("hf"),
        day=day,
        week=week,
        month=month,
        cancel=ctx.cancel,
        progress=ctx.progress,
    )
    label = week or month or (day.isoformat() if day else "(latest)")
    return _result("daily", f"Daily papers {label}", summary)


def fetch_trending(ctx: JobContext) -> JobResult:
    from desktop_app.library import fetch as sync

    summary = sync.fetch_daily(
        ctx.repo, ctx.client("hf"), sort="trending", cancel=ctx.cancel, progress=ctx.progress
    )
    ctx.repo.set_meta(TRENDING_IDS, " ".join(summary.ids))
    return _result("trending", "Trending", summary)


def search_remote(ctx: JobContext, text: str) -> JobResult:
    from desktop_app.library import fetch as sync

    summary = sync.fetch_search(
        ctx.repo, ctx.client("hf"), text, cancel=ctx.cancel, progress=ctx.progress
    )
    ctx.repo.set_meta(SEARCH_IDS, " ".join(summary.ids))
    ctx.repo.set_meta(SEARCH_TEXT, text)
    return _result("search", f"Hugging Face search “{text}”", summary)


def add_papers(ctx: JobContext, refs: list[str]) -> JobResult:
    from desktop_app.library import fetch as sync

    summary = sync.add_papers(
        ctx.repo,
        ctx.client("hf"),
        ctx.client("arxiv"),
        refs,
        cancel=ctx.cancel,
        progress=ctx.progress,
    )
    return _result("add", "Added papers", summary)


def mark_view_read(ctx: JobContext, query: Any) -> JobResult:
    """Mark a view read; the ids that were unread come back so the window can undo it."""
    ids = ctx.repo.mark_view_read(query)
    return JobResult(kind="mark-read", unchanged=len(ids), ids=tuple(ids), label="Mark all read")


def delete_papers(ctx: JobContext, ids: list[str]) -> JobResult:
    """Delete papers for good; what was deleted comes back so the window can undo it."""
    deleted = ctx.repo.delete_papers(ids)
    n = len(deleted.papers)
    label = f"Deleted {n} paper{'s' if n != 1 else ''} (Ctrl+Z brings them back)."
    return JobResult(
        kind="delete",
        unchanged=n,
        ids=deleted.ids,
        label=label if n else "Nothing to delete: those papers were gone already.",
        payload=deleted,
    )


def export_bib(ctx: JobContext, ids: list[str], options: Any, path: str | None) -> JobResult:
    """Export papers; with no ``path`` the text comes back for the clipboard."""
    from desktop_app.bibtex import export_bibtex, export_to_file

    n = len(ids)
    if path:
        export_to_file(ctx.repo, ids, options, path)
        return JobResult(kind="export", unchanged=n, label=f"Exported {n} entries to {path}.")
    return JobResult(
        kind="export",
        unchanged=n,
        payload=export_bibtex(ctx.repo, ids, options),
        label=f"Copied BibTeX of {n} paper{'s' if n != 1 else ''}.",
    )


def import_bib(ctx: JobContext, path: str, tag: str | None, dry_run: bool) -> JobResult:
    """Import a .bib file (or, with ``dry_run``, report what importing would do). A real
    import also returns an :class:`ImportUndo` (in ``payload``) for the window's undo."""
    from desktop_app.bibtex import import_bibtex

    repo = ctx.repo
    before: list[PaperSnapshot] = []
    tags_before = {t.name.casefold() for t in repo.tags()}

    def snapshot(report: Any) -> None:
        before.append(repo.snapshot_papers(_merged_existing(report)))

    report = import_bibtex(repo, Path(path), tag=tag, dry_run=dry_run, before_apply=snapshot)
    undo = None
    if not dry_run and before and (report.new or report.merged):
        new_ids = tuple(dict.fromkeys(e.paper_id for e in report.entries if e.action == "new"))
        undo = ImportUndo(
            new_ids=new_ids,
            before=before[0],
            after=repo.snapshot_papers([*new_ids, *_merged_existing(report)]),
            new_tags=tuple(t.name for t in repo.tags() if t.name.casefold() not in tags_before),
        )
    counts = (
        f"{report.new} new, {report.merged} merged, {report.skipped} skipped, "
        f"{report.failed} failed"
    )
    return JobResult(
        kind="import-preview" if dry_run else "import",
        new=report.new,
        updated=report.merged,
        unchanged=report.skipped,
        payload=(path, tag, report, undo),
        label=("Import preview: " if dry_run else "Imported: ") + counts + ".",
    )


def _merged_existing(report: Any) -> list[str]:
    """Papers already in the library that an import merges into."""
    new = {e.paper_id for e in report.entries if e.action == "new"}
    return list(
        dict.fromkeys(
            e.paper_id for e in report.entries if e.action == "merged" and e.paper_id not in new
        )
    )


@dataclass(frozen=True)
class ViewCounts:
    """Total and unread papers of each sidebar view, computed off the GUI thread."""

    counts: dict[str, tuple[int, int]]
    generation: int = 0


def count_views(ctx: JobContext, queries: dict[str, Any], generation: int = 0) -> ViewCounts:
    from dataclasses import replace

    counts = {}
    for kind, query in queries.items():
        total = ctx.repo.count(query)
        unread = 0 if query.unread else ctx.repo.count(replace(query, unread=True))
        counts[kind] = (total, unread)
    return ViewCounts(counts, generation)


@dataclass(frozen=True)
class FeedCount:
    """How many papers a view holds, counted off the GUI thread."""

    query: Any
    total: int


def count_feed(ctx: JobContext, query: Any) -> FeedCount:
    return FeedCount(query, ctx.repo.count(query))
