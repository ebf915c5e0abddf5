"""The ``pdf`` command and ``list --fulltext`` against a loopback server serving real PDFs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pdf_support import HTML_ERROR_PAGE, make_pdf, make_scanned_pdf, paper_pages
from pytest_httpserver import HTTPServer

from desktop_app.cli import main
from desktop_app.config import Settings, db_path, save_settings
from desktop_app.domain import PaperRecord
from desktop_app.store import Repository

pytestmark = pytest.mark.usefixtures("no_leaked_threads")

PDF = make_pdf(pages=paper_pages(3, "sparse attention heads"))


@pytest.fixture
def library(data_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAILY_PAPERS_PDF_URL", httpserver.url_for("/"))
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(
        [
            PaperRecord(
                id=paper_id,
                title=title,
                abstract="",
                authors=("Ada Lovelace",),
                published=date(2024, 1, 2),
                version=1,
            )
            for paper_id, title in (
                ("2401.00001", "Sparse Attention"),
                ("2401.00002", "Scanned Notes"),
                ("2401.00003", "Not Kept"),
            )
        ]
    )
    repo.set_starred(["2401.00001"])
    repo.tag_papers(["2401.00002"], ["reading"])
    repo.close()
    return data_dir


def test_pdf_downloads_once_and_prints_the_path(
    library: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    assert main(["pdf", "2401.00001"]) == 0
    out, err = capsys.readouterr()
    path = Path(out.strip())
    assert path == library / "pdfs" / "2401.00001v1.pdf" and path.read_bytes() == PDF
    assert "Downloaded the PDF of 2401.00001" in err
    assert main(["pdf", "https://arxiv.org/abs/2401.00001", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert main(["pdf", "2401.00001"]) == 0  # cached: no second request
    assert len(httpserver.log) == 1
    # The text was indexed on the way: the full-text search finds it.
    assert main(["list", "--query", "page-marker-1", "--fulltext"]) == 0
    out, err = capsys.readouterr()
    assert "2401.00001" in out and "p. 2: " in out and "**page-marker-1**" in out
    assert "1 paper found in PDF text" in err


def test_pdf_path_of_a_paper_not_cached_says_how_to_get_it(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pdf", "2401.00001", "--path"]) == 1
    err = capsys.readouterr().err
    assert "not in the cache" in err and "daily-papers pdf 2401.00001" in err


def test_pdf_open_hands_the_file_to_the_system_viewer(
    library: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr("desktop_app.cli.pdf.open_with_system", opened.append)
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    assert main(["pdf", "2401.00001", "--open"]) == 0
    assert opened == [library / "pdfs" / "2401.00001v1.pdf"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["pdf", "2401.09999"], "No paper 2401.09999"),
        (["pdf", "not-an-id"], "is not an arXiv id"),
        (["pdf"], "Give a paper ID"),
        (["pdf", "2401.00001", "--prune"], "Give a paper ID"),
        (["list", "--fulltext"], "--fulltext needs --query"),
    ],
)
def test_bad_input_is_one_line(
    library: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and err.count("\n") == 1


def test_an_html_answer_is_refused_with_exit_1_and_nothing_kept(
    library: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(
        HTML_ERROR_PAGE, content_type="text/html"
    )
    assert main(["pdf", "2401.00001"]) == 1
    assert "web page" in capsys.readouterr().err
    assert list((library / "pdfs").iterdir()) == []


def test_fetch_library_downloads_kept_papers_and_lists_what_is_not_searchable(
    library: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/pdf/2401.00001v1").respond_with_data(PDF)
    httpserver.expect_request("/pdf/2401.00002v1").respond_with_data(make_scanned_pdf(1))
    assert main(["pdf", "--fetch-library"]) == 0
    err = capsys.readouterr().err
    assert "Downloaded 2 PDFs of your library" in err
    assert sorted(p.name for p in (library / "pdfs").iterdir()) == [
        "2401.00001v1.pdf",
        "2401.00002v1.pdf",
    ]
    assert main(["list", "-q", "sparse", "--fulltext", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    (row,) = json.loads(out)
    assert row["id"] == "2401.00001" and row["page"] == 1
    assert "**sparse**" in row["snippet"]
    assert "1 cached PDF has no searchable text" in err
    # Other filters narrow the papers found.
    assert main(["list", "-q", "sparse", "--fulltext", "--tag", "reading"]) == 0
    assert "0 papers found" in capsys.readouterr().err
    # Again: nothing left to fetch.
    assert main(["pdf", "--fetch-library"]) == 0
    assert "2 already cached" in capsys.readouterr().err


def test_fetch_library_offline_exits_1_naming_the_failure(
    library: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DAILY_PAPERS_PDF_URL", f"http://127.0.0.1:{port}")
    assert main(["pdf", "--fetch-library"]) == 1
    err = capsys.readouterr().err
    assert "Cannot connect" in err and "1 not tried" in err
    assert "could not be downloaded" in err


def test_prune_applies_the_quota_from_settings(
    library: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for paper_id in ("2401.00001", "2401.00003"):
        httpserver.expect_request(f"/pdf/{paper_id}v1").respond_with_data(PDF)
        assert main(["pdf", paper_id]) == 0
    save_settings(library, Settings(pdf_quota_mb=0))
    capsys.readouterr()
    assert main(["pdf", "--prune"]) == 0
    out, err = capsys.readouterr()
    assert "Removed 1 PDF" in out and "removed 2401.00003" in err
    assert "alone exceed the quota" in out  # the starred paper's PDF is kept
    assert [p.name for p in (library / "pdfs").iterdir()] == ["2401.00001v1.pdf"]
