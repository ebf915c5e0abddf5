"""The PDF cache's jobs for the window's worker (see :mod:`desktop_app.library.jobs`), and the
services they share with the command line.

- :class:`DownloadPdf`: one paper's PDF (progress in bytes, Cancel), then the quota; the
  text is extracted by a separate :class:`ExtractText` so the reader can open at once.
- :class:`FetchLibraryPdfs`: the PDFs of every starred, saved or tagged paper not cached yet
  (for offline reading; the ``pdf_prefetch`` preference), each followed by its text.
- :class:`PrunePdfs`: apply the quota now.
- :class:`ExtractText` / :class:`ExtractPendingText`: the text of one cached PDF, or of all
  that wait for it (after a download, or an undone delete), into the full-text index.

The cache folder is the library's own folder's ``pdfs/`` (the data directory).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.errors import (
    AppError,
    CancelledError,
    CancelToken,
    FetchError,
    InvalidInputError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    check_cancel,
)
from desktop_app.library import fulltext
from desktop_app.library.fulltext import Extraction
from desktop_app.library.pdfs import Downloaded, PdfCache, PruneReport

if TYPE_CHECKING:
    from desktop_app.library.jobs import JobContext
    from desktop_app.sources.http import HttpClient
    from desktop_app.store import Repository
    from desktop_app.store.pdfs import FulltextHit

Progress = Callable[[int, int], None]
HttpFactory = Callable[[], "HttpClient"]  # the thread's client, made when first needed


def cache_of(repo: Repository) -> PdfCache:
    """The PDF cache beside the library (``<data dir>/pdfs``)."""
    return PdfCache(Path(repo.path).parent)


def index_text(
    repo: Repository,
    paper_id: str,
    *,
    cancel: CancelToken | None = None,
    timeout: float = fulltext.TIMEOUT_S,
    argv: list[str] | None = None,
    extractor: fulltext.Extractor | None = None,
) -> Extraction | None:
    """Extract the text of the paper's cached PDF (time-limited, in a child process, or by
    ``extractor`` for a batch) and store it, replacing the old; None when the paper has no
    cached PDF now."""
    cache = cache_of(repo)
    record = repo.pdfs.get(paper_id)
    path = cache.cached(repo, paper_id) if record is not None else None
    if record is None or path is None:
        return None
    if extractor is not None:
        result = extractor.extract(path, cancel)
    else:
        result = fulltext.extract_text(path, timeout=timeout, cancel=cancel, argv=argv)
    repo.pdfs.set_text(
        paper_id, record.sha256, result.state, pages=result.pages, texts=result.texts
    )
    return result


# ----------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class PdfReady:
    """A paper's PDF is in the cache (``fetched``: downloaded just now)."""

    paper_id: str
    path: Path
    fetched: bool
    size: int
    prune: PruneReport | None = None
    changes_library: bool = False
    attached: bool = False  # a file the user gave, not a download

    def describe(self) -> str:
        if self.attached:
            return f"Attached {self.path.name} as the PDF of {self.paper_id}."
        if not self.fetched:
            return f"The PDF of {self.paper_id} is in the cache."
        return f"Downloaded the PDF of {self.paper_id} ({self.size / (1024 * 1024):.1f} MB)."


@dataclass(frozen=True)
class TextExtracted:
    """The text of cached PDFs, extracted and indexed (``results``: paper id → how it went)."""

    results: tuple[tuple[str, Extraction], ...] = ()
    changes_library: bool = False

    def describe(self) -> str:
        if len(self.results) == 1:
            paper_id, result = self.results[0]
            return f"{paper_id}: {result.describe()}"
        indexed = sum(1 for _p, r in self.results if r.state == "indexed")
        other = len(self.results) - indexed
        text = f"Indexed the text of {indexed} PDF{'s' if indexed != 1 else ''}"
        return text + (f"; {other} without searchable text." if other else ".")


@dataclass(frozen=True)
class LibraryPdfsFetched:
    """What the background download of the library's PDFs did: the papers fetched, those that
    failed (with the message), those not tried (after going offline or a rate limit, or a
    cancel), and the quota applied afterwards."""

    fetched: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    not_tried: tuple[str, ...] = ()
    already: int = 0
    stopped: str = ""  # why the rest was not tried
    prune: PruneReport | None = None
    changes_library: bool = False
    remaining: int = 0  # missing papers left for a later batch (``limit``)

    def describe(self) -> str:
        n = len(self.fetched)
        parts = [f"Downloaded {n} PDF{'s' if n != 1 else ''} of your library"]
        if self.already:
            parts.append(f"{self.already} already cached")
        if self.failed:
            parts.append(f"{len(self.failed)} failed ({self.failed[0][0]}: {self.failed[0][1]})")
        if self.not_tried:
            parts.append(f"{len(self.not_tried)} not tried: {self.stopped}")
        return "; ".join(parts) + "."


