"""arXiv's free-text journal references read into journal, volume, number, pages and year.

arXiv's ``journal_ref`` is whatever the authors typed. The shapes physics and ML journals use
are read (``tests/test_bibtex_journal_ref.py`` has real ones):

- ``Phys. Rev. D 76, 013009 (2007)``, ``Nature 550(7676), 354-359 (2017)``
- ``Phys. Lett. B 659 (2008) 703-706`` (year before the pages)
- ``JMLR 15:1929-1958 (2014)``, ``Journal of Machine Learning Research 15(56):1929-1958, 2014``
- ``IEEE Trans. Pattern Anal. Mach. Intell., vol. 44, no. 3, pp. 1-12, 2022``

Anything else — a conference (``NeurIPS 2023``, ``Proceedings of …``), a reference with words
after it, no volume or no year — is not guessed at: the exporter keeps it whole in ``note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_JOURNAL = r"(?P<journal>[^\d()]*?[A-Za-z][^\d()]*?)"
_PAGES = r"(?P<pages>[A-Za-z]?\d+(?:\s*(?:-|–|—|--)\s*[A-Za-z]?\d+)?)"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_VOLUME = r"(?P<volume>\d+)"
_NUMBER = r"(?:\s*\((?P<number>[\w\-/]+)\))?"
_SHAPES = [
    # Journal Vol(Num), Pages (Year)   |   Journal Vol(Num):Pages (Year) / , Year
    re.compile(
        rf"^{_JOURNAL}\s*,?\s+{_VOLUME}{_NUMBER}\s*[,:]\s*(?:pp?\.\s*)?{_PAGES}\s*"
        rf"(?:\(\s*{_YEAR}\s*\)|,\s*{_YEAR.replace('year', 'year2')})\.?$"
    ),
    # Journal Vol (Year) Pages
    re.compile(rf"^{_JOURNAL}\s*,?\s+{_VOLUME}{_NUMBER}\s*\(\s*{_YEAR}\s*\)\s*,?\s*{_PAGES}\.?$"),
    # Journal, vol. V, no. N, pp. P, Year
    re.compile(
        rf"^{_JOURNAL}\s*,\s*vol(?:ume|\.)?\s*{_VOLUME}\s*"
        r"(?:,\s*(?:no|num|issue)\.?\s*(?P<number>[\w\-/]+)\s*)?"
        rf"(?:,\s*pp?\.\s*{_PAGES}\s*)?,\s*(?:\w+\.?\s+)?{_YEAR}\.?$",
        re.I,
    ),
]
_CONFERENCE_RE = re.compile(
    r"\b(?:proc\.|proceedings|conference|conf\.|workshop|symposium|meeting|accepted|submitted|"
    r"to appear|in press|neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|emnlp|naacl|aaai|ijcai)\b",
    re.I,
)


@dataclass(frozen=True)
class JournalRef:
    journal: str
    volume: str
    year: int
    number: str | None = None
    pages: str | None = None


def parse_journal_ref(text: str) -> JournalRef | None:
    """The parts of a journal reference, or None when it has none of the shapes above."""
    ref = " ".join(text.split())
    if not ref or _CONFERENCE_RE.search(ref):
        return None
    for shape in _SHAPES:
        m = shape.match(ref)
        if m is None:
            continue
        journal = m.group("journal").strip().rstrip(",").strip()
        if not journal or not any(c.isalpha() for c in journal):
            continue
        pages = m.groupdict().get("pages")
        return JournalRef(
            journal=journal,
            volume=m.group("volume"),
            year=int(m.groupdict().get("year") or m.group("year2")),
            number=m.group("number") or None,
            pages=re.sub(r"\s*(?:--|-|–|—)\s*", "--", pages) if pages else None,
        )
    return None
