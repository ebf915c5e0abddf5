"""The abstract viewer: everything about one paper, as text that is never rendered as HTML.

Titles, abstracts, author names and summaries come from the network and are untrusted: each is
escaped before it reaches the rich-text document, so ``<img src="file:///etc/passwd">`` or a
``<script>`` shows as those characters. The browser loads no resources at all, follows no link
itself, and hands only ``http``/``https`` links to the system browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app import contrast
from desktop_app.domain import Paper
from desktop_app.safetext import is_http_url
from desktop_app.store.pdfs import FulltextHit, highlight_spans


def is_safe_url(url: str | None) -> bool:
    """Only absolute http(s) URLs with a host may be opened or linked."""
    return is_http_url(url)


def paragraphs(text: str) -> list[str]:
    """Split an abstract into paragraphs; single hard line wraps are joined."""
    chunks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(chunk.split()) for chunk in chunks if chunk.strip()]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Surface:
    """The viewer's colours (``#rrggbb``): its background, and links and muted text that read
    on it at 4.5:1. :meth:`of` takes them from a palette, so each theme gets its own."""

    background: str = "#ffffff"
    link: str = "#0000ff"
    muted: str = "#666666"

    @classmethod
    def of(cls, palette: QPalette) -> Surface:
        background = palette.color(QPalette.ColorRole.Base).name()
        text = palette.color(QPalette.ColorRole.Text).name()
        link = palette.color(QPalette.ColorRole.Link).name()
        return cls(
            background=background,
            link=contrast.readable(link, background),
            muted=contrast.readable(contrast.blend(text, background, 0.6), background),
        )


# An http(s) URL in *escaped* text: it ends at white space or at an escaped <, >, " or '
# (which cannot be part of a URL written in prose), never at a raw one (there are none left).
_URL_IN_ESCAPED = re.compile(
    r"\bhttps?://(?:(?!&(?:lt|gt|quot|#x27);)[^\s<>\"'])+", re.IGNORECASE | re.ASCII
)
_TRAILING = ".,;:!?*'\""
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """A URL found in prose without the punctuation that ends its sentence: ``.``, ``,`` or
    a closing bracket that opened before the URL (one opened inside it, as in Wikipedia's
    ``Foo_(bar)``, stays)."""
    while url:
        last = url[-1]
        unopened = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last in _TRAILING or unopened:
            url = url[:-1]
        elif url.endswith("&amp;"):
            url = url[: -len("&amp;")]
        else:
            break
    return url


def linkify(escaped: str, color: str = "") -> str:
    """``escaped`` (text already passed through :func:`_e`) with its http(s) URLs made links.

    Escaping comes first, so nothing in the text can become markup; only what looks like an
    absolute http(s) URL with a host becomes ``<a href="…">``, its text shown as it was.
    ``javascript:``, ``file:`` or ``data:`` addresses stay text. ``color``: the links'
    colour (one that reads on the viewer's background).
    """

    def link(match: re.Match[str]) -> str:
        found = match.group(0)
        url = _trim_url(found)
        if not is_safe_url(html.unescape(url)):
            return found
        style = f' style="color:{color}"' if color else ""
        return f'<a href="{url}"{style}>{url}</a>{found[len(url) :]}'

    return _URL_IN_ESCAPED.sub(link, escaped)


def render_paper_html(
    paper: Paper,
    colors: dict[str, str | None] | None = None,
    surface: Surface | None = None,
    reason: str = "",
    related: Sequence[tuple[str, str, float]] = (),
    found: FulltextHit | None = None,
) -> str:
    """The viewer's document. Every piece of paper data passes through ``_e``; colours are
    ``surface``'s (the light theme's by default) and the tags' (``colors``: the user's);
    ``reason``: why *For you* ranked it where it is; ``related``: the nearest papers of the
    library (id, title, similarity), linked as ``paper:ID``; ``found``: where a full-text
    search found its words in the PDF (the page linked as ``pdfpage:N``, 0-based)."""
    colors = colors or {}
    surface = surface or Surface()
    out = [f"<h2 style='margin-bottom:4px'>{_e(paper.title)}</h2>"]
    if reason:
        out.append(f"<p style='color:{surface.muted}'><i>For you: {_e(reason)}</i></p>")
    if found is not None:
        words = "".join(
            f"<b>{_e(t)}</b>" if on else _e(t) for t, on in highlight_spans(found.snippet)
        )
        page = found.page + 1
        out.append(
            f"<p>Found on page {page} of the PDF: {words} "
            f'<a href="pdfpage:{found.page}" style="color:{surface.link}">'
            f"Read at page {page}</a></p>"
        )
    if paper.authors:
        out.append(f"<p style='margin-top:0'>{_e(', '.join(paper.authors))}</p>")
    meta = []
    if paper.organization:
        meta.append(f"<b>{_e(paper.organization)}</b>")
    if paper.published:
        meta.append(f"Published {_e(paper.published.strftime('%d %B %Y'))}")
    elif paper.year:
        meta.append(f"Published {paper.year}")
    if paper.daily_day:
        rank = f" (#{paper.daily_rank})" if paper.daily_rank else ""
        meta.append(f"On Hugging Face Daily {_e(paper.daily_day.strftime('%d %b %Y'))}{rank}")
    if paper.upvotes is not None:  # Hugging Face's numbers, when it gave them (else unknown)
        meta.append(f"▲ {paper.upvotes} upvotes")
    if paper.comments is not None:
        meta.append(f"{paper.comments} comment{'s' if paper.comments != 1 else ''}")
    if paper.github_stars is not None and paper.github_repo:
        meta.append(f"★ {paper.github_stars} GitHub stars")
    out.append("<p>" + " &nbsp;·&nbsp; ".join(meta) + "</p>")
    if paper.venue:
        out.append(f"<p>In <i>{_e(paper.citation)}</i></p>")
    links = []
    for label, url in (
        ("Hugging Face", paper.hf_url),
        ("arXiv", paper.arxiv_url),
        ("PDF", paper.pdf_url),
        ("GitHub", paper.github_repo),
        ("Project page", paper.project_page),
        ("DOI", f"https://doi.org/{paper.doi.strip()}" if paper.doi else None),
    ):
        if is_safe_url(url):
            # Double quotes: Qt decodes entities (&amp;) only in double-quoted attributes,
            # so a single-quoted href sent "&amp;" to the browser.
            links.append(f'<a href="{_e(url)}" style="color:{surface.link}">{_e(label)}</a>')
    if links:
        out.append("<p>" + " &nbsp;|&nbsp; ".join(links) + "</p>")
    if paper.tags:
        chips = []
        for name in paper.tags:
            chip = contrast.solid_chip(name, colors.get(name.casefold()), surface.background)
            chips.append(
                f"<span style='background-color:{chip.fill}; color:{chip.text}'>"
                f"&nbsp;{_e(name)}&nbsp;</span>"
            )
        out.append("<p>" + " ".join(chips) + "</p>")
    if paper.ai_summary:
        out.append(f"<p><b>AI summary.</b> {_e(paper.ai_summary)}</p>")
    if paper.ai_keywords:
        out.append(f"<p><i>Keywords: {_e(', '.join(paper.ai_keywords))}</i></p>")
    out.append("<h3>Abstract</h3>")
    for para in paragraphs(paper.abstract) or ["(No abstract.)"]:
        out.append(f"<p>{linkify(_e(para), surface.link)}</p>")
    extra = []
    if paper.categories:
        extra.append("Categories: " + _e(" ".join(paper.categories)))
    if paper.journal_ref and not paper.venue:
        extra.append("Journal: " + _e(paper.journal_ref))
    if paper.doi:
        extra.append("DOI: " + _e(paper.doi))
    if paper.arxiv_comment:
        extra.append("Comment: " + _e(paper.arxiv_comment))
    if extra:
        out.append(f"<p style='color:{surface.muted}'>" + "<br>".join(extra) + "</p>")
    if related:
        out.append("<h3>Related in your library</h3>")
        items = [
            f'<a href="paper:{_e(pid)}" style="color:{surface.link}">{_e(title)}</a>'
            f" <span style='color:{surface.muted}'>({round(sim * 100)}%)</span>"
            for pid, title, sim in related
        ]
        out.append("<p>" + "<br>".join(items) + "</p>")
    return "\n".join(out)


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that loads nothing and navigates nowhere by itself.

    Signals:
        paletteChanged(): its colours changed (a theme): the document must be rendered again.
    """

    paletteChanged = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.loaded_resources: list[str] = []  # requests refused (tests assert it stays empty)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # its own palette is the new one now
            self.paletteChanged.emit()

    def loadResource(self, type_: int, name: QUrl | str) -> Any:
        self.loaded_resources.append(name.toString() if isinstance(name, QUrl) else name)
        return None


