"""HttpClient against a real loopback server: every failure of API_FORMATS.md section 3."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from sources_support import RawServer, RecordingCancel, fixture_bytes, http_response
from werkzeug import Request, Response

from desktop_app import __version__
from desktop_app.config import Settings
from desktop_app.errors import (
    BadResponseError,
    CancelledError,
    FetchTimeoutError,
    InvalidInputError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServerError,
)
from desktop_app.sources.http import (
    HttpClient,
    RateLimiter,
    describe_wait,
    parse_ratelimit,
    parse_retry_after,
)

HTML = fixture_bytes("maintenance.html")

pytestmark = pytest.mark.usefixtures("no_leaked_threads")


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(timeout=2, retries=2, backoff=0.01, max_wait=0.05) as http:
        yield http


def _requests(server: HTTPServer) -> int:
    return len(server.log)


# --------------------------------------------------------------------------- success path


def test_sends_user_agent_and_accept_and_returns_body(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/api/x", query_string="a=1").respond_with_json([1, 2])
    resp = client.get(httpserver.url_for("/api/x"), {"a": 1})
    assert resp.json() == [1, 2]
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == f"daily-papers/{__version__} (+desktop app)"
    assert request.headers["Accept"] == "application/json"


def test_from_settings_uses_the_configured_timeout() -> None:
    with HttpClient.from_settings(Settings(request_timeout_s=7.5)) as http:
        assert http.timeout == 7.5
        assert http.connect_timeout == 7.5


def test_next_link_is_resolved_against_the_request_url(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/list").respond_with_json(
        [], headers={"Link": '</list?p=2>; rel="next", </list?p=9>; rel="last"'}
    )
    resp = client.get(httpserver.url_for("/list"))
    assert resp.next_link() == httpserver.url_for("/list?p=2")


# --------------------------------------------------------------------------- 5xx


def test_500_is_retried_then_reported_as_server_error(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_data("oops", status=500)
    with pytest.raises(ServerError) as info:
        client.get(httpserver.url_for("/x"))
    message = str(info.value)
    assert f"localhost:{httpserver.port}" in message
    assert "HTTP 500" in message
    assert "try again" in message
    assert "\n" not in message
    assert _requests(httpserver) == 3  # one try and two retries


def test_first_request_fails_then_succeeds(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data("down", status=500)
    httpserver.expect_request("/x").respond_with_json({"ok": True})
    assert client.get(httpserver.url_for("/x")).json() == {"ok": True}
    assert _requests(httpserver) == 2


def test_503_with_retry_after_waits_what_the_server_asked(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "busy", status=503, headers={"Retry-After": "2"}
    )
    httpserver.expect_request("/x").respond_with_json([])
    cancel = RecordingCancel()
    with HttpClient(retries=2, backoff=0.01, max_wait=30) as http:
        assert http.get(httpserver.url_for("/x"), cancel=cancel).json() == []
    assert cancel.waits == [2.0]


def test_503_exhausted_says_when_to_retry(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "busy", status=503, headers={"Retry-After": "5"}
    )
    cancel = RecordingCancel()
    with HttpClient(retries=1, max_wait=30) as http, pytest.raises(ServerError) as info:
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert "HTTP 503" in str(info.value)
    assert "try again in 5 s" in str(info.value)
    assert cancel.waits == [5.0]


def test_html_error_page_with_502_is_a_bad_response(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_data(HTML, status=502, content_type="text/html")
    with pytest.raises(BadResponseError) as info:
        client.get(httpserver.url_for("/x"))
    assert "error page (HTTP 502)" in str(info.value)
    assert "maintenance" in str(info.value)
    assert _requests(httpserver) == 3


# --------------------------------------------------------------------------- 429


def test_429_with_retry_after_is_retried_then_succeeds(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/x").respond_with_json([1])
    cancel = RecordingCancel()
    with HttpClient(retries=3, max_wait=30) as http:
        assert http.get(httpserver.url_for("/x"), cancel=cancel).json() == [1]
    assert cancel.waits == [7.0]


def test_429_with_hf_ratelimit_header_waits_until_reset(httpserver: HTTPServer) -> None:
    headers = {
        "RateLimit": '"api";r=0;t=12',
        "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
        "Retry-After": "99",  # RateLimit wins, as in huggingface_hub
    }
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {"error": "Too many requests"}, status=429, headers=headers
    )
    httpserver.expect_request("/x").respond_with_json([])
    cancel = RecordingCancel()
    with HttpClient(retries=3, max_wait=30) as http:
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert cancel.waits == [12.0]


def test_429_exhausted_raises_rate_limited_with_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "Rate exceeded.", status=429, headers={"RateLimit": '"api";r=0;t=20'}
    )
    cancel = RecordingCancel()
    with HttpClient(retries=2, max_wait=30) as http, pytest.raises(RateLimitedError) as info:
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert info.value.retry_after == 20.0
    assert "Try again in 20 s" in str(info.value)
    assert f"localhost:{httpserver.port}" in str(info.value)
    assert cancel.waits == [20.0, 20.0]
    assert _requests(httpserver) == 3


def test_429_asking_for_longer_than_the_cap_fails_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "300"}
    )
    cancel = RecordingCancel()
    with HttpClient(retries=3, max_wait=30) as http, pytest.raises(RateLimitedError) as info:
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert info.value.retry_after == 300.0
    assert "in 5 minutes" in str(info.value)
    assert cancel.waits == []  # never slept
    assert _requests(httpserver) == 1


def test_429_with_an_http_date_retry_after(httpserver: HTTPServer) -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    httpserver.expect_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    with HttpClient(retries=3, max_wait=30) as http, pytest.raises(RateLimitedError) as info:
        http.get(httpserver.url_for("/x"), cancel=RecordingCancel())
    assert info.value.retry_after is not None
    assert 100 < info.value.retry_after <= 120


def test_429_without_headers_backs_off_exponentially_capped(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("Rate exceeded.", status=429)
    cancel = RecordingCancel()
    with HttpClient(retries=4, backoff=1, max_wait=3) as http, pytest.raises(RateLimitedError):
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert cancel.waits == [1.0, 2.0, 3.0, 3.0]


def test_a_persistent_retry_after_zero_still_backs_off(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    cancel = RecordingCancel()
    with HttpClient(retries=3, backoff=1, max_wait=30) as http, pytest.raises(RateLimitedError):
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert cancel.waits == [1.0, 2.0, 4.0]  # our backoff is the floor, never 0 s
    assert _requests(httpserver) == 4


def test_arxivs_503_rate_exceeded_is_a_rate_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        "Rate exceeded.", status=503, content_type="text/plain"
    )
    with HttpClient(retries=1, backoff=0.01) as http, pytest.raises(RateLimitedError) as info:
        http.get(httpserver.url_for("/api/query"), cancel=RecordingCancel())
    message = str(info.value)
    assert "is limiting requests (HTTP 503: Rate exceeded)." in message
    assert ".." not in message and "server error" not in message


class _Clock:
    """A monotonic clock that a recorded wait advances, as a real wait would."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _ClockedCancel(RecordingCancel):
    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.clock = clock

    def wait(self, timeout: float | None = None) -> bool:
        self.clock.now += float(timeout or 0)
        return super().wait(timeout)


