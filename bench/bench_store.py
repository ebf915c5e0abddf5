"""Benchmark the library store against raw sqlite3 on the same rows, in one run.

    PYTHONPATH=. python bench/bench_store.py --n 100000 [--seed 0]

Builds N synthetic papers (title ~80 characters, abstract ~1,200, five authors; words drawn
from an ML vocabulary with a Zipf-like distribution; dates skewed towards recent years;
heavy-tailed upvotes) in a temporary directory and measures:

(a) ingest through ``Repository.upsert_papers`` against a raw ``sqlite3`` ``executemany``
    of the same papers and author rows, each in one transaction, into a fresh file created by
    the same migrations (so the same triggers and FTS5 settings maintain the index). The
    repository gets the papers as one stream (as a BibTeX import passes them); a second
    figure stores them in calls of ``--batch`` papers, a transaction each (as a fetch
    stores its pages), against the same raw baseline;
(b) search p95 over one- and two-word queries of common words through
    ``Repository.page(FeedQuery(text=q, sort=RELEVANCE), limit=100)`` against the equivalent
    raw FTS5 queries (the same MATCH expressions: title matches first, then the rest, each
    in bm25 with the same weights, LIMIT 100);
(c) p95 of one page of 100 rows at random keyset cursors anywhere in the date-sorted list;
(d) the peak RSS of the process.

Human-readable lines first; the last line is one JSON object with the headline numbers.
Each batch of papers is generated from its own seeded RNG, so both ingests see identical rows
without holding all of them in memory. Only the database calls are timed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.domain import FeedQuery, PaperRecord, Sort
from desktop_app.store import Repository, open_database
from desktop_app.store.search import build_fts_query, relevance_tiers


def _vocabulary(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))  # in order, without repeats


# Content words of ML titles and abstracts, roughly from most to least frequent.
CONTENT_WORDS = _vocabulary("""
model models learning language data training neural large network networks performance
method methods results task tasks approach framework based using show propose paper new
deep dataset datasets image images generation text reasoning diffusion transformer attention
llms llm tokens token representation representations information problem inference benchmark
quality state art features feature existing work different multiple evaluation analysis study
prediction knowledge agents agent video vision visual semantic domain training-free fine-tuning
optimization parameters efficient efficiency accuracy robust robustness retrieval generative
policy reinforcement reward alignment human preference instruction instructions prompt prompts
zero-shot few-shot pretraining pretrained supervised unsupervised self-supervised contrastive
loss function functions gradient stochastic convergence theoretical empirical experiments
experimental demonstrate outperforms achieves significantly improve improves improved
improvement state-of-the-art baseline baselines compared comparison previous recent current
scale scaling compute memory computational cost latency throughput hardware gpu inference-time
sparse dense mixture experts routing layer layers depth width heads head decoder encoder
sequence sequences long context window length positional embedding embeddings vector vectors
space latent variational autoencoder adversarial gan score sampling sampler samples noise
denoising flow matching consistency distillation teacher student compression quantization
pruning low-rank adaptation adapters lora weights weight activation activations nonlinear
linear attention-based graph graphs node nodes edge edges message passing molecular protein
structure structures 3d point cloud scene scenes rendering radiance fields gaussian splatting
depth estimation segmentation detection object objects tracking pose motion camera views
multi-view geometry mesh texture editing synthesis high-resolution resolution super fidelity
speech audio music sound speaker recognition translation multilingual languages low-resource
code programming software bugs mathematical math problems proof theorem chain thought
step-by-step planning tool tools environment environments simulation robot robotic robots
manipulation navigation control controller dynamics trajectory trajectories offline online
exploration bandit regret bound bounds guarantees privacy differential federated clients
fairness bias biases safety harmful jailbreak attacks attack defense adversarial-robustness
uncertainty calibration interpretability explanations mechanistic circuits probing neurons
emergent capabilities evaluation-suite leaderboard open-source release code-release available
medical clinical patients health imaging radiology biology cells genomics chemistry materials
climate weather forecasting time-series temporal spatial spatio-temporal sensor signals
recommendation users user ranking search queries query documents document summarization
question answering questions answers dialogue conversational chatbot assistant responses
hallucination factuality grounding citations long-form evaluation-metrics metrics metric human
annotators annotation labels labeled unlabeled noisy synthetic augmentation curriculum
continual lifelong forgetting transfer adaptation domain-shift distribution generalization
out-of-distribution in-context meta-learning hypernetwork architecture architectures search
nas efficient-training parallelism pipeline distributed kernel kernels flash cache kv-cache
speculative decoding beam greedy autoregressive non-autoregressive masked bidirectional causal
world simulator embodied multimodal vision-language captioning caption captions grounding-dino
open-vocabulary clip contrastive-learning retrieval-augmented rag memory-augmented agents-based
""")

FUNCTION_WORDS = _vocabulary("""
the of and to a in we for is that on with this by are as our from an be which can
it these at both while their its such than also not or into more has have been
between over across through when where how via without under only most each two three
""")

FIRST = _vocabulary("""
Wei Jing Ana Luca Maria David Sarah Yuki Chen Omar Priya Ivan Elena Tom Noah Mia Ali
Sofia Hiroshi Fatima Lars Ines Kofi Zara Minh Rafael Olga Sven Amara Diego Hana""")
LAST = _vocabulary("""
Zhang Wang Li Liu Chen Smith Garcia Müller Kim Park Nguyen Rossi Kumar Singh Ivanov
Silva Tanaka Sato Dubois Novak Cohen Okafor Haddad Jensen Costa Schröder Yilmaz Patel Lee
Brown Martin Lopez""")


def _long_tail(count: int) -> list[str]:
    """Rarer technical terms: pronounceable pseudo-words (fixed, whatever ``--seed`` says).

    Real abstracts draw about half their content words from a long tail beyond the few
    hundred common ones; without it every abstract would repeat the same 400 words and a
    "common word" would match most of the library.
    """
    rng = random.Random(20240101)
    onsets = _vocabulary("b c d f g h k l m n p qu r s t v w z tr pr st gr sp cr fl ph th ch")
    vowels = _vocabulary("a e i o u io ea ou y ai")
    codas = ["", "", "n", "r", "s", "t", "l", "m", "x", "nd", "st", "ct", "rm"]
    suffixes = ["", "", "", "ation", "ity", "ive", "ic", "al", "ing", "ed", "ers", "ness", "ous"]
    seen = set(CONTENT_WORDS) | set(FUNCTION_WORDS)
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        word += rng.choice(suffixes)
        if len(word) >= 4 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


VOCABULARY = CONTENT_WORDS + _long_tail(20_000)


def zipf_weights(count: int, exponent: float, offset: float) -> list[float]:
    """Zipf-Mandelbrot weights 1/(rank+offset)^exponent, normalised to sum to 1.

    The offset flattens the head: the top content word ("model") is ~2% of content words,
    as in real ML abstracts, instead of the ~15% of a pure Zipf over a small vocabulary.
    """
    weights = [1.0 / ((rank + offset) ** exponent) for rank in range(1, count + 1)]
    total = sum(weights)
    return [w / total for w in weights]


FUNCTION_SHARE = 0.35  # of the words of an abstract
TITLE_WORDS = VOCABULARY
TITLE_CUM = list(itertools.accumulate(zipf_weights(len(VOCABULARY), 1.1, 8.0)))
TEXT_WORDS = VOCABULARY + FUNCTION_WORDS
TEXT_CUM = list(
    itertools.accumulate(
        [w * (1 - FUNCTION_SHARE) for w in zipf_weights(len(VOCABULARY), 1.1, 8.0)]
        + [w * FUNCTION_SHARE for w in zipf_weights(len(FUNCTION_WORDS), 1.0, 1.0)]
    )
)
START = date(2019, 1, 1)
SPAN_DAYS = (date(2025, 12, 31) - START).days


@dataclass(frozen=True)
class Sizes:
    n: int
    batch: int


def _title(rng: random.Random) -> str:
    words = rng.choices(TITLE_WORDS, cum_weights=TITLE_CUM, k=14)
    text = ""
    for word in words:
        text = f"{text} {word}" if text else word
        if len(text) >= 76:
            break
    return text[:1].upper() + text[1:]


def _abstract(rng: random.Random) -> str:
    sentences: list[str] = []
    length = 0
    while length < 1200:
        sentence = " ".join(rng.choices(TEXT_WORDS, cum_weights=TEXT_CUM, k=rng.randint(18, 34)))
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        length += len(sentence) + 2
    return " ".join(sentences)


def make_batch(seed: int, number: int, size: Sizes) -> list[PaperRecord]:
    """Batch ``number``: the same papers for the same seed, whoever asks."""
    rng = random.Random(seed * 1_000_003 + number)
    first = number * size.batch
    records = []
    for i in range(first, min(first + size.batch, size.n)):
        # More papers in recent years: the square root skews towards the end of the span.
        published = START + timedelta(days=int(SPAN_DAYS * rng.random() ** 0.5))
        # Two in five papers were on Hugging Face: heavy-tailed upvotes (median ~3, tail to
        # hundreds); the others have none.
        upvotes = min(int(3 * rng.paretovariate(1.0)) - 3, 3000) if rng.random() < 0.4 else 0
        records.append(
            PaperRecord(
                id=f"{published:%y%m}.{i:05d}",
                title=_title(rng),
                abstract=_abstract(rng),
                authors=tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(5)),
                published=published,
                upvotes=upvotes,
                comments=rng.randint(0, 5),
                categories=("cs.LG", rng.choice(("cs.CL", "cs.CV", "cs.AI", "stat.ML"))),
                primary_category="cs.LG",
                version=1,
            )
        )
    return records


def batches(seed: int, size: Sizes) -> Iterator[list[PaperRecord]]:
    for number in range((size.n + size.batch - 1) // size.batch):
        yield make_batch(seed, number, size)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --------------------------------------------------------------------------- ingest


def ingest_repository(path: Path, seed: int, size: Sizes) -> float:
    """All papers through one ``upsert_papers`` call: one transaction, as the raw ingest and
    as a BibTeX import. The records are streamed in (never all in memory); the time spent
    generating them inside the stream is measured and taken out."""
    repo = Repository.open(path)
    generating = 0.0

    def stream() -> Iterator[PaperRecord]:
        nonlocal generating
        for number in range((size.n + size.batch - 1) // size.batch):
            start = time.perf_counter()
            records = make_batch(seed, number, size)
            generating += time.perf_counter() - start
            yield from records

    try:
        start = time.perf_counter()
        result = repo.upsert_papers(stream(), fetched_at="2026-01-01T00:00:00Z")
        elapsed = time.perf_counter() - start - generating
    finally:
        repo.close()
    assert result.new == size.n, result
    return elapsed


def ingest_repository_per_call(path: Path, seed: int, size: Sizes) -> float:
    """One ``upsert_papers`` call (one transaction) per batch, as fetched pages are stored."""
    repo = Repository.open(path)
    elapsed = 0.0
    try:
        for records in batches(seed, size):
            start = time.perf_counter()
            repo.upsert_papers(records, fetched_at="2026-01-01T00:00:00Z")
            elapsed += time.perf_counter() - start
    finally:
        repo.close()
    return elapsed


RAW_PAPER_SQL = (
    "INSERT INTO paper (id, paper_id, title, abstract, authors_text, published, upvotes, "
    "comments, categories, primary_category, version, first_seen, last_fetched) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def ingest_raw(path: Path, seed: int, size: Sizes) -> float:
    open_database(path).close()  # the same migrations: same tables, indexes and FTS triggers
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = normal")
    conn.execute("PRAGMA foreign_keys = 1")
    conn.execute("PRAGMA cache_size = -32000")
    elapsed = 0.0
    now = "2026-01-01T00:00:00Z"
    try:
        start = time.perf_counter()
        conn.execute("BEGIN")
        elapsed += time.perf_counter() - start
        rowid = 0
        for records in batches(seed, size):
            papers = []
            authors = []
            for rec in records:
                rowid += 1
                papers.append(
                    (
                        rowid,
                        rec.id,
                        rec.title,
                        rec.abstract,
                        ", ".join(rec.authors),
                        rec.published.isoformat() if rec.published else "",
                        rec.upvotes or 0,
                        rec.comments or 0,
                        " ".join(rec.categories or ()),
                        rec.primary_category,
                        rec.version,
                        now,
                        now,
                    )
                )
                authors.extend((rowid, pos, name) for pos, name in enumerate(rec.authors))
            start = time.perf_counter()
            conn.executemany(RAW_PAPER_SQL, papers)
            conn.executemany(
                "INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)", authors
            )
            elapsed += time.perf_counter() - start
        start = time.perf_counter()
        conn.execute("COMMIT")
        elapsed += time.perf_counter() - start
    finally:
        conn.close()
    return elapsed


# --------------------------------------------------------------------------- reads


def search_queries(seed: int, count: int) -> list[str]:
    """One- and two-word queries drawn from the 150 most common content words."""
    rng = random.Random(seed + 17)
    common = [w for w in CONTENT_WORDS[:150] if "-" not in w]
    queries = []
    for i in range(count):
        words = rng.sample(common[:60], 1) if i % 2 == 0 else rng.sample(common, 2)
        queries.append(" ".join(words))
    return queries


RAW_SEARCH_SQL = (
    "SELECT p.* FROM paper_fts JOIN paper p ON p.id = paper_fts.rowid "
    "WHERE paper_fts MATCH ? ORDER BY bm25(paper_fts, 10.0, 1.0, 3.0) LIMIT ?"
)


def raw_search(raw: sqlite3.Connection, q: str, limit: int = 100) -> list[tuple]:
    """The raw equivalent of a relevance page: title matches first, then the rest, each in
    bm25 order, as plain FTS5 queries joined to the paper rows."""
    rows: list[tuple] = []
    for tier in relevance_tiers(q) or ():
        rows += raw.execute(RAW_SEARCH_SQL, (tier, limit - len(rows))).fetchall()
        if len(rows) == limit:
            break
    return rows


COUNT_SQL = "SELECT count(*) FROM paper_fts WHERE paper_fts MATCH ?"


def bench_search(repo: Repository, raw: sqlite3.Connection, queries: list[str]) -> dict:
    for q in queries[:10]:  # warm both paths
        repo.page(FeedQuery(text=q, sort=Sort.RELEVANCE), limit=100)
        raw_search(raw, q)
    repo_ms: list[float] = []
    raw_ms: list[float] = []
    hits: list[int] = []
    for q in queries:
        start = time.perf_counter()
        page = repo.page(FeedQuery(text=q, sort=Sort.RELEVANCE), limit=100)
        repo_ms.append((time.perf_counter() - start) * 1000)
        match = build_fts_query(q)  # the same expression the repository runs
        start = time.perf_counter()
        rows = raw_search(raw, q)
        raw_ms.append((time.perf_counter() - start) * 1000)
        # Same rows (ties on the score may be cut differently at the 100th row).
        same = {p.rowid for p in page.papers} & {r[0] for r in rows}
        if len(page.papers) != len(rows) or len(same) < 0.9 * len(rows):
            raise AssertionError(f"repository and raw search disagree for {q!r}")
        hits.append(raw.execute(COUNT_SQL, (match,)).fetchone()[0])
    return {
        "repo_p95": p95(repo_ms),
        "raw_p95": p95(raw_ms),
        "repo_median": statistics.median(repo_ms),
        "raw_median": statistics.median(raw_ms),
        "median_hits": statistics.median(hits),
        "max_hits": max(hits),
    }


def bench_pages(repo: Repository, raw: sqlite3.Connection, seed: int, count: int) -> dict:
    rng = random.Random(seed + 29)
    total = raw.execute("SELECT max(id) FROM paper").fetchone()[0]
    cursors = [
        raw.execute(
            "SELECT published, id FROM paper WHERE id = ?", (rng.randint(1, total),)
        ).fetchone()
        for _ in range(count)
    ]
    query = FeedQuery(sort=Sort.DATE)
    for cursor in cursors[:10]:
        repo.page(query, tuple(cursor), limit=100)
    samples = []
    for cursor in cursors:
        start = time.perf_counter()
        page = repo.page(query, tuple(cursor), limit=100)
        samples.append((time.perf_counter() - start) * 1000)
        if page.papers and (page.papers[0].published or date.min).isoformat() > cursor[0]:
            raise AssertionError("a page started before its cursor")
    start = time.perf_counter()
    first = repo.page(query, None, limit=100)
    first_ms = (time.perf_counter() - start) * 1000
    assert len(first.papers) == min(100, total)
    return {"p95": p95(samples), "median": statistics.median(samples), "first_ms": first_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="papers (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=1000, help="papers per upsert call")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="work here instead of a temp dir")
    args = parser.parse_args(argv)
    size = Sizes(args.n, args.batch)

    with tempfile.TemporaryDirectory(prefix="bench_store_", dir=args.dir) as tmp:
        work = Path(tmp)
        print(f"building {size.n} papers in {work} (seed {args.seed})", flush=True)
        repo_path, raw_path = work / "repo.sqlite3", work / "raw.sqlite3"

        repo_s = ingest_repository(repo_path, args.seed, size)
        raw_s = ingest_raw(raw_path, args.seed, size)
        raw_path.unlink()
        per_call_path = work / "per_call.sqlite3"
        per_call_s = ingest_repository_per_call(per_call_path, args.seed, size)
        per_call_path.unlink()
        ingest_rate = size.n / repo_s
        print(
            f"ingest in one transaction: repository {repo_s:.2f} s ({ingest_rate:,.0f} "
            f"papers/s), raw executemany {raw_s:.2f} s ({size.n / raw_s:,.0f} papers/s), "
            f"ratio {repo_s / raw_s:.2f}",
            flush=True,
        )
        print(
            f"ingest in calls of {size.batch} (a transaction each, as fetches store pages): "
            f"{per_call_s:.2f} s ({size.n / per_call_s:,.0f} papers/s), "
            f"ratio {per_call_s / raw_s:.2f}",
            flush=True,
        )

        repo = Repository.open(repo_path)
        raw = sqlite3.connect(repo_path)
        try:
            check = raw.execute("SELECT count(*) FROM paper").fetchone()[0]
            assert check == size.n, check
            queries = search_queries(args.seed, args.queries)
            search = bench_search(repo, raw, queries)
            print(
                f"search ({len(queries)} queries, median {search['median_hits']:,.0f} hits, "
                f"max {search['max_hits']:,}): repository p95 {search['repo_p95']:.1f} ms "
                f"(median {search['repo_median']:.1f}), raw FTS5 p95 {search['raw_p95']:.1f} ms "
                f"(median {search['raw_median']:.1f}), "
                f"ratio {search['repo_p95'] / search['raw_p95']:.2f}",
                flush=True,
            )
            pages = bench_pages(repo, raw, args.seed, args.pages)
            print(
                f"page of 100 at random cursors (date sort): p95 {pages['p95']:.2f} ms "
                f"(median {pages['median']:.2f}); first page {pages['first_ms']:.2f} ms",
                flush=True,
            )
        finally:
            raw.close()
            repo.close()
        size_mib = repo_path.stat().st_size / 2**20
        rss = peak_rss_mib()
        print(f"database {size_mib:.0f} MiB; peak RSS {rss:.0f} MiB", flush=True)

    print(
        json.dumps(
            {
                "n": size.n,
                "ingest_papers_per_s": round(ingest_rate),
                "ingest_ratio_vs_raw": round(repo_s / raw_s, 2),
                "ingest_per_call_papers_per_s": round(size.n / per_call_s),
                "search_p95_ms": round(search["repo_p95"], 1),
                "search_ratio_vs_raw": round(search["repo_p95"] / search["raw_p95"], 2),
                "page_p95_ms": round(pages["p95"], 2),
                "peak_rss_mib": round(rss),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
