"""The PDF cache: papers' PDFs downloaded once, checked, and kept beside the library.

One file per paper and arXiv version, ``<data dir>/pdfs/<id>v<N>.pdf`` (``<id>.pdf`` when the
version is not known; ``/`` of old-style ids becomes ``_``), recorded in the library
(:mod:`desktop_app.store.pdfs`). A download goes through the HTTP client (timeouts, retries,
429 and ``Retry-After``, cancel, the fetch budget) and streams into a temporary file beside the
target, which is renamed into place only once it is complete and is a PDF: an HTML page, an
empty or cut-off answer, or a file over :data:`MAX_BYTES` is refused with a message saying
so, and nothing is kept. A full disk leaves no partial file either.

The PDF host is ``pdf_url`` in the settings (``DAILY_PAPERS_PDF_URL`` overrides it; default
``https://arxiv.org``), asked for ``/pdf/<id>v<N>`` (``/pdf/<id>`` without a version).

A newer version of a paper (``Paper.version`` went up) makes its cached file stale:
:meth:`PdfCache.cached` no longer returns it, and the next download replaces the file, its
record and its text. The quota (``pdf_quota_mb``) is applied by :meth:`PdfCache.prune`: the
least recently read PDFs of papers the user does not keep (starred, saved or tagged) go first;
files the library does not know (a deleted paper's) go always.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from desktop_app.domain import LOCAL_ID_PREFIX
from desktop_app.errors import AppError, BadResponseError, InvalidInputError
from desktop_app.store.pdfs import PdfFile

if TYPE_CHECKING:
    from desktop_app.errors import CancelToken
    from desktop_app.sources.http import HttpClient
    from desktop_app.store import Repository

DIRECTORY = "pdfs"
MAX_BYTES = 100 * 1024 * 1024  # arXiv caps submissions at 50 MB; more is not a paper
ATTEMPT_TIMEOUT_S = 600.0  # one download attempt (a large file over a slow line)
TAIL_BYTES = 4096  # where a complete PDF's "%%EOF" marker must be (trailing junk allowed)
STALE_TEMP_S = 3600.0  # a temporary file this old is a crashed download's: prune removes it
_TEMP_PREFIX = ".tmp-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

Progress = Callable[[int, int], None]


def pdf_problem(head: bytes, tail: bytes, size: int, limit: int = MAX_BYTES) -> str | None:
    """Why a file that begins with ``head`` and ends with ``tail`` is not an acceptable PDF,
    or None. ``size`` is its length in bytes."""
    if size == 0 or not head.strip():
        return "it is empty"
    if size > limit:
        return f"it is larger than {limit // (1024 * 1024)} MB"
    from desktop_app.sources.http import looks_like_html  # (requests: not at the window's start)

    if looks_like_html(head):
        return "it is a web page, not a PDF"
    if b"%PDF-" not in head[:1024]:
        return "it is not a PDF"
    if b"%%EOF" not in tail[-TAIL_BYTES:]:
        return "it is incomplete (cut off before its end)"
    return None


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a whole PDF by its header and end marker."""
    return pdf_problem(data[:1024], data[-TAIL_BYTES:], len(data)) is None


def file_problem(path: Path, limit: int = MAX_BYTES) -> str | None:
    """:func:`pdf_problem` for a file on disk."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read(TAIL_BYTES)
    return pdf_problem(head, tail, size, limit)


def file_name(paper_id: str, version: int | None) -> str:
    """The cache's name for a paper's PDF: ``2401.00001v2.pdf``, ``hep-th_9901001.pdf``."""
    stem = _UNSAFE.sub("_", paper_id)
    return f"{stem}v{version}.pdf" if version else f"{stem}.pdf"


def pdf_url(base_url: str, paper_id: str, version: int | None) -> str:
    """Where a paper's PDF is asked for: ``<base>/pdf/<id>[vN]``."""
    return f"{base_url.rstrip('/')}/pdf/{paper_id}" + (f"v{version}" if version else "")


def disk_full(path: Path) -> AppError:
    return AppError(
        f"The disk holding the PDF cache ({path}) is full; nothing was kept.",
        hint="Free some space (or lower the PDF cache's quota) and try again.",
    )


