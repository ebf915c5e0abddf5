"""The one text extractor for cached PDFs (pypdf), used by the window's jobs and the commands.

A PDF from the network can be anything: no text layer (a scan), encrypted, malformed, a
thousand pages, or built to make a parser loop. So :func:`extract_text` runs the extraction
in a child process (``python -m desktop_app.library.fulltext FILE MAX_PAGES``, which prints
JSON), with a time limit, a memory limit (on systems that have ``resource``) and a page cap
(:data:`MAX_PAGES`); the caller's cancel stops it at once. Whatever happens, the caller gets
an :class:`Extraction` — never an exception, never a hang:

- ``indexed``: text found (``texts`` holds each page's, in order);
- ``no_text``: the pages have no text layer (a scanned paper): it opens, but is not searchable;
- ``encrypted``: it needs a password to be read (one that opens without a password, with only
  an owner password, is read);
- ``failed``: malformed, the extractor gave up or crashed, or it took longer than the limit.

:class:`Extractor` does the same for many files with one child process (its start, ~0.3 s,
is most of the time a 15-page paper takes), replaced by a fresh one after a file that hung or
crashed it. :func:`extract_pages` is the extraction itself (in this process), for the child
and the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.errors import CancelledError, CancelToken

MAX_PAGES = 500  # pages beyond are not indexed (a 1,000-page thesis is searchable in its first)
TIMEOUT_S = 120.0  # for one file, all pages (a generated 200-page paper takes ~1 s)
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space the child may use
MIN_TEXT_CHARS = 16  # fewer letters and digits than this in the whole file: no text layer
_POLL_S = 0.1

STATES = ("indexed", "no_text", "encrypted", "failed")


@dataclass(frozen=True)
class Extraction:
    """What extracting a PDF's text gave (see the module's docstring for ``state``)."""

    state: str
    pages: int | None = None  # the document's number of pages, when it could be read
    texts: tuple[str, ...] = field(default=(), repr=False)  # page by page (≤ MAX_PAGES)
    reason: str = ""  # for ``failed`` and ``encrypted``: why, in a few words

    def describe(self) -> str:
        """One line for the user."""
        if self.state == "indexed":
            return f"{self.pages} pages indexed for full-text search."
        if self.state == "no_text":
            return "This PDF has no text layer (a scan?): it cannot be searched."
        if self.state == "encrypted":
            return "This PDF is encrypted: its text cannot be searched."
        return f"The text of this PDF could not be read ({self.reason or 'unknown error'})."


def extract_pages(path: Path, max_pages: int = MAX_PAGES) -> Extraction:
    """Extract the text of ``path``'s pages with pypdf, in this process (no time limit: use
    :func:`extract_text` for files from outside)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                return Extraction("encrypted", reason=f"unsupported encryption: {exc}")
            if not opened:
                return Extraction("encrypted", reason="it needs a password")
        count = len(reader.pages)
    except FileNotDecryptedError:
        return Extraction("encrypted", reason="it needs a password")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        return Extraction("failed", reason=f"malformed PDF: {_short(exc)}")
    texts: list[str] = []
    errors = 0
    for index in range(min(count, max_pages)):
        try:
            texts.append(reader.pages[index].extract_text() or "")
        except Exception:  # one bad page (a broken font or stream) must not lose the rest
            errors += 1
            texts.append("")
    letters = sum(ch.isalnum() for text in texts for ch in text)
    if letters >= MIN_TEXT_CHARS:
        return Extraction("indexed", count, tuple(texts))
    if count and errors == min(count, max_pages):
        return Extraction("failed", count, reason="no page could be read")
    return Extraction("no_text", count)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def command(path: Path, max_pages: int) -> list[str]:
    """The child process's command line."""
    return [sys.executable, "-m", "desktop_app.library.fulltext", str(path), str(max_pages)]


