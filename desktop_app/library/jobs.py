"""Background jobs as operations (Anki's ``aqt/operations``): each a small object with a title,
a ``run`` that does the work off the GUI thread, and a typed result that says how to describe
itself and whether the library changed.

No Qt here: the worker (a QObject in a QThread) calls ``job.run(ctx)`` with a
:class:`JobContext` holding the repository, the thread's own HTTP clients, a cancel event and a
progress callable, and turns the result or error into signals; whoever started the job gets
the typed result back (the window passes a handler per job). The CLI calls the same services
(:mod:`desktop_app.library.fetch`, :mod:`desktop_app.bibtex`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from desktop_app.config import Settings
from desktop_app.domain import FeedQuery, PaperSnapshot
from desktop_app.library import backups
from desktop_app.library.bookkeeping import SEARCH_IDS, SEARCH_TEXT, TRENDING_IDS
from desktop_app.library.edits import ImportUndo
from desktop_app.store import Repository

if TYPE_CHECKING:  # the network and BibTeX stacks load only when a job needs them
    from desktop_app.bibtex import BibTeXOptions, ImportReport
    from desktop_app.library.autoexport import Refreshed
    from desktop_app.library.fetch import FetchSummary
    from desktop_app.sources import Clients

R = TypeVar("R", covariant=True)


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

    def network(self) -> Clients:
        """The worker thread's network clients (one HTTP session per thread).

        The clients outlive the job, but each job gets the whole time budget of one fetch.
        """
        if "all" not in self.clients:
            from desktop_app.sources import open_clients

            self.clients["all"] = open_clients(self.settings, **self.http_options)
        clients: Clients = self.clients["all"]
        if not self._budget_started:
            clients.http.start_budget()
            self._budget_started = True
        return clients


class Job(Protocol[R]):
    """An operation the worker runs: ``title`` for the status bar, ``run`` off the GUI thread.

    A job may also have ``describe_progress(done, total) -> str`` to say what the two numbers
    it reports through ``ctx.progress`` are (a download: megabytes); without it the status bar
    reads them as pages and papers.
    """

    @property
    def title(self) -> str: ...

    def run(self, ctx: JobContext) -> R: ...


class Outcome(Protocol):
    """What a finished job reports: a line for the status bar, and whether views must be
    read again."""

    def describe(self) -> str: ...

    @property
    def changes_library(self) -> bool: ...


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Fetched:
    """Papers stored from a source: the counts, and the remote list's ids in its order."""

    label: str
    summary: FetchSummary
    changes_library: bool = True

    def describe(self) -> str:
        s = self.summary
        if not s.total:
            return f"{self.label}: nothing found."
        return f"{self.label}: {s.new} new, {s.updated} updated, {s.unchanged} unchanged."


@dataclass(frozen=True)
class Deleted:
    """Papers deleted for good; ``snapshot`` holds everything, so an undo can restore it."""

    snapshot: PaperSnapshot
    changes_library: bool = True

    def describe(self) -> str:
        n = len(self.snapshot.papers)
        if not n:
            return "Nothing to delete: those papers were gone already."
        return f"Deleted {n} paper{'s' if n != 1 else ''} (Ctrl+Z brings them back)."


@dataclass(frozen=True)
class MarkedRead:
    """The papers of a view that were unread and now are read."""

    ids: tuple[str, ...]
    changes_library: bool = True

    def describe(self) -> str:
        return f"Marked {len(self.ids)} papers as read."


@dataclass(frozen=True)
class Exported:
    """BibTeX written to ``path``, or ``text`` for the clipboard."""

    count: int
    path: str | None = None
    text: str | None = None
    changes_library: bool = False  # keys are stored, but nothing a view shows

    def describe(self) -> str:
        if self.path:
            entries = "entry" if self.count == 1 else "entries"
            return f"Exported {self.count} {entries} to {self.path}."
        return f"Copied BibTeX of {self.count} paper{'s' if self.count != 1 else ''}."


