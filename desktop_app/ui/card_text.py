"""What a card in the feed says, as plain text: the delegate paints exactly these strings.

Kept apart from the painting (and free of Qt) so the rules are tested directly:

- upvotes (and comments) are Hugging Face's numbers and shown only when it gave them; a
  paper that came from arXiv alone or from a bibliography has none (unknown, not 0) and
  shows its year and venue instead;
- a paper's rank on its day's list (``#3``) is shown only in the views of Hugging Face's
  lists (Daily — a day, week or month —, Today, This week), where it is the list's order;
- models, datasets and Spaces linked to the paper on Hugging Face are counted when it has any;
- a paper whose PDF is downloaded says so (``PDF ✓``): it can be read here, offline too.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain import Paper
from desktop_app.library.views import DAILY_KINDS

VENUE_CHARS = 48
PDF_MARK = "PDF ✓"  # the paper's PDF is downloaded: p reads it, offline too


def authors_short(authors: tuple[str, ...], n: int = 3) -> str:
    """``A, B, C et al.`` — the first ``n`` authors, then et al."""
    if not authors:
        return "Unknown authors"
    head = ", ".join(authors[:n])
    return head + (" et al." if len(authors) > n else "")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def shows_rank(view_kind: str) -> bool:
    """Whether a view lists papers in Hugging Face's daily order (so ``#3`` means something)."""
    return view_kind in DAILY_KINDS


@dataclass(frozen=True)
class CardText:
    """The texts of one card, in the order they are painted."""

    title: str
    authors: str
    organization: str  # "" when none
    votes: str  # "▲ 12" for papers Hugging Face lists, else ""
    info: tuple[str, ...]  # rank, date or year, venue, comments, code, project page
    linked: tuple[str, ...]  # "3 models", "1 dataset", "2 Spaces"
    starred: bool
    noted: bool

    @property
    def lines(self) -> tuple[str, ...]:
        """Every text of the card (tests and accessibility read it this way)."""
        byline = self.authors + (f" · {self.organization}" if self.organization else "")
        markers = ("★" if self.starred else "") + ("✎" if self.noted else "")
        return tuple(
            t for t in (self.title, byline, self.votes, markers, *self.info, *self.linked) if t
        )


def card_text(paper: Paper, view_kind: str = "all", has_pdf: bool = False) -> CardText:
    """What the card of ``paper`` says in a view of kind ``view_kind`` (a ViewSpec kind);
    ``has_pdf``: its PDF is downloaded (readable offline), said early so it is never elided."""
    on_hf = paper.on_hugging_face
    info: list[str] = []
    if shows_rank(view_kind) and paper.daily_rank and paper.daily_day:
        info.append(f"#{paper.daily_rank}")
    if on_hf and paper.published:
        info.append(paper.published.strftime("%d %b %Y"))
    elif paper.shown_year:
        info.append(str(paper.shown_year))
    if has_pdf:
        info.append(PDF_MARK)
    venue = " ".join((paper.venue or paper.journal_ref or "").split())
    if venue:
        info.append(venue if len(venue) <= VENUE_CHARS else venue[: VENUE_CHARS - 1] + "…")
    if paper.comments:
        info.append(_plural(paper.comments, "comment"))
    if paper.github_repo:
        info.append("</> code" + (f" ★{paper.github_stars}" if paper.github_stars else ""))
    if paper.project_page:
        info.append("⌂ project")
    linked = []
    for count, word in (
        (paper.num_models, "model"),
        (paper.num_datasets, "dataset"),
        (paper.num_spaces, "Space"),
    ):
        if count:
            linked.append(_plural(count, word))
    return CardText(
        title=" ".join(paper.title.split()),
        authors=authors_short(paper.authors),
        organization=" ".join((paper.organization or "").split()),
        votes=f"▲ {paper.upvotes}" if paper.upvotes is not None else "",
        info=tuple(info),
        linked=tuple(linked),
        starred=paper.starred,
        noted=bool(paper.note.strip()),
    )
