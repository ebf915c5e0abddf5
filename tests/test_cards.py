"""The feed's cards: what they say (votes only for Hugging Face's papers, the rank only in its
lists), their thumbnails (fetched by the media worker from a loopback server, checked, cached
on disk, repainted), the preference that turns thumbnails off, and links in abstracts.

Real widgets over a real library (``make_window``); thumbnails come from pytest-httpserver.
"""

from __future__ import annotations

import struct
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from desktop_app.config import Settings, load_settings
from desktop_app.domain import DailyAppearance, Paper, PaperRecord
from desktop_app.library import thumbnails
from desktop_app.store import Repository
from desktop_app.ui.abstract_view import linkify, render_paper_html
from desktop_app.ui.card_text import PDF_MARK, card_text
from desktop_app.ui.sidebar import ViewSpec

TODAY = date.today()


def png_bytes(
    width: int = 64, height: int = 36, rgb: tuple[int, int, int] = (40, 90, 200)
) -> bytes:
    """A real PNG image (one colour), written by hand so no test depends on an image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def hf_paper(pid: str, title: str, thumbnail: str | None = None, **kw: Any) -> PaperRecord:
    return PaperRecord(
        id=pid,
        title=title,
        abstract=kw.pop("abstract", "An abstract."),
        authors=("Ada Lovelace", "Alan Turing"),
        published=TODAY,
        upvotes=kw.pop("upvotes", 12),
        comments=kw.pop("comments", 3),
        thumbnail=thumbnail,
        source="hf",
        **kw,
    )


ARXIV_ONLY = PaperRecord(
    id="1706.03762",
    title="Attention Is All You Need",
    abstract="The dominant sequence transduction models.",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    published=date(2017, 6, 12),
    journal_ref="Advances in Neural Information Processing Systems 30",
    primary_category="cs.CL",
    source="arxiv",
)


def card_lines(window: Any, paper_id: str) -> tuple[str, ...]:
    row = window.feed_model.row_of(paper_id)
    assert row is not None, f"{paper_id} is not in the view"
    card = window.delegate.card(window.feed_model.index(row))
    assert card is not None
    return card.lines


def painted_texts(window: Any, paper_id: str) -> list[tuple[int, str]]:
    """What the delegate draws for a paper's row: (x, text) of every drawText call."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

    class Recorder(QPainter):
        def __init__(self, device: QImage) -> None:
            super().__init__(device)
            self.texts: list[tuple[int, str]] = []

        def drawText(self, *args: Any) -> None:
            self.texts.append((args[0].left(), args[-1]))
            super().drawText(*args)

    index = window.feed_model.index(window.feed_model.row_of(paper_id))
    option = QStyleOptionViewItem()
    option.initFrom(window.feed)
    option.rect = window.feed.visualRect(index)
    image = QImage(window.feed.viewport().size(), QImage.Format.Format_ARGB32)
    painter = Recorder(image)
    window.delegate.paint(painter, option, index)
    painter.end()
    return painter.texts


# --------------------------------------------------------------------------- what a card says


def test_a_paper_not_from_hugging_face_shows_year_and_venue_not_upvotes(
    make_window, repo: Repository, tmp_path: Path
) -> None:
    from desktop_app.bibtex import import_bibtex

    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{knuth1984, author = {Donald E. Knuth}, title = {Literate Programming},"
        " journal = {The Computer Journal}, year = {1984}}\n",
        encoding="utf-8",
    )
    import_bibtex(repo, bib)
    repo.upsert_papers([ARXIV_ONLY, hf_paper("2611.00001", "A paper on the daily list")])
    window = make_window(repo, show=True)
    window.sidebar.select_spec(ViewSpec("all"))

    arxiv_card = card_lines(window, ARXIV_ONLY.id)
    assert "2017" in arxiv_card
    assert any(line.startswith("Advances in Neural Information Proc") for line in arxiv_card)
    assert not any("▲" in line or "upvote" in line or "comment" in line for line in arxiv_card)
    local_id = next(p.id for p in repo.get_many(repo.ids(window.feed_model.query)) if p.is_local)
    local_card = card_lines(window, local_id)
    assert "1984" in local_card and "The Computer Journal" in local_card
    assert not any("▲" in line for line in local_card)
    # What is painted is what the card says: no "▲ 0" drawn for the arXiv paper.
    assert not any("▲" in text for _x, text in painted_texts(window, ARXIV_ONLY.id))
    hf_card = card_lines(window, "2611.00001")
    assert "▲ 12" in hf_card and "3 comments" in hf_card

    # The abstract viewer agrees: no made-up "▲ 0 upvotes · 0 comments".
    window.feed.setCurrentIndex(window.feed_model.index(window.feed_model.row_of(ARXIV_ONLY.id)))
    shown = window.viewer.browser.toPlainText()
    assert "upvotes" not in shown and "comments" not in shown
    assert "Published 12 June 2017" in shown


