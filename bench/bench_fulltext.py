"""Benchmark the PDF cache's text extraction and full-text search, against raw baselines in
the same run.

    PYTHONPATH=. python bench/bench_fulltext.py [--sizes 1000,10000] [--pages 15] [--seed 0]

(a) Extraction throughput: a few distinct generated PDFs of ``--pages`` pages (fpdf2, paper-
    like text) extracted through :func:`desktop_app.library.fulltext.extract_text` — the real
    path: a child process per file with its time limit — in pages/s, against pypdf's own
    ``extract_text`` over the same pages in this process (the raw baseline; the difference
    is the child's start and the JSON hand-back).
(b) Full-text search p95 at each size (1,000 and 10,000 cached papers of ``--pages`` pages by
    default): the page texts are the extracted pages of (a), each mixed with words drawn
    from bench_store's ML vocabulary and long tail (Zipf-like), so every page is different
    and the index is realistic; they are stored through ``repo.pdfs.set_text`` (the real
    path, triggers and all). 200 queries — common, mid-frequency and rare words, pairs and
    a phrase — go through ``repo.pdfs.search(q, limit=50)`` (best page per paper, snippets)
    and, as the raw baseline, the same MATCH expression as a bare FTS5 query over the same
    index (``SELECT rowid, bm25(...) … ORDER BY 2 LIMIT 50``). The raw query ranks every
    match, where the store lists the newest papers first for words on more than
    ``RANKED_PAGES`` pages; so the ratio is also given for the queries both rank.

Human-readable lines first; the last line is one JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_store import CONTENT_WORDS, FUNCTION_WORDS, _long_tail  # noqa: E402
from pdf_support import make_pdf, paper_pages  # noqa: E402

from desktop_app.domain import PaperRecord  # noqa: E402
from desktop_app.library import fulltext  # noqa: E402
from desktop_app.store import Repository  # noqa: E402
from desktop_app.store.pdfs import RANKED_PAGES  # noqa: E402
from desktop_app.store.search import build_fts_query  # noqa: E402

SAMPLE_PDFS = 6
EXTRA_WORDS = 180  # vocabulary words added to each page (with the page's ~260 extracted ones)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def make_pdfs(pages: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    topics = ["transformer attention", "diffusion video", "graph neural", "robot policy"]
    return [
        make_pdf(pages=paper_pages(pages, f"{rng.choice(topics)} topic{i}", seed=i))
        for i in range(SAMPLE_PDFS)
    ]


def bench_extraction(folder: Path, pdfs: list[bytes]) -> tuple[dict[str, float], list[list[str]]]:
    paths = []
    for i, data in enumerate(pdfs):
        path = folder / f"sample{i}.pdf"
        path.write_bytes(data)
        paths.append(path)
    started = time.perf_counter()
    results = [fulltext.extract_text(p) for p in paths]
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    with fulltext.Extractor() as extractor:
        batch = [extractor.extract(p) for p in paths * 3]
    ours = time.perf_counter() - started
    assert all(r.state == "indexed" for r in results + batch), [r.reason for r in results]
    pages = sum(len(r.texts) for r in batch)

    from pypdf import PdfReader

    started = time.perf_counter()
    raw_pages = 0
    for path in paths:
        for page in PdfReader(str(path)).pages:
            page.extract_text()
            raw_pages += 1
    raw = time.perf_counter() - started
    return (
        {
            "pages": pages,
            "pages_per_s": pages / ours,
            "one_by_one_pages_per_s": sum(len(r.texts) for r in results) / one_by_one,
            "raw_pages_per_s": raw_pages / raw,
            "ms_per_file": 1000 * one_by_one / len(paths),
        },
        [list(r.texts) for r in results],
    )


class Words:
    """Zipf-like draws from the ML vocabulary and its long tail."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = CONTENT_WORDS + _long_tail(20_000)
        self.weights = [1.0 / (rank + 10) for rank in range(len(self.words))]

    def draw(self, k: int) -> list[str]:
        drawn = self.rng.choices(self.words, self.weights, k=k)
        for i in range(0, k, 7):  # function words, as in running text
            drawn[i] = self.rng.choice(FUNCTION_WORDS)
        return drawn


def fill(repo: Repository, start: int, stop: int, texts: list[list[str]], words: Words) -> float:
    """Papers ``start``..``stop`` with a cached PDF each and its pages' text; returns the
    seconds spent storing the text."""
    ids = [f"2501.{n:05d}" for n in range(start, stop)]
    repo.upsert_papers(
        PaperRecord(
            id=i,
            title=f"Paper {i}",
            abstract="",
            authors=("A. Author",),
            published=date(2025, 1, 1),
            version=1,
        )
        for i in ids
    )
    conn = repo.db.connection()
    with repo.transaction():
        conn.executemany(
            "INSERT INTO pdf_file (paper, version, file, size, sha256, downloaded, last_read) "
            "SELECT id, 1, paper_id || 'v1.pdf', 300000, paper_id, '2025', '2025' FROM paper "
            "WHERE paper_id = ?",
            [(i,) for i in ids],
        )
    spent = 0.0
    for n, paper_id in enumerate(ids):
        sample = texts[n % len(texts)]
        pages = [page + " " + " ".join(words.draw(EXTRA_WORDS)) for page in sample]
        started = time.perf_counter()
        # One transaction per paper, as the extraction job stores them.
        repo.pdfs.set_text(paper_id, paper_id, "indexed", pages=len(pages), texts=pages)
        spent += time.perf_counter() - started
    return spent


