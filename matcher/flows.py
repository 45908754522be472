"""Three of the four user flows: jobs for a trainee, skill gap → courses, candidates for a posting.

(The fourth, demand/supply and KPIs for the training office, is in matcher.analytics.)
Every result carries its per-feature contributions and Chinese reasons.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level
from matcher.catalogues.licences import SKILL
from matcher.catalogues.occupations import load_occupations
from matcher.engine import Engine
from matcher.features import Cert, PersonView, PostingView, certificate_fit, person_terms
from matcher.geo import haversine_km
from matcher.ranking import add_reasons, score_pair
from matcher.texts import trainee_text

CANDIDATE_DEPTH = 200  # how many hybrid-search hits feed the ranker, besides exact occupation matches
# Postings of an occupation the person holds also join the pool, but only the nearest ones: with
# distance weighted in the score, the 300 nearest of one occupation hold its best-ranked postings in
# all but rare cases, and scoring every one of thousands (100k postings) would cost ~1 s a query.
NEAREST_PER_OCCUPATION = 300


class FlowInputError(ValueError):
    """Bad flow input (unknown trainee, posting, occupation …); the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- building a person -----------------------------------------------------------------------------

def parse_cert_arg(text: str) -> dict:
    """'消防设施操作员:四级' → {occupation, level}; the level part is optional."""
    name, _, level = text.replace("：", ":").partition(":")
    return {"occupation": name.strip(), "level": level.strip() or None}


def adhoc_person(certs: list[str | dict], district: str, *, skills: list[str] | None = None, experience_years: float = 0,
                 desired_salary: int | None = None, lon: float | None = None, lat: float | None = None) -> PersonView:
    """A person from query parameters (no stored profile): validated like a trainee record."""
    from pydantic import ValidationError

    from matcher.ingest import format_loc
    from matcher.schema import Trainee
    from matcher.world import person_from_profile

    try:
        trainee = Trainee.model_validate({
            "id": "adhoc", "district": district,
            "certificates": [c if isinstance(c, dict) else parse_cert_arg(c) for c in certs],
            "skills": skills or [], "experience_years": experience_years, "desired_salary": desired_salary,
            "lon": lon, "lat": lat})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise FlowInputError(format_loc(err["loc"]), err["msg"].removeprefix("Value error, ")) from exc
    problems = [w for w in trainee.warnings() if not w[0].endswith(".number")]
    if problems:  # a typed-in query is strict: a stored record keeps what it cannot read, a query says so
        raise FlowInputError(*problems[0])
    return replace(person_from_profile(trainee.profile()), id=None)


def stored_person(engine: Engine, trainee_id: str) -> PersonView:
    person = engine.world.trainees.get(trainee_id)
    if person is None:
        raise FlowInputError("trainee", f"学员 {trainee_id} 不存在")
    return person


def _person_text(person: PersonView) -> str:
    return trainee_text({"certificates": [cert_summary(c) for c in person.certs], "skills": list(person.skills)})


def cert_summary(c: Cert) -> dict:
    """A certificate as results show it: its system, item/occupation, level and label."""
    return {"type": c.type, "occupation": c.occupation,
            "name": load_occupations().get(c.occupation).name if c.occupation else None, "item": c.item,
            "level": c.level.label if c.level else None, "mandatory": c.mandatory, "group": c.group,
            "label": c.label(), "recognised": c.recognised}


def _person_vector(engine: Engine, person: PersonView):  # type: ignore[no-untyped-def]
    if person.id is not None:
        vec = engine.stored_vector("trainees", person.id)
        if vec is not None:
            return vec
    return engine.encode_query(_person_text(person))


def _posting_summary(p: PostingView) -> dict:
    return {"id": p.id, "title": p.title, "employer": p.employer, "district": p.district,
            "salary_min": p.salary_min, "salary_max": p.salary_max, "shift": p.shift,
            "posted_at": p.posted_at.isoformat() if p.posted_at else None, "lon": p.lon, "lat": p.lat,
            "certificates": [cert_summary(c) for c in p.certs]}


# --- flow 1: jobs for a trainee ----------------------------------------------------------------------

@dataclass
class JobQuery:
    k: int = 20
    radius_km: float | None = None
    pay_floor: int | None = None
    shift: str | None = None
    districts: list[str] | None = None
    personalised: bool = True
    max_commute_minutes: float | None = None  # None: the configured maximum
    include_far: bool = False  # True: jobs beyond it are listed too, marked ✗ 需异地/住宿


