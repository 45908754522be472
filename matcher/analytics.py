"""Flow 4, for trainers and the 人社 training office: unmet demand, shortage occupations, pipeline KPIs.

Definitions (also in the README):
- demand of (occupation, district): open postings whose primary occupation is that occupation there;
- supply: trainees holding that occupation's certificate at the posting's required level or above,
  living within `radius_km` of the district centre;
- unmet demand: demand − supply where positive; shortage ratio: demand / max(supply, 1), citywide;
- 培训与产业匹配度: share of training records whose course occupation has open demand in the city;
- 培训总体就业率: share of trainees who completed training and were then placed;
- 重点群体培训占比: share of training records whose trainee belongs to a priority group.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level
from matcher.catalogues.occupations import load_occupations
from matcher.features import PostingView
from matcher.geo import haversine_km
from matcher.world import World

SEED_TARGETS = {"training_industry_match": 0.80, "employment_rate": 0.60, "priority_group_share": 0.60}


def primary_occupation(p: PostingView) -> str | None:
    """The occupation a posting is counted under: its first required certificate, else the inferred one."""
    stated = [c.occupation for c in p.certs if c.occupation is not None]
    if stated:
        return stated[0]
    return min(p.occupations) if p.occupations else None


def _required_level(p: PostingView, occupation: str) -> Level | None:
    levels = [c.level for c in p.certs if c.occupation == occupation and c.level is not None]
    return min(levels) if levels else None


def demand_supply(world: World, radius_km: float = 30.0, top: int = 50) -> dict:
    """Unmet demand by occupation × district and the citywide shortage occupations."""
    cat, districts = load_occupations(), load_districts()
    demand: dict[tuple[str, str], list[PostingView]] = defaultdict(list)
    for p in world.postings.values():
        occ = primary_occupation(p)
        if p.is_open and occ is not None:
            demand[(occ, p.district)].append(p)
    rows = []
    for (occ, district), posts in demand.items():
        centre = districts.resolve(district)
        level = min((_required_level(p, occ) for p in posts if _required_level(p, occ) is not None), default=None)
        supply = 0
        for tid in world.trainees_by_occupation.get(occ, set()):
            t = world.trainees[tid]
            if haversine_km(centre.lon, centre.lat, t.lon, t.lat) > radius_km:
                continue
            held = [c.level for c in t.certs if c.occupation == occ]
            if level is None or any(h is not None and h >= level for h in held):
                supply += 1
        rows.append(
            {
                "occupation": occ,
                "name": cat.get(occ).name,
                "district": district,
                "open_jobs": len(posts),
                "qualified_nearby": supply,
                "unmet": max(0, len(posts) - supply),
                "min_level": level.label if level else None,
            }
        )
    rows.sort(key=lambda r: (-r["unmet"], -r["open_jobs"], r["occupation"], r["district"]))
    by_occ_demand: Counter[str] = Counter()
    for (occ, _d), posts in demand.items():
        by_occ_demand[occ] += len(posts)
    shortage = []
    for occ, n in by_occ_demand.items():
        holders = len(world.trainees_by_occupation.get(occ, set()))
        shortage.append(
            {
                "occupation": occ,
                "name": cat.get(occ).name,
                "open_jobs": n,
                "certified_trainees": holders,
                "ratio": round(n / max(holders, 1), 2),
            }
        )
    shortage.sort(key=lambda r: (-r["ratio"], -r["open_jobs"], r["occupation"]))
    return {
        "radius_km": radius_km,
        "unmet": [r for r in rows if r["unmet"] > 0][:top],
        "shortage": shortage[:top],
        "total_open_jobs": sum(by_occ_demand.values()),
    }


def course_demand(world: World) -> list[dict]:
    """Per occupation: open jobs, certified trainees and course seats — where to open courses."""
    cat = load_occupations()
    jobs: Counter[str] = Counter(primary_occupation(p) for p in world.postings.values() if p.is_open)
    seats: Counter[str] = Counter()
    for c in world.courses.values():
        seats[c.occupation] += c.seats or 0
    rows = [
        {
            "occupation": occ,
            "name": cat.get(occ).name,
            "open_jobs": n,
            "course_seats": seats.get(occ, 0),
            "certified_trainees": len(world.trainees_by_occupation.get(occ, set())),
        }
        for occ, n in jobs.items()
        if occ is not None
    ]
    rows.sort(key=lambda r: (-(r["open_jobs"] - r["course_seats"] - r["certified_trainees"]), r["occupation"]))
    return rows


def kpis(world: World, training_records: list[dict], placements: list[dict]) -> dict:
    """The seed KPIs computed from the data, with the targets the city steers by."""
    courses = world.courses
    demanded = {primary_occupation(p) for p in world.postings.values() if p.is_open}
    with_course = [r for r in training_records if r["course_id"] in courses]
    matched = sum(courses[r["course_id"]].occupation in demanded for r in with_course)
    completed = {r["trainee_id"] for r in training_records if r.get("completed")}
    placed = {p["trainee_id"] for p in placements}
    priority = sum(
        1 for r in training_records if (m := world.trainee_meta.get(r["trainee_id"])) is not None and m.priority_group
    )

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    values = {
        "training_industry_match": share(matched, len(with_course)),
        "employment_rate": share(len(completed & placed), len(completed)),
        "priority_group_share": share(priority, len(training_records)),
    }
    labels = {
        "training_industry_match": "培训与产业匹配度",
        "employment_rate": "培训总体就业率",
        "priority_group_share": "重点群体培训占比",
    }
    return {
        key: {
            "label": labels[key],
            "value": values[key],
            "target": SEED_TARGETS[key],
            "meets_target": values[key] is not None and values[key] >= SEED_TARGETS[key],
        }
        for key in values
    } | {
        "counts": {
            "training_records": len(training_records),
            "completed_trainees": len(completed),
            "placed_trainees": len(placed & completed),
        }
    }