def queries(words: Words, rng: random.Random, count: int = 200) -> list[str]:
    common = CONTENT_WORDS[:40]
    mid = CONTENT_WORDS[40:400]
    rare = words.words[1000:20_000]
    out = []
    for n in range(count):
        kind = n % 5
        if kind == 0:
            out.append(rng.choice(common))
        elif kind == 1:
            out.append(rng.choice(mid))
        elif kind == 2:
            out.append(f"{rng.choice(common)} {rng.choice(mid)}")
        elif kind == 3:
            out.append(rng.choice(rare))
        else:
            out.append(f'"{rng.choice(["sequence transduction", "encoder and decoder"])}"')
    return out


def bench_search(repo: Repository, qs: list[str]) -> dict[str, float]:
    conn = repo.db.connection()
    for q in qs[:20]:  # warm the page cache
        repo.pdfs.search(q, limit=50)
    ours, raw, hits, ranked = [], [], [], []
    for q in qs:
        started = time.perf_counter()
        found = repo.pdfs.search(q, limit=50)
        ours.append(1000 * (time.perf_counter() - started))
        hits.append(len(found))
        match = build_fts_query(q + " ")  # as the store builds it: whole words
        started = time.perf_counter()
        conn.execute(
            "SELECT rowid, bm25(pdf_text_fts) FROM pdf_text_fts WHERE pdf_text_fts MATCH ? "
            "ORDER BY 2 LIMIT 50",
            (match,),
        ).fetchall()
        raw.append(1000 * (time.perf_counter() - started))
        pages = conn.execute(
            "SELECT count(*) FROM pdf_text_fts WHERE pdf_text_fts MATCH ?", (match,)
        ).fetchone()[0]
        ranked.append(pages <= RANKED_PAGES)
    ours_ranked = [t for t, r in zip(ours, ranked, strict=True) if r]
    raw_ranked = [t for t, r in zip(raw, ranked, strict=True) if r]
    return {
        "ranked": len(ours_ranked),
        "ranked_p95": p95(ours_ranked),
        "ranked_raw_p95": p95(raw_ranked),
        "p95": p95(ours),
        "median": statistics.median(ours),
        "raw_p95": p95(raw),
        "raw_median": statistics.median(raw),
        "mean_hits": statistics.mean(hits),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rng = random.Random(args.seed)
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        extraction, texts = bench_extraction(folder, make_pdfs(args.pages, args.seed))
        print(
            f"extraction: {extraction['pages']} pages ({SAMPLE_PDFS} PDFs, 3 times) through "
            f"the time-limited batch extractor (one child, as the jobs run it): "
            f"{extraction['pages_per_s']:.0f} pages/s; raw pypdf in this process "
            f"{extraction['raw_pages_per_s']:.0f} pages/s, ratio "
            f"{extraction['raw_pages_per_s'] / extraction['pages_per_s']:.2f}; one file per "
            f"child (a single paper): {extraction['one_by_one_pages_per_s']:.0f} pages/s, "
            f"{extraction['ms_per_file']:.0f} ms a file"
        )
        report["extract_pages_per_s"] = round(extraction["pages_per_s"])
        report["extract_raw_pages_per_s"] = round(extraction["raw_pages_per_s"])
        report["extract_one_file_ms"] = round(extraction["ms_per_file"])
        repo = Repository.open(folder / "library.sqlite3")
        words = Words(rng)
        qs = queries(words, rng)
        done = 0
        for size in sizes:
            store_s = fill(repo, done, size, texts, words)
            stored_pages = (size - done) * args.pages
            done = size
            result = bench_search(repo, qs)
            print(
                f"{size:,} papers ({size * args.pages:,} pages; stored {stored_pages:,} pages "
                f"at {stored_pages / store_s:,.0f}/s): search p95 {result['p95']:.1f} ms "
                f"(median {result['median']:.1f}, {result['mean_hits']:.0f} papers found on "
                f"average), raw FTS5 p95 {result['raw_p95']:.1f} ms (median "
                f"{result['raw_median']:.1f}), ratio {result['p95'] / result['raw_p95']:.2f}; "
                f"the {result['ranked']} queries on ≤ {RANKED_PAGES:,} pages (ranked by bm25 "
                f"as the raw query): p95 {result['ranked_p95']:.1f} ms vs raw "
                f"{result['ranked_raw_p95']:.1f} ms, ratio "
                f"{result['ranked_p95'] / result['ranked_raw_p95']:.2f}"
            )
            report[f"search_p95_ms_{size}"] = round(result["p95"], 1)
            report[f"search_ratio_vs_raw_{size}"] = round(result["p95"] / result["raw_p95"], 2)
            report[f"ranked_ratio_vs_raw_{size}"] = round(
                result["ranked_p95"] / result["ranked_raw_p95"], 2
            )
        size_mb = (folder / "library.sqlite3").stat().st_size / 1024**2
        repo.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"library file {size_mb:.0f} MiB; peak RSS {rss:.0f} MiB")
    report["peak_rss_mib"] = round(rss)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
