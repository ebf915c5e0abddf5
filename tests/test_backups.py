"""Copies of the library: consistent, atomic, refused where they would do harm, rotated."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.domain import PaperRecord
from desktop_app.errors import CancelledError, InvalidInputError, StoreError
from desktop_app.library import backups
from desktop_app.store import Repository

T0 = datetime(2026, 11, 1, 9, 30, 0)


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers([PaperRecord(id=f"2601.0000{i}", title=f"Paper {i}") for i in range(3)])
    repo.tag_papers(["2601.00001"], ["ml"])
    repo.set_note("2601.00002", "mine")
    return repo


def papers_in(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        return conn.execute(
            "SELECT p.paper_id, s.note FROM paper p LEFT JOIN paper_state s ON s.paper = p.id "
            "ORDER BY p.paper_id"
        ).fetchall()
    finally:
        conn.close()


def test_a_copy_holds_everything_and_opens_on_its_own(lib: Repository, tmp_path: Path) -> None:
    target = tmp_path / "out" / "copy.sqlite3"
    assert backups.backup_library(lib, target) == target
    assert papers_in(target) == [("2601.00000", None), ("2601.00001", ""), ("2601.00002", "mine")]
    assert not list(target.parent.glob("*.partial"))
    copy = Repository.open(target)
    try:
        assert copy.get("2601.00001").tags == ("ml",)
    finally:
        copy.close()
    lib.set_note("2601.00000", "later")
    backups.backup_library(lib, target)  # replaces the older copy
    assert ("2601.00000", "later") in papers_in(target)


def test_a_failed_copy_says_why_and_leaves_no_file(lib: Repository, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="Could not back up") as err:
        backups.backup_library(lib, blocker / "copy.sqlite3")
    assert "disk space" in (err.value.hint or "")
    # A folder in the way is refused before anything is written.
    taken = tmp_path / "taken.sqlite3"
    taken.mkdir()
    with pytest.raises(InvalidInputError, match="is a folder"):
        backups.backup_library(lib, taken)
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_library_itself_is_refused_as_a_target(lib: Repository, suffix: str) -> None:
    target = lib.path.with_name(lib.path.name + suffix)
    with pytest.raises(InvalidInputError, match=r"the library itself|part of the library"):
        backups.backup_library(lib, target)
    assert lib.get("2601.00002").note == "mine"


def test_another_name_for_the_library_file_is_refused(lib: Repository, tmp_path: Path) -> None:
    # A hard link stands in for what a case-insensitive disk does with LIBRARY.SQLITE3.
    alias = tmp_path / "alias.sqlite3"
    os.link(lib.path, alias)
    with pytest.raises(InvalidInputError, match="the library itself"):
        backups.backup_library(lib, alias)
    assert lib.get("2601.00002").note == "mine"


def test_a_target_open_as_a_library_is_refused(lib: Repository, tmp_path: Path) -> None:
    target = tmp_path / "other" / "library.sqlite3"
    backups.backup_library(lib, target)
    other = Repository.open(target)  # someone uses the copy: it has a -wal now
    try:
        other.set_note("2601.00000", "written in the copy")
        with pytest.raises(StoreError, match="in use as a library"):
            backups.backup_library(lib, target)
        assert other.get("2601.00000").note == "written in the copy"
    finally:
        other.close()


def test_a_cancelled_copy_leaves_nothing(lib: Repository, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        backups.backup_library(lib, tmp_path / "copy.sqlite3", cancel)
    assert not list(tmp_path.glob("copy.sqlite3*"))


def test_automatic_copies_are_due_by_age_and_the_newest_three_are_kept(lib: Repository) -> None:
    assert backups.backup_due(lib, 7, T0)  # none yet
    assert not backups.backup_due(lib, 0, T0)  # 0: never
    taken = [backups.take_automatic_backup(lib, T0 + timedelta(days=8 * i)) for i in range(5)]
    assert backups.automatic_backups(lib) == taken[-3:]
    assert all(p.parent == lib.path.parent / "backups" for p in taken)
    newest = T0 + timedelta(days=32)
    assert not backups.backup_due(lib, 7, newest + timedelta(days=6, hours=23))
    assert backups.backup_due(lib, 7, newest + timedelta(days=7))
    assert backups.backup_due(lib, 7, newest - timedelta(days=1))  # the clock went back
    # Files that are not automatic copies are neither counted nor deleted.
    other = lib.path.parent / "backups" / "library-mine.sqlite3"
    other.write_bytes(b"")
    backups.take_automatic_backup(lib, newest + timedelta(days=9))
    assert other.exists() and len(backups.automatic_backups(lib)) == 3


def test_a_clock_that_went_back_does_not_lose_the_new_copy(lib: Repository) -> None:
    ahead = datetime(2030, 1, 1)  # copies taken while the clock was years ahead
    for i in range(3):
        backups.take_automatic_backup(lib, ahead + timedelta(days=i))
    assert backups.backup_due(lib, 7, T0)  # they do not count as recent
    new = backups.take_automatic_backup(lib, T0)
    assert new.exists() and new in backups.automatic_backups(lib)
    assert len(backups.automatic_backups(lib)) == 3  # the oldest future one went first
    assert not backups.backup_due(lib, 7, T0 + timedelta(days=1))


def test_manual_copies_are_never_rotated(lib: Repository) -> None:
    manual = backups.take_manual_backup(lib, T0)
    for i in range(4):
        backups.take_automatic_backup(lib, T0 + timedelta(days=8 * (i + 1)))
    assert manual.exists() and manual.name.startswith("manual-")
    assert len(backups.automatic_backups(lib)) == 3
