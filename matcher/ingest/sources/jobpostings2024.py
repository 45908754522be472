"""Adapter for the real postings in ../shared/data/jobpostings_2024/jobs.csv.gz.

That file (36k postings seen on Chinese job sites, 2024-10 .. 2025-03; no stated licence) is read by
path for evaluation and realism checks and never copied into the repository. Only Chongqing rows map
onto the contract (the contract's districts are Chongqing's); other rows are counted as skipped.
Rows that say only "重庆" get the nearest district to their coordinates, if they have any.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

from matcher.catalogues.districts import load_districts
from matcher.domain.geo import haversine_km, in_chongqing
from matcher.ingest.importer import RowError

NO_EDUCATION = {"", "不限制", "不限", "学历不限"}


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def nearest_district(lon: float, lat: float) -> str:
    admin = load_districts().administrative
    return min(admin, key=lambda d: haversine_km(lon, lat, d.lon, d.lat)).name


def to_posting(row: dict[str, str]) -> dict | None:
    """One CSV row → a contract posting dict, or None if the row is not in Chongqing."""
    area = (row.get("地区") or "").strip()
    if not area.startswith("重庆"):
        return None
    lon, lat = _float(row.get("经度")), _float(row.get("纬度"))
    point_ok = lon is not None and lat is not None and in_chongqing(lon, lat)
    district = load_districts().find(area)
    if district is not None:
        district_name = district.name
    elif point_ok and lon is not None and lat is not None:  # (point_ok implies both; spelled out for mypy)
        district_name = nearest_district(lon, lat)
    else:
        district_name = area  # let validation report it: "重庆" alone names no district
    education = (row.get("学历") or "").strip()
    experience = _float(row.get("所需经验")) or 0.0
    salary_min, salary_max = _float(row.get("最低薪资")), _float(row.get("最高薪资"))
    posted = (row.get("首次发布时间") or "")[:10] or None
    skills = [s.strip() for s in (row.get("技能") or "").split(",") if s.strip()]
    benefits = (row.get("福利") or "").strip()
    description = (row.get("职位描述") or "").strip()
    if benefits:
        description = f"{description}\n福利：{benefits}" if description else f"福利：{benefits}"
    return {
        "id": row["职位自编号"].strip(),
        "title": (row.get("职位") or "").strip(),
        "employer": (row.get("公司") or "").strip(),
        "district": district_name,
        "address": (row.get("地址") or "").strip() or None,
        "lon": lon if point_ok else None,
        "lat": lat if point_ok else None,
        "description": description,
        "requirements": {
            "education": None if education in NO_EDUCATION else education,
            "min_experience_years": max(0.0, experience),
            "skills": skills,
        },
        "salary_min": int(salary_min) if salary_min is not None else None,
        "salary_max": int(salary_max) if salary_max is not None else None,
        "posted_at": posted,
        "status": "open",
    }


def read_jobpostings(path: Path) -> Iterator[tuple[int, dict | RowError | None]]:
    """(line, posting dict) for Chongqing rows, (line, None) for rows elsewhere (counted as skipped)."""
    opener = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115  (closed by the wrapper)
    with io.TextIOWrapper(opener, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            line = reader.line_num
            if not (row.get("职位自编号") or "").strip():
                yield line, RowError(path.name, line, "职位自编号", "缺少职位编号")
                continue
            yield line, to_posting(row)
