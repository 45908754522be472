"""Scoring a whole candidate pool at once: the features of `matcher.domain.ranking` over numpy columns.

A pool is thousands of pairs; a Python loop building a `Scored` per pair cost ~90% of a request at 100k
postings. Here the certificate fit is computed once per distinct requirement set (postings share a few
hundred), every other feature is one array expression, and `Scored` objects with reasons are built only
for the rows a flow returns (`PoolScores.scored`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.config import RankingWeights
from matcher.domain.features import (
    Cert,
    CertFit,
    PersonView,
    PostingView,
    Trip,
    certificate_fit,
    date_ordinal,
    or_nan,
    person_terms,
    term_overlap,
    trips,
)
from matcher.domain.geo import BoolArray, FloatArray, IntArray, bank_code
from matcher.domain.ranking import Pairs, Scored, feature_columns, scored_row, weighted_sum


@dataclass(frozen=True)
class PoolScores:
    """Scores of the pool members that pass the 持证上岗 gate, best first (ties by id)."""

    ids: list[str]
    features: dict[str, FloatArray]
    score: FloatArray
    km: FloatArray
    crossings: IntArray
    minutes: FloatArray
    fits: list[CertFit]
    far: BoolArray  # beyond the maximum commute

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, at: npt.NDArray[np.integer[Any]]) -> PoolScores:
        """The rows at `at` (in that order)."""
        return PoolScores(
            [self.ids[i] for i in at],
            {k: v[at] for k, v in self.features.items()},
            self.score[at],
            self.km[at],
            self.crossings[at],
            self.minutes[at],
            [self.fits[i] for i in at],
            self.far[at],
        )

    def scored(
        self, i: int, weights: RankingWeights, terms: list[str], text: str, max_commute_minutes: float | None
    ) -> Scored:
        """Row i as a `Scored` (reasons not yet added): the same numbers the pool was sorted by."""
        trip = Trip(float(self.km[i]), int(self.crossings[i]), float(self.minutes[i]))
        return scored_row(
            self.ids[i],
            self.features,
            self.score,
            i,
            weights,
            self.fits[i],
            trip,
            term_overlap(terms, text)[1],
            max_commute_minutes,
        )


def term_shares(terms: list[str], texts: list[str]) -> FloatArray:
    """`term_overlap`'s share for many texts: one pass per term, no call per text."""
    hits = np.zeros(len(texts), dtype=np.float64)
    for t in terms:
        hits += np.fromiter((t in x for x in texts), dtype=bool, count=len(texts))
    return hits / len(terms) if terms else hits


def _fits_by_group(groups: npt.NDArray[Any], fit_of: Callable[[int], CertFit]) -> list[CertFit]:
    """One certificate fit per distinct group (a requirement set, or a person's certificates), spread back
    to every row; `fit_of(row)` computes the fit for a representative row."""
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    distinct = [fit_of(int(r)) for r in first]
    return [distinct[g] for g in inverse.tolist()]


def top_first(id_of: Callable[[int], str], score: FloatArray, k: int) -> IntArray:
    """Positions of the k best scores, best first, equal scores by id — without sorting them all (a
    non-personalised list orders ~100k postings, with long runs of equal dates)."""
    if len(score) > k > 0:
        kth = np.partition(score, len(score) - k)[len(score) - k]
        candidates = np.flatnonzero(score >= kth)
    else:
        candidates = np.arange(len(score))
    keyed = sorted(
        zip((-score[candidates]).tolist(), candidates.tolist(), strict=True), key=lambda c: (c[0], id_of(c[1]))
    )
    return np.array([i for _, i in keyed[:k]], dtype=np.int64)


def best_first(ids: Sequence[str], score: FloatArray) -> npt.NDArray[np.intp]:
    """Best first, equal scores by id: one float argsort, then each run of ties (rare) sorted by id."""
    order = np.argsort(-score, kind="stable")
    tied = np.flatnonzero(score[order][1:] == score[order][:-1])
    for run in np.split(tied, np.flatnonzero(np.diff(tied) > 1) + 1) if tied.size else ():
        lo, hi = int(run[0]), int(run[-1]) + 2
        seg = order[lo:hi]
        order[lo:hi] = seg[np.argsort(np.array([ids[i] for i in seg], dtype=object), kind="stable")]
    return order


