"""Citation keys: made once from a pattern, stored, never changed.

A key is what a user types in ``\\cite{…}``; if it changed between two exports their documents
would break. So the service stores every key the first time a paper is exported and reuses it
forever; this module only makes *new* keys, avoiding every key already taken.

The default pattern ``{author}{year}{word}`` gives ``vaswani2017attention``: the first author's
surname without particles (``van der Maaten`` → ``maaten``), the year of the first arXiv version
(not of the latest, unlike arXiv's own BibTeX), and the first title word that is not a stopword.
Everything is folded to lower-case ASCII letters and digits (``Ørsted`` → ``orsted``,
``Müller`` → ``muller``); a part that folds to nothing (a CJK surname) is left out.

Collisions get ``a``, ``b``, … ``z``, ``aa``, … appended. Among the papers receiving keys in one
go, the earlier one (by first-version date, then id) keeps the bare key; a paper that arrives
later never takes a key that is already stored, even if it is older.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache

from desktop_app.bibtex.latex import _FOLD, wordset
from desktop_app.bibtex.names import split_name
from desktop_app.domain import Paper
from desktop_app.errors import InvalidInputError

DEFAULT_KEY_PATTERN = "{author}{year}{word}"

STOPWORDS = wordset(
    """a an the on of off to towards toward for in into onto and or nor but with without from
    by at as is are was were be been being via using use do does did can could should would
    will may might must how what when where which who why whether we our you your i my it its
    this that these those not no vs versus than then there here all any some each every
    beyond through under over about upon among between against toward de la le el"""
)

_FIELDS = {"author", "year", "word", "title", "id"}
_PLACEHOLDER_RE = re.compile(r"\{([a-z]+)\}")
_LITERAL_OK_RE = re.compile(r"^[a-z0-9_:.\-]*$")
_MATH_RE = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")
# A key we accept from a .bib file (BibTeX and biber both take these characters).
VALID_KEY_RE = re.compile(r"^[A-Za-z0-9_:.\-+/]+$")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``"Ørsted-Müller"`` → ``"orstedmuller"``."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
        elif ch in _FOLD:
            out.append(_FOLD[ch].lower())
    return "".join(out)


def _words(title: str) -> list[str]:
    title = _MATH_RE.sub(" ", title)
    return [w for w in (fold(p) for p in re.split(r"[\s\-/:;,.!?()\[\]{}'\"]+", title)) if w]


def significant_words(title: str) -> list[str]:
    """Folded title words without stopwords (``"On the Attention"`` → ``["attention"]``)."""
    return [w for w in _words(title) if w not in STOPWORDS]


def first_year(paper: Paper) -> int | None:
    """The year of the first version (the stored v1 date, else a year a .bib file gave)."""
    return paper.published.year if paper.published else paper.year


def check_pattern(pattern: str) -> str:
    """Return ``pattern`` if usable, else raise InvalidInputError saying what is wrong.

    Placeholders: ``{author}`` (first author's surname), ``{year}`` (first-version year),
    ``{word}`` (first significant title word), ``{title}`` (first three significant words),
    ``{id}`` (the arXiv id's digits). Other characters must be ``a-z 0-9 _ : . -``.
    """
    names = _PLACEHOLDER_RE.findall(pattern)
    unknown = [n for n in names if n not in _FIELDS]
    if unknown:
        raise InvalidInputError(
            f"Unknown placeholder {{{unknown[0]}}} in the citation key pattern {pattern!r}.",
            hint="Use {author}, {year}, {word}, {title} or {id}.",
        )
    if not names:
        raise InvalidInputError(
            f"The citation key pattern {pattern!r} has no placeholder.",
            hint="For example {author}{year}{word}.",
        )
    if not _LITERAL_OK_RE.match(_PLACEHOLDER_RE.sub("", pattern)):
        raise InvalidInputError(
            f"The citation key pattern {pattern!r} has characters a key cannot hold.",
            hint="Use lower-case letters, digits, and _ : . - between placeholders.",
        )
    return pattern


def _surname(full: str) -> str:
    """The folded surname; for an institution, its first significant word."""
    name = split_name(full)
    if name.whole:
        words = significant_words(name.last)
        return words[0] if words else ""
    return fold(name.last)


def base_key(paper: Paper, pattern: str = DEFAULT_KEY_PATTERN) -> str:
    """The key ``pattern`` gives ``paper``, before any collision suffix."""
    values: dict[str, str] = {}

    def value(name: str) -> str:
        if name in values:
            return values[name]
        if name == "author":
            v = _surname(paper.authors[0]) if paper.authors else ""
        elif name == "year":
            year = first_year(paper)
            v = str(year) if year else ""
        elif name == "word":
            words = significant_words(paper.title)
            v = words[0] if words else ""
        elif name == "title":
            v = "".join(significant_words(paper.title)[:3])
        else:  # id
            v = fold(paper.id.split(":", 1)[-1])
        values[name] = v
        return v

    key = _PLACEHOLDER_RE.sub(lambda m: value(m.group(1)), pattern)
    if not any(c.isalpha() for c in key):
        # Nothing recognisable (no author, no usable title word): fall back to a stable stem.
        key = "paper" + key
    return key


def suffix(n: int) -> str:
    """0 → a, 25 → z, 26 → aa, 27 → ab … (bijective base 26)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _age(paper: Paper) -> tuple[date, str]:
    if paper.published:
        when = paper.published
    elif paper.year:
        when = date(max(1, min(paper.year, 9999)), 1, 1)
    else:
        when = date.max
    return when, paper.id


def assign_keys(
    papers: Sequence[Paper], taken: Iterable[str], pattern: str = DEFAULT_KEY_PATTERN
) -> dict[str, str]:
    """New keys for ``papers`` (``id → key``), none equal (case-insensitively) to ``taken``.

    Deterministic: papers are served oldest first (then by id), each taking the bare key or
    the first free suffixed one. Case-insensitive because biber treats keys differing only in
    case as duplicates.
    """
    check_pattern(pattern)
    used = {k.casefold() for k in taken}
    out: dict[str, str] = {}
    for paper in sorted(papers, key=_age):
        base = base_key(paper, pattern)
        key = base
        n = 0
        while key.casefold() in used:
            key = base + suffix(n)
            n += 1
        used.add(key.casefold())
        out[paper.id] = key
    return out


def keys_for(
    papers: Sequence[Paper], keys: Mapping[str, str] | None, pattern: str = DEFAULT_KEY_PATTERN
) -> dict[str, str]:
    """A key for every paper: given ones, else stored ones, else freshly assigned ones."""
    out: dict[str, str] = {}
    missing: list[Paper] = []
    for p in papers:
        key = (keys or {}).get(p.id) or p.cite_key
        if key:
            out[p.id] = key
        else:
            missing.append(p)
    if missing:
        out.update(assign_keys(missing, list(out.values()) + list((keys or {}).values()), pattern))
    return out
