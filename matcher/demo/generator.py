"""A deterministic, seeded, honestly SYNTHETIC "demo world" for Chongqing.

Why: the product needs realistic volumes of postings, trainees, courses and pipeline records to demo,
test and evaluate matching, skill-gap advice and the 人社 KPIs, and no real personal data may be used.
Everything here is generated from the real catalogues (CSCO 2022 occupations with their tasks text, the
38 districts + 3 functional zones with coordinates, the "33618" target industries) plus hand-written
tables of plausible proportions (below). Every person, phone number, ID number, employer, training provider
and posting is invented; the README written next to the data says so.

Determinism: one `random.Random(seed)` drives everything, in a fixed order; no global random state, no
clock (dates are relative to REFERENCE_DATE), no set iteration. Same seed and scale → byte-identical files.

Shape of the world (scale 1.0): ~1,000 employers, ~5,000 postings, ~3,000 trainees, ~60 training providers
running ~300 courses, ~4,000 training records and ~2,000 placements. Proportions are chosen so that the
KPIs the city steers by (重点群体培训占比 ≥ 60%, 培训总体就业率 ≥ 60%, 培训与产业匹配度 ≈ 80%) come out plausible,
and so that training supply is deliberately imperfect (some demanded occupations have no course).

A course is a recurring programme: its `start_date` is the next intake (within 120 days of the reference
date); a training record carries the start date of the past intake the trainee attended.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from matcher.catalogues import read_catalogue_csv
from matcher.catalogues.districts import District, load_districts
from matcher.catalogues.industries import Industry, industries_for_occupation, load_industries
from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.occupations import Occupation, load_occupations
from matcher.demo.tables import (
    ALWAYS_TRAINED,
    BENEFITS,
    BIRTH_YEARS,
    BUSINESS,
    CARE_SOFT,
    CONSENT_SHARE,
    COURSE_BIAS,
    COURSE_LEVEL_WEIGHTS,
    COURSE_SUFFIXES,
    CROSS_TRADE,
    DEFAULT_COURSE_BIAS,
    DEFAULT_PAY,
    DISCRIMINATORY_PHRASES,
    DISCRIMINATORY_SHARE,
    EDUCATION,
    EMPLOYER_SHARE,
    ENTRY_JOBS,
    ETHNIC_MIX,
    EXTRA_REQUIREMENTS,
    FEMALE_SHARE,
    GENERIC_FACTORY_JOBS,
    GENERIC_SKILLS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    GROUP_SHARE,
    HOTSPOTS,
    LEVEL_PAY,
    LEVELS,
    MAIN_URBAN,
    MANDATORY,
    MANUFACTURING_BASE,
    MIN_EXPERIENCE,
    NEUTRAL_PHRASE,
    NEW_STAR_SHARE,
    NONTARGET_COURSE_SHARE,
    NONTARGET_TRACK_SHARE,
    OFFICE_PREFIXES,
    ORG_SUFFIX,
    OTHER_INDUSTRIES,
    PAY_BANDS,
    PERMIT_ONLY,
    PHONE_PREFIXES,
    POPULATION,
    POSTING_LEVEL_WEIGHTS,
    PRIORITY_SHARE,
    PROVIDER_KINDS,
    REAL_BRANDS,
    ROAD_WORDS,
    SECONDARY_CERT,
    SERVICE_BASED,
    SHIFTS,
    SKILLS,
    SOFT_REQUIREMENTS,
    SURNAMES,
    TITLE_NAMES,
    TRADE_NAME_A,
    TRADE_NAME_B,
    UNMET_SHARE,
)
from matcher.domain.geo import haversine_km, in_chongqing
from matcher.domain.kpis import KPI_LABELS, pipeline_counts

REFERENCE_DATE = dt.date(2025, 11, 19)  # "today" of the demo world (date of seed 004)
DEFAULT_SEED = 20251119
BASE_COUNTS = {"employers": 1000, "postings": 5000, "trainees": 3000, "providers": 60, "courses": 300}
FILES = ("postings", "trainees", "courses", "training_records", "placements")


# ================================================================================================
# Small helpers
# ================================================================================================


def _pick(rng: random.Random, weighted):
    """One item from a sequence of (item, weight) pairs."""
    items, weights = zip(*weighted, strict=False)
    return rng.choices(items, weights=weights)[0]


def _scaled(n: int, scale: float, minimum: int) -> int:
    return max(minimum, round(n * scale))


def _short(d: District) -> str:
    """'璧山区' → '璧山', '石柱土家族自治县' → '石柱', '两江新区' → '两江'."""
    special = {"两江新区": "两江", "高新区": "高新", "万盛经开区": "万盛", "忠县": "忠县"}
    if d.name in special:
        return special[d.name]
    return re.sub(r"(土家族苗族|苗族土家族|土家族)?自治县$|区$|县$", "", d.name)


def _point_near(rng: random.Random, lon0: float, lat0: float, spread: float) -> tuple[float, float]:
    """A point jittered around (lon0, lat0) by about `spread` degrees, kept inside Chongqing's bounding box."""
    for _ in range(30):
        lon = lon0 + rng.gauss(0, spread)
        lat = lat0 + rng.gauss(0, spread * 0.85)
        if abs(lon - lon0) <= 3 * spread and abs(lat - lat0) <= 3 * spread and in_chongqing(lon, lat):
            return round(lon, 6), round(lat, 6)
    return round(lon0, 6), round(lat0, 6)


def _spread(d: District) -> float:
    return 0.025 if d.name in MAIN_URBAN else 0.05


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))


def _round_to(x: float, step: int) -> int:
    return int(round(x / step) * step)


def id_checksum(body17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits of an ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=False)) % 11]


def _compact(d: dict) -> dict:
    """Drop None values (top level and inside lists of dicts) so the files stay lean."""
    out = {}
    for k, v in d.items():
        if v is None:
            continue
        if isinstance(v, list):
            v = [_compact(x) if isinstance(x, dict) else x for x in v]
        elif isinstance(v, dict):
            v = _compact(v)
        out[k] = v
    return out


