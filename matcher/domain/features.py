"""Features of a (person, posting) pair: small pure functions, each explainable on its own.

The views here are what ranking may see. `PersonView` is built from a trainee's *profile* (store.profiles)
or an ad-hoc query, never from personal fields, so protected attributes cannot reach a feature.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.licences import HEALTH, REVIEW_YEARS, SKILL, item_meets, load_licences
from matcher.catalogues.occupations import load_occupations
from matcher.domain.certificates import first_day, last_day
from matcher.domain.geo import FloatArray, IntArray, commute_minutes, haversine_vec, river_crossings


@dataclass(frozen=True)
class Cert:
    """A held certificate or a requirement, of any certificate system (`catalogues.licences`)."""

    occupation: str | None  # CSCO leaf code: stated, or the occupation a licence is for
    level: Level | None = None
    mandatory: bool = False  # only meaningful on a requirement
    issued_at: dt.date | None = None
    type: str = SKILL
    item: str | None = None  # 操作项目 / 项目代号 / 准驾车型 / 资格名称
    expires_at: dt.date | None = None  # inclusive
    group: str | None = None  # requirement alternatives share a group
    recognised: bool = True  # False: kept as written, never opens or closes a gate
    raw: str | None = None  # what was written, for an unrecognised certificate

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cert:
        type_ = d.get("type") or SKILL
        if d.get("recognised") is False:
            raw = " ".join(str(d[k]) for k in ("type", "name", "occupation", "item", "level") if d.get(k))
            return cls(None, type=type_, mandatory=bool(d.get("mandatory")), recognised=False, raw=raw)
        occupation, item = d.get("occupation"), d.get("item")
        if occupation is None and type_ != SKILL:
            lic = load_licences().get(type_, item)
            occupation = lic.occupations[0] if lic is not None and lic.occupations else None
        issued, expires = d.get("issued_at"), d.get("expires_at")
        return cls(
            occupation,
            parse_level(d.get("level")),
            bool(d.get("mandatory", False)),
            first_day(issued) if isinstance(issued, str) else issued,
            type_,
            item,
            last_day(expires) if isinstance(expires, str) else expires,
            d.get("group"),
        )

    def valid_on(self, today: dt.date) -> bool:
        return self.expires_at is None or self.expires_at >= today

    def review_due(self, today: dt.date) -> bool:
        """特种作业操作证: more than 3 years since issue (复审 due) — a warning, not a lapse."""
        years = REVIEW_YEARS.get(self.type)
        return years is not None and self.issued_at is not None and (today - self.issued_at).days > 365.25 * years

    def label(self) -> str:
        if not self.recognised:
            return f"{self.raw}（未识别）"
        if self.type == SKILL:
            name = load_occupations().get(self.occupation).name if self.occupation else "?"
            return f"{name}（{self.level.label}）" if self.level is not None else name
        lic = load_licences().get(self.type, self.item)
        if lic is not None:
            return lic.label()
        return f"{self.type}·{self.item}" if self.item else self.type

    def meets(self, req: Cert) -> bool:
        """Same system and item (or occupation at or above the level); validity is checked apart."""
        if not (self.recognised and req.recognised):
            return False
        if req.type == SKILL and req.level is None and self.type != SKILL:
            # "持证上岗 · 叉车司机" with no level asks for the trade's certificate: its licence counts
            lic = load_licences().get(self.type, self.item)
            return lic is not None and req.occupation in lic.occupations
        if self.type != req.type:
            return False
        if self.type == SKILL:
            return self.occupation == req.occupation and _rank(self.level) >= _rank(req.level)
        return item_meets(self.type, self.item, req.item)


@dataclass(frozen=True)
class PersonView:
    """What ranking knows about a person: certificates, skills, experience, place and pay wish."""

    district: str
    lon: float
    lat: float
    certs: tuple[Cert, ...] = ()
    skills: tuple[str, ...] = ()
    experience_years: float = 0.0
    desired_salary: int | None = None
    id: str | None = None
    exact_point: bool = False  # False: coordinates are the district centre

    @property
    def occupations(self) -> frozenset[str]:
        return frozenset(c.occupation for c in self.certs if c.occupation is not None)


@dataclass(frozen=True)
class PostingView:
    id: str
    title: str
    employer: str
    district: str
    lon: float
    lat: float
    certs: tuple[Cert, ...] = ()
    skills: tuple[str, ...] = ()
    min_experience_years: float = 0.0
    salary_min: int | None = None
    salary_max: int | None = None
    shift: str | None = None
    posted_at: dt.date | None = None
    is_open: bool = True
    occupations: frozenset[str] = frozenset()  # required + inferred from the title
    inferred: frozenset[str] = frozenset()  # the part only guessed from the title (weaker evidence)
    text: str = ""  # lower-cased title + description + skills, for term overlap
    industry: str | None = None
    exact_point: bool = False


# --- certificates -----------------------------------------------------------------------------------


@dataclass
class CertFit:
    score: float  # 0..1
    gate_ok: bool  # every mandatory (持证上岗) requirement group is met by a valid certificate
    matched: list[tuple[Cert, Cert]] = field(default_factory=list)  # (requirement, held)
    low_level: list[tuple[Cert, Cert]] = field(default_factory=list)  # held, but below the level
    expired: list[tuple[Cert, Cert]] = field(default_factory=list)  # held, but past its expiry
    related: list[tuple[Cert, Cert]] = field(default_factory=list)  # same occupation/小类, other certificate
    missing: list[Cert] = field(default_factory=list)  # requirements not met at all
    review_due: list[Cert] = field(default_factory=list)  # matched, but 复审 looks overdue
    obtainable: list[Cert] = field(default_factory=list)  # required, quick to obtain (健康证): never a gate
    base: float = 0.0  # the occupation fit, before the preferred-certificate bonus


NEUTRAL_CERT_SCORE = 0.3  # no requirement and no confident occupation: same for every person
PREFERRED_BONUS = 0.2  # share of the score that "优先" certificates decide, never a gate


def _rank(level: Level | None) -> int:
    """No stated level counts as the bottom of the ladder (a requirement without level is met by any)."""
    return int(level) if level is not None else -1


def _minor(code: str) -> str:
    return code[:7]


def _occupation_fit(held: tuple[Cert, ...], occupations: frozenset[str], inferred: frozenset[str]) -> float:
    """Holding the job's occupation 0.8, a related one (same 小类) 0.3, neither 0 — but an occupation only
    guessed from the title counts as positive evidence alone: a mismatch with a guess is neutral, because
    the guess may be wrong and neighbouring occupations overlap."""
    if not occupations:
        return NEUTRAL_CERT_SCORE
    occs = {c.occupation for c in held if c.occupation is not None and c.recognised}
    if occs & occupations:
        return 0.8
    if {_minor(o) for o in occs} & {_minor(o) for o in occupations}:
        return 0.3
    return NEUTRAL_CERT_SCORE if occupations <= inferred else 0.0


def _groups(reqs: tuple[Cert, ...]) -> list[list[Cert]]:
    """Requirements as groups of alternatives (any one member meets the group)."""
    groups: dict[object, list[Cert]] = {}
    for n, r in enumerate(reqs):
        if r.recognised:
            groups.setdefault(r.group if r.group is not None else n, []).append(r)
    return list(groups.values())


def _group_fit(held: tuple[Cert, ...], group: list[Cert], today: dt.date, fit: CertFit) -> float:
    """Score one group (1 met, 0.5 lower level, 0.3 expired/related, 0 missing) and record why."""
    for req in group:
        good = [h for h in held if h.meets(req) and h.valid_on(today)]
        if good:
            best = max(good, key=lambda h: (_rank(h.level), h.expires_at or dt.date.max))
            fit.matched.append((req, best))
            if best.review_due(today):
                fit.review_due.append(best)
            return 1.0
    for req in group:
        expired = [h for h in held if h.meets(req)]
        if expired:
            fit.expired.append((req, max(expired, key=lambda h: h.expires_at or dt.date.min)))
            return 0.3
    for req in group:
        if req.type == SKILL:
            same = [h for h in held if h.type == SKILL and h.recognised and h.occupation == req.occupation]
            if same:
                fit.low_level.append((req, max(same, key=lambda h: _rank(h.level))))
                return 0.5
    for req in group:
        if req.occupation is None:
            continue
        related = [
            h
            for h in held
            if h.recognised
            and h.occupation is not None
            and (h.occupation == req.occupation or _minor(h.occupation) == _minor(req.occupation))
        ]
        if related:
            fit.related.append((req, related[0]))
            return 0.3
    fit.missing.append(group[0])
    return 0.0


def certificate_fit(held: tuple[Cert, ...], posting: PostingView, today: dt.date | None = None) -> CertFit:
    """How the person's certificates meet the posting.

    Gate: each mandatory requirement group (持证上岗) needs one valid certificate of the same system and
    item/occupation (a level certificate at or above the level). A 健康证 is the exception: obtained in days
    at a clinic, it never excludes a job — it is listed as something to arrange.
    Score: how well the person fits the job's occupation — its own-trade mandatory requirements (1 met,
    0.5 lower level, 0.3 expired or related, 0 missing), else holding the occupation (0.8) or a related one
    (0.3), neutral when the occupation is unknown; a licence that is not the trade (驾驶证, 健康证) gates
    but does not make a cook an electrician. Preferred ("优先") groups decide PREFERRED_BONUS of the score, and only as far as the person fits the trade."""
    today = today or dt.date.today()
    fit = CertFit(score=0.0, gate_ok=True)
    own_mandatory, preferred = [], []
    for group in _groups(posting.certs):
        score = _group_fit(held, group, today, fit)
        obtainable = all(r.type == HEALTH for r in group)
        is_mandatory = any(r.mandatory for r in group) and not obtainable
        if is_mandatory:
            if score < 1.0:
                fit.gate_ok = False
            if any(r.occupation is not None and r.occupation in posting.occupations for r in group):
                own_mandatory.append(score)
        else:
            preferred.append(score)
            if obtainable and score < 1.0 and any(r.mandatory for r in group):
                fit.obtainable.append(group[0])
    base = (
        sum(own_mandatory) / len(own_mandatory)
        if own_mandatory
        else _occupation_fit(held, posting.occupations, posting.inferred)
    )
    # a tie-break among people who fit the job: a truck driver's licence does not make him the 前台 they want
    if preferred:
        share = sum(s == 1.0 for s in preferred) / len(preferred)
        fit.score = (1 - PREFERRED_BONUS) * base + PREFERRED_BONUS * share * min(1.0, base / 0.8)
    else:
        fit.score = base
    fit.base = base
    return fit


# --- the other features: vectorised (one call scores a whole candidate pool; `score_pair` is one pair) ---


def experience_fit(years: FloatArray | float, required: FloatArray | float) -> FloatArray:
    """The share of the asked-for years the person has (1 when none are asked for)."""
    asked = np.asarray(required, dtype=np.float64)
    share = np.asarray(years, dtype=np.float64) / np.where(asked > 0, asked, 1.0)
    return np.where(asked > 0, np.clip(share, 0.0, 1.0), 1.0)


@dataclass(frozen=True)
class Trip:
    km: float
    crossings: int
    minutes: float


def trips(
    lon: FloatArray | float,
    lat: FloatArray | float,
    bank: IntArray | int,
    lons: FloatArray | float,
    lats: FloatArray | float,
    banks: IntArray | int,
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Straight-line km, river crossings and commute minutes of many trips (either end may be shared)."""
    km = haversine_vec(lon, lat, lons, lats)
    crossings = river_crossings(bank, banks)
    return km, crossings, commute_minutes(km, crossings)


