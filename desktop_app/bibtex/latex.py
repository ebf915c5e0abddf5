"""Text in and out of BibTeX field values: escaping, capital protection, names, decoding.

Everything a paper stores is plain Unicode text (titles as arXiv shows them, names as
"First Last"). Writing it into a ``.bib`` field has to keep three promises:

1. **Nothing breaks out of the field.** BibTeX counts braces without regard to backslashes, so
   a literal ``{`` or ``}`` is written as ``{\\textbraceleft}``/``{\\textbraceright}`` and a
   backslash as ``{\\textbackslash}``: every brace in the output is one we opened and closed
   ourselves. ``\\input{…}`` or ``\\write18`` in a title therefore prints as text and never runs.
2. **The result compiles.** In the default (pdflatex + BibTeX) mode the output is pure ASCII:
   non-ASCII characters become LaTeX commands through pylatexenc, but only commands that work
   in a plain ``\\documentclass{article}`` with LaTeX's default OT1 font encoding (see
   ``_TEXT_MACROS``/``_MATH_MACROS``, found by compiling every pylatexenc replacement of the
   Latin, Greek, punctuation, currency, letterlike, arrow and math-operator blocks). A character
   without such a command is approximated by its unaccented base letter when it has one
   (``ą`` → ``a``, which needs T1 for its ogonek) or dropped (CJK, Cyrillic); each such loss is
   reported so the exporter can write a warning comment. Unicode mode keeps UTF-8 untouched
   (for biber, XeLaTeX or LuaLaTeX).
3. **It decodes back to what is stored** (:func:`decode`), so export → import → export is
   stable. That is why ``--`` is written ``-{}-`` (two hyphens, not an en dash) and why math
   keeps its exact source.

Capital protection (titles only): BibTeX styles put titles into sentence case, lowering every
letter that is not inside braces. A word is wrapped in braces when it has an upper-case letter
after its first character (``{LLaMA}``, ``{BERT}``, ``{GPT}-4``, ``{ResNet}``, ``{iPhone}``,
``{3D}``) or is a single upper-case letter after the start of the title (``Model {X}``).
Ordinary Title Case words (``Attention Is All You Need``) are not protected, so sentence-case
styles can still do their job; proper nouns such as "Bayesian" are the known casualty.

Math: a ``$…$`` segment is kept verbatim (inside braces, so styles do not lower-case it) when it
is harmless: balanced braces, no ``%``, ``#``, ``&`` or ``\\\\``, ``^``/``_`` followed by
something, and only control sequences from an allowlist of math commands (LaTeX's own plus the
common amsmath/amssymb ones such as ``\\mathbb`` and ``\\text`` — a document citing such a title
needs those packages, as the paper did). Any other ``$…$`` is escaped as ordinary text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

# ----------------------------------------------------------------------------- escaping tables


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (long word lists read better as text)."""
    return frozenset(text.split())


# ASCII characters with a meaning to BibTeX or LaTeX, and the text commands that print them.
# ``<``, ``>`` and ``|`` print as ¡, ¿ and — in OT1, hence commands for them too. Each is braced
# as a BibTeX "special character" ({\\…}), which BibTeX counts as one letter: styles that cut
# names or titles (alpha's labels take 1-3 letters) can then never cut a command in half.
_SPECIALS = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "&": r"{\&}",
    "%": r"{\%}",
    "$": r"{\$}",
    "#": r"{\#}",
    "_": r"{\_}",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "<": r"{\textless}",
    ">": r"{\textgreater}",
    "|": r"{\textbar}",
}
# TeX ligatures that would turn two stored characters into one printed one: break them with {}.
_LIGATURE_PAIRS = frozenset({"--", "``", "''", "?`", "!`"})