def test_the_daily_rank_is_painted_only_in_hugging_face_list_views(
    make_window, repo: Repository
) -> None:
    papers = [hf_paper(f"2611.0000{i}", f"Budget paper {i}") for i in range(1, 4)]
    repo.upsert_papers(papers, [DailyAppearance(p.id, TODAY, i + 1) for i, p in enumerate(papers)])
    repo.set_starred([papers[0].id])
    repo.tag_papers([papers[0].id], ["to-read"])
    window = make_window(repo, show=True)

    def rank_shown() -> bool:
        lines = card_lines(window, papers[0].id)
        drawn = [text for _x, text in painted_texts(window, papers[0].id)]
        assert any("#1" in t for t in drawn) == ("#1" in lines)  # paint draws the card's text
        return "#1" in lines

    for spec in (ViewSpec("daily"), ViewSpec("today"), ViewSpec("week")):
        window.sidebar.select_spec(spec)
        assert rank_shown(), spec
    for spec in (ViewSpec("all"), ViewSpec("starred"), ViewSpec("tag", "to-read")):
        window.sidebar.select_spec(spec)
        assert not rank_shown(), spec
    window.navigator.search_box.setText("Budget")
    window.navigator.on_search_timer_timeout()
    assert window.spec == ViewSpec("search")
    assert not rank_shown()


def test_card_shows_organization_markers_and_linked_repositories(
    make_window, repo: Repository
) -> None:
    repo.upsert_papers(
        [
            hf_paper(
                "2611.00001",
                "A title long enough to need a second line in a narrow list of papers, and "
                "then some more words so that even the second line has to be cut short",
                organization="Tsinghua University",
                num_models=3,
                num_datasets=1,
                num_spaces=2,
            )
        ]
    )
    repo.set_starred(["2611.00001"])
    repo.set_note("2611.00001", "read the appendix")
    window = make_window(repo, show=True)
    window.resize(1400, 700)
    window.sidebar.select_spec(ViewSpec("all"))
    card = window.delegate.card(window.feed_model.index(0))
    assert card.organization == "Tsinghua University"
    assert card.starred and card.noted
    assert card.linked == ("3 models", "1 dataset", "2 Spaces")
    drawn = [text for _x, text in painted_texts(window, "2611.00001")]
    assert "★" in drawn and "✎" in drawn
    assert any(t.startswith("A title long enough") for t in drawn)
    title = [t for t in drawn if t.rstrip("…") and t.rstrip("…") in card.title]
    assert len(title) == 2 and title[1].endswith("…"), f"two lines, the second elided: {drawn}"
    assert card.title.startswith(f"{title[0]} {title[1].rstrip('…')}")
    assert "Tsinghua University" in drawn, "the organization is shown whole when it fits"
    assert any("3 models" in t for t in drawn)


def test_card_text_rules_without_qt() -> None:
    paper = Paper(
        id="2611.00001",
        title="T",
        abstract="",
        authors=(),
        published=TODAY,
        upvotes=0,
        daily_day=TODAY,
        daily_rank=2,
    )
    assert card_text(paper, "daily").votes == "▲ 0"  # on a list: Hugging Face's zero is real
    assert card_text(paper, "daily").info[0] == "#2"
    assert "#2" not in card_text(paper, "starred").info
    bare = Paper(id="2611.00002", title="T", abstract="", authors=(), published=TODAY)
    assert card_text(bare).votes == "" and card_text(bare).info == (str(TODAY.year),)
    # A downloaded PDF is said right after the date, where the line is never elided.
    assert card_text(bare, has_pdf=True).info == (str(TODAY.year), PDF_MARK)
    assert card_text(paper, "daily", has_pdf=True).info[:3] == (
        "#2",
        TODAY.strftime("%d %b %Y"),
        PDF_MARK,
    )


# --------------------------------------------------------------------------- thumbnails


