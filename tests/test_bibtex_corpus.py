"""Real bibliographies written by other projects (tests/corpus, see its README): every file
that holds entries is read; import → export → import loses no field; and the exports compile
with plain, unsrtnat and IEEEtran (pdflatex + BibTeX) and biblatex + biber with no error.

The LaTeX runs need TeX Live's bibtex-extra, publishers and luatex packages, biber and the
Latin Modern OpenType fonts (``.ci/run`` installs them); each is skipped, saying so, when a
tool is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.bibtex import BibTeXOptions, export_bibtex, import_bibliography
from desktop_app.bibtex.latex import decode
from desktop_app.bibtex.parse import decode_bytes, parse_bibtex
from desktop_app.bibtex.stored import safe_latex
from desktop_app.domain import BibEntry, FeedQuery
from desktop_app.errors import BibTeXError
from desktop_app.store import Repository

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.rglob("*.bib"))
ENCODINGS = {"gbk_test.bib": "gbk"}  # no header, no BOM: no reader could know
# Written for biblatex (\mkbibquote, @set, biber's own test data): compiled with biber only.
BIBLATEX_ONLY = {"biber-examples.bib"}
BIBLATEX_EXAMPLES = Path(
    "/usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib"
)


def library(tmp: Path, files: list[Path]) -> Repository:
    repo = Repository.open(tmp / "corpus.sqlite3")
    for path in files:
        try:
            import_bibliography(repo, path, encoding=ENCODINGS.get(path.name))
        except BibTeXError as exc:
            assert "holds no BibTeX entries" in str(exc), (path, exc)
    return repo


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    repo = library(tmp_path_factory.mktemp("corpus"), FILES)
    yield repo
    repo.close()


@pytest.fixture(scope="module")
def bibtex_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    """The files written for BibTeX (not biber's own test data)."""
    files = [f for f in FILES if f.name not in BIBLATEX_ONLY]
    repo = library(tmp_path_factory.mktemp("bibtex"), files)
    yield repo
    repo.close()


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_every_entry_is_read(path: Path, tmp_path: Path) -> None:
    """As many entries as pybtex reads (an independent BibTeX reader), never a refusal."""
    from pybtex.database.input.bibtex import LowLevelParser, month_names

    text, _ = decode_bytes(path.read_bytes(), ENCODINGS.get(path.name))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    theirs = [
        kind
        for kind, _ in LowLevelParser(text, macros=dict(month_names), handle_error=lambda e: None)
        if kind.lower() not in ("string", "preamble", "comment")
    ]
    assert len(parse_bibtex(text).entries) >= len(theirs)
    repo = Repository.open(tmp_path / "one.sqlite3")
    if not theirs:
        with pytest.raises(BibTeXError, match="holds no BibTeX entries"):
            import_bibliography(repo, path)
        return
    report = import_bibliography(repo, path, encoding=ENCODINGS.get(path.name))
    assert report.failed == 0
    assert report.new + report.merged + report.skipped >= 1


def test_the_fast_decoder_reads_every_value_as_pylatexenc_does() -> None:
    """Every field of every corpus file: the regex fast path (which most values take) gives
    pylatexenc's text, but for a bare ``&``, which pylatexenc drops as an alignment tab and
    which a field's author meant as "and"."""
    from desktop_app.bibtex.latex import decode_slow, protect_percent

    differ = []
    for path in FILES:
        text, _ = decode_bytes(path.read_bytes(), ENCODINGS.get(path.name))
        for entry in parse_bibtex(text).entries:
            for name, value in entry.fields:
                if decode(value) != decode_slow(protect_percent(value)) and "&" not in value:
                    differ.append((path.name, entry.key, name, value))
    assert differ == []


def entries_by_key(repo: Repository) -> dict[str, BibEntry]:
    ids = repo.ids(FeedQuery())
    keys = {p.id: p.cite_key for p in repo.get_many(ids)}
    return {keys[pid]: entry for pid, entry in repo.entries(ids).items() if keys[pid]}


@pytest.mark.parametrize("fmt", ["biblatex", "bibtex"])
def test_import_export_import_loses_no_field(corpus: Repository, tmp_path: Path, fmt: str) -> None:
    ids = corpus.ids(FeedQuery())
    text = export_bibtex(corpus, ids, BibTeXOptions(format=fmt))
    again = Repository.open(tmp_path / "again.sqlite3")
    report = import_bibliography(again, text)
    assert report.new == len(ids)
    before, after = entries_by_key(corpus), entries_by_key(again)
    assert set(after) == set(before)
    lost = set()  # characters the ASCII export says (in its % comments) it could not keep
    for line in text.splitlines():
        if line.startswith("% ") and "U+" in line:
            lost |= {chr(int(cp, 16)) for cp in re.findall(r"U\+([0-9A-F]{4,6})", line)}
    for key, entry in before.items():
        kept = {n.lower(): v for n, v in after[key].fields}
        if fmt == "biblatex":
            assert after[key].type == entry.type, key
        for name, value in entry.fields:
            if fmt == "bibtex" and entry.type == "set" and name.lower() == "crossref":
                continue  # BibTeX has no sets: that crossref would make a member a parent
            got = kept.get(name.lower())
            assert got is not None, (key, name)
            if fmt == "biblatex" or name.lower() in ("file", "url", "doi"):
                # UTF-8: as it came, but for the bare characters LaTeX cannot take (50% → 50\%)
                assert got in (value, safe_latex(value)), (key, name)
            elif decode(got) != decode(value):
                # ASCII: the same text, but for characters its comment names
                missing = {c for c in decode(value) if c not in decode(got)}
                assert missing <= lost | {" "}, (key, name, value, got)
    again.close()


# ----------------------------------------------------------------------------- LaTeX


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=600, check=False
    )


