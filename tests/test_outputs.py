"""Files written on the user's say-so never destroy the library or anything else precious."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import PaperRecord
from desktop_app.errors import InvalidInputError
from desktop_app.outputs import check_target, new_file_mode
from desktop_app.store import Repository


@pytest.fixture
def library(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(
        [PaperRecord(id="2401.00001", title="Attention Again", published=date(2024, 1, 2))]
    )
    repo.set_note("2401.00001", "mine")
    repo.close()
    return data_dir


def _library_is_intact(data_dir: Path) -> None:
    repo = Repository.open(db_path(data_dir))
    try:
        assert repo.get("2401.00001").note == "mine"
    finally:
        repo.close()


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_onto_the_library_is_refused_even_with_force(
    library: Path, capsys, suffix: str
) -> None:
    target = db_path(library).with_name(db_path(library).name + suffix)
    for extra in ([], ["--force"]):
        assert main(["export", "-o", str(target), *extra]) == 1
        err = capsys.readouterr().err
        assert "would destroy it" in err and "Traceback" not in err
    _library_is_intact(library)


def test_export_onto_a_symlink_to_the_library_is_refused(library: Path, tmp_path: Path) -> None:
    link = tmp_path / "refs.bib"
    link.symlink_to(db_path(library))
    assert main(["export", "-o", str(link), "--force"]) == 1
    _library_is_intact(library)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"SQLite format 3\x00" + b"\x00" * 100, "an SQLite database"),
        (b"%PDF-1.7\n%\xe2\xe3\n", "a PDF"),
        (b"\x7fELF\x02\x01\x01\x00", "a binary file"),
        (b"root:x:0:0:root:/root:/bin/bash\n", "not a bibliography file"),
    ],
)
def test_export_over_a_file_that_is_not_a_bibliography_needs_force(
    library: Path, tmp_path: Path, capsys, content: bytes, words: str
) -> None:
    target = tmp_path / "precious"
    target.write_bytes(content)
    assert main(["export", "-o", str(target)]) == 1
    assert words in capsys.readouterr().err
    assert target.read_bytes() == content
    assert main(["export", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("@misc{")


def test_export_into_a_folder_or_a_device_is_refused(library: Path, tmp_path: Path, capsys):
    assert main(["export", "-o", str(tmp_path), "--force"]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["export", "-o", "/dev/null"]) == 1
    assert "not a regular file" in capsys.readouterr().err


def test_export_over_a_backup_needs_force(library: Path, capsys) -> None:
    assert main(["backup"]) == 0
    copy = next((library / "backups").glob("manual-*.sqlite3"))
    assert main(["export", "-o", str(copy)]) == 1
    assert "backup" in capsys.readouterr().err
    assert copy.read_bytes().startswith(b"SQLite format 3")


def test_export_replaces_a_bibliography_and_keeps_its_permissions(
    library: Path, tmp_path: Path
) -> None:
    old = tmp_path / "refs.bib"
    old.write_text("@misc{old,\n  title = {Old}\n}\n")
    old.chmod(0o640)
    assert main(["export", "-o", str(old)]) == 0
    assert "Attention Again" in old.read_text()
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert not list(tmp_path.glob(".refs.bib.*"))  # no temporary file left behind


def test_a_new_export_gets_the_permissions_of_any_new_file(library: Path, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        assert new_file_mode() == 0o644
        new = tmp_path / "new.bib"
        assert main(["export", "-o", str(new)]) == 0
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # not mkstemp's 0600
    finally:
        os.umask(previous)


def test_backup_over_a_file_that_is_not_a_library_needs_force(
    library: Path, tmp_path: Path, capsys
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    assert main(["backup", str(notes)]) == 1
    assert "not a library copy" in capsys.readouterr().err
    assert notes.read_text() == "my notes"
    assert main(["backup", str(notes), "--force"]) == 0
    assert notes.read_bytes().startswith(b"SQLite format 3")


def test_check_target_accepts_empty_and_bibliography_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bib"
    empty.write_text("")
    bib = tmp_path / "a.bib"
    bib.write_text("% my refs\n@Article{x, title={T}}\n")
    assert check_target(empty, library=None) == empty
    assert check_target(bib, library=None) == bib
    with pytest.raises(InvalidInputError, match="does not exist"):
        check_target(tmp_path / "no" / "x.bib", library=None)