def jobs_for(engine: Engine, person: PersonView, q: JobQuery | None = None) -> dict:
    """Open postings for a person, best first: 持证上岗 gate, then the weighted features."""
    q = q or JobQuery()
    world = engine.world
    allowed = world.filter_postings(center=(person.lon, person.lat), radius_km=q.radius_km, pay_floor=q.pay_floor,
                                    shift=q.shift, districts=q.districts)
    today = world.today
    if not q.personalised:
        return _non_personalised(engine, person, allowed, q, today)
    qvec = _person_vector(engine, person)
    text = _person_text(person)
    pool = {rid for rid, _ in engine.hybrid("postings", text, qvec, CANDIDATE_DEPTH, allow=allowed)} if allowed else set()
    for occ in person.occupations:
        same = world.by_occupation.get(occ, set()) & allowed
        pool |= world.nearest(same, person.lon, person.lat, NEAREST_PER_OCCUPATION)
    views, fits = [], {}
    clock = engine.settings.clock()
    lapsed: dict[Cert, int] = {}  # expired certificates that alone keep jobs closed
    for i in pool:
        v = world.postings.get(i)
        if v is not None:
            fit = certificate_fit(person.certs, v, clock)
            if fit.gate_ok:  # 持证上岗 is a hard filter
                views.append(v)
                fits[i] = fit
            elif fit.expired and not fit.missing and not fit.low_level and not fit.related:
                for _, held in fit.expired:
                    lapsed[held] = lapsed.get(held, 0) + 1
    sims = engine.similarities("postings", qvec, {v.id for v in views})
    terms = person_terms(person)
    weights = engine.settings.weights
    cap = q.max_commute_minutes if q.max_commute_minutes is not None else engine.settings.max_commute_minutes
    scored = [score_pair(person, v, sims.get(v.id, 0.0), weights, today, terms, fit=fits[v.id], with_reasons=False,
                         max_commute_minutes=cap)
              for v in views]
    beyond = sum(s.far for s in scored)
    if not q.include_far:
        scored = [s for s in scored if not s.far]
    scored.sort(key=lambda s: (-s.score, s.posting_id))
    top = [add_reasons(person, world.postings[s.posting_id], s, today) for s in scored[: q.k]]
    results = [{"posting": _posting_summary(world.postings[s.posting_id]), **s.as_dict()} for s in top]
    return {"personalised": True, "today": today.isoformat(), "considered": len(views),
            "filtered_in": len(allowed), "max_commute_minutes": cap, "beyond_commute": beyond,
            "notices": [f"证书已过期/需复审：{held.label()}"
                        f"{'（有效期至' + held.expires_at.isoformat() + '）' if held.expires_at else ''}，"
                        f"复审或换证后可申请另外 {n} 个岗位" for held, n in sorted(lapsed.items(), key=lambda kv: -kv[1])],
            "results": results}


def _non_personalised(engine: Engine, person: PersonView, allowed: set[str], q: JobQuery, today: dt.date) -> dict:
    """PIPL Art. 24: a ranking that does not use the profile — newest first, then pay."""
    views = sorted((engine.world.postings[i] for i in allowed),
                   key=lambda v: (-(v.posted_at or dt.date.min).toordinal(), -(v.salary_max or 0), v.id))
    results = []
    for v in views[: q.k]:
        km = haversine_km(person.lon, person.lat, v.lon, v.lat)
        results.append({"posting": _posting_summary(v), "score": None, "distance_km": round(km, 1),
                        "reasons": ["非个性化排序：按发布时间（新→旧）、薪资排序，未使用您的证书与画像",
                                    f"距离约{km:.1f}公里"], "missing": [], "contributions": {}})
    return {"personalised": False, "today": today.isoformat(), "considered": len(allowed),
            "filtered_in": len(allowed), "results": results}


# --- flow 2: skill gap → courses ---------------------------------------------------------------------

def qualifies(person_certs: tuple[Cert, ...], posting: PostingView, today: dt.date | None = None) -> bool:
    """A job the person qualifies for: every 持证上岗 requirement met by a valid certificate, or, without
    mandatory requirements, a certificate of the posting's occupation."""
    fit = certificate_fit(person_certs, posting, today)
    return fit.gate_ok and (fit.base >= 0.8 or (not posting.occupations and bool(fit.matched)))


