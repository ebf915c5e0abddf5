"""Fetch → parse → store: the services the worker thread and the CLI call.

Plain Python (no Qt): progress is a callable ``progress(pages, papers)`` and cancellation a
``threading.Event``-like ``cancel``; the GUI worker adapts both to signals.

Storage rule: every page a source returns is written with **one**
:meth:`Repository.upsert_papers` call, i.e. one transaction. A failure or a cancel on page 3
therefore leaves pages 1 and 2 stored and nothing of page 3 — never a half-written page —
and says so: the error is a :class:`~desktop_app.errors.PartialFetchError` naming what was
stored (a failure on the first page is the sources' own error, and nothing was stored).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta

from desktop_app.domain import DailyAppearance, PaperRecord, UpsertResult
from desktop_app.errors import (
    AppError,
    CancelledError,
    CancelToken,
    FetchError,
    NotFoundError,
    PageCapError,
    PartialFetchError,
    check_cancel,
)
from desktop_app.library.bookkeeping import LAST_DAILY_FETCH_KEY
from desktop_app.sources.arxiv import ArxivClient, SortBy, SortOrder
from desktop_app.sources.hf import DailyPage, DailySort, HfClient, list_period
from desktop_app.sources.ids import parse_paper_ref
from desktop_app.store.repository import Repository

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(pages_stored, papers_stored)``, called after each stored page (cumulative)."""


# Fields only arXiv knows; HF records leave them None.
_ARXIV_ONLY = (
    "categories",
    "primary_category",
    "doi",
    "journal_ref",
    "arxiv_comment",
    "version",
    "updated",
)


@dataclass(frozen=True)
class FetchSummary:
    """What a fetch did to the library.

    ``ids`` lists the papers of the remote list in its order (a search result or a daily list
    can be shown by ``FeedQuery(ids=…)``); ``missing`` the requested refs found nowhere;
    ``warnings`` problems that did not stop the fetch (e.g. arXiv unreachable while HF data
    was stored); ``announce_types`` the RSS announce type per id for arXiv listings;
    ``undated`` the papers of a daily list stored without a list day (Hugging Face did not
    say which day's list they are on, and no per-day list asked had them); ``dated_by`` the
    days whose own lists were asked for (``?date=``) to learn the list day of papers.
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    ids: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    announce_types: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    undated: tuple[str, ...] = ()
    dated_by: tuple[date, ...] = ()

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


class _Tally:
    """Accumulates upsert results, page count and ids across pages.

    Used as a context manager around the page loop: when a later page fails (or the source
    stops at its page cap), the error is re-raised as a :class:`PartialFetchError` saying
    exactly which pages were stored and which were not.
    """

    def __init__(self, progress: Progress | None) -> None:
        self.result = UpsertResult()
        self.pages = 0
        self.ids: dict[str, None] = {}
        self._progress = progress

    def store(
        self,
        repo: Repository,
        records: Sequence[PaperRecord],
        appearances: Iterable[DailyAppearance] = (),
        pages: int = 1,
    ) -> None:
        """One page (or ``pages`` pages held together): one transaction (skipped when there is
        nothing to store)."""
        if records:
            self.result = self.result + repo.upsert_papers(records, appearances)
        self.pages += pages
        self.ids.update((r.id, None) for r in records)
        if self._progress is not None:
            self._progress(self.pages, len(self.ids))

    def __enter__(self) -> _Tally:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None or not self.pages or not isinstance(exc, AppError):
            return
        stored = self.result.new + self.result.updated + self.result.unchanged
        pages = "page 1" if self.pages == 1 else f"pages 1–{self.pages}"
        what = (
            f"{stored} paper{'s' if stored != 1 else ''}: {self.result.new} new, "
            f"{self.result.updated} updated"
        )
        if isinstance(exc, CancelledError):
            raise CancelledError(f"Cancelled; {pages} ({what}) were stored.") from exc
        if isinstance(exc, PageCapError):
            raise PartialFetchError(
                f"Stored {pages} ({what}); stopped there: {exc.message}",
                cause=exc,
                hint=exc.hint,
            ) from exc
        raise PartialFetchError(
            f"Stored {pages} ({what}); page {self.pages + 1} failed: {exc.message}",
            cause=exc,
            hint=f"{exc.hint} The same fetch run again completes it.".strip(),
        ) from exc

    def summary(self, **extra: object) -> FetchSummary:
        return FetchSummary(
            new=self.result.new,
            updated=self.result.updated,
            unchanged=self.result.unchanged,
            pages=self.pages,
            ids=tuple(self.ids),
            **extra,  # type: ignore[arg-type]
        )


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- Hugging Face


def fetch_daily(
    repo: Repository,
    hf: HfClient,
    day: date | str | None = None,
    *,
    week: str | None = None,
    month: str | None = None,
    sort: DailySort = "publishedAt",
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Fetch a Hugging Face daily list (a day, a week, a month, or the latest) into the library.

    Every page is stored as it arrives, with the papers' daily ranks. On success the time is
    recorded under ``last_fetch:daily`` (see :func:`bookkeeping.last_daily_fetch`) so the
    app can decide when to refresh.

    List days are never guessed. A ``day``'s answer states the day of all its papers; other
    answers state it per paper only since about 2025-03-14 (``submittedOnDailyAt``). From the
    first page holding a paper that does not state it, pages are held back, the list days are
    learned from the lists of single days (``?date=``, which rank their papers as the list
    does; see :func:`_learn_list_days`), and everything held is then stored in **one**
    transaction — a failure there stores none of it. A paper no day's list had is stored
    without a list day and named in ``FetchSummary.undated``.
    """
    held: list[DailyPage] = []
    extra: dict[str, object] = {}
    with _Tally(progress) as tally:
        try:
            for page in hf.iter_daily(day, week, month, sort, cancel):
                if page.undated or held:
                    held.append(page)
                else:
                    tally.store(repo, page.records, page.appearances)
        except PageCapError:
            # The source stopped at its cap: what it sent is stored, and the cap is said.
            if held:
                _store_learning_list_days(repo, hf, tally, held, week, month, cancel)
            raise
        if held:
            extra = _store_learning_list_days(repo, hf, tally, held, week, month, cancel)
    # Only a fetch of the newest list tells when that list was last refreshed (a past month
    # or the trending list must not postpone the next refresh).
    newest = day is None or str(day) == date.today().isoformat()
    if newest and not week and not month and sort == "publishedAt":
        repo.set_meta(LAST_DAILY_FETCH_KEY, _utc_now())
    return tally.summary(**extra)


