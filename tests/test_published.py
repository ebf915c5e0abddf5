"""Published versions of preprints (DBLP, a loopback server standing in for it): found,
stored, shown, exported in their published form with the eprint kept; looked up once a month
at most; failures reported without stopping the others."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from desktop_app.bibtex import BibTeXOptions, export_bibtex
from desktop_app.cli import main
from desktop_app.config import db_path
from desktop_app.domain import PaperRecord
from desktop_app.errors import AppError
from desktop_app.library import published
from desktop_app.sources.dblp import DblpClient, parse_search
from desktop_app.sources.http import HttpClient
from desktop_app.store import Repository
from desktop_app.ui.navigator import ViewSpec

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH = (FIXTURES / "dblp_search_attention.json").read_text(encoding="utf-8")
BIB = (FIXTURES / "dblp_conf_nips_VaswaniSPUJGKP17.bib").read_text(encoding="utf-8")
ATTENTION = PaperRecord(
    id="1706.03762",
    title="Attention Is All You Need",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    published=date(2017, 6, 12),
    primary_category="cs.CL",
    doi="10.48550/arXiv.1706.03762",
)
UNPUBLISHED = PaperRecord(
    id="2401.00001",
    title="A Preprint Nobody Published",
    authors=("Ada Lovelace",),
    published=date(2024, 1, 2),
)


def serve_dblp(server: HTTPServer) -> None:
    server.expect_request(
        "/search/publ/api", query_string={"q": ATTENTION.title, "format": "json", "h": "10"}
    ).respond_with_data(SEARCH, content_type="application/json")
    server.expect_request(
        "/search/publ/api", query_string={"q": UNPUBLISHED.title, "format": "json", "h": "10"}
    ).respond_with_json({"result": {"hits": {"@total": "0"}}})
    server.expect_request("/rec/conf/nips/VaswaniSPUJGKP17.bib").respond_with_data(
        BIB, content_type="application/x-bibtex"
    )


@pytest.fixture
def dblp(http: HttpClient, httpserver: HTTPServer) -> DblpClient:
    serve_dblp(httpserver)
    return DblpClient(http, httpserver.url_for("/"), min_interval=0)


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers([ATTENTION, UNPUBLISHED])
    repo.set_saved([ATTENTION.id, UNPUBLISHED.id])
    return repo


def test_dblp_search_answers_are_read() -> None:
    corr, nips, other = parse_search(SEARCH.encode())
    assert (corr.is_preprint, nips.is_preprint, other.is_preprint) == (True, False, False)
    assert (nips.key, nips.venue, nips.year, nips.title) == (
        "conf/nips/VaswaniSPUJGKP17",
        "NIPS",
        2017,
        "Attention is All you Need",
    )
    assert other.authors == ("Someone Else 0001",)  # one author: an object, not a list


def test_a_published_version_is_found_stored_shown_and_exported(
    lib: Repository, dblp: DblpClient
) -> None:
    summary = published.look_up(lib, dblp)
    assert summary.checked == 2 and summary.failed == []
    ((paper_id, venue),) = summary.found
    assert paper_id == "1706.03762"
    assert venue == (
        "Advances in Neural Information Processing Systems 30: Annual Conference on Neural "
        "Information Processing Systems 2017, December 4-9, 2017, Long Beach, CA, USA 2017"
    )
    paper = lib.get("1706.03762")
    assert paper.venue.startswith("Advances in Neural Information Processing Systems 30")
    assert paper.pages == "5998–6008"
    assert lib.get("2401.00001").venue is None
    stored = lib.published(["1706.03762", "2401.00001"])
    assert stored["1706.03762"].record == "conf/nips/VaswaniSPUJGKP17"
    assert stored["2401.00001"].record is None and stored["2401.00001"].entry is None

    text = export_bibtex(lib, ["1706.03762"])
    assert text.startswith(
        "@inproceedings{vaswani2017attention,\n  title = {Attention Is All You Need},"
    )
    for line in (
        "  eprint = {1706.03762},",
        "  archivePrefix = {arXiv},",
        "  booktitle = {Advances in Neural Information Processing Systems 30: Annual Conference "
        "on Neural Information Processing Systems 2017, December 4-9, 2017, Long Beach, CA, "
        "{USA}},",
        "  pages = {5998--6008},",
        "  year = {2017}",
    ):
        assert line in text
    assert "10.48550" in text  # no published DOI: arXiv's is kept
    assert "Vaswani 0001" not in text and "editor" not in text  # DBLP's own data stays out
    item = json.loads(export_bibtex(lib, ["1706.03762"], BibTeXOptions(format="csl-json")))[0]
    assert (item["type"], item["page"]) == ("paper-conference", "5998-6008")


def test_a_lookup_is_not_repeated_for_a_month(
    lib: Repository, dblp: DblpClient, httpserver: HTTPServer
) -> None:
    published.look_up(lib, dblp)
    asked = len(httpserver.log)
    assert published.look_up(lib, dblp).checked == 0
    assert len(httpserver.log) == asked
    # Again, now: the library's preprints that still show no venue (one)...
    assert published.look_up(lib, dblp, refresh=True).checked == 1
    assert len(httpserver.log) == asked + 1
    # ...or those asked for by id, found or not.
    assert published.look_up(lib, dblp, ["1706.03762", "2401.00001"], refresh=True).checked == 2
    assert len(httpserver.log) == asked + 4  # two searches, one record


def test_a_failed_lookup_is_reported_and_the_others_go_on(
    lib: Repository, http: HttpClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(
        "/search/publ/api", query_string={"q": ATTENTION.title, "format": "json", "h": "10"}
    ).respond_with_data("oops", status=500)
    httpserver.expect_request(
        "/search/publ/api", query_string={"q": UNPUBLISHED.title, "format": "json", "h": "10"}
    ).respond_with_json({"result": {"hits": {"@total": "0"}}})
    client = DblpClient(http, httpserver.url_for("/"), min_interval=0)
    summary = published.look_up(lib, client)
    assert summary.checked == 1 and summary.found == []
    ((paper_id, why),) = summary.failed
    assert paper_id == "1706.03762" and "HTTP 500" in why
    assert lib.published(["1706.03762"]) == {}  # not marked as checked: tried again next time


def test_a_rate_limit_is_waited_out(
    lib: Repository, http: HttpClient, httpserver: HTTPServer
) -> None:
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "0"})])

    def search(request):  # type: ignore[no-untyped-def]
        return next(answers, None) or Response(SEARCH, content_type="application/json")

    httpserver.expect_request("/search/publ/api").respond_with_handler(search)
    httpserver.expect_request("/rec/conf/nips/VaswaniSPUJGKP17.bib").respond_with_data(BIB)
    client = DblpClient(http, httpserver.url_for("/"), min_interval=0)
    summary = published.look_up(lib, client, ["1706.03762"])
    assert [pid for pid, _ in summary.found] == ["1706.03762"]


def test_only_preprints_are_looked_up(lib: Repository, dblp: DblpClient) -> None:
    lib.upsert_papers([PaperRecord(id="local:mine", title="My Own Entry", source="bibtex")])
    with pytest.raises(AppError, match="not an arXiv paper"):
        published.look_up(lib, dblp, ["local:mine"])


def test_dblp_is_the_only_server_asked_and_its_address_is_a_setting(
    data_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    serve_dblp(httpserver)
    monkeypatch.setenv("DAILY_PAPERS_DBLP_URL", httpserver.url_for("/"))
    monkeypatch.setattr("desktop_app.sources.dblp.DBLP_MIN_INTERVAL_S", 0)
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers([ATTENTION, UNPUBLISHED])
    repo.set_saved([ATTENTION.id, UNPUBLISHED.id])
    repo.close()
    assert main(["published"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1706.03762: Advances in Neural Information Processing Systems 30")
    assert out.endswith("Looked up 2 preprints: 1 published.\n")
    assert main(["show", "1706.03762"]) == 0
    assert "In: Advances in Neural Information Processing Systems 30" in capsys.readouterr().out
    assert main(["published", "1706.03762"]) == 0
    assert (
        capsys.readouterr().out
        == "No preprint to look up (each was checked in the last 30 days).\n"
    )


def test_the_window_finds_the_published_version_of_the_selection(
    make_window, lib: Repository, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, qtbot
) -> None:
    serve_dblp(httpserver)
    monkeypatch.setenv("DAILY_PAPERS_DBLP_URL", httpserver.url_for("/"))
    monkeypatch.setattr("desktop_app.sources.dblp.DBLP_MIN_INTERVAL_S", 0)
    win = make_window(lib)
    win.sidebar.select_spec(ViewSpec("all"))
    row = win.feed_model.row_of("1706.03762")
    win.feed.setCurrentIndex(win.feed_model.index(row))
    with qtbot.waitSignal(win.controller.done, timeout=10000) as done:
        win.acts.find_published.trigger()
    assert done.args[0] == "Looked up 1 preprint: 1 published."
    qtbot.waitUntil(lambda: "In Advances in Neural Information" in win.viewer.browser.toPlainText())
