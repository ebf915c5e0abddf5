"""BibTeX from the command line and the window (the service itself: test_bibtex_*.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cli_support import feed_stdin
from PySide6.QtWidgets import QApplication
from ui_support import answering

from desktop_app.bibtex import import_bibliography
from desktop_app.bibtex.parse import parse_bibtex
from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import PaperRecord
from desktop_app.library.jobs import Imported
from desktop_app.store import Repository
from desktop_app.store.health import check_library
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sidebar import ViewSpec

PAPERS = [
    PaperRecord(
        id="1706.03762",
        title="Attention Is All You Need",
        abstract="a",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        published=date(2017, 6, 12),
        primary_category="cs.CL",
    ),
    PaperRecord(
        id="2302.13971",
        title="LLaMA: Open and Efficient Foundation Language Models",
        abstract="b",
        authors=("Hugo Touvron",),
        published=date(2023, 2, 27),
    ),
]


@pytest.fixture
def lib(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(PAPERS)
    repo.tag_papers(["2302.13971"], ["llm/open"])
    repo.close()
    return data_dir


def test_cli_export_to_stdout_and_file_with_stable_keys(lib: Path, tmp_path: Path, capsys):
    assert main(["export"]) == 0
    out = capsys.readouterr().out
    parsed = parse_bibtex(out)
    assert parsed.problems == []
    keys = {e.key for e in parsed.entries}
    assert keys == {"vaswani2017attention", "touvron2023llama"}
    assert "{LLaMA}" in out
    target = tmp_path / "out.bib"
    assert main(["export", "--tag", "llm", "-o", str(target)]) == 0
    assert [e.key for e in parse_bibtex(target.read_text()).entries] == ["touvron2023llama"]
    assert main(["export", "1706.03762"]) == 0
    assert "@misc{vaswani2017attention," in capsys.readouterr().out


def test_cli_exports_and_imports_every_format(lib: Path, tmp_path: Path, capsys) -> None:
    from desktop_app.bibtex.options import FORMATS
    from desktop_app.cli.bibtex import EXPORT_FORMATS

    assert EXPORT_FORMATS == FORMATS
    outputs = {}
    for fmt in FORMATS:
        target = tmp_path / f"out.{fmt}"
        assert main(["export", "--format", fmt, "-o", str(target)]) == 0
        outputs[fmt] = target.read_text(encoding="utf-8")
    assert json.loads(outputs["csl-json"])[0]["id"] == "touvron2023llama"
    assert outputs["ris"].startswith("TY  - UNPB\nID  - touvron2023llama\n")
    assert "eprinttype = {arxiv}" in outputs["biblatex"]
    assert "archivePrefix = {arXiv}" in outputs["bibtex"]
    for fmt in ("csl-json", "ris"):  # told by the content, whatever the file is called
        assert main(["import", str(tmp_path / f"out.{fmt}"), "--dry-run"]) == 0
        assert "Would import: 0 new, 2 merged" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main(["export", "--format", "docx"])
    assert usage.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err


def test_cli_import_merges_and_refuses_broken_files(lib: Path, tmp_path: Path, capsys) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@article{mine, title={Attention Is All You Need}, author={Vaswani, Ashish},"
        " year={2017}, eprint={1706.03762}, archivePrefix={arXiv}, keywords={classics}}\n"
        "@misc{other, title={A Paper Only In My Bib}, author={M{\\\"u}ller, J{\\'o}zsef},"
        " year={2020}}\n",
        encoding="utf-8",
    )
    assert main(["import", str(bib), "--dry-run"]) == 0
    assert "Would import: 1 new, 1 merged" in capsys.readouterr().out
    assert main(["list", "--format", "json", "--limit", "0"]) == 0
    assert "A Paper Only In My Bib" not in capsys.readouterr().out  # dry run wrote nothing
    assert main(["import", str(bib), "--tag", "imported"]) == 0
    assert "Imported: 1 new, 1 merged" in capsys.readouterr().out
    assert main(["list", "--tag", "imported", "--format", "json"]) == 0

    rows = {r["title"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["A Paper Only In My Bib"]["authors"] == ["József Müller"]
    assert "classics" in rows["Attention Is All You Need"]["tags"]

    broken = tmp_path / "broken.bib"
    broken.write_text("@misc{ok, title={Fine}}\n@misc{bad, title={Unclosed\n", encoding="utf-8")
    assert main(["import", str(broken), "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"daily-papers: error: {broken}, line 2: the braces in the field title")
    assert main(["list", "--query", "Fine", "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"  # strict: nothing imported

    assert main(["import", str(broken)]) == 0  # forgiving: what can be read is imported
    captured = capsys.readouterr()
    assert "Imported: 1 new" in captured.out and "1 failed" in captured.out
    assert captured.err.splitlines() == [
        "  warning: line 2: the braces in the field title of the entry 'bad' do not close; "
        "it was left out",
        "  line 2: bad: failed — it has no fields",
    ]
    assert main(["list", "--query", "Fine", "--format", "json"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Fine"]


@pytest.fixture
def win(make_window, lib: Path) -> Iterator[MainWindow]:
    repo = Repository.open(db_path(lib))
    w = make_window(repo)
    w.sidebar.select_spec(ViewSpec("all"))
    yield w
    repo.close()


NEURIPS = (
    "@inproceedings{vaswani2017nips,\n  title = {Attention is All you Need},\n"
    "  author = {Vaswani, Ashish and Shazeer, Noam},\n"
    "  booktitle = {Advances in Neural Information Processing Systems},\n"
    "  volume = {30}, pages = {5998--6008}, year = {2017}\n}\n"
    "@article{lecun98, title = {Gradient-based learning applied to document recognition},\n"
    "  author = {LeCun, Yann}, journal = {Proc. IEEE}, volume = 86, number = 11,\n"
    "  pages = {2278--2324}, year = 1998}\n"
)


def test_show_and_list_give_year_venue_volume_and_pages(lib: Path, tmp_path: Path, capsys) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text(NEURIPS, encoding="utf-8")
    assert main(["import", str(bib)]) == 0
    capsys.readouterr()
    assert main(["show", "local:lecun98"]) == 0
    out = capsys.readouterr().out
    assert "local:lecun98 · 1998\n" in out
    assert "In: Proc. IEEE 86(11), pp. 2278–2324 (article)\n" in out
    assert "▲" not in out  # no Hugging Face numbers for a paper it does not list
    assert main(["list", "--query", "gradient", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["year"], row["venue"], row["volume"], row["number"], row["pages"]) == (
        1998,
        "Proc. IEEE",
        "86",
        "11",
        "2278–2324",
    )
    assert (row["entry_type"], row["cite_key"]) == ("article", "lecun98")
    assert main(["list", "--query", "gradient"]) == 0
    assert capsys.readouterr().out.startswith("local:lecun98 1998       ")


def test_the_viewer_shows_where_an_entry_was_published(lib: Path, tmp_path: Path) -> None:
    from desktop_app.ui.abstract_view import render_paper_html

    repo = Repository.open(db_path(lib))
    import_bibliography(repo, NEURIPS)
    html = render_paper_html(repo.get("1706.03762"))  # merged into the fetched paper
    assert (
        "<p>In <i>Advances in Neural Information Processing Systems 30, pp. 5998–6008</i></p>"
        in html
    )
    html = render_paper_html(repo.get("local:lecun98"))
    assert "Published 1998" in html and "upvotes" not in html
    repo.close()


def test_cli_import_reads_a_path_as_a_file_whatever_its_name(
    lib: Path, tmp_path: Path, capsys
) -> None:
    odd = tmp_path / "refs@lab.bib"
    assert main(["import", str(odd)]) == 1
    assert "There is no file" in capsys.readouterr().err
    odd.write_text("@misc{k, title = {A Paper From The Lab}}\n", encoding="utf-8")
    assert main(["import", str(odd)]) == 0
    assert "1 new" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("/dev/zero", "is not a regular file"),
        ("/etc/passwd", "holds no BibTeX entries"),
        ("{tmp}", "is a folder"),
    ],
)
def test_cli_import_refuses_what_is_not_a_bibliography(
    lib: Path, tmp_path: Path, capsys, target: str, words: str
) -> None:
    if not Path(target.replace("{tmp}", str(tmp_path))).exists():
        pytest.skip(f"{target} is not on this system")
    assert main(["import", target.replace("{tmp}", str(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_import_from_standard_input_checks_its_text(
    lib: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b"@misc{k, title = {Caf\xe9 Latin}}")
    assert main(["import", "-", "--strict"]) == 1
    assert "the file is not UTF-8" in capsys.readouterr().err
    feed_stdin(monkeypatch, b"\x00\x01\x02binary\x00\x00\x00\x00\x00")
    assert main(["import", "-"]) == 1
    assert "Standard input cannot be read: it is a binary file" in capsys.readouterr().err
    feed_stdin(monkeypatch, b"")
    assert main(["import", "-"]) == 1
    assert "holds no BibTeX entries" in capsys.readouterr().err
    feed_stdin(monkeypatch, "@misc{k, title = {Café Papers}}".encode())
    assert main(["import", "-"]) == 0
    feed_stdin(monkeypatch, b"@misc{k2, title = {Caf\xe9 Latin}}")
    assert main(["import", "-", "--encoding", "latin-1"]) == 0
    assert main(["list", "--query", "Latin", "--format", "json"]) == 0
    assert "Café Latin" in capsys.readouterr().out


def test_copy_bibtex_button_puts_the_entry_on_the_clipboard(win: MainWindow, qtbot) -> None:
    row = win.feed_model.row_of("1706.03762")
    win.feed.setCurrentIndex(win.feed_model.index(row))
    QApplication.clipboard().clear()
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        win.viewer.copy_button.click()
    text = QApplication.clipboard().text()
    assert text.startswith("@misc{vaswani2017attention,")
    assert win.repo.get("1706.03762").cite_key == "vaswani2017attention"


def test_export_view_to_a_file_in_the_worker(win: MainWindow, qtbot, tmp_path: Path) -> None:
    target = tmp_path / "view.bib"
    scopes = dict((k, n) for k, _, n in win.bibtex.export_scopes())
    assert scopes["view"] == 2 and scopes["all"] == 2
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        win.bibtex.export_bibtex("view", win.bibtex.options(), str(target))
    assert len(parse_bibtex(target.read_text()).entries) == 2


def test_export_from_the_window_onto_the_library_is_refused(win: MainWindow, qtbot) -> None:
    with qtbot.waitSignal(win.controller.failed, timeout=5000) as failed:
        win.bibtex.export_bibtex("all", win.bibtex.options(), str(win.repo.path))
    assert "would destroy it" in failed.args[0]
    assert "would destroy it" in win.message_bar.label.text()
    assert win.repo.get("1706.03762").title == "Attention Is All You Need"
    assert check_library(win.repo.path) == []


def test_import_shows_a_preview_before_writing(win: MainWindow, qtbot, tmp_path: Path) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@misc{x, title={Imported From Zotero}, author={Doe, Jane}, year={2021}}\n",
        encoding="utf-8",
    )
    seen: list[tuple[int, int]] = []

    def confirm(report, path) -> bool:
        seen.append((report.new, report.merged))
        assert win.repo.count(type(win.feed_model.query)()) == 2  # nothing written yet
        return True

    win.bibtex.confirm_import = confirm
    with qtbot.waitSignal(
        win.controller.done,
        timeout=5000,
        check_params_cb=lambda text, r: isinstance(r, Imported) and not r.dry_run,
    ):
        win.bibtex.import_bibtex(str(bib))
    assert seen == [(1, 0)]
    qtbot.waitUntil(lambda: win.feed_model.total == 3)


def test_the_import_preview_lists_what_it_forgave(win: MainWindow, qtbot, tmp_path: Path) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@misc{x, title={One}, author={Doe, Jane,}, year={2021}}\n"
        "@misc{x, title={Two}, author={Roe, Ann}, year={2022}}\n",
        encoding="utf-8",
    )
    with (
        answering("Import") as answers,  # outermost: it answers while the signal is awaited
        qtbot.waitSignal(
            win.controller.done,
            timeout=5000,
            check_params_cb=lambda text, r: isinstance(r, Imported) and not r.dry_run,
        ),
    ):
        win.bibtex.import_bibtex(str(bib))
    (preview,) = answers.seen
    assert preview.title == "Import Bibliography"
    assert "2 problems in the file, and what was done:" in preview.texts
    assert "line 1: a trailing comma in the name 'Doe, Jane,' was dropped" in preview.texts
    assert "line 2: the key 'x' is used twice (first at line 1); imported as 'x-2'" in preview.texts
    qtbot.waitUntil(lambda: win.feed_model.total == 4)


BIB_MERGE = """
@misc{mine, title={Imported From Zotero}, author={Doe, Jane}, year={2021}, keywords={zotero/new}}
@article{vaswani, title={Attention Is All You Need}, author={Vaswani, Ashish}, year={2017},
  eprint={1706.03762}, archivePrefix={arXiv}, doi={10.5555/attn}, keywords={classics}}
