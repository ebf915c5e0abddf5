"""Files the application writes on a user's say-so (exports, copies of the library).

Two rules, for every such file:

1. **Never over something precious.** The library itself and its ``-wal``/``-shm``/``-journal``
   companions are always refused (overwriting them destroys the library); a folder or a
   device is refused too. A backup, an SQLite file, a PDF or any other existing file that is
   not of the kind being written is refused unless the user says ``force``.
2. **Atomically, with ordinary permissions.** The text goes to a temporary file in the same
   folder, is flushed to disk and renamed over the target, so a crash or a full disk leaves
   the old file or the new one, never half of one. A new file gets the permissions any new
   file gets (``0666`` less the umask); a replaced file keeps its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from desktop_app.errors import AppError, InvalidInputError

SQLITE_MAGIC = b"SQLite format 3\x00"
LIBRARY_COMPANIONS = ("", "-wal", "-shm", "-journal")
BACKUP_DIRNAME = "backups"
_SNIFF = 64 * 1024
_BIB_ENTRY = re.compile(rb"@\s*[A-Za-z]+\s*[{(]")
_BACKUP_NAME = re.compile(r"\.v\d+\.bak$|\.sqlite3\.partial$")

# What a file of each kind looks like, for deciding whether an existing file may be replaced.
KINDS = ("bibliography", "csl-json", "ris", "library copy")


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _sniff(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF)
    except OSError:
        return b""


def describe_content(head: bytes) -> str | None:
    """What a file that starts with ``head`` is, when it is something we must not overwrite
    without being told: ``"an SQLite database"``, ``"a PDF"``, ``"a binary file"``; None for
    text."""
    if head.startswith(SQLITE_MAGIC):
        return "an SQLite database"
    if head.startswith(b"%PDF"):
        return "a PDF"
    if b"\x00" in head:
        return "a binary file"
    return None


def looks_like(kind: str, head: bytes) -> bool:
    """Whether an existing file's start looks like a file of ``kind`` (empty files do)."""
    text = head.lstrip(b"\xef\xbb\xbf").strip()
    if not text:
        return True
    if kind == "library copy":
        return head.startswith(SQLITE_MAGIC)
    if describe_content(head) is not None:
        return False
    if kind == "csl-json":
        return text.startswith((b"[", b"{"))
    if kind == "ris":
        return re.search(rb"^TY  - ", text, re.MULTILINE) is not None
    return _BIB_ENTRY.search(text) is not None or text.startswith(b"%")


def check_target(
    target: str | os.PathLike[str],
    *,
    library: Path | None,
    kind: str = "bibliography",
    force: bool = False,
    make_parent: bool = False,
) -> Path:
    """``target`` as a Path if the app may write a ``kind`` file there; else InvalidInputError
    saying why and what to do. A missing folder is refused unless the caller will make it."""
    path = Path(target).expanduser()
    if library is not None:
        for suffix in LIBRARY_COMPANIONS:
            if _same(path, library.with_name(library.name + suffix)):
                raise InvalidInputError(
                    f"{path} is {'the library itself' if not suffix else 'part of the library'}"
                    "; writing there would destroy it.",
                    hint="Choose another file name.",
                )
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder.", hint="Give a file name inside it.")
    if path.exists() and not path.is_file():
        raise InvalidInputError(
            f"{path} is not a regular file.",
            hint="Leave out -o to write to standard output, or choose a file name.",
        )
    if not make_parent and not path.parent.is_dir():
        raise InvalidInputError(
            f"The folder {path.parent} does not exist.", hint="Create it first, or choose another."
        )
    if force or not path.exists():
        return path
    if library is not None and (
        _same(path.parent, library.parent / BACKUP_DIRNAME) or _BACKUP_NAME.search(path.name)
    ):
        raise InvalidInputError(
            f"{path} is a backup of the library.",
            hint="Choose another file, or add --force to replace it.",
        )
    head = _sniff(path)
    if not looks_like(kind, head):
        what = describe_content(head) or f"not a {kind} file"
        what = what if what.startswith("not ") else f"{what}, not a {kind} file"
        raise InvalidInputError(
            f"{path} exists and is {what}.",
            hint="Choose another file, or add --force to replace it.",
        )
    return path


def new_file_mode() -> int:
    """The permissions a newly created file gets here: ``0666`` less the process's umask."""
    umask = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    if umask is None:  # not Linux: read it the only portable way (and put it back at once)
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def write_atomic(target: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) to ``target`` atomically."""
    path = Path(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else new_file_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AppError(
            f"Cannot write {path}: {exc.strerror or exc}.",
            hint="Nothing was written there; free some space or choose another folder.",
        ) from exc
    return path
