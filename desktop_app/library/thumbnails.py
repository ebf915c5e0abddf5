"""Paper thumbnails: downloaded once, checked, and kept on disk beside the library.

Hugging Face gives each paper a thumbnail URL (``Paper.thumbnail``, on
``cdn-thumbnails.huggingface.co``). The window's cards show it; this module is the Qt-free
part: where a thumbnail lives (``<data dir>/thumbnails/<sha256 of the URL>.<ext>``), which URLs
may be fetched (http and https only), what counts as an image (PNG, JPEG, GIF or WebP by their
signature, of a sane size in bytes and pixels: an HTML error page, a huge file or random bytes
are refused), and the fetch itself, which writes atomically (a temporary file renamed into
place) so a half-written file is never read.

A thumbnail that could not be had for good (a 404, something that is not an image, too large,
undecodable) is remembered as failed (``<sha>.failed``, holding the reason) and asked for again
only after :data:`RETRY_FAILED_AFTER_S`, so a broken URL costs one request, not one per
repaint. A failure that says nothing about the URL (offline, a timeout, a rate limit, a server
error) is only reported as ``transient``: the window waits a while before asking again.

The caller may pass ``prepare``, which turns the downloaded bytes into what is stored (the
window shrinks the picture to card size there, in the worker thread) and returns ``None`` for
bytes that do not decode.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.errors import (
    AppError,
    CancelledError,
    CancelToken,
    FetchTimeoutError,
    OfflineError,
    RateLimitedError,
    ServerError,
)
from desktop_app.safetext import is_http_url

if TYPE_CHECKING:
    from desktop_app.library.jobs import JobContext
    from desktop_app.sources.http import HttpClient

DIRECTORY = "thumbnails"
MAX_BYTES = 4 * 1024 * 1024  # HF's social thumbnails are ~100-300 kB
MAX_SIDE = 4096  # pixels; more is no thumbnail (and decoding it would cost memory)
RETRY_FAILED_AFTER_S = 7 * 24 * 3600
STORED_EXT = "jpg"  # what ``prepare`` writes; without it, the image's own format is kept

# Turns the downloaded image into the bytes to store and their extension; None: not an image.
Prepare = Callable[[bytes], tuple[bytes, str] | None]


def cache_dir(data_dir: Path) -> Path:
    return data_dir / DIRECTORY


def is_fetchable(url: str | None) -> bool:
    """Only absolute http(s) URLs with a host are fetched (never ``file:``, ``data:``…)."""
    return is_http_url(url)


def cache_key(url: str) -> str:
    """The file name stem of ``url``'s thumbnail: the SHA-256 of the URL."""
    return hashlib.sha256(url.strip().encode("utf-8", "surrogatepass")).hexdigest()


def stored_path(directory: Path, url: str, ext: str = STORED_EXT) -> Path:
    return directory / f"{cache_key(url)}.{ext}"


def failed_path(directory: Path, url: str) -> Path:
    return directory / f"{cache_key(url)}.failed"


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """``(extension, width, height)`` of a PNG, JPEG, GIF or WebP image from its header, or
    None for anything else (an HTML page, JSON, SVG, truncated or random bytes). A size of 0
    means the header does not say it (checked when the picture is decoded)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "gif", width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", 0, 0
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", *_jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """The frame size of a JPEG (its first SOF marker), or (0, 0) when it is not found."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return 0, 0
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return 0, 0


def check_image(data: bytes) -> str | None:
    """Why ``data`` is not an acceptable thumbnail, or None when it is."""
    if len(data) > MAX_BYTES:
        return f"larger than {MAX_BYTES // (1024 * 1024)} MB"
    info = image_info(data)
    if info is None:
        return "not a PNG, JPEG, GIF or WebP image"
    _ext, width, height = info
    if width > MAX_SIDE or height > MAX_SIDE:
        return f"{width}×{height} pixels is too large for a thumbnail"
    return None


@dataclass(frozen=True)
class ThumbnailOutcome:
    """What became of one URL: ``path`` of the stored file, or ``error`` saying why not
    (``transient``: the network's fault, worth another try later)."""

    url: str
    path: Path | None = None
    error: str | None = None
    transient: bool = False
    offline: bool = False  # no network at all: the rest of a batch need not be tried


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _recently_failed(directory: Path, url: str, now: float) -> str | None:
    marker = failed_path(directory, url)
    try:
        if now - marker.stat().st_mtime < RETRY_FAILED_AFTER_S:
            return marker.read_text(encoding="utf-8", errors="replace") or "failed before"
    except OSError:
        pass
    return None


