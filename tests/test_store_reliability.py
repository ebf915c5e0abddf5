"""The store under pressure: concurrent threads, a killed process, a lock held too long."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from desktop_app.domain import FeedQuery, PaperRecord, Sort
from desktop_app.errors import DatabaseBusyError
from desktop_app.store import Repository, open_database
from desktop_app.store.health import check_library

REPO_ROOT = Path(__file__).resolve().parent.parent


def batch(number: int, size: int, revision: int = 0) -> list[PaperRecord]:
    return [
        PaperRecord(
            id=f"{number:04d}.{i:05d}",
            title=f"batch{number} paper {i} revision{revision}",
            abstract=f"An abstract about topic{i % 7} written for revision {revision}. " * 5,
            authors=tuple(f"Author {number}-{i}-{k}" for k in range(5 if revision % 2 else 3)),
            published=date(2024, 1, 1 + number % 28),
            upvotes=(number * 31 + i) % 100,
        )
        for i in range(size)
    ]


# --------------------------------------------------------------------------- threads


def test_reads_in_one_thread_while_another_writes(repo: Repository) -> None:
    repo.upsert_papers(batch(0, 200))
    errors: list[BaseException] = []
    writer_done = threading.Event()
    reads = Counter[str]()

    def writer() -> None:
        try:
            for i in range(1, 31):
                repo.upsert_papers(batch(i, 100) + batch(i - 1, 100, revision=i))
                ids = [f"{i:04d}.{k:05d}" for k in range(0, 100, 3)]
                repo.tag_papers(ids, [f"topic/{i % 4}", "all"])
                repo.set_read(ids[::2])
                if i % 5 == 0:
                    repo.untag_papers(ids[:10], ["all"])
                    repo.rename_tag(f"topic/{i % 4}", f"topic/renamed{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            writer_done.set()
            repo.close()

    def reader() -> None:
        try:
            queries = [
                FeedQuery(),
                FeedQuery(sort=Sort.UPVOTES, unread=True),
                FeedQuery(text="topic3 revision", sort=Sort.RELEVANCE),
                FeedQuery(tags=("topic",)),
            ]
            # Bounded: the reader stops with the writer, or after this many rounds.
            for n in range(20_000):
                if writer_done.is_set():
                    break
                query = queries[n % len(queries)]
                page = repo.page(query, None, limit=50)
                for paper in page.papers:
                    if not paper.authors:
                        raise AssertionError(f"{paper.id} read without its authors")
                repo.count(query)
                repo.tags()
                repo.get_many([p.id for p in page.papers[:10]])
                reads["rounds"] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            repo.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert reads["rounds"] > 0
    # The writer's work all landed.
    assert repo.stats()["papers"] == 200 + 30 * 100
    assert repo.count(FeedQuery(text="revision30")) == 100
    assert check_library(repo.path) == []


def test_two_threads_writing_at_once_wait_for_each_other(repo: Repository) -> None:
    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for i in range(10):
                repo.upsert_papers(batch(offset + i, 50))
                repo.tag_papers([f"{offset + i:04d}.00000"], [f"t{offset}"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            repo.close()

    threads = [threading.Thread(target=write, args=(o,)) for o in (100, 200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert repo.stats()["papers"] == 2 * 10 * 50
    assert {t.name: t.count for t in repo.tags()} == {"t100": 10, "t200": 10}


# --------------------------------------------------------------------------- busy


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_writer_blocked_past_the_busy_timeout_gets_a_friendly_error(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    repo = Repository.open(path, busy_timeout=0.05)
    try:
        repo.upsert_papers(batch(1, 5))
        other = _hold_write_lock(path)
        try:
            started = time.monotonic()
            with pytest.raises(DatabaseBusyError) as info:
                repo.upsert_papers(batch(2, 5))
            assert time.monotonic() - started < 5
            message = str(info.value)
            assert message.startswith("The library is busy")
            assert "Wait a moment and try again" in message
            assert "sqlite" not in message.lower() and "Traceback" not in message
            for call in (
                lambda: repo.tag_papers(["0001.00000"], ["x"]),
                lambda: repo.set_read(["0001.00000"]),
                lambda: repo.set_note("0001.00000", "n"),
                lambda: repo.set_meta("k", "v"),
                lambda: repo.rename_tag("x", "y"),
            ):
                with pytest.raises(DatabaseBusyError):
                    call()
            # Readers are not blocked by a writer in WAL mode.
            assert repo.count(FeedQuery()) == 5
        finally:
            other.execute("ROLLBACK")
            other.close()
        # Nothing of the failed writes landed, and the library works again.
        assert repo.stats() == {"papers": 5, "tags": 0, "saved": 0, "unread": 5}
        assert repo.upsert_papers(batch(2, 5)).new == 5
    finally:
        repo.close()


def test_a_migration_blocked_past_the_busy_timeout_is_a_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    open_database(path, migrate_to=1).close()
    other = _hold_write_lock(path)
    try:
        with pytest.raises(DatabaseBusyError):
            Repository.open(path, busy_timeout=0.05)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (tmp_path / "library.sqlite3.v1.bak").exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    conn.close()
    repo = Repository.open(path)  # once the lock is gone the migration goes through
    try:
        assert repo.db.execute_sql("PRAGMA user_version").fetchone()[0] > 1
    finally:
        repo.close()


# --------------------------------------------------------------------------- SIGKILL

WRITER_SCRIPT = r"""
import os
import sys
from datetime import date
from desktop_app.domain import PaperRecord
from desktop_app.store import Repository

