"""Issue 18 in the window: papers dropped on it (real ``QMimeData`` in real drag-and-drop
events) or pasted into the list, files and links handed over on the command line (with and
without a window open), Help ▸ About and *Copy diagnostics*, the log, the icon, and the
first start's offer of a launcher."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pdf_support import HTML_ERROR_PAGE, make_pdf, truncated
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes
from ui_support import active, answering

from desktop_app import desktop_entry
from desktop_app.config import Settings, load_settings, save_settings
from desktop_app.domain import FeedQuery, PaperRecord
from desktop_app.library.jobs import AddPapers, ImportBibTeX
from desktop_app.library.pdf_jobs import cache_of
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui import crash
from desktop_app.ui.desktop import ADD, NO, OFFER_TITLE, offer_desktop_entry, offer_wanted
from desktop_app.ui.feed_model import PaperIdRole
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.single import InstanceServer, server_name

ROOT = Path(__file__).resolve().parents[1]
FAST = {"retries": 1, "backoff": 0.01, "max_wait": 0.05, "timeout": 2}
HF_ID = "2602.23229"
PDF = make_pdf(pages=["A paper dropped from the file manager."])
BIB = "@misc{lovelace2024, title={Sparse Mixtures}, author={Lovelace, Ada}, year={2024}}\n"
RIS = "TY  - JOUR\nTI  - A Paper From Zotero\nAU  - Roe, Ann\nPY  - 2020\nER  - \n"
CSL = (
    '[{"id": "x", "type": "article-journal", "title": "A Paper In CSL JSON", '
    '"author": [{"family": "Poe", "given": "Edgar"}], "issued": {"date-parts": [[2021]]}}]'
)


@pytest.fixture
def hf_env(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """Hugging Face and arXiv on loopback, knowing one paper."""
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    httpserver.expect_request(f"/api/papers/{HF_ID}").respond_with_data(
        fixture_bytes(f"hf_paper_{HF_ID}.json"), content_type="application/json"
    )
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_empty.xml"), content_type="application/atom+xml"
    )
    return httpserver


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(id=f"2611.{i:05d}", title=f"Paper {i}", published=date(2026, 11, 1 + i))
            for i in range(3)
        ]
    )
    return repo


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "dropped"
    folder.mkdir()
    made = {
        "bib": (folder / "refs.bib", BIB.encode()),
        "ris": (folder / "zotero.ris", RIS.encode()),
        "json": (folder / "csl.json", CSL.encode()),
        "pdf": (folder / "paper.pdf", PDF),
        "txt": (folder / "todo.txt", b"buy milk\n"),
    }
    for path, data in made.values():
        path.write_bytes(data)
    return {**{k: p for k, (p, _) in made.items()}, "folder": folder}


def window_on(make_window, repo: Repository, **kw) -> MainWindow:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0, backup_every_days=0)
    window = make_window(repo, settings, http_options=FAST, **kw)
    window.resize(1200, 800)
    return window


def mime_of(*, urls: list[str] | None = None, text: str | None = None) -> QMimeData:
    mime = QMimeData()
    if urls is not None:
        mime.setUrls([QUrl(u) if "://" in u else QUrl.fromLocalFile(u) for u in urls])
    if text is not None:
        mime.setText(text)
    return mime


def drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> tuple[bool, bool]:
    """Drag ``mime`` over ``widget`` and drop it at ``pos`` (its centre): whether the drag was
    accepted on entering, and the drop."""
    at = pos or widget.rect().center()
    copy, left, none = (
        Qt.DropAction.CopyAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(at, copy, mime, left, none)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False, False
    dropped = QDropEvent(QPointF(at), copy, mime, left, none)
    QApplication.sendEvent(widget, dropped)
    return True, dropped.isAccepted()


def message(window: MainWindow) -> str:
    return window.message_bar.label.text() if window.message_bar.isVisible() else ""


def card_center(window: MainWindow, row: int) -> QPoint:
    return window.feed.visualRect(window.feed_model.index(row)).center()


# ----------------------------------------------------------------------------- drops
def test_a_dropped_link_is_added_and_shown(make_window, repo, qtbot, hf_env) -> None:
    window = window_on(make_window, repo, show=True)
    mime = mime_of(urls=[f"https://huggingface.co/papers/{HF_ID}"])
    assert drop(window, mime) == (True, True)
    assert window.controller.running(AddPapers) == 1  # in the worker
    qtbot.waitUntil(lambda: repo.find(HF_ID) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.viewer.paper is not None and window.viewer.paper.id == HF_ID)
    assert message(window) == ""


def test_a_dropped_id_in_text_is_added(make_window, repo, qtbot, hf_env) -> None:
    window = window_on(make_window, repo, show=True)
    assert drop(window.feed.viewport(), mime_of(text=f"read arXiv:{HF_ID} today")) == (True, True)
    qtbot.waitUntil(lambda: window.viewer.paper is not None and window.viewer.paper.id == HF_ID)
    assert [r.path for r, _ in hf_env.log[:1]] == [f"/api/papers/{HF_ID}"]


def test_dropped_bibliographies_open_the_import_preview_one_at_a_time(
    make_window, repo, qtbot, files
) -> None:
    window = window_on(make_window, repo, show=True)
    mime = mime_of(urls=[str(files["bib"]), str(files["ris"]), str(files["json"])])
    with answering("Import") as answers:
        assert drop(window.viewer, mime) == (True, True)
        assert window.controller.running(ImportBibTeX) == 3  # previews read in the worker
        qtbot.waitUntil(lambda: repo.count(FeedQuery()) == 3, timeout=10_000)
    assert [s.title for s in answers.seen] == ["Import Bibliography"] * 3
    titles = {p.title for p in repo.get_many(repo.ids(FeedQuery()))}
    assert titles == {"Sparse Mixtures", "A Paper From Zotero", "A Paper In CSL JSON"}


def test_a_bibliography_cancelled_in_the_preview_is_not_imported(
    make_window, repo, qtbot, files
) -> None:
    window = window_on(make_window, repo, show=True)
    with answering(None) as answers:
        drop(window, mime_of(urls=[files["bib"].as_uri()]))
        qtbot.waitUntil(lambda: bool(answers.seen) and not window.controller.is_busy)
    assert repo.count(FeedQuery()) == 0


def test_a_pdf_dropped_onto_a_paper_becomes_that_papers_pdf(make_window, lib, qtbot, files) -> None:
    window = window_on(make_window, lib, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    ids = [window.feed_model.index(r).data(PaperIdRole) for r in range(3)]
    pdf = mime_of(urls=[str(files["pdf"])])

    def attached(paper_id: str) -> bool:
        record = lib.pdfs.get(paper_id)
        return record is not None and record.text_state == "indexed"

    # Onto the second card of the list: kept as its PDF, its text indexed (in the worker).
    assert drop(window.feed.viewport(), pdf, card_center(window, 1)) == (True, True)
    qtbot.waitUntil(lambda: attached(ids[1]), timeout=20_000)
    kept = cache_of(lib).cached(lib, ids[1])
    assert kept is not None and kept.read_bytes() == files["pdf"].read_bytes()
    assert [h.paper_id for h in lib.pdfs.search("dropped")] == [ids[1]]
    assert not attached(ids[0]) and not attached(ids[2])
    # Onto the abstract: the paper it shows.
    window.feed.setCurrentIndex(window.feed_model.index(2))
    assert window.viewer.paper is not None and window.viewer.paper.id == ids[2]
    drop(window.viewer, pdf)
    qtbot.waitUntil(lambda: attached(ids[2]), timeout=20_000)
    # Onto the window over the list (a drop Qt hands to the window): the card under it.
    over_card = window.feed.viewport().mapTo(window, card_center(window, 0))
    drop(window, pdf, over_card)
    qtbot.waitUntil(lambda: attached(ids[0]), timeout=20_000)
    # Elsewhere (the views on the left): no paper to attach it to.
    window.message_bar.hide()
    drop(window, pdf, window.sidebar.mapTo(window, window.sidebar.rect().center()))
    assert "a PDF has to be dropped onto a paper in the list or onto its abstract" in message(
        window
    )
    qtbot.waitUntil(lambda: not window.controller.is_busy)
    assert lib.count(FeedQuery()) == 3


def test_a_dropped_file_that_is_no_pdf_is_refused_and_nothing_kept(
    make_window, lib, qtbot, files
) -> None:
    """A file named .pdf holding an HTML page is refused at the drop; a PDF cut off half-way
    (it starts like one) is refused by the worker with the reason. Nothing is kept."""
    html = files["folder"] / "download.pdf"
    html.write_bytes(HTML_ERROR_PAGE)
    cut = files["folder"] / "partial.pdf"
    cut.write_bytes(truncated(PDF))
    window = window_on(make_window, lib, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    paper_id = window.feed_model.index(0).data(PaperIdRole)
    drop(window.feed.viewport(), mime_of(urls=[str(html)]), card_center(window, 0))
    assert "download.pdf" in message(window) and "not a PDF file" in message(window)
    assert not window.controller.is_busy
    with qtbot.waitSignal(window.controller.failed, timeout=20_000) as failed:
        drop(window.feed.viewport(), mime_of(urls=[str(cut)]), card_center(window, 0))
    assert "partial.pdf cannot be kept as a PDF" in failed.args[0]
    assert lib.pdfs.get(paper_id) is None
    assert list(cache_of(lib).directory.glob("*")) == []


def test_bad_drops_are_told_not_crashed_on(make_window, lib, qtbot, files) -> None:
    window = window_on(make_window, lib, show=True)
    for mime, said in (
        (mime_of(urls=[str(files["txt"])]), "todo.txt: not a bibliography (.bib, .ris, .json)"),
        (mime_of(urls=[str(files["folder"])]), "dropped: a folder, not a file"),
        (mime_of(urls=["https://example.com/some/paper"]), "not an arXiv or Hugging Face paper"),
        (mime_of(text="just some words"), "no arXiv id or paper link in this text"),
    ):
        window.message_bar.hide()
        assert drop(window.feed.viewport(), mime) == (True, True)
        assert said in message(window), message(window)
        assert message(window).endswith("and PDFs dropped onto a paper.")
        assert not window.controller.is_busy
    # A drag holding neither links nor text (a picture) is not taken at all.
    picture = QMimeData()
    picture.setImageData(QImage(4, 4, QImage.Format.Format_RGB32))
    assert drop(window, picture) == (False, False)
    assert lib.count(FeedQuery()) == 3


# ----------------------------------------------------------------------------- paste
def test_ctrl_v_adds_the_paper_on_the_clipboard(make_window, repo, qtbot, hf_env) -> None:
    """In an empty library the views have the keys (the list is hidden): Ctrl+V works there
    as in the list, the first thing a new user may do."""
    window = active(window_on(make_window, repo), qtbot)
    QApplication.clipboard().setText(f"https://arxiv.org/abs/{HF_ID}v1")
    qtbot.waitUntil(lambda: window.sidebar.hasFocus())
    qtbot.keyClick(window.sidebar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.running(AddPapers) == 1
    qtbot.waitUntil(lambda: window.viewer.paper is not None and window.viewer.paper.id == HF_ID)


def test_ctrl_v_in_the_list_and_in_text_fields(make_window, lib, qtbot, hf_env) -> None:
    window = active(window_on(make_window, lib), qtbot)
    window.sidebar.select_spec(ViewSpec("all"))
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 3)
    search = window.navigator.search_box
    QApplication.clipboard().setText(HF_ID)
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == HF_ID and window.controller.running(AddPapers) == 0
    search.clear()
    window.feed.setCurrentIndex(window.feed_model.index(0))
    window.viewer.note.setFocus()
    qtbot.keyClick(window.viewer.note, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.viewer.note.toPlainText() == HF_ID and window.controller.running(AddPapers) == 0
    window.feed.setFocus()
    qtbot.keyClick(window.feed, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.running(AddPapers) == 1
    qtbot.waitUntil(lambda: lib.find(HF_ID) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.controller.is_busy)
    # Nonsense, and nothing, on the clipboard: said above the list.
    QApplication.clipboard().setText("attention is all you need")
    qtbot.keyClick(window.feed, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "no arXiv id or paper link in this text" in message(window)
    QApplication.clipboard().clear()
    qtbot.keyClick(window.feed, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert message(window).startswith("The clipboard is empty")
    assert not window.controller.is_busy
    assert window.drops.paste_action in window.menus.edit.actions()


# ----------------------------------------------------------------------------- hand-over
def test_a_second_start_hands_its_bibliography_to_the_open_window(
    make_window, repo, qtbot, tmp_path: Path, files
) -> None:
    from desktop_app.app import add_desktop_services

    data = tmp_path / "data"
    data.mkdir()
    window = window_on(make_window, repo)
    services = add_desktop_services(window, server_name(data))
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "refs.bib"],
            cwd=files["bib"].parent,  # a name relative to where the command runs
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with answering("Import") as answers:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
            qtbot.waitUntil(lambda: repo.count(FeedQuery()) == 1, timeout=10_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        assert out.startswith("Handed over to the Daily Papers window already open")
        assert "(1 bibliography to import)" in out
        assert [s.title for s in answers.seen] == ["Import Bibliography"]
        assert window.isVisible()
    finally:
        services.server.close()


def test_the_server_emits_files_before_papers(qtbot, tmp_path: Path) -> None:
    from desktop_app.ui.single import hand_over

    name = server_name(tmp_path)
    server = InstanceServer()
    assert server.listen(name)
    got: list[tuple[str, list[str]]] = []
    server.filesReceived.connect(lambda f: got.append(("files", f)))
    server.received.connect(lambda p: got.append(("papers", p)))
    try:
        code = (
            "import sys; from desktop_app.ui.single import hand_over; "
            f"sys.exit(0 if hand_over({name!r}, ['2401.00001'], files=['/x/a.bib']) else 3)"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
        assert proc.returncode == 0
        assert got == [("files", ["/x/a.bib"]), ("papers", ["2401.00001"])]
    finally:
        server.close()
    assert hand_over(name, [], timeout_ms=300) is False


@pytest.fixture
def first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp
) -> Iterator[tuple[Path, Path]]:
    """A library that was never opened, a desktop without the launcher, and what
    ``run_gui`` changes for the whole process (the log handler, the crash hook) put back."""
    data = tmp_path / "fresh"
    data.mkdir()
    save_settings(data, Settings(refresh_on_start=False, backup_every_days=0))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handlers = list(logging.getLogger("desktop_app").handlers)
    level = logging.getLogger("desktop_app").level
    yield data, tmp_path / "xdg-data"
    for handler in logging.getLogger("desktop_app").handlers:
        if handler not in handlers:
            logging.getLogger("desktop_app").removeHandler(handler)
            handler.close()
    logging.getLogger("desktop_app").setLevel(level)


def run_window(monkeypatch, qtbot, data: Path, refs: list[str], files: list[str], check) -> int:
    """``run_gui`` for real, its event loop being ``check(window)`` (then the window closes)."""
    from desktop_app.app import run_gui

    app = QApplication.instance()

    def loop() -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in windows if w.isVisible() and w.repo.path.parent == data)
        try:
            check(window)
        finally:
            window.close()
            window.deleteLater()
        return 0

    monkeypatch.setattr(app, "exec", loop)
    return run_gui(data, refs, files)


def test_the_first_start_opens_on_the_preview_and_offers_the_launcher_once(
    monkeypatch, qtbot, first_start, files, hf_env
) -> None:
    """``daily-papers refs.bib`` with no window open: the window opens on the import
    preview, and (the first time only) offers the launcher; ``daily-papers ID`` later adds
    the paper and shows it, without asking again."""
    data, xdg_data = first_start

    def first(window: MainWindow) -> None:
        assert not window.windowIcon().isNull()
        with answering("Import", ADD) as answers:
            qtbot.waitUntil(lambda: window.repo.count(FeedQuery()) == 1, timeout=10_000)
            qtbot.waitUntil(lambda: len(answers.seen) == 2, timeout=10_000)
            qtbot.waitUntil(
                lambda: (xdg_data / "applications/daily-papers.desktop").exists(), timeout=10_000
            )
        # The offer waits for the window to be on the screen and for no other dialog (the
        # preview) to be open: one after the other, whichever came first.
        assert sorted(s.title for s in answers.seen) == [
            "Add Daily Papers to the application menu?",
            "Import Bibliography",
        ]

    assert run_window(monkeypatch, qtbot, data, [], [str(files["bib"])], first) == 0
    assert load_settings(data).desktop_entry_offered
    assert (xdg_data / "icons/hicolor/256x256/apps/daily-papers.png").exists()

    # Never again, whatever the answer was (here: the launcher is even removed meanwhile).
    desktop_entry.uninstall()
    asked_again: list[str] = []

    def second(window: MainWindow) -> None:
        with answering(None) as answers:
            qtbot.waitUntil(
                lambda: window.viewer.paper is not None and window.viewer.paper.id == HF_ID,
                timeout=10_000,
            )
            qtbot.wait(1000)  # the offer would have come 0.8 s after the window showed
        asked_again.extend(s.title for s in answers.seen)

    assert run_window(monkeypatch, qtbot, data, [HF_ID], [], second) == 0
    assert asked_again == []
    assert OFFER_TITLE == "Add Daily Papers to the application menu?"


def test_no_thanks_is_an_answer_too(qtbot, tmp_path, monkeypatch, make_window, repo) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    window = window_on(make_window, repo)
    saved: list[Settings] = []
    assert offer_wanted(window.settings, "linux")
    assert not offer_wanted(window.settings, "win32") and not offer_wanted(
        window.settings, "darwin"
    )
    with answering(NO) as answers:
        settings = offer_desktop_entry(window, window.settings, saved.append, window.controller)
    assert answers.seen[0].title == OFFER_TITLE
    assert settings.desktop_entry_offered and saved == [settings]
    assert not offer_wanted(settings, "linux")
    assert not window.controller.is_busy and not desktop_entry.is_installed()
    with answering(None):  # Esc: the same
        settings = offer_desktop_entry(window, window.settings, saved.append, window.controller)
    assert settings.desktop_entry_offered and not desktop_entry.is_installed()


def test_the_offer_launches_the_library_the_window_has_open(
    qtbot, tmp_path, monkeypatch, make_window, repo
) -> None:
    """A window on another library than the default (--data-dir, DAILY_PAPERS_HOME) adds a
    launcher that opens that library."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    window = window_on(make_window, repo)
    library = tmp_path / "papers-for-thesis"
    with answering(ADD):
        offer_desktop_entry(window, window.settings, lambda _s: None, window.controller, library)
    qtbot.waitUntil(desktop_entry.is_installed, timeout=10_000)
    qtbot.waitUntil(lambda: not window.controller.is_busy)
    text = desktop_entry.Layout.under(None).desktop_file.read_text(encoding="utf-8")
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert f"--data-dir {library}" in exec_line