def _child_env() -> dict[str, str]:
    """The environment with this copy of ``desktop_app`` first on the path."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def extract_text(
    path: Path,
    *,
    timeout: float = TIMEOUT_S,
    max_pages: int = MAX_PAGES,
    cancel: CancelToken | None = None,
    argv: Sequence[str] | None = None,
) -> Extraction:
    """Extract ``path``'s text in a child process that is killed after ``timeout`` seconds
    (or as soon as ``cancel`` is set: :class:`CancelledError`). ``argv`` replaces the child's
    command (tests use it to stand in for a pathological file)."""
    args = list(argv) if argv is not None else command(path, max_pages)
    try:
        child = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(),
        )
    except OSError as exc:
        return Extraction("failed", reason=f"the extractor could not start: {exc.strerror}")
    waited = 0.0
    while True:
        try:
            out, err = child.communicate(timeout=_POLL_S)
            break
        except subprocess.TimeoutExpired:
            waited += _POLL_S
            cancelled = cancel is not None and cancel.is_set()
            if cancelled or waited >= timeout:
                child.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.communicate(timeout=5)
                if cancelled:
                    raise CancelledError("Cancelled.") from None
                return Extraction("failed", reason=f"it took longer than {timeout:g} s")
    if child.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        if child.returncode < 0 or "MemoryError" in last[0]:
            return Extraction("failed", reason="the extractor ran out of memory or crashed")
        return Extraction("failed", reason=f"the extractor failed: {last[0][:160]}")
    try:
        return _from_json(json.loads(out))
    except (ValueError, KeyError, TypeError):
        return Extraction("failed", reason="the extractor's answer could not be read")


class Extractor:
    """Extracts file after file in one child process (``… fulltext --serve``), with the same
    guarantees as :func:`extract_text`: a file that takes longer than ``timeout`` or crashes
    the child is a ``failed`` extraction, the child is killed and the next file gets a new
    one; ``cancel`` kills it at once. A child is also replaced after ``files_per_child``
    files, so what a parser leaks cannot pile up. One per thread; close it (a context
    manager)."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_S,
        max_pages: int = MAX_PAGES,
        files_per_child: int = 50,
        argv: Sequence[str] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_pages = max_pages
        self.files_per_child = files_per_child
        self._argv = list(argv) if argv is not None else serve_command()
        self._child: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._served = 0

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (it ends on the end of its input; killed if it does not)."""
        child, self._child = self._child, None
        if child is None:
            return
        with contextlib.suppress(OSError):
            if child.stdin is not None:
                child.stdin.close()
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()

    def _kill(self) -> None:
        if self._child is not None:
            self._child.kill()
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
        )
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = child.stdout

        def read() -> None:  # ends at the child's end (its stdout closes)
            assert stdout is not None
            with contextlib.suppress(OSError, ValueError):
                for line in stdout:
                    lines.put(line)
            lines.put(b"")

        threading.Thread(target=read, name="pdf-extractor-reader", daemon=True).start()
        self._child, self._lines, self._served = child, lines, 0
        return child

    def extract(self, path: Path, cancel: CancelToken | None = None) -> Extraction:
        """The text of ``path`` (see :func:`extract_text`)."""
        if self._child is not None and self._served >= self.files_per_child:
            self.close()
        request = json.dumps({"path": str(path), "max_pages": self.max_pages}).encode() + b"\n"
        for attempt in (1, 2):  # a child that ended since its last file is replaced once
            try:
                child = self._child or self._start()
                assert child.stdin is not None
                child.stdin.write(request)
                child.stdin.flush()
                break
            except OSError as exc:
                self._kill()
                if attempt == 2:
                    reason = f"the extractor could not start: {exc.strerror or exc}"
                    return Extraction("failed", reason=reason)
        self._served += 1
        waited = 0.0
        while True:
            try:
                line = self._lines.get(timeout=_POLL_S)
                break
            except queue.Empty:
                waited += _POLL_S
                cancelled = cancel is not None and cancel.is_set()
                if cancelled or waited >= self.timeout:
                    self._kill()
                    if cancelled:
                        raise CancelledError("Cancelled.") from None
                    return Extraction("failed", reason=f"it took longer than {self.timeout:g} s")
        if not line:
            self._kill()
            return Extraction("failed", reason="the extractor ran out of memory or crashed")
        try:
            return _from_json(json.loads(line))
        except (ValueError, KeyError, TypeError):
            self._kill()
            return Extraction("failed", reason="the extractor's answer could not be read")


def serve_command() -> list[str]:
    return [sys.executable, "-m", "desktop_app.library.fulltext", "--serve"]


def _from_json(data: dict[str, object]) -> Extraction:
    pages = data["pages"]
    texts = data["texts"]
    if not isinstance(texts, list):
        raise TypeError("texts")
    return Extraction(
        str(data["state"]),
        None if pages is None else int(str(pages)),
        tuple(str(t) for t in texts),
        str(data["reason"]),
    )


def _to_json(result: Extraction) -> str:
    return json.dumps(
        {
            "state": result.state,
            "pages": result.pages,
            "texts": list(result.texts),
            "reason": result.reason,
        }
    )


def _serve() -> int:
    """The child of :class:`Extractor`: one JSON request a line in, one JSON answer out."""
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = extract_pages(Path(request["path"]), int(request["max_pages"]))
        except MemoryError:
            return 1  # the parent sees the end of the answers: a crash, a new child
        except Exception as exc:  # never take the loop down for one file
            result = Extraction("failed", reason=f"the extractor failed: {_short(exc)}")
        sys.stdout.write(_to_json(result) + "\n")
        sys.stdout.flush()
    return 0


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def main(argv: Sequence[str]) -> int:
    """The child: extract ``argv[0]`` (at most ``argv[1]`` pages) and print JSON; or, with
    ``--serve``, one file after another (:class:`Extractor`)."""
    _limit_memory()
    if argv[:1] == ["--serve"]:
        return _serve()
    sys.stdout.write(_to_json(extract_pages(Path(argv[0]), int(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