def _gongzhong() -> dict[str, list[str]]:
    """CSCO code → everyday 工种 names from data/gongzhong.csv."""

    out: dict[str, list[str]] = {}
    for row in read_catalogue_csv("gongzhong.csv"):
        out.setdefault(row["code"], []).append(row["gongzhong"])
    return out


def _job_kind(code: str) -> str:
    if code in ENTRY_JOBS:
        return "entry"
    if code.startswith(OFFICE_PREFIXES):
        return "office"
    return "trade"


# ================================================================================================
# The world
# ================================================================================================


@dataclass
class Employer:
    name: str
    district: District
    industry: Industry
    occupations: tuple[str, ...]
    lon: float
    lat: float
    address: str
    size: float
    manufacturing: bool


@dataclass
class Provider:
    name: str
    kind: str
    district: District
    employer: Employer | None = None


@dataclass
class _CourseInfo:
    row: dict
    level: Level
    district: District
    duration_days: int


@dataclass
class _TraineeInfo:
    row: dict
    district: District
    track: str  # the occupation the trainee is aiming for
    certs: list[tuple[str, Level, dt.date]] = field(default_factory=list)
    completed_at: dt.date | None = None  # end of the latest completed course
    last_occupation: str | None = None
    has_record: bool = False


class _World:
    """Builds the demo world step by step from one random generator (the order of steps is part of the
    determinism contract: do not reorder without accepting that every file changes)."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        self.occ = load_occupations()
        self.districts = load_districts()
        self.all_districts = self.districts.administrative + self.districts.zones
        self.industries = {i.id: i for i in (*load_industries(), *OTHER_INDUSTRIES)}
        self.gongzhong = _gongzhong()
        self.target_occupations = {c for ind in load_industries() for c in ind.occupations}
        self.used_names: dict[str, None] = {}
        self.discriminatory_ids: list[str] = []
        self.n = {k: _scaled(v, scale, m) for (k, v), m in zip(BASE_COUNTS.items(), (8, 30, 30, 6, 15), strict=False)}

    # ---- naming ----------------------------------------------------------------------------------
    def trade_name(self) -> str:
        rng = self.rng
        while True:
            a, b = rng.choice(TRADE_NAME_A), rng.choice(TRADE_NAME_B)
            name = a + b
            if a != b and name not in REAL_BRANDS:
                return name

    def unique(self, make) -> str:
        for _ in range(200):
            name = make()
            if name not in self.used_names:
                self.used_names[name] = None
                return name
        raise RuntimeError("could not find a unique synthetic name")

    def employer_name(self, word: str, d: District) -> str:
        rng = self.rng

        def make() -> str:
            tn = self.trade_name()
            if word.endswith(("中心", "院", "园")):
                return f"重庆市{_short(d)}{tn}{word}"
            if word.endswith("合作社"):
                return f"重庆市{_short(d)}{tn}{word}"
            style = rng.random()
            suffix = _pick(rng, ORG_SUFFIX)
            if style < 0.7:
                return f"重庆{tn}{word}{suffix}"
            if style < 0.85:
                return f"重庆市{tn}{word}{suffix}"
            return f"{tn}{word}（重庆）有限公司"

        return self.unique(make)

    def address(self, d: District, manufacturing: bool) -> str:
        rng = self.rng
        road = rng.choice(ROAD_WORDS) + rng.choice(("路", "大道", "街", "路"))
        number = rng.randint(1, 399)
        if manufacturing and d.name not in ("渝中区",):
            return f"重庆市{d.name}{_short(d)}工业园区{road}{number}号"
        return f"重庆市{d.name}{road}{number}号"

    def person_name(self, female: bool) -> str:
        rng = self.rng
        chars = GIVEN_FEMALE if female else GIVEN_MALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.65 else "")
        return _pick(rng, SURNAMES) + given

    # ---- districts ---------------------------------------------------------------------------------
    def district_weights(self, industry: Industry) -> list[tuple[District, float]]:
        service = industry.id in SERVICE_BASED
        hot = HOTSPOTS.get(industry.id, {})
        out = []
        for d in self.all_districts:
            if service:
                base = POPULATION[d.name] * (
                    0.25 if d.is_county and industry.id in ("software", "low_altitude") else 1.0
                )
                if industry.id == "agriculture" and d.name in MAIN_URBAN:
                    base *= 0.05
            else:
                base = MANUFACTURING_BASE.get(d.name, 0.4 if d.is_county else 0.8)
            out.append((d, base * hot.get(d.name, 1.0)))
        return out

    # ---- employers ------------------------------------------------------------------------------------
    def make_employers(self) -> list[Employer]:
        rng = self.rng
        shares = [(i, EMPLOYER_SHARE.get(i.id, NEW_STAR_SHARE)) for i in self.industries.values()]
        employers = []
        for _ in range(self.n["employers"]):
            ind = _pick(rng, shares)
            d = _pick(rng, self.district_weights(ind))
            word, subset = rng.choice(BUSINESS[ind.id])
            manufacturing = ind.is_manufacturing and ind.id not in SERVICE_BASED
            lon, lat = _point_near(rng, d.lon, d.lat, _spread(d))
            size = rng.choice((1, 1, 1, 2, 2, 3, 5, 8)) * (1.5 if ind.tier.startswith("万亿") else 1.0)
            employers.append(
                Employer(
                    name=self.employer_name(word, d),
                    district=d,
                    industry=ind,
                    occupations=subset or ind.occupations,
                    lon=lon,
                    lat=lat,
                    address=self.address(d, manufacturing),
                    size=size,
                    manufacturing=manufacturing,
                )
            )
        return employers

    # ---- postings -------------------------------------------------------------------------------------
    def posting_occupation(self, emp: Employer) -> str:
        rng = self.rng
        if emp.manufacturing and rng.random() < 0.12:
            return rng.choice(GENERIC_FACTORY_JOBS)
        occs = emp.occupations
        return _pick(rng, [(c, 1 / math.sqrt(i + 1)) for i, c in enumerate(occs)])

    def title_names(self, o: Occupation) -> list[tuple[str, float]]:
        if o.code in TITLE_NAMES:
            return [(n, 1.0) for n in TITLE_NAMES[o.code]]
        names = [(o.name, 5.0)]
        names += [(g, 3.0) for g in self.gongzhong.get(o.code, [])]
        bad = ("/", "经理", "总监", "主管", "助理", "专员", "工程师", "研究", "管理", "老师", "培训", "设计", "(", "（")
        names += [(a, 1.0) for a in o.aliases if a != o.name and 2 <= len(a) <= 8 and not any(b in a for b in bad)]
        return names

    def title(self, o: Occupation, level: Level | None, mandatory: bool, shift: str, d: District) -> str:
        rng = self.rng
        kind = _job_kind(o.code)
        if kind == "entry" and o.code.startswith("6-") and rng.random() < 0.15:
            base = rng.choice(("普工", "操作工", "生产普工", "装配普工")) + f"（{o.name}）"
        else:
            base = _pick(rng, self.title_names(o))
        r = rng.random()
        if level is not None and r < 0.35:
            base += f"（{rng.choice((level.short, level.label.split('/')[0]))}）"
        elif mandatory and r < 0.6:
            base += "（持证上岗）"
        elif level is None and kind == "trade" and r < 0.7:
            base += "学徒"
        elif r < 0.78:
            base += f"（{shift}）"
        if rng.random() < 0.07:
            base = "急招" + base
        elif rng.random() < 0.06:
            base = f"{_short(d)}·{base}"
        return base

    def skills_for(self, code: str, k_lo: int, k_hi: int) -> list[str]:
        vocab = self.skill_vocab(code)
        k = min(len(vocab), self.rng.randint(k_lo, k_hi))
        return self.rng.sample(vocab, k) if k else []

    def skill_vocab(self, code: str) -> list[str]:
        if code in SKILLS:
            return list(SKILLS[code])
        out = []
        for task in self.occ.get(code).tasks:
            s = task.split("，")[-1].strip("。；; ")
            s = re.sub(r"^(进行|从事|负责)", "", s)
            if 3 <= len(s) <= 12:
                out.append(s)
        return out[:6] or [self.occ.get(code).name + "操作"]

    def pay(self, code: str, level: Level | None, d: District) -> tuple[int, int]:
        rng = self.rng
        lo, hi = PAY_BANDS.get(code) or DEFAULT_PAY.get(code[:4]) or DEFAULT_PAY.get(code[0], (4000, 6000))
        factor = LEVEL_PAY[level]
        factor *= 1.05 if d.name in MAIN_URBAN else (0.88 if d.is_county else 1.0)
        factor *= rng.uniform(0.94, 1.06)
        lo_v, hi_v = _round_to(lo * factor, 100), _round_to(hi * factor * rng.uniform(0.97, 1.05), 100)
        return lo_v, max(hi_v, lo_v + 300)

    def shift_kind(self, emp: Employer, code: str) -> str:
        if emp.industry.id == "housekeeping" and code == "4-10-01-06":
            return "housekeeping"
        if emp.industry.id == "health_care":
            return "care"
        if _job_kind(code) == "office":
            return "office"
        return "factory" if emp.manufacturing else "service"

    def make_postings(self, employers: list[Employer]) -> list[dict]:
        rng = self.rng
        n = self.n["postings"]
        owners = list(range(len(employers)))  # everyone posts at least once
        sizes = [(i, e.size) for i, e in enumerate(employers)]
        owners += [_pick(rng, sizes) for _ in range(max(0, n - len(employers)))]
        postings = []
        for k, ei in enumerate(owners[:n], start=1):
            postings.append(self.posting(f"P-{k:06d}", employers[ei]))
        return postings

    def posting(self, pid: str, emp: Employer) -> dict:
        rng = self.rng
        code = self.posting_occupation(emp)
        o = self.occ.get(code)
        kind = _job_kind(code)
        level = _pick(rng, list(zip(LEVELS, POSTING_LEVEL_WEIGHTS[kind], strict=False)))
        certs = self.required_certificates(code, level, kind)
        mandatory = any(c["mandatory"] for c in certs)
        shift = _pick(rng, SHIFTS[self.shift_kind(emp, code)])
        exp_lo, exp_hi = MIN_EXPERIENCE[level]
        experience = rng.randint(exp_lo, exp_hi) if rng.random() < 0.85 else 0
        education = _pick(rng, EDUCATION[kind])
        skills = self.skills_for(code, 2, 4)
        salary_min, salary_max = self.pay(code, level, emp.district)
        # Most postings are at the employer's site; some at a second site nearby.
        lon, lat = _point_near(rng, emp.lon, emp.lat, 0.004) if rng.random() < 0.3 else (emp.lon, emp.lat)
        discriminatory = rng.random() < DISCRIMINATORY_SHARE
        phrases = rng.sample(DISCRIMINATORY_PHRASES, rng.choice((1, 1, 2))) if discriminatory else []
        if discriminatory:
            self.discriminatory_ids.append(pid)
        title = self.title(o, level, mandatory, shift, emp.district)
        if phrases and rng.random() < 0.3:
            title += f"（{phrases[0]}）"
        description = self.description(
            o, level, certs, skills, experience, education, shift, salary_min, salary_max, emp, phrases
        )
        return {
            "id": pid,
            "title": title,
            "employer": emp.name,
            "district": emp.district.name,
            "address": emp.address,
            "lon": lon,
            "lat": lat,
            "description": description,
            "requirements": {
                "certificates": certs,
                "min_experience_years": experience,
                "education": education,
                "skills": skills,
            },
            "salary_min": salary_min,
            "salary_max": salary_max,
            "shift": shift,
            "industry": emp.industry.name,
            "posted_at": (REFERENCE_DATE - _days(rng, 0, 89)).isoformat(),
            "status": "closed" if rng.random() < 0.06 else "open",
            "_occupation": code,  # bookkeeping for demand counts; stripped before writing
        }

    def required_certificates(self, code: str, level: Level | None, kind: str) -> list[dict]:
        rng = self.rng
        certs = []
        if code in MANDATORY:
            cert_level = None if code in PERMIT_ONLY else level
            if code == "4-07-05-03" and cert_level is None:
                cert_level = Level.L4 if rng.random() < 0.6 else Level.L5  # 消防控制室 needs 中级
            certs.append({"occupation": code, "level": cert_level.label if cert_level else None, "mandatory": True})
        elif level is not None and rng.random() < (0.75 if kind == "trade" else 0.5):
            certs.append({"occupation": code, "level": level.label, "mandatory": False})
        if code in SECONDARY_CERT and rng.random() < (0.9 if SECONDARY_CERT[code][1] else 0.25):
            other, mandatory = SECONDARY_CERT[code]
            certs.append({"occupation": other, "level": None, "mandatory": mandatory})
        return certs

    def cert_text(self, cert: dict) -> str:
        o = self.occ.get(cert["occupation"])
        level = parse_level(cert.get("level"))
        if cert["mandatory"]:
            permit = MANDATORY.get(o.code, f"{o.name}职业资格证书")
            permit = permit.format(level=f"（{level.short}）" if level else "")
            extra = (
                f"，并具备{o.name}{level.short}及以上技能等级"
                if level and "{level}" not in MANDATORY.get(o.code, "")
                else ""
            )
            return f"须持有效{permit}上岗{extra}"
        if level:
            return f"持{o.name}{level.label.split('/')[0]}（{level.short}）及以上职业技能等级证书者优先"
        return f"持{o.name}相关证书者优先"

    def description(
        self,
        o: Occupation,
        level: Level | None,
        certs: list[dict],
        skills: list[str],
        experience: int,
        education: str,
        shift: str,
        salary_min: int,
        salary_max: int,
        emp: Employer,
        phrases: list[str],
    ) -> str:
        rng = self.rng
        tasks = list(o.tasks[:6]) or [o.definition]
        k = min(len(tasks), rng.randint(2, 4))
        chosen = sorted(rng.sample(range(len(tasks)), k))
        duties = "\n".join(f"{i}. {tasks[j]}；" for i, j in enumerate(chosen, start=1)).rstrip("；") + "。"
        req = [
            education,
            f"{experience}年以上相关工作经验"
            if experience
            else rng.choice(("经验不限", "接受无经验者，提供岗前培训", "有经验者优先")),
        ]
        req += [self.cert_text(c) for c in certs]
        if o.code in EXTRA_REQUIREMENTS:
            req.append(EXTRA_REQUIREMENTS[o.code])
        if skills:
            req.append("熟悉" + "、".join(skills[:3]))
        pool = CARE_SOFT if emp.industry.id in ("health_care", "housekeeping") else SOFT_REQUIREMENTS
        req += rng.sample(pool, rng.randint(1, 2))
        if rng.random() < 0.05:
            req.append(NEUTRAL_PHRASE)
        if phrases:
            req.insert(rng.randint(1, len(req)), "，".join(phrases))
        benefits = list(dict.fromkeys(_pick(rng, BENEFITS) for _ in range(rng.randint(2, 5))))
        pay_note = "（底薪+计件）" if o.code in ("4-02-07-08", "4-10-08-01", "6-05-01-03") else ""
        return (
            f"岗位职责：\n{duties}\n任职要求：{'；'.join(req)}。\n工作时间：{shift}。\n"
            f"薪资福利：{salary_min}-{salary_max}元/月{pay_note}，{'、'.join(benefits)}。\n"
            f"工作地点：{emp.address}。"
        )

    # ---- training providers and courses ------------------------------------------------------------------
    def make_providers(self, employers: list[Employer]) -> list[Provider]:
        rng = self.rng
        providers = []
        big = [e for e in employers if e.manufacturing and e.size >= 3] or [e for e in employers if e.manufacturing]
        school_districts = [
            (d, POPULATION[d.name] * (2.0 if d.name in MAIN_URBAN else 1.0)) for d in self.all_districts
        ]
        for _ in range(self.n["providers"]):
            kind = _pick(rng, PROVIDER_KINDS)
            if kind == "企业培训中心" and big:
                emp = rng.choice(big)
                big.remove(emp)
                name = self.unique(lambda emp=emp: emp.name + "培训中心")
                providers.append(Provider(name, kind, emp.district, emp))
                continue
            if kind == "企业培训中心":
                kind = "民办职业技能培训学校"
            d = _pick(rng, school_districts)
            if kind == "技工院校":
                name = self.unique(
                    lambda: "重庆" + self.trade_name() + rng.choice(("技工学校", "高级技工学校", "技师学院"))
                )
            else:
                name = self.unique(lambda d=d: f"重庆市{_short(d)}{self.trade_name()}职业技能培训学校")
            providers.append(Provider(name, kind, d))
        return providers

    def course_weights(self, demand: Counter, unmet: dict[str, None], provider: Provider) -> list[tuple[str, float]]:
        if provider.employer is not None:
            occs = [c for c in provider.employer.occupations if c not in unmet] or list(provider.employer.occupations)
            return [(c, (demand[c] + 1) ** 0.5) for c in occs]
        candidates = list(dict.fromkeys([*demand, *COURSE_BIAS]))
        out = []
        for c in candidates:
            if c in unmet:
                continue
            factory = c.startswith(("6-", "5-"))
            affinity = (1.5 if factory else 0.7) if provider.kind == "技工院校" else (0.6 if factory else 1.5)
            if c in MANDATORY:
                affinity = 1.5
            out.append((c, (demand[c] + 1) ** 0.9 * COURSE_BIAS.get(c, DEFAULT_COURSE_BIAS) ** 0.7 * affinity))
        return self.with_nontarget_share(out, NONTARGET_COURSE_SHARE)

    def with_nontarget_share(self, weights: list[tuple[str, float]], share: float) -> list[tuple[str, float]]:
        """Rescale so occupations outside the target industries carry `share` of the total weight: the seed
        reports 培训与产业匹配度 of 80%, so about a fifth of training is elsewhere (美容、面点、建筑 …)."""
        target = sum(wt for c, wt in weights if c in self.target_occupations)
        other = sum(wt for c, wt in weights if c not in self.target_occupations)
        if not target or not other:
            return weights
        k = share / (1 - share) * target / other
        return [(c, wt * (1 if c in self.target_occupations else k)) for c, wt in weights]

    def make_courses(self, providers: list[Provider], demand: Counter) -> list[_CourseInfo]:
        rng = self.rng
        top = [c for c, _ in sorted(demand.items(), key=lambda kv: (-kv[1], kv[0]))[:12]]
        others = [c for c in demand if c not in ALWAYS_TRAINED and c not in top]
        unmet = dict.fromkeys(sorted(rng.sample(others, round(len(others) * UNMET_SHARE))))
        # Schools run more courses than enterprise centres.
        load = [
            (i, {"技工院校": 8, "民办职业技能培训学校": 5, "企业培训中心": 2.5}[p.kind])
            for i, p in enumerate(providers)
        ]
        owners = list(range(len(providers)))
        owners += [_pick(rng, load) for _ in range(max(0, self.n["courses"] - len(providers)))]
        courses = []
        for k, pi in enumerate(owners[: self.n["courses"]], start=1):
            courses.append(self.course(f"C-{k:04d}", providers[pi], demand, unmet))
        return courses

    def course(self, cid: str, p: Provider, demand: Counter, unmet: dict[str, None]) -> _CourseInfo:
        rng = self.rng
        code = _pick(rng, self.course_weights(demand, unmet, p))
        o = self.occ.get(code)
        level = _pick(rng, list(zip(LEVELS, COURSE_LEVEL_WEIGHTS, strict=False)))
        if code in PERMIT_ONLY:
            level = Level.L5 if rng.random() < 0.8 else Level.L4
        apprenticeship = (p.kind == "企业培训中心" and rng.random() < 0.5) or (
            p.kind == "技工院校" and code.startswith("6-") and rng.random() < 0.2
        )
        digital = _job_kind(code) == "office"
        if apprenticeship:
            title = f"企业新型学徒制·{o.name}（{level.short}）"
            hours, fmt = 160, "混合"
        else:
            everyday = [
                g
                for g in TITLE_NAMES.get(code, self.gongzhong.get(code, ()))
                if g.endswith(("工", "员", "师", "司机", "手"))
            ]
            name = o.name if not everyday or rng.random() < 0.6 else rng.choice(everyday)
            title = f"{name}（{level.short}）{_pick(rng, COURSE_SUFFIXES)}"
            base = {
                Level.L5: (40, 80),
                Level.L4: (60, 120),
                Level.L3: (90, 160),
                Level.L2: (120, 200),
                Level.L1: (160, 240),
            }[level]
            hours = _round_to(rng.randint(*base), 4)
            fmt = _pick(
                rng,
                (("线上", 40), ("混合", 40), ("线下", 20)) if digital else (("线下", 68), ("混合", 30), ("线上", 2)),
            )
        if apprenticeship:
            duration = rng.randint(300, 365)
        elif fmt == "线下":
            duration = math.ceil(hours / 7 * 1.4)
        elif fmt == "混合":
            duration = math.ceil(hours / 2 / 7 * 1.4) + 60  # e.g. 8.5 days on site + 2 months online
        else:
            duration = math.ceil(hours / 2)
        row = {
            "id": cid,
            "title": title,
            "provider": p.name,
            "district": p.district.name,
            "occupation": code,
            "level": level.label,
            "skills": self.skills_for(code, 3, 6),
            "hours": hours,
            "format": fmt,
            "subsidised": apprenticeship or rng.random() < 0.68,
            "start_date": (REFERENCE_DATE + _days(rng, 1, 120)).isoformat(),
            "seats": rng.randrange(15, 45, 5) if apprenticeship else rng.randrange(20, 65, 5),
        }
        return _CourseInfo(row, level, p.district, duration)

    # ---- trainees -------------------------------------------------------------------------------------
    def make_trainees(self, demand: Counter) -> list[_TraineeInfo]:
        rng = self.rng
        tracks = [
            (c, (demand[c] + 0.5) ** 0.85 * COURSE_BIAS.get(c, 0.8)) for c in dict.fromkeys([*demand, *COURSE_BIAS])
        ]
        tracks = self.with_nontarget_share(tracks, NONTARGET_TRACK_SHARE)
        homes = [(d, POPULATION[d.name]) for d in self.all_districts]
        groups = list(GROUP_SHARE.items())
        out = []
        for k in range(1, self.n["trainees"] + 1):
            track = _pick(rng, tracks)
            d = _pick(rng, homes)
            female = rng.random() < FEMALE_SHARE.get(track, 0.25 if track.startswith("6-") else 0.5)
            group = _pick(rng, groups) if rng.random() < PRIORITY_SHARE else None
            if group == "返岗女性" and not female:
                group = "农民工"
            if group == "退役军人" and female and rng.random() < 0.7:
                group = "登记失业人员"
            if group == "脱贫人口" and not (d.is_county or d.kind == "区" and d.name not in MAIN_URBAN):
                group = "农民工"
            out.append(self.trainee(f"T-{k:05d}", d, track, female, group))
        return out

    def trainee(self, tid: str, d: District, track: str, female: bool, group: str | None) -> _TraineeInfo:
        rng = self.rng
        y0, y1 = BIRTH_YEARS[group]
        birth = dt.date(rng.randint(y0, y1), 1, 1) + _days(rng, 0, 364)
        age = (REFERENCE_DATE - birth).days / 365.25
        if group in ("毕业年度高校毕业生", "离校未就业青年"):
            experience = rng.choice((0, 0, 0, 0.5, 1))
        else:
            experience = round(min(age - 17, max(0.0, rng.gauss(age / 4, 3))), 0)
            if group == "返岗女性":
                experience = min(experience, rng.randint(0, 8))
        rural = group in ("农民工", "脱贫人口")
        hukou = (
            _pick(rng, (("本地农村", 85), ("外地农村", 15)))
            if rural
            else _pick(rng, (("本地城镇", 55), ("本地农村", 25), ("外地城镇", 10), ("外地农村", 10)))
        )
        ethnicity = "汉族"
        r = rng.random()
        for name, share in ETHNIC_MIX.get(d.name, ()):
            if r < share:
                ethnicity = name
                break
            r -= share
        else:
            if rng.random() < 0.01:
                ethnicity = rng.choice(("土家族", "苗族", "回族", "彝族"))
        region = d.code if not d.is_zone else self.districts.by_name[d.parents[0]].code
        seq = rng.randint(0, 99) * 10 + rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
        body = f"{region}{birth:%Y%m%d}{seq:03d}"
        lon = lat = None
        if rng.random() < 0.5:
            lon, lat = _point_near(rng, d.lon, d.lat, _spread(d) * 1.5)
        row = {
            "id": tid,
            "district": d.name,
            "lon": lon,
            "lat": lat,
            "certificates": [],
            "skills": [],
            "experience_years": float(experience),
            "desired_salary": None,
            "consent_employer_search": rng.random() < CONSENT_SHARE,
            "priority_group": group,
            "name": self.person_name(female),
            "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            "id_number": body + id_checksum(body),
            "gender": "女" if female else "男",
            "birth_year": birth.year,
            "hukou": hukou,
            "ethnicity": ethnicity,
        }
        info = _TraineeInfo(row, d, track)
        # Experienced workers often hold an older certificate in their trade.
        if experience >= 3 and rng.random() < 0.45:
            lvl = _pick(rng, ((Level.L5, 40), (Level.L4, 40), (Level.L3, 20)))
            earliest = max(birth + dt.timedelta(days=int(18 * 365.25)), REFERENCE_DATE - dt.timedelta(days=8 * 365))
            span = (REFERENCE_DATE - dt.timedelta(days=2 * 365) - earliest).days
            if span > 0:
                code = track if rng.random() < 0.6 else self.related_occupation(track)
                info.certs.append((code, lvl, earliest + _days(rng, 0, span)))
        return info

    # ---- training records -----------------------------------------------------------------------------
    def industries_of(self, code: str) -> list[Industry]:
        return [i for i in self.industries.values() if code in i.occupations]

    def related_occupation(self, code: str) -> str:
        """A plausible second skill: the usual companion certificate, a cross-trade ticket (电工、叉车、消防),
        or another occupation of the same industry."""
        rng = self.rng
        if code in SECONDARY_CERT and rng.random() < 0.6:
            return SECONDARY_CERT[code][0]
        if rng.random() < 0.3:
            return rng.choice(CROSS_TRADE)
        same = [c for ind in self.industries_of(code) for c in ind.occupations if c != code]
        return rng.choice(same) if same else code

    def pick_course(
        self, t: _TraineeInfo, courses: list[_CourseInfo], occupation: str, min_level: Level | None = None
    ) -> _CourseInfo | None:
        rng = self.rng
        same = [c for c in courses if c.row["occupation"] == occupation and (min_level is None or c.level >= min_level)]
        if not same and min_level is None:
            related = {c for ind in self.industries_of(occupation) for c in ind.occupations}
            same = [c for c in courses if c.row["occupation"] in related]
            if not same or rng.random() < 0.3:  # 转岗: re-train into a popular occupation
                popular = (
                    CROSS_TRADE if occupation.startswith("6-") else tuple(c for c, b in COURSE_BIAS.items() if b >= 2)
                )
                same = [c for c in courses if c.row["occupation"] in popular] or courses
        if not same:
            return None

        def weight(c: _CourseInfo) -> float:
            if c.district.name == t.district.name:
                return 6.0
            if c.row["format"] != "线下":
                return 2.0
            both_urban = c.district.name in MAIN_URBAN and t.district.name in MAIN_URBAN
            km = haversine_km(c.district.lon, c.district.lat, t.district.lon, t.district.lat)
            return 2.0 if both_urban else 1.0 / (1.0 + km / 30.0)

        return _pick(rng, [(c, weight(c)) for c in same])

    def make_records(self, trainees: list[_TraineeInfo], courses: list[_CourseInfo]) -> list[dict]:
        rng = self.rng
        records: list[dict] = []
        for t in trainees:
            n_records = _pick(rng, ((1, 58), (2, 30), (3, 12)))
            start = REFERENCE_DATE - _days(rng, 20, 700)
            occupation, min_level = t.track, None
            for _ in range(n_records):
                if start > REFERENCE_DATE - dt.timedelta(days=5):
                    break
                c = self.pick_course(t, courses, occupation, min_level)
                if c is None and min_level is not None:  # no higher-level course: add a related skill instead
                    c = self.pick_course(t, courses, self.related_occupation(occupation))
                if c is None:
                    break
                end = start + dt.timedelta(days=c.duration_days)
                completed = end <= REFERENCE_DATE and rng.random() < 0.93
                certified = c.level if completed and rng.random() < 0.88 else None
                records.append(
                    {
                        "id": f"TR-{len(records) + 1:06d}",
                        "trainee_id": t.row["id"],
                        "course_id": c.row["id"],
                        "start_date": start.isoformat(),
                        "completed": completed,
                        "certified_level": certified.label if certified else None,
                    }
                )
                t.has_record = True
                if completed:
                    t.completed_at, t.last_occupation = end, c.row["occupation"]
                if certified:
                    issued = min(end + _days(rng, 10, 45), REFERENCE_DATE)
                    t.certs.append((c.row["occupation"], certified, issued))
                # Next course: level up in the same trade, or a related second skill.
                if certified and certified < Level.L2 and rng.random() < 0.45:
                    occupation, min_level = c.row["occupation"], Level(certified + 1)
                else:
                    occupation, min_level = self.related_occupation(c.row["occupation"]), None
                start = end + _days(rng, 20, 240)
        return records

    def finish_trainee(self, t: _TraineeInfo) -> dict:
        """Certificates from records (+ older ones), skills, desired salary."""
        rng = self.rng
        best: dict[str, tuple[Level, dt.date]] = {}
        for code, level, issued in sorted(t.certs, key=lambda x: (x[2], x[0])):
            if code not in best or level >= best[code][0]:
                best[code] = (level, issued)
        held = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:3]
        held.sort(key=lambda kv: kv[1][1])
        t.row["certificates"] = [
            {"occupation": code, "level": lvl.label, "issued_at": issued.isoformat()} for code, (lvl, issued) in held
        ]
        skills = self.skills_for(t.track, 1, 3)
        for code, _ in held:
            skills += self.skills_for(code, 1, 3)
        if rng.random() < 0.25:
            skills.append(rng.choice(GENERIC_SKILLS))
        t.row["skills"] = list(dict.fromkeys(skills))[:8]
        top_code, top = max(((code, lvl) for code, (lvl, _) in held), key=lambda x: x[1], default=(t.track, None))
        lo, hi = self.pay(top_code, top, t.district)
        t.row["desired_salary"] = _round_to((lo + hi) / 2 * rng.uniform(0.85, 1.1), 500)
        return _compact(t.row)

    # ---- placements -----------------------------------------------------------------------------------
    def make_placements(
        self, trainees: list[_TraineeInfo], postings: list[dict], employers: list[Employer]
    ) -> list[dict]:
        rng = self.rng
        by_occ: dict[str, list[int]] = {}
        for i, p in enumerate(postings):
            by_occ.setdefault(p["_occupation"], []).append(i)
        by_industry: dict[str, list[Employer]] = {}
        for e in employers:
            by_industry.setdefault(e.industry.id, []).append(e)
        district_of = {d.name: d for d in self.all_districts}
        placements: list[dict] = []
        for t in trainees:
            if t.completed_at is not None:
                p_placed = 0.86 if t.row["certificates"] else 0.65
            else:
                p_placed = 0.2 if t.has_record else 0.0
            if rng.random() >= p_placed:
                continue
            ready = t.completed_at or (REFERENCE_DATE - _days(rng, 30, 300))
            placed_at = ready + _days(rng, 5, 120)
            if placed_at > REFERENCE_DATE:
                continue
            occupation = t.last_occupation or t.track
            if rng.random() < 0.18:  # took a job outside the trained occupation
                occupation = rng.choice(
                    (
                        "4-10-08-01",
                        "4-02-07-08",
                        "4-09-08-01",
                        "6-22-01-01",
                        "6-25-04-07",
                        "4-01-02-03",
                        "4-03-02-05",
                        "4-02-05-01",
                    )
                )
            row = {
                "id": f"PL-{len(placements) + 1:06d}",
                "trainee_id": t.row["id"],
                "posting_id": None,
                "employer": None,
                "occupation": occupation,
                "district": t.district.name,
                "industry": None,
                "placed_at": None,
            }
            linked = None
            if rng.random() < 0.45 and by_occ.get(occupation):
                linked = self.nearby_posting(t, [postings[i] for i in by_occ[occupation]], district_of)
            if linked is not None:
                posted = dt.date.fromisoformat(linked["posted_at"])
                hired = max(placed_at, posted + _days(rng, 3, 30))
                if hired <= REFERENCE_DATE:
                    placed_at = hired
                else:
                    linked = None
            if linked is not None:
                row |= {
                    "posting_id": linked["id"],
                    "employer": linked["employer"],
                    "district": linked["district"],
                    "industry": linked["industry"],
                }
                if rng.random() < 0.3:
                    linked["status"] = "closed"  # filled
            else:
                emp = self.employer_for(t, occupation, by_industry, employers)
                row |= {"employer": emp.name, "district": emp.district.name, "industry": emp.industry.name}
            row["placed_at"] = placed_at.isoformat()
            placements.append(_compact(row))
        return placements

    def nearby_posting(self, t: _TraineeInfo, candidates: list[dict], district_of: dict[str, District]) -> dict | None:
        """A posting of the right occupation, nearer ones far more likely (people take jobs near home)."""
        rng = self.rng
        latest = REFERENCE_DATE - dt.timedelta(days=3)
        usable = [p for p in candidates if dt.date.fromisoformat(p["posted_at"]) <= latest]
        if not usable:
            return None

        def weight(p: dict) -> float:
            d = district_of[p["district"]]
            km = haversine_km(d.lon, d.lat, t.district.lon, t.district.lat)
            return 1.0 / (1.0 + km / 15.0) ** 2

        return _pick(rng, [(p, weight(p)) for p in usable])

    def employer_for(
        self, t: _TraineeInfo, occupation: str, by_industry: dict[str, list[Employer]], employers: list[Employer]
    ) -> Employer:
        rng = self.rng
        inds = [i.id for i in industries_for_occupation(occupation)]
        inds += [i.id for i in OTHER_INDUSTRIES if occupation in i.occupations]
        pool = [e for i in inds for e in by_industry.get(i, [])] or employers

        def weight(e: Employer) -> float:
            km = haversine_km(e.lon, e.lat, t.district.lon, t.district.lat)
            return 1.0 / (1.0 + km / 20.0) ** 2

        return _pick(rng, [(e, weight(e)) for e in pool])


# ================================================================================================
# Entry point
# ================================================================================================


def generate_demo_world(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, int]:
    """Write postings/trainees/courses/training_records/placements (.jsonl), README.md and manifest.json.

    Returns the number of rows per file plus `employers`, `providers` and `discriminatory_postings`.
    Deterministic: the same (seed, scale) always produces byte-identical files.
    """
    if scale <= 0:
        raise ValueError("scale 必须大于 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = _World(seed, scale)

    employers = w.make_employers()
    postings = w.make_postings(employers)
    demand = Counter(p["_occupation"] for p in postings)
    providers = w.make_providers(employers)
    courses = w.make_courses(providers, demand)
    trainees = w.make_trainees(demand)
    records = w.make_records(trainees, courses)
    trainee_rows = [w.finish_trainee(t) for t in trainees]
    placements = w.make_placements(trainees, postings, employers)
    _top_up_closed(w.rng, postings, target=0.10)

    posting_rows = [_compact({k: v for k, v in p.items() if not k.startswith("_")}) for p in postings]
    course_rows = [_compact(c.row) for c in courses]
    record_rows = [_compact(r) for r in records]
    rows = {
        "postings": posting_rows,
        "trainees": trainee_rows,
        "courses": course_rows,
        "training_records": record_rows,
        "placements": placements,
    }
    for kind, items in rows.items():
        _write_jsonl(out_dir / f"{kind}.jsonl", items)

    counts = {kind: len(items) for kind, items in rows.items()}
    counts |= {
        "employers": len(employers),
        "providers": len(providers),
        "discriminatory_postings": len(w.discriminatory_ids),
    }
    kpis = compute_kpis(rows)
    course_occupations = {c["occupation"] for c in course_rows}
    stats = {
        "districts_with_postings": len({p["district"] for p in posting_rows}),
        "districts_with_trainees": len({t["district"] for t in trainee_rows}),
        "occupations_demanded": len(demand),
        "demanded_without_course": sum(1 for c in demand if c not in course_occupations),
        "postings_with_course_share": round(
            sum(1 for p in postings if p["_occupation"] in course_occupations) / len(postings), 3
        ),
    }
    manifest = {
        "synthetic": True,
        "seed": seed,
        "scale": scale,
        "reference_date": REFERENCE_DATE.isoformat(),
        "counts": counts,
        "kpis": kpis,
        "stats": stats,
        "discriminatory_phrases": list(DISCRIMINATORY_PHRASES),
        "discriminatory_posting_ids": w.discriminatory_ids,
        "negative_examples_not_discriminatory": [NEUTRAL_PHRASE, "持健康证"],
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    (out_dir / "README.md").write_text(_readme(seed, scale, counts, kpis, stats), encoding="utf-8", newline="\n")
    return counts


def _top_up_closed(rng: random.Random, postings: list[dict], target: float) -> None:
    """Close random open postings until about `target` of all postings are closed."""
    closed = sum(p["status"] == "closed" for p in postings)
    want = round(len(postings) * target)
    open_idx = [i for i, p in enumerate(postings) if p["status"] == "open"]
    for i in rng.sample(open_idx, max(0, min(len(open_idx), want - closed))):
        postings[i]["status"] = "closed"


def _write_jsonl(path: Path, items: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def compute_kpis(rows: dict[str, list[dict]]) -> dict[str, float]:
    """The pipeline KPIs of the generated rows, labelled in Chinese (definitions: `matcher.domain.kpis`)."""
    groups = {t["id"] for t in rows["trainees"] if t.get("priority_group")}
    counts = pipeline_counts(
        rows["training_records"],
        rows["placements"],
        {c["id"]: c["occupation"] for c in rows["courses"]},
        groups.__contains__,
    )
    return {KPI_LABELS[key][0]: value or 0.0 for key, value in counts.ratios().items()}


def _readme(seed: int, scale: float, counts: dict[str, int], kpis: dict[str, float], stats: dict) -> str:
    count_lines = "\n".join(f"| {k} | {v:,} |" for k, v in counts.items())
    kpi_lines = "\n".join(f"| {k} | {v:.1%} |" for k, v in kpis.items())
    phrases = "、".join(DISCRIMINATORY_PHRASES)
    return f"""# SYNTHETIC demo world — 合成示范数据（非真实数据）

