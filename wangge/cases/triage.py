"""Triage help on intake (智能分拨建议): from a new case's words, suggest its category (top
three, with confidence), the unit that usually handles it, and likely duplicates. Only
suggestions: the person filing or reporting picks the category.

The classifier: jieba word uni/bi-grams and character 1–3-grams, each block TF-IDF
(sublinear tf, l2), and a linear model with logistic loss (one-vs-rest), fitted with
scikit-learn on the street's closed cases (title + description → leaf category), plus one
short text per category from its own name and keywords. The unit is a rule: the unit that
most often handled closed cases of the category, else the category's usual unit.

A trained model is a `TriageModel` row whose parameters are plain JSON; serving
(`Classifier`) needs numpy only. Each process keeps the newest row and reloads when a newer
one appears. `train` is the one writer of `TriageModel`.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from wangge.cases.choices import CLOSED
from wangge.cases.models import Case, Category, TriageModel

HELDOUT = Path(__file__).with_name("triage_heldout.tsv")
TOP = 3
# A classifier's best guess below this is not offered where one category is picked silently
# (the must-report items); the forms show the three guesses whatever their confidence.
CONFIDENT = 0.35
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (1, 3)
MIN_DF = 2
ALPHA = 1e-4

log = logging.getLogger(__name__)

# --- words ------------------------------------------------------------------------------------

_tokenizer = None
_tokenizer_lock = threading.Lock()
_user_words: set[str] = set()
_DIGITS = re.compile(r"\d+")


def _jieba():
    """jieba's tokenizer, its dictionary loaded once per process, without its chatter."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def add_user_words(words: Iterable[str]) -> None:
    """Words jieba must keep whole (category names and keywords)."""
    tokenizer = _jieba()
    with _tokenizer_lock:
        for word in words:
            if word and word not in _user_words:
                tokenizer.add_word(word, freq=2000)
                _user_words.add(word)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, numbers as '0' (a house number says nothing
    about the kind of matter)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _DIGITS.sub("0", text)


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def words(text: str) -> list[str]:
    """Word uni- and bi-grams of a text (jieba, punctuation dropped)."""
    tokens = [t for t in _jieba().lcut(normalise(text)) if _is_word(t)]
    grams = list(tokens)
    if WORD_NGRAMS[1] >= 2:
        grams += [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    return grams


def chars(text: str) -> list[str]:
    """Character n-grams within runs of letters (punctuation and spaces break a run)."""
    out = []
    for run in re.split(r"[^\w]+", normalise(text)):
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
            out += [run[i:i + n] for i in range(len(run) - n + 1)]
    return out


# --- serving ----------------------------------------------------------------------------------


class Classifier:
    """A trained model in memory: two TF-IDF blocks and the linear layer, numpy only."""

    def __init__(self, params: dict):
        self.params = params
        self.classes: list[str] = params["classes"]
        self.word_vocab = {t: i for i, t in enumerate(params["word_vocab"])}
        self.char_vocab = {t: i for i, t in enumerate(params["char_vocab"])}
        self.word_idf = np.asarray(params["word_idf"], dtype=float)
        self.char_idf = np.asarray(params["char_idf"], dtype=float)
        self.coef = np.asarray(params["coef"], dtype=float)
        self.intercept = np.asarray(params["intercept"], dtype=float)
        self.units: dict[str, dict] = params.get("units", {})
        add_user_words(params.get("user_words", []))

    @staticmethod
    def _block(terms: list[str], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
        vec = np.zeros(len(vocab))
        for term, count in Counter(terms).items():
            i = vocab.get(term)
            if i is not None:
                vec[i] = (1.0 + math.log(count)) * idf[i]
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def vector(self, text: str) -> np.ndarray:
        return np.concatenate([self._block(words(text), self.word_vocab, self.word_idf),
                               self._block(chars(text), self.char_vocab, self.char_idf)])

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.word_vocab) + len(self.char_vocab)))
        return np.vstack([self.vector(t) for t in texts])

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Each category's probability (one-vs-rest sigmoids normalised, as scikit-learn's
        SGDClassifier does; softmax for a multinomial model)."""
        scores = self.vectors(texts) @ self.coef.T + self.intercept
        if self.params.get("link") == "ovr":
            p = 1.0 / (1.0 + np.exp(-np.clip(scores, -50, 50)))
            total = p.sum(axis=1, keepdims=True)
            return np.divide(p, total, out=np.full_like(p, 1 / p.shape[1]), where=total > 0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def ranked(self, text: str, k: int = TOP) -> list[tuple[str, float]]:
        p = self.proba([text])[0]
        order = np.argsort(-p)[:k]
        return [(self.classes[i], float(p[i])) for i in order]


_cache: dict[str, object] = {"id": None, "classifier": None, "row": None}
_cache_lock = threading.Lock()


def current() -> tuple[TriageModel | None, Classifier | None]:
    """The newest trained model (one small query; parsed again only when a newer row has
    appeared, so several app servers follow a retraining without a restart)."""
    latest = TriageModel.objects.order_by("-trained_at", "-id").values_list("id", "trained_at") \
        .first()
    if latest is None:
        return None, None
    with _cache_lock:
        if _cache["id"] != latest:  # the id with its time: a restored database reuses ids
            row = TriageModel.objects.get(pk=latest[0])
            _cache.update(id=latest, row=row, classifier=Classifier(row.params))
        return _cache["row"], _cache["classifier"]  # type: ignore[return-value]


def similarities(text: str, others: Sequence[str]) -> list[float]:
    """Cosine similarity of a text to others: by the model's TF-IDF vectors when there is a
    model, by plain character-bigram counts otherwise."""
    if not others:
        return []
    _row, clf = current()
    if clf is not None:
        vectors = clf.vectors([text, *others])
        return [float(v) for v in vectors[1:] @ vectors[0]]

    def bigrams(s: str) -> Counter:
        return Counter(g for g in chars(s) if len(g) == 2)

    a = bigrams(text)
    na = math.sqrt(sum(v * v for v in a.values()))
    out = []
    for other in others:
        b = bigrams(other)
        nb = math.sqrt(sum(v * v for v in b.values()))
        dot = sum(v * b.get(k, 0) for k, v in a.items())
        out.append(dot / (na * nb) if na and nb else 0.0)
    return out


# --- suggesting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guess:
    category: Category
    confidence: float | None  # None: a keyword match, not a probability


@dataclass(frozen=True)
class UnitGuess:
    unit: str
    share: float | None  # of the category's closed cases handled by a unit, this one's share
    in_grid: float | None  # share of the category's closed cases handled within the grid


@dataclass
class Suggestion:
    categories: list[Guess]
    unit: UnitGuess | None
    method: str  # "classifier", "keywords" or "none"
    model: TriageModel | None = None
    duplicates: list = field(default_factory=list)


def keyword_ranked(text: str, categories: Sequence[Category]) -> list[tuple[Category, int]]:
    """The keyword rule (no model yet): a category's name in the text counts 3, its line's
    name 2, each keyword 1. Best first, only categories that score."""
    scored = []
    for category in categories:
        score = sum(1 for word in category.keywords.split() if word and word in text)
        if category.name in text:
            score += 3
        if category.parent is not None and category.parent.name in text:
            score += 2
        if score:
            scored.append((category, score))
    scored.sort(key=lambda pair: -pair[1])
    return scored


def _leaves() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.filter(active=True, parent__isnull=False)
            .select_related("parent")}


def _unit_for(category: Category, clf: Classifier | None) -> UnitGuess:
    info = clf.units.get(category.code) if clf is not None else None
    if info and info.get("unit"):
        return UnitGuess(info["unit"], info.get("share"), info.get("in_grid"))
    return UnitGuess(category.default_unit, None, info.get("in_grid") if info else None)


def suggest(text: str, lon: float | None = None, lat: float | None = None,
            at: dt.datetime | None = None, *, user=None, duplicates: bool = True,
            k: int = TOP) -> Suggestion:
    """The top categories for a text with their confidence, the likely unit, and (when
    `duplicates`, for a place) likely duplicates among the cases `user` may see."""
    text = (text or "").strip()[:4000]
    if not text:
        return Suggestion([], None, "none")
    leaves = _leaves()
    row, clf = current()
    guesses: list[Guess] = []
    method = "none"
    if clf is not None:
        method = "classifier"
        guesses = [Guess(leaves[code], p) for code, p in clf.ranked(text, k=len(clf.classes))
                   if code in leaves][:k]
    else:
        ranked = keyword_ranked(text, list(leaves.values()))
        if ranked:
            method = "keywords"
            guesses = [Guess(c, None) for c, _score in ranked[:k]]
    suggestion = Suggestion(guesses, _unit_for(guesses[0].category, clf) if guesses else None,
                            method, row)
    if duplicates and guesses and lon is not None and lat is not None:
        from wangge.cases.selectors import possible_duplicates

        suggestion.duplicates = possible_duplicates(
            category=guesses[0].category, lon=lon, lat=lat, at=at, user=user, text=text)
    return suggestion


def best_category(text: str, categories: Sequence[Category]) -> Category | None:
    """The classifier's confident best guess among `categories`; None without a model or
    when it is unsure (the caller falls back to its own rule)."""
    _row, clf = current()
    if clf is None or not text.strip():
        return None
    allowed = {c.code: c for c in categories}
    for code, p in clf.ranked(text, k=len(clf.classes)):
        if code in allowed:
            return allowed[code] if p >= CONFIDENT else None
    return None


# --- training ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    text: str
    category: str
    unit: str = ""  # the handling unit of a closed case ("" when handled within the grid)


def case_text(case: Case) -> str:
    return f"{case.title} {case.description}".strip()


def samples_from_cases(cases: Iterable[Case]) -> list[Sample]:
    return [Sample(case_text(c), c.category.code, c.handling_unit) for c in cases]


def closed_cases_samples() -> list[Sample]:
    """The street's closed cases (merged and declined ones are not examples of anything)."""
    rows = (Case.objects.filter(status__in=CLOSED, category__parent__isnull=False,
                                category__active=True)
            .values_list("title", "description", "category__code", "handling_unit")
            .order_by("id"))
    return [Sample(f"{t} {d}".strip(), code, unit) for t, d, code, unit in rows]