path, size, arm_after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def records(number, revision):
    return [
        PaperRecord(
            id=f"{number:04d}.{i:05d}",
            title=f"batch{number} paper {i} rev{revision}",
            abstract=f"Abstract {i} of batch {number}, revision {revision}. " * 20,
            authors=tuple(f"Author {number}-{i}-{k}-{revision}" for k in range(5)),
            published=date(2024, 1, 1 + number % 28),
            upvotes=i % 50,
        )
        for i in range(size)
    ]

repo = Repository.open(path)
conn = repo.db.connection()
# A tiny page cache makes SQLite spill uncommitted pages into the WAL mid-transaction, so
# the kill leaves half a transaction on disk for recovery to discard; without checkpoints
# the WAL only grows, so its size shows that this happened.
conn.execute("PRAGMA cache_size = 50")
conn.execute("PRAGMA wal_autocheckpoint = 0")
wal = path + "-wal"
state = {"number": 0, "ticks": 0}

def progress():
    # Called by SQLite while a statement runs: once the batch after ``arm_after`` is well
    # under way, tell the parent, which kills us in the middle of that transaction.
    if state["number"] > arm_after:
        state["ticks"] += 1
        if state["ticks"] == 200:
            print("mid", state["number"], os.path.getsize(wal), flush=True)
    return 0

conn.set_progress_handler(progress, 1000)
while True:
    number = state["number"]
    # New papers of this batch and the previous batch refetched with new titles and
    # authors, in one call: one transaction.
    work = records(number, 0) + (records(number - 1, number) if number else [])
    repo.upsert_papers(work)
    print(number, os.path.getsize(wal), flush=True)
    state["number"] = number + 1
"""


def test_a_killed_writer_leaves_a_consistent_library(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    size = 500
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(path), str(size), "3"],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed: list[int] = []
    wal_sizes: list[int] = []
    killed_during: int | None = None
    try:
        assert proc.stdout is not None
        while killed_during is None:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"writer exited early: {proc.stderr.read() if proc.stderr else ''}")
            if line.startswith("mid"):
                proc.send_signal(signal.SIGKILL)
                killed_during, wal_size = map(int, line.split()[1:])
                wal_sizes.append(wal_size)
            else:
                number, wal_size = map(int, line.split())
                committed.append(number)
                wal_sizes.append(wal_size)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert committed == [0, 1, 2, 3]
    assert killed_during == 4
    assert wal_sizes[-1] > wal_sizes[-2], "part of the killed transaction reached the WAL"
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")
        rows = conn.execute("SELECT paper_id, title FROM paper").fetchall()
        authors = conn.execute(
            "SELECT p.paper_id, count(*) FROM paper_author a JOIN paper p ON p.id = a.paper "
            "GROUP BY p.id"
        ).fetchall()
    finally:
        conn.close()

    per_batch = Counter(int(paper_id.split(".")[0]) for paper_id, _ in rows)
    last = committed[-1]
    # Every batch is wholly present or wholly absent; every reported batch is present.
    assert all(n == size for n in per_batch.values()), per_batch
    assert set(range(last + 1)) <= set(per_batch) <= set(range(killed_during + 1))
    # Every batch was refetched as a whole: all titles of a batch carry one revision.
    revisions: dict[int, set[str]] = {}
    for paper_id, title in rows:
        revisions.setdefault(int(paper_id.split(".")[0]), set()).add(title.rsplit(" ", 1)[1])
    assert all(len(r) == 1 for r in revisions.values()), revisions
    assert {n for _, n in authors} == {5}
    assert len(authors) == len(rows)

    # And the application opens it and searches it.
    repo = Repository.open(path)
    try:
        assert check_library(repo.path) == []
        assert repo.count(FeedQuery(text=f"batch{last} paper")) == size
    finally:
        repo.close()
