"""Issue 13, item 14: dialogs. File dialogs open in the folder last used for the same purpose
(never the process's working directory); the import preview's details are readable;
Preferences shows an endpoint the environment sets; ``o`` with no browser says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_support import active, answering

from desktop_app.bibtex import import_bibtex
from desktop_app.config import Settings, load_settings
from desktop_app.domain import PaperRecord
from desktop_app.library.jobs import Imported
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.bibtex_dialogs import ImportPreview
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.preferences import PreferencesDialog

DETAILS = 4  # the preview's columns: Line, Key, Action, Title, Details
PAPERS = [
    PaperRecord(
        id=f"2401.0000{i}",
        title=title,
        abstract="An abstract.",
        authors=(author,),
        published=date(2024, 1, i),
    )
    for i, (title, author) in enumerate(
        [("Sparse Mixtures of Experts", "Ada Lovelace"), ("Dense Retrieval", "Alan Turing")], 1
    )
]


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(PAPERS)
    repo.set_saved(["2401.00001", "2401.00002"], True)
    return repo


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder without a Documents folder, and a working directory elsewhere."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return home


@pytest.fixture
def win(make_window, lib: Repository, home: Path) -> MainWindow:
    return make_window(lib)


def export_through_dialogs(win: MainWindow, qtbot, path: Path | None) -> list:
    """File ▸ Export… answered with OK and ``path`` (None: the file dialog is cancelled)."""
    with answering("accept", str(path) if path else None) as answers:
        if path is None:
            win.acts.export.trigger()
        else:
            with qtbot.waitSignal(win.controller.done, timeout=10000):
                win.acts.export.trigger()
    return answers.seen


# ----------------------------------------------------------------------------- folders
def test_export_opens_where_the_last_export_went_and_first_at_home(
    win: MainWindow, make_window, lib: Repository, qtbot, home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "thesis" / "bib"
    out.mkdir(parents=True)
    first = export_through_dialogs(win, qtbot, out / "refs.bib")
    assert [s.kind for s in first] == ["ExportDialog", "QFileDialog"]
    assert first[1].directory == str(home)  # not the working directory
    assert (out / "refs.bib").read_text().startswith("@")
    again = export_through_dialogs(win, qtbot, None)
    assert again[1].directory == str(out)
    # Kept in window.ini: a window opened later starts there too.
    win.close()
    later = make_window(lib)
    assert export_through_dialogs(later, qtbot, None)[1].directory == str(out)


def test_each_purpose_has_its_own_folder(
    win: MainWindow, qtbot, home: Path, tmp_path: Path
) -> None:
    bibs = tmp_path / "downloads"
    bibs.mkdir()
    bib = bibs / "zotero.bib"
    bib.write_text("@misc{k, title={A Title}, author={Doe, Jane}, year={2020}}\n", "utf-8")
    with (
        answering(str(bib), "Cancel") as answers,
        qtbot.waitSignal(
            win.controller.done,
            timeout=10000,
            check_params_cb=lambda _t, r: isinstance(r, Imported) and r.dry_run,
        ),
    ):
        win.acts.import_.trigger()
    assert answers.seen[0].directory == str(home)
    assert [s.kind for s in answers.seen] == ["QFileDialog", "ImportPreview"]
    with answering(None) as again:
        win.acts.import_.trigger()
    assert again.seen[0].directory == str(bibs)
    # Export and auto-export have not been used: they still start at home.
    assert export_through_dialogs(win, qtbot, None)[1].directory == str(home)
    kept = tmp_path / "paper" / "refs.bib"
    kept.parent.mkdir()
    with answering(str(kept)) as asked:
        assert win.autoexport.ask_path("papers.bib", "BibTeX (*.bib)") == str(kept)
    assert asked.seen[0].directory == str(home)
    with answering(None) as asked:
        win.autoexport.ask_path("papers.bib", "BibTeX (*.bib)")
    assert asked.seen[0].directory == str(kept.parent)


def test_a_remembered_folder_that_is_gone_falls_back_to_home(
    win: MainWindow, qtbot, home: Path, tmp_path: Path
) -> None:
    gone = tmp_path / "usb-stick"
    win.qsettings.setValue("folders/export", str(gone))
    assert export_through_dialogs(win, qtbot, None)[1].directory == str(home)


# ----------------------------------------------------------------------------- import preview
def test_the_import_previews_details_are_readable(lib: Repository, qtbot, tmp_path: Path) -> None:
    bib = tmp_path / "merge.bib"
    bib.write_text(
        "@article{lovelace2024sparse, title={Sparse Mixtures of Experts},"
        " author={Lovelace, Ada}, journal={Journal of Machine Learning Research},"
        " volume={25}, pages={1--30}, year={2024}, eprint={2401.00001},"
        " archivePrefix={arXiv}, keywords={reading-group, thesis/chapter-2}}\n"
        "@misc{short, title={Short}, author={Roe, Ann}, year={2020}}\n",
        encoding="utf-8",
    )
    report = import_bibtex(lib, bib, dry_run=True)
    details = report.entries[0].reason
    assert len(details) > 100  # what it merges with and everything it adds
    dialog = ImportPreview(report, str(bib))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    header = table.horizontalHeader()
    # The column is in view, without scrolling sideways, and wide enough to read.
    right = header.sectionViewportPosition(DETAILS) + header.sectionSize(DETAILS)
    assert right <= table.viewport().width()
    assert header.sectionSize(DETAILS) >= 300
    assert not table.horizontalScrollBar().isVisible()
    # Its long text wraps onto more lines instead of being cut at the column's edge.
    one_line = table.fontMetrics().height()
    qtbot.waitUntil(lambda: table.rowHeight(0) >= 2 * one_line)
    assert table.rowHeight(1) < 2 * one_line  # a short row stays one line
    assert table.item(0, DETAILS).text() == details
    assert details in table.item(0, DETAILS).toolTip()


# ----------------------------------------------------------------------------- preferences
def test_preferences_show_the_endpoint_the_environment_sets(
    make_window, lib: Repository, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/mirror/")
    stored = Settings(
        hf_endpoint="https://hf.example.org", refresh_on_start=False, mark_read_after_ms=0
    )
    dialog = PreferencesDialog(stored)
    qtbot.addWidget(dialog)
    assert dialog.hf.text() == "http://127.0.0.1:9/mirror"  # what is in use
    assert not dialog.hf.isEnabled()
    assert "HF_ENDPOINT" in dialog.hf.toolTip() and "https://hf.example.org" in dialog.hf.toolTip()
    assert dialog.arxiv.isEnabled() and dialog.dblp.isEnabled()  # not overridden
    assert dialog.arxiv.text() == stored.arxiv_url
    # Through the window, with its shortcut: the note says where the address comes from, and
    # OK keeps the stored preference (the variable's value is never written to settings.json).
    win = active(make_window(lib, stored), qtbot)
    win.feed.setFocus()
    with answering("OK") as answers:
        QTest.keyClick(win.feed, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    (seen,) = answers.seen
    assert seen.kind == "PreferencesDialog"
    assert "In use, from the environment variable HF_ENDPOINT." in seen.texts
    assert win.settings.hf_endpoint == "https://hf.example.org"
    assert load_settings(tmp_path).hf_endpoint == "https://hf.example.org"


def test_preferences_edit_every_endpoint_when_the_environment_sets_none(qtbot) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    for edit in (dialog.hf, dialog.arxiv, dialog.dblp):
        assert edit.isEnabled()
    dialog.dblp.setText("https://dblp.example.org/")
    assert dialog.result_settings().dblp_url == "https://dblp.example.org"
    dialog.arxiv.setText("ftp://nope")
    dialog.accept()
    assert dialog.error.text() == "The arXiv endpoint must be an http(s) URL."


def test_preferences_show_the_pdf_host_and_its_environment_override(qtbot, monkeypatch) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    pdf = dialog.endpoints["pdf_url"]
    assert pdf.isEnabled() and pdf.placeholderText() == "https://arxiv.org"
    pdf.setText("https://mirror.example.org/")
    assert dialog.result_settings().pdf_url == "https://mirror.example.org"
    monkeypatch.setenv("DAILY_PAPERS_PDF_URL", "http://127.0.0.1:9/pdfs")
    stored = Settings(pdf_url="https://mine.example.org")
    dialog = PreferencesDialog(stored)
    qtbot.addWidget(dialog)
    pdf = dialog.endpoints["pdf_url"]
    assert not pdf.isEnabled() and pdf.text() == "http://127.0.0.1:9/pdfs"
    assert "DAILY_PAPERS_PDF_URL" in pdf.toolTip()
    assert dialog.result_settings().pdf_url == "https://mine.example.org"  # kept as stored


# ----------------------------------------------------------------------------- no browser
class Browser(QObject):
    """A URL handler standing in for the system browser."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def shown(make_window, lib: Repository, qtbot) -> MainWindow:
    win = active(make_window(lib), qtbot)
    win.sidebar.select_spec(ViewSpec("all"))
    qtbot.waitUntil(lambda: win.current_paper() is not None)
    win.feed.setFocus()
    return win


