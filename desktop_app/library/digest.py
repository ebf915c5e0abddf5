"""The day's digest: the top of Hugging Face's list, then what is new to each followed item.

:func:`build_digest` gathers it as plain data (:class:`Digest`); :func:`to_text`,
:func:`to_markdown` and :func:`to_html` render it. The HTML goes into e-mail, so it is made
to be safe in any mail reader: every piece of text is escaped, only http(s) addresses become
links, nothing is loaded from elsewhere (no images, no style sheets: inline styles only).
A paper is shown once per digest, in the first section it belongs to, with the followed
items it matched. Qt-free: the command line and the window (at a chosen time) mail it
with :func:`desktop_app.library.mailer.send_digest`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from desktop_app.domain import FeedQuery, Paper, Sort
from desktop_app.safetext import is_http_url, single_line
from desktop_app.store import Repository

AUTHORS_SHOWN = 3
SUMMARY_CHARS = 300


@dataclass(frozen=True)
class DigestItem:
    """A paper in the digest, and the labels of the followed items it is new to."""

    paper: Paper
    follows: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestSection:
    """A heading and its papers; ``empty`` says why there are none (shown instead)."""

    title: str
    items: tuple[DigestItem, ...]
    empty: str = ""
    sent_before: int = 0  # papers of the section left out: mailed to the address before

    @property
    def heading(self) -> str:
        if not self.sent_before:
            return self.title
        return f"{self.title} ({self.sent_before} mailed before, not repeated)"


@dataclass(frozen=True)
class Digest:
    """The digest since ``since`` (a day), made ``today``: the top section first."""

    since: date
    today: date
    sections: tuple[DigestSection, ...]

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(item.paper.id for s in self.sections for item in s.items)

    @property
    def is_empty(self) -> bool:
        return not self.paper_ids

    @property
    def subject(self) -> str:
        n = len(self.paper_ids)
        return f"Daily Papers {self.today.isoformat()}: {n} paper{'s' if n != 1 else ''}"

    def without(self, paper_ids: set[str] | frozenset[str]) -> Digest:
        """This digest without the papers ``paper_ids`` (those mailed before); a section
        left with no paper goes too."""
        sections = []
        for section in self.sections:
            items = tuple(i for i in section.items if i.paper.id not in paper_ids)
            if items:
                left_out = section.sent_before + len(section.items) - len(items)
                sections.append(replace(section, items=items, sent_before=left_out))
        return replace(self, sections=tuple(sections))


def since_iso(day: date) -> str:
    """The start of ``day`` here, as the store's UTC timestamps are written."""
    start = datetime.combine(day, time.min).astimezone(UTC)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_digest(
    repo: Repository,
    since: date | None = None,
    top: int = 10,
    *,
    today: date | None = None,
    followed_from: date | None = None,
) -> Digest:
    """The digest of papers on Hugging Face's daily lists from ``since`` to ``today`` (the
    ``top`` most upvoted), then the papers found new to each followed item since then (or
    since ``followed_from``: a mailed digest looks back further and leaves out what was
    mailed before, so news found after the last digest went out is never skipped).

    Without ``since``: today's list, or the newest stored list when today has none (a
    weekend, or a morning before Hugging Face publishes).
    """
    today = today or date.today()
    day = since or repo.latest_daily_day(today) or today
    query = FeedQuery(date_from=day, date_to=today, daily_only=True, sort=Sort.UPVOTES)
    leaders = list(repo.page(query, limit=top).papers) if top > 0 else []
    top = len(leaders) or top
    if since is not None:
        heading = f"Top {top} on Hugging Face's daily lists since {day.isoformat()}, by upvotes"
    else:
        heading = f"Top {top} of Hugging Face's list of {day.isoformat()}, by upvotes"

    matched: dict[str, list[str]] = {}  # paper id → labels, in follow order
    news: list[tuple[str, list[str]]] = []
    for follow in repo.follows():
        ids = repo.follows_store.news(follow.id, since_iso(followed_from or day))
        news.append((follow.label, ids))
        for pid in ids:
            matched.setdefault(pid, []).append(follow.label)

    sections = [
        DigestSection(
            heading,
            tuple(DigestItem(p, tuple(matched.get(p.id, ()))) for p in leaders),
            empty=(
                f"No Hugging Face list is stored for {day.isoformat()} or later; "
                "`daily-papers fetch` gets the newest."
            ),
        )
    ]
    shown = {p.id for p in leaders}  # a paper is shown once, where it first belongs
    for label, ids in news:
        papers = repo.get_many([i for i in ids if i not in shown])
        others = {pid: tuple(f for f in matched[pid] if f != label) for pid in ids}
        if papers:
            n = len(ids)
            title = f"{label}: {n} new paper{'s' if n != 1 else ''}"
            if len(papers) < n:
                title += f" ({n - len(papers)} of them above)"
            sections.append(
                DigestSection(title, tuple(DigestItem(p, others[p.id]) for p in papers))
            )
            shown.update(p.id for p in papers)
    return Digest(since=day, today=today, sections=tuple(sections))


# ---------------------------------------------------------------------------- pieces
def short_authors(authors: tuple[str, ...], shown: int = AUTHORS_SHOWN) -> str:
    """``A, B, C et al.`` for more than ``shown`` authors."""
    names = [single_line(a).strip() for a in authors if a.strip()]
    if len(names) > shown:
        return ", ".join(names[:shown]) + " et al."
    return ", ".join(names)