def find_stored(directory: Path, url: str) -> Path | None:
    """The stored thumbnail of ``url``, whatever its extension, or None."""
    for ext in (STORED_EXT, "png", "gif", "webp"):
        path = stored_path(directory, url, ext)
        if path.is_file():
            return path
    return None


def fetch_thumbnail(
    http: Callable[[], HttpClient],
    url: str,
    directory: Path,
    *,
    prepare: Prepare | None = None,
    cancel: CancelToken | None = None,
    now: float | None = None,
) -> ThumbnailOutcome:
    """Download ``url``'s thumbnail into ``directory`` unless it is there (or failed lately).

    ``http`` gives the thread's HTTP client; it is called only when a download is needed.

    Network errors, non-images and pictures ``prepare`` cannot decode are returned as the
    outcome's ``error`` (and remembered as failed), never raised; cancelling raises
    :class:`CancelledError`.
    """
    if not is_fetchable(url):
        return ThumbnailOutcome(url, error="not an http(s) URL")
    found = find_stored(directory, url)
    if found is not None:
        return ThumbnailOutcome(url, path=found)
    now = time.time() if now is None else now
    failed = _recently_failed(directory, url, now)
    if failed is not None:
        return ThumbnailOutcome(url, error=failed)
    try:
        response = http().get(url, expect="image", cancel=cancel, max_bytes=MAX_BYTES)
        data = response.content
        problem = check_image(data)
        stored: tuple[bytes, str] | None = None
        if problem is None:
            info = image_info(data)
            stored = prepare(data) if prepare is not None else (data, info[0] if info else "")
            if stored is None:
                problem = "the image cannot be decoded"
    except CancelledError:
        raise
    except (OfflineError, FetchTimeoutError, RateLimitedError, ServerError) as exc:
        offline = isinstance(exc, OfflineError)
        return ThumbnailOutcome(url, error=exc.message, transient=True, offline=offline)
    except AppError as exc:
        problem = exc.message
    if problem is not None or stored is None:
        reason = problem or "not an image"
        with contextlib.suppress(OSError):
            write_atomically(failed_path(directory, url), reason.encode())
        return ThumbnailOutcome(url, error=reason)
    content, ext = stored
    path = stored_path(directory, url, ext)
    try:
        write_atomically(path, content)
    except OSError as exc:
        return ThumbnailOutcome(url, error=f"cannot write {path.name}: {exc.strerror}")
    with contextlib.suppress(OSError):
        failed_path(directory, url).unlink(missing_ok=True)
    return ThumbnailOutcome(url, path=path)


@dataclass(frozen=True)
class ThumbnailsFetched:
    """What became of each thumbnail asked for (see :mod:`desktop_app.library.thumbnails`)."""

    outcomes: tuple[ThumbnailOutcome, ...]
    changes_library: bool = False

    def describe(self) -> str:
        stored = sum(1 for o in self.outcomes if o.path is not None)
        return f"{stored} of {len(self.outcomes)} thumbnails stored."


@dataclass(frozen=True)
class FetchThumbnails:
    """A job (see :mod:`desktop_app.library.jobs`): download thumbnails into ``directory``,
    each once (:func:`fetch_thumbnail`). Without a network the rest of the batch is not
    tried: each is reported as a transient failure."""

    urls: tuple[str, ...]
    directory: Path
    prepare: Prepare | None = field(default=None, compare=False)
    title: str = "Fetching thumbnails"

    def run(self, ctx: JobContext) -> ThumbnailsFetched:
        outcomes: list[ThumbnailOutcome] = []
        offline: str | None = None
        for url in self.urls:
            if ctx.cancel.is_set():
                break
            if offline is not None:  # one "cannot connect" answers for the whole batch
                outcomes.append(ThumbnailOutcome(url, error=offline, transient=True))
                continue
            try:
                outcome = fetch_thumbnail(
                    lambda: ctx.network().http,
                    url,
                    self.directory,
                    prepare=self.prepare,
                    cancel=ctx.cancel,
                )
            except CancelledError:  # on quit: what was stored is reported, the rest not
                break
            outcomes.append(outcome)
            if outcome.offline:
                offline = outcome.error
        return ThumbnailsFetched(tuple(outcomes))
