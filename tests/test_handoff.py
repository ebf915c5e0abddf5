"""Issue 18, items 2 and 3 without Qt: sorting what is handed to Daily Papers (a drop, a
paste, the command line), and the diagnostics (About, the log's last errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.cli.parser import build_parser, papers_open_the_window
from desktop_app.library.diagnostics import (
    AboutInfo,
    diagnostics_text,
    human_size,
    last_errors,
    library_size,
)
from desktop_app.library.handoff import (
    Handoff,
    classify,
    classify_arguments,
    looks_like_a_file,
)

PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "bib": tmp_path / "refs.bib",
        "ris": tmp_path / "zotero.RIS",
        "json": tmp_path / "csl.json",
        "pdf": tmp_path / "paper.pdf",
        "fake_pdf": tmp_path / "fake.pdf",
        "txt": tmp_path / "notes.txt",
    }
    for kind, path in made.items():
        path.write_bytes(PDF if kind == "pdf" else b"@misc{x, title={X}}\n")
    (tmp_path / "folder").mkdir()
    made["folder"] = tmp_path / "folder"
    return made


def test_links_ids_and_text_are_papers_to_add() -> None:
    got = classify(
        links=["https://arxiv.org/abs/2401.00001v2", "https://huggingface.co/papers/2401.00002"]
    )
    assert got == Handoff(
        refs=("https://arxiv.org/abs/2401.00001v2", "https://huggingface.co/papers/2401.00002")
    )
    # Text: the ids and links in it; other words are left alone; repeats once.
    text = "See arXiv:2401.00003 and <https://arxiv.org/pdf/2401.00004.pdf>, also 2401.00003."
    assert classify(text=text).refs == (
        "arXiv:2401.00003",
        "https://arxiv.org/pdf/2401.00004.pdf",
    )
    assert classify(text="hep-th/9901001\n2401.00005").refs == ("hep-th/9901001", "2401.00005")


def test_files_are_sorted_by_kind(files: dict[str, Path]) -> None:
    got = classify(files=[str(files[k]) for k in ("bib", "ris", "json", "pdf")])
    assert got.bibliographies == (files["bib"], files["ris"], files["json"])
    assert got.pdfs == (files["pdf"],) and not got.refused and not got.refs
    # A file: URL in text (a file manager's copy, pasted) is the file.
    assert classify(text=files["bib"].as_uri()).bibliographies == (files["bib"],)
    assert classify(links=[files["pdf"].as_uri()]).pdfs == (files["pdf"],)


def test_what_is_not_for_daily_papers_is_refused_with_the_reason(files: dict[str, Path]) -> None:
    got = classify(
        files=[str(files["txt"]), str(files["folder"]), str(files["fake_pdf"]), "/no/such.bib"],
        links=["https://example.com/paper.pdf", "https://arxiv.org/list/cs.LG/new"],
    )
    assert not got.accepted
    reasons = {r.item: r.reason for r in got.refused}
    assert reasons == {
        str(files["txt"]): "not a bibliography (.bib, .ris, .json) or a PDF",
        str(files["folder"]): "a folder, not a file",
        str(files["fake_pdf"]): "named .pdf but not a PDF file",
        "/no/such.bib": "no such file",
        "https://example.com/paper.pdf": "not an arXiv or Hugging Face paper link",
        "https://arxiv.org/list/cs.LG/new": "not an arXiv or Hugging Face paper link",
    }
    message = got.message()
    assert message.startswith(f"Not taken — {files['txt']}: not a bibliography")
    assert "and 3 more" in message and message.endswith("PDFs dropped onto a paper.")
    words = classify(text="a shopping list: eggs, milk")
    assert words.refused[0].reason == "no arXiv id or paper link in this text"
    assert classify(text="   ").empty and classify().empty


def test_the_command_line_tells_files_from_papers(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    got = classify_arguments(
        ["refs.bib", "2401.00001", "https://arxiv.org/pdf/2401.00002.pdf", "paper.pdf"]
    )
    assert got.bibliographies == (files["bib"],)  # absolute: a window elsewhere opens it
    assert got.refs == ("2401.00001", "https://arxiv.org/pdf/2401.00002.pdf")
    assert got.pdfs == (files["pdf"],)
    bad = classify_arguments(["missing.bib", "folder", "24x"])
    assert [(r.item, r.reason) for r in bad.refused] == [
        (str(tmp_path / "missing.bib"), "no such file"),
        (str(tmp_path / "folder"), "a folder, not a file"),
        ("24x", "'24x' is not an arXiv id or a paper link."),
    ]
    assert looks_like_a_file("refs.bib") and looks_like_a_file("new.ris")
    assert not looks_like_a_file("https://arxiv.org/pdf/2401.00002.pdf")
    assert not looks_like_a_file("2401.00001")
    parser = build_parser()
    assert papers_open_the_window(parser, ["refs.bib"]) == ["gui", "refs.bib"]
    assert papers_open_the_window(parser, ["notes.txt"]) == ["gui", "notes.txt"]  # exists
    assert papers_open_the_window(parser, ["lsit"]) == ["lsit"]


def test_bad_files_are_refused_before_any_window(
    data_dir: Path, files: dict[str, Path], tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    for args, said in (
        (["notes.txt"], "notes.txt: not a bibliography (.bib, .ris, .json) or a PDF."),
        (["folder"], "folder: a folder, not a file."),
        (["gone.bib"], "gone.bib: no such file."),
        (["paper.pdf"], "paper.pdf: a PDF is attached by dropping it onto a paper."),
        (["refs.bib", "2401.0000x"], "'2401.0000x' is not an arXiv id or a paper link."),
    ):
        assert main(args) == 1, args
        err = capsys.readouterr().err
        assert err.startswith("daily-papers: error: ") and said in err, err
        assert len(err.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- diagnostics
LOG = """\
2026-12-01 10:00:00,001 INFO desktop_app.x: started
2026-12-01 10:00:01,002 WARNING desktop_app.worker: FetchDaily failed: Hugging Face is down.
2026-12-01 10:00:02,003 ERROR desktop_app.crash: internal error
Traceback (most recent call last):
  File "x.py", line 1, in <module>
