"""What every command shares: the context (data folder, settings, the library opened on
first use, safe output streams), exit codes, and reading ids and text the user gave."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TextIO

from desktop_app.config import Settings, data_dir, db_path, load_settings
from desktop_app.domain import LOCAL_ID_PREFIX
from desktop_app.errors import InvalidInputError
from desktop_app.safetext import SafeStream
from desktop_app.store import Repository
from desktop_app.store.search import arxiv_id_in_query

# Exit codes (documented in the README): 2 is argparse's for a command line it cannot read, so
# a bug gets its own (EX_SOFTWARE from sysexits.h).
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 70, 130

Handler = Callable[["Context"], int]
AddCommand = Callable[[str, str, Handler], argparse.ArgumentParser]


class Context:
    """What every command gets: the data directory, settings and (lazily) the repository."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = data_dir(getattr(args, "data_dir", None))
        self.settings: Settings = load_settings(self.data_dir).effective()
        self._repo: Repository | None = None
        self._changes_at_open = 0
        # Nothing printed can act on the terminal (see desktop_app.safetext).
        self.out: TextIO = SafeStream(sys.stdout)  # type: ignore[assignment]
        self.err: TextIO = SafeStream(sys.stderr)  # type: ignore[assignment]

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = Repository.open(db_path(self.data_dir))
            self._changes_at_open = self._repo.changes()
        return self._repo

    def library_changed(self) -> bool:
        """Whether this command has written to the library."""
        return self._repo is not None and self._repo.changes() != self._changes_at_open

    def keep_exports_current(self) -> None:
        """After a command that changed the library: bring the auto-exported files up to date
        (one line each on standard error for a file rewritten or one that could not be)."""
        if not self.library_changed() or self.repo.read_only:
            return
        from desktop_app.library import autoexport

        for result in autoexport.refresh(self.repo, self.settings.cite_key_pattern):
            if result.error:
                self.err.write(f"daily-papers: warning: not updated: {result.error}\n")
            elif result.written:
                self.err.write(f"Updated {result.path} ({result.entries} entries).\n")

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()


def date_arg(text: str) -> date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def resolve_ids(refs: Sequence[str]) -> list[str]:
    """Accept ids, versioned ids and arxiv.org / huggingface.co URLs for stored papers."""
    ids = []
    for ref in refs:
        text = ref.strip().rstrip("/")
        if text.startswith(LOCAL_ID_PREFIX):
            ids.append(text)
            continue
        if "huggingface.co/papers/" in text:
            text = text.split("huggingface.co/papers/", 1)[1]
        found = arxiv_id_in_query(text)
        if found is None:
            raise InvalidInputError(
                f"{ref!r} is not an arXiv id or paper URL.", hint="Example: 2401.00001"
            )
        ids.append(found)
    return ids


def read_stdin_text(what: str, limit: int = 16 * 1024 * 1024) -> str:
    """Standard input as UTF-8 text, or InvalidInputError saying it is not."""
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputError(f"Standard input is too long for {what}.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"Standard input is not UTF-8 text, so {what} cannot be read from it.",
            hint="Convert it to UTF-8 first (e.g. with iconv).",
        ) from None


@contextmanager
def cancel_on_interrupt() -> Iterator[threading.Event]:
    """A cancel event set by Ctrl+C, so a retry wait or slow download stops at once."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def handler(signum: int, frame: Any) -> None:
        cancel.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)
    if cancel.is_set():
        raise KeyboardInterrupt
