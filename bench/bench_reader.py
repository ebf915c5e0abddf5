"""The in-app reader's speed and memory (issue 16), offscreen, over generated PDFs.

    python bench/bench_reader.py [--opens 20]

- open_first_page_ms: from ``PdfReader.open()`` of a cached 30-page paper to its first page
  painted (QtPdf renders pages on its own threads: the time runs until the page's image has
  arrived and the view has painted it), median and p95 over ``--opens`` opens of different
  files; against the raw baseline measured in the same run: ``QPdfDocument.load`` + a
  synchronous ``render`` of page 1 at the same size (what QtPdf itself needs). Target: ≤ 300 ms.
- the reader's memory: RSS growth (psutil) after scrolling through a 200-page paper screen by
  screen, each page rendered; and after opening 20 papers in turn (a few screens each).
  QPdfView keeps the last ~20 rendered pages (a limit it does not expose), so the figure is
  bounded by ~20 page images at the view's size, whatever the paper's length.
- search_200_pages_ms: counting a word's hits in all 200 pages (what Enter in the search does).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))  # pdf_support: the tests' PDF generator

WIDTH, HEIGHT = 1100, 800


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def mib(value: int) -> float:
    return value / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opens", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import psutil
    from pdf_support import PdfSpec, make_pdf, paper_pages
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.pdf_reader import PdfReader

    app = QApplication([])
    process = psutil.Process()

    def wait(condition: Callable[[], bool], seconds: float = 10.0) -> None:
        deadline = time.perf_counter() + seconds
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the reader did not render in time")
            app.processEvents()

    with tempfile.TemporaryDirectory(prefix="dp-bench-reader-") as tmp:
        folder = Path(tmp)
        outline = [(f"{i + 1} Section", i * 3) for i in range(10)]
        papers = []
        for k in range(args.opens):
            path = folder / f"2401.{k:05d}v1.pdf"
            spec = PdfSpec(pages=paper_pages(30, seed=k), outline=outline)
            path.write_bytes(make_pdf(spec))
            papers.append(path)
        long_paper = folder / "long.pdf"
        long_paper.write_bytes(make_pdf(pages=paper_pages(200)))

        reader = PdfReader()
        reader.resize(WIDTH, HEIGHT)
        reader.show()
        app.processEvents()
        view = reader.view
        renderer = view.findChild(QPdfPageRenderer)
        assert renderer is not None, "QPdfView renders through a QPdfPageRenderer"
        rendered: set[int] = set()
        renderer.pageRendered.connect(lambda page, *_: rendered.add(page))

        def show_first_page(path: Path) -> float:
            rendered.clear()
            t0 = time.perf_counter()
            assert reader.open(path)
            view.viewport().repaint()  # the paint asks for the page (offscreen: no compositor)
            wait(lambda: 0 in rendered)
            view.viewport().repaint()  # and paints it
            return (time.perf_counter() - t0) * 1000

        show_first_page(long_paper)  # warm-up: QtPdf's threads, fonts, first allocation
        reader.close_document()
        opens = [show_first_page(path) for path in papers]
        size = view.page_rect(0).size()

        raw = []
        for path in papers:
            t0 = time.perf_counter()
            document = QPdfDocument()
            document.load(str(path))
            image = document.render(0, QSize(size.width(), size.height()))
            assert not image.isNull()
            raw.append((time.perf_counter() - t0) * 1000)
            document.close()

        # -------------------------------------------------------------- memory
        reader.close_document()
        app.processEvents()
        rss_before = process.memory_info().rss
        assert reader.open(long_paper)
        bar = view.verticalScrollBar()
        peak = rss_before
        checkpoints: dict[int, float] = {}  # pages scrolled through -> RSS growth (MiB)
        while True:
            view.viewport().repaint()
            page = view.current_page()
            wait(lambda page=page: page in rendered)
            view.viewport().repaint()
            peak = max(peak, process.memory_info().rss)
            for mark in (10, 25, 50, 100, 150):
                if page >= mark and mark not in checkpoints:
                    checkpoints[mark] = mib(process.memory_info().rss - rss_before)
            if bar.value() >= bar.maximum():
                break
            bar.setValue(bar.value() + view.viewport().height())
        rss_long = process.memory_info().rss
        assert reader.current_page() == 199

        t0 = time.perf_counter()
        hits = reader.find_text("transformer")
        search_ms = (time.perf_counter() - t0) * 1000
        assert hits == 200

        for path in papers:
            rendered.clear()
            assert reader.open(path)
            for _screen in range(4):
                view.viewport().repaint()
                page = view.current_page()
                wait(lambda page=page: page in rendered)
                view.viewport().repaint()
                bar.setValue(bar.value() + view.viewport().height())
            peak = max(peak, process.memory_info().rss)
        rss_papers = process.memory_info().rss
        reader.close_document()
        app.processEvents()
        rss_closed = process.memory_info().rss

    median = statistics.median(opens)
    raw_median = statistics.median(raw)
    print(f"reader {WIDTH}x{HEIGHT}, first page {size.width()}x{size.height()} px (fit width)")
    print(
        f"open to first page:  median {median:6.1f} ms, p95 {p95(opens):6.1f} ms over "
        f"{len(opens)} papers of 30 pages (target <= 300)"
    )
    print(
        f"raw QtPdf baseline:  median {raw_median:6.1f} ms (load + render page 1), "
        f"ratio {median / raw_median:4.1f}x"
    )
    growth = ", ".join(f"{mark} pages +{value:.0f}" for mark, value in checkpoints.items())
    print(f"RSS growth while scrolling the 200-page paper: {growth} MiB (bounded)")
    print(f"search 200 pages:    {search_ms:6.1f} ms to count {hits} hits")
    print(
        f"memory: +{mib(rss_long - rss_before):5.1f} MiB after scrolling through 200 pages, "
        f"+{mib(rss_papers - rss_before):5.1f} MiB after 20 papers more, "
        f"+{mib(rss_closed - rss_before):5.1f} MiB once closed; peak "
        f"+{mib(peak - rss_before):5.1f} MiB (RSS before {mib(rss_before):.0f} MiB)"
    )
    print(
        json.dumps(
            {
                "open_first_page_median_ms": round(median, 1),
                "open_first_page_p95_ms": round(p95(opens), 1),
                "raw_load_render_median_ms": round(raw_median, 1),
                "search_200_pages_ms": round(search_ms, 1),
                "rss_growth_200_pages_mib": round(mib(rss_long - rss_before), 1),
                "rss_growth_checkpoints_mib": {k: round(v, 1) for k, v in checkpoints.items()},
                "rss_growth_20_papers_mib": round(mib(rss_papers - rss_before), 1),
                "rss_growth_closed_mib": round(mib(rss_closed - rss_before), 1),
                "rss_peak_growth_mib": round(mib(peak - rss_before), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
