"""Render the main window offscreen over the sample library and save main-window.png.

QT_QPA_PLATFORM=offscreen python resources/screenshots/render.py [--theme light|dark]
    [--reader]  (the selected paper read in the in-app reader: reader.png; needs fpdf2, from
                 the test extra, to typeset a stand-in PDF of the paper)
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


def typeset_paper(paper: object, path: Path) -> None:
    """A stand-in PDF of ``paper`` (arXiv is not reachable offline): its title, authors and
    abstract, then sections with an outline, set like a preprint."""
    from fpdf import FPDF

    def latin(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4")
    pdf.set_margins(28, 24, 28)
    pdf.set_title(latin(paper.title))  # type: ignore[attr-defined]
    pdf.add_page()
    pdf.set_font("Times", "B", 17)
    pdf.multi_cell(0, 8, latin(paper.title), align="C")  # type: ignore[attr-defined]
    pdf.ln(3)
    pdf.set_font("Times", "", 11)
    authors = ", ".join(paper.authors) or "Anonymous"  # type: ignore[attr-defined]
    pdf.multi_cell(0, 6, latin(authors), align="C")
    pdf.ln(6)
    pdf.set_x(40)
    pdf.set_font("Times", "B", 11)
    pdf.cell(0, 6, "Abstract", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", "", 10)
    pdf.set_x(40)
    pdf.multi_cell(130, 5, latin(paper.abstract), align="J")  # type: ignore[attr-defined]
    body = (
        "Large models are trained on ever larger corpora, yet the cost of inference grows "
        "with every parameter. We revisit the question of which computations are necessary "
        "for a given input, and show that a learned router can skip most of them without a "
        "loss in quality. Our experiments cover language modelling, retrieval and code. "
    )
    for n, title in enumerate(
        ("Introduction", "Related work", "Method", "Experiments", "Conclusion"), start=1
    ):
        if n == 3:
            pdf.add_page()
        pdf.ln(5)
        pdf.start_section(f"{n} {title}")
        pdf.set_font("Times", "B", 12)
        pdf.cell(0, 7, f"{n}  {title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Times", "", 10.5)
        pdf.multi_cell(0, 5, body * 3, align="J")
    pdf.output(str(path))


def open_in_reader(window: object, app: QApplication, data: Path) -> None:
    """Keep a typeset stand-in as the selected paper's PDF and read it (``p``)."""
    from desktop_app.library.pdf_jobs import cache_of, index_text

    paper = window.current_paper()  # type: ignore[attr-defined]
    source = data / "stand-in.pdf"
    typeset_paper(paper, source)
    repo = window.repo  # type: ignore[attr-defined]
    cache_of(repo).attach(repo, paper.id, source)
    index_text(repo, paper.id)
    window.reading.refresh_with_pdf()  # type: ignore[attr-defined]
    while paper.id not in window.delegate.with_pdf:  # type: ignore[attr-defined]
        app.processEvents()
    window.acts.open_pdf.trigger()  # type: ignore[attr-defined]
    for _ in range(50):
        app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--theme", default="light", choices=["light", "dark"])
    parser.add_argument("--out", default=str(Path(__file__).with_name("main-window.png")))
    parser.add_argument("--day", default="2026-11-25")
    parser.add_argument("--reader", action="store_true", help="the selected paper, read")
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
        if args.reader:
            open_in_reader(window, app, data)
            if args.out.endswith("main-window.png"):
                args.out = str(Path(args.out).with_name("reader.png"))
        window.grab().save(args.out)
        print(f"saved {args.out}")
        host.stop()
        window.repo.close()


if __name__ == "__main__":
    main()
