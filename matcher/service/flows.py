"""Three of the four user flows: jobs for a trainee, skill gap → courses, candidates for a posting.

(The fourth, demand/supply and KPIs for the training office, is in matcher.service.analytics.)
Every result carries its per-feature contributions and Chinese reasons.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import numpy as np

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level
from matcher.catalogues.licences import SKILL
from matcher.catalogues.occupations import load_occupations
from matcher.config import RankingWeights
from matcher.domain.errors import InvalidInput
from matcher.domain.features import Cert, PersonView, PostingView, certificate_fit, person_terms
from matcher.domain.geo import haversine_km
from matcher.domain.ranking import add_reasons, score_pair
from matcher.domain.scoring import score_people, score_postings, top_first
from matcher.domain.texts import trainee_text
from matcher.service.engine import Engine
from matcher.service.retrieval import Retriever
from matcher.service.world import World

CANDIDATE_DEPTH = 200  # how many hybrid-search hits feed the ranker, besides exact occupation matches


# --- building a person -----------------------------------------------------------------------------


def parse_cert_arg(text: str) -> dict:
    """'消防设施操作员:四级' → {occupation, level}; the level part is optional."""
    name, _, level = text.replace("：", ":").partition(":")
    return {"occupation": name.strip(), "level": level.strip() or None}


def adhoc_person(
    certs: Sequence[str | dict],
    district: str,
    *,
    skills: list[str] | None = None,
    experience_years: float = 0,
    desired_salary: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> PersonView:
    """A person from query parameters (no stored profile): validated like a trainee record."""
    from pydantic import ValidationError

    from matcher.domain.schema import Trainee
    from matcher.ingest.importer import format_loc
    from matcher.service.world import person_from_profile

    try:
        trainee = Trainee.model_validate(
            {
                "id": "adhoc",
                "district": district,
                "certificates": [c if isinstance(c, dict) else parse_cert_arg(c) for c in certs],
                "skills": skills or [],
                "experience_years": experience_years,
                "desired_salary": desired_salary,
                "lon": lon,
                "lat": lat,
            }
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInput(format_loc(err["loc"]), err["msg"].removeprefix("Value error, ")) from exc
    problems = [w for w in trainee.warnings() if not w[0].endswith(".number")]
    if problems:  # a typed-in query is strict: a stored record keeps what it cannot read, a query says so
        raise InvalidInput(*problems[0])
    return replace(person_from_profile(trainee.profile()), id=None)


def stored_person(engine: Engine, trainee_id: str) -> PersonView:
    person = engine.world.trainees.get(trainee_id)
    if person is None:
        raise InvalidInput("trainee", f"学员 {trainee_id} 不存在")
    return person


def person_text(person: PersonView) -> str:
    """The text a person is searched by (certificates with levels + skills), stored or typed in alike."""
    return trainee_text({"certificates": [cert_summary(c) for c in person.certs], "skills": list(person.skills)})


def cert_summary(c: Cert) -> dict:
    """A certificate as results show it: its system, item/occupation, level and label."""
    return {
        "type": c.type,
        "occupation": c.occupation,
        "name": load_occupations().get(c.occupation).name if c.occupation else None,
        "item": c.item,
        "level": c.level.label if c.level else None,
        "mandatory": c.mandatory,
        "group": c.group,
        "label": c.label(),
        "recognised": c.recognised,
    }


def _posting_summary(p: PostingView) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "employer": p.employer,
        "district": p.district,
        "salary_min": p.salary_min,
        "salary_max": p.salary_max,
        "shift": p.shift,
        "posted_at": p.posted_at.isoformat() if p.posted_at else None,
        "lon": p.lon,
        "lat": p.lat,
        "certificates": [cert_summary(c) for c in p.certs],
    }


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
    """Open postings for a person, best first (the API's and CLI's entry: `rank_jobs` on the engine's
    world and retriever, with the person's vector by the one rule of `Engine.encode_query`)."""
    q = q or JobQuery()
    vector = engine.encode_query(person_text(person)) if q.personalised else None
    return rank_jobs(
        engine.world,
        engine.retriever,
        person,
        vector,
        q,
        weights=engine.settings.weights,
        clock=engine.settings.clock(),
        max_commute_minutes=engine.settings.max_commute_minutes,
    )


def rank_jobs(
    world: World,
    retriever: Retriever,
    person: PersonView,
    vector: np.ndarray | None,
    q: JobQuery,
    *,
    weights: RankingWeights,
    clock: dt.date,
    max_commute_minutes: float,
    exhaustive: bool = False,
) -> dict:
    """The ranking: 持证上岗 gate, then one weighted sum of the features — the code the API, the CLI and
    the evaluation all run.

    Candidates: the hybrid (dense + BM25) top CANDIDATE_DEPTH among the filtered postings, plus every
    filtered posting of an occupation the person holds (scored exactly, vectorised — no nearest-N cap).
    `exhaustive=True` scores every filtered posting instead: how `eval.bench_ranker` measures what the
    candidate pool misses."""
    today = world.today
    if not q.personalised or vector is None:
        return _non_personalised(world, person, q, today)
    allowed = world.filter_postings(
        center=(person.lon, person.lat),
        radius_km=q.radius_km,
        pay_floor=q.pay_floor,
        shift=q.shift,
        districts=q.districts,
    )
    text = person_text(person)
    if exhaustive:
        pool = set(allowed)
    else:
        pool = (
            {rid for rid, _ in retriever.hybrid("postings", text, vector, CANDIDATE_DEPTH, allow=allowed)}
            if allowed
            else set()
        )
        for occ in person.occupations:
            pool |= world.by_occupation.get(occ, set()) & allowed
    columns = world.posting_columns()
    ids = list(pool & columns["row"].keys())
    terms = person_terms(person)
    semantic = retriever.similarities("postings", vector, ids)
    cap = q.max_commute_minutes if q.max_commute_minutes is not None else max_commute_minutes
    scored, failed = score_postings(person, columns, ids, semantic, terms, weights, today, clock, cap)
    lapsed: Counter[Cert] = Counter()  # expired certificates that alone keep jobs closed
    for fit in failed:
        if fit.expired and not fit.missing and not fit.low_level and not fit.related:
            lapsed.update(held for _, held in fit.expired)
    beyond = int(scored.far.sum())
    shown = scored if q.include_far else scored.take(np.flatnonzero(~scored.far))
    views = world.postings
    results = []
    for i in range(min(q.k, len(shown))):
        view = views[shown.ids[i]]
        s = add_reasons(person, view, shown.scored(i, weights, terms, view.text, cap), today)
        results.append({"posting": _posting_summary(view), **s.as_dict()})
    return {
        "personalised": True,
        "today": today.isoformat(),
        "considered": len(scored),
        "filtered_in": len(allowed),
        "max_commute_minutes": cap,
        "beyond_commute": beyond,
        "notices": [
            f"证书已过期/需复审：{held.label()}"
            f"{'（有效期至' + held.expires_at.isoformat() + '）' if held.expires_at else ''}，"
            f"复审或换证后可申请另外 {n} 个岗位"
            for held, n in sorted(lapsed.items(), key=lambda kv: -kv[1])
        ],
        "results": results,
    }


def _non_personalised(world: World, person: PersonView, q: JobQuery, today: dt.date) -> dict:
    """PIPL Art. 24: a ranking that does not use the profile — newest first, then pay, then id."""
    columns, rows = world.filter_rows(
        center=(person.lon, person.lat),
        radius_km=q.radius_km,
        pay_floor=q.pay_floor,
        shift=q.shift,
        districts=q.districts,
    )
    posted = np.nan_to_num(columns["posted"][rows], nan=dt.date.min.toordinal())
    pay = np.clip(np.nan_to_num(columns["salary_max"][rows], nan=0.0), 0, 9_999_999)
    ids = columns["ids"]
    order = rows[top_first(lambda i: ids[rows[i]], posted * 1e7 + pay, q.k)]  # exact in float64
    results = []
    for v in columns["view"][order].tolist():
        km = haversine_km(person.lon, person.lat, v.lon, v.lat)
        results.append(
            {
                "posting": _posting_summary(v),
                "score": None,
                "distance_km": round(km, 1),
                "reasons": ["非个性化排序：按发布时间（新→旧）、薪资排序，未使用您的证书与画像", f"距离约{km:.1f}公里"],
                "missing": [],
                "contributions": {},
            }
        )
    return {
        "personalised": False,
        "today": today.isoformat(),
        "considered": len(rows),
        "filtered_in": len(rows),
        "results": results,
    }


# --- flow 2: skill gap → courses ---------------------------------------------------------------------


def qualifies(person_certs: tuple[Cert, ...], posting: PostingView, today: dt.date | None = None) -> bool:
    """A job the person qualifies for: every 持证上岗 requirement met by a valid certificate, or, without
    mandatory requirements, a certificate of the posting's occupation."""
    fit = certificate_fit(person_certs, posting, today)
    return fit.gate_ok and (fit.base >= 0.8 or (not posting.occupations and bool(fit.matched)))


def gap(
    engine: Engine,
    person: PersonView,
    *,
    target_occupation: str | None = None,
    target_posting: str | None = None,
    radius_km: float | None = None,
    courses_per_item: int = 3,
) -> dict:
    """What is missing for the target jobs, ranked by how many reachable open jobs it would unlock,
    the courses that close each gap, and the what-if count per course."""
    world, cat = engine.world, load_occupations()
    radius = radius_km if radius_km is not None else engine.settings.default_radius_km
    reachable = world.filter_postings(center=(person.lon, person.lat), radius_km=radius)
    if target_posting is not None:
        if target_posting not in world.postings:
            raise InvalidInput("target_posting", f"岗位 {target_posting} 不存在")
        targets: AbstractSet[str] = {target_posting}
        target_desc = f"岗位 {world.postings[target_posting].title}"
    elif target_occupation is not None:
        try:
            occ = cat.resolve(target_occupation)
        except LookupError as exc:
            raise InvalidInput("target_occupation", str(exc)) from exc
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
        for _req, held in fit.expired:
            renew.setdefault(held, set()).add(v.id)
        for req in [*fit.missing, *(r for r, _ in fit.low_level), *(r for r, _ in fit.related)]:
            cert = replace(req, mandatory=False, group=None)
            items.setdefault((cert.type, cert.occupation, cert.item, cert.level), cert)
        if not any(r.mandatory for r in v.certs) and v.occupations:
            for code in v.occupations:
                items.setdefault((SKILL, code, None, None), Cert(code, None))
        for s in v.skills:
            if s.lower() not in have_skills:
                skill_counts[s] += 1
    ranked_items = []
    for cert in items.values():
        unlocked = _unlocks(person, cert, views, now_ok, clock)
        if unlocked:
            ranked_items.append((len(unlocked), cert.label(), cert))
    ranked_items.sort(key=lambda x: (-x[0], x[1]))
    missing: list[dict] = []
    for held, jobs in sorted(renew.items(), key=lambda kv: (-len(kv[1]), kv[0].label())):
        missing.append(
            {
                "type": "renewal",
                "certificate": cert_summary(held),
                "label": f"复审/换证：{held.label()}",
                "expires_at": held.expires_at.isoformat() if held.expires_at else None,
                "unlocks_jobs": len(jobs),
                "courses": [],
            }
        )
    for n, _, cert in ranked_items[:10]:
        courses = (
            _courses_for(engine, person, cert.occupation, cert.level if cert.type == SKILL else None, radius)[
                :courses_per_item
            ]
            if cert.occupation
            else []
        )
        missing.append(
            {
                "type": "certificate",
                "certificate": cert_summary(cert),
                "occupation": cert.occupation,
                "name": cat.get(cert.occupation).name if cert.occupation else None,
                "level": cert.level.label if cert.level else None,
                "label": cert.label(),
                "unlocks_jobs": n,
                "courses": courses,
            }
        )
    skills = [{"type": "skill", "skill": s, "in_jobs": n} for s, n in skill_counts.most_common(10)]
    return {
        "target": target_desc,
        "radius_km": radius,
        "target_jobs": len(views),
        "qualified_now": len(now_ok),
        "missing": missing,
        "missing_skills": skills,
    }


def _with(person: PersonView, cert: Cert, skills: tuple[str, ...] = ()) -> PersonView:
    return replace(person, certs=(*person.certs, cert), skills=tuple(dict.fromkeys((*person.skills, *skills))))


def _unlocks(person: PersonView, cert: Cert, views: list[PostingView], now_ok: set[str], today: dt.date) -> set[str]:
    better = _with(person, cert)
    return {v.id for v in views if v.id not in now_ok and qualifies(better.certs, v, today)}


def _courses_for(engine: Engine, person: PersonView, occupation: str, level: Level | None, radius: float) -> list[dict]:
    """Courses that close a certificate gap: same occupation at or above the level; nearby, subsidised
    and soonest first; each with its what-if count."""
    world = engine.world
    found = [
        c
        for c in world.courses.values()
        if c.occupation == occupation and (level is None or (c.level is not None and c.level >= level))
    ]
    today = world.today

    def key(c):
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
        out.append(
            {
                "id": c.id,
                "title": c.title,
                "provider": c.provider,
                "district": c.district,
                "distance_km": round(km, 1),
                "format": c.format,
                "subsidised": c.subsidised,
                "start_date": c.start_date.isoformat() if c.start_date else None,
                "hours": c.hours,
                "level": c.level.label if c.level else None,
                "extra_jobs": after - before,
                "what_if": f"完成“{c.title}”后：{radius:g}公里内可匹配岗位 +{after - before} 个",
            }
        )
    return out


# --- flow 3: candidates for a posting ----------------------------------------------------------------


def posting_from_text(engine: Engine, text: str, district: str | None = None) -> PostingView:
    """A posting view from free job text (employer search without a stored posting)."""
    from matcher.service.world import posting_from_payload

    if not text.strip():
        raise InvalidInput("text", "岗位描述不能为空")
    try:
        d = load_districts().resolve(district) if district else None
    except LookupError as exc:
        raise InvalidInput("district", str(exc)) from exc
    inferred = [m.code for m in engine.normaliser.normalise(text, k=1) if m.score >= engine.world.infer_min_score]
    payload = {
        "id": "adhoc",
        "title": text[:50],
        "employer": "-",
        "district": d.name if d else "渝中区",
        "description": text,
        "status": "open",
    }
    return posting_from_payload(payload, inferred)


def as_seen_by_employer(person: PersonView) -> PersonView:
    """A trainee placed at their district's centre: everything an employer's request computes from a
    location — radius filter, distance feature, score, reasons — uses this, so no choice of posting points
    or radii can learn more than the district (PIPL Art. 28: location is sensitive)."""
    d = load_districts().resolve(person.district)
    return replace(person, lon=d.lon, lat=d.lat, exact_point=False)


def posting_search_text(posting: PostingView) -> str:
    """The text an employer's posting searches trainees by: title, skills and occupation names."""
    return " ".join(
        [posting.title, " ".join(posting.skills), " ".join(load_occupations().get(o).name for o in posting.occupations)]
    )


def candidate_fit(engine: Engine, posting: PostingView, person: PersonView) -> dict:
    """One candidate's fit for a posting, as `candidates_for` scores it (shown even when the gate fails)."""
    seen = as_seen_by_employer(person)
    sim = engine.retriever.similarities(
        "trainees", engine.encode_query(posting_search_text(posting)), [person.id or ""]
    )
    s = score_pair(
        seen,
        posting,
        float(sim[0]),
        engine.settings.weights,
        engine.world.today,
        fit=certificate_fit(seen.certs, posting, engine.settings.clock()),
    )
    return {
        "trainee": {
            "id": person.id,
            "district": person.district,
            "certificates": [c.label() for c in person.certs],
            "skills": list(person.skills),
            "experience_years": person.experience_years,
        },
        **s.as_dict(),
    }


def candidates_for(
    engine: Engine, posting: PostingView, *, k: int = 20, radius_km: float | None = None, has_location: bool = True
) -> dict:
    """Consenting trainees for a posting, ranked by the same features from the employer's side.
    Only ids and profile facts are returned here; the API adds masked contacts and the audit entry."""
    world = engine.world
    by_district = world.consenting_by_district()
    if radius_km is not None and has_location:  # on district centres: the employer learns nothing finer
        centres = load_districts()
        by_district = {
            d: ids
            for d, ids in by_district.items()
            if haversine_km(posting.lon, posting.lat, centres.resolve(d).lon, centres.resolve(d).lat) <= radius_km
        }
    consenting: frozenset[str] = frozenset().union(*by_district.values())
    text = posting_search_text(posting)
    qvec = engine.encode_query(text)  # the searching side query-encoded, as for a person (Engine.encode_query)
    pool = (
        {rid for rid, _ in engine.retriever.hybrid("trainees", text, qvec, CANDIDATE_DEPTH, allow=consenting)}
        if consenting
        else set()
    )
    for occ in posting.occupations:
        pool |= world.trainees_by_occupation.get(occ, set()) & consenting
    ids = list(pool)
    people = [as_seen_by_employer(world.trainees[i]) for i in ids]
    today = world.today
    weights = engine.settings.weights
    scored = score_people(
        people,
        posting,
        engine.retriever.similarities("trainees", qvec, ids),
        weights,
        today,
        engine.settings.clock(),
    )
    results = []
    for i in range(min(k, len(scored))):
        p = world.trainees[scored.ids[i]]
        seen = as_seen_by_employer(p)
        s = add_reasons(seen, posting, scored.scored(i, weights, person_terms(seen), posting.text, None), today)
        results.append(
            {
                "trainee": {
                    "id": p.id,
                    "district": p.district,
                    "certificates": [c.label() for c in p.certs],
                    "skills": list(p.skills),
                    "experience_years": p.experience_years,
                },
                **s.as_dict(),
            }
        )
    return {
        "posting": _posting_summary(posting),
        "consenting_pool": len(consenting),
        "considered": len(scored),
        "results": results,
    }
