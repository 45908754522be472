"""Flow 4, for trainers and the 人社 training office: unmet demand, shortage occupations, pipeline KPIs.

Definitions (also in the README):
- demand of (occupation, district): open postings whose primary occupation is that occupation there;
- supply: trainees holding that occupation's certificate at the posting's required level or above,
  living within `radius_km` of the district centre;
- unmet demand: demand − supply where positive; shortage ratio: demand / max(supply, 1), citywide;
- the pipeline KPIs (培训与产业匹配度, 培训总体就业率, 重点群体培训占比): `matcher.domain.kpis`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level
from matcher.catalogues.occupations import load_occupations
from matcher.domain.features import PostingView
from matcher.domain.geo import haversine_km
from matcher.domain.kpis import KPI_LABELS, pipeline_counts
from matcher.service.world import World


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
    rows: list[dict[str, Any]] = []
    for (occ, district), posts in demand.items():
        centre = districts.resolve(district)
        levels = [lv for p in posts if (lv := _required_level(p, occ)) is not None]
        level = min(levels) if levels else None
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
    shortage: list[dict[str, Any]] = []
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
    jobs: Counter[str] = Counter(
        occ for p in world.postings.values() if p.is_open and (occ := primary_occupation(p)) is not None
    )
    seats: Counter[str] = Counter()
    for c in world.courses.values():
        seats[c.occupation] += c.seats or 0
    rows: list[dict[str, Any]] = [
        {
            "occupation": occ,
            "name": cat.get(occ).name,
            "open_jobs": n,
            "course_seats": seats.get(occ, 0),
            "certified_trainees": len(world.trainees_by_occupation.get(occ, set())),
        }
        for occ, n in jobs.items()
    ]
    rows.sort(key=lambda r: (-(r["open_jobs"] - r["course_seats"] - r["certified_trainees"]), r["occupation"]))
    return rows


def kpis(world: World, training_records: list[dict], placements: list[dict]) -> dict:
    """The seed KPIs (`matcher.domain.kpis` has the definitions) with the targets the city steers by."""
    courses = {cid: c.occupation for cid, c in world.courses.items()}

    def in_priority_group(trainee_id: str) -> bool:
        meta = world.trainee_meta.get(trainee_id)
        return meta is not None and bool(meta.priority_group)

    counts = pipeline_counts(training_records, placements, courses, in_priority_group)
    values = counts.ratios()
    out: dict = {}
    for key, (label, target) in KPI_LABELS.items():
        if target is None:
            continue
        value = values[key]
        out[key] = {
            "label": label,
            "value": value,
            "target": target,
            "meets_target": value is not None and value >= target,
        }
    out["counts"] = {
        "training_records": counts.training_records,
        "completed_trainees": counts.completed_trainees,
        "placed_trainees": counts.placed_trainees,
    }
    return out