MAX_DAYS_ASKED = 21  # per-day lists asked to date the papers of the latest list


def _latest_candidates(records: Iterable[PaperRecord], today: date) -> list[date]:
    """Days whose lists may hold papers of the latest list that do not state their list day,
    newest first: a paper is listed on or after its arXiv date, and the latest list is at
    most a week past the newest of those dates (never past today)."""
    days = [r.published for r in records if r.published is not None]
    if not days:
        return []
    newest = min(max(days) + timedelta(days=7), today)
    oldest = min(days)
    count = min((newest - oldest).days + 1, MAX_DAYS_ASKED)
    return [newest - timedelta(days=n) for n in range(max(count, 0))]


def _store_learning_list_days(
    repo: Repository,
    hf: HfClient,
    tally: _Tally,
    held: list[DailyPage],
    week: str | None,
    month: str | None,
    cancel: CancelToken | None,
) -> dict[str, object]:
    """Store ``held`` pages with list days learned from per-day lists, in one transaction.

    Which days are asked: for a week or a month, every day the answer covers up to today
    (:func:`list_period`), so each of those days gets its own list's ranks; for the latest
    list, days from the newest possible one back (:func:`_latest_candidates`) until every
    undated paper is found. A day's list replaces the ranks the answer implied for that day,
    and its papers are stored too (they are on a list the fetch covers).
    """
    records = {r.id: r for page in held for r in page.records}
    apps = {(a.paper_id, a.day): a for page in held for a in page.appearances}
    missing = dict.fromkeys(i for page in held for i in page.undated)
    today = datetime.now(UTC).date()
    period = list_period(week, month, today)
    candidates = list(period) or _latest_candidates(
        (records[i] for i in missing if i in records), today
    )
    asked: list[date] = []
    pages = len(held)
    for on in candidates:
        if not period and not missing:
            break
        check_cancel(cancel)
        apps = {k: a for k, a in apps.items() if k[1] != on}
        for page in hf.iter_daily(on, cancel=cancel):
            pages += 1
            for record in page.records:
                records.setdefault(record.id, record)
                missing.pop(record.id, None)
            apps.update(((a.paper_id, a.day), a) for a in page.appearances)
        asked.append(on)
    check_cancel(cancel)
    tally.store(repo, list(records.values()), apps.values(), pages=pages)
    warnings: tuple[str, ...] = ()
    if missing:
        n = len(missing)
        where = (
            f"the lists of {min(asked).isoformat()} to {max(asked).isoformat()} did not have "
            f"{'it' if n == 1 else 'them'}"
            if asked
            else "no day's list could be asked"
        )
        warnings = (
            f"{n} paper{'s' if n != 1 else ''} stored without a list day: Hugging Face did not "
            f"say which day's list {'it is' if n == 1 else 'they are'} on, and {where}.",
        )
    return {"undated": tuple(missing), "dated_by": tuple(sorted(asked)), "warnings": warnings}


