"""How the commands print papers: a table, a text page, and the stable JSON shape."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any, TextIO

from desktop_app.domain import Paper
from desktop_app.safetext import for_terminal


def paper_json(paper: Paper) -> dict[str, Any]:
    """The stable JSON shape of a paper (documented in the README)."""
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "year": paper.shown_year,
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "organization": paper.organization,
        "github": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "summary": paper.abstract,
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords),
        "tags": list(paper.tags),
        "read": paper.read,
        "starred": paper.starred,
        "saved": paper.saved,
        "note": paper.note,
        "hf_url": paper.hf_url,
        "arxiv_url": paper.arxiv_url,
        "pdf_url": paper.pdf_url,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "entry_type": paper.entry_type,
        "venue": paper.venue,
        "volume": paper.volume,
        "number": paper.number,
        "pages": paper.pages,
        "cite_key": paper.cite_key,
        "version": paper.version,
        "daily_day": paper.daily_day.isoformat() if paper.daily_day else None,
        "daily_rank": paper.daily_rank,
    }


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def print_table(papers: Sequence[Paper], out: TextIO) -> None:
    width = shutil.get_terminal_size((120, 24)).columns
    title_w = max(width - 12 - 11 - 6 - 3 - 24, 30)
    for p in papers:
        flags = ("*" if p.starred else " ") + (" " if p.read else "•")
        day = p.published.isoformat() if p.published else f"{p.year or '':<10}"
        tags = _clip(", ".join(p.tags), 22)
        title = _clip(p.title, title_w)
        votes = "–" if p.upvotes is None else p.upvotes  # unknown: not on Hugging Face
        line = f"{p.id:<12} {day} {votes:>5} {flags} {title:<{title_w}} {tags}"
        out.write(line.rstrip() + "\n")


def one_line(text: str) -> str:
    return " ".join(text.split())


def print_paper(p: Paper, out: TextIO) -> None:
    lines = [one_line(p.title), one_line(", ".join(p.authors))]
    meta = [p.id]
    if p.published:
        meta.append(p.published.isoformat())
    elif p.year:
        meta.append(str(p.year))
    if p.organization:
        meta.append(p.organization)
    if p.upvotes is not None:
        meta.append(f"▲ {p.upvotes}")
    elif not p.is_local:
        meta.append("upvotes unknown")  # Hugging Face has not counted it (arXiv only)
    if p.comments is not None:
        meta.append(f"{p.comments} comment{'s' if p.comments != 1 else ''}")
    lines.append(" · ".join(meta))
    if p.venue:
        lines.append(f"In: {p.citation}" + (f" ({p.entry_type})" if p.entry_type else ""))
    elif p.journal_ref:
        lines.append(f"Journal: {p.journal_ref}")
    if p.cite_key:
        lines.append(f"Key: {p.cite_key}")
    if p.tags:
        lines.append("Tags: " + ", ".join(p.tags))
    state = [s for s, on in (("read", p.read), ("starred", p.starred), ("saved", p.saved)) if on]
    if state:
        lines.append("State: " + ", ".join(state))
    lines.append("")
    if p.ai_summary:
        lines += ["AI summary: " + p.ai_summary, ""]
    lines += [p.abstract, ""]
    for label, url in (
        ("Hugging Face", p.hf_url),
        ("arXiv", p.arxiv_url),
        ("PDF", p.pdf_url),
        ("GitHub", p.github_repo),
        ("Project page", p.project_page),
        ("DOI", f"https://doi.org/{p.doi.strip()}" if p.doi else None),
    ):
        if url:
            lines.append(f"{label}: {url}")
    if p.note:
        lines += ["", "Note:", p.note]
    out.write(for_terminal("\n".join(lines).rstrip()) + "\n")
