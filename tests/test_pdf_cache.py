"""The PDF cache against a real loopback server serving generated PDFs: downloads, versions,
answers that are no PDF, network faults, cancel, a full disk, the quota, delete and undo, and
the worker's jobs."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pdf_support import HTML_ERROR_PAGE, make_pdf, paper_pages, truncated
from pytest_httpserver import HTTPServer
from sources_support import RawServer, http_response
from werkzeug import Request, Response

from desktop_app.config import Settings
from desktop_app.domain import PaperRecord
from desktop_app.errors import (
    AppError,
    BadResponseError,
    CancelledError,
    FetchTimeoutError,
    InvalidInputError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServerError,
)
from desktop_app.library import pdfs as pdf_module
from desktop_app.library.jobs import JobContext
from desktop_app.library.pdf_jobs import (
    DownloadPdf,
    ExtractPendingText,
    ExtractText,
    FetchLibraryPdfs,
    PrunePdfs,
    cache_of,
)
from desktop_app.library.pdfs import PdfCache, file_name, is_pdf, pdf_url
from desktop_app.sources.http import HttpClient
from desktop_app.store import Repository

pytestmark = pytest.mark.usefixtures("no_leaked_threads")

PDF = make_pdf(pages=paper_pages(3, "transformer attention"))
PDF_V2 = make_pdf(pages=paper_pages(4, "mixture experts"))


@functools.cache
def big_pdf() -> bytes:
    """A PDF of 120 pages (~83 KB): more than one 64 KB chunk, more than a 64 KB disk."""
    return make_pdf(pages=paper_pages(120))


def record(paper_id: str, version: int | None = 1, title: str = "A paper") -> PaperRecord:
    return PaperRecord(
        id=paper_id,
        title=title,
        abstract="Abstract.",
        authors=("Ada Lovelace",),
        published=date(2024, 1, 2),
        version=version,
    )


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Repository]:
    data = tmp_path / "data"
    data.mkdir()
    repo = Repository.open(data / "library.sqlite3")
    repo.upsert_papers(
        [record("2401.00001", 1), record("2401.00002", None), record("hep-th/9901001", 2)]
    )
    yield repo
    repo.close()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(timeout=2, retries=1, backoff=0.01, max_wait=0.05) as http:
        yield http


def cache_files(repo: Repository) -> list[str]:
    folder = cache_of(repo).directory
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def base(httpserver: HTTPServer) -> str:
    return httpserver.url_for("/").rstrip("/")


# --------------------------------------------------------------------------- names and checks


def test_file_names_and_urls_follow_the_id_and_version() -> None:
    assert file_name("2401.00001", 2) == "2401.00001v2.pdf"
    assert file_name("2401.00001", None) == "2401.00001.pdf"
    assert file_name("hep-th/9901001", 1) == "hep-th_9901001v1.pdf"
    assert pdf_url("https://arxiv.org/", "2401.00001", 3) == "https://arxiv.org/pdf/2401.00001v3"
    assert pdf_url("https://arxiv.org", "hep-th/9901001", None).endswith("/pdf/hep-th/9901001")


def test_is_pdf_tells_whole_pdfs_from_the_rest() -> None:
    assert is_pdf(PDF)
    assert not is_pdf(truncated(PDF))
    assert not is_pdf(HTML_ERROR_PAGE)
    assert not is_pdf(b"")
    assert not is_pdf(b"\x89PNG\r\n\x1a\n" + b"0" * 100)


# --------------------------------------------------------------------------- downloading


def test_download_stores_the_file_records_it_and_reports_progress(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(
        PDF, content_type="application/pdf"
    )
    seen: list[tuple[int, int]] = []
    cache = cache_of(lib)
    got = cache.download(
        lib, client, base(httpserver), "2401.00001", progress=lambda d, t: seen.append((d, t))
    )
    assert got.fetched and got.path.read_bytes() == PDF
    assert got.path == cache.directory / "2401.00001v1.pdf"
    rec = lib.pdfs.get("2401.00001")
    assert rec is not None
    assert (rec.version, rec.size, rec.text_state, rec.file) == (
        1,
        len(PDF),
        "pending",
        "2401.00001v1.pdf",
    )
    import hashlib

    assert rec.sha256 == hashlib.sha256(PDF).hexdigest()
    assert seen and seen[-1] == (len(PDF), len(PDF))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # Cached: no second request.
    again = cache.download(lib, client, base(httpserver), "2401.00001")
    assert not again.fetched and again.path == got.path
    assert len(httpserver.log) == 1
    assert cache_files(lib) == ["2401.00001v1.pdf"]


def test_a_paper_without_a_known_version_is_asked_for_without_one(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/pdf/2401.00002").respond_with_data(PDF)
    httpserver.expect_request("/pdf/hep-th/9901001v2").respond_with_data(PDF_V2)
    cache = cache_of(lib)
    assert cache.download(lib, client, base(httpserver), "2401.00002").path.name == (
        "2401.00002.pdf"
    )
    old_style = cache.download(lib, client, base(httpserver), "hep-th/9901001")
    assert old_style.path.name == "hep-th_9901001v2.pdf"
    assert old_style.path.read_bytes() == PDF_V2


def test_a_new_version_replaces_the_file_its_record_and_its_text(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    httpserver.expect_request("/pdf/2401.00001v2").respond_with_data(PDF_V2)
    cache = cache_of(lib)
    first = cache.download(lib, client, base(httpserver), "2401.00001")
    rec = lib.pdfs.get("2401.00001")
    assert rec is not None
    lib.pdfs.set_text("2401.00001", rec.sha256, "indexed", pages=1, texts=["transformer text"])
    lib.pdfs.set_last_page("2401.00001", 2)
    assert [h.paper_id for h in lib.pdfs.search("transformer")] == ["2401.00001"]

    lib.upsert_papers([record("2401.00001", 2)])  # arXiv has version 2 now
    assert cache.cached(lib, "2401.00001") is None  # the cached v1 is stale
    second = cache.download(lib, client, base(httpserver), "2401.00001")
    assert second.fetched and second.path.name == "2401.00001v2.pdf"
    assert not first.path.exists()
    assert cache_files(lib) == ["2401.00001v2.pdf"]
    new = lib.pdfs.get("2401.00001")
    assert new is not None
    assert (new.version, new.text_state, new.last_page) == (2, "pending", 0)
    assert lib.pdfs.search("transformer") == []  # the old version's text is gone
    # An extraction of the old file that finishes late is not stored over the new one.
    assert not lib.pdfs.set_text("2401.00001", rec.sha256, "indexed", texts=["stale words"])
    assert lib.pdfs.search("stale") == []


def _bad(httpserver: HTTPServer, body: bytes, **kw: object) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(body, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "content_type", "said"),
    [
        (HTML_ERROR_PAGE, "text/html", "web page"),
        (HTML_ERROR_PAGE, "application/pdf", "web page"),
        (b"", "application/pdf", "empty"),
        (truncated(PDF), "application/pdf", "incomplete"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "image/png", "not a PDF"),
    ],
    ids=["html", "html-as-pdf", "empty", "truncated", "png"],
)
def test_an_answer_that_is_no_complete_pdf_is_refused_and_nothing_is_kept(
    lib: Repository,
    httpserver: HTTPServer,
    client: HttpClient,
    body: bytes,
    content_type: str,
    said: str,
) -> None:
    _bad(httpserver, body, content_type=content_type)
    with pytest.raises(BadResponseError) as err:
        cache_of(lib).download(lib, client, base(httpserver), "2401.00001")
    assert said in str(err.value)
    assert f":{httpserver.port}" in str(err.value)  # names the host
    assert cache_files(lib) == []
    assert lib.pdfs.get("2401.00001") is None


def test_a_pdf_over_the_size_limit_is_refused(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    _bad(httpserver, PDF)
    cache = PdfCache(lib.path.parent, max_bytes=len(PDF) - 1)
    with pytest.raises(BadResponseError, match="more than"):
        cache.download(lib, client, base(httpserver), "2401.00001")
    assert cache_files(lib) == []

    # Without a Content-Length the limit stops the reading as it goes.
    def chunked(_request: Request) -> Response:
        return Response(iter([PDF[:1000], PDF[1000:]]), content_type="application/pdf")

    httpserver.clear()
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_handler(chunked)
    with pytest.raises(BadResponseError, match="more than"):
        cache.download(lib, client, base(httpserver), "2401.00001")
    assert cache_files(lib) == []


def test_a_connection_cut_mid_download_keeps_nothing(lib: Repository, client: HttpClient) -> None:
    cut = http_response(PDF[:2000], content_type="application/pdf", content_length=len(PDF))
    with RawServer(cut) as server:
        with pytest.raises(BadResponseError, match="cut off"):
            cache_of(lib).download(lib, client, server.url("").rstrip("/"), "2401.00001")
        assert len(server.requests) == 2  # retried once, as every fetch
    assert cache_files(lib) == []


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (404, {}, NotFoundError),
        (500, {}, ServerError),
        (429, {"Retry-After": "120"}, RateLimitedError),
    ],
)
def test_http_errors_map_as_for_every_fetch(
    lib: Repository,
    httpserver: HTTPServer,
    client: HttpClient,
    status: int,
    headers: dict[str, str],
    error: type[Exception],
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(
        "no", status=status, headers=headers
    )
    with pytest.raises(error) as err:
        cache_of(lib).download(lib, client, base(httpserver), "2401.00001")
    if status == 429:
        assert err.value.retry_after == 120  # type: ignore[attr-defined]
        assert "2 minutes" in str(err.value)
    assert cache_files(lib) == []


def test_429_with_a_short_retry_after_is_waited_out(
    lib: Repository, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request("/pdf/2401.00001v1").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    with HttpClient(timeout=2, retries=2, backoff=0.01) as http:
        got = cache_of(lib).download(lib, http, base(httpserver), "2401.00001")
    assert got.path.read_bytes() == PDF


def test_offline_and_timeouts_keep_nothing(
    lib: Repository, httpserver: HTTPServer, release: threading.Event
) -> None:
    with contextlib.closing(__import__("socket").socket()) as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    with HttpClient(timeout=1, retries=0) as http:
        with pytest.raises(OfflineError, match="Cannot connect"):
            cache_of(lib).download(lib, http, f"http://127.0.0.1:{closed_port}", "2401.00001")

        def slow(_request: Request) -> Response:
            release.wait(5)
            return Response(PDF)

        httpserver.expect_request("/pdf/2401.00001v1").respond_with_handler(slow)
        with pytest.raises(FetchTimeoutError, match="did not answer"):
            cache_of(lib).download(lib, http, base(httpserver), "2401.00001")
        release.set()
    assert cache_files(lib) == []


def test_cancel_during_the_download_stops_it_and_keeps_nothing(
    lib: Repository, httpserver: HTTPServer, client: HttpClient, release: threading.Event
) -> None:
    big = big_pdf()

    def trickle(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield big[:70_000]
            release.wait(5)
            yield big[70_000:]

        return Response(body(), content_type="application/pdf")

    httpserver.expect_request("/pdf/2401.00001v1").respond_with_handler(trickle)
    cancel = threading.Event()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        cache_of(lib).download(
            lib,
            client,
            base(httpserver),
            "2401.00001",
            cancel=cancel,
            progress=lambda _d, _t: cancel.set(),
        )
    release.set()
    assert time.monotonic() - started < 3
    assert cache_files(lib) == []
    assert lib.pdfs.get("2401.00001") is None


def test_a_full_disk_leaves_no_partial_file_simulated(
    lib: Repository, httpserver: HTTPServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write that finds the disk full raises ENOSPC (as the OS does), after a part of the
    file was written: the temporary file goes and the message says what to do."""
    written = []
    real_write = pdf_module._TempSink.write

    def write(self: pdf_module._TempSink, chunk: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(len(chunk))
        real_write(self, chunk)

    monkeypatch.setattr(pdf_module._TempSink, "write", write)
    big = big_pdf()
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(big)
    with pytest.raises(AppError, match="is full") as err:
        cache_of(lib).download(lib, client, base(httpserver), "2401.00001")
    assert "nothing was kept" in str(err.value)
    assert written  # a part had been written before the disk was full
    assert cache_files(lib) == []
    assert lib.pdfs.get("2401.00001") is None


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KB file system (tmpfs), where a bigger file meets ENOSPC; needs root."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the simulated full disk test covers it")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_leaves_no_partial_file_on_a_real_tiny_disk(
    lib: Repository, httpserver: HTTPServer, client: HttpClient, tiny_disk: Path
) -> None:
    big = big_pdf()
    assert len(big) > 64 * 1024
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(big)
    cache = PdfCache(tiny_disk)
    with pytest.raises(AppError, match="is full"):
        cache.download(lib, client, base(httpserver), "2401.00001")
    assert list(cache.directory.iterdir()) == []
    assert lib.pdfs.get("2401.00001") is None