ZeroDivisionError: division by zero
"""


def test_the_logs_last_errors_come_with_their_tracebacks(tmp_path: Path) -> None:
    log = tmp_path / "daily-papers.log"
    assert last_errors(log) == []  # no log yet
    (tmp_path / "daily-papers.log.1").write_text(
        "2026-11-30 09:00:00,000 ERROR desktop_app.worker: AddPapers failed: older\n",
        encoding="utf-8",
    )
    log.write_text(LOG, encoding="utf-8")
    errors = last_errors(log)
    assert [e.splitlines()[0][24:] for e in errors] == [
        "ERROR desktop_app.worker: AddPapers failed: older",
        "WARNING desktop_app.worker: FetchDaily failed: Hugging Face is down.",
        "ERROR desktop_app.crash: internal error",
    ]
    assert errors[-1].endswith("ZeroDivisionError: division by zero")
    assert last_errors(log, limit=1) == errors[-1:]
    assert last_errors(log, max_chars=40)[-1].endswith("…")


def test_the_diagnostics_say_version_library_qt_python_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    db.write_bytes(b"x" * 3000)
    (tmp_path / "library.sqlite3-wal").write_bytes(b"x" * 1000)
    assert library_size(db) == 4000 and library_size(tmp_path / "none") == 0
    assert [human_size(n) for n in (5, 4000, 3 * 1024**2, 5 * 1024**3)] == [
        "5 bytes",
        "3.9 KB",
        "3.0 MB",
        "5.0 GB",
    ]
    info = AboutInfo(library=db, size=4000, papers=1, qt_version="6.9.1", pyside_version="6.9.1")
    log = tmp_path / "daily-papers.log"
    text = diagnostics_text(info, log)
    lines = text.splitlines()
    assert lines[0].startswith("Daily Papers 0.")
    assert f"Library: {db}" in lines and "Size: 3.9 KB, 1 paper" in lines
    assert "Qt 6.9.1 (PySide6 6.9.1)" in lines and lines[4].startswith("Python 3.")
    assert text.endswith("The log has no warnings or errors.\n")
    log.write_text(LOG, encoding="utf-8")
    text = diagnostics_text(info, log)
    assert "Last 2 warnings and errors of the log:" in text and "ZeroDivisionError" in text
    assert "started" not in text  # info lines are not errors
