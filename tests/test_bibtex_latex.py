"""A real LaTeX run: pdflatex + BibTeX over a large, tricky export must produce no errors and
no bibliography warnings.

Needs the Debian packages texlive-latex-base, texlive-latex-recommended and
texlive-fonts-recommended (pdflatex, bibtex, natbib, url, amsmath/amssymb, the EC/TS1 fonts).
Skipped, saying so, when pdflatex or bibtex is missing. Unicode-mode output is for biber, which
those packages do not include, so only the default (ASCII) mode is compiled here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_bibtex_golden import CASES, generated_papers

from desktop_app.bibtex import to_bibtex
from desktop_app.bibtex.keys import assign_keys
from desktop_app.bibtex.latex import char_to_latex
from desktop_app.domain import Paper

pytestmark = [
    pytest.mark.latex,
    pytest.mark.skipif(
        shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
        reason="pdflatex/bibtex not installed (apt-get install texlive-latex-base "
        "texlive-latex-recommended texlive-fonts-recommended)",
    ),
]


def large_export() -> tuple[str, set[str], set[str]]:
    """The .bib text, the keys of its entries without a year and of those without authors."""
    papers: list[Paper] = []
    for case in CASES:
        if not case.options.unicode:
            papers.extend(case.papers)
    papers.extend(generated_papers(220))
    # Golden cases reuse some ids on purpose; the document needs each entry once.
    unique = list({p.id: p for p in papers}.values())
    keys = assign_keys(unique, ())
    undated = {keys[p.id] for p in unique if p.published is None and p.year is None}
    authorless = {keys[p.id] for p in unique if not p.authors}
    return to_bibtex(unique, keys), undated, authorless


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300, check=False
    )


def compile_document(tmp_path: Path, bib: str, style: str, preamble: str = "") -> tuple[str, str]:
    """Run pdflatex, bibtex, pdflatex, pdflatex; return (log, blg). Fails on an exit code."""
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)
    cites = "\n".join(f"\\cite{{{','.join(keys[i : i + 20])}}}" for i in range(0, len(keys), 20))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n"
        "\\usepackage{amsmath,amssymb}\n"
        f"{preamble}\n"
        "\\begin{document}\n"
        f"{cites}\n"
        f"\\bibliographystyle{{{style}}}\n"
        "\\bibliography{refs}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    first = run(latex, tmp_path)
    assert first.returncode == 0, first.stdout[-3000:]
    bibtex = run(["bibtex", "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert bibtex.returncode == 0, blg[-3000:]
    for _ in range(2):
        result = run(latex, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    return log, blg


def assert_clean(
    log: str,
    blg: str,
    tmp_path: Path,
    undated: set[str] = frozenset(),
    authorless: set[str] = frozenset(),
) -> None:
    """No LaTeX error or warning; BibTeX warnings only "empty year" for undated entries and
    "to sort, need author or key" for authorless ones (a ``key`` field would silence it, but
    natbib styles print it as the author)."""
    warnings = [ln for ln in blg.splitlines() if ln.startswith("Warning--")]
    expected = {f"Warning--empty year in {key}" for key in undated}
    expected |= {f"Warning--to sort, need author or key in {key}" for key in authorless}
    assert not [w for w in warnings if w not in expected], warnings[:10]
    assert "error message" not in blg, blg[-2000:]
    assert not re.search(r"^! ", log, flags=re.M), log[-3000:]
    for bad in ("undefined", "Missing character", "unavailable in encoding", "Rerun"):
        lines = [ln for ln in log.splitlines() if bad in ln]
        assert not lines, lines[:10]
    assert not (tmp_path / "pwned").exists()


def test_large_export_is_big_and_tricky() -> None:
    bib, undated, _ = large_export()
    assert bib.count("\n@") + 1 >= 200
    assert undated  # the styles that need a year get some without one
    assert bib.isascii()


@pytest.mark.parametrize(
    ("style", "preamble"),
    [
        ("plain", ""),
        ("alpha", ""),
        ("plainnat", "\\usepackage{url}\\usepackage{natbib}"),
    ],
)
def test_export_compiles_without_errors_or_warnings(
    tmp_path: Path, style: str, preamble: str
) -> None:
    bib, undated, authorless = large_export()
    log, blg = compile_document(tmp_path, bib, style, preamble)
    assert "Database file #1: refs.bib" in blg
    # plain needs no year for @misc; alpha and plainnat rightly say when one is missing.
    assert_clean(log, blg, tmp_path, undated if style != "plain" else set(), authorless)


def test_every_character_we_convert_compiles(tmp_path: Path) -> None:
    """The OT1-safe macro allowlist, checked: each accepted character typesets cleanly."""
    ranges = [(0xA0, 0x250), (0x370, 0x400), (0x1E00, 0x1F00), (0x2000, 0x2070)]
    ranges += [(0x20A0, 0x20C0), (0x2100, 0x2150), (0x2190, 0x2300)]
    chars = [
        latex
        for a, b in ranges
        for cp in range(a, b)
        if (latex := char_to_latex(chr(cp))) is not None
    ]
    assert len(chars) > 300
    body = "\n".join(f"X{latex}X\\par" for latex in chars)
    (tmp_path / "chars.tex").write_text(
        f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    result = run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "chars"], tmp_path)
    log = (tmp_path / "chars.log").read_text(errors="replace")
    assert result.returncode == 0, re.findall(r"^!.*\n.*\nl\.\d+.*", log, flags=re.M)[:10]
    assert "Missing character" not in log
