"""Names in and out of BibTeX: author lists split into people, people into their parts.

In: an ``author``/``editor`` value is split at `` and `` outside braces, and each name into
BibTeX's parts ("First von Last", "von Last, First", "von Last, Jr, First"; the rules of
*Tame the BeaST* §11, as pybtex implements them). A name that is one braced group
(``{Gemini Team}``) is a literal — an organisation, kept whole — and ``others`` (BibTeX's "and
others") is kept as such. Plain names (no braces, backslashes or ties: nearly all of them) take
a fast path that ``tests/test_bibtex_names.py`` checks against pybtex's :class:`Person`;
anything else goes to pybtex itself. Forgiven, with a problem each: a trailing or doubled
``and``, a trailing comma in a name, more than two commas.

Out: :func:`person_from_display` reads a fetched "First von Last" name (arXiv's form), with
organisations ("Gemini Team", "The LIGO Scientific Collaboration") kept whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from desktop_app.bibtex.latex import _clean, decode
from desktop_app.domain import PersonName

_AND_RE = re.compile(r"\s+and\s+", re.I)
_STRAY_AND_RE = re.compile(r"(?:^|\s)and(?:\s|$)", re.I)  # an "and" the split left over
_PLAIN_RE = re.compile(r"^[^{}\\~]*$")
_COMMA_RE = re.compile(r"\s*,\s*")
# Last words that make a fetched name an organisation rather than a person.
_ORG_WORDS = frozenset(
    [
        "team",
        "group",
        "collaboration",
        "consortium",
        "lab",
        "labs",
        "laboratory",
        "laboratories",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "project",
        "initiative",
        "community",
        "committee",
        "society",
        "association",
        "institute",
        "university",
        "corporation",
        "company",
        "foundation",
        "center",
        "centre",
        "council",
        "network",
        "alliance",
        "organization",
        "organisation",
        "workshop",
    ]
)


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


@dataclass(frozen=True)
class Name:
    """A person's name in BibTeX's four parts (each a space-joined string, maybe empty)."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""
    whole: bool = False  # an institution or odd name: write as one braced unit


def _starts_lower(word: str) -> bool:
    for c in word:
        if c.isalpha():
            return c.islower()
    return False


@lru_cache(maxsize=16384)
def split_name(full: str) -> Name:
    """Split a stored "First von Last Jr." name into BibTeX's parts.

    The last word is the surname; lower-case words right before it are particles (``van der``,
    ``de la``), kept with the surname as BibTeX's "von" part; a trailing ``Jr.``, ``Sr.``,
    ``II``, ``III`` or ``IV`` (with or without a comma) is the suffix. A name already written
    "Last, First" is understood too. A name containing the word "and" (a consortium) is kept
    whole, since BibTeX would otherwise split it into two people.
    """
    text = _clean(full)
    if not text:
        return Name()
    words = text.replace(",", " , ").split()
    if any(w.casefold() == "and" for w in words) or text.casefold() == "others":
        return Name(last=text, whole=True)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and parts[1].casefold() in _SUFFIXES:
        text, jr = parts[0], parts[1]
        parts = [text]
    else:
        jr = ""
    if len(parts) == 2 and parts[0] and parts[1]:  # "von Last, First"
        lw = parts[0].split()
        j = 0
        while j < len(lw) - 1 and _starts_lower(lw[j]):
            j += 1
        return Name(first=parts[1], von=" ".join(lw[:j]), last=" ".join(lw[j:]), jr=jr)
    if len(parts) == 3 and all(parts):  # "von Last, Jr, First"
        lw = parts[0].split()
        j = 0
        while j < len(lw) - 1 and _starts_lower(lw[j]):
            j += 1
        return Name(first=parts[2], von=" ".join(lw[:j]), last=" ".join(lw[j:]), jr=parts[1])
    if len(parts) > 1:
        return Name(last=text, whole=True)
    tokens = text.split()
    if not jr and len(tokens) > 2 and tokens[-1].casefold() in _SUFFIXES:
        jr = tokens.pop()
    last = tokens[-1]
    j = len(tokens) - 1
    while j - 1 >= 1 and _starts_lower(tokens[j - 1]):
        j -= 1
    return Name(first=" ".join(tokens[:j]), von=" ".join(tokens[j:-1]), last=last, jr=jr)


def split_names(value: str) -> tuple[list[str], list[str]]:
    """The names in a name list (LaTeX source) and the problems fixed on the way."""
    problems: list[str] = []
    text = " ".join(value.split())
    split = _split_outside_braces if "{" in text else _split_plain
    names = split(text)
    if all(names) and not _STRAY_AND_RE.search(text):
        return names, problems  # the usual case: nothing to fix
    out: list[str] = []
    for name in names:
        words = name.split(" ")
        trimmed = False
        while words and words[0].casefold() == "and":
            words.pop(0)
            trimmed = True
        while words and words[-1].casefold() == "and":
            words.pop()
            trimmed = True
        if trimmed:
            problems.append(f"a stray 'and' in {text[:60]!r} was dropped")
        if words:
            out.append(" ".join(words))
        elif not trimmed and len(names) > 1:
            problems.append(f"an empty name in {text[:60]!r} was dropped")
    return out, problems


_AND_OR_BRACE_RE = re.compile(r"[{}]|\s+and\s+", re.I)


