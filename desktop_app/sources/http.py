"""One place for robust HTTP: timeouts, retries, rate limits, cancellation, readable errors.

Every remote call of the app goes through :class:`HttpClient` so that the failures listed in
``API_FORMATS.md`` section 3 (slow or dropped connections, 429/5xx, HTML maintenance pages,
truncated or empty bodies) are handled once, the same way, and reach the user as an
:class:`~desktop_app.errors.FetchError` whose message says what happened and what to do.

Threads: a ``requests.Session`` is not thread-safe, so create **one HttpClient per thread**
(the GUI worker owns one, the CLI another) and :meth:`HttpClient.close` it in that thread.

Cancellation: every call takes a ``cancel`` object with ``is_set()`` and ``wait(timeout)``
(a :class:`threading.Event` in practice). Waits between retries are ``cancel.wait(delay)``;
while a request is in flight a small watchdog thread shuts the socket down as soon as
``cancel`` is set, so even a server that is slow to send its headers or its body cannot keep
the caller for more than a fraction of a second after the user pressed Cancel. The same
watchdog enforces an overall deadline per attempt, which a server trickling one byte per
read timeout would otherwise dodge.
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import IncompleteRead, RemoteDisconnected
from typing import Any, Literal, Protocol
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import parse_header_links
from urllib3.exceptions import NameResolutionError, NewConnectionError, ReadTimeoutError

from desktop_app import __version__
from desktop_app.config import Settings
from desktop_app.errors import (
    BadResponseError,
    CancelledError,
    CancelToken,
    FetchError,
    FetchTimeoutError,
    InvalidInputError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServerError,
    check_cancel,
)

USER_AGENT = f"daily-papers/{__version__} (+desktop app)"
DEFAULT_BUDGET_S = 300.0  # one fetch in all, retries and waits included
Expect = Literal["json", "xml", "bibtex", "image", "pdf"]

_ACCEPT = {
    "json": "application/json",
    "xml": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
    "bibtex": "application/x-bibtex, text/plain;q=0.9, */*;q=0.5",
    "image": "image/png, image/jpeg, image/webp, image/gif;q=0.9",
    "pdf": "application/pdf, */*;q=0.5",
}
_CHUNK = 64 * 1024
_ERROR_BODY_LIMIT = 64 * 1024  # enough for any error message; never buffer a huge error page
_WATCHDOG_POLL_S = 0.05
_HEAD_BYTES = 1024  # what a streamed download keeps in memory: enough to tell a web page


class BodySink(Protocol):
    """Where :meth:`HttpClient.download` writes a body as it arrives (a temporary file)."""

    def restart(self) -> None:
        """A new attempt begins: forget whatever an earlier, failed one wrote."""

    def write(self, chunk: bytes) -> None:
        """Take the next piece of the body (an ``OSError``, a full disk, ends the download)."""


@dataclass(frozen=True)
class _Stream:
    """How one download differs from a plain GET: the body goes to ``sink`` piece by piece,
    with ``progress(done, total)`` (total 0 when the server does not say), and an attempt
    may take ``attempt_timeout`` seconds."""

    sink: BodySink
    progress: Callable[[int, int], None] | None
    attempt_timeout: float | None


class _NeverCancelled:
    """The ``cancel`` of callers that pass none: never set; waiting is a plain bounded sleep."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        self._event.wait(timeout)
        return False


class RateLimiter:
    """At most one request per ``min_interval`` seconds (arXiv asks for one every three).

    Thread-safe; the wait is ``cancel.wait`` so a cancelled caller leaves at once.
    """

    def __init__(self, min_interval: float) -> None:
        self.min_interval = max(0.0, float(min_interval))
        self._lock = threading.Lock()
        self._next = 0.0  # monotonic time before which no request may start

    def wait(self, cancel: CancelToken | None = None) -> None:
        token = cancel or _NeverCancelled()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.min_interval
        delay = start - now
        if delay > 0 and token.wait(delay):
            raise CancelledError("Cancelled.")
        check_cancel(token)


# --------------------------------------------------------------------------- responses


def host_of(url: str) -> str:
    """The host (and port) a message names: ``huggingface.co`` or ``127.0.0.1:8080``."""
    return urlsplit(url).netloc or url