def cite_all(bib: str, ascii_only: bool = False) -> str:
    """Cite every entry (pdflatex cannot \\cite a non-ASCII key: those come in by
    \\nocite{*}, which also brings in every entry)."""
    keys = re.findall(r"^@(?!preamble)\w+\{([^,\n]+),", bib, flags=re.M)
    if ascii_only:
        keys = [k for k in keys if k.isascii()]
    cites = [f"\\cite{{{','.join(keys[i : i + 20])}}}" for i in range(0, len(keys), 20)]
    return "\n".join([*cites, "\\nocite{*}"])


def latex_errors(log: str) -> list[str]:
    return re.findall(r"^! .*", log, flags=re.M)


def needs(*tools: str, files: tuple[str, ...] = ()) -> pytest.MarkDecorator:
    missing = [t for t in tools if shutil.which(t) is None]
    if shutil.which("kpsewhich"):
        missing += [f for f in files if not run(["kpsewhich", f], Path.cwd()).stdout.strip()]
    else:
        missing += list(files)
    return pytest.mark.skipif(
        bool(missing),
        reason=f"{', '.join(missing)} not installed (apt-get install biber texlive-bibtex-extra "
        "texlive-publishers texlive-luatex fonts-lmodern)",
    )


@pytest.mark.latex
@pytest.mark.parametrize("style", ["plain", "unsrtnat", "IEEEtran"])
@needs("pdflatex", "bibtex", files=("IEEEtran.bst", "unsrtnat.bst"))
def test_bibtex_export_compiles(bibtex_corpus: Repository, tmp_path: Path, style: str) -> None:
    ids = bibtex_corpus.ids(FeedQuery())
    bib = export_bibtex(bibtex_corpus, ids, BibTeXOptions())
    # ASCII but for keys and file paths, which are written as they came
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    natbib = "\\usepackage{natbib}" if style.endswith("nat") else ""
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{amsmath,amssymb}\n"
        # testjabref.bib has a publisher's \\hyphen in a title, as its journal's class defines
        f"\\usepackage{{url}}{natbib}\\providecommand{{\\hyphen}}{{-}}\n\\begin{{document}}\n"
        f"{cite_all(bib, ascii_only=True)}\n\\bibliographystyle{{{style}}}\n"
        "\\bibliography{refs}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    latex = ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "doc"]
    assert run(latex, tmp_path).returncode == 0
    result = run(["bibtex", "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert result.returncode == 0 and "error message" not in blg, blg[-3000:]
    for _ in range(2):
        run(latex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert latex_errors(log) == []
    assert len(re.findall(r"\\bibitem", (tmp_path / "doc.bbl").read_text())) == len(ids)


@pytest.mark.latex
@needs("lualatex", "biber", files=("biblatex.sty", "lmroman10-regular.otf"))
def test_biblatex_export_compiles_with_biber(tmp_path: Path) -> None:
    files = [*FILES, BIBLATEX_EXAMPLES] if BIBLATEX_EXAMPLES.exists() else FILES
    repo = library(tmp_path, files)
    ids = repo.ids(FeedQuery())
    bib = export_bibtex(repo, ids, BibTeXOptions(format="biblatex"))
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{fontspec}\n\\usepackage{amsmath,amssymb}\n"
        "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
        f"\\begin{{document}}\n{cite_all(bib)}\n\\printbibliography\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex = ["lualatex", "-interaction=nonstopmode", "-no-shell-escape", "doc"]
    assert run(latex, tmp_path).returncode == 0
    result = run(["biber", "doc"], tmp_path)
    assert result.returncode == 0 and "ERROR" not in result.stdout, result.stdout[-3000:]
    for _ in range(2):
        run(latex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert latex_errors(log) == []
    repo.close()
