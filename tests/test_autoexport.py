"""Auto-export: files kept up to date with a tag, a search or the library — rewritten after any
change (the service, every CLI command, the window in the background), only when their text
changes, with keys that never change."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from ui_support import answering

from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import PaperRecord
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.library import autoexport
from desktop_app.store import Repository
from desktop_app.ui.navigator import ViewSpec

PAPERS = [
    PaperRecord(
        id=f"2401.0000{i}",
        title=title,
        authors=(author,),
        published=date(2024, 1, i),
        primary_category="cs.LG",
    )
    for i, (title, author) in enumerate(
        [("Sparse Mixtures", "Ada Lovelace"), ("Dense Retrieval", "Alan Turing")], 1
    )
]


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(PAPERS)
    repo.tag_papers(["2401.00001"], ["ml"])
    return repo


def stamp(path: Path) -> tuple[int, int]:
    """The file's inode and modification time: both change when it is rewritten (atomically,
    a new file renamed over the old)."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_a_kept_file_follows_its_tag(lib: Repository, tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    spec, first = autoexport.add(lib, target, tag="ml")
    assert (spec.scope, first.written, first.entries) == ("tag ml", True, 1)
    assert "@misc{lovelace2024sparse," in target.read_text()

    lib.tag_papers(["2401.00002"], ["ml"])
    (result,) = autoexport.refresh(lib)
    assert (result.written, result.entries) == (True, 2)
    text = target.read_text()
    assert text.index("@misc{lovelace2024sparse,") < text.index("@misc{turing2024dense,")
    assert lib.autoexports()[0].entries == 2 and lib.autoexports()[0].error is None