def one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(single_line(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def byline(paper: Paper) -> str:
    """Authors (short) · organization · upvotes (only for papers Hugging Face lists)."""
    parts = [short_authors(paper.authors)]
    if paper.organization:
        parts.append(one_line(paper.organization))
    if paper.upvotes is not None:  # unknown for a paper Hugging Face has not counted
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    return " · ".join(p for p in parts if p)


def links(paper: Paper) -> list[tuple[str, str]]:
    """``(label, url)``: the Hugging Face page (for papers it lists), arXiv and the PDF."""
    found = [
        ("Hugging Face", paper.hf_url if paper.on_hugging_face else None),
        ("arXiv", paper.arxiv_url),
        ("PDF", paper.pdf_url),
    ]
    return [(label, url) for label, url in found if url and is_http_url(url)]


def _heading(digest: Digest) -> str:
    return f"Daily Papers — {digest.today.isoformat()}"


# ---------------------------------------------------------------------------- text
def to_text(digest: Digest) -> str:
    lines = [_heading(digest), ""]
    for section in digest.sections:
        lines += [section.heading, "-" * min(len(section.heading), 72)]
        if not section.items:
            lines += [section.empty, ""]
        for n, entry in enumerate(section.items, 1):
            paper = entry.paper
            lines.append(f"{n}. {one_line(paper.title, 10_000)}")
            indent = " " * (len(str(n)) + 2)
            lines.append(indent + byline(paper))
            if paper.ai_summary:
                lines.append(indent + one_line(paper.ai_summary))
            lines += [f"{indent}{label}: {url}" for label, url in links(paper)]
            if entry.follows:
                lines.append(f"{indent}Followed: {'; '.join(entry.follows)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------- Markdown
# The characters Markdown (with the common math, strikethrough and table extensions) gives a
# meaning inside a line; a backslash before ASCII punctuation always means the character
# itself (CommonMark §2.4). Those that matter only at the start of a line (``-``, ``+``,
# ``1.``) need none: escaped text never starts one.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$&])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_link(label: str, url: str) -> str:
    return f"[{md_escape(label)}](<{url}>)" if "<" not in url and ">" not in url else ""


def to_markdown(digest: Digest) -> str:
    lines = [f"# {md_escape(_heading(digest))}", ""]
    for section in digest.sections:
        lines += [f"## {md_escape(section.heading)}", ""]
        if not section.items:
            lines += [md_escape(section.empty), ""]
        for n, entry in enumerate(section.items, 1):
            paper = entry.paper
            title = md_escape(one_line(paper.title, 10_000))
            found = links(paper)
            item = [f"**[{title}](<{found[0][1]}>)**" if found else f"**{title}**"]
            item.append(md_escape(byline(paper)))
            if paper.ai_summary:
                item.append(f"*{md_escape(one_line(paper.ai_summary))}*")
            if found:
                item.append(" · ".join(_md_link(label, url) for label, url in found))
            if entry.follows:
                item.append(f"Followed: {md_escape('; '.join(entry.follows))}")
            indent = " " * (len(str(n)) + 2)
            # Two spaces end a line without ending the list item.
            lines.append(f"{n}. " + f"  \n{indent}".join(item))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------- HTML
_BODY = (
    "font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; "
    "font-size: 15px; line-height: 1.45; color: #1f2328; max-width: 720px; margin: 0 auto; "
    "padding: 16px"
)
_H1 = "font-size: 22px; margin: 0 0 16px 0"
_H2 = "font-size: 17px; margin: 24px 0 8px 0; border-bottom: 1px solid #d0d7de"
_TITLE = "color: #0b57d0; font-weight: 600; text-decoration: none"
_META = "color: #57606a; font-size: 13px"
_LINK = "color: #0b57d0"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _a(url: str, label: str, style: str = _LINK) -> str:
    """A link, only to an http(s) address; anything else stays text."""
    if not is_http_url(url):
        return _e(label)
    return f'<a href="{_e(url.strip())}" style="{style}">{_e(label)}</a>'


def to_html(digest: Digest) -> str:
    """A whole HTML document, safe to show in a mail reader (see the module docstring)."""
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{_e(digest.subject)}</title></head>",
        f'<body style="{_BODY}">',
        f'<h1 style="{_H1}">{_e(_heading(digest))}</h1>',
    ]
    for section in digest.sections:
        out.append(f'<h2 style="{_H2}">{_e(section.heading)}</h2>')
        if not section.items:
            out.append(f'<p style="{_META}">{_e(section.empty)}</p>')
            continue
        out.append('<ol style="padding-left: 24px; margin: 0">')
        for entry in section.items:
            paper = entry.paper
            found = links(paper)
            title = one_line(paper.title, 10_000)
            head = _a(found[0][1], title, _TITLE) if found else f"<strong>{_e(title)}</strong>"
            parts = [head, f'<br><span style="{_META}">{_e(byline(paper))}</span>']
            if paper.ai_summary:
                parts.append(f"<br><em>{_e(one_line(paper.ai_summary))}</em>")
            if found:
                parts.append(
                    f'<br><span style="{_META}">'
                    + " · ".join(_a(url, label) for label, url in found)
                    + "</span>"
                )
            if entry.follows:
                parts.append(
                    f'<br><span style="{_META}">Followed: {_e("; ".join(entry.follows))}</span>'
                )
            out.append(f'<li style="margin: 0 0 14px 0">{"".join(parts)}</li>')
        out.append("</ol>")
    out.append(f'<p style="{_META}; margin-top: 24px">Made by Daily Papers.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
