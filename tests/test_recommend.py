"""The interest model (issue 15): For-you ranking with reasons, tag suggestions, related
papers, not interested and its undo, the model file, bad input, and the commands."""

from __future__ import annotations

import json
import random
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from desktop_app.cli import main
from desktop_app.config import Settings, db_path
from desktop_app.domain import PaperRecord
from desktop_app.library import recommend
from desktop_app.library.interest_jobs import RankPapers, TrainInterests
from desktop_app.library.jobs import JobContext
from desktop_app.store import Repository

DAY = date(2026, 11, 25)
DIFFUSION = [
    "diffusion",
    "denoising",
    "score",
    "sampler",
    "noise",
    "image",
    "generation",
    "latent",
    "unet",
    "guidance",
    "text-to-image",
    "schedule",
]
RL = [
    "reinforcement",
    "policy",
    "reward",
    "agent",
    "environment",
    "exploration",
    "value",
    "bandit",
    "trajectory",
    "return",
    "q-learning",
    "actor",
    "critic",
]
SHARED = ["model", "method", "results", "we", "propose", "show", "large", "training", "data"]


def _text(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words if rng.random() < 0.7 else SHARED) for _ in range(n))


def topical(pid: str, topic: str, seed: int, **kw: object) -> PaperRecord:
    rng = random.Random(seed)
    words = DIFFUSION if topic == "diffusion" else RL
    base: dict[str, object] = {
        "title": _text(rng, words, 6).capitalize(),
        "abstract": _text(rng, words, 80),
        "authors": ("Ada Lovelace" if topic == "diffusion" else "Alan Turing", "Grace Hopper"),
        "published": DAY,
    }
    base.update(kw)
    return PaperRecord(id=pid, **base)  # type: ignore[arg-type]


def pid(i: int) -> str:
    return f"2611.{i:05d}"


@pytest.fixture
def library(repo: Repository) -> Repository:
    """40 papers: even ones about diffusion, odd ones about RL. The user tagged six diffusion
    papers ``gen/diffusion``, three RL papers ``rl``, and read (passed over) other RL papers."""
    repo.upsert_papers([topical(pid(i), "diffusion" if i % 2 == 0 else "rl", i) for i in range(40)])
    repo.tag_papers([pid(i) for i in (0, 2, 4, 6, 8, 10)], ["gen/diffusion"])
    repo.tag_papers([pid(i) for i in (1, 3, 5)], ["rl"])
    repo.set_read([pid(i) for i in (7, 9, 11, 13, 15, 17)])
    return repo


NEW = [pid(i) for i in range(20, 40)]  # untouched: ten diffusion, ten RL papers


def test_diffusion_papers_rank_above_rl_papers_with_a_reason(library, tmp_path) -> None:
    model = recommend.ensure_model(library, tmp_path)
    ranked = recommend.rank(model, library, NEW)
    assert sorted(r.paper_id for r in ranked) == sorted(NEW)
    top = [r.paper_id for r in ranked[:10]]
    assert all(int(p[-5:]) % 2 == 0 for p in top), "the ten diffusion papers come first"
    assert ranked[0].score > 0.5
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    reason = ranked[0].reason
    assert reason.startswith("Like 6 papers you tagged gen/diffusion: “")
    titles = {p.title for p in library.get_many([pid(i) for i in (0, 2, 4, 6, 8, 10)])}
    named = [t for t in titles if f"“{t}”" in reason]
    assert len(named) == 2, reason


def test_tags_are_suggested_with_their_confidence(library, tmp_path) -> None:
    model = recommend.ensure_model(library, tmp_path)
    suggested = recommend.suggest_tags(model, library, pid(22))
    assert [t for t, _ in suggested] == ["gen/diffusion"]
    assert 0.5 <= suggested[0][1] <= 1
    assert [t for t, _ in recommend.suggest_tags(model, library, pid(23))] == ["rl"]
    # A tag the paper has is not suggested again.
    assert recommend.suggest_tags(model, library, pid(0)) == []


def test_related_papers_are_the_nearest_in_the_library(library, tmp_path) -> None:
    model = recommend.ensure_model(library, tmp_path)
    found = recommend.related(model, library, pid(22))
    assert len(found) == 5
    assert all(int(p[-5:]) % 2 == 0 for p, _ in found)  # diffusion papers
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert pid(0) not in [p for p, _ in recommend.related(model, library, pid(0))]