# ----------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class DownloadPdf:
    """Download one paper's PDF unless its current version is cached, then apply the quota
    (never evicting this one). Progress is ``(bytes so far, total bytes or 0)``."""

    paper_id: str

    @property
    def title(self) -> str:
        return f"Downloading the PDF of {self.paper_id}"

    def describe_progress(self, done: int, total: int) -> str:
        """The status bar's progress: megabytes so far, of how many when known."""
        mb = 1024 * 1024
        return f"{done / mb:.1f} of {total / mb:.1f} MB" if total else f"{done / mb:.1f} MB"

    def run(self, ctx: JobContext) -> PdfReady:
        cache = cache_of(ctx.repo)
        got: Downloaded = cache.download(
            ctx.repo,
            ctx.network().http,
            ctx.settings.effective().pdf_url,
            self.paper_id,
            cancel=ctx.cancel,
            progress=ctx.progress,
        )
        ctx.repo.pdfs.touch(self.paper_id)
        report = cache.prune(ctx.repo, ctx.settings.pdf_quota_bytes, keep={self.paper_id})
        return PdfReady(self.paper_id, got.path, got.fetched, got.size, report)


@dataclass(frozen=True)
class PdfsHeld:
    """The papers whose PDF (of their current version) is in the cache — the window marks
    their cards — and whether a PDF's text waits to be read."""

    paper_ids: frozenset[str]
    text_pending: bool = False
    changes_library: bool = False

    def describe(self) -> str:
        return f"{len(self.paper_ids)} PDFs downloaded"


@dataclass(frozen=True)
class ListPdfs:
    """Which papers have a downloaded PDF (a read: runs beside a fetch)."""

    title: str = "Listing the downloaded PDFs"

    def run(self, ctx: JobContext) -> PdfsHeld:
        pdfs = ctx.repo.pdfs  # an older version than the paper's is not held: p downloads
        return PdfsHeld(frozenset(pdfs.current_ids()), bool(pdfs.pending(1)))


@dataclass(frozen=True)
class AttachPdf:
    """Keep a PDF file the user gave (dropped onto a paper) as that paper's PDF, replacing
    any it had, and apply the quota (never to this one). Its text is read by a separate
    :class:`ExtractText`: cancelling that leaves the attached file in place, and cancelling
    this before the copy leaves the old one."""

    paper_id: str
    source: Path

    @property
    def title(self) -> str:
        return f"Attaching {self.source.name} to {self.paper_id}"

    def run(self, ctx: JobContext) -> PdfReady:
        check_cancel(ctx.cancel)
        cache = cache_of(ctx.repo)
        path = cache.attach(ctx.repo, self.paper_id, self.source)
        ctx.repo.pdfs.touch(self.paper_id)
        report = cache.prune(ctx.repo, ctx.settings.pdf_quota_bytes, keep={self.paper_id})
        return PdfReady(self.paper_id, path, False, path.stat().st_size, report, attached=True)


@dataclass(frozen=True)
class FulltextFound:
    """The papers whose cached PDF's text matched ``text``, best first (one hit each)."""

    text: str
    hits: tuple[FulltextHit, ...]
    searchable: int  # cached PDFs whose text is in the index
    cached: int  # cached PDFs in all
    changes_library: bool = False
    error: str = ""  # why nothing could be searched (the library busy, unreadable)

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(hit.paper_id for hit in self.hits)

    def describe(self) -> str:
        n = len(self.hits)
        return f"{n} paper{'s' if n != 1 else ''} with “{self.text}” in their PDF"


@dataclass(frozen=True)
class SearchFulltext:
    """Search the text of the cached PDFs (a read: runs beside a fetch)."""

    text: str
    limit: int = 500
    title: str = "Searching the text of your PDFs"

    def run(self, ctx: JobContext) -> FulltextFound:
        try:
            records = ctx.repo.pdfs.all()
            hits = ctx.repo.pdfs.search(self.text, self.limit) if self.text.strip() else []
        except AppError as exc:  # a read job's failure would be silent: it is the answer
            return FulltextFound(self.text, (), 0, 0, error=exc.message)
        searchable = sum(1 for r in records if r.searchable)
        return FulltextFound(self.text, tuple(hits), searchable, len(records))


@dataclass(frozen=True)
class ExtractText:
    """Extract and index the text of one paper's cached PDF (time-limited)."""

    paper_id: str
    timeout: float = fulltext.TIMEOUT_S

    @property
    def title(self) -> str:
        return f"Reading the text of {self.paper_id}"

    def run(self, ctx: JobContext) -> TextExtracted:
        result = index_text(ctx.repo, self.paper_id, cancel=ctx.cancel, timeout=self.timeout)
        return TextExtracted(((self.paper_id, result),) if result is not None else ())


@dataclass(frozen=True)
class ExtractPendingText:
    """Extract the text of every cached PDF still waiting for it; progress ``(done, total)``."""

    title: str = "Indexing the text of cached PDFs"
    timeout: float = fulltext.TIMEOUT_S

    def run(self, ctx: JobContext) -> TextExtracted:
        return TextExtracted(
            tuple(extract_pending(ctx.repo, cancel=ctx.cancel, progress=ctx.progress))
        )


