"""Issue 16's full-text search in the window: the search box's scope *Full text* lists the
papers whose downloaded PDF holds the words, best first, each card with the page and a snippet
(words in bold), the abstract with a link that reads the paper at that page, and ``p`` opening
the reader there with the words searched. PDFs are real (generated), kept with the cache's own
``attach`` and indexed by the same extractor as everywhere."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pdf_support import make_pdf, make_scanned_pdf, paper_pages
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from ui_support import active

from desktop_app.config import Settings
from desktop_app.domain import PaperRecord
from desktop_app.library.pdf_jobs import cache_of, index_text
from desktop_app.library.views import ViewSpec
from desktop_app.store import Repository
from desktop_app.ui.feed_model import PaperIdRole
from desktop_app.ui.main_window import MainWindow

IDS = ("2611.00001", "2611.00002", "2611.00003", "2611.00004")


def keep_pdf(repo: Repository, tmp: Path, paper_id: str, pdf: bytes) -> None:
    source = tmp / f"{paper_id}.pdf"
    source.write_bytes(pdf)
    cache_of(repo).attach(repo, paper_id, source)
    index_text(repo, paper_id)


@pytest.fixture
def lib(repo: Repository, tmp_path: Path) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(id=pid, title=f"Paper {i}", published=date(2026, 11, 4 - i), version=1)
            for i, pid in enumerate(IDS)
        ]
    )
    pages = paper_pages(6, words="dense layers")
    pages[3] = "Section 4. We route tokens with sparse mixtures of experts. " + pages[3]
    keep_pdf(repo, tmp_path, IDS[0], make_pdf(pages=pages))
    other = paper_pages(3, words="convolutions")
    other[1] = "Unlike sparse mixtures, our model is dense. " + other[1]
    keep_pdf(repo, tmp_path, IDS[1], make_pdf(pages=other))
    keep_pdf(repo, tmp_path, IDS[2], make_scanned_pdf())  # no text to search
    return repo


def window_on(make_window, repo: Repository, qtbot) -> MainWindow:
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0, backup_every_days=0)
    window = make_window(repo, settings)
    window.resize(1280, 800)
    active(window, qtbot)
    window.sidebar.select_spec(ViewSpec("all"))
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == len(IDS))
    return window


def search_fulltext(window: MainWindow, qtbot, text: str) -> None:
    """Choose the scope *Full text* and type ``text`` into the search box, then Enter."""
    nav = window.navigator
    nav.scope_combo.setCurrentIndex(nav.scope_combo.findData("fulltext"))
    window.acts.find.trigger()  # Ctrl+F
    nav.search_box.clear()
    QTest.keyClicks(nav.search_box, text)
    QTest.keyClick(nav.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: nav.fulltext is not None and nav.fulltext.text == text)


def listed(window: MainWindow) -> list[str]:
    return [
        window.feed_model.index(r).data(PaperIdRole) for r in range(window.feed_model.rowCount())
    ]


def test_full_text_lists_the_papers_with_the_words_best_first(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, "sparse mixtures")
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 2)
    assert set(listed(window)) == {IDS[0], IDS[1]}
    assert window.navigator.spec == ViewSpec("search")
    assert window.view_title.text() == "Full text · “sparse mixtures” in your PDFs"
    # Each card: the page and a snippet in place of the authors.
    hits = window.delegate.snippets
    assert hits[IDS[0]].page == 3 and hits[IDS[1]].page == 1
    assert "\x02sparse\x03" in hits[IDS[0]].snippet.lower()
    # Painted: the byline's place shows the snippet (the same card without it differs there).
    with_snippets = window.feed.viewport().grab().toImage()
    window.delegate.snippets = {}
    without = window.feed.viewport().grab().toImage()
    window.delegate.snippets = hits
    assert with_snippets != without
    assert window.feed.viewport().grab().toImage() == with_snippets
    # The keys are in the list; the abstract says where the words are, with a link.
    assert window.feed.hasFocus()
    window.feed.setCurrentIndex(window.feed_model.index(listed(window).index(IDS[0])))
    html = window.viewer.browser.toHtml()
    assert "Found on page 4 of the PDF" in html and "Read at page 4" in html
    # The words found are bold (Qt writes <b> back as a font-weight span).
    assert re.search(r'font-weight:\s*[6-9]00;?">sparse', html, re.IGNORECASE)


def test_p_reads_the_paper_at_the_page_found_with_the_words_searched(
    make_window, lib, qtbot
) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, "sparse mixtures")
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 2)
    window.feed.setCurrentIndex(window.feed_model.index(listed(window).index(IDS[0])))
    QTest.keyClick(window.feed, Qt.Key.Key_P)
    reader = window.reading.reader
    assert window.reading.reading() and reader is not None
    assert reader.search_edit.text() == "sparse mixtures" and reader.search_bar.isVisible()
    qtbot.waitUntil(lambda: reader.hits_label.text().startswith("1 of"))
    assert reader.current_page() == 3
    # Esc closes the search bar first, then the reader; the results are still listed.
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    assert not window.reading.reading() and window.feed_model.rowCount() == 2


def test_the_abstracts_link_reads_the_paper_at_that_page(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, "sparse mixtures")
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 2)
    window.feed.setCurrentIndex(window.feed_model.index(listed(window).index(IDS[1])))
    window.viewer.browser.anchorClicked.emit(QUrl("pdfpage:1"))
    assert window.reading.reading()
    qtbot.waitUntil(lambda: window.reading.reader.hits_label.text().startswith("1 of"))
    assert window.reading.reader.current_page() == 1


def test_nothing_found_says_what_was_searched(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, "hypernetwork")
    qtbot.waitUntil(lambda: window.empty_label.isVisible())
    assert window.empty_label.text() == (
        "None of your 3 downloaded PDFs contains “hypernetwork”. 1 of them has no searchable "
        "text (scanned, protected or still being read)."
    )


def test_odd_search_syntax_finds_nothing_quietly(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, '"sparse AND (')
    qtbot.waitUntil(lambda: window.empty_label.isVisible())
    assert window.empty_label.text().startswith("None of your 3 downloaded PDFs contains")
    assert not window.message_bar.isVisible()


def test_other_scopes_show_no_snippets(make_window, lib, qtbot) -> None:
    window = window_on(make_window, lib, qtbot)
    search_fulltext(window, qtbot, "sparse mixtures")
    qtbot.waitUntil(lambda: window.feed_model.rowCount() == 2)
    nav = window.navigator
    nav.scope_combo.setCurrentIndex(nav.scope_combo.findData("all"))
    qtbot.waitUntil(lambda: window.view_title.text().startswith("Search · "))
    assert window.delegate.snippets == {} and window.viewer.found == {}