**Everything in this directory is SYNTHETIC.** It was generated by `matcher.demo.generator.generate_demo_world`
(seed `{seed}`, scale `{scale}`, reference date {REFERENCE_DATE.isoformat()}). No record describes a real
person, employer, training provider, job or course. Names, phone numbers and ID numbers are invented:
ID numbers have a valid GB 11643 checksum and a real district adcode prefix only so that validators accept
them — they are fake and must never be used as identity data. Employer and provider names are made up from
random syllables; any resemblance to a real organisation is accidental.

本目录全部为**合成数据**，由固定随机种子生成，不对应任何真实的人员、企业、培训机构、岗位或课程。

## What is real
- Occupations, their names, aliases, 工种 and task texts: 职业分类大典 2022 (CSCO) catalogue shipped with the
  project (`matcher/catalogues/data/csco22.csv`, `gongzhong.csv`).
- Districts and coordinates: the 38 district-level units and 3 functional zones (`chongqing_districts.csv`).
- Target industries: the "33618" clusters and priority service fields (`matcher/catalogues/industries.py`).

## What is invented (and roughly how)
- Employers weighted by district (population for services; manufacturing concentrated in 两江新区、高新区、
  璧山、江津、长寿、涪陵、九龙坡 …; the 12 县 get fewer) and by industry hotspots.
