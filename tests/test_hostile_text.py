"""Hostile text from the network or a file: stored clean, printed harmless."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.bibtex import import_bibtex
from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.safetext import clean_text, dumps_json, for_terminal, single_line
from desktop_app.store import Repository

# OSC 0 (window title), OSC 52 (clipboard), CSI (colour, cursor), BEL, a carriage return that
# overwrites the line, a C1 CSI, and a right-to-left override.
ESC_TITLE = "\x1b]0;pwned\x07"
ESC_CLIP = "\x1b]52;c;cm0gLXJmIH4=\x07"
CSI = "\x1b[2J\x1b[31m"
C1 = "\x9b31m"
RLO = "\u202e"
NASTY = f"{ESC_TITLE}{ESC_CLIP}{CSI}{C1}{RLO}\r"
BAD_CHARS = ("\x1b", "\x07", "\x9b", "\u202e", "\r", "\x00")


def _clean(text: str) -> bool:
    return not any(c in text for c in BAD_CHARS)


def hostile_record() -> PaperRecord:
    return PaperRecord(
        id="2401.00001",
        title=f"Attention{NASTY} Is All You Need",
        abstract=f"First line.\n\nSecond{NASTY} paragraph\twith a tab.",
        authors=(f"Eve{RLO}lived", f"Mallory{ESC_TITLE}"),
        organization=f"Evil{CSI} Corp",
        ai_keywords=(f"kw{C1}",),
        published=date(2024, 1, 2),
    )


def test_controls_are_removed_when_papers_are_stored(repo: Repository) -> None:
    repo.upsert_papers([hostile_record()])
    p = repo.get("2401.00001")
    for value in (p.title, p.abstract, *p.authors, p.organization or "", *p.ai_keywords):
        assert _clean(value), repr(value)
    assert p.title == "Attention]0;pwned]52;c;cm0gLXJmIH4=[2J[31m31m Is All You Need"
    assert p.abstract == (
        "First line.\n\nSecond]0;pwned]52;c;cm0gLXJmIH4=[2J[31m31m paragraph\twith a tab."
    )
    assert p.authors == ("Evelived", "Mallory]0;pwned")


def test_tag_names_and_notes_are_cleaned(repo: Repository) -> None:
    repo.upsert_papers([PaperRecord(id="2401.00002", title="T")])
    repo.tag_papers(["2401.00002"], [f"ml{ESC_TITLE}/x\u200b"])
    repo.set_note("2401.00002", f"line one\r\nline{CSI} two\ttab")
    assert [t.name for t in repo.tags()] == ["ml]0;pwned/x"]
    assert repo.get("2401.00002").note == "line one\nline[2J[31m two\ttab"


def test_an_imported_entry_is_cleaned(repo: Repository) -> None:
    text = "@misc{k, title = {Bad\x1b[31m Title Here}, keywords = {a\x07b}}\n"
    import_bibtex(repo, text)
    paper = repo.get_many([p for p in repo.ids(FeedQuery())])[0]
    assert _clean(paper.title) and paper.tags == ("ab",)


@pytest.fixture
def dirty_library(data_dir: Path) -> Path:
    """A library written by an older version that stored text as it came."""
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers([PaperRecord(id="2401.00001", title="placeholder")])
    repo.tag_papers(["2401.00001"], ["placeholder"])
    repo.db.execute_sql(
        "UPDATE paper SET title = ?, abstract = ?, organization = ?",
        (f"Title{NASTY}", f"Abstract{NASTY}", f"Org{CSI}"),
    )
    repo.db.execute_sql("UPDATE paper_author SET name = ?", (f"Eve{RLO}",))
    repo.db.execute_sql("UPDATE tag SET name = ?, name_key = ?", (f"tag{ESC_CLIP}",) * 2)
    repo.db.execute_sql("UPDATE paper_author SET name = ?", (f"Eve{RLO}",))
    repo.close()
    return data_dir


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "2401.00001"],
        ["tags"],
        ["export"],
        ["list", "--format", "json"],
        ["tags", "--format", "json"],
        ["show", "2401.00001", "--format", "json"],
    ],
)
def test_nothing_printed_acts_on_a_terminal(dirty_library: Path, capsys, args) -> None:
    assert main(args) == 0
    out = capsys.readouterr()
    assert _clean(out.out) and _clean(out.err)
    if "json" in args:
        json.loads(out.out)  # valid JSON, and the data itself is there, escaped
        assert "\\u001b" in out.out


def test_a_servers_error_message_is_printed_harmless(
    data_dir: Path, httpserver, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    httpserver.expect_request("/api/daily_papers").respond_with_json(
        {"error": f"bad date {ESC_TITLE}{RLO}gnp.exe"}, status=400
    )
    assert main(["fetch", "--date", "2026-03-06"]) == 1
    err = capsys.readouterr().err
    assert "bad date" in err and _clean(err)


def test_helpers() -> None:
    assert clean_text("a\r\nb\x00c\u202ed\te") == "a\nbcd\te"
    assert single_line("a\nb\tc\u200bd\x1b") == "a b cd"
    assert for_terminal(f"x{NASTY}\ny") == "x]0;pwned]52;c;cm0gLXJmIH4=[2J[31m31m\ny"
    assert dumps_json({"t": f"a{RLO}\x85b"}) == '{\n  "t": "a\\u202e\\u0085b"\n}'
    assert clean_text("bad \udcff byte") == "bad \ufffd byte"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_any_text_at_all_is_stored_and_printed_safely(text: str) -> None:
    """Every code point, surrogates included, goes in without an error and out harmless."""
    assert _clean(single_line(text)) and _clean(for_terminal(text).replace("\n", ""))
    json.loads(dumps_json(text))


# --------------------------------------------------------------------------- the window

PAYLOAD = '<img src="file:/etc/passwd"><b>x</b>'
RAW = "<b>x</b>"  # what shows that a label rendered nothing but took it as markup


def _rendering_labels() -> list[str]:
    """Every visible text in the application that Qt would render as rich text while it
    holds the payload unescaped: labels not set to plain text, and tooltips."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    found = []
    for widget in QApplication.allWidgets():
        plain = isinstance(widget, QLabel) and widget.textFormat() == Qt.TextFormat.PlainText
        if isinstance(widget, QLabel) and RAW in widget.text() and not plain:
            found.append(f"label {widget.objectName() or widget.text()[:40]}")
        if RAW in widget.toolTip():
            found.append(f"tooltip of {type(widget).__name__}")
    return found


