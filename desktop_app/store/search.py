"""Turning whatever a person types into a safe FTS5 query.

FTS5's query language treats ``"``, ``*``, ``-``, ``:``, ``^``, ``+``, parentheses and the bare
words ``AND``/``OR``/``NOT``/``NEAR`` as syntax, so raw input such as ``c++``, ``it's``,
``GPT-4`` or an unbalanced quote would raise. We never pass raw syntax: the input is split into
chunks and every chunk becomes one double-quoted FTS5 string, which FTS5 splits into tokens
with the same tokenizer that indexed the papers (so ``Schrödinger`` typed in decomposed form,
``c++`` or ``x²`` are tokenized exactly like the text they should find). What a person can
express:

- several words: all must match (``diffusion video``);
- ``"a quoted phrase"``: the words in that order (an unbalanced quote runs to the end);
- ``-word``: papers without that word (alone: every paper without it);
- a run joined by punctuation (``GPT-4``, ``o'brien``, ``state-of-the-art``) is a phrase;
- the last word matches as a prefix while it is being typed (``transf`` finds transformers),
  unless it ends in punctuation (``c++``) or is followed by a space or a closing quote.

Chunks without a letter or digit (``*``, ``(``, ``-``, an emoji) are left out of the FTS query,
and very long input is cut to :data:`MAX_QUERY_CHARS` and :data:`MAX_TERMS` terms of each kind,
so the query stays cheap and FTS5's parser stack never overflows. A query of symbols alone (an
emoji, ``≤``) is looked for in titles instead (:func:`symbol_terms`).
"""

from __future__ import annotations

import re
import unicodedata

from desktop_app.domain import is_arxiv_id, split_version
from desktop_app.safetext import fix_surrogates

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32  # positive terms, and again negative terms

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK = re.compile(r'"([^"]*)"?|([^\s"]+)')
_ID_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


def _searchable(chunk: str) -> bool:
    return any(ch.isalnum() for ch in chunk)


def _phrase(chunk: str) -> str:
    # Inside an FTS5 string only '"' is special; _CHUNK never lets one through.
    return '"' + " ".join(chunk.split()) + '"'


def _fts_parts(text: str) -> tuple[list[str], list[str]]:
    """The positive and the excluded terms of ``text``, each a safe FTS5 phrase."""
    text = _CONTROL.sub(" ", fix_surrogates(text[:MAX_QUERY_CHARS]))
    positives: list[str] = []
    negatives: list[str] = []
    chunks = list(_CHUNK.finditer(text))
    typing_last = bool(text) and not text[-1].isspace() and not text.endswith('"')
    for index, m in enumerate(chunks):
        quoted, bare = m.group(1), m.group(2)
        negative = False
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negative, bare = True, bare[1:]
        chunk = quoted if quoted is not None else bare
        if not _searchable(chunk):
            continue
        term = _phrase(chunk)
        is_last = index == len(chunks) - 1
        # A word still being typed ends in a letter or digit (``c++`` is finished).
        if is_last and typing_last and bare is not None and not negative and chunk[-1].isalnum():
            term += "*"
        target = negatives if negative else positives
        if len(target) < MAX_TERMS:
            target.append(term)
    return positives, negatives


def _compose(positives: list[str], negatives: list[str]) -> str:
    query = " AND ".join(positives)
    if negatives:
        # One flat NOT: nesting one per excluded word overflows FTS5's parser stack.
        query = f"({query}) NOT ({' OR '.join(negatives)})"
    return query


def build_fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds nothing searchable."""
    positives, negatives = _fts_parts(text)
    return _compose(positives, negatives) if positives else None


def relevance_tiers(text: str) -> tuple[str, str] | None:
    """The two MATCH expressions of a relevance search: title matches, then the rest.

    Papers whose title holds every searched word come first (each tier in bm25 order). It is
    what a person searching their library expects, and it lets the first page be ranked
    among the few title matches instead of scoring every paper that mentions a common word
    somewhere in its abstract (30 ms instead of 130 ms for "language model" in 100k papers).
    """
    positives, negatives = _fts_parts(text)
    if not positives:
        return None
    full = _compose(positives, negatives)
    title = f"{{title}} : ({' AND '.join(positives)})"
    return f"({title}) AND ({full})", f"({full}) NOT ({title})"


_SYMBOL_CATEGORIES = ("So", "Sm")  # emoji, ™, ©, ≤, ∞: characters FTS5 does not index


def symbol_terms(text: str) -> list[str]:
    """LIKE patterns for a query with no word to search for but symbols (``🚀``, ``≤``).

    FTS5's tokenizer drops such characters, so a search for an emoji alone would find
    nothing; these patterns let the store look for it in titles instead (a scan: ~0.3 s in
    100k papers; abstracts too would double it). Empty when the text holds a word
    to search for (the FTS query is used then) or no such symbol. Excluded words
    (``-launch``) still apply, through :func:`excluded_fts_query`.
    """
    if build_fts_query(text) is not None:
        return []
    text = _CONTROL.sub(" ", fix_surrogates(text[:MAX_QUERY_CHARS]))
    patterns: list[str] = []
    for m in _CHUNK.finditer(text):
        chunk = " ".join((m.group(1) if m.group(1) is not None else m.group(2)).split())
        if chunk.startswith("-"):
            continue  # an excluded word
        if any(unicodedata.category(c) in _SYMBOL_CATEGORIES for c in chunk):
            escaped = chunk.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            patterns.append(f"%{escaped}%")
    return patterns[:MAX_TERMS]


def excluded_fts_query(text: str) -> str | None:
    """An FTS5 expression matching the papers ``text`` excludes (``-word``), or None."""
    _positives, negatives = _fts_parts(text)
    return " OR ".join(negatives) if negatives else None


def arxiv_id_in_query(text: str) -> str | None:
    """The bare arXiv id when the whole query is one (``arXiv:2401.00001v2``, a URL, …)."""
    candidate = _ID_PREFIX.sub("", text.strip())
    if candidate.endswith(".pdf"):
        candidate = candidate[:-4]
    if not is_arxiv_id(candidate):
        return None
    return split_version(candidate)[0]