def gap(engine: Engine, person: PersonView, *, target_occupation: str | None = None,
        target_posting: str | None = None, radius_km: float | None = None, courses_per_item: int = 3) -> dict:
    """What is missing for the target jobs, ranked by how many reachable open jobs it would unlock,
    the courses that close each gap, and the what-if count per course."""
    world, cat = engine.world, load_occupations()
    radius = radius_km if radius_km is not None else engine.settings.default_radius_km
    reachable = world.filter_postings(center=(person.lon, person.lat), radius_km=radius)
    if target_posting is not None:
        if target_posting not in world.postings:
            raise FlowInputError("target_posting", f"岗位 {target_posting} 不存在")
        targets = {target_posting}
        target_desc = f"岗位 {world.postings[target_posting].title}"
    elif target_occupation is not None:
        try:
            occ = cat.resolve(target_occupation)
        except LookupError as exc:
            raise FlowInputError("target_occupation", str(exc)) from exc
        targets = world.by_occupation.get(occ.code, set()) & reachable
        target_desc = f"{occ.name}（{radius:g}公里内）"
    else:
        targets = reachable
        target_desc = f"附近{radius:g}公里内的岗位"
    views = [world.postings[i] for i in targets]
    clock = engine.settings.clock()
    now_ok = {v.id for v in views if qualifies(person.certs, v, clock)}
    # Every certificate requirement the person does not meet, as a candidate to add; expired ones to renew.
    items: dict[tuple, Cert] = {}
    renew: dict[Cert, set[str]] = {}
    skill_counts: Counter[str] = Counter()
    have_skills = {s.lower() for s in person.skills}
    for v in views:
        if v.id in now_ok:
            continue
        fit = certificate_fit(person.certs, v, clock)
        for req, held in fit.expired:
            renew.setdefault(held, set()).add(v.id)
        for req in [*fit.missing, *(r for r, _ in fit.low_level), *(r for r, _ in fit.related)]:
            cert = replace(req, mandatory=False, group=None)
            items.setdefault((cert.type, cert.occupation, cert.item, cert.level), cert)
        if not any(r.mandatory for r in v.certs) and v.occupations:
            for occ in v.occupations:
                items.setdefault((SKILL, occ, None, None), Cert(occ, None))
        for s in v.skills:
            if s.lower() not in have_skills:
                skill_counts[s] += 1
    ranked_items = []
    for cert in items.values():
        unlocked = _unlocks(person, cert, views, now_ok, clock)
        if unlocked:
            ranked_items.append((len(unlocked), cert.label(), cert))
    ranked_items.sort(key=lambda x: (-x[0], x[1]))
    missing = []
    for held, jobs in sorted(renew.items(), key=lambda kv: (-len(kv[1]), kv[0].label())):
        missing.append({"type": "renewal", "certificate": cert_summary(held), "label": f"复审/换证：{held.label()}",
                        "expires_at": held.expires_at.isoformat() if held.expires_at else None,
                        "unlocks_jobs": len(jobs), "courses": []})
    for n, _, cert in ranked_items[:10]:
        courses = (_courses_for(engine, person, cert.occupation, cert.level if cert.type == SKILL else None, radius)
                   [:courses_per_item] if cert.occupation else [])
        missing.append({"type": "certificate", "certificate": cert_summary(cert), "occupation": cert.occupation,
                        "name": cat.get(cert.occupation).name if cert.occupation else None,
                        "level": cert.level.label if cert.level else None, "label": cert.label(), "unlocks_jobs": n,
                        "courses": courses})
    skills = [{"type": "skill", "skill": s, "in_jobs": n} for s, n in skill_counts.most_common(10)]
    return {"target": target_desc, "radius_km": radius, "target_jobs": len(views), "qualified_now": len(now_ok),
            "missing": missing, "missing_skills": skills}


def _with(person: PersonView, cert: Cert, skills: tuple[str, ...] = ()) -> PersonView:
    return replace(person, certs=(*person.certs, cert), skills=tuple(dict.fromkeys((*person.skills, *skills))))


def _unlocks(person: PersonView, cert: Cert, views: list[PostingView], now_ok: set[str], today: dt.date) -> set[str]:
    better = _with(person, cert)
    return {v.id for v in views if v.id not in now_ok and qualifies(better.certs, v, today)}


