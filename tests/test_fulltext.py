"""Text extraction from generated PDFs (text, scanned, encrypted, malformed, long, and an
extractor that hangs or crashes) and the full-text search over it."""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pdf_support import (
    HTML_ERROR_PAGE,
    make_pdf,
    make_scanned_pdf,
    paper_pages,
    truncated,
)

from desktop_app.domain import PaperRecord
from desktop_app.errors import CancelledError
from desktop_app.library import fulltext
from desktop_app.library.pdf_jobs import cache_of, extract_pending, index_text
from desktop_app.store import Repository
from desktop_app.store.pdfs import HIGHLIGHT_END, HIGHLIGHT_START, highlight_spans


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- extraction


def test_text_pages_are_extracted_in_order(tmp_path: Path) -> None:
    result = fulltext.extract_text(write(tmp_path, "a.pdf", make_pdf(pages=paper_pages(3))))
    assert result.state == "indexed" and result.pages == 3
    assert [f"page-marker-{i}" in text for i, text in enumerate(result.texts)] == [True] * 3


def test_a_scanned_pdf_has_no_text(tmp_path: Path) -> None:
    result = fulltext.extract_text(write(tmp_path, "scan.pdf", make_scanned_pdf(2)))
    assert (result.state, result.pages, result.texts) == ("no_text", 2, ())
    assert "no text layer" in result.describe()


def test_encrypted_pdfs(tmp_path: Path) -> None:
    locked = make_pdf(pages=["the secret words"], user_password="pw")
    result = fulltext.extract_text(write(tmp_path, "locked.pdf", locked))
    assert result.state == "encrypted" and "password" in result.reason
    assert "encrypted" in result.describe()
    # Only an owner password: it opens without one, so its text is read.
    owner = make_pdf(pages=["owner protected words here"], owner_password="own")
    opened = fulltext.extract_text(write(tmp_path, "owner.pdf", owner))
    assert opened.state == "indexed" and "owner protected words" in opened.texts[0]


@pytest.mark.parametrize(
    "data",
    [truncated(make_pdf(pages=paper_pages(3))), HTML_ERROR_PAGE, b"", b"%PDF-1.7\n garbage"],
    ids=["truncated", "html", "empty", "garbage"],
)
def test_a_malformed_file_fails_with_a_reason(tmp_path: Path, data: bytes) -> None:
    result = fulltext.extract_text(write(tmp_path, "bad.pdf", data))
    assert result.state == "failed" and result.reason
    assert "could not be read" in result.describe()


def test_a_long_pdf_is_read_up_to_the_page_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "long.pdf", make_pdf(pages=paper_pages(200)))
    result = fulltext.extract_text(path)
    assert result.state == "indexed" and result.pages == 200 and len(result.texts) == 200
    capped = fulltext.extract_text(path, max_pages=5)
    assert capped.pages == 200 and len(capped.texts) == 5


def test_a_hanging_extractor_is_cut_off_at_the_time_limit(tmp_path: Path) -> None:
    """A PDF that makes the parser loop forever, stood in for by a child that sleeps."""
    path = write(tmp_path, "a.pdf", make_pdf())
    started = time.monotonic()
    result = fulltext.extract_text(
        path, timeout=1, argv=[sys.executable, "-c", "import time; time.sleep(60)"]
    )
    assert time.monotonic() - started < 5
    assert result.state == "failed" and "longer than 1 s" in result.reason


def test_cancel_stops_the_extraction_at_once(tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        fulltext.extract_text(
            write(tmp_path, "a.pdf", make_pdf()),
            cancel=cancel,
            argv=[sys.executable, "-c", "import time; time.sleep(60)"],
        )
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("import sys; sys.exit(3)", "the extractor failed"),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "crashed"),
        ("print('not json')", "could not be read"),
        ("raise MemoryError", "out of memory"),
    ],
)
def test_an_extractor_that_crashes_is_a_failure_not_an_exception(
    tmp_path: Path, script: str, said: str
) -> None:
    result = fulltext.extract_text(
        write(tmp_path, "a.pdf", make_pdf()), argv=[sys.executable, "-c", script]
    )
    assert result.state == "failed" and said in result.reason