def test_one_fetch_has_a_total_time_budget(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "busy", status=503, headers={"Retry-After": "20"}
    )
    clock = _Clock()
    cancel = _ClockedCancel(clock)
    with HttpClient(retries=10, max_wait=30, budget=50, clock=clock) as http:
        with pytest.raises(FetchTimeoutError) as info:
            http.get(httpserver.url_for("/x"), cancel=cancel)
        assert cancel.waits == [20.0, 20.0]  # a third wait would pass the 50 s budget
        assert "after 50 s, the most one fetch may take" in str(info.value)
        assert "HTTP 503" in str(info.value)  # and what the last try met
        with pytest.raises(FetchTimeoutError):  # the budget is for the whole fetch
            http.get(httpserver.url_for("/x"), cancel=cancel)
        http.start_budget()  # a new fetch (the window's next job) gets a new budget
        httpserver.clear()
        httpserver.expect_request("/x").respond_with_json([])
        assert http.get(httpserver.url_for("/x"), cancel=cancel).json() == []


# --------------------------------------------------------------------------- 4xx


def test_404_is_not_found_and_not_retried(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api/papers/1234.56789").respond_with_json(
        {"error": "Paper not found"}, status=404
    )
    with pytest.raises(NotFoundError) as info:
        client.get(httpserver.url_for("/api/papers/1234.56789"))
    assert "Paper not found" in str(info.value)
    assert _requests(httpserver) == 1