# Text-mode commands in pylatexenc replacements that compile with plain pdflatex (OT1/TS1).
_TEXT_MACROS = wordset(
    r"""
    \AE \ae \OE \oe \O \o \L \l \IJ \ij \i \ss \H \c \r \u \v
    \ensuremath \enskip \hspace \kern \quad \textsc
    \textasciiacute \textasciidieresis \textasciimacron \textasteriskcentered \textbrokenbar
    \textbullet \textcelsius \textcent \textcircledP \textcolonmonetary \textcopyright
    \textcurrency \textdagger \textdaggerdbl \textdegree \textdiscount \textdiv \textdong
    \textdownarrow \textellipsis \textemdash \textendash \textestimated \texteuro
    \textexclamdown \textflorin \textfractionsolidus \textinterrobang \textleftarrow \textlira
    \textlnot \textmho \textmu \textnaira \textnumero \textonehalf \textonequarter
    \textonesuperior \textordfeminine \textordmasculine \textparagraph \textperiodcentered
    \textpertenthousand \textperthousand \textpeso \textquestiondown \textquotedblleft
    \textquotedblright \textquoteleft \textquoteright \textrecipe \textreferencemark
    \textregistered \textrightarrow \textsection \textservicemark \textsterling
    \textthreequarters \textthreesuperior \texttimes \texttrademark \texttwosuperior
    \textuparrow \textwon \textyen
    """
)
# Math-mode commands: LaTeX's own (fontmath) plus the common amsmath/amssymb ones.
_MATH_MACROS = wordset(
    r"""
    \alpha \beta \gamma \delta \epsilon \varepsilon \zeta \eta \theta \vartheta \iota \kappa
    \lambda \mu \nu \xi \pi \varpi \rho \varrho \sigma \varsigma \tau \upsilon \phi \varphi
    \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi \Psi \Omega
    \aleph \hbar \ell \wp \Re \Im \partial \nabla \infty \emptyset \forall \exists \neg \lnot
    \top \bot \angle \prime \surd \flat \natural \sharp \imath \jmath
    \pm \mp \times \div \cdot \ast \star \circ \bullet \oplus \ominus \otimes \oslash \odot
    \cap \cup \uplus \sqcap \sqcup \vee \wedge \setminus \wr \diamond \dagger \ddagger \amalg
    \leq \le \geq \ge \neq \ne \ll \gg \prec \succ \preceq \succeq \subset \supset \subseteq
    \supseteq \sqsubseteq \sqsupseteq \in \ni \notin \vdash \dashv \equiv \sim \simeq \asymp
    \approx \cong \doteq \propto \models \perp \mid \parallel \bowtie \not
    \leftarrow \gets \rightarrow \to \leftrightarrow \Leftarrow \Rightarrow \Leftrightarrow
    \longleftarrow \longrightarrow \Longleftarrow \Longrightarrow \longleftrightarrow \mapsto
    \longmapsto \uparrow \downarrow \updownarrow \Uparrow \Downarrow \Updownarrow \nearrow
    \searrow \swarrow \nwarrow \hookleftarrow \hookrightarrow \leftharpoonup \leftharpoondown
    \rightharpoonup \rightharpoondown \rightleftharpoons \iff \implies
    \sum \prod \coprod \int \oint \bigcap \bigcup \bigvee \bigwedge \bigoplus \bigotimes
    \bigodot \biguplus \bigsqcup
    \log \ln \exp \sin \cos \tan \sec \csc \cot \arcsin \arccos \arctan \sinh \cosh \tanh
    \max \min \sup \inf \lim \liminf \limsup \arg \det \dim \ker \deg \gcd \hom \Pr
    \ldots \cdots \vdots \ddots \dots \colon
    \langle \rangle \lfloor \rfloor \lceil \rceil \vert \Vert \lvert \rvert \lVert \rVert
    \left \right \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr
    \frac \dfrac \tfrac \sqrt \binom \hat \widehat \tilde \widetilde \bar \overline
    \underline \vec \dot \ddot \acute \grave \breve \check \overrightarrow \overleftarrow
    \mathcal \mathrm \mathbf \mathit \mathsf \mathtt \mathbb \mathfrak \boldsymbol
    \text \textrm \textbf \textit \textsc \operatorname \mathbin \mathrel \mathop
    \quad \qquad \enskip \hspace \kern
    \lesssim \gtrsim \leqslant \geqslant \varnothing \mathbb
    """
)
# The amsmath/amssymb ones: fine in a title's own math (the paper needed them too), but never
# introduced by us for a single character (ℂ is not worth requiring amssymb).
_AMS_MACROS = wordset(
    r"""
    \mathbb \mathfrak \boldsymbol \text \operatorname \lesssim \gtrsim \leqslant \geqslant
    \varnothing \lvert \rvert \lVert \rVert \dfrac \tfrac \binom \implies
    """
)
_KERNEL_MATH_MACROS = _MATH_MACROS - _AMS_MACROS
# Control symbols (backslash + one non-letter) that are fine inside math.
_MATH_SYMBOLS = frozenset(",;:! {}|%#&$_")

# Pandoc's rule, so that prices are not math: the opening $ is followed by a non-space, the
# closing one preceded by a non-space and not followed by a digit ("$5 and $10" is text); the
# body holds no "$" ("$Z $$" is text: as math it would leave a "$" open).
_MATH_RE = re.compile(r"(?<!\\)\$(?=\S)([^$]*?[^\s\\$])\$(?!\d)")
_MACRO_RE = re.compile(r"\\([A-Za-z]+|.)", re.S)
_WORD_RE = re.compile(r"[^\W_]+")  # letters and digits (any script)
_SPACE_RE = re.compile(r"\s+")