def fetch_search(
    repo: Repository,
    hf: HfClient,
    query: str,
    *,
    limit: int = 50,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Search Hugging Face papers and store the hits; ``ids`` keeps the server's ranking.

    Old-style search results carry only id, title and thumbnail; storing them never erases
    what the library already knows (``None`` fields are merged, not written).
    """
    records = hf.search(query, limit=limit, cancel=cancel)
    check_cancel(cancel)
    tally = _Tally(progress)
    tally.store(repo, records)
    return tally.summary()


# --------------------------------------------------------------------------- adding papers


def merge_records(hf_record: PaperRecord | None, arxiv_record: PaperRecord | None) -> PaperRecord:
    """One record from what HF and arXiv each say about a paper.

    HF's record is the base (it has the community fields); arXiv fills what HF leaves empty
    and always supplies its own fields (categories, DOI, journal ref, comment, version, last
    update) and the v1 date, for which it is the authority.
    """
    if hf_record is None:
        if arxiv_record is None:
            raise ValueError("nothing to merge")
        return arxiv_record
    if arxiv_record is None:
        return hf_record
    changes = {}
    for f in fields(PaperRecord):
        mine, theirs = getattr(hf_record, f.name), getattr(arxiv_record, f.name)
        if f.name in _ARXIV_ONLY or f.name == "published":
            if theirs is not None:
                changes[f.name] = theirs
        elif mine in (None, (), "") and theirs not in (None, (), ""):
            changes[f.name] = theirs
    return replace(hf_record, **changes, source="arxiv")


def add_papers(
    repo: Repository,
    hf: HfClient | None,
    arxiv: ArxivClient | None,
    refs: Iterable[str],
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Add papers by id or link (see :func:`parse_paper_ref`), all in one transaction.

    The policy, kept deliberately simple:

    1. Every ref is parsed first; one bad ref fails the whole call before any request.
    2. Hugging Face is asked for each paper. A 404 (no HF page) is not an error: the paper
       is then taken from arXiv alone. Any other HF failure (offline, rate limit…) aborts.
    3. arXiv is asked once for all papers (in batches of 100) to add categories, DOI,
       journal ref, comment and version. If that fails, papers HF knew are still stored and
       the failure is reported in ``warnings``; if some paper is known to nobody but arXiv,
       the arXiv error is raised instead, since storing less than asked would mislead.
    4. Papers found nowhere are listed in ``missing``; if none at all is found the call
       raises :class:`NotFoundError`.
    """
    ids = list(dict.fromkeys(parse_paper_ref(ref)[0] for ref in refs))
    if not ids:
        return FetchSummary()
    from_hf: dict[str, PaperRecord] = {}
    if hf is not None:
        for paper_id in ids:
            check_cancel(cancel)
            try:
                from_hf[paper_id] = hf.paper(paper_id, cancel=cancel)
            except NotFoundError:
                log.info("no Hugging Face page for %s; using arXiv alone", paper_id)
    from_arxiv: dict[str, PaperRecord] = {}
    warnings: list[str] = []
    if arxiv is not None:
        check_cancel(cancel)
        try:
            from_arxiv = {r.id: r for r in arxiv.by_ids(ids, cancel=cancel)}
        except CancelledError:
            raise
        except FetchError as exc:
            if any(i not in from_hf for i in ids):
                raise
            warnings.append(f"arXiv details (categories, DOI) were not added: {exc}")
    records = [
        merge_records(from_hf.get(i), from_arxiv.get(i))
        for i in ids
        if i in from_hf or i in from_arxiv
    ]
    missing = tuple(i for i in ids if i not in from_hf and i not in from_arxiv)
    if not records:
        raise NotFoundError(
            f"No paper {', '.join(missing)} on Hugging Face or arXiv.",
            hint="Check the id; a brand-new paper may take a day to appear.",
        )
    check_cancel(cancel)
    tally = _Tally(progress)
    tally.store(repo, records)
    return tally.summary(missing=missing, warnings=tuple(warnings))


# --------------------------------------------------------------------------- arXiv


def fetch_arxiv_listing(
    repo: Repository,
    arxiv: ArxivClient,
    category: str,
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Store today's arXiv announcement of ``category``; ``announce_types`` says per id
    whether it is ``new``, ``cross``, ``replace`` or ``replace-cross``."""
    listing = arxiv.listing(category, cancel=cancel)
    check_cancel(cancel)
    tally = _Tally(progress)
    tally.store(repo, listing.records)
    return tally.summary(announce_types=dict(listing.announce_types))


def fetch_arxiv_query(
    repo: Repository,
    arxiv: ArxivClient,
    search_query: str,
    *,
    max_results: int = 100,
    sort_by: SortBy | None = None,
    sort_order: SortOrder | None = None,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Store the hits of an arXiv API query, one transaction per page of results."""
    with _Tally(progress) as tally:
        for page in arxiv.iter_query(
            search_query,
            0,
            max_results,
            sort_by=sort_by,
            sort_order=sort_order,
            cancel=cancel,
        ):
            tally.store(repo, page.records)
    return tally.summary()