def test_not_interested_hides_the_paper_trains_the_model_and_is_undone(library, tmp_path) -> None:
    before = recommend.ensure_model(library, tmp_path)
    library.set_not_interested([pid(20)])
    assert library.not_interested_ids() == {pid(20)}
    after = recommend.ensure_model(library, tmp_path)
    assert after.fingerprint != before.fingerprint  # retrained with it as a negative
    assert pid(20) not in [r.paper_id for r in recommend.rank(after, library, NEW)]
    library.set_not_interested([pid(20)], on=False)
    again = recommend.ensure_model(library, tmp_path)
    assert pid(20) in [r.paper_id for r in recommend.rank(again, library, NEW)]
    assert library.not_interested_ids() == set()


def test_a_deleted_paper_takes_its_not_interested_mark_with_it(library) -> None:
    library.set_not_interested([pid(20), pid(21)])
    library.delete_papers([pid(20)])
    assert library.not_interested_ids() == {pid(21)}


def test_too_few_labelled_papers_say_so_instead_of_a_random_order(repo, tmp_path) -> None:
    repo.upsert_papers([topical(pid(i), "rl", i) for i in range(10)])
    repo.set_starred([pid(0), pid(1)])
    model = recommend.ensure_model(repo, tmp_path)
    with pytest.raises(recommend.NotEnoughLabelsError) as error:
        recommend.rank(model, repo, [pid(5)])
    assert str(error.value) == (
        "Tag or star at least 5 papers to get a ranking For you (the library has 2)."
    )