def _courses_for(engine: Engine, person: PersonView, occupation: str, level: Level | None, radius: float) -> list[dict]:
    """Courses that close a certificate gap: same occupation at or above the level; nearby, subsidised
    and soonest first; each with its what-if count."""
    world = engine.world
    found = [c for c in world.courses.values()
             if c.occupation == occupation and (level is None or (c.level is not None and c.level >= level))]
    today = world.today

    def key(c):  # type: ignore[no-untyped-def]
        km = haversine_km(person.lon, person.lat, c.lon, c.lat)
        near = 0 if c.district == person.district else (1 if km <= radius or c.format == "线上" else 2)
        start = c.start_date if c.start_date is not None and c.start_date >= today else dt.date.max
        return (near, not c.subsidised, start, c.id)

    reachable = world.filter_postings(center=(person.lon, person.lat), radius_km=radius)
    views = [world.postings[i] for i in reachable]
    clock = engine.settings.clock()
    before = sum(qualifies(person.certs, v, clock) for v in views)
    out = []
    for c in sorted(found, key=key)[:5]:
        after_person = _with(person, Cert(c.occupation, c.level), c.skills)
        after = sum(qualifies(after_person.certs, v, clock) for v in views)
        km = haversine_km(person.lon, person.lat, c.lon, c.lat)
        out.append({"id": c.id, "title": c.title, "provider": c.provider, "district": c.district,
                    "distance_km": round(km, 1), "format": c.format, "subsidised": c.subsidised,
                    "start_date": c.start_date.isoformat() if c.start_date else None, "hours": c.hours,
                    "level": c.level.label if c.level else None, "extra_jobs": after - before,
                    "what_if": f"完成“{c.title}”后：{radius:g}公里内可匹配岗位 +{after - before} 个"})
    return out


# --- flow 3: candidates for a posting ----------------------------------------------------------------


def posting_from_text(engine: Engine, text: str, district: str | None = None) -> PostingView:
    """A posting view from free job text (employer search without a stored posting)."""
    from matcher.world import posting_from_payload

    if not text.strip():
        raise FlowInputError("text", "岗位描述不能为空")
    try:
        d = load_districts().resolve(district) if district else None
    except LookupError as exc:
        raise FlowInputError("district", str(exc)) from exc
    inferred = [m.code for m in engine.normaliser.normalise(text, k=1) if m.score >= engine.world.infer_min_score]
    payload = {"id": "adhoc", "title": text[:50], "employer": "-", "district": d.name if d else "渝中区",
               "description": text, "status": "open"}
    return posting_from_payload(payload, inferred)


def as_seen_by_employer(person: PersonView) -> PersonView:
    """A trainee placed at their district's centre: everything an employer's request computes from a
    location — radius filter, distance feature, score, reasons — uses this, so no choice of posting points
    or radii can learn more than the district (PIPL Art. 28: location is sensitive)."""
    d = load_districts().resolve(person.district)
    return replace(person, lon=d.lon, lat=d.lat, exact_point=False)


def _km_from_district(posting: PostingView, person: PersonView) -> float:
    seen = as_seen_by_employer(person)
    return haversine_km(posting.lon, posting.lat, seen.lon, seen.lat)


def candidates_for(engine: Engine, posting: PostingView, *, k: int = 20, radius_km: float | None = None,
                   has_location: bool = True) -> dict:
    """Consenting trainees for a posting, ranked by the same features from the employer's side.
    Only ids and profile facts are returned here; the API adds masked contacts and the audit entry."""
    world = engine.world
    consenting = {i for i, m in world.trainee_meta.items() if m.consent}
    if radius_km is not None and has_location:
        consenting = {i for i in consenting
                      if _km_from_district(posting, world.trainees[i]) <= radius_km}
    text = " ".join([posting.title, " ".join(posting.skills),
                     " ".join(load_occupations().get(o).name for o in posting.occupations)])
    qvec = engine.stored_vector("postings", posting.id) if posting.id in world.postings else None
    if qvec is None:
        qvec = engine.encode_query(text)
    pool = {rid for rid, _ in engine.hybrid("trainees", text, qvec, CANDIDATE_DEPTH, allow=consenting)} if consenting else set()
    for occ in posting.occupations:
        pool |= world.trainees_by_occupation.get(occ, set()) & consenting
    people = [as_seen_by_employer(world.trainees[i]) for i in pool]
    clock = engine.settings.clock()
    fits = {p.id: certificate_fit(p.certs, posting, clock) for p in people}
    people = [p for p in people if fits[p.id].gate_ok]
    sims = engine.similarities("trainees", qvec, {p.id for p in people})  # type: ignore[misc]
    today = world.today
    scored = []
    for p in people:
        s = score_pair(p, posting, sims.get(p.id, 0.0), engine.settings.weights, today, fit=fits[p.id])  # type: ignore[arg-type]
        scored.append((s, p))
    scored.sort(key=lambda sp: (-sp[0].score, sp[1].id))
    results = []
    for s, p in scored[:k]:
        results.append({"trainee": {"id": p.id, "district": p.district,
                                    "certificates": [c.label() for c in p.certs], "skills": list(p.skills),
                                    "experience_years": p.experience_years},
                        **s.as_dict()})
    return {"posting": _posting_summary(posting), "consenting_pool": len(consenting), "considered": len(people),
            "results": results}

