"""What Help ▸ About shows and Help ▸ *Copy diagnostics* copies for a bug report: the version,
the library's path and size, the Qt and Python versions, and the last errors of the log.

The log (``daily-papers.log`` in the data folder, rotated at 1 MB, three old files kept;
written by ``ui/crash.py``) holds warnings and errors only: failed jobs and requests with
their message, and bugs with their traceback. Nothing there quotes a paper's note or
abstract, so the diagnostics can be pasted into a public bug report.
"""

from __future__ import annotations

import contextlib
import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop_app import APP_NAME, __version__

LOG_FILENAME = "daily-papers.log"
_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (\w+) ")
_SERIOUS = {"WARNING", "ERROR", "CRITICAL"}


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_FILENAME


def library_size(db: Path) -> int:
    """Bytes the library takes on disk: the database with its WAL and shared-memory files."""
    total = 0
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover (the loop returns)


def last_errors(log: Path, limit: int = 10, max_chars: int = 4000) -> list[str]:
    """The last ``limit`` warnings and errors of the log (the rotated file before it), each
    with its traceback, oldest first; long records are cut to ``max_chars``."""
    records: list[tuple[str, list[str]]] = []
    for path in (log.with_name(log.name + ".1"), log):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            m = _RECORD.match(line)
            if m:
                records.append((m.group(1), [line]))
            elif records:
                records[-1][1].append(line)
    serious = ["\n".join(lines) for level, lines in records if level in _SERIOUS]
    return [r if len(r) <= max_chars else r[: max_chars - 1] + "…" for r in serious[-limit:]]


@dataclass(frozen=True)
class AboutInfo:
    """What the About box says."""

    library: Path
    size: int
    papers: int
    qt_version: str
    pyside_version: str
    python_version: str = platform.python_version()
    system: str = f"{platform.system()} {platform.release()} ({platform.machine()})"
    version: str = __version__

    def lines(self) -> list[str]:
        return [
            f"{APP_NAME} {self.version}",
            f"Library: {self.library}",
            f"Size: {human_size(self.size)}, {self.papers} paper{'s' if self.papers != 1 else ''}",
            f"Qt {self.qt_version} (PySide6 {self.pyside_version})",
            f"Python {self.python_version} ({sys.executable})",
            f"System: {self.system}",
        ]


def diagnostics_text(info: AboutInfo, log: Path, limit: int = 10) -> str:
    """The About lines, the log's place and its last errors: for a bug report."""
    errors = last_errors(log, limit)
    parts = [*info.lines(), f"Log: {log}", ""]
    if errors:
        parts.append(f"Last {len(errors)} warnings and errors of the log:")
        parts += errors
    else:
        parts.append("The log has no warnings or errors.")
    return "\n".join(parts) + "\n"