def _split_plain(text: str) -> list[str]:
    return [n.strip() for n in _AND_RE.split(text)]


def _split_outside_braces(text: str) -> list[str]:
    """``text`` split at `` and `` outside braces (BibTeX's rule; pybtex's split_name_list,
    without its per-character scanning)."""
    names: list[str] = []
    depth = start = 0
    for m in _AND_OR_BRACE_RE.finditer(text):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            names.append(text[start : m.start()].strip())
            start = m.end()
    names.append(text[start:].strip())
    return names


def _is_von(token: str) -> bool:
    """pybtex's rule: the case of the first letter (at brace level 0, or of a special
    character such as ``{\\"u}``) decides; a token without letters is not a von part."""
    first = token[0]
    if first.isupper():
        return False
    if first.islower():
        return True
    depth = 0
    i = 0
    while i < len(token):
        c = token[i]
        if c == "{":
            depth += 1
            if depth == 1 and token.startswith("{\\", i):
                j = i + 2
                while j < len(token) and token[j].isalpha():
                    j += 1  # the control sequence's name
                while j < len(token) and token[j] != "}":
                    if token[j].isalpha():
                        return token[j].islower()
                    j += 1
                return False
        elif c == "}":
            depth -= 1
        elif depth == 0 and c.isalpha():
            return c.islower()
        i += 1
    return False


def _plain_parts(name: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """(first, von, last, jr) tokens of a name without braces, backslashes or ties."""
    parts = _COMMA_RE.split(name)
    first: list[str] = []
    jr: list[str] = []
    if len(parts) == 1:
        tokens = name.split()
        i = next((k for k, t in enumerate(tokens) if _is_von(t)), len(tokens))
        first, von_last = tokens[:i], tokens[i:]
        if not von_last and first:
            von_last = [first.pop()]
    else:
        von_last = parts[0].split()
        if len(parts) == 3:
            jr = parts[1].split()
        first = parts[-1].split()
    von: list[str] = []
    last = von_last[-1:]
    head = von_last[:-1]
    if head:
        j = len(head)
        while j > 0 and not _is_von(head[j - 1]):
            j -= 1
        von, last = head[:j], head[j:] + last
    return first, von, last, jr


def _pybtex_parts(name: str) -> tuple[list[str], list[str], list[str], list[str]]:
    from pybtex.database import Person

    p = Person(name)
    return p.first_names + p.middle_names, p.prelast_names, p.last_names, p.lineage_names


@lru_cache(maxsize=65536)  # names repeat across a bibliography
def parse_name(raw: str) -> tuple[PersonName, tuple[str, ...]]:
    """One name (LaTeX source) as decoded parts, and the problems fixed in it."""
    problems: list[str] = []
    name = raw.strip()
    if name.endswith(","):
        name = name.rstrip(", ")
        problems.append(f"a trailing comma in the name {raw!r} was dropped")
    if name.startswith("{") and _one_group(name):
        return PersonName(literal=decode(name[1:-1]) or decode(name)), tuple(problems)
    if name.casefold() == "others":
        return PersonName(literal="others"), tuple(problems)
    commas = _depth0_commas(name)
    if commas > 2:
        problems.append(f"the name {raw!r} has {commas} commas; the last ones were kept as text")
        cut = [m.start() for m in re.finditer(",", name)][1]
        name = name[:cut] + "," + name[cut + 1 :].replace(",", " ")
    if _PLAIN_RE.match(name):
        first, von, last, jr = _plain_parts(name)
    else:
        first, von, last, jr = _pybtex_parts(name)
    if not last and first:  # "Smith," after the comma was cut, or ", John"
        last, first = first[-1:], first[:-1]
    return (
        PersonName(
            family=decode(" ".join(last)),
            given=decode(" ".join(first)),
            von=decode(" ".join(von)),
            jr=decode(" ".join(jr)),
        ),
        tuple(problems),
    )


def _one_group(name: str) -> bool:
    """True when ``name`` is a single ``{…}`` group (``{Gemini Team}``, not ``{D}ebye``)."""
    depth = 0
    for i, c in enumerate(name):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i == len(name) - 1
    return False


def _depth0_commas(name: str) -> int:
    if "{" not in name:
        return name.count(",")
    depth = n = 0
    for c in name:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            n += 1
    return n


def parse_names(value: str) -> tuple[tuple[PersonName, ...], list[str]]:
    """A name list (LaTeX source) as people, and the problems fixed on the way."""
    raw, problems = split_names(value)
    people = []
    for name in raw:
        person, fixed = parse_name(name)
        problems.extend(fixed)
        if person.family or person.literal or person.given:
            people.append(person)
    return tuple(people), problems


@lru_cache(maxsize=16384)
def person_from_display(full: str) -> PersonName:
    """A fetched "First von Last Jr." name in parts; organisations are kept whole."""
    words = full.split()
    if len(words) > 1 and words[-1].casefold() in _ORG_WORDS:
        return PersonName(literal=" ".join(words))
    if len(words) > 1 and words[0].casefold() == "the":
        return PersonName(literal=" ".join(words))
    name = split_name(full)
    if name.whole:
        return PersonName(literal=name.last)
    return PersonName(family=name.last, given=name.first, von=name.von, jr=name.jr)