"""


def test_an_import_is_undone_and_redone_exactly(data_dir: Path, tmp_path: Path) -> None:
    import threading

    from desktop_app.config import Settings
    from desktop_app.library import jobs

    repo = Repository.open(db_path(data_dir))
    try:
        repo.upsert_papers(PAPERS)
        repo.tag_papers(["2302.13971"], ["llm/open"])
        repo.set_note("1706.03762", "")
        before = {p.id: p for p in repo.get_many(["1706.03762", "2302.13971"])}
        bib = tmp_path / "in.bib"
        bib.write_text(BIB_MERGE, encoding="utf-8")
        ctx = jobs.JobContext(repo, Settings(), threading.Event(), lambda pages, papers: None)
        result = jobs.ImportBibTeX(str(bib), "imported").run(ctx)
        undo = result.undo
        assert undo is not None
        assert (result.report.new, result.report.merged) == (1, 1)
        merged = repo.get("1706.03762")
        assert (merged.doi, merged.saved) == ("10.5555/attn", True)
        assert set(merged.tags) == {"classics", "imported"}
        after = {p.id: p for p in repo.get_many(["1706.03762", *undo.new_ids])}
        entries = repo.entries(["1706.03762", *undo.new_ids])
        assert set(entries) == {"1706.03762", *undo.new_ids}  # the file's entries are kept
        assert merged.cite_key == "vaswani"  # it had none: the entry's key is its key

        undo.undo(repo)
        assert {p.id: p for p in repo.get_many(["1706.03762", "2302.13971"])} == before
        assert repo.entries(["1706.03762"]) == {} and repo.get("1706.03762").cite_key is None
        assert repo.stats()["papers"] == 2 and repo.find(undo.new_ids[0]) is None
        assert sorted(t.name for t in repo.tags()) == ["llm/open"]  # the import's tags went
        assert check_library(repo.path) == []

        undo.redo(repo)
        assert {p.id: p for p in repo.get_many(["1706.03762", *undo.new_ids])} == after
        assert repo.entries(["1706.03762", *undo.new_ids]) == entries
        assert check_library(repo.path) == []

        # What the user does after the import is not taken back with it.
        repo.set_note("1706.03762", "read it again")
        repo.set_note(undo.new_ids[0], "note on the imported paper")
        current = undo.undo(repo)
        merged = repo.get("1706.03762")
        assert (merged.note, merged.doi) == ("read it again", None)
        assert repo.find(undo.new_ids[0]) is None
        undo.redo(repo, current)  # ... and redo brings the imported paper back with its note
        assert repo.get(undo.new_ids[0]).note == "note on the imported paper"
        assert repo.get("1706.03762").doi == "10.5555/attn"

        # Importing the same file again changes nothing: nothing to undo.
        again = jobs.ImportBibTeX(str(bib), "imported").run(ctx)
        assert (again.report.new, again.report.merged, again.undo) == (0, 0, None)
    finally:
        repo.close()


def test_import_is_on_the_undo_stack(win: MainWindow, qtbot, tmp_path: Path) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text(BIB_MERGE, encoding="utf-8")
    win.bibtex.confirm_import = lambda report, path: True
    with qtbot.waitSignal(
        win.controller.done,
        timeout=5000,
        check_params_cb=lambda text, r: isinstance(r, Imported) and not r.dry_run,
    ):
        win.bibtex.import_bibtex(str(bib))
    qtbot.waitUntil(lambda: win.feed_model.total == 3)
    assert win.editor.stack.undoText() == "Import in.bib"
    win.editor.stack.undo()
    assert win.feed_model.total == 2
    assert win.repo.get("1706.03762").doi is None
    win.editor.stack.redo()
    assert win.feed_model.total == 3
    assert win.repo.get("1706.03762").doi == "10.5555/attn"


def test_import_of_an_unreadable_file_shows_the_error(
    win: MainWindow, qtbot, tmp_path: Path
) -> None:
    bib = tmp_path / "bad.bib"
    bib.write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01\x00@\x00\x00\x00")
    with qtbot.waitSignal(win.controller.failed, timeout=5000) as failed:
        win.bibtex.import_bibtex(str(bib))
    assert "it is a binary file, not text" in failed.args[0]
    assert win.message_bar.isVisibleTo(win)
    assert win.feed_model.total == 2
