"""Auto-export (Better BibTeX's best-loved feature): files kept up to date with a tag, a search
or the whole library, whenever the library changes.

:func:`refresh` brings every kept file up to date: it renders the file's papers in its
format and rewrites the file — atomically — only when the text differs from what is there,
so LaTeX editors and git see a change only when there is one. Keys are stored on first export
and never change, so ``\\cite`` commands keep working. A file that can no longer be written
(its folder gone, the disk full, the file replaced by something that is not a bibliography)
is left alone and the reason is recorded for ``autoexport list`` and the window to show; the
other files are still updated.

Who calls it: every command-line command that changed the library, at its end; the window,
in the background a moment after any change (debounced, so a burst of edits is one update).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain import AutoExport
from desktop_app.errors import AppError, InvalidInputError

if TYPE_CHECKING:
    from desktop_app.store import Repository

_KIND = {"csl-json": "csl-json", "ris": "ris"}  # outputs.check_target's kinds


@dataclass(frozen=True)
class Refreshed:
    """What updating one file did."""

    path: str
    written: bool  # the file was rewritten (its text had changed, or it was missing)
    entries: int
    error: str | None = None


def add(
    repo: Repository,
    path: str | os.PathLike[str],
    *,
    tag: str | None = None,
    query: str = "",
    fmt: str = "bibtex",
    key_pattern: str | None = None,
    force: bool = False,
) -> tuple[AutoExport, Refreshed]:
    """Keep ``path`` up to date and write it now. The target is checked first, as for any
    export (never the library or a backup; an existing file that is not a bibliography only
    with ``force``); a tag must exist. Raises InvalidInputError saying why not."""
    from desktop_app.bibtex.options import check_format
    from desktop_app.outputs import check_target

    check_format(fmt)
    target = check_target(path, library=repo.path, kind=_KIND.get(fmt, "bibliography"), force=force)
    if tag is not None:
        tag = repo.get_tag(tag).name  # NotFoundError for a tag that does not exist
    spec = repo.add_autoexport(
        AutoExport(path=str(target.resolve()), tag=tag, query=query.strip(), format=fmt)
    )
    return spec, _refresh_one(repo, spec, key_pattern, forced=force)


def remove(repo: Repository, path: str | os.PathLike[str]) -> AutoExport:
    """Stop keeping ``path`` up to date (the file itself stays)."""
    wanted = str(Path(path).expanduser().resolve())
    for spec in repo.autoexports():
        if spec.path in (wanted, str(path)):
            repo.remove_autoexport(spec.path)
            return spec
    raise InvalidInputError(
        f"{path} is not kept up to date.", hint="`daily-papers autoexport list` shows the files."
    )


def refresh(
    repo: Repository, key_pattern: str | None = None, paths: list[str] | None = None
) -> list[Refreshed]:
    """Bring every kept file (or those in ``paths``) up to date; see the module docstring."""
    results = []
    for spec in repo.autoexports():
        if paths is None or spec.path in paths:
            results.append(_refresh_one(repo, spec, key_pattern))
    return results


def text_for(repo: Repository, spec: AutoExport, key_pattern: str | None = None) -> tuple[str, int]:
    """The text ``spec``'s file should hold now, and how many entries it has."""
    from desktop_app.bibtex.export import export_data, render
    from desktop_app.bibtex.keys import DEFAULT_KEY_PATTERN
    from desktop_app.bibtex.options import BibTeXOptions

    pattern = key_pattern or DEFAULT_KEY_PATTERN
    ids = repo.ids(spec.feed_query)
    data = export_data(repo, ids, pattern)
    return render(data, BibTeXOptions(format=spec.format, key_pattern=pattern)), len(ids)


def _refresh_one(
    repo: Repository, spec: AutoExport, key_pattern: str | None, forced: bool = False
) -> Refreshed:
    from desktop_app.outputs import check_target, write_atomic

    try:
        text, entries = text_for(repo, spec, key_pattern)
        path = Path(spec.path)
        current = path.read_bytes() if path.is_file() else None
        written = current != text.encode("utf-8")
        if written:
            if not forced:  # the file may have been replaced by something not ours since
                check_target(path, library=repo.path, kind=_KIND.get(spec.format, "bibliography"))
            write_atomic(path, text)
    except AppError as exc:
        result = Refreshed(spec.path, False, 0, str(exc))
    else:
        result = Refreshed(spec.path, written, entries)
    if not repo.read_only and (result.written or result.error != spec.error):
        repo.record_autoexport(
            spec.path, written=result.written, entries=result.entries, error=result.error
        )
    return result