@dataclass(frozen=True)
class Imported:
    """What a BibTeX import did (or, ``dry_run``, would do); ``undo`` takes a real one back."""

    path: str
    tag: str | None
    report: ImportReport
    undo: ImportUndo | None = None
    dry_run: bool = False

    @property
    def changes_library(self) -> bool:
        return not self.dry_run

    def describe(self) -> str:
        r = self.report
        counts = f"{r.new} new, {r.merged} merged, {r.skipped} skipped, {r.failed} failed"
        return ("Import preview: " if self.dry_run else "Imported: ") + counts + "."


@dataclass(frozen=True)
class BackedUp:
    path: Path
    changes_library: bool = False

    def describe(self) -> str:
        return f"Library backed up to {self.path}."


@dataclass(frozen=True)
class AutoExported:
    """Files kept up to date, brought up to date (or added, or removed)."""

    results: tuple[Refreshed, ...] = ()
    message: str = ""
    changes_library: bool = False  # only bookkeeping: no view changes

    @property
    def written(self) -> tuple[Refreshed, ...]:
        return tuple(r for r in self.results if r.written)

    @property
    def failed(self) -> tuple[Refreshed, ...]:
        return tuple(r for r in self.results if r.error)

    def describe(self) -> str:
        if self.message:
            return self.message
        names = ", ".join(Path(r.path).name for r in self.written)
        return f"Updated {names}." if names else "Kept files are up to date."


@dataclass(frozen=True)
class ViewCounts:
    """Total and unread papers of each sidebar view."""

    counts: Mapping[str, tuple[int, int]]
    generation: int = 0


@dataclass(frozen=True)
class FeedCount:
    """How many papers a view holds."""

    query: FeedQuery
    total: int


# ----------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class FetchDaily:
    """A Hugging Face daily list: a day, an ISO week, a month, or (nothing given) the newest."""

    day: date | None = None
    week: str | None = None
    month: str | None = None

    @property
    def label(self) -> str:
        return self.week or self.month or (self.day.isoformat() if self.day else "(latest)")

    @property
    def title(self) -> str:
        if self.week:
            return f"Fetching Hugging Face papers of week {self.week}"
        if self.month:
            return f"Fetching Hugging Face papers of {self.month}"
        if self.day:
            return f"Fetching Hugging Face papers of {self.day.isoformat()}"
        return "Fetching the latest Hugging Face papers"

    def run(self, ctx: JobContext) -> Fetched:
        from desktop_app.library import fetch

        summary = fetch.fetch_daily(
            ctx.repo,
            ctx.network().hf,
            day=self.day,
            week=self.week,
            month=self.month,
            cancel=ctx.cancel,
            progress=ctx.progress,
        )
        return Fetched(f"Daily papers {self.label}", summary)


@dataclass(frozen=True)
class FetchTrending:
    title: str = "Fetching trending papers"

    def run(self, ctx: JobContext) -> Fetched:
        from desktop_app.library import fetch

        summary = fetch.fetch_daily(
            ctx.repo, ctx.network().hf, sort="trending", cancel=ctx.cancel, progress=ctx.progress
        )
        ctx.repo.set_meta(TRENDING_IDS, " ".join(summary.ids))
        return Fetched("Trending", summary)


@dataclass(frozen=True)
class SearchRemote:
    """Hugging Face's paper search; its results are stored and remembered in its order."""

    text: str

    @property
    def title(self) -> str:
        return f"Searching Hugging Face for “{self.text}”"

    def run(self, ctx: JobContext) -> Fetched:
        from desktop_app.library import fetch

        summary = fetch.fetch_search(
            ctx.repo, ctx.network().hf, self.text, cancel=ctx.cancel, progress=ctx.progress
        )
        ctx.repo.set_meta(SEARCH_IDS, " ".join(summary.ids))
        ctx.repo.set_meta(SEARCH_TEXT, self.text)
        return Fetched(f"Hugging Face search “{self.text}”", summary)


@dataclass(frozen=True)
class AddPapers:
    refs: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"Adding {len(self.refs)} paper{'s' if len(self.refs) != 1 else ''}"

    def run(self, ctx: JobContext) -> Fetched:
        from desktop_app.library import fetch

        clients = ctx.network()
        summary = fetch.add_papers(
            ctx.repo,
            clients.hf,
            clients.arxiv,
            self.refs,
            cancel=ctx.cancel,
            progress=ctx.progress,
        )
        return Fetched("Added papers", summary)