def looks_like_html(content: bytes, content_type: str = "") -> bool:
    """True for a web page (an error or maintenance page) rather than data."""
    if "html" in content_type.lower():
        return True
    head = content[:512].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    return head.startswith((b"<!doctype html", b"<html"))


@dataclass(frozen=True)
class HttpResponse:
    """A complete, successful (2xx) answer: the body is fully read and non-empty."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON, or :class:`BadResponseError` naming the host."""
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise BadResponseError(
                f"{self.host} sent malformed data (invalid JSON).",
                hint="The service may be having problems; try again later.",
            ) from exc

    def next_link(self) -> str | None:
        """The absolute URL of the ``Link: <…>; rel="next"`` header, if any."""
        value = self.headers.get("Link")
        if not value:
            return None
        for link in parse_header_links(value):
            if "next" in link.get("rel", "").split() and link.get("url"):
                return urljoin(self.url, link["url"])
        return None


# --------------------------------------------------------------------------- header parsing


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: integer seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_RL_REMAINING = re.compile(r"(?:^|;)\s*r\s*=\s*(\d+)")
_RL_RESET = re.compile(r"(?:^|;)\s*t\s*=\s*(\d+)")


def parse_ratelimit(value: str | None) -> float | None:
    """Seconds until the quota resets when HF's ``RateLimit`` header says none is left.

    Format (IETF draft used by the Hub): ``"api";r=<remaining>;t=<seconds to reset>``,
    possibly several policies separated by commas. ``None`` unless some policy has ``r=0``.
    """
    if not value:
        return None
    waits = []
    for item in value.split(","):
        remaining, reset = _RL_REMAINING.search(item), _RL_RESET.search(item)
        if remaining and reset and int(remaining.group(1)) == 0:
            waits.append(float(reset.group(1)))
    return max(waits) if waits else None


def server_wait(headers: Mapping[str, str]) -> float | None:
    """How long the server asked us to wait (``RateLimit`` first, as huggingface_hub does)."""
    wait = parse_ratelimit(headers.get("RateLimit"))
    if wait is None:
        wait = parse_retry_after(headers.get("Retry-After"))
    return wait


def describe_wait(seconds: float | None) -> str:
    """``"in 45 s"``, ``"in 5 minutes"`` or ``"in a few minutes"`` for a message."""
    if seconds is None:
        return "in a few minutes"
    if seconds < 90:
        return f"in {max(1, round(seconds))} s"
    return f"in {round(seconds / 60)} minutes"


# arXiv's error feed (an HTTP 400 since 2026, HTTP 200 before): one Atom entry whose id is
# ``…/api/errors#…`` and whose summary holds the message ("incorrect id format for abc").
_ATOM_ERROR_RE = re.compile(
    rb"<entry\b.*?<id>[^<]*/api/errors#[^<]*</id>.*?<summary[^>]*>([^<]{1,500})</summary>",
    re.DOTALL,
)


def _atom_error(content: bytes) -> str | None:
    """The message of arXiv's Atom error entry in ``content``, if it is one."""
    if b"/api/errors" not in content[:4000]:
        return None
    m = _ATOM_ERROR_RE.search(content[:20000])
    if not m:
        return None
    return html.unescape(m.group(1).decode("utf-8", errors="replace")).strip() or None


def error_detail(content: bytes, headers: Mapping[str, str]) -> str | None:
    """The server's own one-line explanation of an error, if it gave one.

    The Hub sends ``{"error": "…"}`` (sometimes a list, or ``error_description``) and repeats
    it in ``X-Error-Message``; arXiv an Atom feed whose one entry holds the message
    (``incorrect id format for abc``) or, when it limits requests, a short plain-text body
    (``Rate exceeded.``).
    """
    message: Any = _atom_error(content)
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if isinstance(data, dict) and not message:
        message = data.get("error") or data.get("error_description") or data.get("message")
        if isinstance(message, list):
            message = "; ".join(str(m) for m in message if m)
    if not message:
        message = headers.get("X-Error-Message")
    if not message and content and not looks_like_html(content, headers.get("Content-Type", "")):
        text = content[:300].decode("utf-8", errors="replace").strip()
        if text and not text.startswith(("<", "{", "[")):
            message = text
    if not message:
        return None
    return " ".join(str(message).split())[:300] or None


# --------------------------------------------------------------------------- socket watchdog