def test_a_page_that_makes_pypdf_raise_loses_only_that_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PageObject

    real = PageObject.extract_text
    calls = []

    def flaky(self: PageObject, *args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("a broken font")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PageObject, "extract_text", flaky)
    result = fulltext.extract_pages(write(tmp_path, "a.pdf", make_pdf(pages=paper_pages(3))))
    assert result.state == "indexed"
    assert [f"page-marker-{i}" in t for i, t in enumerate(result.texts)] == [True, False, True]


# --------------------------------------------------------------------------- the index


@functools.cache
def library_files() -> dict[str, bytes]:
    return {
        "2401.00001": make_pdf(pages=paper_pages(4, "sparse attention heads")),
        "2401.00002": make_pdf(
            pages=["Intro about GPT-4 and c++ code.", "Results: Schrödinger equation solved."]
        ),
        "2401.00003": make_scanned_pdf(1),
        "2401.00004": make_pdf(pages=["locked words"], user_password="pw"),
    }


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Repository]:
    data = tmp_path / "data"
    data.mkdir()
    repo = Repository.open(data / "library.sqlite3")
    repo.upsert_papers(
        [
            PaperRecord(
                id=f"2401.0000{i}",
                title=f"Paper {i}",
                abstract="",
                authors=("A",),
                published=date(2024, 1, i),
                version=1,
            )
            for i in range(1, 5)
        ]
    )
    files = library_files()
    tmp = tmp_path / "in"
    tmp.mkdir()
    cache = cache_of(repo)
    for paper_id, data_ in files.items():
        cache.attach(repo, paper_id, write(tmp, f"{paper_id}.pdf", data_))
    assert sorted(r[0] for r in extract_pending(repo)) == sorted(files)
    yield repo
    repo.close()


def test_states_are_recorded_per_paper(library: Repository) -> None:
    states = {r.paper_id: (r.text_state, r.pages) for r in library.pdfs.all()}
    assert states == {
        "2401.00001": ("indexed", 4),
        "2401.00002": ("indexed", 2),
        "2401.00003": ("no_text", 1),
        "2401.00004": ("encrypted", None),
    }
    assert not library.pdfs.get("2401.00003").searchable  # type: ignore[union-attr]
    assert library.pdfs.pending() == []


def test_search_finds_the_page_and_highlights_the_words(library: Repository) -> None:
    (hit,) = library.pdfs.search("page-marker-2")
    assert (hit.paper_id, hit.page) == ("2401.00001", 2)
    assert f"{HIGHLIGHT_START}page-marker-2{HIGHLIGHT_END}" in hit.snippet
    (hit,) = library.pdfs.search("sparse heads")
    assert hit.paper_id == "2401.00001"
    assert f"{HIGHLIGHT_START}sparse{HIGHLIGHT_END}" in hit.snippet
    assert ("heads", True) in highlight_spans(hit.snippet)
    assert all(HIGHLIGHT_START not in text for text, _on in highlight_spans(hit.snippet))
    (hit,) = library.pdfs.search("schrodinger")  # diacritics folded as in paper search
    assert (hit.paper_id, hit.page) == ("2401.00002", 1)


