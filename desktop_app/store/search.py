"""Turning whatever a person types into a safe FTS5 query.

FTS5's query language treats ``"``, ``*``, ``-``, ``:``, ``^``, parentheses and the bare words
``AND``/``OR``/``NOT``/``NEAR`` as syntax, so raw input such as ``c++``, ``it's``, ``GPT-4``
or an unbalanced quote would raise. We never pass raw input: every term is rebuilt from word
characters and double-quoted. What a person can still express:

- several words: all must match (``diffusion video``);
- ``"a quoted phrase"``: the words in that order (an unbalanced quote runs to the end);
- ``-word``: papers without that word (needs at least one positive term);
- a run joined by punctuation (``GPT-4``, ``o'brien``, ``state-of-the-art``) is a phrase;
- the last word matches as a prefix while it is being typed (``transf`` finds transformers).
"""

from __future__ import annotations

import re

from desktop_app.domain import is_arxiv_id, split_version

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
_ID_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def build_fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds nothing searchable."""
    positives: list[str] = []
    negatives: list[str] = []
    chunks = list(_CHUNK.finditer(text))
    typing_last = bool(text) and not text[-1].isspace() and not text.endswith('"')
    for index, m in enumerate(chunks):
        quoted, bare = m.group(1), m.group(2)
        negative = False
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negative, bare = True, bare[1:]
        words = _WORD.findall(quoted if quoted is not None else bare)
        if not words:
            continue
        term = _phrase(words)
        is_last = index == len(chunks) - 1
        if is_last and typing_last and bare is not None and not negative:
            term += "*"
        (negatives if negative else positives).append(term)
    if not positives:
        return None
    query = " AND ".join(positives)
    for term in negatives:
        query = f"({query}) NOT {term}"
    return query


def arxiv_id_in_query(text: str) -> str | None:
    """The bare arXiv id when the whole query is one (``arXiv:2401.00001v2``, a URL, …)."""
    candidate = _ID_PREFIX.sub("", text.strip())
    if candidate.endswith(".pdf"):
        candidate = candidate[:-4]
    if not is_arxiv_id(candidate):
        return None
    return split_version(candidate)[0]