def test_a_file_is_rewritten_only_when_its_text_changes(lib: Repository, tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    autoexport.add(lib, target, tag="ml")
    before = stamp(target)
    lib.set_note("2401.00001", "a note is not in the file")
    lib.set_read(["2401.00002"])
    (result,) = autoexport.refresh(lib)
    assert not result.written and stamp(target) == before


def test_keys_never_change_once_written(lib: Repository, tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    autoexport.add(lib, target)  # the library (saved papers): the tagged one
    # A paper that would now take the same key arrives, and is saved: it gets another.
    lib.upsert_papers(
        [
            PaperRecord(
                id="2401.00009",
                title="Sparse Mixtures",
                authors=("Ada Lovelace",),
                published=date(2023, 12, 31),
            )
        ]
    )
    lib.set_saved(["2401.00009"])
    autoexport.refresh(lib)
    text = target.read_text()
    assert "@misc{lovelace2024sparse,\n  title = {Sparse Mixtures},\n" in text
    assert "@misc{lovelace2023sparse," in text


@pytest.mark.parametrize(
    ("fmt", "start"), [("csl-json", "["), ("ris", "TY  - "), ("biblatex", "@online{")]
)
def test_every_format_can_be_kept(lib: Repository, tmp_path: Path, fmt: str, start: str) -> None:
    target = tmp_path / f"refs.{fmt}"
    autoexport.add(lib, target, query="sparse", fmt=fmt)
    assert target.read_text().startswith(start)
    if fmt == "csl-json":
        assert [i["id"] for i in json.loads(target.read_text())] == ["lovelace2024sparse"]


def test_what_cannot_be_kept_is_refused(lib: Repository, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="the library itself"):
        autoexport.add(lib, lib.path)
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7 ...")
    with pytest.raises(InvalidInputError, match="is a PDF, not a bibliography file"):
        autoexport.add(lib, pdf)
    with pytest.raises(NotFoundError):
        autoexport.add(lib, tmp_path / "x.bib", tag="no such tag")
    with pytest.raises(InvalidInputError, match="Unknown bibliography format"):
        autoexport.add(lib, tmp_path / "x.bib", fmt="docx")
    assert lib.autoexports() == [] and pdf.read_bytes() == b"%PDF-1.7 ..."


def test_a_file_that_cannot_be_written_is_reported_and_the_others_still_are(
    lib: Repository, tmp_path: Path
) -> None:
    gone, ok = tmp_path / "gone", tmp_path / "ok.bib"
    gone.mkdir()
    autoexport.add(lib, gone / "refs.bib", tag="ml")
    autoexport.add(lib, ok, tag="ml")
    (gone / "refs.bib").unlink()
    gone.rmdir()
    lib.tag_papers(["2401.00002"], ["ml"])
    results = {Path(r.path).name: r for r in autoexport.refresh(lib)}
    assert results["refs.bib"].error == (
        f"The folder {gone} does not exist. Create it first, or choose another."
    )
    assert results["ok.bib"].written and "turing2024dense" in ok.read_text()
    assert {Path(s.path).name: s.error is None for s in lib.autoexports()} == {
        "refs.bib": False,
        "ok.bib": True,
    }


def test_a_kept_file_replaced_by_something_else_is_left_alone(
    lib: Repository, tmp_path: Path
) -> None:
    target = tmp_path / "refs.bib"
    autoexport.add(lib, target, tag="ml")
    target.write_bytes(b"%PDF-1.7 the user's own file now")
    lib.tag_papers(["2401.00002"], ["ml"])
    (result,) = autoexport.refresh(lib)
    assert result.error is not None and "is a PDF" in result.error
    assert target.read_bytes() == b"%PDF-1.7 the user's own file now"


# ----------------------------------------------------------------------------- command line


def test_every_command_that_changes_the_library_updates_the_kept_files(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(PAPERS)
    repo.close()
    target = tmp_path / "refs.bib"
    assert main(["tag", "2401.00001", "--add", "ml"]) == 0
    assert main(["autoexport", "add", str(target), "--tag", "ml"]) == 0
    assert "Keeping " in capsys.readouterr().out
    before = stamp(target)

    assert main(["list"]) == 0  # reads only: the file is not touched
    assert main(["tag", "2401.00001", "--add", "ml"]) == 0  # changes nothing in the file
    assert stamp(target) == before
    assert "Updated" not in capsys.readouterr().err

    assert main(["tag", "2401.00002", "--add", "ml"]) == 0
    assert f"Updated {target} (2 entries)." in capsys.readouterr().err
    assert "turing2024dense" in target.read_text()

    assert main(["autoexport", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["path"], row["tag"], row["entries"], row["error"]) == (str(target), "ml", 2, None)
    assert main(["autoexport", "remove", str(target)]) == 0
    assert main(["tag", "2401.00002", "--remove", "ml"]) == 0
    assert "turing2024dense" in target.read_text()  # no longer kept: the file stays as it was
    assert main(["autoexport"]) == 0
    assert "No file is kept up to date" in capsys.readouterr().out


def test_a_failed_update_is_a_warning_not_a_failed_command(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(PAPERS)
    repo.close()
    folder = tmp_path / "paper"
    folder.mkdir()
    assert main(["autoexport", "add", str(folder / "refs.bib")]) == 0
    (folder / "refs.bib").unlink()
    folder.rmdir()
    assert main(["tag", "2401.00001", "--add", "ml"]) == 0
    err = capsys.readouterr().err
    assert f"daily-papers: warning: not updated: The folder {folder} does not exist." in err


# ----------------------------------------------------------------------------- the window


def test_the_window_updates_kept_files_in_the_background(
    make_window, lib: Repository, tmp_path: Path, qtbot
) -> None:
    target = tmp_path / "refs.bib"
    autoexport.add(lib, target)  # the library: saved papers
    win = make_window(lib)
    win.sidebar.select_spec(ViewSpec("all"))
    win.autoexport.timer.setInterval(0)
    row = win.feed_model.row_of("2401.00002")
    win.feed.setCurrentIndex(win.feed_model.index(row))
    with qtbot.waitSignal(win.autoexport.refreshed, timeout=10000) as done:
        win.acts.star.trigger()  # starring saves the paper to the library
    assert [Path(r.path) for r in done.args[0].written] == [target]
    assert "turing2024dense" in target.read_text()
    assert win.statusBar().currentMessage() == "Updated refs.bib."


def test_keep_exported_adds_a_file_through_its_dialogs(
    make_window, lib: Repository, tmp_path: Path, qtbot
) -> None:
    target = tmp_path / "kept.bib"
    win = make_window(lib)
    with (
        qtbot.waitSignal(win.autoexport.refreshed, timeout=10000) as done,
        answering("Add…", "accept", str(target), "Close") as answers,
    ):
        win.acts.keep_exported.trigger()
    kinds = [s.kind for s in answers.seen[:3]]
    assert kinds == ["KeepExportedDialog", "AddKeptDialog", "QFileDialog"]
    assert done.args[0].message.startswith("Keeping kept.bib up to date with the library")
    assert [Path(s.path) for s in lib.autoexports()] == [target]
    assert "@misc{lovelace2024sparse," in target.read_text()
