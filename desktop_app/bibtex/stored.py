"""Stored LaTeX (an imported entry's fields, as they came) made safe to write.

Two things an exporter must do to a value it did not write itself: make it ASCII for pdflatex
+ BibTeX (:func:`ascii_latex`), and escape the characters LaTeX cannot take bare in text
(:func:`safe_latex`) — which changes nothing that compiled before, since each was an error
(or, ``%``, a comment that lost the rest of the line).
"""

from __future__ import annotations

import re
import unicodedata

from desktop_app.bibtex.latex import Losses, char_to_latex, stand_in

_DOLLAR_RE = re.compile(r"(?<!\\)\$")


def ascii_latex(value: str, losses: Losses | None = None) -> str:
    """LaTeX source (a stored field value) with every non-ASCII character written as a LaTeX
    command, for pdflatex + BibTeX: inside ``$…$`` as a math command, elsewhere as a text
    one; a character with neither gets a stand-in (:func:`stand_in`). ASCII is unchanged."""
    if value.isascii():
        return value
    value = unicodedata.normalize("NFC", value)  # "u" + combining diaeresis is one "ü"
    out: list[str] = []
    in_math = False
    pos = 0
    for m in [*_DOLLAR_RE.finditer(value), None]:
        end = m.start() if m is not None else len(value)
        for ch in value[pos:end]:
            if ch.isascii():
                out.append(ch)
                continue
            latex = char_to_latex(ch)
            if latex is not None and (not in_math or latex.startswith("{\\ensuremath{")):
                out.append(latex)
            else:
                out.append(stand_in(ch, losses))
        if m is None:
            break
        out.append("$")
        in_math = not in_math
        pos = m.end()
    return "".join(out)


_BARE_RE = re.compile(r"(?<!\\)[%#&_^]")
_BARE_TEXT_RE = re.compile(r"(?<!\\)[%#&]")  # where math may hide outside $…$
_BARE_FORMS = {"%": r"\%", "#": r"\#", "&": r"\&", "_": r"\_", "^": r"\^{}"}
_MATH_SWITCH_RE = re.compile(r"(?<!\\)\$|\\[()\[\]]")


def safe_latex(value: str) -> str:
    """A stored field value that LaTeX can typeset: the characters it cannot take bare in
    text (``% # & _ ^``) escaped outside math (``$…$``, ``\\(…\\)``, ``\\[…\\]``). They
    are errors there (or, ``%``, a comment that loses the rest of the line), so this changes
    nothing that compiled before. A value with ``\\url`` or ``\\href`` is left alone: those
    read their argument verbatim; one with ``\\ensuremath`` or an environment keeps its
    ``_`` and ``^``."""
    if not _BARE_RE.search(value) or "\\url" in value or "\\href" in value:
        return value
    bare = _BARE_TEXT_RE if "\\ensuremath" in value or "\\begin" in value else _BARE_RE
    out: list[str] = []
    pos = 0
    in_math = False
    for m in [*_MATH_SWITCH_RE.finditer(value), None]:
        end = m.start() if m is not None else len(value)
        chunk = value[pos:end]
        out.append(chunk if in_math else bare.sub(lambda b: _BARE_FORMS[b.group()], chunk))
        if m is None:
            break
        out.append(m.group())
        in_math = m.group() in ("\\(", "\\[") or (m.group() == "$" and not in_math)
        pos = m.end()
    return "".join(out)