def test_the_model_follows_the_library_and_is_reused_while_it_does_not_change(
    library, tmp_path
) -> None:
    first = recommend.ensure_model(library, tmp_path)
    path = recommend.model_path(tmp_path)
    stamp = path.stat().st_mtime_ns
    assert recommend.ensure_model(library, tmp_path).fingerprint == first.fingerprint
    assert path.stat().st_mtime_ns == stamp  # loaded, not trained again
    library.tag_papers([pid(12)], ["gen/diffusion"])
    second = recommend.ensure_model(library, tmp_path)
    assert second.fingerprint != first.fingerprint and second.labelled == first.labelled + 1


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a model at all",
        "truncated",
        "old version",
        "wrong shapes",
    ],
)
def test_a_damaged_or_old_model_file_is_rebuilt(library, tmp_path, damage) -> None:
    model = recommend.ensure_model(library, tmp_path)
    path = recommend.model_path(tmp_path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "old version":
        _rewrite_header(path, version=0)
    elif damage == "wrong shapes":
        model.weights = np.zeros((1, 3), dtype=np.float32)
        recommend.save(model, path)
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    assert recommend.load(path) is None
    rebuilt = recommend.ensure_model(library, tmp_path)
    assert recommend.rank(rebuilt, library, NEW)[0].score > 0.5
    assert recommend.load(path) is not None  # and stored again


def _rewrite_header(path: Path, **changes: object) -> None:
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(bytes(arrays["header"]).decode())
    header.update(changes)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def test_bad_input_never_raises(repo, tmp_path) -> None:
    odd = [
        PaperRecord(id=pid(1), title="Diffusion", abstract="", published=DAY),
        PaperRecord(
            id=pid(2), title="注意力机制的扩散模型", abstract="这是一个摘要。", published=DAY
        ),
        PaperRecord(
            id=pid(3), title="Über Bärte", abstract="Eine Studie über Bärte.", authors=("É",)
        ),
        PaperRecord(id=pid(4), title="The", abstract="the of and", published=DAY),
        PaperRecord(id=pid(5), title="x", abstract="", published=DAY),
    ]
    # A library of one paper, tagged with a tag nobody else has.
    repo.upsert_papers(odd[:1])
    repo.tag_papers([pid(1)], ["lonely"])
    model = recommend.ensure_model(repo, tmp_path)
    assert recommend.suggest_tags(model, repo, pid(1)) == []
    assert recommend.related(model, repo, pid(1)) == []
    with pytest.raises(recommend.NotEnoughLabelsError):
        recommend.rank(model, repo, [pid(1)])
    # Then the odd papers, all kept, so there is a ranking.
    repo.upsert_papers(odd[1:])
    repo.set_saved([p.id for p in odd])
    model = recommend.ensure_model(repo, tmp_path)
    ranked = recommend.rank(model, repo, [p.id for p in odd])
    assert {r.paper_id for r in ranked} == {p.id for p in odd}
    assert all(0 <= r.score <= 1 and r.reason for r in ranked)
    for p in odd:
        recommend.suggest_tags(model, repo, p.id)
        recommend.related(model, repo, p.id)
    # Stop words only, everywhere: an empty vocabulary is no error either.
    other = Repository.open(tmp_path / "other.sqlite3")
    try:
        other.upsert_papers([odd[3]])
        other.set_starred([pid(4)])
        (tmp_path / "other").mkdir()
        empty = recommend.ensure_model(other, tmp_path / "other")
        assert empty.vocabulary == [recommend._NO_TOKEN]
        assert recommend.related(empty, other, pid(4)) == []
    finally:
        other.close()


def test_an_empty_library_trains_a_model_without_interests(repo, tmp_path) -> None:
    model = recommend.ensure_model(repo, tmp_path)
    assert model.interests == [] and model.labelled == 0
    with pytest.raises(recommend.NotEnoughLabelsError, match="at least 5 papers"):
        recommend.rank(model, repo, [])


def test_the_window_jobs_train_and_rank(library, tmp_path) -> None:
    ctx = JobContext(library, Settings(), threading.Event(), lambda done, total: None)
    trained = TrainInterests(tmp_path).run(ctx)
    assert trained.labelled == 9 and set(trained.interests) == {"library", "gen/diffusion", "rl"}
    assert "9 papers" in trained.describe() and not trained.changes_library
    ranked = RankPapers(tuple(NEW), tmp_path).run(ctx)
    assert len(ranked.ranked) == 20 and int(ranked.ranked[0].paper_id[-5:]) % 2 == 0
    small = Repository.open(tmp_path / "small.sqlite3")
    try:
        result = RankPapers(("2611.00001",)).run(
            JobContext(small, Settings(), threading.Event(), lambda d, t: None)
        )
        assert result.ranked == () and "at least 5 papers" in result.describe()
    finally:
        small.close()


# --------------------------------------------------------------------------- commands


@pytest.fixture
def cli_library(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers([topical(pid(i), "diffusion" if i % 2 == 0 else "rl", i) for i in range(40)])
    repo.tag_papers([pid(i) for i in (0, 2, 4, 6, 8, 10)], ["gen/diffusion"])
    repo.tag_papers([pid(i) for i in (1, 3, 5)], ["rl"])
    repo.close()
    return data_dir


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_for_you(cli_library, capsys) -> None:
    code, out, err = run(["list", "--sort", "for-you", "--limit", "3", "--format", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 3 and all(r["score"] > 0.5 for r in rows)
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"]
    assert rows[0]["reason"].startswith("Like ")
    code, out, err = run(["list", "--sort", "for-you", "--limit", "2", "--unread"], capsys)
    assert code == 0 and out.count("Like ") == 2 and "ranked For you (showing 2" in err


def test_cli_list_for_you_with_too_few_labels(data_dir, capsys) -> None:
    repo = Repository.open(db_path(data_dir))
    repo.upsert_papers([topical(pid(1), "rl", 1)])
    repo.close()
    code, out, err = run(["list", "--sort", "for-you"], capsys)
    assert code == 1 and out == ""
    assert "Tag or star at least 5 papers to get a ranking" in err and "Traceback" not in err


def test_cli_suggest_tags_related_and_not_interested(cli_library, capsys) -> None:
    code, out, _ = run(["suggest-tags", pid(22), "--format", "json"], capsys)
    assert code == 0 and [r["tag"] for r in json.loads(out)] == ["gen/diffusion"]
    code, out, _ = run(["suggest-tags", pid(23)], capsys)
    assert code == 0 and out.strip().endswith("rl") and "%" in out
    code, out, _ = run(["related", pid(22), "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5 and all(int(r["id"][-5:]) % 2 == 0 for r in rows)
    assert rows[0]["similarity"] >= rows[-1]["similarity"]
    code, _, err = run(["related", "2611.99999"], capsys)
    assert code == 1 and "No paper 2611.99999" in err

    code, out, _ = run(["list", "--sort", "for-you", "--limit", "0", "--format", "json"], capsys)
    best = json.loads(out)[0]["id"]
    code, out, _ = run(["not-interested", best], capsys)
    assert code == 0 and "1 paper marked not interested" in out
    code, out, _ = run(["list", "--sort", "for-you", "--limit", "0", "--format", "json"], capsys)
    assert best not in [r["id"] for r in json.loads(out)]
    code, out, _ = run(["not-interested", best, "--undo"], capsys)
    assert code == 0 and "no longer marked not interested" in out
    code, out, _ = run(["list", "--sort", "for-you", "--limit", "0", "--format", "json"], capsys)
    assert best in [r["id"] for r in json.loads(out)]
    code, _, err = run(["not-interested", "2611.99999"], capsys)
    assert code == 1 and "No paper 2611.99999" in err


def test_a_model_that_cannot_be_stored_is_used_all_the_same(library, tmp_path) -> None:
    model = recommend.ensure_model(library, tmp_path / "no such folder")
    assert recommend.rank(model, library, NEW)[0].score > 0.5
    recommend.ensure_model(library, tmp_path)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
