"""Saved searches and following (issue 14): the store and the Qt-free bookkeeping."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.domain import DailyAppearance, FeedQuery, PaperRecord, SavedSearch, Sort
from desktop_app.errors import InvalidInputError, NotFoundError
from desktop_app.library import follow
from desktop_app.store import Repository

LONG_AGO = "2000-01-01T00:00:00Z"
DAY = date(2026, 11, 25)


def paper(pid: str, title: str, **kw: object) -> PaperRecord:
    base: dict[str, object] = {
        "authors": ("Ada Lovelace",),
        "published": DAY,
        "abstract": "An abstract.",
    }
    base.update(kw)
    return PaperRecord(id=pid, title=title, **base)  # type: ignore[arg-type]


def test_saved_searches_are_stored_renamed_and_removed(repo: Repository) -> None:
    store = repo.follows_store
    saved = store.save_search(
        SavedSearch("Diffusion", text="diffusion", tags=("vision",), unread=True, days=7)
    )
    assert saved.id is not None and saved.describe() == (
        "“diffusion” · tag vision · unread · last 7 days"
    )
    query = saved.feed_query(DAY)
    assert (query.text, query.tags, query.unread) == ("diffusion", ("vision",), True)
    assert (query.date_from, query.date_to) == (date(2026, 11, 19), DAY)
    with pytest.raises(InvalidInputError, match="exists already"):
        store.save_search(SavedSearch("diffusion"))
    again = SavedSearch("diffusion", text="dit", sort=Sort.UPVOTES)
    store.save_search(again, replace_existing=True)
    assert repo.saved_search("DIFFUSION").text == "dit"
    assert repo.saved_search("diffusion").sort is Sort.UPVOTES
    store.rename_search("diffusion", "DiT")
    assert [s.name for s in repo.saved_searches()] == ["DiT"]
    removed, follows = store.remove_search("dit")
    assert repo.saved_searches() == [] and follows == []
    store.restore_search(removed, follows)
    assert repo.saved_search("DiT").id == removed.id
    with pytest.raises(NotFoundError):
        repo.saved_search("nothing")
    with pytest.raises(InvalidInputError):
        store.save_search(SavedSearch("  "))


def test_follow_by_author_and_organization_queries(repo: Repository) -> None:
    repo.upsert_papers(
        [
            paper("2611.00001", "One", authors=("Ada Lovelace", "Alan Turing")),
            paper("2611.00002", "Two", organization="NVIDIA"),
        ]
    )
    assert repo.ids(FeedQuery(author="alan turing")) == ["2611.00001"]
    assert repo.ids(FeedQuery(organization="nvidia")) == ["2611.00002"]


def test_papers_already_stored_are_not_news_and_new_ones_are_once(repo: Repository) -> None:
    repo.upsert_papers([paper("2611.00001", "Old diffusion paper")])
    store = repo.follows_store
    store.save_search(SavedSearch("Diffusion", text="diffusion"))
    followed = store.add_follow("search", "diffusion")
    assert follow.check(repo).total == 0  # it was there before following
    store.record_news(followed.id, [], LONG_AGO)  # checked long ago: now everything is new
    repo.upsert_papers([paper("2611.00002", "New diffusion paper")])
    assert follow.check(repo).found == {"Search Diffusion": ["2611.00002", "2611.00001"]}
    # Refetched: the same papers are not news again.
    repo.upsert_papers([paper("2611.00002", "New diffusion paper", upvotes=9)])
    store.record_news(followed.id, [], LONG_AGO)
    assert follow.check(repo).total == 0
    assert repo.follows()[0].new == 2
    assert store.mark_seen(followed.id) == 2
    assert repo.follows()[0].new == 0


def test_two_followed_items_matching_one_paper_tell_it_once(repo: Repository) -> None:
    store = repo.follows_store
    repo.upsert_papers([paper("2611.00009", "Sparse attention", organization="NVIDIA")])
    repo.tag_papers(["2611.00009"], ["attention"])
    store.add_follow("org", "NVIDIA", checked=LONG_AGO)
    store.add_follow("tag", "attention", checked=LONG_AGO)
    checked = follow.check(repo)
    assert checked.total == 1 and len(checked.found) == 2
    news = follow.announcement(repo)
    assert news is not None and news.count == 1 and news.titles == ("Sparse attention",)
    assert len(news.follows) == 2
    assert news.title == "1 new paper you follow"
    follow.told(repo, news)
    assert follow.announcement(repo) is None
    assert store.unseen() == 1


def test_a_followed_tag_follows_its_rename_and_goes_with_its_deletion(repo: Repository) -> None:
    store = repo.follows_store
    repo.upsert_papers([paper("2611.00001", "One")])
    repo.tag_papers(["2611.00001"], ["to-read"])
    store.add_follow("tag", "to-read", checked=LONG_AGO)
    repo.rename_tag("to-read", "queue")
    (followed,) = repo.follows()
    assert followed.target == "queue"
    assert follow.check(repo).found == {"Tag queue": ["2611.00001"]}
    repo.delete_tag("queue")
    assert repo.follows() == []


def test_a_deleted_paper_fetched_again_is_not_news_twice(repo: Repository) -> None:
    store = repo.follows_store
    repo.upsert_papers([paper("2611.00001", "One", organization="NVIDIA")])
    followed = store.add_follow("org", "nvidia", checked=LONG_AGO)
    assert follow.check(repo).total == 1
    repo.delete_papers(["2611.00001"])
    assert repo.follows()[0].new == 0  # a deleted paper is not counted
    repo.upsert_papers([paper("2611.00001", "One", organization="NVIDIA")])
    store.record_news(followed.id, [], LONG_AGO)
    assert follow.check(repo).total == 0
    assert repo.follows()[0].new == 1  # back, and still unseen: counted, not announced twice


def test_looking_up_a_tag_follow_creates_no_tag(repo: Repository) -> None:
    repo.upsert_papers([paper("2611.00001", "One")])
    repo.tag_papers(["2611.00001"], ["vision/video"])
    assert repo.follows_store.remove_follow("tag", "vision") is None
    assert [t.name for t in repo.tags()] == ["vision/video"]
    repo.follows_store.add_follow("tag", "vision")  # following it makes the parent a tag
    assert sorted(t.name for t in repo.tags()) == ["vision", "vision/video"]


def test_following_needs_something_to_follow(repo: Repository) -> None:
    store = repo.follows_store
    with pytest.raises(NotFoundError):
        store.add_follow("search", "nothing saved")
    with pytest.raises(NotFoundError):
        store.add_follow("tag", "no-such-tag")
    with pytest.raises(InvalidInputError):
        store.add_follow("author", "  ")
    store.add_follow("author", "Ada Lovelace")
    store.add_follow("author", "ada lovelace")  # the same author: one follow
    assert [f.label for f in repo.follows()] == ["Author Ada Lovelace"]
    assert store.remove_follow("author", "ADA LOVELACE")
    assert repo.follows() == []


def test_a_saved_search_follow_goes_and_comes_back_with_the_search(repo: Repository) -> None:
    store = repo.follows_store
    repo.upsert_papers([paper("2611.00001", "Diffusion")], [DailyAppearance("2611.00001", DAY, 1)])
    store.save_search(SavedSearch("d", text="diffusion"))
    store.add_follow("search", "d", checked=LONG_AGO)
    follow.check(repo)
    removed, follows = store.remove_search("d")
    assert repo.follows() == []
    store.restore_search(removed, follows)
    (back,) = repo.follows()
    assert back.target == "d" and back.new == 1


def test_digests_remember_what_was_mailed_where(repo: Repository) -> None:
    store = repo.follows_store
    store.claim_digest("Ada@Example.org", ["2611.00001"])
    assert store.digest_sent("ada@example.org", ["2611.00001", "2611.00002"]) == {"2611.00001"}
    assert store.digest_sent("bob@example.org", ["2611.00001"]) == set()


# ----------------------------------------------------------------------------- command line
@pytest.fixture
def cli_library(data_dir):
    from desktop_app.config import db_path

    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers(
        [
            paper("2611.00001", "Video diffusion at scale", organization="NVIDIA", upvotes=30),
            paper("2611.00002", "Diffusion for proteins", authors=("Grace Hopper",), upvotes=5),
            paper("2611.00003", "Sparse attention"),
        ]
    )
    repo.tag_papers(["2611.00001"], ["vision/video"])
    repo.close()
    return data_dir


def run(args: list[str], capsys) -> tuple[int, str, str]:
    from desktop_app.cli import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_saved_searches_add_list_and_use(cli_library, capsys) -> None:
    import json

    code, _, err = run(
        ["searches", "add", "Diffusion", "--query", "diffusion", "--days", "3650"], capsys
    )
    assert code == 0 and "Saved search “Diffusion”" in err and "(2 papers now)" in err
    code, _, err = run(["searches", "add", "diffusion", "--query", "x"], capsys)
    assert code == 1 and "exists already" in err and "Traceback" not in err
    code, out, _ = run(["searches", "list", "--format", "json"], capsys)
    (row,) = json.loads(out)
    assert (row["name"], row["papers"], row["unread_papers"], row["days"]) == (
        "Diffusion",
        2,
        2,
        3650,
    )
    code, out, _ = run(["list", "--search", "diffusion", "--format", "json"], capsys)
    assert code == 0 and sorted(p["id"] for p in json.loads(out)) == ["2611.00001", "2611.00002"]
    code, out, _ = run(
        ["list", "--search", "diffusion", "--tag", "vision", "--format", "json"], capsys
    )
    assert [p["id"] for p in json.loads(out)] == ["2611.00001"]  # narrowed further
    code, _, err = run(["list", "--search", "nothing"], capsys)
    assert code != 0 and "No saved search named “nothing”" in err
    code, _, err = run(["searches", "add", "bad", "--days", "0"], capsys)
    assert code != 0 and "--days" in err
    assert run(["searches", "rename", "diffusion", "Diff"], capsys)[0] == 0
    assert run(["searches", "remove", "diff"], capsys)[0] == 0
    code, out, err = run(["searches"], capsys)
    assert code == 0 and out == "" and "No saved searches" in err


def test_cli_follow_add_list_remove(cli_library, capsys) -> None:
    import json

    from desktop_app.config import db_path

    assert run(["searches", "add", "d", "--query", "diffusion"], capsys)[0] == 0
    for args in (
        ["--search", "d"],
        ["--tag", "vision"],
        ["--author", "Grace Hopper"],
        ["--org", "NVIDIA"],
    ):
        code, _, err = run(["follow", "add", *args], capsys)
        assert code == 0 and "Following" in err
    code, _, err = run(["follow", "add", "--tag", "no-such"], capsys)
    assert code != 0 and "No tag named “no-such”" in err
    with pytest.raises(SystemExit) as exit_:
        run(["follow", "add"], capsys)  # argparse: one of the four is required
    assert exit_.value.code == 2
    # Papers stored before following are not news; a later fetch's are.
    repo = Repository.open(db_path(cli_library))
    for f in repo.follows():
        repo.follows_store.record_news(f.id, [], LONG_AGO)
    follow.check(repo)
    repo.close()
    code, out, _ = run(["follow", "list", "--format", "json"], capsys)
    news = {(r["kind"], r["target"]): r["new"] for r in json.loads(out)}
    assert news == {
        ("author", "Grace Hopper"): 1,
        ("org", "NVIDIA"): 1,
        ("search", "d"): 2,
        ("tag", "vision"): 1,
    }
    code, out, _ = run(["follow"], capsys)
    assert "Organization NVIDIA\t1 new" in out
    assert run(["follow", "remove", "--org", "nvidia"], capsys)[0] == 0
    code, _, err = run(["follow", "remove", "--org", "nvidia"], capsys)
    assert code != 0 and "Not following" in err


def test_a_paper_committed_late_by_another_process_is_still_news(repo: Repository) -> None:
    """A fetch in another process stamps first_seen when it starts writing and may commit
    after a check that began later: the next check looks back far enough to find it."""
    from datetime import UTC, datetime, timedelta

    fmt = "%Y-%m-%dT%H:%M:%SZ"
    now = datetime.now(UTC)
    store = repo.follows_store
    store.add_follow("org", "Acme", created=LONG_AGO, checked=now.strftime(fmt))
    repo.upsert_papers([paper("2611.00077", "Late", organization="Acme")])
    early = (now - timedelta(seconds=120)).strftime(fmt)  # stamped before the last check
    repo.db.execute_sql("UPDATE paper SET first_seen = ? WHERE paper_id = ?", (early, "2611.00077"))
    assert follow.check(repo).found == {"Organization Acme": ["2611.00077"]}
    assert follow.check(repo).total == 0  # found once
    # A follow made now never counts papers stored before it, however recent.
    store.add_follow("author", "Ada Lovelace")
    assert follow.check(repo).total == 0


def test_two_senders_claim_each_paper_once(repo: Repository) -> None:
    store = repo.follows_store
    assert store.claim_digest("a@example.org", ["2611.00001", "2611.00002"]) == [
        "2611.00001",
        "2611.00002",
    ]
    # The other sender, a moment later: nothing left to mail.
    assert store.claim_digest("A@example.org", ["2611.00002", "2611.00003"]) == ["2611.00003"]
    store.release_digest("a@example.org", ["2611.00003"])  # its send failed
    assert store.digest_sent("a@example.org", ["2611.00003"]) == set()