- Postings: titles from CSCO names/aliases/工种; descriptions built from the CSCO task texts plus typical
  requirement, shift, pay and benefit phrases; pay ranges are rough Chongqing CNY/month figures by occupation,
  level and district; 准入类 (持证上岗) certificates — 电工、焊工、叉车/起重、消防设施操作员、电梯、无人机、
  锅炉、制冷、保安员 — are marked `mandatory`.
- Trainees: home district weighted by population; ~60% in a priority group; ~75% consent to employer search;
  lon/lat for about half. Certificates come from their (synthetic) training records plus some older ones.
- Courses: a course is a recurring programme; `start_date` is its next intake (within 120 days). Supply is
  deliberately imperfect: {stats["demanded_without_course"]} of {stats["occupations_demanded"]} demanded
  occupations have no course (they account for {1 - stats["postings_with_course_share"]:.0%} of postings), and
  popular subsidised trades (养老护理员、保育师、家政、烹调、电工、消防 …) are over-supplied relative to factory trades.
- Training records carry the start date of the past intake the trainee attended; placements follow
  completed training, some linked to a posting (which may then be closed as filled).

## Planted problems (for the posting lint)
{counts["discriminatory_postings"]} postings (~{DISCRIMINATORY_SHARE:.0%}) contain realistic **discriminatory phrases**
that are unlawful under 就业促进法 and 网络招聘服务管理规定: {phrases}.
Their ids are listed in `manifest.json` (`discriminatory_posting_ids`). Negative examples a lint must
*not* flag: about 5% of postings say “{NEUTRAL_PHRASE}”, and food and childcare postings ask for “持健康证”
(a legal requirement for those jobs, not health discrimination).

## Counts
| file / entity | rows |
|---|---|
{count_lines}

Postings cover {stats["districts_with_postings"]} districts/zones; trainees live in {stats["districts_with_trainees"]}.

## KPIs as computed from these files
| KPI | value |
|---|---|
{kpi_lines}

Definitions are in `matcher.domain.kpis` (the same ones the office API and `matcher kpi` use). Regenerate with
`generate_demo_world(out_dir, seed={seed}, scale={scale})`; the same seed gives byte-identical files.
"""