_local = threading.local()


class _Watchdog:
    """Shuts the in-flight socket down when ``cancel`` is set or the attempt's deadline passes.

    Shutting a socket down from another thread is the one portable way to wake a thread
    blocked in ``recv``; requests then raises, and the caller turns that into
    :class:`CancelledError` or :class:`FetchTimeoutError` by looking at :attr:`reason`.
    """

    def __init__(self, cancel: CancelToken, deadline: float) -> None:
        self._cancel = cancel
        self._deadline = deadline
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._finished = threading.Event()
        self.reason: str | None = None  # "cancelled" or "deadline" once fired
        self._thread = threading.Thread(target=self._run, name="http-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        _local.watchdog = self
        return self

    def __exit__(self, *exc: object) -> None:
        _local.watchdog = None
        self._finished.set()
        with self._lock:
            self._sock = None
        self._thread.join()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            if self._finished.is_set() or sock is None:
                return
            self._sock = sock
            if self.reason:
                self._shutdown()

    def _run(self) -> None:
        while not self._finished.wait(_WATCHDOG_POLL_S):
            if self._cancel.is_set():
                reason = "cancelled"
            elif time.monotonic() >= self._deadline:
                reason = "deadline"
            else:
                continue
            with self._lock:
                self.reason = reason
                self._shutdown()
            return

    def _shutdown(self) -> None:
        if self._sock is not None:
            # OSError: already closed, nothing left to interrupt.
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)


class _WatchedMixin:
    """Hands the connection's socket to the thread's watchdog just before blocking on it."""

    sock: socket.socket | None

    def getresponse(self) -> Any:
        watchdog = getattr(_local, "watchdog", None)
        if watchdog is not None:
            watchdog.attach(self.sock)
        return super().getresponse()  # type: ignore[misc]


class _HTTPConnection(_WatchedMixin, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_WatchedMixin, urllib3.connection.HTTPSConnection):
    pass


class _HTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOL_CLASSES = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose connections report their socket to the watchdog (see above)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager


# --------------------------------------------------------------------------- the client


class _RetryableError(Exception):
    """One attempt failed in a way worth retrying; ``error`` is what to raise if we stop."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait  # what the server asked for, if it said


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it wraps (requests → urllib3 → socket errors)."""
    seen: list[BaseException] = []
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None)])
        stack.extend(item.args)
    return seen


