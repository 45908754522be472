"""Features of a (person, posting) pair: small pure functions, each explainable on its own.

The views here are what ranking may see. `PersonView` is built from a trainee's *profile* (store.profiles)
or an ad-hoc query, never from personal fields, so protected attributes cannot reach a feature.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.occupations import load_occupations
from matcher.geo import commute_minutes, haversine_km, river_crossings


@dataclass(frozen=True)
class Cert:
    occupation: str  # CSCO leaf code
    level: Level | None = None
    mandatory: bool = False  # only meaningful on a requirement
    issued_at: dt.date | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "Cert":
        issued = d.get("issued_at")
        return cls(d["occupation"], parse_level(d.get("level")), bool(d.get("mandatory", False)),
                   dt.date.fromisoformat(issued) if isinstance(issued, str) else issued)

    def label(self) -> str:
        name = load_occupations().get(self.occupation).name
        return f"{name}（{self.level.label}）" if self.level is not None else name


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
        return frozenset(c.occupation for c in self.certs)


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
    text: str = ""  # lower-cased title + description + skills, for term overlap
    industry: str | None = None
    exact_point: bool = False


# --- certificates -----------------------------------------------------------------------------------

@dataclass
class CertFit:
    score: float  # 0..1
    gate_ok: bool  # every mandatory (持证上岗) requirement is held at the required level
    matched: list[tuple[Cert, Cert]] = field(default_factory=list)  # (requirement, held)
    low_level: list[tuple[Cert, Cert]] = field(default_factory=list)  # held, but below the level
    related: list[tuple[Cert, Cert]] = field(default_factory=list)  # same 小类, other occupation
    missing: list[Cert] = field(default_factory=list)  # requirements not met at all


def _rank(level: Level | None) -> int:
    """No stated level counts as the bottom of the ladder (a requirement without level is met by any)."""
    return int(level) if level is not None else -1


def _minor(code: str) -> str:
    return code[:7]


def certificate_fit(held: tuple[Cert, ...], posting: PostingView) -> CertFit:
    """How the person's certificates meet the posting: same occupation at or above the level scores 1;
    lower level 0.5; a related occupation (same CSCO 小类) 0.3. Without certificate requirements, the
    posting's inferred occupation stands in (holding it: 0.8, related: 0.3)."""
    fit = CertFit(score=0.0, gate_ok=True)
    if not posting.certs:
        occs = {c.occupation for c in held}
        if occs & posting.occupations:
            fit.score = 0.8
        elif {_minor(o) for o in occs} & {_minor(o) for o in posting.occupations}:
            fit.score = 0.3
        return fit
    per_requirement = []
    for req in posting.certs:
        same = [h for h in held if h.occupation == req.occupation]
        good = [h for h in same if _rank(h.level) >= _rank(req.level)]
        if good:
            fit.matched.append((req, max(good, key=lambda h: _rank(h.level))))
            per_requirement.append(1.0)
            continue
        if req.mandatory:
            fit.gate_ok = False
        if same:
            fit.low_level.append((req, max(same, key=lambda h: _rank(h.level))))
            per_requirement.append(0.5)
            continue
        related = [h for h in held if _minor(h.occupation) == _minor(req.occupation)]
        if related:
            fit.related.append((req, related[0]))
            per_requirement.append(0.3)
        else:
            fit.missing.append(req)
            per_requirement.append(0.0)
    # One good match is what a posting usually asks for; reward the best, nudge by the rest.
    fit.score = 0.8 * max(per_requirement) + 0.2 * (sum(per_requirement) / len(per_requirement))
    return fit


# --- the other features ------------------------------------------------------------------------------

def experience_fit(years: float, required: float) -> float:
    if required <= 0:
        return 1.0
    return max(0.0, min(1.0, years / required))


@dataclass(frozen=True)
class Trip:
    km: float
    crossings: int
    minutes: float


def trip(person: PersonView, posting: PostingView) -> Trip:
    km = haversine_km(person.lon, person.lat, posting.lon, posting.lat)
    crossings = river_crossings(person.district, posting.district)
    return Trip(km, crossings, commute_minutes(km, crossings))


def distance_score(minutes: float) -> float:
    """1 next door, 0.5 at ~30 minutes, ~0.14 at 90 minutes."""
    return math.exp(-max(0.0, minutes - 8.0) / 32.0)


def pay_fit(desired: int | None, salary_min: int | None, salary_max: int | None) -> float:
    """1 when the posting's range reaches the wish; falls with the shortfall; 0.5 when unknown."""
    if desired is None or desired <= 0 or (salary_min is None and salary_max is None):
        return 0.5
    top = salary_max if salary_max is not None else salary_min
    if top >= desired:
        return 1.0
    return max(0.0, 1.0 - 2.0 * (desired - top) / desired)


def freshness(posted_at: dt.date | None, today: dt.date) -> float:
    """Half-life of 30 days; undated postings count as a month old."""
    if posted_at is None:
        return 0.5
    age = max(0, (today - posted_at).days)
    return 0.5 ** (age / 30.0)


def person_terms(person: PersonView) -> list[str]:
    """Words that stand for what the person can do: skills, and certificate names and aliases."""
    terms: list[str] = list(person.skills)
    cat = load_occupations()
    for c in person.certs:
        occ = cat.get(c.occupation)
        terms.append(occ.name)
    return list(dict.fromkeys(t.strip().lower() for t in terms if t and len(t.strip()) >= 2))


def term_overlap(terms: list[str], posting_text: str) -> tuple[float, list[str]]:
    """Share of the person's terms found in the posting text, and which ones."""
    if not terms:
        return 0.0, []
    hits = [t for t in terms if t in posting_text]
    return len(hits) / len(terms), hits