def extract_pending(
    repo: Repository,
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    timeout: float = fulltext.TIMEOUT_S,
) -> list[tuple[str, Extraction]]:
    """Index every cached PDF whose text is pending; stops (keeping what was done) on cancel."""
    pending = repo.pdfs.pending(limit=1_000_000)
    done: list[tuple[str, Extraction]] = []
    if not pending:
        return done
    with fulltext.Extractor(timeout=timeout) as extractor:
        for index, paper_id in enumerate(pending):
            if cancel is not None and cancel.is_set():
                break
            try:
                result = index_text(repo, paper_id, cancel=cancel, extractor=extractor)
            except CancelledError:
                break
            if result is not None:
                done.append((paper_id, result))
            if progress is not None:
                progress(index + 1, len(pending))
    return done


@dataclass(frozen=True)
class PrunePdfs:
    """Apply the PDF cache's quota now (``quota`` bytes; None: the preference)."""

    quota: int | None = None
    title: str = "Applying the PDF cache's quota"

    def run(self, ctx: JobContext) -> PruneReport:
        quota = ctx.settings.pdf_quota_bytes if self.quota is None else self.quota
        return cache_of(ctx.repo).prune(ctx.repo, quota)


@dataclass(frozen=True)
class FetchLibraryPdfs:
    """Download the PDFs of the starred, saved and tagged papers that are not cached (each
    then indexed), then apply the quota. Progress is ``(papers done, papers to fetch)``."""

    title: str = "Downloading the PDFs of your library"
    extract: bool = field(default=True)
    limit: int | None = None  # at most this many papers (the window goes in batches)
    skip: frozenset[str] = frozenset()  # papers not to ask for (failed before)

    def describe_progress(self, done: int, total: int) -> str:
        return f"{done} of {total} papers"

    def run(self, ctx: JobContext) -> LibraryPdfsFetched:
        return fetch_library(
            ctx.repo,
            lambda: ctx.network().http,
            ctx.settings.effective().pdf_url,
            ctx.settings.pdf_quota_bytes,
            cancel=ctx.cancel,
            progress=ctx.progress,
            extract=self.extract,
            limit=self.limit,
            skip=self.skip,
        )


def fetch_library(
    repo: Repository,
    http: HttpFactory,
    base_url: str,
    quota: int,
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    extract: bool = True,
    limit: int | None = None,
    skip: frozenset[str] = frozenset(),
) -> LibraryPdfsFetched:
    """The work of :class:`FetchLibraryPdfs` (the command line's ``pdf --fetch-library``).

    Each download gets the whole time budget of one fetch. Going offline, a rate limit or a
    full disk stops the rest (reported as not tried); another failure is reported and the
    next paper is tried. Cancelling keeps what was done. With ``limit``, only the first
    ``limit`` papers missing are tried (the rest are counted in ``remaining``); papers in
    ``skip`` are not (they failed before)."""
    cache = cache_of(repo)
    kept = [p for p in repo.pdfs.kept_papers() if p not in skip]
    missing = [p for p in kept if cache.cached(repo, p) is None]
    already = len(kept) - len(missing)
    wanted = missing if limit is None else missing[:limit]
    fetched: list[str] = []
    failed: list[tuple[str, str]] = []
    stopped = ""
    not_tried: tuple[str, ...] = ()
    with fulltext.Extractor() as extractor:
        for i, paper_id in enumerate(wanted):
            if cancel is not None and cancel.is_set():
                stopped, not_tried = "cancelled", tuple(wanted[i:])
                break
            client = http()
            client.start_budget()
            try:
                cache.download(repo, client, base_url, paper_id, cancel=cancel)
            except CancelledError:
                stopped, not_tried = "cancelled", tuple(wanted[i:])
                break
            except (OfflineError, RateLimitedError) as exc:
                failed.append((paper_id, exc.message))
                stopped, not_tried = exc.message, tuple(wanted[i + 1 :])
                break
            except (FetchError, NotFoundError, InvalidInputError) as exc:
                # This paper's: gone from arXiv (404), deleted meanwhile, not a PDF.
                failed.append((paper_id, exc.message))
            except AppError as exc:  # a full disk, an unwritable folder: the rest would fail
                failed.append((paper_id, exc.message))
                stopped, not_tried = exc.message, tuple(wanted[i + 1 :])
                break
            else:
                fetched.append(paper_id)
                if extract:
                    try:
                        index_text(repo, paper_id, cancel=cancel, extractor=extractor)
                    except CancelledError:
                        stopped, not_tried = "cancelled", tuple(wanted[i + 1 :])
                        break
            if progress is not None:
                progress(i + 1, len(wanted))
    report = cache.prune(repo, quota)
    return LibraryPdfsFetched(
        tuple(fetched),
        tuple(failed),
        not_tried,
        already,
        stopped,
        report,
        remaining=len(missing) - len(wanted),
    )
