"""Paints one paper per row: title, authors and organization, then date, votes and chips."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app import contrast
from desktop_app.domain import Paper
from desktop_app.ui.feed_model import PaperRole

_PAD = 10
_GAP = 3
ROW_MIN_WIDTH = 280  # titles and authors elide: the list fits a window 800 px wide
_SELECTED_WASH = 0.22  # the highlight's opacity over a selected row (and under the mouse)
_HOVER_WASH = 0.07
_STAR = "#e0a800"


def authors_short(authors: tuple[str, ...], n: int = 3) -> str:
    """``A, B, C et al.`` — the first ``n`` authors, then et al."""
    if not authors:
        return "Unknown authors"
    head = ", ".join(authors[:n])
    return head + (" et al." if len(authors) > n else "")


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


class FeedDelegate(QStyledItemDelegate):
    """Compact paper rows with uniform height (so the view can lay out 100k rows cheaply)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tag_colors: dict[str, str | None] = {}

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

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title, base, small = self._fonts(option)
        h = (
            QFontMetrics(title).height()
            + QFontMetrics(base).height()
            + QFontMetrics(small).height()
            + 6
            + 2 * _GAP
            + 2 * _PAD
        )
        return QSize(ROW_MIN_WIDTH, h)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        paper: Paper | None = index.data(PaperRole)
        if paper is None:
            return super().paint(painter, option, index)
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = not selected and bool(option.state & QStyle.StateFlag.State_MouseOver)
        # Our own selection wash keeps the text readable whether or not the window is active.
        if selected:
            wash = QColor(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight))
            wash.setAlphaF(_SELECTED_WASH)
            painter.fillRect(option.rect, wash)
            bar = QColor(wash)
            bar.setAlphaF(1.0)
            painter.fillRect(
                QRect(option.rect.left(), option.rect.top(), 3, option.rect.height()), bar
            )
        elif hover:
            faint = QColor(palette.color(QPalette.ColorRole.Highlight))
            faint.setAlphaF(_HOVER_WASH)
            painter.fillRect(option.rect, faint)
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.68)
        title_font, base_font, small_font = self._fonts(option)
        title_font.setBold(not paper.read)
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)

        # Right column: upvotes, aligned across rows.
        painter.setFont(base_font)
        fm_base = QFontMetrics(base_font)
        votes = "" if paper.is_local else f"▲ {paper.upvotes}"  # HF's count, for papers it lists
        votes_w = fm_base.horizontalAdvance("▲ 00000")
        votes_rect = QRect(rect.right() - votes_w, rect.top(), votes_w, fm_base.height())
        painter.setPen(text if paper.upvotes else muted)
        painter.drawText(
            votes_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, votes
        )
        if paper.starred:
            star_rect = QRect(
                votes_rect.left(), votes_rect.bottom() + _GAP, votes_w, fm_base.height()
            )
            # A symbol, not text: WCAG's 3:1 for graphics, on this row's background.
            star = contrast.readable(_STAR, row_background(palette, selected, hover), 3.0)
            painter.setPen(QColor(star))
            painter.drawText(star_rect, Qt.AlignmentFlag.AlignRight, "★")

        # Title.
        painter.setFont(title_font)
        fm_title = QFontMetrics(title_font)
        title_rect = QRect(
            rect.left(), rect.top(), rect.width() - votes_w - _PAD, fm_title.height()
        )
        painter.setPen(text)
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm_title.elidedText(paper.title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )

        # Authors · organization.
        y = title_rect.bottom() + _GAP
        painter.setFont(base_font)
        line2 = authors_short(paper.authors)
        if paper.organization:
            line2 += f"  ·  {paper.organization}"
        meta_rect = QRect(rect.left(), y, title_rect.width(), fm_base.height())
        painter.setPen(muted)
        painter.drawText(
            meta_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm_base.elidedText(line2, Qt.TextElideMode.ElideRight, meta_rect.width()),
        )

        # Date, comments, markers, then tag chips.
        y = meta_rect.bottom() + _GAP
        painter.setFont(small_font)
        fm_small = QFontMetrics(small_font)
        bits = []
        if paper.daily_rank and paper.daily_day:
            bits.append(f"#{paper.daily_rank}")
        if paper.published:
            bits.append(paper.published.strftime("%d %b %Y"))
        elif paper.year:
            bits.append(str(paper.year))
        if paper.venue:  # where an imported entry was published
            venue = " ".join(paper.venue.split())
            bits.append(venue if len(venue) <= 48 else venue[:47] + "…")
        if paper.comments:
            bits.append(f"{paper.comments} comment{'s' if paper.comments != 1 else ''}")
        if paper.github_repo:
            bits.append("</> code" + (f" ★{paper.github_stars}" if paper.github_stars else ""))
        if paper.project_page:
            bits.append("⌂ project")
        info = "   ".join(bits)
        x = rect.left()
        line_h = fm_small.height() + 6
        painter.setPen(muted)
        info_w = fm_small.horizontalAdvance(info)
        painter.drawText(QRect(x, y, info_w + 2, line_h), Qt.AlignmentFlag.AlignVCenter, info)
        x += info_w + 12
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for name in paper.tags:
            label = name
            w = fm_small.horizontalAdvance(label) + 12
            if x + w > rect.right():
                painter.setPen(muted)
                painter.drawText(QRect(x, y, 20, line_h), Qt.AlignmentFlag.AlignVCenter, "…")
                break
            colors = self.chip(name, palette, selected, hover)
            chip = QRect(x, y + 1, w, line_h - 2)
            painter.setPen(QColor(colors.border))
            painter.setBrush(QColor(colors.fill))
            painter.drawRoundedRect(chip, 6, 6)
            painter.setPen(QColor(colors.text))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
            x += w + 5
        painter.restore()
