"""Benchmark the interest model (library/recommend.py) on a synthetic library with topics.

    PYTHONPATH=. python bench/bench_recommend.py --n 100000 [--labelled 2000] [--seed 0]

The library: N papers, each of one of ``--topics`` topics. A topic has its own vocabulary
(150 words drawn from a pool of 1,000 rare words of bench_store's long tail, so topics share
words) and its own pool of authors; a paper draws a tenth of its title's words and 5% of its
abstract's from its topic and the rest from the common ML words and function words of
bench_store (Zipf-like), one of its five authors from its topic's pool. Upvotes are
heavy-tailed and independent of the topic.

The user: three topics are theirs. ``--labelled`` papers are labelled: three quarters of
them are tagged ``topic/<name>`` by their topic (a paper of the user's topics), the rest are
read and passed over (papers of other topics). A fifth of the tagged papers are held out:
left in the library untagged, so the model never sees their tag.

Measured, in one run:

- precision@10, mean over 50 pools, of the model against two baselines in the same run
  (upvotes order, random order), in two settings: (a) held-out: a pool of the 10 held-out
  tagged papers and 190 papers of the other topics, relevant = the held-out papers; (b) a
  day: 200 papers drawn from the unlabelled library, relevant = papers of the user's topics;
- training time (``recommend.train``: reading labels and text, fitting, from the library);
- ranking one day's list (50 papers, model in memory) p50/p95, and ranking the whole library;
- related papers p50/p95, tag suggestions p95, loading the model file;
- peak memory: the process's peak RSS above its RSS before the learning libraries were
  imported (the library is built by a child process, so its ingest is not counted), at the
  end and at two points before (after training; before ranking the whole library).

Human-readable lines first; the last line is one JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import (  # the same generator of words
    FIRST,
    LAST,
    TEXT_CUM,
    TEXT_WORDS,
    TITLE_CUM,
    TITLE_WORDS,
    VOCABULARY,
)

from desktop_app.domain import PaperRecord
from desktop_app.store import Repository

USER_TOPICS = 3
DAY = 50
TITLE_SHARE = 0.1  # of a title's words from its topic's vocabulary
TEXT_SHARE = 0.05  # of an abstract's
TOPIC_POOL = 1000  # words the topics' vocabularies are drawn from (so they share words)


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def topic_of(i: int, topics: int, seed: int) -> int:
    return random.Random(seed * 7919 + i).randrange(topics)


def build(path: Path, n: int, topics: int, seed: int) -> None:
    """N papers with topics, stored in batches (a child process runs this)."""
    rng0 = random.Random(seed)
    pool = rng0.sample(VOCABULARY[-15_000:], TOPIC_POOL)  # topics overlap: one pool for all
    vocab = [rng0.sample(pool, 150) for _ in range(topics)]
    authors = [
        [f"{rng0.choice(FIRST)} {rng0.choice(LAST)}-{t}" for _ in range(200)] for t in range(topics)
    ]
    repo = Repository.open(path)
    try:
        batch: list[PaperRecord] = []
        for i in range(n):
            rng = random.Random(seed * 1_000_003 + i)
            t = topic_of(i, topics, seed)

            def words(
                k: int, share: float, common: list[str], cum: list[float], t: int = t, rng=rng
            ) -> list[str]:
                mine = rng.choices(vocab[t], k=k)
                other = rng.choices(common, cum_weights=cum, k=k)
                return [m if rng.random() < share else o for m, o in zip(mine, other, strict=True)]

            title = " ".join(words(9, TITLE_SHARE, TITLE_WORDS, TITLE_CUM)).capitalize()
            abstract = " ".join(words(170, TEXT_SHARE, TEXT_WORDS, TEXT_CUM)) + "."
            names = [rng.choice(authors[t])] + [
                f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(4)
            ]
            upvotes = min(int(3 * rng.paretovariate(1.0)) - 3, 3000) if rng.random() < 0.4 else 0
            batch.append(
                PaperRecord(
                    id=f"2501.{i:06d}",
                    title=title,
                    abstract=abstract,
                    authors=tuple(names),
                    upvotes=upvotes,
                )
            )
            if len(batch) == 2000:
                repo.upsert_papers(batch, fetched_at="2026-01-01T00:00:00Z")
                batch = []
        if batch:
            repo.upsert_papers(batch, fetched_at="2026-01-01T00:00:00Z")
    finally:
        repo.close()


def p(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def precision_at_10(order: list[str], relevant: set[str]) -> float:
    return sum(1 for x in order[:10] if x in relevant) / 10


def run(args: argparse.Namespace, path: Path) -> dict[str, object]:
    n, topics, seed = args.n, args.topics, args.seed
    rng = random.Random(seed + 1)
    ids = [f"2501.{i:06d}" for i in range(n)]
    topic = {pid: topic_of(i, topics, seed) for i, pid in enumerate(ids)}
    mine = set(range(USER_TOPICS))
    theirs = [pid for pid in ids if topic[pid] in mine]
    others = [pid for pid in ids if topic[pid] not in mine]
    n_tagged = args.labelled * 3 // 4
    tagged = rng.sample(theirs, min(n_tagged, len(theirs)))
    held_out = set(tagged[: len(tagged) // 5])
    shown_tags = [pid for pid in tagged if pid not in held_out]
    passed = rng.sample(others, min(args.labelled - n_tagged, len(others)))

    repo = Repository.open(path)
    for t in mine:
        repo.tag_papers([pid for pid in shown_tags if topic[pid] == t], [f"topic/{t}"])
    repo.set_read(passed)
    labelled = set(tagged) | set(passed)

    rss_before = _rss_mib()
    start = time.perf_counter()
    from desktop_app.library import recommend

    import_s = time.perf_counter() - start
    start = time.perf_counter()
    model = recommend.train(repo)
    train_s = time.perf_counter() - start
    peak_after_train = _peak_mib()
    data_dir = path.parent
    start = time.perf_counter()
    recommend.save(model, recommend.model_path(data_dir))
    save_s = time.perf_counter() - start
    start = time.perf_counter()
    loaded = recommend.load(recommend.model_path(data_dir))
    load_s = time.perf_counter() - start
    assert loaded is not None
    model_mib = recommend.model_path(data_dir).stat().st_size / 2**20

    # precision@10
    unlabelled_others = [pid for pid in others if pid not in labelled]
    unlabelled = [pid for pid in ids if pid not in labelled]
    held = sorted(held_out)
    upvotes = {pid: 0 for pid in ids}
    results: dict[str, dict[str, list[float]]] = {
        s: {"model": [], "upvotes": [], "random": []} for s in ("held_out", "day")
    }
    for _ in range(args.pools):
        pools = {
            "held_out": rng.sample(held, 10) + rng.sample(unlabelled_others, 190),
            "day": rng.sample(unlabelled, 200),
        }
        for setting, pool in pools.items():
            relevant = (
                set(pool) & held_out
                if setting == "held_out"
                else {pid for pid in pool if topic[pid] in mine}
            )
            for paper in repo.get_many(pool):
                upvotes[paper.id] = paper.upvotes
            by_model = [r.paper_id for r in recommend.rank(model, repo, pool)]
            by_upvotes = sorted(pool, key=lambda pid: -upvotes[pid])
            shuffled = pool[:]
            rng.shuffle(shuffled)
            results[setting]["model"].append(precision_at_10(by_model, relevant))
            results[setting]["upvotes"].append(precision_at_10(by_upvotes, relevant))
            results[setting]["random"].append(precision_at_10(shuffled, relevant))
    precision = {
        s: {m: round(statistics.mean(v), 3) for m, v in r.items()} for s, r in results.items()
    }

    # timings
    day_ms = []
    for _ in range(30):
        day = rng.sample(ids, DAY)
        start = time.perf_counter()
        recommend.rank(model, repo, day)
        day_ms.append((time.perf_counter() - start) * 1000)
    related_ms = []
    suggest_ms = []
    for pid in rng.sample(ids, 30):
        start = time.perf_counter()
        recommend.related(model, repo, pid)
        related_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        recommend.suggest_tags(model, repo, pid)
        suggest_ms.append((time.perf_counter() - start) * 1000)
    peak_before_library = _peak_mib()
    start = time.perf_counter()
    everything = recommend.rank(model, repo, ids)
    library_s = time.perf_counter() - start
    assert len(everything) == n
    repo.close()
    return {
        "n": n,
        "labelled": len(labelled),
        "tagged_shown": len(shown_tags),
        "held_out": len(held_out),
        "interests": [i.name for i in model.interests],
        "import_s": round(import_s, 2),
        "train_s": round(train_s, 2),
        "save_s": round(save_s, 2),
        "load_s": round(load_s, 3),
        "model_file_mib": round(model_mib, 1),
        "rank_day_p50_ms": round(p(day_ms, 50), 1),
        "rank_day_p95_ms": round(p(day_ms, 95), 1),
        "rank_library_s": round(library_s, 2),
        "related_p50_ms": round(p(related_ms, 50), 1),
        "related_p95_ms": round(p(related_ms, 95), 1),
        "suggest_p95_ms": round(p(suggest_ms, 95), 1),
        "rss_before_mib": round(rss_before, 1),
        "peak_rss_mib": round(_peak_mib(), 1),
        "added_peak_mib": round(_peak_mib() - rss_before, 1),
        "added_peak_training_mib": round(peak_after_train - rss_before, 1),
        "added_peak_before_ranking_library_mib": round(peak_before_library - rss_before, 1),
        "precision_at_10": precision,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--labelled", type=int, default=2000)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--pools", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.build, args.n, args.topics, args.seed)
        return
    with tempfile.TemporaryDirectory(prefix="dp-bench-recommend-") as tmp:
        path = Path(tmp) / "library.sqlite3"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build", str(path), "--n", str(args.n),
             "--topics", str(args.topics), "--seed", str(args.seed)],
            check=True,
        )  # fmt: skip
        print(f"built a library of {args.n:,} papers in {time.perf_counter() - start:.1f} s")
        r = run(args, path)
    prec = r["precision_at_10"]
    assert isinstance(prec, dict)
    print(
        f"labelled: {r['labelled']:,} ({r['tagged_shown']:,} tagged in {USER_TOPICS} topics, "
        f"{r['held_out']} held out, the rest read and passed over); interests {r['interests']}"
    )
    for setting, label in (("held_out", "held-out tagged"), ("day", "a day's 200 papers")):
        v = prec[setting]
        print(
            f"precision@10 ({label}): model {v['model']:.3f}  upvotes {v['upvotes']:.3f}  "
            f"random {v['random']:.3f}"
        )
    print(f"import learning libraries: {r['import_s']:6.2f} s")
    print(f"training:         {r['train_s']:8.2f} s (target <= 10); save {r['save_s']} s, "
          f"load {r['load_s']} s, file {r['model_file_mib']} MiB")  # fmt: skip
    print(f"rank a day ({DAY}):  p50 {r['rank_day_p50_ms']:6.1f} ms, "
          f"p95 {r['rank_day_p95_ms']:6.1f} ms (target <= 50)")  # fmt: skip
    print(f"rank the library: {r['rank_library_s']:8.2f} s ({r['n']:,} papers)")
    print(f"related:          p50 {r['related_p50_ms']:6.1f} ms, "
          f"p95 {r['related_p95_ms']:6.1f} ms (target <= 150)")  # fmt: skip
    print(f"suggest tags:     p95 {r['suggest_p95_ms']:6.1f} ms")
    print(f"peak memory:      {r['added_peak_mib']:8.1f} MiB above the "
          f"{r['rss_before_mib']} MiB before the model (target <= 300); after training "
          f"{r['added_peak_training_mib']} MiB, before ranking the whole library "
          f"{r['added_peak_before_ranking_library_mib']} MiB")  # fmt: skip
    print(json.dumps(r))


if __name__ == "__main__":
    main()