def _model_tooltips(model, parent=None) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QModelIndex, Qt

    parent = parent or QModelIndex()
    tips = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        if tip:
            tips.append(str(tip))
        tips += _model_tooltips(model, index)
    return tips


def test_user_and_network_text_is_never_rendered_as_rich_text(
    make_window, repo: Repository, qtbot, tmp_path: Path
) -> None:
    from ui_support import answering

    from desktop_app.library.views import ViewSpec

    repo.upsert_papers([PaperRecord(id="2401.00009", title=f"Title {PAYLOAD}")])
    tag = '<img src="file:x"><b>x</b>'
    repo.tag_papers(["2401.00009"], [tag, PAYLOAD])
    window = make_window(repo, show=True)
    window.refresh_sidebar()
    window.sidebar.select_spec(ViewSpec("tag", tag))
    assert RAW in window.view_title.text()  # the tag name is in the title, literally
    window.feed.setCurrentIndex(window.feed_model.index(0))
    window.navigator.search_box.setText(PAYLOAD)
    window.navigator.scope_combo.setCurrentIndex(1)  # "This view": the title repeats the text
    qtbot.waitUntil(lambda: PAYLOAD in window.view_title.text())
    assert _rendering_labels() == []
    with answering(None) as asked:
        window.tags.delete_tag_confirm(tag)
        window.tags.rename_tag_dialog(tag)
        window.tags.merge_tag_dialog(tag)
    folder = tmp_path / "<img src=x><b>x<"
    folder.mkdir()
    bib = folder / "b>.bib"  # the path reads …/<img src=x><b>x</b>.bib
    bib.write_text("@misc{k, title = {A <b>x</b> Title}}\n", encoding="utf-8")
    from desktop_app.bibtex import import_bibtex

    report = import_bibtex(repo, bib, dry_run=True)
    with answering(None) as previewed:
        window.bibtex.confirm_import(report, str(bib))
    shown = [s for s in asked.seen + previewed.seen if any(RAW in t for t in s.texts)]
    assert len(shown) == 4
    for seen in shown:
        for text, plain in zip(seen.texts, seen.plain, strict=True):
            assert plain or RAW not in text, (seen.kind, text)
    for tip in _model_tooltips(window.sidebar_model) + _model_tooltips(window.feed_model):
        assert RAW not in tip  # escaped: &lt;b&gt;