class HttpClient:
    """GETs with timeouts, bounded retries, rate-limit handling and cancellation.

    Args:
        timeout: read timeout in seconds (per socket read); the connect timeout is the
            smaller of this and ``connect_timeout``.
        connect_timeout: upper bound of the connect timeout.
        total_timeout: deadline for one attempt, headers and body together (default: four
            times ``timeout``, at least 60 s), so a trickling server cannot stall us.
        retries: how many times a failed attempt is retried (connection errors, dropped or
            truncated answers, 429 and 5xx). A read timeout is not retried: the user would
            wait several timeouts for the same answer.
        backoff: first wait between retries; doubled each time, capped at ``max_wait``.
        max_wait: the longest single wait. When a server asks for a longer pause
            (``Retry-After`` or ``RateLimit``) we do not wait at all but raise at once with
            the server's delay in the message and in ``RateLimitedError.retry_after``.
        max_bytes: the largest body accepted.
        budget: seconds one fetch (a command, or one job of the window's worker) may take
            in all, retries and waits included; counted from construction or from the last
            :meth:`start_budget`. ``None``: no limit.
        clock: the monotonic clock the budget is measured with (tests pass their own).

    Create one per thread (``requests.Session`` is not thread-safe) and close it there.
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        total_timeout: float | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        max_bytes: int = 64 * 1024 * 1024,
        user_agent: str = USER_AGENT,
        budget: float | None = DEFAULT_BUDGET_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = float(timeout)
        self.connect_timeout = min(float(connect_timeout), self.timeout)
        self.total_timeout = float(total_timeout) if total_timeout else max(60.0, 4 * self.timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_wait = max(0.0, float(max_wait))
        self.max_bytes = int(max_bytes)
        self.budget = float(budget) if budget else None
        self._clock = clock
        self._budget_end: float | None = None
        self.start_budget()
        self.session = requests.Session()
        adapter = _WatchedAdapter(max_retries=0)  # retries are ours: see get()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> HttpClient:
        """A client with the timeout and the budget per fetch the user configured."""
        return cls(
            **{
                "timeout": settings.request_timeout_s,
                "budget": settings.fetch_budget_s,
                **overrides,
            }
        )

    def start_budget(self) -> None:
        """Start counting this fetch's time budget (a new command or job)."""
        self._budget_end = None if self.budget is None else self._clock() + self.budget

    def _remaining(self) -> float | None:
        return None if self._budget_end is None else self._budget_end - self._clock()

    def _over_budget(self, host: str, last: FetchError | None) -> FetchTimeoutError:
        why = f" The last try: {last.message}" if last is not None else ""
        return FetchTimeoutError(
            f"Gave up on {host} after {self.budget:g} s, the most one fetch may take.{why}",
            hint="The service may be slow or down; try again later.",
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public
    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        expect: Expect = "json",
        cancel: CancelToken | None = None,
        limiter: RateLimiter | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """GET ``url`` and return the complete 2xx answer, retrying what is worth retrying.

        Raises a :class:`FetchError` subclass (or :class:`CancelledError`) with a one-line
        message naming the host. An empty body or an HTML page where ``expect`` data was
        expected is a :class:`BadResponseError`; parsing the data is the caller's job.
        ``max_bytes`` lowers the client's limit on the body for this call (a thumbnail).
        """
        return self._request(url, params, expect, cancel, limiter, max_bytes, None)

    def download(
        self,
        url: str,
        sink: BodySink,
        *,
        expect: Expect = "pdf",
        max_bytes: int,
        cancel: CancelToken | None = None,
        progress: Callable[[int, int], None] | None = None,
        attempt_timeout: float | None = None,
    ) -> HttpResponse:
        """GET ``url`` streaming its body into ``sink`` as it arrives, with the retries, error
        mapping, cancelling and budget of :meth:`get`.

        ``max_bytes`` is this download's own limit (a larger ``Content-Length`` is refused
        before anything is read); ``attempt_timeout`` the longest one attempt may take (a
        big file over a slow line needs more than an API answer). The response's
        ``content`` holds only the body's first bytes (to tell what it is); an empty body or
        a web page is a :class:`BadResponseError` as for :meth:`get`. An ``OSError`` from
        the sink (a full disk) is raised as it is.
        """
        stream = _Stream(sink, progress, attempt_timeout)
        return self._request(url, None, expect, cancel, None, max_bytes, stream)

    def _request(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        expect: Expect,
        cancel: CancelToken | None,
        limiter: RateLimiter | None,
        max_bytes: int | None,
        stream: _Stream | None,
    ) -> HttpResponse:
        token: CancelToken = cancel if cancel is not None else _NeverCancelled()
        host = host_of(url)
        attempt = 0
        last: FetchError | None = None
        while True:
            check_cancel(token)
            if limiter is not None:
                limiter.wait(token)
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                raise self._over_budget(host, last)
            try:
                return self._attempt(url, params, expect, token, remaining, max_bytes, stream)
            except _RetryableError as failure:
                last = failure.error
                # Without a network, one quick second try covers a blip; more only keeps the
                # user waiting to learn that they are offline.
                offline = isinstance(failure.error, OfflineError)
                if attempt >= (min(self.retries, 1) if offline else self.retries):
                    raise failure.error from failure.__cause__
                if failure.wait is not None and failure.wait > self.max_wait:
                    # Sleeping that long would freeze the fetch; let the user (or a timer in
                    # the UI) come back when the server is ready.
                    raise failure.error from failure.__cause__
                # Our own backoff is a floor: a server saying "Retry-After: 0" again and
                # again must not get a burst of requests.
                delay = min(self.backoff * (2**attempt), self.max_wait)
                if offline:
                    delay = min(delay, 0.5)
                elif failure.wait is not None:
                    delay = max(delay, failure.wait)
                remaining = self._remaining()
                if remaining is not None and delay >= remaining:
                    raise self._over_budget(host, last) from failure.__cause__
                if token.wait(delay):
                    raise CancelledError("Cancelled.") from None
                attempt += 1

    # ------------------------------------------------------------------ one attempt
    def _attempt(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        expect: Expect,
        cancel: CancelToken,
        remaining: float | None = None,
        max_bytes: int | None = None,
        stream: _Stream | None = None,
    ) -> HttpResponse:
        host = host_of(url)
        most = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        total = self.total_timeout
        if stream is not None:  # a download sets its own limits
            most = self.max_bytes if max_bytes is None else max_bytes
            total = max(total, stream.attempt_timeout or 0.0)
        limit = total if remaining is None else min(total, remaining)
        with _Watchdog(cancel, time.monotonic() + limit) as watchdog:
            try:
                resp = self.session.get(
                    url,
                    params=params,
                    headers={"Accept": _ACCEPT[expect]},
                    timeout=(self.connect_timeout, self.timeout),
                    stream=True,
                )
            except requests.RequestException as exc:
                raise self._interrupted(watchdog, host) or self._map_exception(
                    exc, host, answered=False
                ) from exc
            try:
                limit = most if resp.ok else _ERROR_BODY_LIMIT
                content = self._read_body(resp, host, limit, cancel, stream if resp.ok else None)
            except requests.RequestException as exc:
                raise self._interrupted(watchdog, host) or self._map_exception(
                    exc, host, answered=True
                ) from exc
            finally:
                resp.close()
        # A shut-down socket reads as a clean end of file, and a body without Content-Length
        # ends exactly so: once the watchdog has fired, the body cannot be trusted.
        interrupted = self._interrupted(watchdog, host)
        if interrupted is not None:
            raise interrupted
        return self._check_response(resp, content, host, expect)

    def _interrupted(self, watchdog: _Watchdog, host: str) -> FetchError | CancelledError | None:
        if watchdog.reason == "cancelled":
            return CancelledError("Cancelled.")
        if watchdog.reason == "deadline":
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                return self._over_budget(host, None)
            return FetchTimeoutError(
                f"{host} took more than {self.total_timeout:g} s to answer.",
                hint="The service may be slow or down; try again later.",
            )
        return None

    def _read_body(
        self,
        resp: requests.Response,
        host: str,
        limit: int,
        cancel: CancelToken,
        stream: _Stream | None = None,
    ) -> bytes:
        """The body (or, streamed into ``stream.sink``, its first bytes)."""
        chunks: list[bytes] = []
        size = kept = 0
        expected = resp.headers.get("Content-Length", "")
        announced = int(expected) if expected.isdigit() else 0
        too_big = BadResponseError(
            f"{host} sent more than {_size(limit)}; refusing to read it.",
            hint="The address may be wrong; check the endpoint settings.",
        )
        if stream is not None:
            if announced > limit:
                raise too_big
            stream.sink.restart()
        for chunk in resp.iter_content(_CHUNK):
            check_cancel(cancel)
            size += len(chunk)
            if size > limit:
                if not resp.ok:
                    break  # the start of an error page is all we need
                raise too_big
            if stream is None:
                chunks.append(chunk)
                continue
            if kept < _HEAD_BYTES:
                chunks.append(chunk[: _HEAD_BYTES - kept])
                kept += len(chunks[-1])
            stream.sink.write(chunk)
            if stream.progress is not None:
                stream.progress(size, announced)
        content = b"".join(chunks)
        if (
            resp.ok
            and expected.isdigit()
            and not resp.headers.get("Content-Encoding")
            and size != int(expected)
        ):
            raise _RetryableError(self._truncated(host, f"got {size} of {expected} bytes"))
        return content

    def _truncated(self, host: str, detail: str = "") -> BadResponseError:
        extra = f" ({detail})" if detail else ""
        return BadResponseError(
            f"The answer from {host} was cut off{extra}.",
            hint="The connection is unreliable; try again.",
        )

    def _map_exception(
        self, exc: requests.RequestException, host: str, *, answered: bool
    ) -> BaseException:
        """A network exception as the user-facing error, wrapped in :class:`_RetryableError` if
        retrying may help."""
        causes = _causes(exc)
        if isinstance(exc, requests.ConnectTimeout):
            return _RetryableError(
                FetchTimeoutError(
                    f"{host} did not accept a connection within {self.connect_timeout:g} s.",
                    hint="Check your internet connection and try again.",
                )
            )
        if isinstance(exc, requests.ReadTimeout) or any(
            isinstance(c, ReadTimeoutError | TimeoutError) for c in causes
        ):
            return FetchTimeoutError(
                f"{host} did not answer within {self.timeout:g} s.",
                hint="The service may be slow or down; try again later.",
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return FetchError(
                f"A secure connection to {host} could not be established.",
                hint="Check the system clock and any proxy or firewall, then try again.",
            )
        if isinstance(exc, requests.exceptions.ProxyError):
            return _RetryableError(
                OfflineError(
                    f"Cannot reach {host} through the configured proxy.",
                    hint="Check the proxy settings (HTTPS_PROXY) and try again.",
                )
            )
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return BadResponseError(f"{host} sent a compressed answer that cannot be decoded.")
        if any(isinstance(c, NameResolutionError | socket.gaierror) for c in causes):
            return _RetryableError(
                OfflineError(
                    f"Cannot reach {host}: the host name could not be resolved.",
                    hint="Check your internet connection and try again.",
                )
            )
        if any(isinstance(c, NewConnectionError | ConnectionRefusedError) for c in causes):
            return _RetryableError(
                OfflineError(
                    f"Cannot connect to {host}.",
                    hint="Check your internet connection (or proxy) and try again.",
                )
            )
        if answered or any(isinstance(c, IncompleteRead) for c in causes):
            return _RetryableError(self._truncated(host))
        if isinstance(exc, requests.ConnectionError) or any(
            isinstance(c, RemoteDisconnected | ConnectionError) for c in causes
        ):
            return _RetryableError(
                BadResponseError(
                    f"{host} closed the connection without answering.",
                    hint="The service may be overloaded; try again in a few minutes.",
                )
            )
        return FetchError(f"The request to {host} failed ({type(exc).__name__}).")

    def _check_response(
        self, resp: requests.Response, content: bytes, host: str, expect: Expect
    ) -> HttpResponse:
        status = resp.status_code
        headers = CaseInsensitiveDict(resp.headers)
        ctype = headers.get("Content-Type", "")
        html = looks_like_html(content, ctype)
        kind = {"json": "JSON", "xml": "XML", "bibtex": "BibTeX", "image": "image", "pdf": "PDF"}[
            expect
        ]
        if 200 <= status < 300:
            if not content.strip():
                raise BadResponseError(
                    f"{host} sent an empty answer.",
                    hint="The service may be overloaded; try again in a minute.",
                )
            if html:
                raise BadResponseError(
                    f"{host} sent a web page instead of {kind} data.",
                    hint="The service may be down for maintenance; try again later.",
                )
            return HttpResponse(resp.url or "", status, headers, content)
        detail = error_detail(content, headers)
        said = f": {detail.rstrip('.')}" if detail else ""
        if status == 404:
            raise NotFoundError(
                f"{host} has no such resource (HTTP 404){said}.",
                hint="Check the id or address.",
            )
        if status == 429:
            wait = server_wait(headers)
            raise _RetryableError(
                RateLimitedError(
                    f"{host} is limiting requests (HTTP 429).",
                    retry_after=wait,
                    hint=f"Try again {describe_wait(wait)}.",
                ),
                wait,
            )
        if status in (400, 422):
            raise InvalidInputError(
                f"{host} rejected the request{said or f' (HTTP {status})'}.",
                hint="Check the date, id or query.",
            )
        if status >= 500:
            wait = server_wait(headers)
            if detail and "rate exceeded" in detail.lower():
                # arXiv's rate limit: a 503 whose body says "Rate exceeded."
                raise _RetryableError(
                    RateLimitedError(
                        f"{host} is limiting requests (HTTP {status}{said}).",
                        retry_after=wait,
                        hint=f"Try again {describe_wait(wait)}.",
                    ),
                    wait,
                )
            if html:
                error: FetchError = BadResponseError(
                    f"{host} sent an error page (HTTP {status}) instead of {kind} data.",
                    hint=f"The service may be down for maintenance; try again "
                    f"{describe_wait(wait)}.",
                )
            else:
                error = ServerError(
                    f"{host} had a server error (HTTP {status}){said}.",
                    hint=f"This is on their side; try again {describe_wait(wait)}.",
                )
            raise _RetryableError(error, wait)
        if status in (401, 403):
            raise FetchError(f"{host} refused access (HTTP {status}){said}.")
        raise FetchError(f"{host} answered with an unexpected HTTP {status}{said}.")