def distance_score(minutes: FloatArray) -> FloatArray:
    """1 next door, 0.5 at ~30 minutes, ~0.14 at 90 minutes."""
    return np.exp(-np.maximum(0.0, np.asarray(minutes, dtype=np.float64) - 8.0) / 32.0)


def pay_fit(desired: FloatArray | float, salary_min: FloatArray | float, salary_max: FloatArray | float) -> FloatArray:
    """1 when the posting's range reaches the wish; falls with the shortfall; 0.5 when either is unknown.
    Salaries are floats with NaN for "not stated"; `desired` NaN or ≤ 0 means no wish."""
    low, high = np.asarray(salary_min, dtype=np.float64), np.asarray(salary_max, dtype=np.float64)
    top = np.where(np.isnan(high), low, high)
    want = np.asarray(desired, dtype=np.float64)
    wish = np.where(want > 0, want, 1.0)
    with np.errstate(invalid="ignore"):
        fit = np.where(top >= wish, 1.0, np.maximum(0.0, 1.0 - 2.0 * (wish - top) / wish))
        return np.where(np.isnan(top) | ~(want > 0), 0.5, fit)


def freshness(posted: FloatArray | float, today: dt.date) -> FloatArray:
    """Half-life of 30 days; undated postings (NaN ordinal) count as a month old."""
    ordinal = np.asarray(posted, dtype=np.float64)
    age = np.maximum(0.0, today.toordinal() - ordinal)
    return np.where(np.isnan(ordinal), 0.5, 0.5 ** (age / 30.0))


def date_ordinal(day: dt.date | None) -> float:
    return float("nan") if day is None else float(day.toordinal())


def or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def person_terms(person: PersonView) -> list[str]:
    """Words that stand for what the person can do: skills, and certificate names and aliases."""
    terms: list[str] = list(person.skills)
    cat = load_occupations()
    for c in person.certs:
        if c.occupation is not None:
            terms.append(cat.get(c.occupation).name)
    return list(dict.fromkeys(t.strip().lower() for t in terms if t and len(t.strip()) >= 2))


def term_overlap(terms: list[str], posting_text: str) -> tuple[float, list[str]]:
    """Share of the person's terms found in the posting text, and which ones."""
    if not terms:
        return 0.0, []
    hits = [t for t in terms if t in posting_text]
    return len(hits) / len(terms), hits
