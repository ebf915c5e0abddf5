"""Property test: deleting any papers and restoring them gives back exactly what was there."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.domain import DailyAppearance, FeedQuery, PaperRecord
from desktop_app.store import Repository
from desktop_app.store.health import check_library

IDS = [f"2401.{n:05d}" for n in range(1, 9)]
TAGS = ["ml", "ml/moe", "Vision", "to read", "ml/moe/sparse"]
DAY = date(2024, 1, 10)

paper_state = st.fixed_dictionaries(
    {
        "tags": st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
        "read": st.booleans(),
        "starred": st.booleans(),
        "note": st.one_of(
            st.sampled_from(["", "a note", "ünïcode ✓ note\nwith lines"]),
            st.text(st.characters(blacklist_categories=()), max_size=30),  # surrogates too
        ),
        "days": st.lists(st.integers(0, 5), max_size=3, unique=True),
        "key": st.booleans(),
        "doi": st.one_of(st.none(), st.just("10.1234/x")),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    states=st.lists(paper_state, min_size=len(IDS), max_size=len(IDS)),
    chosen=st.sets(st.sampled_from(IDS), min_size=1),
    cycles=st.integers(1, 2),
)
def test_delete_then_restore_is_the_identity(states: list, chosen: set, cycles: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository.open(Path(tmp) / "library.sqlite3")
        try:
            repo.upsert_papers(
                [
                    PaperRecord(
                        id=pid,
                        title=f"Paper {i} about sparse experts",
                        abstract=f"Abstract {i}.",
                        authors=(f"Ada {i}", "Alan Turing"),
                        published=DAY,
                        upvotes=i,
                        doi=state["doi"] and f"{state['doi']}{i}",
                    )
                    for i, (pid, state) in enumerate(zip(IDS, states, strict=True))
                ],
                [
                    DailyAppearance(pid, DAY + timedelta(days=d), rank)
                    for pid, state in zip(IDS, states, strict=True)
                    for rank, d in enumerate(state["days"], start=1)
                ],
            )
            for i, (pid, state) in enumerate(zip(IDS, states, strict=True)):
                if state["tags"]:
                    repo.tag_papers([pid], state["tags"])
                repo.set_read([pid], state["read"])
                if state["starred"]:
                    repo.set_starred([pid])
                if state["note"]:
                    repo.set_note(pid, state["note"])
                if state["key"]:
                    repo.set_cite_keys({pid: f"key{i}"})
            before = repo.get_many(IDS)
            tags_before = repo.tags()
            for _ in range(cycles):
                deleted = repo.delete_papers(sorted(chosen))
                assert {p.id for p in repo.get_many(IDS)} == set(IDS) - chosen
                assert repo.restore_papers(deleted) == len(chosen)
            assert repo.get_many(IDS) == before
            assert repo.tags() == tags_before
            assert repo.count(FeedQuery(text="sparse experts")) == len(IDS)
            assert check_library(repo.path) == []
        finally:
            repo.close()


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)  # surrogates included


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=ANY_TEXT, abstract=ANY_TEXT, author=ANY_TEXT, tag=ANY_TEXT, note=ANY_TEXT)
def test_any_text_at_all_goes_in_and_comes_out_clean(
    title: str, abstract: str, author: str, tag: str, note: str
) -> None:
    """Whatever arrives (lone surrogates from undecodable bytes, controls, bidi overrides)
    is stored without an internal error and read back without anything that acts on a
    terminal; a tag name with nothing usable in it is refused as the user's error."""
    from desktop_app.errors import InvalidInputError

    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository.open(Path(tmp) / "library.sqlite3")
        try:
            repo.upsert_papers(
                [PaperRecord(id=IDS[0], title=title or "x", abstract=abstract, authors=(author,))]
            )
            repo.set_note(IDS[0], note)
            with contextlib.suppress(InvalidInputError):
                repo.tag_papers([IDS[0]], [tag])
            paper = repo.get(IDS[0])
            for text in (paper.title, paper.abstract, paper.note, *paper.authors, *paper.tags):
                assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
                assert not any(ord(c) < 32 and c not in "\t\n" for c in text)
                assert "\u202e" not in text
            repo.count(FeedQuery(text=title))
        finally:
            repo.close()
