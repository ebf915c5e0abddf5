"""Bibliographies in and out of the library (no Qt).

Export: :func:`to_bibtex` is pure and deterministic (golden-file tested); :func:`export_bibtex`
assigns and stores citation keys the first time a paper is exported, so keys never change;
:func:`export_to_file` checks the target and writes it atomically. An entry imported from a
file is written as it came (:mod:`export`); a fetched paper's is made from its columns
(:mod:`generate`). Import: :func:`import_bibliography` reads BibTeX, BibLaTeX, RIS and CSL-JSON
forgivingly (:mod:`parse`), keeps every entry whole (:mod:`records`), merges duplicates without
overwriting the user's data, and writes everything in one transaction (or, with ``dry_run``,
only reports what it would do).
"""

from desktop_app.bibtex.export import export_bibtex, export_to_file, to_bibtex
from desktop_app.bibtex.importer import (
    ImportEntry,
    ImportReport,
    import_bibliography,
    import_bibtex,
)
from desktop_app.bibtex.keys import DEFAULT_KEY_PATTERN, assign_keys, base_key, check_pattern
from desktop_app.bibtex.options import BibTeXOptions

__all__ = [
    "DEFAULT_KEY_PATTERN",
    "BibTeXOptions",
    "ImportEntry",
    "ImportReport",
    "assign_keys",
    "base_key",
    "check_pattern",
    "export_bibtex",
    "export_to_file",
    "import_bibliography",
    "import_bibtex",
    "to_bibtex",
]
