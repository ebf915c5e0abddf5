"""Render the main window offscreen over the sample library and save main-window.png.

QT_QPA_PLATFORM=offscreen python resources/screenshots/render.py [--theme light|dark]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zlib
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "resources" / "sample"))

from load import load_sample  # noqa: E402
from PySide6.QtCore import QDate  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.app import build_window  # noqa: E402
from desktop_app.config import Settings, db_path  # noqa: E402
from desktop_app.store import Repository  # noqa: E402
from desktop_app.ui.theme import apply_theme  # noqa: E402


def draw_thumbnails(repo: Repository, data: Path) -> None:
    """Stand-in pictures for the sample papers (Hugging Face's are not reachable offline):
    a title band and a few bars in the paper's own hue, stored where the app caches the
    real ones."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from desktop_app.domain import FeedQuery
    from desktop_app.library.thumbnails import cache_dir, stored_path

    folder = cache_dir(data)
    folder.mkdir(parents=True, exist_ok=True)
    for paper in repo.get_many(repo.ids(FeedQuery())):
        if not paper.thumbnail:
            continue
        hue = int(paper.id.replace(".", "")) * 37 % 360
        image = QImage(320, 180, QImage.Format.Format_RGB32)
        image.fill(QColor("#fbfbfd"))
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(0, 0, 320, 46, QColor.fromHsl(hue, 120, 70))
        p.setPen(QColor("white"))
        font = QFont()
        font.setPixelSize(15)
        font.setBold(True)
        p.setFont(font)
        words = paper.title.split(":")[0][:28]
        p.drawText(QRectF(12, 0, 296, 46), Qt.AlignmentFlag.AlignVCenter, words)
        for i in range(6):
            height = 20 + zlib.crc32(f"{paper.id}/{i}".encode()) % 90
            color = QColor.fromHsl((hue + 40 * (i % 3)) % 360, 150, 150)
            p.fillRect(24 + i * 48, 170 - height, 32, height, color)
        p.end()
        image.save(str(stored_path(folder, paper.thumbnail)), "JPG")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--theme", default="light", choices=["light", "dark"])
    parser.add_argument("--out", default=str(Path(__file__).with_name("main-window.png")))
    parser.add_argument("--day", default="2026-11-25")
    args = parser.parse_args()
    app = QApplication([])
    apply_theme(app, args.theme)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        repo = Repository.open(db_path(data))
        load_sample(repo)
        draw_thumbnails(repo, data)
        repo.set_favourite_tags({1: "to-read", 2: "llm/reasoning"})
        repo.close()
        window, _controller, host = build_window(data, Settings(refresh_on_start=False))
        day = date.fromisoformat(args.day)
        window.resize(1280, 800)
        window.show()
        window.navigator.date_edit.setDate(QDate(day.year, day.month, day.day))
        window.feed.setCurrentIndex(window.feed_model.index(1))
        # Counts arrive from the worker; wait for them so the sidebar is complete.
        done: list[bool] = []
        window.countsUpdated.connect(lambda: done.append(True))
        window.refresh_view_counts()
        while not done:
            app.processEvents()
        app.processEvents()
        window.grab().save(args.out)
        print(f"saved {args.out}")
        host.stop()
        window.repo.close()


if __name__ == "__main__":
    main()
