"""The interest model: what the user keeps, learned from the library, to rank papers For you,
suggest tags and find related papers.

Features are tf-idf (scikit-learn's ``TfidfVectorizer``, sparse): one over title and abstract
(the title counted twice), one over author names, each name a token of its own, weighted at
half and stacked beside it; rows are L2-normalised, so a dot product is a cosine. One
logistic regression per *interest*: each tag with at least :data:`MIN_TAG_PAPERS` papers, and
the *library* (papers starred, saved, noted or tagged). Negatives are the papers marked not
interested (weighted most), papers read but not kept, other tags' papers (for a tag), and a
random sample of the rest as weak negatives.

The vocabulary and idf are fitted on the labelled papers plus a random sample of at most
:data:`SAMPLE` others, so training stays within seconds on a library of 100,000 papers.

The model is kept in the data folder as one ``.npz`` of plain arrays and a JSON header (no
pickle: loading never runs code), with a format version and the library's fingerprint at
training: a file from another version, a damaged one or one trained on another state of the
library is rebuilt by :func:`ensure_model`.

This module imports numpy, scipy and scikit-learn; import it lazily (inside functions), so
neither the window's start nor a command that does not rank pays for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from desktop_app.errors import AppError
from desktop_app.store import Repository
from desktop_app.store.interests import PaperText

FORMAT_VERSION = 1
MODEL_FILENAME = "interests.npz"
MIN_LABELLED = 5  # papers in the library before a ranking means anything
MIN_TAG_PAPERS = 3  # papers a tag needs to get a model of its own
SAMPLE = 8000  # unlabelled papers the vocabulary (and the weak negatives) come from
WEAK_NEGATIVES = 3000  # of them, at most, as negatives of each interest
AUTHOR_WEIGHT = 0.5
SUGGEST_MIN = 0.5  # confidence a tag needs to be suggested
LIBRARY = "library"  # the kind (and name) of the interest learned from the whole library
_NO_TOKEN = "\x00"  # a vocabulary of nothing still needs one term

_TEXT_OPTIONS: dict[str, Any] = {
    "strip_accents": "unicode",
    "lowercase": True,
    "stop_words": "english",
    "sublinear_tf": True,
    "dtype": np.float32,
}


class NotEnoughLabelsError(AppError):
    """Too few papers in the library to rank by (the message says how many to add)."""


NotEnoughLabels = NotEnoughLabelsError


def _authors(text: str) -> list[str]:
    """Each author name one token (``ada lovelace``)."""
    return [" ".join(n.split()).casefold() for n in text.split(",") if n.strip()]


def _document(row: PaperText) -> str:
    _, title, abstract, _ = row
    return f"{title} {title} {abstract}"


@dataclass(frozen=True)
class Interest:
    """One thing the user is interested in: a tag, or the library as a whole."""

    kind: str  # "tag" or LIBRARY
    name: str
    members: tuple[int, ...]  # rows of InterestModel.kept (its positives)

    def describe(self, n: int) -> str:
        papers = f"{n} paper{'s' if n != 1 else ''}"
        if self.kind == LIBRARY:
            return f"Like {papers} in your library"
        return f"Like {papers} you tagged {self.name}"


@dataclass
class InterestModel:
    """A trained model: features, one linear classifier per interest, the kept papers."""

    fingerprint: str
    vocabulary: list[str]
    idf: np.ndarray[Any, Any]
    author_vocabulary: list[str]
    author_idf: np.ndarray[Any, Any]
    interests: list[Interest]
    weights: np.ndarray[Any, Any]  # interests × features
    bias: np.ndarray[Any, Any]  # interests
    kept_ids: list[str]
    kept_titles: list[str]
    kept: Any  # scipy CSR, kept papers × features (L2-normalised rows)
    labelled: int  # papers in the library when trained
    _vectorizers: tuple[TfidfVectorizer, TfidfVectorizer] | None = None

    def features(self, rows: Sequence[PaperText]) -> Any:
        """The papers' feature rows (CSR, L2-normalised)."""
        if self._vectorizers is None:
            self._vectorizers = (
                _vectorizer(self.vocabulary, self.idf, text=True),
                _vectorizer(self.author_vocabulary, self.author_idf, text=False),
            )
        text, authors = self._vectorizers
        return _stack(
            text.transform([_document(r) for r in rows]), authors.transform([r[3] for r in rows])
        )

    def probabilities(self, x: Any) -> np.ndarray[Any, Any]:
        """papers × interests: how sure each interest's classifier is of each paper."""
        if not self.interests:
            return np.zeros((x.shape[0], 0), dtype=np.float32)
        return np.asarray(expit(x @ self.weights.T + self.bias), dtype=np.float32)