# Offscreen Qt says it cannot open URLs: that is the "no browser" these tests need.
NO_BROWSER = pytest.mark.qt_log_ignore("This plugin does not support QPlatformServices::openUrl")


@NO_BROWSER
def test_o_with_no_browser_says_so_and_copies_the_link(shown: MainWindow, qtbot) -> None:
    """Offscreen Qt has no browser: QDesktopServices.openUrl really returns False."""
    QApplication.clipboard().clear()
    paper = shown.current_paper()
    assert paper is not None
    QTest.keyClick(shown.feed, Qt.Key.Key_O)
    assert shown.message_bar.isVisible()
    assert shown.message_bar.label.text() == (
        f"No web browser could open {paper.hf_url}; the link was copied to the clipboard."
    )
    assert QApplication.clipboard().text() == paper.hf_url
    # Shift+P with no PDF downloaded: the PDF's page in the browser (none here: copied).
    QTest.keyClick(shown.feed, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.clipboard().text() == paper.pdf_url
    assert paper.pdf_url in shown.message_bar.label.text()


def test_o_with_a_browser_opens_quietly(shown: MainWindow, qtbot) -> None:
    browser = Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        QApplication.clipboard().setText("kept")
        QTest.keyClick(shown.feed, Qt.Key.Key_O)
    finally:
        QDesktopServices.unsetUrlHandler("https")
    paper = shown.current_paper()
    assert paper is not None and browser.opened == [paper.hf_url]
    assert not shown.message_bar.isVisible()
    assert QApplication.clipboard().text() == "kept"


@NO_BROWSER
def test_a_link_clicked_in_the_abstract_with_no_browser_says_so(shown: MainWindow, qtbot) -> None:
    url = "https://arxiv.org/abs/2401.00001"
    with qtbot.waitSignal(shown.viewer.linkFailed) as failed:
        shown.viewer.browser.anchorClicked.emit(QUrl(url))
    assert failed.args == [
        f"No web browser could open {url}; the link was copied to the clipboard."
    ]
    assert shown.message_bar.label.text() == failed.args[0]
    assert QApplication.clipboard().text() == url
