"""Full disks, damaged files and read-only libraries: said plainly, never made worse.

Damage is made the way it happens: bytes scribbled over pages of a real library file. Full
disks are a real SQLITE_FULL (SQLite's page limit, and a real tiny tmpfs where this machine
lets the tests mount one).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from peewee import OperationalError as PeeweeOperationalError

from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.errors import (
    DamagedLibraryError,
    DiskFullError,
    ReadOnlyLibraryError,
    SchemaTooNewError,
)
from desktop_app.library import backups
from desktop_app.store import Repository
from desktop_app.store import db as store_db
from desktop_app.store.db import SQLITE_FULL, sqlite_code, store_error
from desktop_app.store.health import check_library, good_backups, repair_library

N = 300


def _records(n: int = N, start: int = 0) -> list[PaperRecord]:
    return [
        PaperRecord(
            id=f"2401.{i:05d}",
            title=f"Paper number {i} about sparse attention",
            abstract="We study attention. " * 40,
            authors=(f"Author {i}", "Ada Lovelace"),
            published=date(2024, 1, 1 + i % 28),
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def library(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(_records())
    repo.tag_papers(["2401.00001"], ["ml"])
    repo.set_note("2401.00001", "mine")
    repo.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    repo.close()
    return db_path(data_dir)


def _rootpage(path: Path, name: str) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return page[0], size


def scribble(path: Path, name: str) -> None:
    """Overwrite the root page of table or index ``name`` with garbage (but its first byte,
    so SQLite still sees a page of the right kind and trips over its contents)."""
    page, size = _rootpage(path, name)
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size + 8)
        fh.write(bytes((i * 37 + 11) % 251 for i in range(size - 8)))


# --------------------------------------------------------------------------- full disk


def test_a_full_disk_is_named_and_nothing_is_changed(library: Path) -> None:
    repo = Repository.open(library)
    try:
        pages = repo.db.execute_sql("PRAGMA page_count").fetchone()[0]
        repo.db.execute_sql(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFullError) as info:
            repo.upsert_papers(_records(200, start=1000))
        assert "is full" in str(info.value)
        assert "free some space and try again; nothing was changed" in str(info.value).lower()
        assert repo.count(FeedQuery()) == N
    finally:
        repo.close()


def test_the_rollback_that_masks_a_full_disk_is_seen_through(tmp_path: Path) -> None:
    """On a real full disk SQLite rolls the transaction back itself, and the rollback peewee
    then tries fails with 'cannot rollback - no transaction is active', hiding the cause."""
    conn = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("PRAGMA max_page_count = 2")
    try:
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.OperationalError as full:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as rollback:
            assert "cannot rollback" in str(rollback)
            rollback.__context__ = PeeweeOperationalError(full, *full.args)
            masked = PeeweeOperationalError(rollback, *rollback.args)
            masked.__context__ = rollback
    conn.close()
    assert sqlite_code(masked) == SQLITE_FULL
    error = store_error(masked, tmp_path / "x.sqlite3")
    assert isinstance(error, DiskFullError)
    assert "cannot rollback" not in str(error)


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def test_a_really_full_disk(tmp_path: Path, capsys) -> None:
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "700k"):
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        repo = Repository.open(disk / "library.sqlite3")
        repo.upsert_papers(_records(20))
        stored = repo.count(FeedQuery())
        with pytest.raises(DiskFullError, match="is full"):
            for k in range(40):
                repo.upsert_papers(_records(60, start=1000 + 60 * k))
                stored = repo.count(FeedQuery())
        assert repo.count(FeedQuery()) == stored  # the failed transaction left nothing
        repo.close()
        assert main(["--data-dir", str(disk), "tag", "2401.00001", "--add", "x" * 50]) in (0, 1)
        err = capsys.readouterr().err
        assert "Traceback" not in err and "cannot rollback" not in err
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --------------------------------------------------------------------------- damaged files


def test_a_healthy_library_checks_clean(library: Path, capsys) -> None:
    assert check_library(library) == []
    assert main(["check"]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_a_scribbled_index_is_found_and_rebuilt(library: Path, capsys) -> None:
    scribble(library, "paper_published")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.strip() and all(line.startswith(str(library)) for line in out.splitlines())
    assert main(["repair"]) == 0
    assert "with new indexes" in capsys.readouterr().out
    assert check_library(library) == []
    repo = Repository.open(library)
    assert repo.get("2401.00001").note == "mine" and repo.count(FeedQuery()) == N
    repo.close()


def test_a_scribbled_search_index_is_found_and_rebuilt(library: Path) -> None:
    scribble(library, "paper_fts_data")
    problems = check_library(library)
    assert problems
    report = repair_library(library)
    assert report.healthy and "a new search index" in report.done[0]
    repo = Repository.open(library)
    assert repo.count(FeedQuery(text="attention")) == N
    repo.close()


def test_damaged_papers_say_so_and_a_good_backup_is_offered(library: Path, capsys) -> None:
    assert main(["backup"]) == 0
    capsys.readouterr()
    scribble(library, "paper")
    repo = Repository.open(library)  # the header is fine: it opens…
    with pytest.raises(DamagedLibraryError, match="is damaged") as info:
        repo.upsert_papers(_records(5))  # …and a write that meets the damage stops
    assert "daily-papers check" in str(info.value)
    with pytest.raises(DamagedLibraryError):
        repo.page(FeedQuery())  # as does a read
    repo.close()
    assert main(["list"]) == 1
    assert "is damaged" in capsys.readouterr().err
    assert main(["repair"]) == 1
    captured = capsys.readouterr()
    assert "daily-papers repair --restore" in captured.err
    backup = good_backups(library)[0]
    assert main(["repair", "--restore", str(backup)]) == 0
    assert "was kept as" in capsys.readouterr().out
    assert list(library.parent.glob("library.sqlite3.damaged-*"))
    repo = Repository.open(library)
    assert repo.get("2401.00001").note == "mine" and repo.count(FeedQuery()) == N
    repo.close()


def test_an_automatic_backup_is_not_taken_of_a_damaged_library(library: Path) -> None:
    repo = Repository.open(library)
    good = backups.take_automatic_backup(repo)
    repo.close()
    scribble(library, "paper_published")
    repo = Repository.open(library)
    try:
        with pytest.raises(DamagedLibraryError, match="no automatic backup was taken"):
            backups.take_automatic_backup(repo)
        assert backups.automatic_backups(repo) == [good]  # the good copy is kept
    finally:
        repo.close()


def _write_header_bytes(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def test_garbage_after_the_header_magic_is_damage_not_a_newer_version(library: Path) -> None:
    _write_header_bytes(library, 16, bytes(range(7, 91)))
    before = library.read_bytes()
    with pytest.raises(DamagedLibraryError) as info:
        Repository.open(library)
    assert "newer version" not in str(info.value) and "damaged" in str(info.value)
    assert library.read_bytes() == before


def test_a_negative_schema_version_is_damage(library: Path) -> None:
    _write_header_bytes(library, 60, (-1).to_bytes(4, "big", signed=True))
    with pytest.raises(DamagedLibraryError, match="schema version is -1"):
        Repository.open(library)
    assert check_library(library) == [
        "its schema version is -1, which no version of Daily Papers writes"
    ]


def test_a_newer_library_is_still_told_apart(library: Path) -> None:
    conn = sqlite3.connect(library)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        Repository.open(library)


def test_a_foreign_sqlite_file_is_not_adopted(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DamagedLibraryError, match="not a Daily Papers library"):
        Repository.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.sqlite3"]


# --------------------------------------------------------------------------- read-only


@pytest.fixture
def read_only(library: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The library as it is on a read-only disk: the probe says so, and SQLite opens it
    read-only (so even root cannot write it)."""
    monkeypatch.setattr(store_db, "library_writable", lambda path: False)
    return library