# ----------------------------------------------------------------------------- about, the log
def test_about_says_version_library_qt_and_python(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, show=True)
    with answering(None) as answers:
        window.acts.about.trigger()
    (about,) = answers.seen
    text = "\n".join(about.texts)
    assert about.title == "About Daily Papers" and "Daily Papers 0." in text
    assert f"Library: {lib.path}" in text and ", 3 papers" in text
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    assert f"Qt {qVersion()} (PySide6 {pyside})" in text and "Python 3." in text


def test_copy_diagnostics_copies_the_last_errors(make_window, lib, qtbot, tmp_path) -> None:
    window = window_on(make_window, lib, show=True)
    (tmp_path / "daily-papers.log").write_text(
        "2026-12-01 10:00:01,002 WARNING desktop_app.worker: AddPapers failed: "
        "Hugging Face answered 503.\n",
        encoding="utf-8",
    )
    window.acts.diagnostics.trigger()
    copied = QApplication.clipboard().text()
    assert f"Library: {lib.path}" in copied
    assert copied.endswith("AddPapers failed: Hugging Face answered 503.\n")
    assert window.statusBar().currentMessage().startswith("Diagnostics copied")
    assert window.acts.diagnostics in window.menus.help.actions()


def test_the_log_records_failed_requests_without_notes(
    make_window, lib, qtbot, tmp_path, httpserver: HTTPServer, monkeypatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("DAILY_PAPERS_ARXIV_URL", httpserver.url_for("/").rstrip("/"))
    httpserver.expect_request(f"/api/papers/{HF_ID}").respond_with_data("down", status=503)
    lib.set_note("2611.00001", "MY PRIVATE NOTE about my thesis")
    app = QApplication.instance()
    handler = crash.install(app, tmp_path)
    try:
        window = window_on(make_window, lib, show=True)
        window.sidebar.select_spec(ViewSpec("all"))
        window.feed.setCurrentIndex(window.feed_model.index(window.feed_model.row_of("2611.00001")))
        with qtbot.waitSignal(window.controller.failed, timeout=10_000):
            drop(window, mime_of(text=HF_ID))
    finally:
        logging.getLogger("desktop_app").removeHandler(handler)
        handler.close()
    log = (tmp_path / "daily-papers.log").read_text(encoding="utf-8")
    assert "WARNING desktop_app.worker: AddPapers failed:" in log and "503" in log
    assert "PRIVATE NOTE" not in log and "thesis" not in log


def test_the_window_and_the_tray_wear_the_icon(make_window, repo, qtbot) -> None:
    from desktop_app.ui.tray import Tray, drawn_icon

    window = window_on(make_window, repo)
    icon = window.windowIcon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}
    tray = Tray(window, available=lambda: False)
    assert tray.base.toImage() == icon.pixmap(64, 64).toImage()
    assert tray.base.toImage() != drawn_icon().toImage()