class _TempSink:
    """The download's temporary file: restarted on each attempt, hashed as it is written."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.size = 0
        self.sha = hashlib.sha256()

    def restart(self) -> None:
        self.fh.seek(0)
        self.fh.truncate()
        self.size = 0
        self.sha = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.fh.write(chunk)
        self.sha.update(chunk)
        self.size += len(chunk)


@dataclass(frozen=True)
class Downloaded:
    """A paper's PDF in the cache: where, and whether it was fetched now (or was there)."""

    paper_id: str
    path: Path
    fetched: bool
    size: int


@dataclass(frozen=True)
class PruneReport:
    """What applying the quota did: the papers whose PDFs went, the bytes freed and left, and
    the files the library did not know (removed too)."""

    evicted: tuple[str, ...] = ()
    freed: int = 0
    remaining: int = 0
    quota: int = 0
    strays: int = 0
    changes_library: bool = False  # a job's outcome (library/jobs.py): no view changes

    @property
    def over_quota(self) -> bool:
        """Still over: the PDFs of kept papers alone are more than the quota."""
        return self.remaining > self.quota

    def describe(self) -> str:
        mb = 1024 * 1024
        parts = []
        if self.evicted:
            n = len(self.evicted)
            parts.append(f"Removed {n} PDF{'s' if n != 1 else ''} ({self.freed / mb:.1f} MB)")
        else:
            parts.append("No PDF removed")
        if self.strays:
            parts.append(f"{self.strays} stray file{'s' if self.strays != 1 else ''} removed")
        text = "; ".join(parts) + f"; the cache holds {self.remaining / mb:.1f} MB"
        text += f" of {self.quota / mb:.0f} MB."
        if self.over_quota:
            text += " The PDFs of starred, saved and tagged papers alone exceed the quota."
        return text