def _category_samples(leaves: dict[str, Category]) -> list[Sample]:
    """One text per category from its own configuration: what the street says it covers."""
    return [Sample(f"{c.name} {c.parent.name if c.parent else ''} {c.keywords} {c.description}",
                   code) for code, c in leaves.items()]


def _user_words_of(leaves: dict[str, Category]) -> list[str]:
    out = []
    for c in leaves.values():
        out += [c.name, *c.keywords.split()]
    return sorted(set(out))


def fit(samples: Sequence[Sample], *, leaves: dict[str, Category] | None = None) -> dict:
    """Fit the model on samples; returns its JSON parameters."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier

    leaves = _leaves() if leaves is None else leaves
    user_words = _user_words_of(leaves)
    add_user_words(user_words)
    train = [*samples, *_category_samples(leaves)]
    texts = [s.text for s in train]
    labels = [s.category for s in train]
    vec_w = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=MIN_DF)
    vec_c = TfidfVectorizer(analyzer=chars, sublinear_tf=True, min_df=MIN_DF)
    x = hstack([vec_w.fit_transform(texts), vec_c.fit_transform(texts)]).tocsr()
    # Logistic loss by stochastic gradient: a second where lbfgs takes several on a busy
    # server, about as accurate; one-vs-rest, so serving normalises the sigmoids.
    lr = SGDClassifier(loss="log_loss", alpha=ALPHA, max_iter=50, tol=1e-4, random_state=0)
    lr.fit(x, labels)

    def vocab_list(vec) -> list[str]:
        out = [""] * len(vec.vocabulary_)
        for term, i in vec.vocabulary_.items():
            out[i] = term
        return out

    units: dict[str, dict] = {}
    by_category: dict[str, Counter] = defaultdict(Counter)
    for s in samples:
        by_category[s.category][s.unit] += 1
    for code, counts in by_category.items():
        total = sum(counts.values())
        in_units = {u: n for u, n in counts.items() if u}
        best = max(in_units, key=lambda u: (in_units[u], u)) if in_units else ""
        units[code] = {"unit": best,
                       "share": round(in_units[best] / sum(in_units.values()), 3) if best
                       else None,
                       "in_grid": round(counts.get("", 0) / total, 3)}
    return {
        "version": 1,
        "classes": [str(c) for c in lr.classes_],
        "word_vocab": vocab_list(vec_w), "word_idf": np.round(vec_w.idf_, 6).tolist(),
        "char_vocab": vocab_list(vec_c), "char_idf": np.round(vec_c.idf_, 6).tolist(),
        "coef": np.round(lr.coef_, 5).tolist(), "intercept": np.round(lr.intercept_, 5).tolist(),
        "units": units, "user_words": user_words,
        "link": "ovr",
        "settings": {"word_ngrams": WORD_NGRAMS, "char_ngrams": CHAR_NGRAMS, "min_df": MIN_DF,
                     "alpha": ALPHA},
    }


@dataclass(frozen=True)
class Score:
    n: int
    top1: float
    top3: float
    unit: float | None = None  # share of samples with a unit whose unit was right

    def as_dict(self) -> dict:
        return {"n": self.n, "top1": round(self.top1, 4), "top3": round(self.top3, 4),
                **({"unit": round(self.unit, 4)} if self.unit is not None else {})}


def evaluate(clf: Classifier, samples: Sequence[Sample],
             leaves: dict[str, Category] | None = None) -> Score:
    """Top-1 and top-3 accuracy (and unit accuracy where the sample names a unit)."""
    if not samples:
        return Score(0, 0.0, 0.0)
    p = clf.proba([s.text for s in samples])
    order = np.argsort(-p, axis=1)[:, :TOP]
    top1 = top3 = unit_right = unit_n = 0
    for s, row in zip(samples, order, strict=True):
        codes = [clf.classes[i] for i in row]
        top1 += codes[0] == s.category
        top3 += s.category in codes
        if s.unit and leaves is not None and codes[0] in leaves:
            unit_n += 1
            unit_right += _unit_for(leaves[codes[0]], clf).unit == s.unit
    n = len(samples)
    return Score(n, top1 / n, top3 / n, unit_right / unit_n if unit_n else None)


def cross_validate(samples: Sequence[Sample], *, folds: int = 5, by_title: bool = False,
                   leaves: dict[str, Category] | None = None, seed: int = 0) -> Score:
    """k-fold accuracy on the training cases. `by_title` keeps every case with the same
    title in one fold, so that a fold is judged on texts it has not seen in another words."""
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    leaves = _leaves() if leaves is None else leaves
    labels = [s.category for s in samples]
    if by_title:
        groups = [s.text.split(" ", 1)[0] for s in samples]
        splits = GroupKFold(n_splits=folds).split(samples, labels, groups)
    else:
        counts = Counter(labels)
        folds = max(2, min(folds, min(counts.values())))
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed) \
            .split(samples, labels)
    n = top1 = top3 = 0.0
    for train_idx, test_idx in splits:
        clf = Classifier(fit([samples[i] for i in train_idx], leaves=leaves))
        score = evaluate(clf, [samples[i] for i in test_idx])
        n += score.n
        top1 += score.top1 * score.n
        top3 += score.top3 * score.n
    return Score(int(n), top1 / n, top3 / n)


def read_heldout(path: Path | str = HELDOUT) -> list[Sample]:
    """The hand-written held-out set: category code, unit (may be empty), text; '#' lines
    are comments."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or row[0].startswith("#") or len(row) < 3:
                continue
            out.append(Sample(row[2].strip(), row[0].strip(), row[1].strip()))
    return out