# Base letters for characters that have no plain-LaTeX form and no Unicode decomposition.
_FOLD = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
    "ħ": "h",
    "Ħ": "H",
    "ŋ": "n",
    "Ŋ": "N",
    "ĸ": "k",
    "ŀ": "l",
    "Ŀ": "L",
    "ƒ": "f",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "−": "-",
    "′": "'",
    "″": "''",
}

# pylatexenc 2.11 writes ű/Ű as \'{u} (acute, not double acute); the decode check would then
# drop them to "u", so give the right command here.
_OVERRIDES = {"ű": r"{\H{u}}", "Ű": r"{\H{U}}"}

_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="fail",
    unknown_char_warning=False,
)


def _decoder() -> LatexNodes2Text:
    """A latex2text decoder that also knows the text commands our escaping writes."""
    db = get_default_latex_context_db()
    db.add_context_category(
        "daily-papers",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textless", "<"),
            MacroTextSpec("textgreater", ">"),
            MacroTextSpec("textbar", "|"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciitilde", "~"),
            MacroTextSpec("textbackslash", "\\"),
            MacroTextSpec("url", simplify_repl="%s"),
        ],
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", keep_braced_groups=False)


_DECODER = _decoder()
# Built once: LatexNodes2Text.latex_to_text would rebuild the parser's default context for
# every call, which was a fifth of the import time.
_WALKER_CONTEXT = latexwalker.get_default_latex_context_db()


def _latex_to_text(latex: str) -> str:
    walker = latexwalker.LatexWalker(latex, latex_context=_WALKER_CONTEXT, tolerant_parsing=True)
    return str(_DECODER.nodelist_to_text(walker.get_latex_nodes()[0]))


# ----------------------------------------------------------------------------- characters


@dataclass
class Losses:
    """Characters that could not be written as themselves (default mode only): approximated
    by their base letter (``ą`` → ``a``), transliterated (``中文`` → ``ZhongWen``, letters of
    scripts plain LaTeX cannot set), or dropped (symbols with no form, such as emoji)."""

    approximated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    transliterated: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.approximated or self.dropped or self.transliterated)

    def add(self, other: Losses) -> None:
        self.approximated.extend(other.approximated)
        self.dropped.extend(other.dropped)
        self.transliterated.extend(other.transliterated)


@lru_cache(maxsize=4096)
def _transliterate(ch: str) -> str:
    """A letter or digit of another script in ASCII letters (anyascii), else ""."""
    if not unicodedata.category(ch).startswith(("L", "N")):
        return ""
    from anyascii import anyascii

    return "".join(c for c in anyascii(ch) if c.isalnum())


def stand_in(ch: str, losses: Losses | None) -> str:
    """What plain LaTeX writes for a character it cannot set: its base letter, else a
    transliteration, else nothing; each recorded in ``losses``."""
    approx = _approximate(ch)
    if approx is not None:
        if losses is not None:
            losses.approximated.append(ch)
        return approx
    translit = _transliterate(ch)
    if losses is not None:
        (losses.transliterated if translit else losses.dropped).append(ch)
    return translit


def _macros_ok(latex: str, allowed: frozenset[str]) -> bool:
    for m in _MACRO_RE.finditer(latex):
        name = m.group(1)
        if name.isalpha():
            if "\\" + name not in allowed:
                return False
        elif name not in "'`^\"~=.":  # the accent control symbols work everywhere
            return False
    return True


@lru_cache(maxsize=4096)
def char_to_latex(ch: str) -> str | None:
    """The plain-pdflatex form of one non-ASCII character, or None when it has none.

    Accepted only when every command in pylatexenc's replacement is known to compile under
    OT1 and the replacement decodes back to the same character (so imports round-trip).
    Math-only commands are accepted only inside ``\\ensuremath``.
    """
    latex = _OVERRIDES.get(ch)
    if latex is None:
        try:
            latex = _ENCODER.unicode_to_latex(ch)
        except ValueError:
            return None
    inner = latex[1:-1] if latex.startswith("{") and latex.endswith("}") else latex
    if inner.startswith("\\ensuremath{"):
        ok = _macros_ok(inner[len("\\ensuremath") :], _KERNEL_MATH_MACROS)
    else:
        ok = _macros_ok(inner, _TEXT_MACROS)
    if not ok or _latex_to_text(latex) != ch:
        return None
    return latex