@dataclass(frozen=True)
class Ranked:
    paper_id: str
    score: float  # 0–1: the most confident interest's probability
    reason: str


def _vectorizer(vocabulary: list[str], idf: np.ndarray[Any, Any], *, text: bool) -> Any:
    if text:
        vec = TfidfVectorizer(vocabulary=vocabulary, **_TEXT_OPTIONS)
    else:
        vec = TfidfVectorizer(
            vocabulary=vocabulary, analyzer=_authors, sublinear_tf=True, dtype=np.float32
        )
    vec.idf_ = idf
    return vec


def _stack(text: Any, authors: Any) -> Any:
    if text.shape[0] == 0:
        return sparse.csr_matrix((0, text.shape[1] + authors.shape[1]), dtype=np.float32)
    return normalize(sparse.hstack([text, authors * AUTHOR_WEIGHT], format="csr"))


def _fit(vec: TfidfVectorizer, docs: list[str]) -> tuple[Any, list[str], np.ndarray[Any, Any]]:
    """Fit ``vec``; a corpus without a single term (empty, stop words only) gets an empty
    vocabulary instead of scikit-learn's ValueError."""
    try:
        matrix = vec.fit_transform(docs)
    except ValueError:
        vocabulary, idf = [_NO_TOKEN], np.ones(1, dtype=np.float32)
        matrix = sparse.csr_matrix((len(docs), 1), dtype=np.float32)
        return matrix, vocabulary, idf
    names = [str(t) for t in vec.get_feature_names_out()]
    return matrix, names, np.asarray(vec.idf_, dtype=np.float32)


def model_path(data_dir: Path) -> Path:
    return data_dir / MODEL_FILENAME


# ----------------------------------------------------------------------------- training


def train(repo: Repository, fingerprint: str | None = None) -> InterestModel:
    """Learn the user's interests from the library as it is now (any library, even an empty
    one: a model without interests ranks nothing, see :func:`rank`)."""
    fingerprint = fingerprint if fingerprint is not None else repo.labels_fingerprint()
    labels = repo.labels()
    kept_ids = sorted(labels.kept)
    negatives = sorted((labels.read - labels.kept) | labels.not_interested)
    labelled = set(kept_ids) | set(negatives)
    sample = [p for p in repo.sample_paper_ids(SAMPLE + len(labelled), seed=7) if p not in labelled]
    sample = sample[:SAMPLE]
    rows = repo.paper_texts([*kept_ids, *negatives, *sample])
    ids = [r[0] for r in rows]
    index = {pid: i for i, pid in enumerate(ids)}

    small = len(rows) < 50
    text_vec = TfidfVectorizer(
        min_df=1 if small else 2, max_df=1.0 if small else 0.5, **_TEXT_OPTIONS
    )
    author_vec = TfidfVectorizer(analyzer=_authors, sublinear_tf=True, dtype=np.float32)
    text_x, vocabulary, idf = _fit(text_vec, [_document(r) for r in rows])
    author_x, author_vocabulary, author_idf = _fit(author_vec, [r[3] for r in rows])
    x = _stack(text_x, author_x)

    kept_rows = [index[p] for p in kept_ids if p in index]
    kept_ids = [ids[i] for i in kept_rows]
    kept_at = {pid: i for i, pid in enumerate(kept_ids)}
    titles = {r[0]: r[1] for r in rows}

    interests: list[Interest] = []
    if kept_ids:
        interests.append(Interest(LIBRARY, LIBRARY, tuple(range(len(kept_ids)))))
    by_tag: dict[str, list[int]] = {}
    for pid, names in labels.tags.items():
        if pid in kept_at:
            for name in names:
                by_tag.setdefault(name, []).append(kept_at[pid])
    for name in sorted(by_tag, key=str.casefold):
        if len(by_tag[name]) >= MIN_TAG_PAPERS:
            interests.append(Interest("tag", name, tuple(sorted(by_tag[name]))))

    strong = [index[p] for p in sorted(labels.not_interested) if p in index]
    passed = [index[p] for p in negatives if p in index and p not in labels.not_interested]
    weak = [index[p] for p in sample[:WEAK_NEGATIVES] if p in index]
    weights = np.zeros((len(interests), x.shape[1]), dtype=np.float32)
    bias = np.zeros(len(interests), dtype=np.float32)
    for i, interest in enumerate(interests):
        positive = [kept_rows[m] for m in interest.members]
        own = set(interest.members)
        others = (
            [kept_rows[m] for m in range(len(kept_rows)) if m not in own]
            if interest.kind == "tag"
            else []
        )
        weights[i], bias[i] = _classifier(
            x, positive, [(strong, 3.0), (passed, 1.0), (others, 1.0), (weak, 0.5)]
        )
    return InterestModel(
        fingerprint=fingerprint,
        vocabulary=vocabulary,
        idf=idf,
        author_vocabulary=author_vocabulary,
        author_idf=author_idf,
        interests=interests,
        weights=weights,
        bias=bias,
        kept_ids=kept_ids,
        kept_titles=[titles.get(p, p) for p in kept_ids],
        kept=x[kept_rows] if kept_rows else sparse.csr_matrix((0, x.shape[1]), dtype=np.float32),
        labelled=len(kept_ids),
    )


