"""Full-text search in the window (issue 16): the search box's scope *Full text* looks in the
text of the PDFs downloaded to the cache.

The search runs on the reader worker (:class:`~desktop_app.library.pdf_jobs.SearchFulltext`,
beside any fetch); the Search view then lists the papers found, best first. Each card shows,
in place of its authors, the page the words were found on and a snippet with the words in
bold; the abstract says the same with a link that reads the paper at that page, and ``p``
opens the reader there with the words searched.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from desktop_app.library.pdf_jobs import FulltextFound, SearchFulltext
from desktop_app.library.views import ViewSpec
from desktop_app.store.pdfs import FulltextHit
from desktop_app.ui.abstract_view import AbstractView
from desktop_app.ui.controller import Controller
from desktop_app.ui.feed_delegate import FeedDelegate
from desktop_app.ui.navigator import Navigator


class FulltextController(QObject):
    """Runs the searches the navigator asks for and shows their snippets."""

    def __init__(
        self,
        controller: Controller,
        navigator: Navigator,
        delegate: FeedDelegate,
        viewer: AbstractView,
        say: Callable[[str], None] = lambda _text: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.say = say
        self.controller = controller
        self.navigator = navigator
        self.delegate = delegate
        self.viewer = viewer
        self.text = ""  # what the hits were found for
        self.hits: dict[str, FulltextHit] = {}
        navigator.fulltextRequested.connect(self.on_fulltext_requested)

    def on_fulltext_requested(self, text: str) -> None:
        self.controller.read(SearchFulltext(text), self.on_found)

    def on_found(self, found: FulltextFound) -> None:
        if found.text != self.navigator.search_box.text().strip():
            return  # typed on meanwhile: a newer search is on its way
        self.text = found.text
        self.hits = {hit.paper_id: hit for hit in found.hits}
        if found.error:
            self.say(f"The text of your PDFs could not be searched: {found.error}")
        self.navigator.set_fulltext(found)

    def showing(self) -> bool:
        """Whether the view shown is the full-text search."""
        return self.navigator.fulltext_shown(self.navigator.spec)

    def on_view_shown(self, spec: ViewSpec) -> None:
        """Snippets on the cards and in the abstract only in the full-text view."""
        shown = self.navigator.fulltext_shown(spec)
        self.delegate.snippets = self.hits if shown else {}
        self.viewer.found = self.hits if shown else {}

    def hit_for(self, paper_id: str) -> tuple[int, str] | None:
        """Where ``p`` opens a paper in the full-text view: its page and the words searched."""
        hit = self.hits.get(paper_id) if self.showing() else None
        return (hit.page, self.text) if hit is not None else None
