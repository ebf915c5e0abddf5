"""Paints one paper per row as a card: thumbnail, title on up to two lines, authors and
organization, then rank, date or year and venue, counts, links and tag chips.

What the card says is computed by :func:`desktop_app.ui.card_text.card_text` (plain text,
tested without painting); this module only lays it out. Every card has the same height, so the
list view can lay out 100,000 rows without asking each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app import contrast
from desktop_app.domain import Paper
from desktop_app.store.pdfs import FulltextHit, highlight_spans
from desktop_app.ui.card_text import CardText, authors_short, card_text
from desktop_app.ui.feed_model import PaperRole

if TYPE_CHECKING:
    from desktop_app.ui.thumbnails import ThumbnailCache

__all__ = ["FeedDelegate", "authors_short", "tag_color", "title_lines"]

_PAD = 10
_GAP = 3
ROW_MIN_WIDTH = 280  # titles and authors elide: the list fits a window 800 px wide
THUMB_MIN_WIDTH = 400  # a narrower card gives its picture's room to the title
_SELECTED_WASH = 0.22  # the highlight's opacity over a selected row (and under the mouse)
_HOVER_WASH = 0.07
_THUMB_RATIO = 1.6  # width of the thumbnail's box over its height (HF's pictures are ~1.85)
_STAR = "#e0a800"


def tag_color(name: str, explicit: str | None = None, background: str = "#ffffff") -> QColor:
    """A tag's colour: the user's choice, else its palette shade for ``background`` (stable:
    chosen from the name). Drawn as text, pass it through :func:`contrast.readable` first."""
    return QColor(contrast.tag_color(name, explicit, background))


def row_background(palette: QPalette, selected: bool, hover: bool = False) -> str:
    """The colour a row of the list is painted on: the base, washed with the highlight when
    the row is selected (or, faintly, under the mouse) — what chips and text sit on."""
    base = palette.color(QPalette.ColorRole.Base).name()
    if not (selected or hover):
        return base
    group = QPalette.ColorGroup.Active if selected else QPalette.ColorGroup.Current
    highlight = palette.color(group, QPalette.ColorRole.Highlight).name()
    return contrast.blend(highlight, base, _SELECTED_WASH if selected else _HOVER_WASH)


def title_lines(title: str, metrics: QFontMetrics, width: int) -> list[str]:
    """``title`` broken at spaces into at most two lines of ``width`` pixels, the second
    elided when the title is longer."""
    if metrics.horizontalAdvance(title) <= width:
        return [title]
    words = title.split(" ")
    line = ""
    for i, word in enumerate(words):
        candidate = f"{line} {word}" if line else word
        if metrics.horizontalAdvance(candidate) > width:
            if not line:  # one word wider than the card
                return [metrics.elidedText(title, Qt.TextElideMode.ElideRight, width)]
            rest = " ".join(words[i:])
            return [line, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
        line = candidate
    return [line]


SNIPPET_LEAD = 28  # characters of a snippet kept before the first word found


class FeedDelegate(QStyledItemDelegate):
    """Paper cards of uniform height (so the view can lay out 100k rows cheaply).

    ``view_kind`` is the kind of the view shown (the window sets it), which decides whether a
    paper's daily rank means anything; ``thumbnails`` serves the pictures, shown while
    ``show_thumbnails`` is on.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tag_colors: dict[str, str | None] = {}
        self.view_kind = "all"
        self.thumbnails: ThumbnailCache | None = None
        self.show_thumbnails = True
        # The full-text view: where each paper's words were found (shown for the byline).
        self.snippets: dict[str, FulltextHit] = {}
        self.with_pdf: frozenset[str] = frozenset()  # papers whose PDF is downloaded

    def set_show_thumbnails(self, on: bool) -> None:
        """Show thumbnails (and fetch the missing ones) or not; repaints the list."""
        if on != self.show_thumbnails:
            self.show_thumbnails = on
            view = self.parent()
            if isinstance(view, QAbstractItemView):
                view.viewport().update()

    def card(self, index: QModelIndex | QPersistentModelIndex) -> CardText | None:
        """What the card of ``index`` says in the current view (what :meth:`paint` draws)."""
        paper: Paper | None = index.data(PaperRole)
        if paper is None:
            return None
        return card_text(paper, self.view_kind, paper.id in self.with_pdf)

    def chip(
        self, name: str, palette: QPalette, selected: bool, hover: bool = False
    ) -> contrast.Chip:
        """How tag ``name``'s chip is painted in a row (the label reads at 4.5:1 on its fill)."""
        return contrast.tinted_chip(
            name,
            self.tag_colors.get(name.casefold()),
            row_background(palette, selected, hover),
            palette.color(QPalette.ColorRole.Text).name(),
        )

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.08)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.9)
        return title, base, small

    def _inner_height(self, option: QStyleOptionViewItem) -> int:
        title, base, small = self._fonts(option)
        return (
            2 * QFontMetrics(title).height()
            + QFontMetrics(base).height()
            + QFontMetrics(small).height()
            + 6
            + 3 * _GAP
        )

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(ROW_MIN_WIDTH, self._inner_height(option) + 2 * _PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        paper: Paper | None = index.data(PaperRole)
        if paper is None:
            return super().paint(painter, option, index)
        card = card_text(paper, self.view_kind, paper.id in self.with_pdf)
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = not selected and bool(option.state & QStyle.StateFlag.State_MouseOver)
        self._paint_background(painter, option)
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.68)
        title_font, base_font, small_font = self._fonts(option)
        title_font.setBold(not paper.read)
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        if self.show_thumbnails and rect.width() >= THUMB_MIN_WIDTH:
            box = QRect(rect.left(), rect.top(), round(rect.height() * _THUMB_RATIO), rect.height())
            self._paint_thumbnail(painter, box, paper, muted, option)
            rect.setLeft(box.right() + 1 + _PAD)

        # Right column: upvotes, then the starred and has-a-note markers.
        fm_base = QFontMetrics(base_font)
        right_w = fm_base.horizontalAdvance("▲ 00000")
        right = QRect(rect.right() - right_w + 1, rect.top(), right_w, fm_base.height())
        painter.setFont(base_font)
        painter.setPen(text if paper.upvotes else muted)
        painter.drawText(
            right, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, card.votes
        )
        markers = right.translated(0, fm_base.height() + _GAP)
        if card.noted:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.drawText(markers, Qt.AlignmentFlag.AlignRight, "✎")
            markers.setRight(markers.right() - fm_base.horizontalAdvance("✎ "))
        if card.starred:
            # A symbol, not text: WCAG's 3:1 for graphics, on this row's background.
            star = contrast.readable(_STAR, row_background(palette, selected, hover), 3.0)
            painter.setPen(QColor(star))
            painter.drawText(markers, Qt.AlignmentFlag.AlignRight, "★")

        # Title on up to two lines.
        width = rect.width() - right_w - _PAD
        painter.setFont(title_font)
        fm_title = QFontMetrics(title_font)
        painter.setPen(text)
        y = rect.top()
        for line in title_lines(card.title, fm_title, width):
            painter.drawText(
                QRect(rect.left(), y, width, fm_title.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            y += fm_title.height()
        y += _GAP  # the byline follows the title; the info line keeps its place at the bottom

        hit = self.snippets.get(paper.id)
        if hit is not None:
            byline = QRect(rect.left(), y, width, fm_base.height())
            self._paint_snippet(painter, byline, hit, base_font, text)
        else:
            self._paint_byline(painter, card, QRect(rect.left(), y, width, 0), base_font, muted)
        y = rect.top() + 2 * fm_title.height() + fm_base.height() + 2 * _GAP

        # Rank, date or year, venue, counts and links, then tag chips.
        area = QRect(rect.left(), y, rect.width(), 0)
        self._paint_info_line(
            painter, card, paper, area, small_font, muted, palette, (selected, hover)
        )
        painter.restore()

    def _paint_snippet(
        self, painter: QPainter, line: QRect, hit: FulltextHit, base: QFont, text: QColor
    ) -> None:
        """``p. 8 · …the words found…``: the matched words in bold (the text before them
        shortened so they show), elided at the end."""
        bold = QFont(base)
        bold.setBold(True)
        muted = QColor(text)
        muted.setAlphaF(0.68)
        spans = highlight_spans(hit.snippet)
        if len(spans) > 1 and not spans[0][1] and len(spans[0][0]) > SNIPPET_LEAD:
            lead = spans[0][0][-SNIPPET_LEAD:]
            lead = lead[lead.find(" ") + 1 :] if " " in lead[:-1] else lead
            spans[0] = ("…" + lead, False)
        pieces = [(f"p. {hit.page + 1} · ", False, muted)]
        pieces += [(t, on, text) for t, on in spans]
        x, right = line.left(), line.right()
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for piece, on, color in pieces:
            font = bold if on else base
            fm = QFontMetrics(font)
            room = right - x
            if room <= fm.horizontalAdvance("…"):
                break
            shown = piece
            if fm.horizontalAdvance(piece) > room:
                shown = fm.elidedText(piece, Qt.TextElideMode.ElideRight, room)
            painter.setFont(font)
            painter.setPen(color)
            painter.drawText(QRect(x, line.top(), room, line.height()), align, shown)
            x += fm.horizontalAdvance(shown)
            if shown != piece:
                break

    def _paint_byline(
        self, painter: QPainter, card: CardText, line: QRect, base_font: QFont, muted: QColor
    ) -> None:
        """Authors · organization: the organization keeps up to 40% of the line, the authors
        take the rest and are elided first."""
        text = painter.pen().color()
        rect, y, width = line, line.top(), line.width()
        fm_base = QFontMetrics(base_font)
        painter.setFont(base_font)
        org_font = QFont(base_font)
        org_font.setBold(True)
        fm_org = QFontMetrics(org_font)
        sep = "  ·  " if card.organization else ""
        org_w = fm_org.horizontalAdvance(card.organization)
        authors_w = fm_base.horizontalAdvance(card.authors + sep)
        org, authors = card.organization, card.authors
        if authors_w + org_w > width:  # (eliding to a text's own width may cut it: rounding)
            room = min(org_w, max(width - authors_w, int(width * 0.4)))
            if room < org_w:
                org = fm_org.elidedText(org, Qt.TextElideMode.ElideRight, room)
            authors = fm_base.elidedText(
                authors,
                Qt.TextElideMode.ElideRight,
                width - fm_org.horizontalAdvance(org) - fm_base.horizontalAdvance(sep),
            )
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        authors_w = fm_base.horizontalAdvance(authors + sep)
        painter.setPen(muted)
        painter.drawText(
            QRect(rect.left(), y, authors_w + 1, fm_base.height()), align, authors + sep
        )
        if org:
            painter.setFont(org_font)
            painter.setPen(text)
            painter.drawText(
                QRect(rect.left() + authors_w, y, width - authors_w, fm_base.height()), align, org
            )

    def _paint_background(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        palette = option.palette
        # Our own selection wash keeps the text readable whether or not the window is active.
        if option.state & QStyle.StateFlag.State_Selected:
            wash = QColor(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight))
            wash.setAlphaF(_SELECTED_WASH)
            painter.fillRect(option.rect, wash)
            bar = QColor(wash)
            bar.setAlphaF(1.0)
            painter.fillRect(
                QRect(option.rect.left(), option.rect.top(), 3, option.rect.height()), bar
            )
        elif option.state & QStyle.StateFlag.State_MouseOver:
            faint = QColor(palette.color(QPalette.ColorRole.Highlight))
            faint.setAlphaF(_HOVER_WASH)
            painter.fillRect(option.rect, faint)
        # A hairline between cards.
        line = QColor(palette.color(QPalette.ColorRole.Text))
        line.setAlphaF(0.08)
        painter.fillRect(
            QRect(option.rect.left(), option.rect.bottom(), option.rect.width(), 1), line
        )

    def _paint_thumbnail(
        self,
        painter: QPainter,
        box: QRect,
        paper: Paper,
        muted: QColor,
        option: QStyleOptionViewItem,
    ) -> None:
        pixmap = None
        if paper.thumbnail and self.thumbnails is not None:
            ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
            pixmap = self.thumbnails.pixmap(paper.id, paper.thumbnail, box.size(), ratio)
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.deviceIndependentSize().toSize()
            x = box.left() + (box.width() - size.width()) // 2
            y = box.top() + (box.height() - size.height()) // 2
            painter.drawPixmap(x, y, pixmap)
            return
        # No picture (yet): a quiet placeholder keeps the column.
        fill = QColor(muted)
        fill.setAlphaF(0.08)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 6, 6)
        label = paper.primary_category or ("bib" if paper.is_local else "")
        if label:
            small = QFont(option.font)
            small.setPointSizeF(option.font.pointSizeF() * 0.85)
            painter.setFont(small)
            painter.setPen(muted)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_info_line(
        self,
        painter: QPainter,
        card: CardText,
        paper: Paper,
        area: QRect,
        font: QFont,
        muted: QColor,
        palette: QPalette,
        state: tuple[bool, bool],
    ) -> None:
        """The bottom line; ``state`` is (selected, hovered): what the chips sit on."""
        selected, hover = state
        painter.setFont(font)
        fm = QFontMetrics(font)
        line_h = fm.height() + 6
        y = area.top()
        info = "   ".join((*card.info, *card.linked))
        # Leave room for at least one tag chip when the paper has tags.
        room = area.width() - (min(120, area.width() // 3) if paper.tags else 0)
        info = fm.elidedText(info, Qt.TextElideMode.ElideRight, room)
        info_w = fm.horizontalAdvance(info)
        painter.setPen(muted)
        painter.drawText(
            QRect(area.left(), y, info_w + 2, line_h), Qt.AlignmentFlag.AlignVCenter, info
        )
        x = area.left() + info_w + (12 if info else 0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for name in paper.tags:
            w = fm.horizontalAdvance(name) + 12
            if x + w > area.right():
                painter.setPen(muted)
                painter.drawText(QRect(x, y, 20, line_h), Qt.AlignmentFlag.AlignVCenter, "…")
                break
            colors = self.chip(name, palette, selected, hover)
            chip = QRect(x, y + 1, w, line_h - 2)
            painter.setPen(QColor(colors.border))
            painter.setBrush(QColor(colors.fill))
            painter.drawRoundedRect(chip, 6, 6)
            painter.setPen(QColor(colors.text))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, name)
            x += w + 5