def _finish(
    ids: list[str],
    pairs: Pairs,
    trip: tuple[FloatArray, IntArray, FloatArray],
    fits: list[CertFit],
    gate: BoolArray,
    weights: RankingWeights,
    today: dt.date,
    max_commute_minutes: float | None,
) -> PoolScores:
    features = feature_columns(pairs, today)
    score = weighted_sum(features, weights)
    km, crossings, minutes = (
        np.broadcast_to(trip[0], score.shape),
        np.broadcast_to(trip[1], score.shape),
        np.broadcast_to(trip[2], score.shape),
    )  # one by one: each keeps its dtype's type
    far = minutes > max_commute_minutes if max_commute_minutes is not None else np.zeros(len(score), dtype=bool)
    pool = PoolScores(ids, features, score, km, crossings, minutes, fits, far).take(np.flatnonzero(gate))
    return pool.take(best_first(pool.ids, pool.score))


def score_postings(
    person: PersonView,
    columns: Mapping[str, Any],
    ids: list[str],
    semantic: FloatArray,
    terms: list[str],
    weights: RankingWeights,
    today: dt.date,
    clock: dt.date,
    max_commute_minutes: float | None,
) -> tuple[PoolScores, list[CertFit]]:
    """A person against the live postings `ids` (rows of `World.posting_columns()`); also the fits that
    failed the gate (for the "renew this certificate" notices)."""
    row = columns["row"]
    rows = np.fromiter((row[i] for i in ids), dtype=np.int64, count=len(ids))
    views: npt.NDArray[np.object_] = columns["view"]  # PostingView per row
    fits = _fits_by_group(columns["requirements"][rows], lambda r: certificate_fit(person.certs, views[rows[r]], clock))
    gate = np.fromiter((f.gate_ok for f in fits), dtype=bool, count=len(fits))
    overlap = term_shares(terms, [v.text for v in views[rows].tolist()])
    trip = trips(
        person.lon,
        person.lat,
        bank_code(person.district),
        columns["lon"][rows],
        columns["lat"][rows],
        columns["bank"][rows],
    )
    pairs = Pairs(
        certificate=np.fromiter((f.score for f in fits), dtype=np.float64, count=len(fits)),
        minutes=trip[2],
        semantic=semantic,
        skills=overlap,
        desired_salary=or_nan(person.desired_salary),
        salary_min=columns["salary_min"][rows],
        salary_max=columns["salary_max"][rows],
        experience_years=person.experience_years,
        min_experience_years=columns["min_experience"][rows],
        posted=columns["posted"][rows],
    )
    failed = [f for f, ok in zip(fits, gate.tolist(), strict=True) if not ok]
    return _finish(ids, pairs, trip, fits, gate, weights, today, max_commute_minutes), failed


def score_people(
    people: list[PersonView],
    posting: PostingView,
    semantic: FloatArray,
    weights: RankingWeights,
    today: dt.date,
    clock: dt.date,
) -> PoolScores:
    """Many people against one posting (the employer's side); `people` as the employer may see them."""
    groups: dict[tuple[Cert, ...], int] = {}
    keys = np.fromiter((groups.setdefault(p.certs, len(groups)) for p in people), dtype=np.int64, count=len(people))
    fits = _fits_by_group(keys, lambda r: certificate_fit(people[r].certs, posting, clock))
    gate = np.fromiter((f.gate_ok for f in fits), dtype=bool, count=len(fits))
    trip = trips(
        np.array([p.lon for p in people]),
        np.array([p.lat for p in people]),
        np.array([bank_code(p.district) for p in people]),
        posting.lon,
        posting.lat,
        bank_code(posting.district),
    )
    pairs = Pairs(
        certificate=np.fromiter((f.score for f in fits), dtype=np.float64, count=len(fits)),
        minutes=trip[2],
        semantic=semantic,
        skills=np.array(
            [term_overlap(person_terms(p), posting.text)[0] for p in people], dtype=np.float64
        ),  # terms vary
        desired_salary=np.array([or_nan(p.desired_salary) for p in people], dtype=np.float64),
        salary_min=or_nan(posting.salary_min),
        salary_max=or_nan(posting.salary_max),
        experience_years=np.array([p.experience_years for p in people], dtype=np.float64),
        min_experience_years=posting.min_experience_years,
        posted=date_ordinal(posting.posted_at),
    )
    ids = [p.id or "" for p in people]
    return _finish(ids, pairs, trip, fits, gate, weights, today, None)


__all__ = ["PoolScores", "best_first", "score_people", "score_postings", "top_first"]
