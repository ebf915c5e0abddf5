"""Paints one paper per row: title, authors and organization, then date, votes and chips."""

from __future__ import annotations

import hashlib
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.domain import Paper
from desktop_app.ui.feed_model import PaperRole

_PAD = 10
_GAP = 3


def authors_short(authors: tuple[str, ...], n: int = 3) -> str:
    """``A, B, C et al.`` — the first ``n`` authors, then et al."""
    if not authors:
        return "Unknown authors"
    head = ", ".join(authors[:n])
    return head + (" et al." if len(authors) > n else "")


def tag_color(name: str, explicit: str | None = None) -> QColor:
    """A tag's colour: the user's choice, else a stable pleasant hue derived from its name."""
    if explicit:
        color = QColor(explicit)
        if color.isValid():
            return color
    digest = hashlib.md5(name.casefold().encode(), usedforsecurity=False).digest()
    return QColor.fromHsl(digest[0] * 360 // 256, 140, 120)


class FeedDelegate(QStyledItemDelegate):
    """Compact paper rows with uniform height (so the view can lay out 100k rows cheaply)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tag_colors: dict[str, str | None] = {}

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
        return QSize(360, h)

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
        # Our own selection wash keeps the text readable whether or not the window is active.
        if selected:
            wash = QColor(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight))
            wash.setAlphaF(0.22)
            painter.fillRect(option.rect, wash)
            bar = QColor(wash)
            bar.setAlphaF(1.0)
            painter.fillRect(
                QRect(option.rect.left(), option.rect.top(), 3, option.rect.height()), bar
            )
        elif option.state & QStyle.StateFlag.State_MouseOver:
            hover = QColor(palette.color(QPalette.ColorRole.Highlight))
            hover.setAlphaF(0.07)
            painter.fillRect(option.rect, hover)
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
            painter.setPen(QColor("#e0a800"))
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
            color = tag_color(name, self.tag_colors.get(name.casefold()))
            chip = QRect(x, y + 1, w, line_h - 2)
            fill = QColor(color)
            fill.setAlphaF(0.22)
            painter.setPen(color)
            painter.setBrush(fill)
            painter.drawRoundedRect(chip, 6, 6)
            painter.setPen(text)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
            x += w + 5
        painter.restore()
