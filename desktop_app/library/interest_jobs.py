"""Background jobs of the interest model, for the window (see :mod:`desktop_app.library.jobs`
for the pattern): train it when the library changed (the window debounces the calls), rank a
view's papers For you.

The learning libraries are imported in ``run``, on the worker thread: the window's start
never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.domain import FeedQuery
from desktop_app.errors import AppError
from desktop_app.library.jobs import JobContext

if TYPE_CHECKING:
    from desktop_app.library.recommend import Ranked


def _data_dir(ctx: JobContext, given: Path | None) -> Path:
    return given if given is not None else ctx.repo.path.parent


_loaded: dict[Path, tuple[tuple[int, int], Any]] = {}  # model file → (its stat, the model)


def _last_trained(data_dir: Path) -> Any:
    """The model as last trained (by the worker after changes, or by For you), or None:
    reading a paper never waits for a training. The file is read again only when it
    changed, not on every paper the reader moves to."""
    from desktop_app.library import recommend

    path = recommend.model_path(data_dir)
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _loaded.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, recommend.load(path))
        _loaded[path] = cached
    return cached[1]


@dataclass(frozen=True)
class InterestsTrained:
    """The model is up to date: how many papers it learned from and its interests."""

    labelled: int
    interests: tuple[str, ...]
    changes_library: bool = False

    def describe(self) -> str:
        return f"Learned your interests from {self.labelled} papers."


@dataclass(frozen=True)
class TrainInterests:
    """Bring the interest model up to date with the library (a no-op when it is)."""

    data_dir: Path | None = None
    title: str = "Learning your interests"

    def run(self, ctx: JobContext) -> InterestsTrained:
        from desktop_app.library import recommend

        model = recommend.ensure_model(ctx.repo, _data_dir(ctx, self.data_dir))
        return InterestsTrained(model.labelled, tuple(i.name for i in model.interests))


@dataclass(frozen=True)
class RankedPapers:
    """A view's papers For you, best first (``ranked``), or why there is no ranking
    (``message``: too few papers in the library)."""

    ranked: tuple[Ranked, ...]
    message: str = ""
    changes_library: bool = False

    def describe(self) -> str:
        return self.message or f"Ranked {len(self.ranked)} papers For you."


@dataclass(frozen=True)
class RankPapers:
    """Rank ``ids`` For you (papers marked not interested are left out)."""

    ids: Sequence[str]
    data_dir: Path | None = None
    title: str = "Ranking For you"

    def run(self, ctx: JobContext) -> RankedPapers:
        from desktop_app.library import recommend

        model = recommend.ensure_model(ctx.repo, _data_dir(ctx, self.data_dir))
        try:
            ranked = recommend.rank(model, ctx.repo, self.ids)
        except recommend.NotEnoughLabelsError as exc:
            return RankedPapers((), str(exc))
        return RankedPapers(tuple(ranked))


@dataclass(frozen=True)
class RankView:
    """Rank the papers of a view For you (the window's sort *For you*): the view's ids are
    read here, in the worker, not on the GUI thread."""

    query: FeedQuery
    data_dir: Path | None = None
    title: str = "Ranking For you"

    def run(self, ctx: JobContext) -> RankedPapers:
        return RankPapers(tuple(ctx.repo.ids(self.query)), self.data_dir).run(ctx)


@dataclass(frozen=True)
class Related:
    """The papers nearest a paper (ids, titles, similarity), for the abstract viewer."""

    paper_id: str
    papers: tuple[tuple[str, str, float], ...]
    changes_library: bool = False


@dataclass(frozen=True)
class FindRelated:
    """The five papers of the library nearest ``paper_id`` (none before a model was
    trained)."""

    paper_id: str
    data_dir: Path | None = None
    title: str = "Finding related papers"

    def run(self, ctx: JobContext) -> Related:
        from desktop_app.library import recommend

        model = _last_trained(_data_dir(ctx, self.data_dir))
        if model is None:
            return Related(self.paper_id, ())
        try:
            near = recommend.related(model, ctx.repo, self.paper_id)
        except AppError:  # the paper was deleted meanwhile
            return Related(self.paper_id, ())
        titles = {p.id: p.title for p in ctx.repo.get_many([pid for pid, _ in near])}
        return Related(
            self.paper_id, tuple((pid, titles[pid], sim) for pid, sim in near if pid in titles)
        )


@dataclass(frozen=True)
class Suggested:
    """Tags the per-tag models are confident about for a paper, with their confidence."""

    paper_id: str
    tags: tuple[tuple[str, float], ...]
    changes_library: bool = False


@dataclass(frozen=True)
class SuggestTags:
    """Tag suggestions for the tag dialog (from the model as last trained; none before)."""

    paper_id: str
    data_dir: Path | None = None
    title: str = "Suggesting tags"

    def run(self, ctx: JobContext) -> Suggested:
        from desktop_app.library import recommend

        model = _last_trained(_data_dir(ctx, self.data_dir))
        if model is None:
            return Suggested(self.paper_id, ())
        try:
            found = recommend.suggest_tags(model, ctx.repo, self.paper_id)
        except AppError:
            return Suggested(self.paper_id, ())
        return Suggested(self.paper_id, tuple(found))
