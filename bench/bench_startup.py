"""Start-up and interaction speed of the real main window over a large library.

    python bench/bench_startup.py --n 100000

Builds a library of N synthetic papers (the generator of bench_store.py) with a month of daily
lists, tags, stars and read state, then starts the application's real main window offscreen in
a fresh process and measures, in that process:

- first_paint_ms: from just before the process is spawned to the feed's first paint;
- switch_view_p95_ms: switching sidebar view or typing a search, until the feed has repainted;
- scroll_to_end_ms: scrolling the All papers view from top to bottom (the model keeps only a
  bounded number of papers in memory, reported as cached_papers);
- peak_rss_mib: the window process's peak resident memory.

Every paper has a thumbnail URL and its thumbnail is in the library's cache on disk (as the
worker stores them: JPEG shrunk to card size; hard links to a few dozen distinct pictures, so
100,000 of them take no space), so each card painted reads and scales its picture from disk;
``--no-thumbnails`` measures the cards without them. Nothing is fetched (thumbnail_jobs: 0).
The library also holds 20 saved searches, six of them followed with a followed tag (issue
14): the sidebar counts them with the views, in the worker.

The last line printed is one JSON object. Targets at 100k: first paint <= 1,000 ms, switch p95
<= 100 ms, peak RSS <= 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


THUMBNAIL_URL = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{}.png"
DISTINCT_PICTURES = 48
SAVED_SEARCHES = 20  # issue 14: counting them must not slow start-up


def pictures(count: int) -> list[bytes]:
    """``count`` different thumbnails as the worker stores them (1200×648 pictures, the size
    of Hugging Face's, shrunk by the application's own ``shrink_image``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice, QRect
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter

    from desktop_app.ui.thumbnails import shrink_image

    app = QGuiApplication.instance() or QGuiApplication([])
    out = []
    for k in range(count):
        image = QImage(1200, 648, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        gradient = QLinearGradient(0, 0, 1200, 648)
        gradient.setColorAt(0, QColor.fromHsl(k * 360 // count, 150, 190))
        gradient.setColorAt(1, QColor.fromHsl((k * 360 // count + 70) % 360, 150, 90))
        painter.fillRect(image.rect(), gradient)
        painter.fillRect(QRect(80, 80 + k * 5, 1040, 60), QColor("white"))  # a "title"
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        stored = shrink_image(bytes(buffer.data().data()))
        assert stored is not None
        out.append(stored[0])
    del app
    return out


def build_library(data_dir: Path, n: int, seed: int) -> None:
    from bench_store import Sizes, batches

    from desktop_app.config import db_path
    from desktop_app.domain import DailyAppearance, SavedSearch
    from desktop_app.library.thumbnails import cache_dir, stored_path
    from desktop_app.store import Repository

    repo = Repository.open(db_path(data_dir))
    rng = random.Random(seed)
    ids: list[str] = []
    folder = cache_dir(data_dir)
    folder.mkdir()
    originals = []
    for k, data in enumerate(pictures(DISTINCT_PICTURES)):
        originals.append(folder / f"picture-{k}.jpg")
        originals[-1].write_bytes(data)
    for records in batches(seed, Sizes(n=n, batch=2000)):
        records = [replace(r, thumbnail=THUMBNAIL_URL.format(r.id)) for r in records]
        repo.upsert_papers(records)
        for r in records:
            os.link(originals[len(ids) % len(originals)], stored_path(folder, r.thumbnail or ""))
            ids.append(r.id)
    # A month of weekday lists of ~25 papers each, as Hugging Face would have them.
    day = date.today()
    appearances = []
    chosen = rng.sample(ids, min(len(ids), 25 * 23))
    for k in range(0, len(chosen), 25):
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        appearances += [
            DailyAppearance(pid, day, r + 1) for r, pid in enumerate(chosen[k : k + 25])
        ]
        day -= timedelta(days=1)
    repo.upsert_papers([], appearances)
    tags = ["llm/reasoning", "llm/agents", "vision/diffusion", "vision/video", "rl", "to-read"]
    for tag in tags:
        repo.tag_papers(rng.sample(ids, min(len(ids), 400)), [tag])
    repo.set_starred(rng.sample(ids, min(len(ids), 300)))
    repo.set_read(rng.sample(ids, len(ids) // 3))
    # Saved searches (counted with the views) and followed items (their badges).
    words = ["diffusion", "language model", "transformer", "graph", "reinforcement learning"]
    for k in range(SAVED_SEARCHES):
        repo.follows_store.save_search(
            SavedSearch(
                f"Search {k:02d}",
                text=words[k % len(words)],
                tags=(tags[k % len(tags)],) if k % 3 == 0 else (),
                unread=k % 2 == 0,
                days=30 if k % 4 == 0 else None,
            )
        )
    for k in range(0, SAVED_SEARCHES, 4):
        repo.follows_store.add_follow("search", f"Search {k:02d}")
    repo.follows_store.add_follow("tag", "rl")
    repo.close()


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def probe(data_dir: Path, thumbnails: bool) -> None:
    """Runs in the fresh process: open the window, measure, print one JSON line."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import build_window
    from desktop_app.config import Settings
    from desktop_app.ui.sidebar import ViewSpec
    from desktop_app.ui.theme import apply_theme

    app = QApplication([])
    apply_theme(app, "light")
    settings = Settings(refresh_on_start=False, show_thumbnails=thumbnails)
    window, _controller, host = build_window(data_dir, settings)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    # The offscreen platform has no compositor asking for frames; rendering the window into
    # a pixmap is the same work as its first paint.
    window.grab()
    painted = [time.time()]

    def timed(action) -> float:
        t0 = time.perf_counter()
        action()
        window.feed.viewport().repaint()
        app.processEvents()
        return (time.perf_counter() - t0) * 1000

    specs = [
        ViewSpec("all"),
        ViewSpec("unread"),
        ViewSpec("starred"),
        ViewSpec("saved"),
        ViewSpec("daily"),
        ViewSpec("tag", "llm"),
        ViewSpec("week"),
        ViewSpec("today"),
    ]
    searches = [
        "diffusion",
        "language model",
        "transformer",
        "graph",
        "reinforcement learning",
        "attention",
        "vision language",
        "benchmark",
    ]
    samples = []
    for round_ in range(4):
        for spec in specs:
            samples.append(timed(lambda spec=spec: window.sidebar.select_spec(spec)))
        for text in searches:

            def search(text: str = text) -> None:
                window.navigator.search_box.setText(text)
                window.navigator.on_search_timer_timeout()

            samples.append(timed(search))
        window.navigator.search_box.clear()
        window.navigator.on_search_timer_timeout()
        del round_

    window.sidebar.select_spec(ViewSpec("all"))
    model = window.feed_model
    t0 = time.perf_counter()
    while model.canFetchMore(QModelIndex()):
        window.feed.scrollToBottom()
        app.processEvents()
    window.feed.scrollToBottom()
    window.feed.viewport().repaint()
    app.processEvents()
    scroll_ms = (time.perf_counter() - t0) * 1000
    result = {
        "first_paint_epoch": painted[0],
        "switch_view_p95_ms": round(p95(samples), 1),
        "switch_view_median_ms": round(sorted(samples)[len(samples) // 2], 1),
        "scroll_to_end_ms": round(scroll_ms, 1),
        "rows": model.rowCount(),
        "cached_papers": sum(len(page) for page in model._pages.values()),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "thumbnails_painted": window.delegate.thumbnails.loaded,
        "thumbnail_jobs": window.delegate.thumbnails.jobs,
    }
    host.stop()
    window.repo.close()
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-thumbnails", action="store_true", help="cards without thumbnails (the preference off)"
    )
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, not args.no_thumbnails)
        return
    with tempfile.TemporaryDirectory(prefix="dp-bench-startup-") as tmp:
        data = Path(tmp)
        t0 = time.perf_counter()
        build_library(data, args.n, args.seed)
        print(f"built a library of {args.n:,} papers in {time.perf_counter() - t0:.1f} s")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        flags = ["--no-thumbnails"] if args.no_thumbnails else []
        # One warm-up start, so the figure is not the first read of Qt from a cold disk cache.
        subprocess.run(
            [sys.executable, __file__, "--probe", str(data), *flags],
            env=env,
            capture_output=True,
            check=True,
        )
        spawned = time.time()
        done = subprocess.run(
            [sys.executable, __file__, "--probe", str(data), *flags],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        probe_result = json.loads(done.stdout.strip().splitlines()[-1])
    first_paint_ms = (probe_result.pop("first_paint_epoch") - spawned) * 1000
    print(f"first paint:        {first_paint_ms:8.1f} ms from process start (target <= 1000)")
    print(f"switch view p95:    {probe_result['switch_view_p95_ms']:8.1f} ms (target <= 100)")
    print(
        f"scroll to end:      {probe_result['scroll_to_end_ms']:8.1f} ms over "
        f"{probe_result['rows']:,} rows, {probe_result['cached_papers']:,} papers in memory"
    )
    print(f"peak RSS:           {probe_result['peak_rss_mib']:8.1f} MiB (target <= 300)")
    print(
        f"thumbnails:         {probe_result['thumbnails_painted']:8d} read from disk and painted, "
        f"{probe_result['thumbnail_jobs']} fetches"
    )
    print(
        json.dumps(
            {
                "n": args.n,
                "first_paint_ms": round(first_paint_ms, 1),
                "switch_view_p95_ms": probe_result["switch_view_p95_ms"],
                "scroll_to_end_ms": probe_result["scroll_to_end_ms"],
                "peak_rss_mib": probe_result["peak_rss_mib"],
                "thumbnails": not args.no_thumbnails,
                "thumbnails_painted": probe_result["thumbnails_painted"],
            }
        )
    )


if __name__ == "__main__":
    main()
