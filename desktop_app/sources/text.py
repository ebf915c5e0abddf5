"""Whitespace clean-up shared by the parsers.

arXiv hard-wraps titles and abstracts (and Hugging Face copies those wraps into
``paper.title``/``paper.summary``); the app shows text reflowed, so both sources go through
these two functions before a record is built.
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def clean_line(text: str | None) -> str | None:
    """Collapse all whitespace (line wraps included) to single spaces; ``None`` if empty."""
    if text is None:
        return None
    cleaned = " ".join(str(text).split())
    return cleaned or None


def unwrap(text: str | None) -> str | None:
    """Unwrap hard line breaks but keep paragraphs (blank-line separated); ``None`` if empty."""
    if text is None:
        return None
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(str(text)))
    cleaned = "\n\n".join(p for p in paragraphs if p)
    return cleaned or None
