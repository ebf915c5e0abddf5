"""Benchmark: export 10,000 synthetic papers to BibTeX, import them into a fresh library, and
keep a 10,000-entry tag exported (auto-export) through one change.

Usage: ``python bench/bench_bibtex.py [N]``. Prints one line per measurement and,
last, one JSON object ``{"n", "export_entries_per_s", "import_entries_per_s", ...}``.

Targets (issue 12): import ≥ 3,000 and export ≥ 10,000 entries/s; after one change, the kept
file of a 10,000-entry tag is rewritten in ≤ 1 s. The window keeps rendered entries between
updates, so its updates are the warm figure; a command-line command is a new process, the
cold one (printed too).

``export_entries_per_s`` is the pure :func:`to_bibtex` (keys given), the part whose speed the
app controls; the service (:func:`export_bibtex`: reading the papers from SQLite, assigning and
storing keys on the first export) is measured separately, first and repeated export.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.bibtex import BibTeXOptions, export_bibtex, import_bibtex, to_bibtex
from desktop_app.bibtex.keys import assign_keys
from desktop_app.domain import Paper, PaperRecord
from desktop_app.store import Repository

_WORDS = (
    "learning deep neural network transformer attention graph model language vision "
    "diffusion reinforcement optimal robust efficient scalable sparse federated causal "
    "generative adversarial contrastive self-supervised benchmark dataset agents reasoning"
)
WORDS = _WORDS.split()
SPICE = ["LLaMA", "GPT-4", "BERT", "3D", "$O(n \\log n)$", "Über", "naïve", "R&D", "50%", "α"]
FIRST = ["Ashish", "Jürgen", "Gaël", "Łukasz", "Zoë", "Wei", "Maria", "John", "Aidan N."]
LAST = ["Vaswani", "Schmidhuber", "Varoquaux", "Kaiser", "van der Maaten", "Smith Jr.", "Li"]


def synthetic(n: int, seed: int = 1) -> list[Paper]:
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    papers = []
    for i in range(n):
        words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 12))]
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), rng.choice(SPICE))
        papers.append(
            Paper(
                id=f"{15 + i % 10}{1 + i % 12:02d}.{i:05d}",
                title=" ".join(words),
                abstract=" ".join(rng.choice(WORDS) for _ in range(120)),
                authors=tuple(
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 12))
                ),
                published=start + timedelta(days=rng.randrange(3650)),
                primary_category=rng.choice(["cs.LG", "cs.CL", "cs.CV", "stat.ML"]),
                doi=f"10.1000/bench.{i}" if rng.random() < 0.2 else None,
                journal_ref="Phys. Rev. D 76, 013009 (2007)" if rng.random() < 0.05 else None,
            )
        )
    return papers


def rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def pybtex_parse_seconds(text: str) -> float:
    """The raw baseline: pybtex's BibTeX scanner over the same text (parsing only)."""
    from pybtex.database.input.bibtex import LowLevelParser

    t0 = time.perf_counter()
    n = sum(1 for _ in LowLevelParser(text))
    assert n > 0
    return time.perf_counter() - t0


def autoexport_after_one_change(
    repo: Repository, ids: list[str], path: Path
) -> tuple[float, float]:
    """Seconds to bring a kept file of ``ids`` (a tag) up to date after one paper left the
    tag: as the window does it (its rendered entries kept from the last update) and as a new
    process does (nothing kept: every cache emptied)."""
    from desktop_app.bibtex import export, generate, latex, names, records
    from desktop_app.library import autoexport

    repo.tag_papers(ids, ["kept"])
    autoexport.add(repo, path, tag="kept")
    autoexport.refresh(repo)  # as the window is after its first update
    repo.untag_papers([ids[0]], ["kept"])
    t0 = time.perf_counter()
    (result,) = autoexport.refresh(repo)
    warm = time.perf_counter() - t0
    assert result.written and result.entries == len(ids) - 1, result
    for cached in (
        latex.decode,
        names.parse_name,
        names.person_from_display,
        generate._format_person,
        records.normalize_title,
    ):
        cached.cache_clear()
    export._CACHE.clear()
    repo.untag_papers([ids[1]], ["kept"])
    t0 = time.perf_counter()
    (result,) = autoexport.refresh(repo)
    cold = time.perf_counter() - t0
    assert result.written and result.entries == len(ids) - 2, result
    return warm, cold


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    papers = synthetic(n)
    options = BibTeXOptions()
    keys = assign_keys(papers, ())

    t0 = time.perf_counter()
    text = to_bibtex(papers, keys, options)
    pure = time.perf_counter() - t0
    print(f"to_bibtex (pure, cold caches): {n} entries in {pure:.3f} s = {rate(n, pure)} /s")

    with tempfile.TemporaryDirectory() as tmp:
        source = Repository.open(Path(tmp) / "source.sqlite3")
        source.upsert_papers(
            PaperRecord(
                id=p.id,
                title=p.title,
                abstract=p.abstract,
                authors=p.authors,
                published=p.published,
                primary_category=p.primary_category,
                doi=p.doi,
                journal_ref=p.journal_ref,
            )
            for p in papers
        )
        ids = [p.id for p in papers]
        t0 = time.perf_counter()
        first = export_bibtex(source, ids, options)
        service_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = export_bibtex(source, ids, options)
        service_again = time.perf_counter() - t0
        assert first == again
        print(
            f"export_bibtex (service, first: assigns and stores keys): "
            f"{service_first:.3f} s = {rate(n, service_first)} /s"
        )
        print(
            f"export_bibtex (service, keys stored): {service_again:.3f} s = "
            f"{rate(n, service_again)} /s"
        )

        target = Repository.open(Path(tmp) / "target.sqlite3")
        t0 = time.perf_counter()
        report = import_bibtex(target, first)
        imported = time.perf_counter() - t0
        assert report.new == n, report
        raw = pybtex_parse_seconds(first)
        print(
            f"import_bibtex (fresh library): {imported:.3f} s = {rate(n, imported)} /s; "
            f"pybtex's parser alone (no names, no storing) {raw:.3f} s in the same run, "
            f"ratio {imported / raw:.2f}"
        )
        target.close()

        warm, cold = autoexport_after_one_change(source, ids, Path(tmp) / "kept.bib")
        print(
            f"auto-export of a {n}-entry tag after one change: {warm:.3f} s in the window "
            f"(rendered entries kept), {cold:.3f} s in a new process (the command line)"
        )
        source.close()

    assert len(text) > 0
    print(
        json.dumps(
            {
                "n": n,
                "export_entries_per_s": rate(n, pure),
                "import_entries_per_s": rate(n, imported),
                "import_ratio_vs_pybtex_parse": round(imported / raw, 2),
                "service_export_first_entries_per_s": rate(n, service_first),
                "service_export_entries_per_s": rate(n, service_again),
                "autoexport_after_change_s": round(warm, 3),
                "autoexport_cold_s": round(cold, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