def test_400_carries_the_servers_message(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_data(
        fixture_bytes("hf_error_400.json"), status=400, content_type="application/json"
    )
    with pytest.raises(InvalidInputError) as info:
        client.get(httpserver.url_for("/x"))
    assert "Invalid date: 2031-01-05 is in the future" in str(info.value)
    assert _requests(httpserver) == 1


def test_error_message_from_x_error_message_header(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "", status=400, headers={"X-Error-Message": "Too big: expected number to be <=100"}
    )
    with pytest.raises(InvalidInputError, match="expected number to be <=100"):
        client.get(httpserver.url_for("/x"))


# --------------------------------------------------------------------------- bad bodies


def test_invalid_json_is_a_bad_response(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_data(
        '[{"paper": {"id": "2401.0', content_type="application/json"
    )
    resp = client.get(httpserver.url_for("/x"))
    with pytest.raises(BadResponseError, match="invalid JSON"):
        resp.json()


def test_html_page_with_status_200_is_a_bad_response(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(BadResponseError, match="web page instead of JSON"):
        client.get(httpserver.url_for("/x"))


def test_html_page_served_as_json_is_still_detected(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_data(HTML, content_type="application/json")
    with pytest.raises(BadResponseError, match="web page"):
        client.get(httpserver.url_for("/x"), expect="xml")


def test_empty_body_is_a_bad_response(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_data(b"", content_type="application/json")
    with pytest.raises(BadResponseError, match="empty answer"):
        client.get(httpserver.url_for("/x"))


def test_empty_list_is_fine(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_json([])
    assert client.get(httpserver.url_for("/x")).json() == []


def test_body_larger_than_the_limit_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data(b"[" + b"1," * 5000 + b"1]")
    with (
        HttpClient(max_bytes=1024) as http,
        pytest.raises(BadResponseError, match="more than 1024 bytes"),
    ):
        http.get(httpserver.url_for("/x"))


# --------------------------------------------------------------------------- raw sockets


def test_truncated_body_is_retried_then_reported(client: HttpClient) -> None:
    short = http_response(b'[{"id": "2401', content_length=200)
    with RawServer(short) as server, pytest.raises(BadResponseError) as info:
        client.get(server.url("/x"))
    assert "cut off" in str(info.value)
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert len(server.requests) == 3


def test_truncated_body_then_complete_answer(client: HttpClient) -> None:
    short = http_response(b'[{"id": "2401', content_length=200)
    with RawServer(short, http_response(b"[1, 2]")) as server:
        assert client.get(server.url("/x")).json() == [1, 2]
        assert len(server.requests) == 2


def test_broken_chunked_body_is_a_bad_response(client: HttpClient) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n10\r\n[1, 2, 3"
    )
    with RawServer(chunked) as server, pytest.raises(BadResponseError, match="cut off"):
        client.get(server.url("/x"))


def test_connection_closed_before_any_response(client: HttpClient) -> None:
    with RawServer(b"") as server, pytest.raises(BadResponseError) as info:
        client.get(server.url("/x"))
    assert "closed the connection without answering" in str(info.value)
    assert len(server.requests) == 3


def test_connection_closed_mid_body_then_success(client: HttpClient) -> None:
    def half_then_close(conn: socket.socket) -> None:
        conn.sendall(http_response(b"[1, 2, 3, 4]", content_length=12)[:-6])

    with RawServer(half_then_close, http_response(b"[5]")) as server:
        assert client.get(server.url("/x")).json() == [5]


def test_connection_refused_is_offline(client: HttpClient) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(OfflineError) as info:
        client.get(f"http://127.0.0.1:{port}/x")
    assert "Cannot connect to" in str(info.value)
    assert "internet connection" in str(info.value)


def test_unresolvable_host_is_offline() -> None:
    with HttpClient(retries=0, timeout=2) as http, pytest.raises(OfflineError) as info:
        http.get("http://daily-papers-test.invalid/api/daily_papers")
    assert "daily-papers-test.invalid" in str(info.value)


# --------------------------------------------------------------------------- slow and cancel


def test_slow_response_times_out_quickly_and_is_not_retried(
    httpserver: HTTPServer, release: threading.Event
) -> None:
    def slow(_request: Request) -> Response:
        release.wait(5)
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with HttpClient(timeout=0.3, retries=3) as http, pytest.raises(FetchTimeoutError) as info:
        http.get(httpserver.url_for("/slow"))
    assert time.monotonic() - started < 4  # retrying would take ~8 s with its backoff
    assert "did not answer within 0.3 s" in str(info.value)
    assert _requests(httpserver) <= 1


def test_trickling_server_hits_the_overall_deadline(
    httpserver: HTTPServer, release: threading.Event
) -> None:
    def trickle(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"["
            for _ in range(100):
                release.wait(0.05)  # one byte every 50 ms: never a read timeout
                yield b"1,"
            yield b"1]"

        return Response(body(), content_type="application/json")

    httpserver.expect_request("/trickle").respond_with_handler(trickle)
    started = time.monotonic()
    with (
        HttpClient(timeout=1, total_timeout=0.4, retries=0) as http,
        pytest.raises(FetchTimeoutError, match=r"took more than 0\.4 s"),
    ):
        http.get(httpserver.url_for("/trickle"))
    assert time.monotonic() - started < 1.5


def _cancel_after(seconds: float) -> tuple[threading.Event, threading.Timer]:
    cancel = threading.Event()
    timer = threading.Timer(seconds, cancel.set)
    timer.start()
    return cancel, timer


def test_cancel_while_waiting_for_headers(httpserver: HTTPServer, release: threading.Event) -> None:
    def slow(_request: Request) -> Response:
        release.wait(10)
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    cancel, timer = _cancel_after(0.2)
    started = time.monotonic()
    with HttpClient(timeout=10) as http, pytest.raises(CancelledError):
        http.get(httpserver.url_for("/slow"), cancel=cancel)
    assert time.monotonic() - started < 5  # not the server's 10 s
    timer.join()


def test_cancel_while_reading_a_slow_body(httpserver: HTTPServer, release: threading.Event) -> None:
    def slow_body(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"[1,"
            release.wait(10)
            yield b"2]"

        return Response(body(), content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow_body)
    cancel, timer = _cancel_after(0.2)
    started = time.monotonic()
    with HttpClient(timeout=10) as http, pytest.raises(CancelledError):
        http.get(httpserver.url_for("/slow"), cancel=cancel)
    assert time.monotonic() - started < 5  # not the server's 10 s
    timer.join()


def test_cancel_during_backoff(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("busy", status=503)
    cancel, timer = _cancel_after(0.2)
    started = time.monotonic()
    with (
        HttpClient(retries=5, backoff=20, max_wait=20) as http,
        pytest.raises(CancelledError),
    ):
        http.get(httpserver.url_for("/x"), cancel=cancel)
    assert time.monotonic() - started < 10  # not the 20 s backoff
    assert _requests(httpserver) == 1
    timer.join()


def test_already_cancelled_sends_nothing(httpserver: HTTPServer, client: HttpClient) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        client.get(httpserver.url_for("/x"), cancel=cancel)
    assert _requests(httpserver) == 0


def test_client_still_works_after_a_cancelled_request(
    httpserver: HTTPServer, release: threading.Event
) -> None:
    def slow(_request: Request) -> Response:
        release.wait(10)
        return Response("[]", content_type="application/json")

    httpserver.expect_oneshot_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/fast").respond_with_json([42])
    cancel, timer = _cancel_after(0.1)
    with HttpClient(timeout=10) as http:
        with pytest.raises(CancelledError):
            http.get(httpserver.url_for("/slow"), cancel=cancel)
        timer.join()
        release.set()  # let the (single-threaded) server finish the abandoned request
        assert http.get(httpserver.url_for("/fast")).json() == [42]


# --------------------------------------------------------------------------- rate limiter


def test_rate_limiter_spaces_requests() -> None:
    limiter = RateLimiter(5.0)
    cancel = RecordingCancel()
    limiter.wait(cancel)
    limiter.wait(cancel)
    assert len(cancel.waits) == 1
    assert 4.0 < cancel.waits[0] <= 5.0


def test_rate_limiter_wait_is_cancellable() -> None:
    limiter = RateLimiter(30.0)
    limiter.wait()
    cancel, timer = _cancel_after(0.1)
    started = time.monotonic()
    with pytest.raises(CancelledError):
        limiter.wait(cancel)
    assert time.monotonic() - started < 10  # not the limiter's 30 s
    timer.join()


# --------------------------------------------------------------------------- header parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"api";r=0;t=55', 55.0),
        ('"api";r=12;t=55', None),
        ('"api";r=0;t=5, "pages";r=0;t=30', 30.0),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_ratelimit(value: str | None, expected: float | None) -> None:
    assert parse_ratelimit(value) == expected


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2026, 3, 6, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Fri, 06 Mar 2026 12:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Fri, 06 Mar 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_describe_wait() -> None:
    assert describe_wait(None) == "in a few minutes"
    assert describe_wait(0.2) == "in 1 s"
    assert describe_wait(45) == "in 45 s"
    assert describe_wait(300) == "in 5 minutes"