def _classifier(
    x: Any, positive: list[int], negatives: list[tuple[list[int], float]]
) -> tuple[np.ndarray[Any, Any], float]:
    """One interest's linear classifier: (weights, bias)."""
    taken = set(positive)
    rows, y, w = list(positive), [1] * len(positive), [1.0] * len(positive)
    for group, weight in negatives:
        for r in group:
            if r not in taken:
                taken.add(r)
                rows.append(r)
                y.append(0)
                w.append(weight)
    features = x[rows]
    if 0 not in y:  # nothing to tell the positives from: an empty paper stands in
        features = sparse.vstack([features, sparse.csr_matrix((1, x.shape[1]))], format="csr")
        y.append(0)
        w.append(1.0)
    clf = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=200)
    clf.fit(features, np.asarray(y), sample_weight=np.asarray(w))
    return np.asarray(clf.coef_[0], dtype=np.float32), float(clf.intercept_[0])


# ----------------------------------------------------------------------------- files


def save(model: InterestModel, path: Path) -> None:
    """Write the model (arrays and a JSON header, no pickle), replacing the file at once."""
    header = {
        "version": FORMAT_VERSION,
        "fingerprint": model.fingerprint,
        "vocabulary": model.vocabulary,
        "author_vocabulary": model.author_vocabulary,
        "interests": [[i.kind, i.name, list(i.members)] for i in model.interests],
        "kept_ids": model.kept_ids,
        "kept_titles": model.kept_titles,
        "labelled": model.labelled,
    }
    kept = sparse.csr_matrix(model.kept)
    # A file of its own per writer (the window and a command may train at once), then one
    # rename: a reader sees the old model or the new one, never half of one.
    fd, name = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(
                fh,
                header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                idf=model.idf,
                author_idf=model.author_idf,
                weights=model.weights,
                bias=model.bias,
                kept_data=kept.data,
                kept_indices=kept.indices,
                kept_indptr=kept.indptr,
                kept_shape=np.asarray(kept.shape, dtype=np.int64),
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone already after the rename; else a failed write


def load(path: Path) -> InterestModel | None:
    """The model at ``path``, or None when there is none, it is damaged, or another version
    of Daily Papers wrote it (the caller trains a new one)."""
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            if header.get("version") != FORMAT_VERSION:
                return None
            kept = sparse.csr_matrix(
                (data["kept_data"], data["kept_indices"], data["kept_indptr"]),
                shape=tuple(int(v) for v in data["kept_shape"]),
            )
            model = InterestModel(
                fingerprint=str(header["fingerprint"]),
                vocabulary=[str(t) for t in header["vocabulary"]],
                idf=data["idf"],
                author_vocabulary=[str(t) for t in header["author_vocabulary"]],
                author_idf=data["author_idf"],
                interests=[Interest(str(k), str(n), tuple(m)) for k, n, m in header["interests"]],
                weights=data["weights"],
                bias=data["bias"],
                kept_ids=[str(p) for p in header["kept_ids"]],
                kept_titles=[str(t) for t in header["kept_titles"]],
                kept=kept,
                labelled=int(header["labelled"]),
            )
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return None
    n_features = len(model.vocabulary) + len(model.author_vocabulary)
    consistent = (
        model.idf.shape == (len(model.vocabulary),)
        and model.author_idf.shape == (len(model.author_vocabulary),)
        and model.weights.shape == (len(model.interests), n_features)
        and model.bias.shape == (len(model.interests),)
        and model.kept.shape == (len(model.kept_ids), n_features)
        and len(model.kept_titles) == len(model.kept_ids)
        and all(0 <= m < len(model.kept_ids) for i in model.interests for m in i.members)
    )
    return model if consistent else None


def ensure_model(repo: Repository, data_dir: Path) -> InterestModel:
    """The model of the library as it is: the stored one if the library has not changed since
    it was trained, else a new one (trained and stored; a file that cannot be written is no
    error: the model is used all the same)."""
    fingerprint = repo.labels_fingerprint()
    path = model_path(data_dir)
    model = load(path)
    if model is not None and model.fingerprint == fingerprint:
        return model
    model = train(repo, fingerprint)
    with contextlib.suppress(OSError):
        save(model, path)
    return model


# ----------------------------------------------------------------------------- using it


def check_enough(model: InterestModel) -> None:
    if model.labelled < MIN_LABELLED:
        have = f" (the library has {model.labelled})" if model.labelled else ""
        raise NotEnoughLabelsError(
            f"Tag or star at least {MIN_LABELLED} papers to get a ranking For you{have}."
        )


RANK_CHUNK = 500  # papers read, featurised and scored at a time (memory stays flat)


def rank(model: InterestModel, repo: Repository, paper_ids: Sequence[str]) -> list[Ranked]:
    """``paper_ids`` best first, each with its score and reason; papers marked not
    interested are left out. NotEnoughLabelsError when the library is too small to rank by."""
    check_enough(model)
    hidden = repo.not_interested_ids()
    wanted = [p for p in dict.fromkeys(paper_ids) if p not in hidden]
    tags = np.asarray([j for j, it in enumerate(model.interests) if it.kind == "tag"], dtype=int)
    members = [np.asarray(it.members, dtype=int) for it in model.interests]
    kept_at = {pid: i for i, pid in enumerate(model.kept_ids)}
    out: list[Ranked] = []
    for start in range(0, len(wanted), RANK_CHUNK):
        rows = repo.paper_texts(wanted[start : start + RANK_CHUNK])
        if not rows:
            continue
        x = model.features(rows)
        probs = model.probabilities(x)
        similar = (x @ model.kept.T).toarray()  # papers × kept papers (cosines)
        for i, row in enumerate(rows):
            best = int(np.argmax(probs[i]))
            score = float(probs[i, best])
            if tags.size:  # a tag says more than "the library", when it is as sure
                best_tag = int(tags[np.argmax(probs[i, tags])])
                if probs[i, best_tag] >= min(0.5, score):
                    best = best_tag
            own = kept_at.get(row[0], -1)
            reason = _reason(model, best, members[best], similar[i], own, score)
            out.append(Ranked(row[0], score, reason))
    out.sort(key=lambda r: -r.score)
    return out


def _clip(title: str, width: int = 60) -> str:
    text = " ".join(title.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _reason(
    model: InterestModel,
    at: int,
    members: np.ndarray[Any, Any],
    similar: np.ndarray[Any, Any],
    own: int,
    score: float,
) -> str:
    """Why a paper scored so: the interest, and the two of its papers nearest to it (``own``:
    the paper's row among the kept papers, -1 if it is none: it is not its own reason)."""
    interest = model.interests[at]
    top = members[np.argsort(-similar[members], kind="stable")[:3]]
    nearest = [int(m) for m in top if m != own][:2]
    n = len(members) - int(bool(np.any(members == own)))
    if not nearest:
        return interest.describe(len(members))
    titles = ", ".join(f"“{_clip(model.kept_titles[m])}”" for m in nearest)
    if score < 0.5:
        return f"Not much like the papers you keep; nearest: {titles}"
    return f"{interest.describe(n)}: {titles}"


def suggest_tags(
    model: InterestModel, repo: Repository, paper_id: str, k: int = 5
) -> list[tuple[str, float]]:
    """The tags the per-tag models are confident about for a paper (not those it carries),
    most confident first, with their confidence (0–1)."""
    rows = repo.paper_texts([paper_id])
    if not rows:
        repo.get(paper_id)  # NotFoundError, as for any command on a missing paper
        return []
    carried = {t.casefold() for t in repo.labels().tags.get(paper_id, ())}
    probs = model.probabilities(model.features(rows))[0]
    found = [
        (it.name, float(probs[j]))
        for j, it in enumerate(model.interests)
        if it.kind == "tag" and it.name.casefold() not in carried and probs[j] >= SUGGEST_MIN
    ]
    found.sort(key=lambda t: (-t[1], t[0].casefold()))
    return found[:k]


def related(
    model: InterestModel, repo: Repository, paper_id: str, k: int = 5
) -> list[tuple[str, float]]:
    """The ``k`` papers of the library nearest to a paper (cosine on the model's features),
    nearest first, with their similarity (0–1)."""
    rows = repo.paper_texts([paper_id])
    if not rows:
        repo.get(paper_id)
        return []
    if not model.kept_ids:
        return []
    sims = (model.kept @ model.features(rows).T).toarray().ravel()
    order = np.argsort(-sims, kind="stable")
    out: list[tuple[str, float]] = []
    for j in order:
        if len(out) >= k or sims[j] <= 0:
            break
        if model.kept_ids[j] != paper_id:
            out.append((model.kept_ids[j], float(sims[j])))
    return out
