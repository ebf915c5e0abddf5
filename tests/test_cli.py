"""The daily-papers command: library commands, JSON shape, errors without tracebacks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cli_support import feed_stdin

from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import DailyAppearance, PaperRecord
from desktop_app.store import Repository

JSON_KEYS = {
    "id",
    "title",
    "authors",
    "published",
    "upvotes",
    "comments",
    "organization",
    "github",
    "project_page",
    "summary",
    "tags",
    "read",
    "starred",
    "saved",
    "hf_url",
    "arxiv_url",
    "pdf_url",
}


@pytest.fixture
def library(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(
        [
            PaperRecord(
                id="2401.00001",
                title="Attention Is All You Need Again",
                abstract="Transformers revisited with sparse attention.",
                authors=("Ashish Vaswani", "Noam Shazeer"),
                published=date(2024, 1, 2),
                upvotes=42,
                comments=3,
                organization="Google",
                github_repo="https://github.com/g/t",
                project_page="https://t.github.io",
                ai_summary="Short.",
            ),
            PaperRecord(
                id="2401.00002",
                title="Diffusion Models for Video",
                abstract="We generate video with diffusion.",
                authors=("Jonathan Ho",),
                published=date(2024, 1, 3),
                upvotes=7,
            ),
            PaperRecord(
                id="hep-th/9901001",
                title="Old Style Strings",
                abstract="Strings.",
                authors=("Ed Witten",),
                published=date(1999, 1, 1),
            ),
        ],
        [DailyAppearance("2401.00001", date(2024, 1, 3), 1)],
    )
    repo.close()
    return data_dir


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_the_documented_fields(library: Path, capsys) -> None:
    code, out, _ = run(["list", "--format", "json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["2401.00002", "2401.00001", "hep-th/9901001"]
    first = next(r for r in rows if r["id"] == "2401.00001")
    assert set(first) >= JSON_KEYS
    assert first["authors"] == ["Ashish Vaswani", "Noam Shazeer"]
    assert first["published"] == "2024-01-02"
    assert first["github"] == "https://github.com/g/t"
    assert first["hf_url"] == "https://huggingface.co/papers/2401.00001"
    assert first["pdf_url"] == "https://arxiv.org/pdf/2401.00001"
    assert first["summary"].startswith("Transformers")
    assert (first["read"], first["starred"], first["saved"], first["tags"]) == (
        False,
        False,
        False,
        [],
    )


def test_list_filters_query_tag_unread_starred(library: Path, capsys) -> None:
    assert run(["tag", "2401.00002", "--add", "ml/video"], capsys)[0] == 0
    assert run(["star", "2401.00001"], capsys)[0] == 0
    assert run(["read", "2401.00002"], capsys)[0] == 0

    def ids(*args: str) -> list[str]:
        code, out, _ = run(["list", "--format", "json", *args], capsys)
        assert code == 0
        return [r["id"] for r in json.loads(out)]

    assert ids("--query", "diffusion") == ["2401.00002"]
    assert ids("--tag", "ml") == ["2401.00002"]  # sub-tags included
    assert ids("--starred") == ["2401.00001"]
    assert ids("--unread") == ["2401.00001", "hep-th/9901001"]
    assert ids("--query", "GPT-4 (c++") == []


def test_show_accepts_urls_and_versions(library: Path, capsys) -> None:
    code, out, _ = run(["show", "https://arxiv.org/abs/2401.00001v3"], capsys)
    assert code == 0
    assert "Attention Is All You Need Again" in out
    assert "Ashish Vaswani, Noam Shazeer" in out
    code, out, _ = run(["show", "hep-th/9901001", "--format", "json"], capsys)
    assert json.loads(out)["title"] == "Old Style Strings"


def test_tags_commands(library: Path, capsys) -> None:
    run(["tag", "2401.00001", "2401.00002", "--add", "ml/pruning", "--add", "Vision"], capsys)
    _code, out, _ = run(["tags", "--format", "json"], capsys)
    tags = {t["name"]: t for t in json.loads(out)}
    assert tags["ml/pruning"]["count"] == 2
    assert tags["Vision"]["unread"] == 2

    assert run(["tags", "rename", "ml", "ai"], capsys)[0] == 0
    assert run(["tags", "merge", "vision", "ai/pruning"], capsys)[0] == 0
    _, out, _ = run(["tags", "--format", "json"], capsys)
    assert [t["name"] for t in json.loads(out)] == ["ai/pruning"]

    assert run(["tags", "delete", "ai"], capsys)[0] == 0
    _, out, _ = run(["tags", "--format", "json"], capsys)
    assert json.loads(out) == []
    _, out, _ = run(["list", "--saved", "--format", "json"], capsys)
    assert {r["id"] for r in json.loads(out)} == {"2401.00001", "2401.00002"}


def test_tags_favourites(library: Path, capsys) -> None:
    run(["tag", "2401.00001", "--add", "ml/pruning", "--add", "Vision"], capsys)
    code, out, err = run(["tags", "favourites"], capsys)
    assert (code, out) == (0, "") and "No favourite tags" in err
    code, out, _ = run(["tags", "favourites", "vision", "ML/pruning"], capsys)
    assert (code, out) == (0, "1  Vision\n2  ml/pruning\n")
    _, out, _ = run(["tags", "--format", "json"], capsys)
    assert {t["name"]: t["favourite"] for t in json.loads(out)} == {
        "ml/pruning": 2,
        "Vision": 1,
    }
    _, out, _ = run(["tags"], capsys)
    assert "Vision  [key 1]" in out
    run(["tags", "rename", "ml", "ai"], capsys)
    assert run(["tags", "favourites"], capsys)[1] == "1  Vision\n2  ai/pruning\n"
    code, _, err = run(["tags", "favourites", "vision", "nope"], capsys)
    assert code == 1 and "No tag named 'nope'" in err
    assert run(["tags", "favourites"], capsys)[1] == "1  Vision\n2  ai/pruning\n"  # unchanged
    assert run(["tags", "favourites", "--clear"], capsys)[1] == ""
    assert run(["tags", "favourites", "vision", "--clear"], capsys)[0] == 1


def test_backup(library: Path, capsys, tmp_path: Path) -> None:
    code, out, _ = run(["backup"], capsys)
    (copy,) = (library / "backups").glob("manual-*.sqlite3")  # never rotated away
    assert (code, out) == (0, f"Library backed up to {copy}\n")
    code, out, _ = run(["backup", str(tmp_path / "mine.sqlite3")], capsys)
    assert (code, out) == (0, f"Library backed up to {tmp_path / 'mine.sqlite3'}\n")
    conn = sqlite3.connect(tmp_path / "mine.sqlite3")
    assert conn.execute("SELECT count(*) FROM paper").fetchone() == (3,)
    conn.close()
    code, _, err = run(["backup", str(library / "library.sqlite3")], capsys)
    assert code == 1 and "is the library itself" in err and "Traceback" not in err


def test_tag_remove(library: Path, capsys) -> None:
    run(["tag", "2401.00001", "--add", "a", "--add", "b"], capsys)
    run(["tag", "2401.00001", "--remove", "A"], capsys)
    _, out, _ = run(["show", "2401.00001", "--format", "json"], capsys)
    assert json.loads(out)["tags"] == ["b"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["show", "2412.99999"], "No paper 2412.99999"),
        (["show", "not-an-id"], "not an arXiv id"),
        (["tags", "rename", "nope", "x"], "No tag named 'nope'"),
        (["tag", "2401.00001"], "Nothing to do"),
        (["tag", "2401.00001", "--add", " / "], "not a usable tag name"),
    ],
)
def test_errors_are_one_line(library: Path, capsys, args: list[str], needle: str) -> None:
    code, _, err = run(args, capsys)
    assert code == 1
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_newer_database_is_refused_cleanly(data_dir: Path, capsys) -> None:
    import sqlite3

    Repository.open(db_path(data_dir)).close()
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, _, err = run(["list"], capsys)
    assert code == 1
    assert "newer version of Daily Papers" in err


def test_data_dir_option_beats_environment(tmp_path: Path, data_dir: Path, capsys) -> None:
    other = tmp_path / "other"
    code, _, _ = run(["list", "--data-dir", str(other)], capsys)
    assert code == 0
    assert (other / "library.sqlite3").exists()
    assert not (data_dir / "library.sqlite3").exists()


def test_module_entry_point_in_a_fresh_process(library: Path) -> None:
    env = {**os.environ, "DAILY_PAPERS_HOME": str(library)}
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = str(root)
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "show", "2401.99999"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("daily-papers: error: No paper 2401.99999")
    assert "Traceback" not in done.stderr
    version = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert version.returncode == 0
    assert version.stdout.startswith("daily-papers ")


def test_gui_without_display_explains_instead_of_aborting(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is Linux-specific")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    code, _, err = run([], capsys)
    assert code == 1
    assert "No display" in err
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # restore for later tests


def test_delete(library: Path, capsys) -> None:
    run(["tag", "2401.00001", "--add", "ml"], capsys)
    code, _, err = run(["delete", "2401.00001", "2401.00002"], capsys)
    assert code == 1 and "2401.00001 is yours" in err and "--force" in err
    code, _, err = run(["delete", "2401.00002", "2412.99999"], capsys)
    assert code == 1 and "No paper 2412.99999" in err
    _, out, _ = run(["list", "--format", "json"], capsys)
    assert len(json.loads(out)) == 3  # nothing was deleted by the refused commands
    run(["note", "2401.00002", "a thought"], capsys)
    run(["save", "2401.00002", "--unsave"], capsys)  # out of the library, the note stays
    assert "2401.00002 is yours" in run(["delete", "2401.00002"], capsys)[2]
    run(["note", "2401.00002", ""], capsys)
    assert run(["delete", "2401.00002"], capsys)[:2] == (0, "Deleted 1 paper.\n")
    assert run(["delete", "2401.00001", "--force"], capsys)[:2] == (0, "Deleted 1 paper.\n")
    _, out, _ = run(["list", "--format", "json"], capsys)
    assert [r["id"] for r in json.loads(out)] == ["hep-th/9901001"]
    _, out, _ = run(["tags", "--format", "json"], capsys)
    assert [(t["name"], t["count"]) for t in json.loads(out)] == [("ml", 0)]


# ---------------------------------------------------------------------------- exit codes, input


def test_exit_codes_tell_usage_errors_from_bugs(
    library: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["list", "--no-such-option"])
    assert usage.value.code == 2  # argparse: the command line cannot be read
    capsys.readouterr()

    def broken(ctx: object) -> int:
        raise ZeroDivisionError("a bug")

    import desktop_app.cli as cli

    parser = cli.build_parser()
    parser._subparsers._group_actions[0].choices["show"].set_defaults(handler=broken)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    assert main(["show", "2401.00001"]) == 70  # EX_SOFTWARE: a bug, never confused with 2
    assert "this is a bug" in capsys.readouterr().err


def test_an_excluded_word_after_query(library: Path, capsys) -> None:
    assert main(["list", "--query", "-diffusion", "--format", "json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert ids == {"2401.00001", "hep-th/9901001"}
    assert main(["list", "-q", "attention -sparse", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["list", "-q", "-diffusion", "--unread", "--format", "json"]) == 0
    assert {r["id"] for r in json.loads(capsys.readouterr().out)} == ids
    with pytest.raises(SystemExit):  # an option right after --query is still an option
        main(["list", "--query", "--format", "json"])
    capsys.readouterr()


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--query", "model\udcff"],
        ["tag", "2401.00001", "--add", "x\udcff"],
        ["note", "2401.00001", "caf\udce9"],
    ],
)
def test_arguments_that_are_not_utf8_get_a_clear_error(library: Path, capsys, args) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert ("is not valid UTF-8 text" in err and "\\xff" in err) or "\\xe9" in err
    assert "internal error" not in err


def test_a_note_from_standard_input_must_be_utf8(
    library: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b"caf\xe9")
    assert main(["note", "2401.00001"]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err
    feed_stdin(monkeypatch, "café\n".encode())
    assert main(["note", "2401.00001"]) == 0