@lru_cache(maxsize=4096)
def _approximate(ch: str) -> str | None:
    """An ASCII/plain-LaTeX stand-in for ``ch`` (its base letter), or None."""
    if ch in _FOLD:
        return _FOLD[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch and all(c.isascii() or char_to_latex(c) for c in base):
        return base
    return None


def _clean(text: str) -> str:
    """NFC, control characters removed, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c.isspace() else "" for c in text)
    return _SPACE_RE.sub(" ", text).strip()


def _escape_plain(text: str, unicode: bool) -> str:
    """Escape a run of text (no math, no capital protection); see :func:`_prepare`."""
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(_SPECIALS.get(ch, ch))
            if i + 1 < n and ch + text[i + 1] in _LIGATURE_PAIRS:
                out.append("{}")
        elif unicode:
            out.append(ch)
        else:
            out.append(char_to_latex(ch) or "")  # _prepare left only convertible characters
    return "".join(out)


def _prepare(text: str, unicode: bool, losses: Losses | None) -> str:
    """Clean ``text``; in ASCII mode also approximate or drop characters with no LaTeX form."""
    text = _clean(text)
    if unicode or text.isascii():
        return text
    out: list[str] = []
    for ch in text:
        if ch.isascii() or char_to_latex(ch) is not None:
            out.append(ch)
        else:
            out.append(stand_in(ch, losses))
    return _clean("".join(out))


def _math_non_ascii(body: str) -> str | None:
    """Math source with its non-ASCII characters as math commands, or None if one has none."""
    out: list[str] = []
    for ch in body:
        if ch.isascii():
            out.append(ch)
            continue
        latex = char_to_latex(ch)
        if latex is None or not latex.startswith("{\\ensuremath{"):
            return None
        out.append(latex)
    return "".join(out)


def _balanced(text: str) -> bool:
    """Whether every ``{`` in ``text`` is closed by a later ``}`` and none is left over."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _math_ok(body: str) -> bool:
    """Whether ``$body$`` may be written verbatim (see the module docstring)."""
    if not body.strip():
        return False
    if not _balanced(body):  # BibTeX's view: every brace counts, escaped or not
        return False
    stripped = re.sub(r"\\.", "", body, flags=re.S)
    if any(c in stripped for c in "%#&"):
        return False
    if not _balanced(stripped):  # TeX's view: escaped braces do not group
        return False
    if re.search(r"[\^_]\s*(?:$|[\^_}])", stripped):
        return False
    for m in _MACRO_RE.finditer(body):
        name = m.group(1)
        if name.isalpha():
            if "\\" + name not in _MATH_MACROS:
                return False
        elif name not in _MATH_SYMBOLS:
            return False
    return True


def escape(
    text: str,
    *,
    unicode: bool = False,
    protect: bool = False,
    math: bool = True,
    losses: Losses | None = None,
) -> str:
    """The BibTeX field value (without the outer braces) for plain text ``text``.

    ``protect`` wraps acronyms and camel-case words in braces, for titles. ``math=False`` treats
    ``$`` as text (names: BibTeX splits names into words, and math must not be split).
    ``losses`` collects characters approximated or dropped in the default (ASCII) mode.
    """
    text = _prepare(text, unicode, losses)
    if not text:
        return ""
    if "$" not in text or not math:
        return _escape_words(text, unicode, protect, at_start=True)
    out: list[str] = []
    pos = 0
    for m in _MATH_RE.finditer(text):
        body = m.group(1)
        if not _math_ok(body):
            continue
        escaped_body = body if unicode or body.isascii() else _math_non_ascii(body)
        if escaped_body is None:
            continue  # a character with no math form: keep the whole thing as text
        out.append(_escape_words(text[pos : m.start()], unicode, protect, pos == 0))
        out.append("{$" + escaped_body + "$}")  # braced: styles must not change its case
        pos = m.end()
    out.append(_escape_words(text[pos:], unicode, protect, pos == 0))
    return "".join(out)


def _needs_protection(word: str, at_title_start: bool) -> bool:
    if any(c.isupper() for c in word[1:]):
        return True
    return len(word) == 1 and word.isupper() and not at_title_start


def _escape_words(text: str, unicode: bool, protect: bool, at_start: bool) -> str:
    if not protect:
        return _escape_plain(text, unicode)
    out: list[str] = []
    pos = 0
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if not _needs_protection(word, at_start and m.start() == 0):
            continue
        out.append(_escape_plain(text[pos : m.start()], unicode))
        out.append("{" + _escape_plain(word, unicode) + "}")
        pos = m.end()
    out.append(_escape_plain(text[pos:], unicode))
    return "".join(out)


# ----------------------------------------------------------------------------- decoding

# A value needs the (slow) LaTeX decoder only if it holds one of these.
_LATEX_HINT_RE = re.compile(r"[\\{}$~%]|--|``|''|[?!]`")
# Without these, the only LaTeX in a value can be braces and our own {\…} characters.
_SLOW_HINT_RE = re.compile(r"[~]|--|``|''|[?!]`")
_TABLE_RANGES = ((0xA0, 0x250), (0x370, 0x400), (0x2000, 0x2070), (0x20A0, 0x20C0))


@lru_cache(maxsize=1)
def _fast_decoder() -> tuple[re.Pattern[str], dict[str, str]]:
    """A regex over every braced form we write (``{\\"u}``, ``{\\&}``…) and its character.

    Decoding a value made only of plain text, braces and these forms is a single regex pass,
    many times faster than pylatexenc; anything else takes the full decoder.
    """
    table = {latex: ch for ch, latex in _SPECIALS.items() if latex.startswith("{")}
    for a, b in _TABLE_RANGES:
        for cp in range(a, b):
            latex = char_to_latex(chr(cp))
            if latex and latex.startswith("{"):
                table[latex] = chr(cp)
    forms = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(f"({forms})|[{{}}]"), table


def _decode_text_fast(value: str) -> str | None:
    pattern, table = _fast_decoder()
    out = pattern.sub(lambda m: table[m.group(1)] if m.group(1) else "", value)
    if "\\" in pattern.sub("", value):
        return None  # a command we did not write: let pylatexenc read it
    return out


_MATH_SPLIT_RE = re.compile(r"((?<!\\)\$[^$]*(?<!\\)\$)")


def _decode_fast(value: str) -> str | None:
    """Text outside math through the table; math (``$…$``) kept as its source, as pylatexenc
    keeps it. None when something needs the full decoder (a command we do not know, a ``$``
    that does not pair, one of our ``\\ensuremath`` forms inside math)."""
    if "$" not in value:
        return _decode_text_fast(value)
    parts = _MATH_SPLIT_RE.split(value)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # math
            if "ensuremath" in part:
                return None
            out.append(part)
            continue
        if "$" in part:
            return None  # an unpaired dollar
        text = _decode_text_fast(part)
        if text is None:
            return None
        out.append(text)
    return "".join(out)


@lru_cache(maxsize=1)
def _math_reverse() -> Callable[[str], str]:
    """Turn our ``{\\ensuremath{\\alpha}}`` forms inside math back into the characters."""
    table: dict[str, str] = {}
    for cp in list(range(0x370, 0x400)) + list(range(0x2190, 0x2300)) + [0xB1, 0xD7, 0xF7]:
        ch = chr(cp)
        latex = char_to_latex(ch)
        if latex and latex.startswith("{\\ensuremath{"):
            table[latex] = ch
    if not table:
        return lambda s: s
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return lambda s: pattern.sub(lambda m: table[m.group()], s)


def decode_slow(value: str) -> str:
    """:func:`decode` always through pylatexenc (the reference the fast path is tested against).

    Our ``{\\ensuremath{\\Sigma}}`` forms inside math are turned back into characters first:
    pylatexenc keeps math verbatim.
    """
    if "$" in value and "ensuremath" in value:
        reverse = _math_reverse()
        value = _MATH_RE.sub(lambda m: reverse(m.group()), value)
    return _clean(_latex_to_text(value))


_BARE_PERCENT_RE = re.compile(r"(?<!\\)%")


def protect_percent(value: str) -> str:
    """``value`` with each unescaped ``%`` escaped: in a field it means a percent sign (as
    its author wrote it), but LaTeX would read a comment and lose the rest of the line."""
    return _BARE_PERCENT_RE.sub(r"\\%", value) if "%" in value else value


@lru_cache(maxsize=65536)  # author names and journals repeat across a file
def decode(value: str) -> str:
    """Plain Unicode text from a BibTeX field value (LaTeX commands, braces and ties undone).

    Math is kept as its source (``$O(n \\log n)$``), which is how titles are stored. An
    unescaped ``%`` is a percent sign, not the start of a comment: BibTeX files are full of
    "50% faster" (:func:`protect_percent`).
    """
    if not _LATEX_HINT_RE.search(value):
        return _clean(value)
    if "%" in value:
        value = protect_percent(value)
    if not _SLOW_HINT_RE.search(value):
        fast = _decode_fast(value)
        if fast is not None:
            return _clean(fast)
    return decode_slow(value)
