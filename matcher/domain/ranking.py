"""The transparent ranking function: features → weighted contributions → score, with Chinese reasons.

`score_pair` is pure: the same person view, posting view, semantic similarity and date always give the
same result. The mandatory-certificate gate (持证上岗) and open status are hard filters applied by the
flows; the score only orders what passes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.catalogues.licences import SKILL
from matcher.config import RankingWeights
from matcher.domain.features import (
    CertFit,
    PersonView,
    PostingView,
    Trip,
    certificate_fit,
    date_ordinal,
    distance_score,
    experience_fit,
    freshness,
    or_nan,
    pay_fit,
    person_terms,
    term_overlap,
    trips,
)
from matcher.domain.geo import FloatArray, bank_code

FEATURES = ("certificate", "distance", "semantic", "skills", "pay", "experience", "freshness")


@dataclass(frozen=True)
class Pairs:
    """N (person, posting) pairs as columns: each field an array of N or one value shared by all.
    Unknown salaries and dates are NaN. Jobs-for-a-person shares the person's side, candidates-for-a-
    posting the posting's."""

    certificate: FloatArray  # CertFit.score
    minutes: FloatArray  # commute estimate
    semantic: FloatArray  # cosine of the person's and the posting's text
    skills: FloatArray  # term overlap
    desired_salary: FloatArray | float
    salary_min: FloatArray | float
    salary_max: FloatArray | float
    experience_years: FloatArray | float
    min_experience_years: FloatArray | float
    posted: FloatArray | float  # date ordinal


def feature_columns(pairs: Pairs, today: dt.date) -> dict[str, FloatArray]:
    """Every feature of every pair, in [0, 1]: the one definition the flows and `score_pair` share."""
    n = len(np.atleast_1d(pairs.minutes))
    columns = {
        "certificate": pairs.certificate,
        "distance": distance_score(pairs.minutes),
        "semantic": np.clip(pairs.semantic, 0.0, 1.0),
        "skills": pairs.skills,
        "pay": pay_fit(pairs.desired_salary, pairs.salary_min, pairs.salary_max),
        "experience": experience_fit(pairs.experience_years, pairs.min_experience_years),
        "freshness": freshness(pairs.posted, today),
    }
    return {k: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for k, v in columns.items()}


def weighted_sum(features: dict[str, FloatArray], weights: RankingWeights) -> FloatArray:
    """The score: one weighted sum of the features (the weights are the contributions' scale)."""
    w = weights.model_dump()
    total = np.zeros(len(next(iter(features.values()))), dtype=np.float64)
    for k in FEATURES:
        total = total + w[k] * features[k]
    return total


@dataclass
class Scored:
    posting_id: str
    score: float
    features: dict[str, float]
    contributions: dict[str, float]
    gate_ok: bool
    cert_fit: CertFit
    trip: Trip
    matched_terms: list[str] = field(default_factory=list)
    far: bool = False  # beyond the maximum commute: shown only when asked for, marked ✗
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "distance_km": round(self.trip.km, 1),
            "commute_minutes": round(self.trip.minutes),
            "river_crossings": self.trip.crossings,
            "mandatory_ok": self.gate_ok,
            "beyond_commute": self.far,
            "reasons": self.reasons,
            "missing": self.missing,
        }


def scored_row(
    posting_id: str,
    features: dict[str, FloatArray],
    score: FloatArray,
    i: int,
    weights: RankingWeights,
    fit: CertFit,
    trip: Trip,
    hits: list[str],
    max_commute_minutes: float | None,
) -> Scored:
    """Row `i` of a vectorised scoring as a `Scored` (contributions = weight × feature, as summed)."""
    w = weights.model_dump()
    feats = {k: float(features[k][i]) for k in FEATURES}
    return Scored(
        posting_id,
        float(score[i]),
        feats,
        {k: w[k] * feats[k] for k in FEATURES},
        fit.gate_ok,
        fit,
        trip,
        hits,
        far=max_commute_minutes is not None and trip.minutes > max_commute_minutes,
    )