def test_a_thumbnail_is_fetched_by_the_worker_cached_and_its_row_repainted(
    make_window, repo: Repository, httpserver: HTTPServer, tmp_path: Path, qtbot
) -> None:
    httpserver.expect_request("/thumbs/a.png").respond_with_data(
        png_bytes(1200, 648), content_type="image/png"
    )
    url = httpserver.url_for("/thumbs/a.png")
    repo.upsert_papers([hf_paper("2611.00001", "With a picture", url)])
    window = make_window(repo, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    cache = window.delegate.thumbnails
    stored = tmp_path / "thumbnails" / f"{thumbnails.cache_key(url)}.jpg"

    with qtbot.waitSignal(
        window.feed_model.dataChanged,
        timeout=10_000,
        check_params_cb=lambda top, bottom, roles=(): top.row() == 0,
    ):
        window.feed.viewport().repaint()  # the row is painted without its picture: asked for
    assert stored.is_file()
    assert stored.read_bytes().startswith(b"\xff\xd8\xff")  # shrunk to card size as JPEG
    assert not list(stored.parent.glob(".tmp-*"))  # written atomically
    assert len(httpserver.log) == 1
    assert cache.jobs == 1

    box = window.delegate  # the repaint now draws the picture, from the pixmap cache
    from PySide6.QtCore import QSize

    pixmap = cache.pixmap("2611.00001", url, QSize(128, 72), 1.0)
    assert pixmap is not None and pixmap.width() == 128
    window.feed.viewport().repaint()
    window.grab()
    assert len(httpserver.log) == 1, "a stored thumbnail is never asked for again"
    assert box.show_thumbnails


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!doctype html><html><body>Service unavailable</body></html>", "text/html"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20, "image/png"),  # no header
        (png_bytes()[:33] + b"garbage" * 20, "image/png"),  # a good header, then garbage
        (png_bytes(8000, 10), "image/png"),  # absurd size
    ],
    ids=["html", "not-png", "corrupt", "oversized"],
)
def test_an_answer_that_is_no_image_is_not_kept_nor_asked_again(
    make_window,
    repo: Repository,
    httpserver: HTTPServer,
    tmp_path: Path,
    qtbot,
    body: bytes,
    content_type: str,
) -> None:
    httpserver.expect_request("/thumbs/bad").respond_with_data(body, content_type=content_type)
    url = httpserver.url_for("/thumbs/bad")
    repo.upsert_papers([hf_paper("2611.00001", "A bad picture", url)])
    window = make_window(repo, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    cache = window.delegate.thumbnails
    window.feed.viewport().repaint()
    qtbot.waitUntil(lambda: cache.jobs == 1 and cache.pending == 0, timeout=10_000)
    folder = tmp_path / "thumbnails"
    assert [p.suffix for p in folder.iterdir()] == [".failed"]
    assert len(httpserver.log) == 1
    for _ in range(3):
        window.feed.viewport().repaint()
    assert cache.pending == 0 and cache.jobs == 1
    # Nor after a restart: the failure is remembered on disk (for a week).
    outcome = thumbnails.fetch_thumbnail(lambda: pytest.fail("no request"), url, folder)
    assert outcome.path is None and outcome.error


def test_thumbnails_off_means_no_request_and_no_picture_column(
    make_window, repo: Repository, httpserver: HTTPServer, tmp_path: Path, qtbot
) -> None:
    from desktop_app.ui.preferences import PreferencesDialog

    httpserver.expect_request("/thumbs/a.png").respond_with_data(
        png_bytes(), content_type="image/png"
    )
    url = httpserver.url_for("/thumbs/a.png")
    repo.upsert_papers([hf_paper("2611.00001", "With a picture", url)])
    settings = Settings(refresh_on_start=False, mark_read_after_ms=0, show_thumbnails=False)
    window = make_window(repo, settings, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    window.feed.viewport().repaint()
    window.grab()
    cache = window.delegate.thumbnails
    assert cache.pending == 0 and cache.jobs == 0  # nothing even asked for
    assert httpserver.log == []
    rect = window.feed.visualRect(window.feed_model.index(0))
    title_x = min(x for x, text in painted_texts(window, "2611.00001") if text == "With a picture")
    assert title_x - rect.left() < 20, "no room is kept for a picture"

    # Turned on in Preferences (and saved like the other settings): fetched and shown.
    dialog = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dialog)
    assert not dialog.thumbnails.isChecked()
    dialog.thumbnails.setChecked(True)
    window.apply_settings(dialog.result_settings())
    assert load_settings(tmp_path).show_thumbnails is True
    with qtbot.waitSignal(window.feed_model.dataChanged, timeout=10_000):
        window.feed.viewport().repaint()
    assert len(httpserver.log) == 1
    title_x = min(x for x, text in painted_texts(window, "2611.00001") if text == "With a picture")
    assert title_x - rect.left() > 100, "the picture takes the card's left"


def test_only_http_thumbnail_urls_are_fetched(tmp_path: Path) -> None:
    for url in ("file:///etc/passwd", "data:image/png;base64,AAAA", "javascript:x", "//x/y", ""):
        assert not thumbnails.is_fetchable(url)
        outcome = thumbnails.fetch_thumbnail(lambda: pytest.fail("no request"), url, tmp_path)
        assert outcome.path is None
    assert thumbnails.is_fetchable("https://cdn-thumbnails.huggingface.co/social/x.png")


def test_image_checks_without_qt() -> None:
    assert thumbnails.image_info(png_bytes(1200, 648)) == ("png", 1200, 648)
    assert thumbnails.check_image(png_bytes()) is None
    assert thumbnails.check_image(b"<html>") is not None
    assert thumbnails.check_image(b'<svg xmlns="http://www.w3.org/2000/svg"/>') is not None
    assert thumbnails.check_image(png_bytes(5000, 10)) is not None
    assert thumbnails.check_image(b"GIF89a" + b"\x00" * 20) is None


# --------------------------------------------------------------------------- abstract links


def test_urls_in_abstracts_become_links_only_for_http(make_window, repo: Repository) -> None:
    abstract = (
        "Code at https://github.com/org/repo. Data (see https://example.org/data_(v2)) and "
        "http://a.b/q?x=1&y=2, but not javascript:alert(1) nor file:///etc/passwd; "
        '<script>alert(1)</script> <a href="javascript:alert(2)">click</a> '
        "https://evil.example/<script>"
    )
    repo.upsert_papers([hf_paper("2611.00001", "Links", abstract=abstract)])
    window = make_window(repo, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    window.feed.setCurrentIndex(window.feed_model.index(0))
    document = window.viewer.browser.document()
    hrefs = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().isAnchor():
                hrefs.append((fragment.charFormat().anchorHref(), fragment.text()))
            it += 1
        block = block.next()
    abstract_links = [h for h in hrefs if h[0] not in {"https://huggingface.co/papers/2611.00001"}]
    assert ("https://github.com/org/repo", "https://github.com/org/repo") in abstract_links
    assert ("https://example.org/data_(v2)", "https://example.org/data_(v2)") in abstract_links
    assert ("http://a.b/q?x=1&y=2", "http://a.b/q?x=1&y=2") in abstract_links
    assert ("https://evil.example/", "https://evil.example/") in abstract_links
    assert not any(h.startswith(("javascript", "file")) for h, _text in hrefs)
    text = window.viewer.browser.toPlainText()
    assert '<script>alert(1)</script> <a href="javascript:alert(2)">click</a>' in text
    assert "https://github.com/org/repo. Data" in text  # the full stop stays text
    assert window.viewer.browser.loaded_resources == []


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see https://x.org/a.", ["https://x.org/a"]),
        ("(https://x.org/a)", ["https://x.org/a"]),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar), then",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("HTTPS://X.ORG/A!", ["HTTPS://X.ORG/A"]),
        ("javascript:alert(1) data:text/html,x file:///x ftp://x.org", []),
        ('http://x.org/"onmouseover="alert(1)', ["http://x.org/"]),
        ("https:// and http://", []),
    ],
)
def test_linkify_takes_http_urls_without_trailing_punctuation(text: str, links: list[str]) -> None:
    import html
    import re

    out = linkify(html.escape(text, quote=True))
    assert [html.unescape(h) for h in re.findall(r'<a href="([^"]*)">', out)] == links
    assert re.sub(r"<[^>]+>", "", out) == html.escape(text, quote=True)  # the text is unchanged
    assert "<script" not in out and "javascript:alert(1)</a>" not in out