class PdfCache:
    """The PDF files of a data folder (see the module docstring)."""

    def __init__(self, data_dir: Path, max_bytes: int = MAX_BYTES) -> None:
        self.directory = Path(data_dir) / DIRECTORY
        self.max_bytes = max_bytes

    def path_for(self, paper_id: str, version: int | None) -> Path:
        return self.directory / file_name(paper_id, version)

    def cached(self, repo: Repository, paper_id: str) -> Path | None:
        """The file of the paper's current version, if it is in the cache. A record whose
        file is gone is forgotten (with its text)."""
        record = repo.pdfs.get(paper_id)
        if record is None:
            return None
        path = self.directory / record.file
        if not path.is_file():
            repo.pdfs.remove([paper_id])
            return None
        return None if self.stale(repo, record) else path

    def stale(self, repo: Repository, record: PdfFile) -> bool:
        """Whether the paper has a newer version than the cached file."""
        paper = repo.find(record.paper_id)
        return paper is not None and paper.version is not None and record.version != paper.version

    # ------------------------------------------------------------------ downloading
    def download(
        self,
        repo: Repository,
        http: HttpClient,
        base_url: str,
        paper_id: str,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> Downloaded:
        """The paper's PDF, downloaded unless the current version is cached.

        Raises :class:`~desktop_app.errors.FetchError` (network faults, and answers that are
        no complete PDF, with the reason), :class:`AppError` for a full disk,
        :class:`CancelledError`; in every case no file is left behind and the library is as
        it was.
        """
        from desktop_app.sources.http import host_of  # (requests: loaded when first needed)

        paper = repo.get(paper_id)
        if paper.id.startswith(LOCAL_ID_PREFIX):
            raise InvalidInputError(
                f"{paper_id} is no arXiv paper, so there is no PDF to download.",
                hint="Drop a PDF file onto it in the window to keep one.",
            )
        found = self.cached(repo, paper_id)
        if found is not None:
            return Downloaded(paper_id, found, False, found.stat().st_size)
        url = pdf_url(base_url, paper_id, paper.version)
        target = self.path_for(paper_id, paper.version)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.directory, prefix=_TEMP_PREFIX, suffix=".pdf")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                sink = _TempSink(fh)
                http.download(
                    url,
                    sink,
                    max_bytes=self.max_bytes,
                    cancel=cancel,
                    progress=progress,
                    attempt_timeout=ATTEMPT_TIMEOUT_S,
                )
                fh.flush()
                os.fsync(fh.fileno())
            problem = file_problem(tmp, self.max_bytes)
            if problem is not None:
                raise BadResponseError(
                    f"{host_of(url)} sent no usable PDF for {paper_id}: {problem}; "
                    "nothing was kept.",
                    hint="Try again later; if it persists, check the PDF address in "
                    "Preferences (pdf_url).",
                )
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full(self.directory) from exc
            raise AppError(
                f"Could not write the PDF of {paper_id} into {self.directory}: "
                f"{exc.strerror or exc}; nothing was kept.",
                hint="Check the folder's permissions and free space.",
            ) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._record(repo, paper_id, paper.version, target, sink.size, sink.sha.hexdigest())
        return Downloaded(paper_id, target, True, sink.size)

    def _record(
        self,
        repo: Repository,
        paper_id: str,
        version: int | None,
        path: Path,
        size: int,
        sha256: str,
    ) -> None:
        """Record ``path`` as the paper's PDF (its text to extract), deleting the file it
        replaces; a failure to record deletes ``path`` instead."""
        try:
            old = repo.pdfs.record(
                paper_id, version=version, file=path.name, size=size, sha256=sha256
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if old is not None and old.file != path.name:
            with contextlib.suppress(OSError):
                (self.directory / old.file).unlink(missing_ok=True)

    def attach(self, repo: Repository, paper_id: str, source: Path) -> Path:
        """Keep the PDF file ``source`` as the paper's (a PDF dropped onto it): checked, copied
        atomically into the cache, replacing any file it had. Raises InvalidInputError for a
        file that is no PDF, AppError when it cannot be copied."""
        paper = repo.get(paper_id)
        source = Path(source)
        try:
            if not source.is_file():
                raise InvalidInputError(f"{source} is not a file.")
            problem = file_problem(source, self.max_bytes)
        except OSError as exc:
            raise InvalidInputError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
        if problem is not None:
            raise InvalidInputError(f"{source.name} cannot be kept as a PDF: {problem}.")
        target = self.path_for(paper_id, paper.version)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.directory, prefix=_TEMP_PREFIX, suffix=".pdf")
        tmp = Path(tmp_name)
        sha = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(1024 * 1024):
                    out.write(chunk)
                    sha.update(chunk)
                out.flush()
                os.fsync(out.fileno())
            size = tmp.stat().st_size
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full(self.directory) from exc
            raise AppError(f"Could not copy {source.name}: {exc.strerror or exc}.") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._record(repo, paper_id, paper.version, target, size, sha.hexdigest())
        return target

    # ------------------------------------------------------------------ removing
    def evict(self, repo: Repository, paper_ids: Collection[str]) -> list[PdfFile]:
        """Remove those papers' PDFs and their text; returns the records removed."""
        removed = repo.pdfs.remove(list(paper_ids))
        for record in removed:
            with contextlib.suppress(OSError):
                (self.directory / record.file).unlink(missing_ok=True)
        return removed

    def prune(
        self, repo: Repository, quota_bytes: int, *, keep: Collection[str] = ()
    ) -> PruneReport:
        """Apply the quota: remove files the library does not know, then, while the cache
        holds more than ``quota_bytes``, the PDF least recently read of a paper the user
        does not keep (starred, saved, tagged) and that is not in ``keep`` (the one being
        opened)."""
        records = repo.pdfs.all()  # least recently read first
        strays = self._remove_strays({r.file for r in records})
        kept = repo.pdfs.kept() | set(keep)
        total = sum(r.size for r in records)
        victims: list[str] = []
        freed = 0
        for record in records:
            if total - freed <= quota_bytes:
                break
            if record.paper_id in kept:
                continue
            victims.append(record.paper_id)
            freed += record.size
        if victims:
            self.evict(repo, victims)
        return PruneReport(tuple(victims), freed, total - freed, quota_bytes, strays)

    def _remove_strays(self, known: set[str]) -> int:
        """Delete the folder's files no record names (and old temporary files)."""
        if not self.directory.is_dir():
            return 0
        removed = 0
        now = time.time()
        for entry in self.directory.iterdir():
            if entry.name in known or not entry.is_file():
                continue
            with contextlib.suppress(OSError):
                if entry.name.startswith(_TEMP_PREFIX):
                    if now - entry.stat().st_mtime < STALE_TEMP_S:
                        continue  # a download in progress
                elif entry.suffix != ".pdf":
                    continue  # not ours
                entry.unlink()
                removed += 1
        return removed

    def usage(self, repo: Repository) -> int:
        """Bytes the cached PDFs take, as recorded."""
        return repo.pdfs.total_size()
