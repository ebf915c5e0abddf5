"""What was handed to Daily Papers from outside the window — dropped on it, pasted into the
list, or given on the command line — sorted into what to do with it.

:func:`classify` turns the pieces (local files, links, text) into a :class:`Handoff`: paper
ids and links to add, bibliographies to import (with a preview), PDFs to attach to a paper,
and everything else refused with the reason, for a message the user reads. No Qt here: the
window reads a drop's ``QMimeData`` into these pieces (``ui/drops.py``), the command line
gives its arguments (:func:`classify_arguments`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from desktop_app.errors import InvalidInputError

BIBLIOGRAPHY_SUFFIXES = (".bib", ".bibtex", ".ris", ".json")
PDF_MAGIC = b"%PDF-"
WHAT_WORKS = (
    "Daily Papers takes arXiv ids and arXiv or Hugging Face paper links, bibliographies "
    "(.bib, .ris, .json) and PDFs dropped onto a paper."
)


@dataclass(frozen=True)
class Refused:
    """Something that is not for Daily Papers, and why (a sentence for the user)."""

    item: str
    reason: str


@dataclass(frozen=True)
class Handoff:
    """A drop, a paste or a command line, sorted."""

    refs: tuple[str, ...] = ()  # paper ids and links (AddPapers takes them as they are)
    bibliographies: tuple[Path, ...] = ()
    pdfs: tuple[Path, ...] = ()
    refused: tuple[Refused, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.refs or self.bibliographies or self.pdfs or self.refused)

    @property
    def accepted(self) -> bool:
        """Whether anything in it is for Daily Papers."""
        return bool(self.refs or self.bibliographies or self.pdfs)

    def message(self) -> str:
        """What was refused, for the message bar ("" when nothing was)."""
        if not self.refused:
            return ""
        shown = [f"{_short(r.item)}: {r.reason}" for r in self.refused[:3]]
        more = len(self.refused) - len(shown)
        if more > 0:
            shown.append(f"and {more} more")
        return "Not taken — " + "; ".join(shown) + " " + WHAT_WORKS


def parse_paper_ref(text: str) -> tuple[str, int | None]:
    """:func:`desktop_app.sources.ids.parse_paper_ref`, imported when first needed: the
    window starts without the network stack (``sources`` brings ``requests``)."""
    from desktop_app.sources.ids import parse_paper_ref as parse

    return parse(text)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    # Cut in the middle: a path or a link keeps its file name, what names it for the user.
    if len(text) <= limit:
        return text
    head = (limit - 1) // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def classify_file(path: Path) -> Handoff:
    """A local file or folder."""
    name = str(path)
    if path.is_dir():
        return Handoff(refused=(Refused(name, "a folder, not a file"),))
    if not path.exists():
        return Handoff(refused=(Refused(name, "no such file"),))
    suffix = path.suffix.lower()
    if suffix in BIBLIOGRAPHY_SUFFIXES:
        return Handoff(bibliographies=(path,))
    if suffix == ".pdf":
        try:
            with path.open("rb") as f:
                head = f.read(1024)
        except OSError as exc:
            return Handoff(refused=(Refused(name, f"cannot be read ({exc.strerror})"),))
        if PDF_MAGIC not in head:
            return Handoff(refused=(Refused(name, "named .pdf but not a PDF file"),))
        return Handoff(pdfs=(path,))
    return Handoff(refused=(Refused(name, "not a bibliography (.bib, .ris, .json) or a PDF"),))


def _file_url_path(link: str) -> Path | None:
    parts = urlsplit(link)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(unquote(parts.path))


def classify_link(link: str) -> Handoff:
    """A URL (``file:`` ones are files)."""
    path = _file_url_path(link)
    if path is not None:
        return classify_file(path)
    try:
        parse_paper_ref(link)
    except InvalidInputError:
        return Handoff(refused=(Refused(link, "not an arXiv or Hugging Face paper link"),))
    return Handoff(refs=(link.strip(),))


def classify_text(text: str) -> Handoff:
    """Plain text: the ids and paper links in it (other words are left alone); text with
    none at all is refused."""
    refs: dict[str, str] = {}  # one per paper: the first way it was written
    files: list[Handoff] = []
    for word in text.split():
        word = word.strip("<>\"'()[],;").rstrip(".:!?")
        if not word:
            continue
        if word.lower().startswith("file:") or (os.path.isabs(word) and Path(word).exists()):
            files.append(classify_link(word) if ":" in word[:6] else classify_file(Path(word)))
            continue
        try:
            paper_id, _ = parse_paper_ref(word)
        except InvalidInputError:
            continue
        refs.setdefault(paper_id, word)
    found = merge([Handoff(refs=tuple(refs.values())), *files])
    if found.empty and text.strip():
        return Handoff(refused=(Refused(text, "no arXiv id or paper link in this text"),))
    return found


def merge(parts: Sequence[Handoff]) -> Handoff:
    """One hand-off of several, each kind in order, without repeats."""
    return Handoff(
        refs=tuple(dict.fromkeys(r for p in parts for r in p.refs)),
        bibliographies=tuple(dict.fromkeys(b for p in parts for b in p.bibliographies)),
        pdfs=tuple(dict.fromkeys(f for p in parts for f in p.pdfs)),
        refused=tuple(dict.fromkeys(r for p in parts for r in p.refused)),
    )


def classify(files: Sequence[str] = (), links: Sequence[str] = (), text: str = "") -> Handoff:
    """A drop or a paste: its local files, its other links, and (when it has neither) its
    text."""
    parts = [classify_file(Path(f)) for f in files]
    parts += [classify_link(link) for link in links]
    if not files and not links:
        parts.append(classify_text(text))
    return merge(parts)


def _is_ref(text: str) -> bool:
    try:
        parse_paper_ref(text)
    except InvalidInputError:
        return False
    return True


def looks_like_a_file(arg: str, cwd: Path | None = None) -> bool:
    """Whether a command-line word names a file to hand to the window: one that exists
    (relative to ``cwd``), or a name ending like a bibliography or a PDF that is no paper
    link (``https://arxiv.org/pdf/2401.00001.pdf`` is a paper)."""
    path = (cwd or Path.cwd()) / Path(arg).expanduser()
    if path.exists():
        return True
    suffix = Path(arg).suffix.lower()
    return suffix in (*BIBLIOGRAPHY_SUFFIXES, ".pdf") and not _is_ref(arg)


def classify_arguments(args: Sequence[str], cwd: Path | None = None) -> Handoff:
    """The command line's ``daily-papers ARG…``: files (see :func:`looks_like_a_file`),
    given back absolute (a window started elsewhere opens them), and paper ids and links;
    anything else refused with the reason."""
    base = cwd or Path.cwd()
    parts = []
    for arg in args:
        if looks_like_a_file(arg, base):
            parts.append(classify_file((base / Path(arg).expanduser()).absolute()))
            continue
        try:
            parse_paper_ref(arg)
        except InvalidInputError as exc:
            parts.append(Handoff(refused=(Refused(arg, exc.message),)))
            continue
        parts.append(Handoff(refs=(arg,)))
    return merge(parts)