class AbstractView(QWidget):
    """Shows one paper and edits its note.

    Signals:
        noteEdited(str, str): paper id and the note text, after a pause in typing or on leave.
        linkOpened(str): an http(s) URL that was handed to the system browser.
        linkRefused(str): a URL that was not opened because its scheme is not http(s).
        linkFailed(str): what to tell the user when no browser opened a link (it was copied
            to the clipboard instead).
        copyBibtexRequested(str): the paper id whose BibTeX the user wants on the clipboard.
        paperRequested(str): a related paper's id was clicked: show that paper.
        notInterestedRequested(str): the paper shown is not interesting (its button).
    """

    noteEdited = Signal(str, str)
    paperRequested = Signal(str)
    notInterestedRequested = Signal(str)
    readAtPageRequested = Signal(str, int)
    linkOpened = Signal(str)
    linkRefused = Signal(str)
    linkFailed = Signal(str)
    copyBibtexRequested = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.paper: Paper | None = None
        self.tag_colors: dict[str, str | None] = {}
        self.reasons: dict[str, str] = {}  # paper id → why For you ranked it there
        self.found: dict[str, FulltextHit] = {}  # paper id → where a full-text search found it
        self.related: tuple[str, tuple[tuple[str, str, float], ...]] = ("", ())
        # QUrl -> whether something opened it (QDesktopServices is False with no browser).
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.browser = SafeTextBrowser()
        self.browser.setObjectName("abstractBrowser")
        self.browser.anchorClicked.connect(self.on_browser_anchor_clicked)
        # A new theme renders the open paper again in its colours (links, chips).
        self.browser.paletteChanged.connect(self._render)
        self.placeholder = QLabel("Select a paper to read its abstract.")
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note = QPlainTextEdit()
        self.note.setObjectName("noteEditor")
        self.note.setPlaceholderText("Your note on this paper (saved automatically)…")
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(600)
        self._note_timer.timeout.connect(self.flush_note)
        self.note.textChanged.connect(self.on_note_text_changed)
        self._note_dirty = False
        self.copy_button = QPushButton("Copy BibTeX")
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.not_interested_button = QPushButton("Not interested")
        self.not_interested_button.setObjectName("notInterestedButton")
        self.not_interested_button.setToolTip("Hide from For you, and learn from it (x; undoable)")
        self.not_interested_button.clicked.connect(self.on_not_interested_clicked)
        note_box = QWidget()
        nl = QVBoxLayout(note_box)
        nl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Note</b>"))
        row.addStretch(1)
        row.addWidget(self.not_interested_button)
        row.addWidget(self.copy_button)
        nl.addLayout(row)
        nl.addWidget(self.note)
        self.split = QSplitter()
        self.split.setOrientation(Qt.Orientation.Vertical)
        self.split.addWidget(self.browser)
        self.split.addWidget(note_box)
        self.split.setSizes([600, 140])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.split)
        self.show_paper(None)

    def show_paper(self, paper: Paper | None) -> None:
        """Display ``paper`` (or the placeholder); a pending note edit is saved first."""
        if self.paper is not None and paper is not None and paper.id == self.paper.id:
            self.paper = paper
            self._render()
            return
        self.flush_note()
        self.paper = paper
        self.placeholder.setVisible(paper is None)
        self.split.setVisible(paper is not None)
        self._render()
        self.browser.verticalScrollBar().setValue(0)  # another paper: from its top
        self.note.blockSignals(True)
        self.note.setPlainText(paper.note if paper else "")
        self.note.blockSignals(False)
        self._note_dirty = False

    def _render(self) -> None:
        if self.paper is None:
            self.browser.clear()
            return
        bar = self.browser.verticalScrollBar()
        pos = bar.value()
        surface = Surface.of(self.browser.palette())
        reason = self.reasons.get(self.paper.id, "")
        near = self.related[1] if self.related[0] == self.paper.id else ()
        found = self.found.get(self.paper.id)
        self.browser.setHtml(
            render_paper_html(self.paper, self.tag_colors, surface, reason, near, found)
        )
        bar.setValue(pos)

    def set_related(self, paper_id: str, papers: tuple[tuple[str, str, float], ...]) -> None:
        """The papers nearest ``paper_id`` (found in the worker); shown if it is still open."""
        self.related = (paper_id, papers)
        if self.paper is not None and self.paper.id == paper_id and papers:
            self._render()

    def page_down(self) -> bool:
        """Scroll the abstract by one screen (Space); False when it was already at its end."""
        bar = self.browser.verticalScrollBar()
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(bar.value() + bar.pageStep())
        return True

    @Slot()
    def on_note_text_changed(self) -> None:
        self._note_dirty = True
        self._note_timer.start()

    @Slot()
    def flush_note(self) -> None:
        """Emit the note now if it changed (called on pause, paper switch and close)."""
        self._note_timer.stop()
        if self._note_dirty and self.paper is not None:
            self._note_dirty = False
            self.noteEdited.emit(self.paper.id, self.note.toPlainText())

    @Slot()
    def on_not_interested_clicked(self) -> None:
        if self.paper is not None:
            self.notInterestedRequested.emit(self.paper.id)

    @Slot()
    def on_copy_clicked(self) -> None:
        if self.paper is not None:
            self.copyBibtexRequested.emit(self.paper.id)

    @Slot(QUrl)
    def on_browser_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("paper:"):  # a related paper: shown here, not in a browser
            self.paperRequested.emit(text.removeprefix("paper:"))
        elif text.startswith("pdfpage:") and self.paper is not None:  # read it at that page
            page = text.removeprefix("pdfpage:")
            if page.isdigit():
                self.readAtPageRequested.emit(self.paper.id, int(page))
        elif is_safe_url(text):
            self.open_link(QUrl(text))
        else:
            self.linkRefused.emit(text)

    def open_link(self, url: QUrl) -> bool:
        """Hand an http(s) ``url`` to the system browser. When nothing can open it (no
        browser, no handler for the scheme), the link goes to the clipboard and
        ``linkFailed`` says so: the user is never left with a key press that did nothing."""
        text = url.toString()
        if self.open_url(url) is False:
            QApplication.clipboard().setText(text)
            self.linkFailed.emit(
                f"No web browser could open {text}; the link was copied to the clipboard."
            )
            return False
        self.linkOpened.emit(text)
        return True