def test_reading_commands_work_on_a_read_only_library(read_only: Path, capsys) -> None:
    before = read_only.read_bytes()
    assert main(["list", "--format", "json", "--limit", "0"]) == 0
    assert "Paper number 1 about" in capsys.readouterr().out
    assert main(["show", "2401.00001"]) == 0
    assert main(["export", "2401.00001"]) == 0  # to standard output
    assert capsys.readouterr().out.count("@misc{") == 1
    assert read_only.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["tag", "2401.00002", "--add", "x"],
        ["note", "2401.00002", "hello"],
        ["star", "2401.00002"],
        ["delete", "2401.00002"],
    ],
)
def test_writing_commands_say_the_library_is_read_only(read_only: Path, capsys, args) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "read-only" in err and "Traceback" not in err


def test_an_old_read_only_library_cannot_be_migrated_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.sqlite3"
    store_db.open_database(path, migrate_to=1).close()
    monkeypatch.setattr(store_db, "library_writable", lambda p: False)
    with pytest.raises(ReadOnlyLibraryError, match="older version"):
        Repository.open(path)


def test_a_library_on_a_read_only_mount(library: Path, tmp_path: Path, capsys) -> None:
    disk = tmp_path / "ro"
    if not _mount_tmpfs(disk, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        (disk / "data").mkdir()
        for f in library.parent.glob("library.sqlite3*"):
            (disk / "data" / f.name).write_bytes(f.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert not store_db.library_writable(disk / "data" / "library.sqlite3")
        home = ["--data-dir", str(disk / "data")]
        assert main([*home, "list"]) == 0
        assert main([*home, "export"]) == 0
        assert main([*home, "tag", "2401.00001", "--add", "y"]) == 1
        assert "read-only" in capsys.readouterr().err
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_the_window_says_why_it_cannot_open_a_damaged_library(
    library: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui_support import answering

    from desktop_app.app import run_gui

    _write_header_bytes(library, 60, (-1).to_bytes(4, "big", signed=True))
    with answering(None) as asked, pytest.raises(DamagedLibraryError):
        run_gui(library.parent)
    assert asked.seen and "schema version is -1" in asked.seen[0].texts[0]
    assert all(asked.seen[0].plain)