@dataclass(frozen=True)
class MarkViewRead:
    """Mark a view read; the ids that were unread come back so the window can undo it."""

    query: FeedQuery
    title: str = "Marking all as read"

    def run(self, ctx: JobContext) -> MarkedRead:
        return MarkedRead(tuple(ctx.repo.mark_view_read(self.query)))


@dataclass(frozen=True)
class DeletePapers:
    """Delete papers for good; what was deleted comes back so the window can undo it."""

    ids: tuple[str, ...]

    @property
    def title(self) -> str:
        n = len(self.ids)
        return f"Deleting {'this paper' if n == 1 else f'these {n} papers'}"

    def run(self, ctx: JobContext) -> Deleted:
        return Deleted(ctx.repo.delete_papers(self.ids))


@dataclass(frozen=True)
class ExportBibTeX:
    """Export papers (given, or a view's) to ``path``, or as text for the clipboard."""

    options: BibTeXOptions
    ids: tuple[str, ...] | None = None
    query: FeedQuery | None = None
    path: str | None = None

    @property
    def title(self) -> str:
        return "Exporting" if self.path else "Preparing BibTeX"

    def run(self, ctx: JobContext) -> Exported:
        from desktop_app.bibtex import export_bibtex, export_to_file

        ids: Sequence[str] = self.ids if self.ids is not None else ()
        if self.query is not None:
            ids = ctx.repo.ids(self.query)
        if self.path:
            export_to_file(ctx.repo, ids, self.options, self.path)
            return Exported(len(ids), path=self.path)
        return Exported(len(ids), text=export_bibtex(ctx.repo, ids, self.options))


@dataclass(frozen=True)
class ImportBibTeX:
    """Import a .bib file (or, ``dry_run``, report what importing would do). A real import
    also returns an :class:`ImportUndo` for the window's undo."""

    path: str
    tag: str | None = None
    dry_run: bool = False

    @property
    def title(self) -> str:
        return f"{'Reading' if self.dry_run else 'Importing'} {self.path}"

    def run(self, ctx: JobContext) -> Imported:
        from desktop_app.bibtex import import_bibtex

        repo = ctx.repo
        before: list[PaperSnapshot] = []
        tags_before = {t.name.casefold() for t in repo.tags()}

        def snapshot(report: ImportReport) -> None:
            before.append(repo.snapshot_papers(_merged_existing(report)))

        report = import_bibtex(
            repo, Path(self.path), tag=self.tag, dry_run=self.dry_run, before_apply=snapshot
        )
        undo = None
        if not self.dry_run and before and (report.new or report.merged):
            new_ids = tuple(dict.fromkeys(e.paper_id for e in report.entries if e.action == "new"))
            undo = ImportUndo(
                new_ids=new_ids,  # type: ignore[arg-type]
                before=before[0],
                after=repo.snapshot_papers([*new_ids, *_merged_existing(report)]),  # type: ignore[list-item]
                new_tags=tuple(t.name for t in repo.tags() if t.name.casefold() not in tags_before),
            )
        return Imported(self.path, self.tag, report, undo, self.dry_run)


def _merged_existing(report: ImportReport) -> list[str]:
    """Papers already in the library that an import merges into."""
    new = {e.paper_id for e in report.entries if e.action == "new"}
    return [
        pid
        for pid in dict.fromkeys(
            e.paper_id for e in report.entries if e.action == "merged" and e.paper_id not in new
        )
        if pid is not None
    ]


@dataclass(frozen=True)
class Backup:
    """An automatic copy of the library (see :mod:`desktop_app.library.backups`)."""

    title: str = "Backing up the library"

    def run(self, ctx: JobContext) -> BackedUp:
        return BackedUp(backups.take_automatic_backup(ctx.repo, cancel=ctx.cancel))


@dataclass(frozen=True)
class RefreshAutoExports:
    """Bring the files kept up to date with the library up to date (in the background, after
    changes; see :mod:`desktop_app.library.autoexport`)."""

    title: str = "Updating kept files"

    def run(self, ctx: JobContext) -> AutoExported:
        from desktop_app.library import autoexport

        if not ctx.repo.autoexports() or ctx.repo.read_only:
            return AutoExported()
        return AutoExported(tuple(autoexport.refresh(ctx.repo, ctx.settings.cite_key_pattern)))


