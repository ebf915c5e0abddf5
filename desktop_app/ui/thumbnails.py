"""The cards' thumbnails on the GUI side: painted from disk, asked for when missing.

The delegate asks :meth:`ThumbnailCache.pixmap` for each row it paints. A thumbnail stored on
disk (small: the worker shrank it to card size) is read, scaled once to the card's box and kept
in Qt's ``QPixmapCache``; one that is missing is asked for — the rows painted, so only the
visible ones — and the requests of a moment are gathered into one job on the media worker
(each URL once: asked-for URLs are remembered until their answer comes). When it comes,
:attr:`ThumbnailCache.ready` names the papers whose rows should be repainted. A URL that
failed is not asked for again this session (a network failure: not for a few minutes), and
the job remembers lasting failures on disk (see :mod:`desktop_app.library.thumbnails`).

Nothing here touches the network or decodes a large picture on the GUI thread: downloading,
checking and shrinking run in the worker (:func:`shrink_image` uses ``QImage``, which, unlike
``QPixmap``, may be used off the GUI thread).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPixmap, QPixmapCache

from desktop_app.library.thumbnails import (
    MAX_SIDE,
    STORED_EXT,
    FetchThumbnails,
    ThumbnailsFetched,
    cache_key,
    find_stored,
    is_fetchable,
)

# What is stored: twice the card's box, so it stays sharp on a high-density screen.
STORED_SIZE = QSize(320, 180)
RETRY_TRANSIENT_S = 300.0


def shrink_image(data: bytes) -> tuple[bytes, str] | None:
    """``data`` decoded and shrunk to :data:`STORED_SIZE` as JPEG (transparency laid on
    white), or None when it does not decode or is too large. Runs in the worker thread."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and (size.width() > MAX_SIDE or size.height() > MAX_SIDE):
        return None
    image = reader.read()
    if image.isNull() or image.width() > MAX_SIDE or image.height() > MAX_SIDE:
        return None
    if image.width() > STORED_SIZE.width() or image.height() > STORED_SIZE.height():
        image = image.scaled(
            STORED_SIZE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.11 takes the format as str; its stubs say bytes (which raise ValueError).
    if not flat.save(out, "JPG", 85):  # type: ignore[call-overload]
        return None
    return bytes(out.data().data()), STORED_EXT


FetchMedia = Callable[[FetchThumbnails, Callable[[ThumbnailsFetched], None]], int]


class ThumbnailCache(QObject):
    """Thumbnails for the delegate: from memory, from disk, or asked for.

    Signals:
        ready(list): ids of papers whose thumbnail has just been stored (repaint their rows).
    """

    ready = Signal(list)
    BATCH = 24  # URLs per job
    GATHER_MS = 40  # requests of one paint (and a few scroll steps) go in one job

    def __init__(self, directory: Path, fetch: FetchMedia, parent: Any = None) -> None:
        super().__init__(parent)
        self.directory = directory
        # QPixmapCache is shared by the process: keys name the folder the picture came from.
        self._prefix = f"dp-thumb:{directory}:"
        self._fetch = fetch
        self._wanted: dict[str, set[str]] = {}  # url → paper ids, for the next job
        self._pending: dict[str, set[str]] = {}  # url → paper ids, asked for
        self._retry_after: dict[str, float] = {}  # url → monotonic time (inf: never again)
        self._in_flight = False
        self.jobs = 0  # how many jobs were started (tests, the benchmark)
        self.loaded = 0  # how many pictures were read from disk
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.GATHER_MS)
        self._timer.timeout.connect(self.on_timer_timeout)

    def pixmap(self, paper_id: str, url: str, box: QSize, ratio: float) -> QPixmap | None:
        """The thumbnail of ``url`` scaled to fit ``box`` (in device-independent pixels) for a
        screen of pixel ratio ``ratio``; None when it is not stored (it is then asked for)."""
        key = f"{self._prefix}{cache_key(url)}:{box.width()}x{box.height()}@{ratio:g}"
        cached = QPixmap()
        if QPixmapCache.find(key, cached):
            return cached
        if url in self._pending or url in self._wanted:
            self._pending.get(url, self._wanted.get(url, set())).add(paper_id)
            return None
        if self._retry_after.get(url, 0.0) > time.monotonic():
            return None
        path = find_stored(self.directory, url)
        if path is None:
            self._want(url, paper_id)
            return None
        # Decoded straight at the box's size (JPEG scales while decoding): the stored file is
        # small already, and this keeps a paint that meets new thumbnails under a millisecond
        # per row.
        reader = QImageReader(str(path))
        size = reader.size()
        if size.isValid():
            size.scale(
                QSize(round(box.width() * ratio), round(box.height() * ratio)),
                Qt.AspectRatioMode.KeepAspectRatio,
            )
            reader.setScaledSize(size)
        image = reader.read()
        if image.isNull():  # damaged on disk: not asked for again this session
            self._retry_after[url] = math.inf
            return None
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        QPixmapCache.insert(key, pixmap)
        self.loaded += 1
        return pixmap

    def _want(self, url: str, paper_id: str) -> None:
        if not is_fetchable(url):
            self._retry_after[url] = math.inf
            return
        self._wanted.setdefault(url, set()).add(paper_id)
        if not self._in_flight and not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> int:
        """URLs asked for or about to be."""
        return len(self._pending) + len(self._wanted)

    @Slot()
    def on_timer_timeout(self) -> None:
        if self._in_flight or not self._wanted:
            return
        urls = list(self._wanted)[: self.BATCH]
        for url in urls:
            self._pending[url] = self._wanted.pop(url)
        self._in_flight = True
        self.jobs += 1
        self._fetch(FetchThumbnails(tuple(urls), self.directory, shrink_image), self.on_fetched)

    def on_fetched(self, result: ThumbnailsFetched) -> None:
        self._in_flight = False
        now = time.monotonic()
        stored: list[str] = []
        answered = set()
        for outcome in result.outcomes:
            answered.add(outcome.url)
            ids = self._pending.pop(outcome.url, set())
            if outcome.path is not None:
                stored.extend(ids)
            else:
                self._retry_after[outcome.url] = (
                    now + RETRY_TRANSIENT_S if outcome.transient else math.inf
                )
        for url in list(self._pending):  # a job stopped early (on quit) left these
            if url not in answered:
                self._pending.pop(url)
                self._retry_after[url] = now + RETRY_TRANSIENT_S
        if stored:
            self.ready.emit(sorted(set(stored)))
        if self._wanted:
            self._timer.start()