def test_render_paper_html_links_abstract_urls_but_escapes_first() -> None:
    paper = Paper(
        id="2611.00001",
        title="T",
        abstract="<b>bold</b> https://x.org/a<img src=x onerror=alert(1)>",
        authors=(),
        published=TODAY,
    )
    html = render_paper_html(paper)
    link = '<a href="https://x.org/a" style="color:#0000ff">https://x.org/a</a>'
    assert link + "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_narrow_card_gives_its_picture_room_to_the_title(
    make_window, repo, qtbot, httpserver: HTTPServer
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.feed_delegate import THUMB_MIN_WIDTH

    httpserver.expect_request("/a.png").respond_with_data(png_bytes(), content_type="image/png")
    picture = httpserver.url_for("/a.png")
    repo.upsert_papers([hf_paper("2611.00001", "With a picture", picture)])
    window = make_window(repo, show=True)
    window.sidebar.select_spec(ViewSpec("all"))
    window.resize(1280, 800)
    QApplication.processEvents()
    rect = window.feed.visualRect(window.feed_model.index(0))
    assert rect.width() >= THUMB_MIN_WIDTH + 20
    wide_x = min(x for x, t in painted_texts(window, "2611.00001") if t == "With a picture")
    assert wide_x - rect.left() > 100  # the picture's column
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.feed.viewport().width() < THUMB_MIN_WIDTH)
    rect = window.feed.visualRect(window.feed_model.index(0))
    narrow_x = min(x for x, t in painted_texts(window, "2611.00001") if t == "With a picture")
    assert narrow_x - rect.left() < 20  # at 800×600 the title takes the whole card
