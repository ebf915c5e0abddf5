"""Helpers for the source and sync tests: fixture files, a raw socket server, a recording
cancel token and a thread-leak check. Plain helpers, not pytest fixtures, so each test module
stays explicit about what it uses."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from desktop_app.domain import DailyAppearance, PaperRecord
from desktop_app.sources.arxiv import ArxivClient, ArxivFeed
from desktop_app.sources.hf import DailyPage, DailySort, HfClient
from desktop_app.sources.http import HttpClient

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


class RecordingCancel:
    """A cancel token that is never set and records every wait instead of sleeping.

    Lets a test check *how long* the client would have waited (Retry-After, backoff, the
    arXiv rate limit) without the test taking that long.
    """

    def __init__(self) -> None:
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0.0))
        return False


Action = bytes | Callable[[socket.socket], None]


class RawServer:
    """A TCP server on 127.0.0.1 for failures an HTTP server library will not produce.

    Each accepted connection reads one request, then gets the next scripted action (the last
    one repeats): ``bytes`` are sent as they are and the connection is closed — so
    ``b""`` drops the connection before any response and a short body under a larger
    ``Content-Length`` truncates it.
    """

    def __init__(self, *actions: Action) -> None:
        if not actions:
            raise ValueError("at least one action")
        self._actions = list(actions)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.requests: list[bytes] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="raw-server", daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        index = 0
        while True:
            conn, _ = self._listener.accept()
            with conn:
                if self._stopping:
                    return
                conn.settimeout(5)
                data = b""
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                self.requests.append(data)
                action = self._actions[min(index, len(self._actions) - 1)]
                index += 1
                with contextlib.suppress(OSError):
                    if callable(action):
                        action(conn)
                    else:
                        conn.sendall(action)

    def close(self) -> None:
        self._stopping = True
        # Wake the blocking accept() with one last connection.
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
            pass
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def http_response(
    body: bytes,
    status: str = "200 OK",
    content_type: str = "application/json",
    content_length: int | None = None,
    extra: str = "",
) -> bytes:
    """Raw bytes of an HTTP/1.1 response; ``content_length`` may lie on purpose."""
    length = len(body) if content_length is None else content_length
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n{extra}\r\n"
    )
    return head.encode() + body


@contextlib.contextmanager
def no_thread_leak(grace_s: float = 2.0) -> Iterator[None]:
    """Fail if the block leaves a thread running that was not there before it.

    Threads that end on their own get ``grace_s`` to do so (joined, not slept).
    """
    before = set(threading.enumerate())
    yield
    extra = [t for t in threading.enumerate() if t not in before]
    for thread in extra:
        thread.join(timeout=grace_s)
    alive = [t.name for t in extra if t.is_alive()]
    assert not alive, f"threads left running: {alive}"


# --------------------------------------------------------------------------- shared fixtures
# A pytest plugin (see tests/conftest.py): the network test modules use these by name.


@pytest.fixture
def no_leaked_threads() -> Iterator[None]:
    """Fails the test if it leaves a thread running (network tests opt in via pytestmark)."""
    with no_thread_leak():
        yield


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Slow handlers wait on this; it is set when the test ends so the server moves on."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """A client with short timeouts and one quick retry, so failure tests stay fast."""
    with HttpClient(timeout=2, retries=1, backoff=0.01, max_wait=0.05) as client:
        yield client


@pytest.fixture
def hf(http: HttpClient, httpserver: HTTPServer) -> HfClient:
    return HfClient(http, httpserver.url_for("/"), page_size=2)


@pytest.fixture
def arxiv(http: HttpClient, httpserver: HTTPServer) -> ArxivClient:
    return ArxivClient(http, httpserver.url_for("/"), min_interval=0)


@dataclasses.dataclass(frozen=True)
class DailyResult:
    """A whole daily list, read page by page (what ``fetch_daily`` stores)."""

    records: tuple[PaperRecord, ...]
    appearances: tuple[DailyAppearance, ...]
    pages: int


def daily(
    hf: HfClient,
    day: date | str | None = None,
    *,
    week: str | None = None,
    month: str | None = None,
    sort: DailySort = "publishedAt",
    cancel: Any = None,
    on_page: Callable[[DailyPage], None] | None = None,
) -> DailyResult:
    """Every page of a daily list together; ``on_page`` sees each page as it arrives."""
    records: list[PaperRecord] = []
    appearances: list[DailyAppearance] = []
    pages = 0
    for page in hf.iter_daily(day, week, month, sort, cancel):
        pages += 1
        records.extend(page.records)
        appearances.extend(page.appearances)
        if on_page is not None:
            on_page(page)
    return DailyResult(tuple(records), tuple(appearances), pages)


def query(arxiv: ArxivClient, search_query: str, start: int = 0, max_results: int = 100, **kw: Any):
    """All pages of an arXiv API query together (what ``fetch_arxiv_query`` stores)."""
    records: list[PaperRecord] = []
    total = None
    for page in arxiv.iter_query(search_query, start, max_results, **kw):
        records.extend(page.records)
        total = page.total_results if page.total_results is not None else total
    return ArxivFeed(tuple(records), total)