def score_pair(
    person: PersonView,
    posting: PostingView,
    semantic: float,
    weights: RankingWeights,
    today: dt.date,
    terms: list[str] | None = None,
    fit: CertFit | None = None,
    with_reasons: bool = True,
    max_commute_minutes: float | None = None,
) -> Scored:
    """Score one (person, posting) pair and say why, from the person's side: the vectorised
    `feature_columns` on a single pair, so a lone pair and a pool score alike.

    `fit` may be passed when the caller already computed it (for the gate)."""
    fit = fit if fit is not None else certificate_fit(person.certs, posting, today)
    km, crossings, minutes = trips(
        person.lon, person.lat, bank_code(person.district), posting.lon, posting.lat, bank_code(posting.district)
    )
    overlap, hits = term_overlap(terms if terms is not None else person_terms(person), posting.text)
    pairs = Pairs(
        certificate=np.array([fit.score]),
        minutes=np.atleast_1d(minutes),
        semantic=np.array([semantic]),
        skills=np.array([overlap]),
        desired_salary=or_nan(person.desired_salary),
        salary_min=or_nan(posting.salary_min),
        salary_max=or_nan(posting.salary_max),
        experience_years=person.experience_years,
        min_experience_years=posting.min_experience_years,
        posted=date_ordinal(posting.posted_at),
    )
    features = feature_columns(pairs, today)
    trip = Trip(float(km), int(crossings), float(minutes))
    scored = scored_row(
        posting.id, features, weighted_sum(features, weights), 0, weights, fit, trip, hits, max_commute_minutes
    )
    if with_reasons:
        add_reasons(person, posting, scored, today)
    return scored


def add_reasons(person: PersonView, posting: PostingView, scored: Scored, today: dt.date) -> Scored:
    scored.reasons, scored.missing = explain(person, posting, scored, today)
    return scored


def _money(v: int | None) -> str:
    return f"{v:,}" if v is not None else "?"


def explain(person: PersonView, posting: PostingView, s: Scored, today: dt.date) -> tuple[list[str], list[str]]:
    """Human-readable reasons (what fits, distance, pay) and what is missing, in Chinese."""
    reasons: list[str] = []
    missing: list[str] = []
    fit = s.cert_fit
    for req, held in fit.matched:
        if req.type == SKILL:
            need = f"要求{req.level.short}" if req.level is not None else "无等级要求"
        else:
            need = f"要求{req.label()}"
        gate = "，持证上岗" if req.mandatory else "（优先条件）"
        reasons.append(f"证书匹配：持有{held.label()}，满足岗位{need}{gate}")
    for held in fit.review_due:
        missing.append(f"需复审：{held.label()}已超过3年复审期，请确认已按期复审")
    for req, held in fit.expired:
        until = f"（有效期至{held.expires_at.isoformat()}）" if held.expires_at else ""
        missing.append(f"证书已过期/需复审：{held.label()}{until}" + ("，岗位要求持证上岗" if req.mandatory else ""))
    for req, held in fit.low_level:
        text = f"{req.label()}（现有{held.level.short if held.level else '未注明等级'}）"
        missing.append(f"等级不足：需要{text}" + ("，持证上岗" if req.mandatory else ""))
    for req, held in fit.related:
        reasons.append(f"相关证书：持有{held.label()}，与岗位要求的{req.label()}相关")
        if req.mandatory:
            missing.append(f"缺少持证上岗证书：{req.label()}")
    obtainable = set(fit.obtainable)
    for req in fit.missing:
        if req in obtainable:
            missing.append(f"需办理{req.label()}：岗位要求持证上岗，入职前到指定医疗机构办理（通常数日）")
        else:
            missing.append(("缺少持证上岗证书：" if req.mandatory else "缺少优先证书：") + req.label())
    if not any(r.mandatory for r in posting.certs) and posting.occupations and s.features["certificate"] >= 0.8:
        reasons.append("职业对口：岗位职业与您的证书一致")
    if s.matched_terms:
        reasons.append("技能匹配：" + "、".join(s.matched_terms[:5]))
    t = s.trip
    where = "同区" if person.district == posting.district else posting.district
    crossing = "，需跨江" if t.crossings else ""
    approx = "" if person.exact_point and posting.exact_point else "（按区县中心估算）"
    trip_text = f"距离约{t.km:.1f}公里（{where}{crossing}），通勤约{t.minutes:.0f}分钟{approx}"
    if s.far:  # never a ✓ on a trip nobody makes daily
        missing.append(f"通勤过远：{trip_text}，超出每日通勤范围，需异地/住宿")
    else:
        reasons.append(trip_text)
    if posting.salary_min is not None or posting.salary_max is not None:
        pay = f"月薪{_money(posting.salary_min)}–{_money(posting.salary_max)}元"
        top = posting.salary_max if posting.salary_max is not None else posting.salary_min
        if person.desired_salary and top is not None:  # `top` is set here: one of the two is
            pay += "，达到期望" if top >= person.desired_salary else f"，低于期望{person.desired_salary:,}元"
        reasons.append(pay)
    if posting.min_experience_years > 0:
        gap = posting.min_experience_years - person.experience_years
        if gap > 0:
            missing.append(f"经验：要求{posting.min_experience_years:g}年，现有{person.experience_years:g}年")
        else:
            reasons.append(f"经验：要求{posting.min_experience_years:g}年，已满足")
    if posting.posted_at is not None:
        reasons.append(f"发布于{max(0, (today - posting.posted_at).days)}天前")
    return reasons, missing