def test_a_paper_not_from_arxiv_has_nothing_to_download(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    lib.upsert_papers([record("local:abc123", None)])
    with pytest.raises(InvalidInputError, match="no arXiv paper"):
        cache_of(lib).download(lib, client, base(httpserver), "local:abc123")
    with pytest.raises(NotFoundError):
        cache_of(lib).download(lib, client, base(httpserver), "2401.09999")
    assert httpserver.log == []


# --------------------------------------------------------------------------- attach


def test_attach_copies_a_pdf_in_and_refuses_anything_else(lib: Repository, tmp_path: Path) -> None:
    source = tmp_path / "mine.pdf"
    source.write_bytes(PDF)
    cache = cache_of(lib)
    path = cache.attach(lib, "2401.00001", source)
    assert path.read_bytes() == PDF and source.exists()
    assert cache.cached(lib, "2401.00001") == path
    page = tmp_path / "page.pdf"
    page.write_bytes(HTML_ERROR_PAGE)
    with pytest.raises(InvalidInputError, match="web page"):
        cache.attach(lib, "2401.00002", page)
    with pytest.raises(InvalidInputError, match="not a file"):
        cache.attach(lib, "2401.00002", tmp_path)
    assert cache_files(lib) == ["2401.00001v1.pdf"]


def test_a_record_whose_file_vanished_is_forgotten(lib: Repository, tmp_path: Path) -> None:
    source = tmp_path / "mine.pdf"
    source.write_bytes(PDF)
    cache = cache_of(lib)
    cache.attach(lib, "2401.00001", source).unlink()
    assert cache.cached(lib, "2401.00001") is None
    assert lib.pdfs.get("2401.00001") is None


# --------------------------------------------------------------------------- quota


def _cached(repo: Repository, paper_id: str, size: int, read_at: str) -> None:
    cache = cache_of(repo)
    cache.directory.mkdir(parents=True, exist_ok=True)
    name = file_name(paper_id, 1)
    (cache.directory / name).write_bytes(b"%PDF-1.4\n" + b"0" * (size - 15) + b"%%EOF\n")
    repo.pdfs.record(paper_id, version=1, file=name, size=size, sha256=paper_id)
    repo.db.execute_sql(
        "UPDATE pdf_file SET last_read = ? WHERE paper = (SELECT id FROM paper WHERE paper_id = ?)",
        (read_at, paper_id),
    )


def test_prune_evicts_least_recently_read_papers_not_kept(lib: Repository) -> None:
    ids = [f"2402.0000{i}" for i in range(1, 7)]
    lib.upsert_papers([record(i) for i in ids])
    starred, saved, tagged, oldest, older, newest = ids
    for n, paper_id in enumerate(ids):
        _cached(lib, paper_id, 1000, f"2024-01-0{n + 1}T00:00:00Z")
    lib.set_starred([starred])
    lib.set_saved([saved])
    lib.tag_papers([tagged], ["ml"])
    lib.set_saved([tagged], False)  # a tag alone keeps it too
    cache = cache_of(lib)
    oldest_rec = lib.pdfs.get(oldest)
    assert oldest_rec is not None
    lib.pdfs.set_text(oldest, oldest_rec.sha256, "indexed", texts=["zebra words"])
    stray = cache.directory / "2301.99999v1.pdf"  # a deleted paper's file
    stray.write_bytes(b"%PDF-1.4 stray")
    downloading = cache.directory / ".tmp-abc.pdf"  # a download in progress
    downloading.write_bytes(b"%PDF-")

    report = cache.prune(lib, 5000)
    assert report.evicted == (oldest,)
    assert (report.freed, report.remaining, report.strays) == (1000, 5000, 1)
    assert not stray.exists() and downloading.exists()
    assert lib.pdfs.get(oldest) is None and lib.pdfs.search("zebra") == []
    assert not (cache.directory / file_name(oldest, 1)).exists()

    report = cache.prune(lib, 0, keep={newest})
    assert report.evicted == (older,)
    assert report.over_quota and "alone exceed" in report.describe()
    assert sorted(r.paper_id for r in lib.pdfs.all()) == sorted([starred, saved, tagged, newest])
    assert sorted(cache_files(lib)) == sorted(
        [".tmp-abc.pdf", *(file_name(p, 1) for p in (starred, saved, tagged, newest))]
    )


def test_reading_a_pdf_makes_it_recent_for_the_quota(lib: Repository) -> None:
    lib.upsert_papers([record("2402.00001"), record("2402.00002")])
    _cached(lib, "2402.00001", 1000, "2024-01-01T00:00:00Z")
    _cached(lib, "2402.00002", 1000, "2024-01-02T00:00:00Z")
    lib.pdfs.set_last_page("2402.00001", 7)
    rec = lib.pdfs.get("2402.00001")
    assert rec is not None and rec.last_page == 7 and rec.last_read > "2024-01-02"
    assert cache_of(lib).prune(lib, 1000).evicted == ("2402.00002",)
    with pytest.raises(NotFoundError):
        lib.pdfs.set_last_page("2402.00002", 1)


# --------------------------------------------------------------------------- delete and undo


def test_deleting_a_paper_removes_its_record_and_text_and_undo_brings_the_record_back(
    lib: Repository, httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    cache = cache_of(lib)
    path = cache.download(lib, client, base(httpserver), "2401.00001").path
    lib.pdfs.set_last_page("2401.00001", 2)
    from desktop_app.library.pdf_jobs import index_text

    assert index_text(lib, "2401.00001") is not None
    assert lib.pdfs.search("transformer")

    snapshot = lib.delete_papers(["2401.00001"])
    assert lib.pdfs.get("2401.00001") is None
    assert lib.pdfs.search("transformer") == []
    assert lib.db.execute_sql("SELECT count(*) FROM pdf_text").fetchone() == (0,)
    assert path.exists()  # the file stays until the quota is applied (undo may want it)

    lib.restore_papers(snapshot)
    back = lib.pdfs.get("2401.00001")
    assert back is not None and back.text_state == "pending" and back.last_page == 2
    assert cache.cached(lib, "2401.00001") == path
    assert lib.pdfs.search("transformer") == []  # until the text is extracted again
    assert lib.pdfs.pending() == ["2401.00001"]
    index_text(lib, "2401.00001")
    assert [h.paper_id for h in lib.pdfs.search("transformer")] == ["2401.00001"]

    # Deleted for good: the quota's next pass removes the file nobody records.
    lib.delete_papers(["2401.00001"])
    assert cache.prune(lib, 10**9).strays == 1
    assert not path.exists()


# --------------------------------------------------------------------------- jobs


def _ctx(repo: Repository, httpserver: HTTPServer, **settings: object) -> JobContext:
    progress: list[tuple[int, int]] = []
    ctx = JobContext(
        repo=repo,
        settings=Settings(pdf_url=base(httpserver), **settings),  # type: ignore[arg-type]
        cancel=threading.Event(),
        progress=lambda d, t: progress.append((d, t)),
        http_options={"retries": 0, "timeout": 2},
    )
    ctx.clients["progress"] = progress
    return ctx


def test_download_job_downloads_then_extraction_job_indexes(
    lib: Repository, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    ctx = _ctx(lib, httpserver)
    try:
        ready = DownloadPdf("2401.00001").run(ctx)
        assert ready.fetched and ready.path.read_bytes() == PDF
        assert "Downloaded the PDF of 2401.00001" in ready.describe()
        assert ctx.clients["progress"][-1] == (len(PDF), len(PDF))
        done = ExtractText("2401.00001").run(ctx)
        assert done.results[0][1].state == "indexed"
        assert "3 pages indexed" in done.describe()
        hits = lib.pdfs.search("page-marker-2")
        assert [(h.paper_id, h.page) for h in hits] == [("2401.00001", 2)]
        assert ExtractPendingText().run(ctx).results == ()  # nothing left to do
    finally:
        ctx.clients["all"].close()


def test_the_environment_overrides_the_pdf_host(
    lib: Repository, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    monkeypatch.setenv("DAILY_PAPERS_PDF_URL", base(httpserver) + "/")
    ctx = _ctx(lib, httpserver)
    ctx.settings = Settings()  # https://arxiv.org, overridden
    try:
        assert DownloadPdf("2401.00001").run(ctx).fetched
    finally:
        ctx.clients["all"].close()
    assert Settings().effective().pdf_url == base(httpserver)


def test_fetch_library_job_downloads_kept_papers_only_and_stops_when_offline(
    lib: Repository, httpserver: HTTPServer
) -> None:
    lib.upsert_papers([record("2402.00001"), record("2402.00002"), record("2402.00003")])
    lib.set_starred(["2402.00001"])
    lib.tag_papers(["2402.00002"], ["reading"])
    for paper_id in ("2402.00001", "2402.00002"):
        httpserver.expect_request(f"/pdf/{paper_id}v1").respond_with_data(PDF)
    ctx = _ctx(lib, httpserver)
    try:
        result = FetchLibraryPdfs().run(ctx)
    finally:
        ctx.clients["all"].close()
    assert sorted(result.fetched) == ["2402.00001", "2402.00002"]
    assert result.failed == () and result.not_tried == ()
    assert lib.pdfs.get("2402.00003") is None
    assert {lib.pdfs.get(p).text_state for p in result.fetched} == {"indexed"}  # type: ignore[union-attr]
    assert ctx.clients["progress"][-1] == (2, 2)
    assert "Downloaded 2 PDFs" in result.describe()

    # Offline: the first failure stops the rest, which is reported as not tried.
    lib.set_saved(["2402.00003", "2401.00001", "2401.00002"])
    with contextlib.closing(__import__("socket").socket()) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    offline = _ctx(lib, httpserver)
    offline.settings = Settings(pdf_url=f"http://127.0.0.1:{port}")
    try:
        result = FetchLibraryPdfs().run(offline)
    finally:
        offline.clients["all"].close()
    assert result.fetched == () and len(result.failed) == 1
    assert len(result.not_tried) == 2 and "Cannot connect" in result.stopped
    assert result.already == 2


def test_prune_job_uses_the_quota_preference(lib: Repository, httpserver: HTTPServer) -> None:
    lib.upsert_papers([record("2402.00001"), record("2402.00002")])
    _cached(lib, "2402.00001", 600_000, "2024-01-01T00:00:00Z")
    _cached(lib, "2402.00002", 600_000, "2024-01-02T00:00:00Z")
    ctx = _ctx(lib, httpserver, pdf_quota_mb=1)
    report = PrunePdfs().run(ctx)
    assert report.evicted == ("2402.00001",) and not report.changes_library
    assert "Removed 1 PDF" in report.describe()
