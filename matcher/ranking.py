"""The transparent ranking function: features → weighted contributions → score, with Chinese reasons.

`score_pair` is pure: the same person view, posting view, semantic similarity and date always give the
same result. The mandatory-certificate gate (持证上岗) and open status are hard filters applied by the
flows; the score only orders what passes them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from matcher.catalogues.licences import SKILL
from matcher.config import RankingWeights
from matcher.features import (
    CertFit,
    PersonView,
    PostingView,
    Trip,
    certificate_fit,
    distance_score,
    experience_fit,
    freshness,
    pay_fit,
    person_terms,
    term_overlap,
    trip,
)

FEATURE_LABELS = {
    "certificate": "证书匹配",
    "distance": "通勤距离",
    "semantic": "语义相似",
    "skills": "技能词匹配",
    "pay": "薪资",
    "experience": "经验",
    "freshness": "发布新鲜度",
}


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

    def as_dict(self) -> dict:
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


def score_pair(person: PersonView, posting: PostingView, semantic: float, weights: RankingWeights,
               today: dt.date, terms: list[str] | None = None, fit: CertFit | None = None,
               with_reasons: bool = True, max_commute_minutes: float | None = None) -> Scored:
    """Score one (person, posting) pair and say why, from the person's side.

    `fit` may be passed when the caller already computed it (for the gate); `with_reasons=False`
    skips the Chinese text, which a caller then adds with `add_reasons` for the results it returns."""
    fit = fit if fit is not None else certificate_fit(person.certs, posting, today)
    t = trip(person, posting)
    overlap, hits = term_overlap(terms if terms is not None else person_terms(person), posting.text)
    features = {
        "certificate": fit.score,
        "distance": distance_score(t.minutes),
        "semantic": max(0.0, min(1.0, semantic)),
        "skills": overlap,
        "pay": pay_fit(person.desired_salary, posting.salary_min, posting.salary_max),
        "experience": experience_fit(person.experience_years, posting.min_experience_years),
        "freshness": freshness(posting.posted_at, today),
    }
    w = weights.model_dump()
    contributions = {k: w[k] * v for k, v in features.items()}
    scored = Scored(posting.id, sum(contributions.values()), features, contributions, fit.gate_ok, fit, t, hits,
                    far=max_commute_minutes is not None and t.minutes > max_commute_minutes)
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
        if person.desired_salary:
            top = posting.salary_max if posting.salary_max is not None else posting.salary_min
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