@dataclass
class Training:
    model: TriageModel
    samples: int
    cv: Score | None
    cv_by_title: Score | None
    heldout: Score | None


def train(*, samples: Sequence[Sample] | None = None, heldout: Path | str | None = None,
          cv_folds: int = 5, now: dt.datetime | None = None) -> Training:
    """Fit on the closed cases (or `samples`), measure, and store a new `TriageModel` row,
    which every app server then serves. Raises ValueError with too few cases."""
    samples = list(closed_cases_samples() if samples is None else samples)
    leaves = _leaves()
    samples = [s for s in samples if s.category in leaves and s.text]
    if len({s.category for s in samples}) < 2 or len(samples) < 10:
        raise ValueError("too few closed cases to learn from (at least 10, of 2 categories)")
    params = fit(samples, leaves=leaves)
    clf = Classifier(params)
    cv = cv_by_title = None
    if cv_folds >= 2:
        cv = cross_validate(samples, folds=cv_folds, leaves=leaves)
        if len({s.text.split(" ", 1)[0] for s in samples}) >= cv_folds:
            cv_by_title = cross_validate(samples, folds=cv_folds, by_title=True,
                                         leaves=leaves)
    held = evaluate(clf, read_heldout(heldout), leaves) if heldout else None
    accuracy = {key: score.as_dict() for key, score in
                (("cv", cv), ("cv_by_title", cv_by_title), ("heldout", held)) if score}
    with transaction.atomic():
        row = TriageModel.objects.create(trained_at=now or timezone.now(), cases=len(samples),
                                         classes=params["classes"], accuracy=accuracy,
                                         params=params)
    return Training(row, len(samples), cv, cv_by_title, held)


def train_demo() -> Training | None:
    """After the demo's case history: learn from its closed cases (no cross-validation, so
    that it takes seconds), measured on the held-out set."""
    try:
        return train(heldout=HELDOUT, cv_folds=0)
    except ValueError:
        log.warning("triage: too few closed cases to train on")
        return None