def test_one_hit_per_paper_best_page_first(library: Repository) -> None:
    hits = library.pdfs.search("sequence transduction")
    assert [h.paper_id for h in hits] == ["2401.00001"]
    assert len(library.pdfs.search("sequence", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    [
        "GPT-4",
        "c++",
        '"unbalanced quote',
        "AND OR NOT",
        "NEAR(",
        "*",
        "-",
        "🚀",
        "a:b",
        "^start",
        "x" * 5000,
        "\x00\x1b[31m",
        "attention -sparse",
    ],
)
def test_odd_search_syntax_never_raises(library: Repository, query: str) -> None:
    hits = library.pdfs.search(query)
    assert isinstance(hits, list)
    if query == "GPT-4":
        assert [h.paper_id for h in hits] == ["2401.00002"]
    if query == "attention -sparse":
        assert hits == []


def test_evicting_removes_the_text_and_a_reextraction_replaces_it(library: Repository) -> None:
    cache = cache_of(library)
    cache.evict(library, ["2401.00002"])
    assert library.pdfs.search("GPT-4") == []
    assert library.db.execute_sql(
        "SELECT count(*) FROM pdf_text t JOIN paper p ON p.id = t.paper "
        "WHERE p.paper_id = '2401.00002'"
    ).fetchone() == (0,)
    before = library.pdfs.page_texts("2401.00001")
    result = index_text(library, "2401.00001")
    assert result is not None and result.state == "indexed"
    assert library.pdfs.page_texts("2401.00001") == before  # replaced, not doubled
    library.db.execute_sql(
        "INSERT INTO pdf_text_fts (pdf_text_fts, rank) VALUES ('integrity-check', 1)"
    )


def test_the_check_command_checks_the_fulltext_index(library: Repository) -> None:
    from desktop_app.store.health import check_library

    assert check_library(library.path) == []


def test_a_word_on_too_many_pages_lists_the_newest_papers_first(
    library: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.store import pdfs

    ranked = library.pdfs.search("and")  # on every page of 2401.00001, one of 2401.00002
    assert [h.paper_id for h in ranked] == ["2401.00001", "2401.00002"]
    assert all(h.score < 0 for h in ranked)
    monkeypatch.setattr(pdfs, "RANKED_PAGES", 2)
    newest = library.pdfs.search("and")
    assert [(h.paper_id, h.page) for h in newest] == [("2401.00002", 0), ("2401.00001", 0)]
    assert f"{HIGHLIGHT_START}and{HIGHLIGHT_END}" in newest[1].snippet
    assert [h.paper_id for h in library.pdfs.search("and", limit=1)] == ["2401.00002"]
    (hit,) = library.pdfs.search("page-marker-3")  # a rare word is ranked as ever
    assert hit.page == 3 and hit.score < 0


STUB_SERVER = """
import json, os, sys, time
from pathlib import Path
from desktop_app.library.fulltext import _to_json, extract_pages
for line in sys.stdin:
    request = json.loads(line)
    if "hang" in request["path"]:
        time.sleep(60)
    if "crash" in request["path"]:
        os._exit(9)
    path = Path(request["path"])
    print(_to_json(extract_pages(path, request["max_pages"])), flush=True)
"""


def test_the_batch_extractor_survives_a_hang_and_a_crash(tmp_path: Path) -> None:
    """One child serves file after file; a file that hangs it is cut off at the time limit
    and one that crashes it is a failure, and the next file gets a fresh child."""
    pdf = make_pdf(pages=paper_pages(2))
    names = ["one", "hang", "two", "crash", "three"]
    paths = [write(tmp_path, f"{name}.pdf", pdf) for name in names]
    started = time.monotonic()
    with fulltext.Extractor(timeout=1, argv=[sys.executable, "-c", STUB_SERVER]) as extractor:
        results = [extractor.extract(path) for path in paths]
    assert time.monotonic() - started < 15
    assert [r.state for r in results] == ["indexed", "failed", "indexed", "failed", "indexed"]
    assert "longer than 1 s" in results[1].reason and "crashed" in results[3].reason


def test_the_batch_extractor_reuses_its_child_and_is_cancelled_at_once(tmp_path: Path) -> None:
    paths = [write(tmp_path, f"{i}.pdf", make_pdf(pages=paper_pages(2))) for i in range(3)]
    with fulltext.Extractor(files_per_child=2) as extractor:
        first = extractor.extract(paths[0])
        child = extractor._child
        second = extractor.extract(paths[1])
        assert extractor._child is child  # the same process served both
        third = extractor.extract(paths[2])
        assert extractor._child is not child  # replaced after files_per_child files
    assert {first.state, second.state, third.state} == {"indexed"}
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    hang = write(tmp_path, "hang.pdf", make_pdf())
    with (
        fulltext.Extractor(argv=[sys.executable, "-c", STUB_SERVER]) as extractor,
        pytest.raises(CancelledError),
    ):
        extractor.extract(hang, cancel)
    assert time.monotonic() - started < 3
