"""How bibliographies are written: the options every exporter takes."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.bibtex.keys import DEFAULT_KEY_PATTERN
from desktop_app.errors import InvalidInputError

FORMATS = ("bibtex", "biblatex", "csl-json", "ris")


@dataclass(frozen=True)
class BibTeXOptions:
    """How to write entries.

    Attributes:
        unicode: keep non-ASCII text as UTF-8 (biber/biblatex, XeLaTeX, LuaLaTeX) instead of
            LaTeX commands (pdflatex + BibTeX, the default). Always on for ``biblatex``.
        include_abstract: add ``abstract`` to entries made from fetched papers (an imported
            entry always keeps its own).
        include_keywords: write the paper's tags as ``keywords``.
        key_pattern: how *new* keys are made (stored keys never change).
        format: ``bibtex``, ``biblatex``, ``csl-json`` or ``ris``.
    """

    unicode: bool = False
    include_abstract: bool = False
    include_keywords: bool = False
    key_pattern: str = DEFAULT_KEY_PATTERN
    format: str = "bibtex"

    @property
    def utf8(self) -> bool:
        return self.unicode or self.format != "bibtex"

    @property
    def is_bibtex(self) -> bool:
        """Whether the output is a .bib file (BibTeX or biblatex)."""
        return self.format in ("bibtex", "biblatex")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"Unknown bibliography format {fmt!r}.", hint="Use " + ", ".join(FORMATS) + "."
        )
    return fmt
