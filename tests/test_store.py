"""The library store against real SQLite files: schema, migrations, upsert, paging, tags, state."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import pytest
from peewee import ForeignKeyField, IntegrityError

from desktop_app.domain import DailyAppearance, FeedQuery, Paper, PaperRecord, Sort, Tag
from desktop_app.errors import InvalidInputError, NotFoundError, SchemaTooNewError, StoreError
from desktop_app.store import Repository, open_database
from desktop_app.store.db import migrate
from desktop_app.store.health import check_library
from desktop_app.store.migrations import LATEST_VERSION
from desktop_app.store.models import ALL_MODELS
from desktop_app.store.tags import normalize_tag_name, tag_key

REPO_ROOT = Path(__file__).resolve().parent.parent
DAY = date(2024, 1, 10)


def pid(n: int) -> str:
    return f"2401.{n:05d}"


def rec(n: int, **fields: object) -> PaperRecord:
    base: dict[str, object] = {
        "id": pid(n),
        "title": f"Paper number {n}",
        "abstract": f"Abstract of paper {n}.",
        "authors": (f"Author {n}A", f"Author {n}B"),
        "published": DAY,
    }
    base.update(fields)
    return PaperRecord(**base)  # type: ignore[arg-type]


def raw(repo: Repository, sql: str, params: Iterable[object] = ()) -> list[tuple]:
    return list(repo.db.execute_sql(sql, tuple(params)).fetchall())


def all_pages(repo: Repository, query: FeedQuery, limit: int) -> list[Paper]:
    papers: list[Paper] = []
    cursor = None
    for _ in range(10_000):
        page = repo.page(query, cursor, limit=limit)
        assert len(page.papers) <= limit
        papers.extend(page.papers)
        cursor = page.cursor
        if cursor is None:
            return papers
    raise AssertionError("paging did not end")


def fts_integrity(repo: Repository) -> None:
    """Raises when the FTS index disagrees with the paper table (rank 1 compares contents)."""
    repo.db.execute_sql("INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)")


# --------------------------------------------------------------------------- schema


def _probe(repo: Repository) -> tuple[object, ...]:
    def one(pragma: str) -> object:
        return repo.db.execute_sql(f"PRAGMA {pragma}").fetchone()[0]

    return (
        one("journal_mode"),
        one("foreign_keys"),
        one("synchronous"),
        one("busy_timeout"),
        one("wal_autocheckpoint"),
        id(repo.db.connection()),
    )


def test_every_connection_has_wal_and_foreign_keys_including_another_threads(
    repo: Repository,
) -> None:
    main = _probe(repo)
    results: list[tuple[object, ...]] = []
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            results.append(_probe(repo))
            # Foreign keys are enforced on this connection, not just reported as on.
            with pytest.raises(Exception, match="FOREIGN KEY"):
                repo.db.execute_sql(
                    "INSERT INTO paper_tag (paper, tag, added) VALUES (424242, 1, 'x')"
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            repo.close()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert errors == []
    (other,) = results
    assert main[:5] == ("wal", 1, 1, 10_000, 10_000)  # synchronous=NORMAL is 1
    assert other[:5] == main[:5]
    assert other[5] != main[5], "the second thread must have its own connection"


def test_busy_timeout_is_injectable(tmp_path: Path) -> None:
    repo = Repository.open(tmp_path / "library.sqlite3", busy_timeout=0.25)
    try:
        assert repo.db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 250
    finally:
        repo.close()


def test_schema_version_is_latest(repo: Repository) -> None:
    assert raw(repo, "PRAGMA user_version") == [(LATEST_VERSION,)]


def _table_info(conn_rows: list[tuple]) -> dict[str, tuple[str, bool, bool]]:
    # cid, name, type, notnull, default, pk
    return {r[1]: (r[2].upper(), bool(r[3]), bool(r[5])) for r in conn_rows}


def test_models_agree_with_the_schema_the_migrations_create(repo: Repository) -> None:
    tables = {
        r[0]
        for r in raw(
            repo,
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'paper_fts%' AND name NOT LIKE 'pdf_text_fts%' "
            "AND name NOT LIKE 'sqlite_%'",
        )
    }
    assert tables == {m._meta.table_name for m in ALL_MODELS}
    for model in ALL_MODELS:
        table = model._meta.table_name
        actual = _table_info(raw(repo, f"PRAGMA table_info({table})"))
        expected: dict[str, tuple[str, bool, bool]] = {}
        pk_columns = {f.column_name for f in model._meta.get_primary_keys()}
        for field in model._meta.sorted_fields:
            kind = {"INT": "INTEGER", "TEXT": "TEXT"}[field.field_type]
            is_pk = field.column_name in pk_columns
            expected[field.column_name] = (kind, not field.null or is_pk, is_pk)
        # table_info reports a rowid table's single-column primary key as nullable (for
        # ``INTEGER PRIMARY KEY`` it is the rowid and never NULL; ``meta.key TEXT PRIMARY KEY``
        # is a legacy SQLite quirk the model guards against). Compare NOT NULL on the rest.
        for name, (kind, _notnull, is_pk) in list(actual.items()):
            if is_pk:
                actual[name] = (kind, True, True)
        assert actual == expected, table


def test_foreign_keys_of_the_models_are_those_of_the_schema(repo: Repository) -> None:
    for model in ALL_MODELS:
        table = model._meta.table_name
        actual = {
            (r[3], r[2], r[4], r[6])  # column, parent table, parent column, on delete
            for r in raw(repo, f"PRAGMA foreign_key_list({table})")
        }
        expected = {
            (f.column_name, f.rel_model._meta.table_name, f.rel_field.column_name, f.on_delete)
            for f in model._meta.sorted_fields
            if isinstance(f, ForeignKeyField)
        }
        assert actual == expected, table


def test_fts_triggers_and_index_exist(repo: Repository) -> None:
    triggers = {r[0] for r in raw(repo, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == {
        *("paper_fts_ai", "paper_fts_ad", "paper_fts_au"),
        *("pdf_text_fts_ai", "pdf_text_fts_ad", "pdf_text_fts_au"),
    }
    assert raw(repo, "SELECT count(*) FROM sqlite_master WHERE name = 'paper_fts'") == [(1,)]
    assert raw(repo, "SELECT count(*) FROM sqlite_master WHERE name = 'pdf_text_fts'") == [(1,)]


def _make_sqlite_file(path: Path, user_version: int, wal: bool) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE paper (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE paper_tag (paper INTEGER, tag INTEGER)")
    conn.execute("INSERT INTO paper (title) VALUES ('from the future')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("wal", [True, False], ids=["wal-file", "rollback-journal-file"])
def test_newer_schema_is_refused_and_the_file_left_untouched(tmp_path: Path, wal: bool) -> None:
    path = tmp_path / "library.sqlite3"
    newer = LATEST_VERSION + 1
    _make_sqlite_file(path, newer, wal)
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(SchemaTooNewError) as info:
        Repository.open(path)

    message = str(info.value)
    assert "newer version of Daily Papers" in message
    assert f"schema {newer}" in message and f"up to {LATEST_VERSION}" in message
    assert "Update Daily Papers" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal, -shm or backup


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not SQLite at all" * 100)
    with pytest.raises(StoreError, match="it is not an SQLite database"):
        Repository.open(path)


# --------------------------------------------------------------------------- migrations

V1_PAPERS = [
    # id, paper_id, title, abstract, authors_text, published, upvotes
    (
        1,
        "2301.00001",
        "Sparse mixtures of experts",
        "We route tokens.",
        "Ada Lovelace, Alan Turing",
        "2023-01-02",
        12,
    ),
    (
        2,
        "2301.00002",
        "Schrödinger bridges",
        "Diffusion as transport.",
        "Erwin Schrödinger",
        "2023-01-03",
        3,
    ),
    (3, "2301.00003", "Plain paper", "", "", "2023-01-04", 0),
]


def _build_v1_library(path: Path) -> None:
    db = open_database(path, migrate_to=1)
    conn = db.connection()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("BEGIN")
    for pk, paper_id, title, abstract, authors, published, upvotes in V1_PAPERS:
        conn.execute(
            "INSERT INTO paper (id, paper_id, title, abstract, authors_text, published, upvotes, "
            "first_seen, last_fetched) VALUES (?, ?, ?, ?, ?, ?, ?, '2023-01-05', '2023-01-05')",
            (pk, paper_id, title, abstract, authors, published, upvotes),
        )
        for pos, name in enumerate(a for a in authors.split(", ") if a):
            conn.execute(
                "INSERT INTO paper_author (paper, position, name) VALUES (?, ?, ?)",
                (pk, pos, name),
            )
    conn.execute(
        "INSERT INTO tag (id, name, name_key, color, created) VALUES "
        "(1, 'ML', 'ml', '#ff0000', 'x'), (2, 'ML/MoE', 'ml/moe', NULL, 'x')"
    )
    conn.execute("INSERT INTO paper_tag (paper, tag, added) VALUES (1, 2, 'x'), (2, 1, 'x')")
    conn.execute(
        "INSERT INTO paper_state (paper, read, starred, saved, note, changed) VALUES "
        "(1, 1, 1, 1, 'read this twice', 'x'), (2, 0, 0, 1, '', 'x')"
    )
    conn.execute(
        "INSERT INTO daily_appearance (day, paper, rank) VALUES "
        "('2023-01-05', 1, 2), ('2023-01-06', 1, 1)"
    )
    conn.execute("COMMIT")
    db.close()


def test_a_library_from_before_entries_were_kept_still_exports(tmp_path: Path) -> None:
    """A v4 library (an earlier import kept only columns, and a year without a date) gains
    entries, aliases, kept files and published versions without losing anything."""
    from desktop_app.bibtex import export_bibtex

    path = tmp_path / "library.sqlite3"
    db = open_database(path, migrate_to=4)
    conn = db.connection()
    conn.execute(
        "INSERT INTO paper (id, paper_id, title, published, year, journal_ref, source_rank, "
        "first_seen, last_fetched) VALUES (1, 'local:old', 'An Old Import', '', 2019, "
        "'Phys. Rev. D 76, 013009 (2019)', 0, 'x', 'x')"
    )
    conn.execute("INSERT INTO paper_author (paper, position, name) VALUES (1, 0, 'Ada Lovelace')")
    db.close()
    repo = Repository.open(path)
    try:
        paper = repo.get("local:old")
        assert (paper.published, paper.year, paper.shown_year, paper.entry_type) == (
            None,
            2019,
            2019,
            None,
        )
        assert raw(repo, "SELECT published FROM paper") == [("2019",)]
        assert repo.entries(["local:old"]) == {} and repo.autoexports() == []
        assert export_bibtex(repo, ["local:old"]).startswith(
            "@article{lovelace2019old,\n  title = {An Old Import},\n  author = {Lovelace, Ada},\n"
            "  journal = {Phys. Rev. D},\n  volume = {76},\n  pages = {013009},\n  year = {2019}\n}"
        )
    finally:
        repo.close()


def test_migrating_an_old_library_keeps_all_user_data_and_writes_a_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.sqlite3"
    _build_v1_library(path)

    repo = Repository.open(path)
    try:
        assert raw(repo, "PRAGMA user_version") == [(LATEST_VERSION,)]
        moe = repo.get("2301.00001")
        assert moe.title == "Sparse mixtures of experts"
        assert moe.authors == ("Ada Lovelace", "Alan Turing")
        assert moe.published == date(2023, 1, 2)
        assert moe.upvotes == 12
        assert (moe.read, moe.starred, moe.saved, moe.note) == (True, True, True, "read this twice")
        assert moe.tags == ("ML/MoE",)
        assert (moe.daily_day, moe.daily_rank) == (date(2023, 1, 6), 1)
        assert moe.rowid == 1
        assert (moe.num_models, moe.year, moe.cite_key) == (None, None, None)  # v2 columns
        bridges = repo.get("2301.00002")
        assert (bridges.read, bridges.saved, bridges.tags) == (False, True, ("ML",))
        assert repo.get("2301.00003").authors == ()
        assert {t.name: t.color for t in repo.tags()} == {"ML": "#ff0000", "ML/MoE": None}
        assert repo.stats() == {"papers": 3, "tags": 2, "saved": 2, "unread": 2}
        # The FTS index built under v1 still answers, and v2's meta table works.
        assert [p.id for p in repo.page(FeedQuery(text="schrodinger")).papers] == ["2301.00002"]
        repo.set_meta("last_fetch", "now")
        assert repo.get_meta("last_fetch") == "now"
        assert check_library(repo.path) == []
    finally:
        repo.close()

    backup = tmp_path / "library.sqlite3.v1.bak"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        assert conn.execute("SELECT paper_id FROM paper ORDER BY id").fetchall() == [
            (p[1],) for p in V1_PAPERS
        ]
        assert conn.execute("SELECT note FROM paper_state WHERE paper = 1").fetchone() == (
            "read this twice",
        )
    finally:
        conn.close()


def test_migrating_a_v2_library_keeps_its_meta_and_tunes_the_index(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    _build_v1_library(path)
    db = open_database(path, migrate_to=2)
    db.execute_sql("INSERT INTO meta (key, value) VALUES ('last_fetch:daily', 'T1')")
    db.execute_sql("INSERT INTO meta (key, value) VALUES (NULL, 'a row v2 let in')")
    db.close()

    repo = Repository.open(path)
    try:
        assert raw(repo, "PRAGMA user_version") == [(LATEST_VERSION,)]
        assert raw(repo, "SELECT key, value FROM meta") == [("last_fetch:daily", "T1")]
        assert repo.get_meta("last_fetch:daily") == "T1"
        with pytest.raises(IntegrityError):
            raw(repo, "INSERT INTO meta (key, value) VALUES (NULL, 'x')")
        assert raw(repo, "SELECT v FROM paper_fts_config WHERE k = 'automerge'") == [(16,)]
        assert repo.get("2301.00001").note == "read this twice"
        assert check_library(repo.path) == []
    finally:
        repo.close()
    assert (tmp_path / "library.sqlite3.v2.bak").exists()


def test_a_new_library_gets_no_backup(tmp_path: Path) -> None:
    Repository.open(tmp_path / "library.sqlite3").close()
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == []


def test_a_failed_migration_step_is_rolled_back_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    _build_v1_library(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (k TEXT)")  # step 2 creates 'meta' and will now fail
    conn.commit()
    conn.close()

    with pytest.raises(StoreError, match="current format"):
        Repository.open(path)

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        columns = {r[1] for r in conn.execute("PRAGMA table_info(paper)")}
        assert "num_models" not in columns, "the half-applied step must be rolled back"
        assert conn.execute("SELECT count(*) FROM paper").fetchone() == (3,)
    finally:
        conn.close()


def test_a_migration_step_already_applied_by_another_process_is_skipped(
    repo: Repository,
) -> None:
    # Another process migrated between our version check and our write lock.
    migrate(repo.db, 1, LATEST_VERSION)
    assert raw(repo, "PRAGMA user_version") == [(LATEST_VERSION,)]


# --------------------------------------------------------------------------- upsert


def test_upsert_counts_new_updated_and_unchanged(repo: Repository) -> None:
    assert repo.upsert_papers([rec(1), rec(2), rec(3)]).new == 3
    again = repo.upsert_papers([rec(1), rec(2), rec(3)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    mixed = repo.upsert_papers([rec(1, upvotes=5), rec(2), rec(4)])
    assert (mixed.new, mixed.updated, mixed.unchanged, mixed.total) == (1, 1, 1, 3)
    assert raw(repo, "SELECT count(*) FROM paper") == [(4,)]


def test_duplicate_ids_in_one_call_are_one_paper_and_the_last_record_wins(
    repo: Repository,
) -> None:
    result = repo.upsert_papers([rec(1, title="first"), rec(1, title="second")])
    assert (result.new, result.total) == (1, 1)
    assert repo.get(pid(1)).title == "second"


def test_a_later_record_for_the_same_id_merges_over_the_earlier(repo: Repository) -> None:
    result = repo.upsert_papers([rec(1, upvotes=5, github_repo="a/b"), rec(1, title="second")])
    assert (result.new, result.total) == (1, 1)
    paper = repo.get(pid(1))
    assert (paper.title, paper.upvotes, paper.github_repo) == ("second", 5, "a/b")


def test_upsert_streams_a_long_iterable_and_counts_each_paper_once(repo: Repository) -> None:
    repo.upsert_papers([rec(0, upvotes=1), rec(1)])
    consumed: list[int] = []

    written_midway: list[int] = []

    def stream():  # a generator, longer than one internal chunk, with repeats across chunks
        for n in range(1, 1001):
            if n == 900:  # the first chunks are in the (open) transaction already
                written_midway.append(raw(repo, "SELECT count(*) FROM paper")[0][0])
            consumed.append(n)
            yield rec(n)
        yield rec(2, upvotes=9)  # new earlier in this call: stays "new"
        yield rec(1, upvotes=3)  # unchanged earlier in this call, then updated
        yield rec(0, upvotes=1)  # unchanged

    result = repo.upsert_papers(stream())
    assert (result.new, result.updated, result.unchanged) == (999, 1, 1)
    assert consumed == list(range(1, 1001))
    assert written_midway and written_midway[0] >= 800  # streamed, not collected first
    assert raw(repo, "SELECT count(*) FROM paper") == [(1001,)]
    assert (repo.get(pid(2)).upvotes, repo.get(pid(1)).upvotes) == (9, 3)
    assert repo.get(pid(1000)).authors == ("Author 1000A", "Author 1000B")
    assert raw(repo, "INSERT INTO paper_fts (paper_fts, rank) VALUES ('integrity-check', 1)") == []


def test_a_failure_late_in_a_stream_leaves_the_library_as_it_was(repo: Repository) -> None:
    repo.upsert_papers([rec(1)])

    def stream():
        yield from (rec(n, upvotes=7) for n in range(1, 900))
        raise OSError("the file went away")

    with pytest.raises(OSError):
        repo.upsert_papers(stream())
    assert raw(repo, "SELECT count(*) FROM paper") == [(1,)]
    assert repo.get(pid(1)).upvotes is None  # still unknown, not the 7 of the failed stream


def test_refetch_updates_fetched_fields_and_never_user_state(repo: Repository) -> None:
    repo.upsert_papers([rec(1, upvotes=1, comments=0, github_repo="a/b")], fetched_at="T1")
    repo.tag_papers([pid(1)], ["ml/moe"])
    repo.set_read([pid(1)])
    repo.set_starred([pid(1)])
    repo.set_note(pid(1), "my note")
    before = repo.get(pid(1))

    result = repo.upsert_papers(
        [
            rec(
                1,
                title="  A  better\ntitle ",
                abstract=" New abstract. ",
                upvotes=40,
                comments=7,
                github_repo="c/d",
                github_stars=99,
                project_page="https://example.org",
            )
        ],
        fetched_at="T2",
    )

    after = repo.get(pid(1))
    assert result.updated == 1
    assert after.title == "A better title"
    assert after.abstract == "New abstract."
    assert (after.upvotes, after.comments) == (40, 7)
    assert (after.github_repo, after.github_stars, after.project_page) == (
        "c/d",
        99,
        "https://example.org",
    )
    assert (after.first_seen, after.last_fetched) == ("T1", "T2")
    assert after.tags == before.tags == ("ml/moe",)
    assert (after.read, after.starred, after.saved, after.note) == (True, True, True, "my note")
    assert raw(repo, "SELECT read, starred, saved, note FROM paper_state") == [(1, 1, 1, "my note")]


def test_an_unchanged_refetch_only_touches_last_fetched(repo: Repository) -> None:
    repo.upsert_papers([rec(1)], fetched_at="T1")
    result = repo.upsert_papers([rec(1)], fetched_at="T2")
    paper = repo.get(pid(1))
    assert result.unchanged == 1
    assert (paper.first_seen, paper.last_fetched) == ("T1", "T2")


def test_none_keeps_the_stored_value_so_hf_and_arxiv_records_merge(repo: Repository) -> None:
    hf = PaperRecord(
        id=pid(7),
        title="Mixture of depths",
        authors=("David Raposo", "Sam Ritter"),
        published=date(2024, 4, 2),
        upvotes=88,
        comments=4,
        organization="Google DeepMind",
        ai_summary="Tokens skip layers.",
        ai_keywords=("routing", "compute"),
        github_repo="x/mod",
        num_models=2,
    )
    arxiv = PaperRecord(
        id=pid(7),
        title="Mixture-of-Depths: Dynamically allocating compute",
        abstract="Transformer-based language models spread FLOPs uniformly.",
        authors=("David Raposo", "Sam Ritter", "Blake Richards"),
        published=date(2024, 4, 2),
        updated=date(2024, 4, 5),
        categories=("cs.LG", "cs.CL"),
        primary_category="cs.LG",
        doi="10.1000/xyz",
        arxiv_comment="12 pages",
        version=2,
    )
    repo.upsert_papers([hf])
    repo.upsert_papers([arxiv])

    paper = repo.get(pid(7))
    assert raw(repo, "SELECT count(*) FROM paper") == [(1,)]
    # From arXiv
    assert paper.title == "Mixture-of-Depths: Dynamically allocating compute"
    assert paper.abstract.startswith("Transformer-based")
    assert paper.authors == ("David Raposo", "Sam Ritter", "Blake Richards")
    assert (paper.categories, paper.primary_category) == (("cs.LG", "cs.CL"), "cs.LG")
    assert (paper.doi, paper.arxiv_comment, paper.version) == ("10.1000/xyz", "12 pages", 2)
    assert paper.updated == date(2024, 4, 5)
    # Kept from Hugging Face although the arXiv record said nothing about them
    assert (paper.upvotes, paper.comments, paper.organization) == (88, 4, "Google DeepMind")
    assert (paper.ai_summary, paper.ai_keywords) == ("Tokens skip layers.", ("routing", "compute"))
    assert (paper.github_repo, paper.num_models) == ("x/mod", 2)

    # And the other way round: a later HF record without an abstract keeps arXiv's.
    repo.upsert_papers([PaperRecord(id=pid(7), title=paper.title, upvotes=90)])
    again = repo.get(pid(7))
    assert again.abstract == paper.abstract
    assert (again.upvotes, again.doi, again.authors) == (90, "10.1000/xyz", paper.authors)


def test_a_new_paper_without_optional_fields_gets_defaults(repo: Repository) -> None:
    repo.upsert_papers([PaperRecord(id="local:smith2020", title="Only a title")])
    paper = repo.get("local:smith2020")
    assert (paper.abstract, paper.authors, paper.published) == ("", (), None)
    # Hugging Face's counts are unknown, not 0
    assert (paper.upvotes, paper.comments, paper.ai_keywords, paper.categories) == (
        None,
        None,
        (),
        (),
    )
    assert (paper.is_local, paper.hf_url) == (True, None)


def test_authors_keep_their_order_and_are_replaced_on_change(repo: Repository) -> None:
    repo.upsert_papers([rec(1, authors=("Zoe", "Adam", "Mia"))])
    assert repo.get(pid(1)).authors == ("Zoe", "Adam", "Mia")

    assert repo.upsert_papers([rec(1, authors=("Adam", "Zoe"))]).updated == 1
    assert repo.get(pid(1)).authors == ("Adam", "Zoe")
    assert raw(repo, "SELECT position, name FROM paper_author ORDER BY position") == [
        (0, "Adam"),
        (1, "Zoe"),
    ]
    # No authors in a record means "this source does not say".
    assert repo.upsert_papers([rec(1, authors=())]).unchanged == 1
    assert repo.get(pid(1)).authors == ("Adam", "Zoe")
    # A list whose joined text is the same is still a different list.
    repo.upsert_papers([rec(1, authors=("Smith, J.",))])
    assert repo.upsert_papers([rec(1, authors=("Smith", "J."))]).updated == 1
    assert repo.get(pid(1)).authors == ("Smith", "J.")


def test_daily_appearances_are_recorded_and_refreshed_without_duplicates(
    repo: Repository,
) -> None:
    d1, d2 = date(2024, 3, 1), date(2024, 3, 2)
    repo.upsert_papers([rec(1), rec(2)], [DailyAppearance(pid(1), d1, 3)])
    repo.upsert_papers(
        [rec(1), rec(2)],
        [
            DailyAppearance(pid(1), d1, 1),  # the rank of that day changed
            DailyAppearance(pid(2), d1, 2),
            DailyAppearance(pid(1), d2, 5),
            DailyAppearance("9999.99999", d2, 1),  # not in the library: ignored
        ],
    )
    rows = raw(
        repo,
        "SELECT p.paper_id, d.day, d.rank FROM daily_appearance d "
        "JOIN paper p ON p.id = d.paper ORDER BY d.day, d.rank",
    )
    assert rows == [
        (pid(1), "2024-03-01", 1),
        (pid(2), "2024-03-01", 2),
        (pid(1), "2024-03-02", 5),
    ]
    first = repo.get(pid(1))
    assert (first.daily_day, first.daily_rank) == (d2, 5)  # the most recent list


def test_the_rowid_of_a_paper_never_changes_across_refetches(repo: Repository) -> None:
    repo.upsert_papers([rec(n) for n in range(1, 6)])
    repo.tag_papers([pid(3)], ["keep"])
    rowids = {p.id: p.rowid for p in repo.get_many([pid(n) for n in range(1, 6)])}
    for round_ in range(3):
        repo.upsert_papers(
            [rec(n, title=f"Retitled {round_} {n}", upvotes=round_) for n in range(1, 6)]
            + [rec(100 + round_)]
        )
    assert {p.id: p.rowid for p in repo.get_many([pid(n) for n in range(1, 6)])} == rowids
    assert raw(repo, "SELECT paper FROM paper_tag") == [(rowids[pid(3)],)]
    assert repo.get(pid(3)).tags == ("keep",)


def test_fts_stays_consistent_over_repeated_upserts(repo: Repository) -> None:
    n = 60
    repo.upsert_papers([rec(i, title=f"seed{i} original") for i in range(n)])
    for round_ in range(1, 6):
        # Every round changes titles, abstracts and authors of two thirds of the papers,
        # leaves the rest unchanged, and adds a few new ones.
        records = [
            rec(
                i,
                title=f"seed{i} round{round_}title",
                abstract=f"Round {round_} abstract mentions word{round_}x.",
                authors=(f"Writer{round_}", f"Second {i}"),
            )
            for i in range(n)
            if i % 3 != round_ % 3
        ] + [rec(1000 + round_, title=f"fresh{round_} paper")]
        repo.upsert_papers(records)
        fts_integrity(repo)
        changed = {pid(i) for i in range(n) if i % 3 != round_ % 3}
        assert {p.id for p in all_pages(repo, FeedQuery(text=f"round{round_}title"), 25)} == (
            changed
        )
        assert repo.count(FeedQuery(text=f"word{round_}x")) == len(changed)
        assert repo.count(FeedQuery(text=f"writer{round_}")) == len(changed)
        assert repo.count(FeedQuery(text=f"fresh{round_}")) == 1
        # Old titles are gone from the index for the changed papers.
        previous = f"round{round_ - 1}title" if round_ > 1 else "original"
        still_old = {p.id for p in all_pages(repo, FeedQuery(text=previous), 50)}
        assert still_old.isdisjoint(changed)
    assert check_library(repo.path) == []


# --------------------------------------------------------------------------- paging

N_PAGING = 61


@pytest.fixture
def feed(repo: Repository) -> Repository:
    """Papers with many ties on every sort key, tags, state and daily lists."""
    records = []
    apps = []
    for i in range(N_PAGING):
        common = "graph neural" if i % 2 else "graph"
        records.append(
            rec(
                i,
                title=f"{common} study {'twin' if i % 5 == 0 else i}",
                abstract="graph " * (1 + i % 3),
                published=date(2024, 1, 1) + timedelta(days=i % 4),
                upvotes=(i * 7) % 5,
            )
        )
        if i % 3 == 0:
            day = date(2024, 2, 1) + timedelta(days=i % 2)
            apps.append(DailyAppearance(pid(i), day, 1 + (i % 4)))  # ranks tie too
        if i % 9 == 0:  # an older appearance must not count for the rank sort
            apps.append(DailyAppearance(pid(i), date(2024, 1, 20), 1))
    repo.upsert_papers(records, apps)
    return repo


def _expected_order(repo: Repository, sort: Sort, query_text: str = "graph") -> list[str]:
    papers = repo.get_many([pid(i) for i in range(N_PAGING)])
    if sort is Sort.DATE:
        papers.sort(key=lambda p: (p.published, p.rowid), reverse=True)
    elif sort is Sort.UPVOTES:
        papers.sort(key=lambda p: (p.upvotes, p.rowid), reverse=True)
    elif sort is Sort.RANK:
        papers = [p for p in papers if p.daily_day is not None]
        papers.sort(key=lambda p: (-p.daily_day.toordinal(), p.daily_rank, p.rowid))  # type: ignore[union-attr]
    else:
        # Title matches first, then the rest, each in bm25 order (see relevance_tiers).
        by_rowid = {p.rowid: p.id for p in papers}
        order = []
        for tier in (
            f'({{title}} : ("{query_text}")) AND ("{query_text}")',
            f'("{query_text}") NOT ({{title}} : ("{query_text}"))',
        ):
            rows = raw(
                repo,
                "SELECT rowid FROM paper_fts WHERE paper_fts MATCH ? "
                "ORDER BY bm25(paper_fts, 10.0, 1.0, 3.0), rowid",
                [tier],
            )
            order += [by_rowid[r[0]] for r in rows]
        return order
    return [p.id for p in papers]


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("limit", [1, 7, 100])
def test_keyset_paging_returns_every_paper_once_in_order(
    feed: Repository, sort: Sort, limit: int
) -> None:
    query = FeedQuery(text="graph" if sort is Sort.RELEVANCE else "", sort=sort)
    got = [p.id for p in all_pages(feed, query, limit)]
    expected = _expected_order(feed, sort)
    assert len(got) == len(set(got))
    assert got == expected
    assert feed.count(query) == len(got)
    if sort is Sort.RANK:
        assert len(got) == len([i for i in range(N_PAGING) if i % 3 == 0])


def test_relevance_prefers_title_matches_and_ties_page_stably(repo: Repository) -> None:
    repo.upsert_papers(
        [rec(1, title="Unrelated", abstract="a note on pruning")]
        + [rec(i, title="Pruning networks", abstract="same text") for i in range(2, 12)]
    )
    ids = [p.id for p in all_pages(repo, FeedQuery(text="pruning", sort=Sort.RELEVANCE), 3)]
    assert ids[-1] == pid(1)
    assert ids[:-1] == [pid(i) for i in range(2, 12)]  # equal scores: by rowid


def test_paging_continues_after_new_papers_arrive(feed: Repository) -> None:
    query = FeedQuery(sort=Sort.DATE)
    first = feed.page(query, None, limit=10)
    # A refetch inserts newer papers between pages: they are not in the continuation.
    feed.upsert_papers([rec(500 + i, published=date(2030, 1, 1)) for i in range(5)])
    rest = all_pages_from(feed, query, first.cursor, 10)
    ids = [p.id for p in first.papers] + [p.id for p in rest]
    assert sorted(ids) == sorted(pid(i) for i in range(N_PAGING))


def all_pages_from(repo: Repository, query: FeedQuery, cursor: tuple | None, limit: int) -> list:
    out: list[Paper] = []
    while cursor is not None:
        page = repo.page(query, cursor, limit=limit)
        out.extend(page.papers)
        cursor = page.cursor
    return out


def test_page_rejects_a_limit_below_one(repo: Repository) -> None:
    with pytest.raises(ValueError, match="limit"):
        repo.page(FeedQuery(), None, limit=0)


@pytest.fixture
def library(repo: Repository) -> Repository:
    """Ten papers with tags, state and dates for the filter tests."""
    repo.upsert_papers(
        [
            rec(
                i,
                title=f"{'diffusion' if i < 5 else 'transformer'} paper {i}",
                published=date(2024, 1, 1) + timedelta(days=i),
            )
            for i in range(10)
        ],
        # 1 on 2024-03-01 (rank 1), 4 on 03-02 (rank 4), 7 on 03-03 (rank 7)
        [
            DailyAppearance(pid(i), date(2024, 3, 1) + timedelta(days=k), i)
            for k, i in enumerate((1, 4, 7))
        ],
    )
    repo.tag_papers([pid(0), pid(1)], ["ml"])
    repo.tag_papers([pid(2)], ["ml/pruning"])
    repo.tag_papers([pid(3)], ["mlops"])
    repo.tag_papers([pid(1), pid(2), pid(4)], ["vision"])
    repo.set_read([pid(0), pid(2), pid(5)])
    repo.set_starred([pid(6)])
    repo.set_saved([pid(7)])
    return repo


FILTER_CASES: dict[str, tuple[FeedQuery, set[int]]] = {
    "tag includes sub-tags, not prefixes": (FeedQuery(tags=("ML",)), {0, 1, 2}),
    "sub-tag alone": (FeedQuery(tags=("ml/pruning",)), {2}),
    "mlops": (FeedQuery(tags=("mlops",)), {3}),
    "all tags": (FeedQuery(tags=("ml", "vision"), tag_mode="all"), {1, 2}),
    "any tag": (FeedQuery(tags=("mlops", "vision"), tag_mode="any"), {1, 2, 3, 4}),
    "unknown tag": (FeedQuery(tags=("nope",)), set()),
    "unknown tag among any": (FeedQuery(tags=("nope", "mlops"), tag_mode="any"), {3}),
    "text": (FeedQuery(text="diffusion"), {0, 1, 2, 3, 4}),
    "text and tag": (FeedQuery(text="diffusion", tags=("vision",)), {1, 2, 4}),
    "date range inclusive": (
        FeedQuery(date_from=date(2024, 1, 3), date_to=date(2024, 1, 5)),
        {2, 3, 4},
    ),
    "date from": (FeedQuery(date_from=date(2024, 1, 9)), {8, 9}),
    "daily only in range": (
        FeedQuery(daily_only=True, date_from=date(2024, 3, 2), date_to=date(2024, 3, 3)),
        {4, 7},
    ),
    "daily only": (FeedQuery(daily_only=True), {1, 4, 7}),
    "unread": (FeedQuery(unread=True), {1, 3, 4, 6, 7, 8, 9}),
    "starred": (FeedQuery(starred=True), {6}),
    "saved": (FeedQuery(saved=True), {0, 1, 2, 3, 4, 6, 7}),  # tagged, starred or saved
    "unread and saved": (FeedQuery(unread=True, saved=True), {1, 3, 4, 6, 7}),
    "ids": (FeedQuery(ids=(pid(9), pid(3), "9999.99999")), {3, 9}),
    "no ids": (FeedQuery(ids=()), set()),
    "arxiv id as text": (FeedQuery(text=f"arXiv:{pid(8)}v3"), {8}),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
@pytest.mark.parametrize("sort", [Sort.DATE, Sort.UPVOTES, Sort.RELEVANCE])
def test_filters(library: Repository, case: str, sort: Sort) -> None:
    query, expected = FILTER_CASES[case]
    query = FeedQuery(**{**query.__dict__, "sort": sort})
    got = [p.id for p in all_pages(library, query, 3)]
    assert len(got) == len(set(got))
    assert set(got) == {pid(i) for i in expected}
    assert library.count(query) == len(expected)
    assert library.ids(query) == got


def test_rank_sort_holds_only_papers_on_a_daily_list_in_the_range(library: Repository) -> None:
    query = FeedQuery(sort=Sort.RANK, date_from=date(2024, 3, 1), date_to=date(2024, 3, 2))
    got = [p.id for p in all_pages(library, query, 1)]
    # newest day first: 4 (03-02), then 1 (03-01); 7 (03-03) is out of range
    assert got == [pid(4), pid(1)]
    assert library.count(query) == 2


def test_rank_sort_orders_a_week_by_day_then_rank(repo: Repository) -> None:
    week = [date(2024, 5, 6) + timedelta(days=d) for d in range(7)]
    apps = [DailyAppearance(pid(d * 10 + r), week[d], r) for d in range(7) for r in (3, 1, 2)]
    repo.upsert_papers([rec(d * 10 + r) for d in range(7) for r in (1, 2, 3)], apps)
    query = FeedQuery(sort=Sort.RANK, date_from=week[0], date_to=week[6])
    got = [p.id for p in all_pages(repo, query, 4)]
    assert got == [pid(d * 10 + r) for d in reversed(range(7)) for r in (1, 2, 3)]


def test_text_filter_sees_a_refetched_title_in_every_sort(repo: Repository) -> None:
    repo.upsert_papers([rec(1, title="old words")], [DailyAppearance(pid(1), DAY, 1)])
    repo.upsert_papers([rec(1, title="new words")])
    for sort in Sort:
        assert [p.id for p in repo.page(FeedQuery(text="new", sort=sort)).papers] == [pid(1)]
        assert repo.page(FeedQuery(text="old", sort=sort)).papers == ()


# --------------------------------------------------------------------------- reads


def test_get_find_and_get_many(repo: Repository) -> None:
    repo.upsert_papers([rec(1), rec(2), rec(3)])
    assert repo.find("9999.99999") is None
    with pytest.raises(NotFoundError, match=r"9999\.99999"):
        repo.get("9999.99999")
    assert [p.id for p in repo.get_many([pid(3), "nope", pid(1), pid(3)])] == [
        pid(3),
        pid(1),
        pid(3),
    ]
    many = [rec(i) for i in range(10, 1010)]  # more than one IN (...) chunk
    repo.upsert_papers(many)
    assert len(repo.get_many([r.id for r in many])) == 1000


# --------------------------------------------------------------------------- tags


def test_tag_names_are_normalised() -> None:
    assert normalize_tag_name("  ml //  pruning  ") == "ml/pruning"
    assert normalize_tag_name("deep   learning/ vision\t") == "deep learning/vision"
    assert normalize_tag_name("e\u0301tude") == "\u00e9tude"  # NFC
    for bad in ("", "   ", "///", " / "):
        with pytest.raises(InvalidInputError):
            normalize_tag_name(bad)


def test_tags_are_unique_case_insensitively_including_unicode(repo: Repository) -> None:
    repo.upsert_papers([rec(1), rec(2)])
    repo.create_tag("Étude")
    assert repo.create_tag("étude") == Tag(name="Étude")
    repo.tag_papers([pid(1)], ["ÉTUDE"])
    repo.tag_papers([pid(2)], ["e\u0301tude"])  # decomposed é
    repo.tag_papers([pid(2)], ["STRASSE"])
    repo.tag_papers([pid(1)], ["straße"])
    assert [(t.name, t.count) for t in repo.tags()] == [("STRASSE", 2), ("Étude", 2)]
    assert tag_key("STRASSE") == tag_key("Straße")
    assert raw(repo, "SELECT count(*) FROM tag") == [(2,)]


def test_create_tag_rejects_empty_names(repo: Repository) -> None:
    with pytest.raises(InvalidInputError):
        repo.create_tag(" / ")
    assert repo.tags() == []


@pytest.fixture
def tagged(repo: Repository) -> Repository:
    repo.upsert_papers([rec(i) for i in range(1, 6)])
    repo.tag_papers([pid(1), pid(2)], ["ml"])
    repo.tag_papers([pid(3)], ["ml/pruning"])
    repo.tag_papers([pid(3)], ["ml/pruning/magnitude"])
    repo.tag_papers([pid(4)], ["mlops"])
    repo.tag_papers([pid(2), pid(5)], ["ai"])
    return repo


def names(repo: Repository) -> list[str]:
    return [t.name for t in repo.tags()]


def test_renaming_a_parent_renames_its_children(tagged: Repository) -> None:
    assert tagged.rename_tag("ML", "deep") == 3
    assert names(tagged) == ["ai", "deep", "deep/pruning", "deep/pruning/magnitude", "mlops"]
    assert tagged.get(pid(3)).tags == ("deep/pruning", "deep/pruning/magnitude")
    assert tagged.get(pid(1)).tags == ("deep",)


def test_case_only_rename(tagged: Repository) -> None:
    assert tagged.rename_tag("ml", "ML") == 3
    assert names(tagged) == ["ai", "ML", "ML/pruning", "ML/pruning/magnitude", "mlops"]


def test_rename_of_a_name_whose_casefold_has_another_length(repo: Repository) -> None:
    repo.upsert_papers([rec(1)])
    repo.tag_papers([pid(1)], ["Straße", "Straße/verkehr"])
    assert repo.rename_tag("STRASSE", "roads") == 2
    assert names(repo) == ["roads", "roads/verkehr"]


@pytest.mark.parametrize(
    ("old", "new"),
    [("ml", "AI"), ("ml", "mlops"), ("ml/pruning", "ai")],
)
def test_rename_onto_an_existing_tag_is_refused(tagged: Repository, old: str, new: str) -> None:
    before = names(tagged)
    with pytest.raises(InvalidInputError, match="already exists"):
        tagged.rename_tag(old, new)
    assert names(tagged) == before


def test_rename_clash_on_a_sub_tag_is_refused(tagged: Repository) -> None:
    tagged.create_tag("deep/pruning")
    before = names(tagged)
    with pytest.raises(InvalidInputError, match="deep/pruning"):
        tagged.rename_tag("ml", "deep")
    assert names(tagged) == before


def test_rename_of_a_missing_tag(tagged: Repository) -> None:
    with pytest.raises(NotFoundError):
        tagged.rename_tag("nothing", "else")


def test_merge_moves_papers_and_sub_tags_without_duplicates(tagged: Repository) -> None:
    tagged.create_tag("ai/pruning")  # exists on both sides
    gained = tagged.merge_tags("ml", "AI")
    # pid1 → ai (new), pid2 → ai (already), pid3 → ai/pruning and ai/pruning/magnitude
    assert gained == 3
    assert names(tagged) == ["ai", "ai/pruning", "ai/pruning/magnitude", "mlops"]
    assert [p.id for p in tagged.page(FeedQuery(tags=("ai",))).papers] == [
        pid(5),
        pid(3),
        pid(2),
        pid(1),
    ]
    assert (
        raw(
            tagged,
            "SELECT paper, count(*) FROM paper_tag GROUP BY paper, tag HAVING count(*) > 1",
        )
        == []
    )
    assert tagged.get(pid(2)).tags == ("ai",)
    assert tagged.stats()["papers"] == 5


@pytest.mark.parametrize(("source", "target"), [("ml", "ML"), ("ml", "ml/pruning")])
def test_merge_into_itself_or_its_sub_tag_is_refused(
    tagged: Repository, source: str, target: str
) -> None:
    with pytest.raises(InvalidInputError):
        tagged.merge_tags(source, target)


def test_deleting_a_parent_deletes_children_but_not_papers(tagged: Repository) -> None:
    assert tagged.delete_tag("ML") == 3
    assert names(tagged) == ["ai", "mlops"]
    assert tagged.stats()["papers"] == 5
    assert tagged.get(pid(3)).tags == ()
    assert raw(tagged, "SELECT count(*) FROM paper_tag") == [(3,)]  # mlops×1, ai×2
    with pytest.raises(NotFoundError):
        tagged.delete_tag("ml")


def test_tag_colour(repo: Repository) -> None:
    repo.create_tag("vision", color="#00ff00")
    assert repo.get_tag("VISION") == Tag(name="vision", color="#00ff00")
    repo.set_tag_color("vision", "#123456")
    assert [(t.name, t.color) for t in repo.tags()] == [("vision", "#123456")]
    repo.set_tag_color("vision", None)
    assert repo.get_tag("vision").color is None
    with pytest.raises(NotFoundError):
        repo.set_tag_color("nope", "#000000")
    with pytest.raises(NotFoundError):
        repo.get_tag("nope")


def test_tag_and_untag_many(repo: Repository) -> None:
    repo.upsert_papers([rec(i) for i in range(1, 5)])
    assert repo.tag_papers([pid(1), pid(2), pid(3)], ["a", "b"]) == 6
    assert repo.tag_papers([pid(1), pid(2), pid(3)], ["A", "b"]) == 0
    assert repo.untag_papers([pid(1), pid(2)], ["a"]) == 2
    assert repo.untag_papers([pid(1)], ["never-existed"]) == 0
    assert [(t.name, t.count) for t in repo.tags()] == [("a", 1), ("b", 3)]
    assert repo.tag_papers([], ["a"]) == 0
    assert repo.tag_papers([pid(4)], []) == 0


def test_tagging_an_unknown_paper_writes_nothing(repo: Repository) -> None:
    repo.upsert_papers([rec(1)])
    with pytest.raises(NotFoundError, match=r"9999\.99999"):
        repo.tag_papers([pid(1), "9999.99999"], ["new-tag"])
    assert repo.tags() == []
    assert repo.get(pid(1)).saved is False


def test_tagging_starring_and_noting_save_a_paper(repo: Repository) -> None:
    repo.upsert_papers([rec(i) for i in range(1, 6)])
    repo.tag_papers([pid(1)], ["x"])
    repo.set_starred([pid(2)])
    repo.set_note(pid(3), "worth reading")
    repo.set_note(pid(4), "   ")  # a blank note does not save
    repo.set_read([pid(5)])
    saved = {p.id: p.saved for p in repo.get_many([pid(i) for i in range(1, 6)])}
    assert saved == {pid(1): True, pid(2): True, pid(3): True, pid(4): False, pid(5): False}
    # Unstarring does not unsave; unsaving is explicit.
    repo.set_starred([pid(2)], False)
    assert (repo.get(pid(2)).starred, repo.get(pid(2)).saved) == (False, True)
    repo.set_saved([pid(2)], False)
    assert repo.get(pid(2)).saved is False
    repo.set_read([pid(5)], False)
    assert repo.get(pid(5)).read is False
    assert repo.get(pid(3)).note == "worth reading"


def test_state_changes_on_unknown_papers_raise(repo: Repository) -> None:
    for call in (
        lambda: repo.set_read(["9999.99999"]),
        lambda: repo.set_starred(["9999.99999"]),
        lambda: repo.set_saved(["9999.99999"]),
        lambda: repo.set_note("9999.99999", "x"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert raw(repo, "SELECT count(*) FROM paper_state") == [(0,)]


def test_tag_counts_and_unread_counts(tagged: Repository) -> None:
    tagged.set_read([pid(1), pid(3)])
    counts = {t.name: (t.count, t.unread) for t in tagged.tags()}
    assert counts == {
        "ai": (2, 2),
        "ml": (2, 1),
        "ml/pruning": (1, 0),
        "ml/pruning/magnitude": (1, 0),
        "mlops": (1, 1),
    }
    by_count = [t.name for t in tagged.tags(order="count")]
    assert by_count == ["ai", "ml", "ml/pruning", "ml/pruning/magnitude", "mlops"]
    # With children: pid3 is in two sub-tags of ml but counted once.
    assert tagged.tag_counts_with_children() == {
        "ml": (3, 1),
        "ml/pruning": (1, 0),
        "ml/pruning/magnitude": (1, 0),
        "mlops": (1, 1),
        "ai": (2, 2),
    }


def test_mark_view_read(tagged: Repository) -> None:
    assert len(tagged.mark_view_read(FeedQuery(tags=("ml",)))) == 3
    assert tagged.count(FeedQuery(unread=True)) == 2


# --------------------------------------------------------------------------- bookkeeping


def test_meta(repo: Repository) -> None:
    assert repo.get_meta("last_fetch") is None
    repo.set_meta("last_fetch", "2024-01-01")
    repo.set_meta("last_fetch", "2024-01-02")
    assert repo.get_meta("last_fetch") == "2024-01-02"
    assert raw(repo, "SELECT count(*) FROM meta") == [(1,)]


def test_cite_keys_are_assigned_once(repo: Repository) -> None:
    repo.upsert_papers([rec(1), rec(2)])
    repo.set_cite_keys({pid(1): "smith2024sparse"})
    repo.set_cite_keys({pid(1): "other2024", pid(2): "doe2024dense"})
    assert repo.cite_keys() == {pid(1): "smith2024sparse", pid(2): "doe2024dense"}
    assert repo.get(pid(1)).cite_key == "smith2024sparse"


def test_stats_and_integrity(tagged: Repository) -> None:
    tagged.set_read([pid(1)])
    assert tagged.stats() == {"papers": 5, "tags": 5, "saved": 5, "unread": 4}
    assert check_library(tagged.path) == []


def test_integrity_problems_reports_a_broken_fts_index(repo: Repository) -> None:
    repo.upsert_papers([rec(1)])
    # Change the content behind the index's back (what INSERT OR REPLACE-style bugs do).
    repo.db.execute_sql("DROP TRIGGER paper_fts_au")
    repo.db.execute_sql("UPDATE paper SET title = 'something else entirely'")
    problems = check_library(repo.path)
    assert len(problems) == 1 and problems[0].startswith("search index:")


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (FeedQuery(sort=Sort.RANK), [1, 4, 7][::-1]),
        (FeedQuery(sort=Sort.RANK, unread=True), [7, 4, 1]),
        (FeedQuery(sort=Sort.RANK, tags=("vision",)), [4, 1]),
        (FeedQuery(sort=Sort.RANK, text="transformer"), [7]),
        (FeedQuery(sort=Sort.RANK, saved=True), [7, 4, 1]),
        (FeedQuery(sort=Sort.RANK, ids=(pid(1), pid(2))), [1]),
    ],
)
def test_rank_sort_with_filters(library: Repository, query: FeedQuery, expected: list) -> None:
    got = [p.id for p in all_pages(library, query, 1)]
    assert got == [pid(i) for i in expected]
    assert library.count(query) == len(expected)


def test_ids_filter_with_more_ids_than_one_statement_binds(repo: Repository) -> None:
    repo.upsert_papers([rec(i) for i in range(1200)])
    wanted = [pid(i) for i in range(0, 1200, 2)] + ["9999.99999"]
    for sort in (Sort.DATE, Sort.UPVOTES):
        query = FeedQuery(ids=tuple(wanted), sort=sort)
        assert sorted(p.id for p in all_pages(repo, query, 250)) == sorted(wanted[:-1])
        assert repo.count(query) == 600


def test_relevance_without_text_keeps_the_order_of_the_ids(repo: Repository) -> None:
    repo.upsert_papers([rec(i, upvotes=i) for i in range(1, 10)])
    repo.set_read([pid(4)])
    given = (pid(5), pid(9), "9999.99999", pid(1), pid(5), pid(4), pid(7))  # a source's ranking
    query = FeedQuery(ids=given, sort=Sort.RELEVANCE)
    expected = [pid(5), pid(9), pid(1), pid(4), pid(7)]  # unknown and repeated ids dropped
    for size in (1, 2, 100):
        assert [p.id for p in all_pages(repo, query, size)] == expected
        keys, cursor = repo.page_keys(query, None, size)
        assert [k for k, _ in keys] == expected[:size]
        assert (cursor is None) == (size > len(expected))
        # A page read from a key's cursor continues right after that key.
        after = repo.page(query, keys[0][1], 100).papers
        assert [p.id for p in after] == expected[1:]
    unread = FeedQuery(ids=given, sort=Sort.RELEVANCE, unread=True)
    assert [p.id for p in all_pages(repo, unread, 2)] == [pid(5), pid(9), pid(1), pid(7)]
    assert repo.count(unread) == 4
    by_upvotes = [p.id for p in repo.page(FeedQuery(ids=given, sort=Sort.UPVOTES)).papers]
    assert by_upvotes == [pid(9), pid(7), pid(5), pid(4), pid(1)]
    assert repo.page(FeedQuery(ids=("9999.99999",), sort=Sort.RELEVANCE)).papers == ()


def test_given_order_paging_survives_a_listed_paper_arriving_between_pages(
    repo: Repository,
) -> None:
    repo.upsert_papers([rec(1), rec(3), rec(4), rec(5)])
    query = FeedQuery(ids=tuple(pid(i) for i in (1, 2, 3, 4, 5)), sort=Sort.RELEVANCE)
    first = repo.page(query, None, limit=2)
    assert [p.id for p in first.papers] == [pid(1), pid(3)]
    repo.upsert_papers([rec(2)])  # e.g. added in the background
    rest = all_pages_from(repo, query, first.cursor, 2)
    assert [p.id for p in rest] == [pid(4), pid(5)]


def test_a_refetch_that_leaves_the_text_alone_does_not_rewrite_the_fts_row(
    repo: Repository,
) -> None:
    repo.upsert_papers([rec(1), rec(2)])
    # Log every update that would fire the FTS trigger (it fires when a column is SET).
    repo.db.execute_sql("CREATE TEMP TABLE fts_touch (id INTEGER)")
    repo.db.execute_sql(
        "CREATE TEMP TRIGGER log_fts_touch AFTER UPDATE OF title, abstract, authors_text "
        "ON paper BEGIN INSERT INTO fts_touch VALUES (new.id); END"
    )
    result = repo.upsert_papers([rec(1, upvotes=50, github_stars=3), rec(2, title="New title")])
    assert result.updated == 2
    rowid2 = repo.get(pid(2)).rowid
    assert raw(repo, "SELECT id FROM fts_touch") == [(rowid2,)]
    assert repo.get(pid(1)).upvotes == 50
    assert repo.count(FeedQuery(text="new title")) == 1
    fts_integrity(repo)


def test_like_wildcards_in_tag_names_are_literal(repo: Repository) -> None:
    repo.upsert_papers([rec(1), rec(2), rec(3)])
    repo.tag_papers([pid(1)], ["a_b/x"])
    repo.tag_papers([pid(2)], ["axb/x"])
    repo.tag_papers([pid(3)], ["100%/y"])
    assert {p.id for p in repo.page(FeedQuery(tags=("a_b",))).papers} == {pid(1)}
    assert {p.id for p in repo.page(FeedQuery(tags=("100%",))).papers} == {pid(3)}
    assert repo.rename_tag("a_b", "ab") == 1
    assert names(repo) == ["100%/y", "ab/x", "axb/x"]


# --------------------------------------------------------------------------- delete / restore


def test_deleting_papers_removes_everything_of_theirs_and_restore_puts_it_back(
    repo: Repository,
) -> None:
    repo.upsert_papers(
        [rec(1, upvotes=7, doi="10.1/x"), rec(2), rec(3)],
        [DailyAppearance(pid(1), DAY, 2), DailyAppearance(pid(1), DAY - timedelta(days=1), 5)],
        fetched_at="T-first",
    )
    repo.tag_papers([pid(1), pid(2)], ["ml/moe"])
    repo.set_tag_color("ml/moe", "#00ff00")
    repo.set_starred([pid(1)])
    repo.set_note(pid(1), "keep this")
    repo.set_cite_keys({pid(1): "smith2024paper"})
    before = repo.get(pid(1))

    deleted = repo.delete_papers([pid(1), pid(2), "9999.99999"])
    assert deleted.ids == (pid(1), pid(2))
    assert repo.find(pid(1)) is None and repo.stats()["papers"] == 1
    assert [p.id for p in repo.page(FeedQuery(text="number")).papers] == [pid(3)]
    for table in ("paper_author", "paper_tag", "paper_state", "daily_appearance"):
        assert raw(
            repo, f"SELECT count(*) FROM {table} WHERE paper NOT IN (SELECT id FROM paper)"
        ) == [(0,)]
    assert [t.name for t in repo.tags()] == ["ml/moe"]  # the tag stays, empty
    assert check_library(repo.path) == []

    assert repo.restore_papers(deleted) == 2
    after = repo.get(pid(1))
    assert after == before  # every field, user state and cite key; only the row id may differ
    assert raw(
        repo,
        "SELECT day, rank FROM daily_appearance d JOIN paper p ON p.id = d.paper "
        "WHERE p.paper_id = ? ORDER BY day",
        [pid(1)],
    ) == [((DAY - timedelta(days=1)).isoformat(), 5), (DAY.isoformat(), 2)]
    assert {p.id for p in repo.page(FeedQuery(text="number")).papers} == {pid(1), pid(2), pid(3)}
    assert check_library(repo.path) == []


def test_restoring_papers_fetched_again_since_keeps_the_fresh_rows(repo: Repository) -> None:
    repo.upsert_papers([rec(1, doi="10.1/one"), rec(2), rec(3)], fetched_at="T0")
    repo.tag_papers([pid(1)], ["gone-tag"])
    repo.set_read([pid(1)])
    repo.set_note(pid(1), "old note")
    repo.set_cite_keys({pid(1): "one2024", pid(3): "three2024"})
    deleted = repo.delete_papers([pid(1), pid(3)])
    repo.delete_tag("gone-tag")
    repo.upsert_papers([rec(1, title="Refetched title", upvotes=99)], fetched_at="T5")
    repo.set_starred([pid(1)])
    repo.set_note(pid(1), "new note")  # written since: never lost
    repo.set_cite_keys({pid(2): "three2024"})  # another paper took paper 3's key meanwhile
    assert repo.restore_papers(deleted) == 1  # paper 3; paper 1 is there again
    paper = repo.get(pid(1))
    assert (paper.title, paper.upvotes) == ("Refetched title", 99)
    assert (paper.read, paper.starred, paper.saved, paper.tags) == (True, True, True, ("gone-tag",))
    assert paper.note == "new note\n\nold note"
    assert (paper.doi, paper.cite_key, paper.first_seen) == ("10.1/one", "one2024", "T0")
    assert (repo.get(pid(3)).cite_key, repo.get(pid(2)).cite_key) == (None, "three2024")
    assert check_library(repo.path) == []


def test_snapshot_updated_with_an_empty_one_keeps_everything(repo: Repository) -> None:
    repo.upsert_papers([rec(1), rec(2)])
    repo.set_note(pid(1), "keep")
    first = repo.delete_papers([pid(1)])
    again = first.updated_with(repo.delete_papers([pid(1)]))  # nothing left to delete
    assert again == first
    repo.restore_papers(again)
    assert repo.get(pid(1)).note == "keep"
    newer = repo.delete_papers([pid(1), pid(2)])
    assert set(first.updated_with(newer).ids) == {pid(1), pid(2)}


def test_migrating_makes_unknown_upvotes_null_and_keeps_everything_else(tmp_path: Path) -> None:
    """The step that lets upvotes and comments be unknown edits the table's definition in
    place: rows, their tags, authors, daily ranks and the search index all stay."""
    path = tmp_path / "library.sqlite3"
    db = open_database(path, migrate_to=10)
    conn = db.connection()
    for pk, pid, up, thumb in (
        (1, "2401.00001", 0, None),  # arXiv only: 0 meant "unknown"
        (2, "2401.00002", 7, None),  # Hugging Face's count
        (3, "2401.00003", 0, "https://x/t.png"),  # on Hugging Face with 0 upvotes
        (4, "2401.00004", 0, None),  # on a daily list with 0 upvotes
    ):
        conn.execute(
            "INSERT INTO paper (id, paper_id, title, abstract, upvotes, thumbnail, first_seen, "
            "last_fetched) VALUES (?, ?, ?, 'quasar spectra', ?, ?, 'x', 'x')",
            (pk, pid, f"Paper {pk}", up, thumb),
        )
    conn.execute("INSERT INTO paper_author (paper, position, name) VALUES (1, 0, 'Ada Lovelace')")
    conn.execute("INSERT INTO tag (id, name, name_key, created) VALUES (1, 'ml', 'ml', 'x')")
    conn.execute("INSERT INTO paper_tag (paper, tag, added) VALUES (1, 1, 'x')")
    conn.execute("INSERT INTO daily_appearance (day, paper, rank) VALUES ('2024-01-02', 4, 1)")
    db.close()
    repo = Repository.open(path)
    try:
        assert raw(repo, "SELECT paper_id, upvotes, comments FROM paper ORDER BY id") == [
            ("2401.00001", None, None),
            ("2401.00002", 7, 0),
            ("2401.00003", 0, 0),
            ("2401.00004", 0, 0),
        ]
        assert repo.get("2401.00001").tags == ("ml",)
        assert repo.get("2401.00001").authors == ("Ada Lovelace",)
        assert repo.get("2401.00004").daily_rank == 1
        assert len(repo.page(FeedQuery(text="quasar")).papers) == 4
        # the same connection writes unknown counts at once (the schema was reloaded)
        repo.upsert_papers([PaperRecord(id="2401.00005", title="New")])
        assert repo.get("2401.00005").upvotes is None
        assert raw(repo, "PRAGMA integrity_check") == [("ok",)]
    finally:
        repo.close()
    assert check_library(path) == []