@dataclass(frozen=True)
class AddAutoExport:
    """Keep a file up to date with a tag, a search or the library, and write it now."""

    path: str
    tag: str | None = None
    query: str = ""
    format: str = "bibtex"
    force: bool = False
    title: str = "Writing the kept file"

    def run(self, ctx: JobContext) -> AutoExported:
        from desktop_app.library import autoexport

        spec, result = autoexport.add(
            ctx.repo,
            self.path,
            tag=self.tag,
            query=self.query,
            fmt=self.format,
            key_pattern=ctx.settings.cite_key_pattern,
            force=self.force,
        )
        return AutoExported(
            (result,),
            f"Keeping {Path(spec.path).name} up to date with {spec.scope} "
            f"({result.entries} entr{'y' if result.entries == 1 else 'ies'} now).",
        )


@dataclass(frozen=True)
class RemoveAutoExport:
    """Stop keeping a file up to date (the file stays)."""

    path: str
    title: str = "Forgetting the kept file"

    def run(self, ctx: JobContext) -> AutoExported:
        from desktop_app.library import autoexport

        spec = autoexport.remove(ctx.repo, self.path)
        return AutoExported((), f"No longer keeping {Path(spec.path).name} up to date.")


@dataclass(frozen=True)
class LookedUp:
    """Published versions looked up (see :mod:`desktop_app.library.published`)."""

    summary: Any  # published.LookupSummary
    changes_library: bool = True

    def describe(self) -> str:
        return str(self.summary.describe())


@dataclass(frozen=True)
class LookUpPublished:
    """Look up on DBLP where the given preprints (default: the library's) were published."""

    ids: tuple[str, ...] | None = None
    refresh: bool = False
    title: str = "Looking up published versions"

    def run(self, ctx: JobContext) -> LookedUp:
        from desktop_app.library import published

        summary = published.look_up(
            ctx.repo,
            ctx.network().dblp,
            self.ids,
            refresh=self.refresh,
            cancel=ctx.cancel,
            progress=ctx.progress,
        )
        return LookedUp(summary)


@dataclass(frozen=True)
class CountViews:
    """Total and unread papers of each sidebar view (read-only; runs beside fetches)."""

    queries: Mapping[str, FeedQuery]
    generation: int = 0
    title: str = "Counting"

    def run(self, ctx: JobContext) -> ViewCounts:
        counts = {}
        for kind, query in self.queries.items():
            total = ctx.repo.count(query)
            unread = 0 if query.unread else ctx.repo.count(replace(query, unread=True))
            counts[kind] = (total, unread)
        return ViewCounts(counts, self.generation)


@dataclass(frozen=True)
class CountFeed:
    """How many papers a view holds (read-only; runs beside fetches)."""

    query: FeedQuery
    title: str = "Counting"

    def run(self, ctx: JobContext) -> FeedCount:
        return FeedCount(self.query, ctx.repo.count(self.query))


@dataclass(frozen=True)
class Call:
    """Any function of a :class:`JobContext` as a job (tests, one-off work)."""

    title: str
    fn: Callable[[JobContext], Any]

    def run(self, ctx: JobContext) -> Any:
        return self.fn(ctx)


AnyJob = Job[Any]
__all__ = [
    "AddAutoExport",
    "AddPapers",
    "AnyJob",
    "AutoExported",
    "BackedUp",
    "Backup",
    "Call",
    "CountFeed",
    "CountViews",
    "DeletePapers",
    "Deleted",
    "ExportBibTeX",
    "Exported",
    "FeedCount",
    "FetchDaily",
    "FetchTrending",
    "Fetched",
    "ImportBibTeX",
    "Imported",
    "Job",
    "JobContext",
    "LookUpPublished",
    "LookedUp",
    "MarkViewRead",
    "MarkedRead",
    "Outcome",
    "RefreshAutoExports",
    "RemoveAutoExport",
    "SearchRemote",
    "ViewCounts",
]
