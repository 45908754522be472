"""The data contract: postings, trainees, courses and pipeline records, as validated pydantic models.

One JSON object per line (JSON Lines, UTF-8). Validation normalises as it checks:
district names/adcodes become the canonical district name, occupation names/aliases/工种/codes become
CSCO codes, level spellings become the canonical level label. Errors name the field path
(e.g. `requirements.certificates[0].level`) so an importer can report file, line and field.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.occupations import load_occupations
from matcher.geo import in_chongqing

PRIORITY_GROUPS = (
    "农民工",
    "毕业年度高校毕业生",
    "登记失业人员",
    "脱贫人口",
    "退役军人",
    "残疾人",
    "离校未就业青年",
    "返岗女性",
)
# Stored for the record and for statutory statistics; never read by ranking code.
PROTECTED_FIELDS = ("gender", "birth_year", "hukou", "ethnicity", "marital_status", "health")
PERSONAL_FIELDS = ("name", "phone", "id_number", *PROTECTED_FIELDS)


def _district(value: str | int) -> str:
    return load_districts().resolve(value).name


def _occupation(value: str) -> str:
    return load_occupations().resolve(str(value)).code


def _level(value: str | int | None) -> str | None:
    level = parse_level(value)
    return level.label if level is not None else None


def _nonblank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("不能为空")
    return value


def _skills(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


DistrictName = Annotated[str | int, AfterValidator(_district)]
OccupationCode = Annotated[str, AfterValidator(_occupation)]
LevelLabel = Annotated[str | int | None, AfterValidator(_level)]
Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_nonblank)]
Text = Annotated[str, AfterValidator(_nonblank)]
Skills = Annotated[list[str], AfterValidator(_skills)]
Money = Annotated[int, Field(ge=0, le=1_000_000)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Located(Record):
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)

    @model_validator(mode="after")
    def _check_point(self):  # type: ignore[no-untyped-def]
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon 与 lat 必须同时提供")
        if self.lon is not None and not in_chongqing(self.lon, self.lat):
            raise ValueError(f"坐标 ({self.lon}, {self.lat}) 不在重庆市范围内")
        return self


class RequiredCertificate(Record):
    occupation: OccupationCode
    level: LevelLabel = None
    mandatory: bool = False  # 持证上岗: a hard filter, not a soft score


class Requirements(Record):
    certificates: list[RequiredCertificate] = []
    min_experience_years: float = Field(default=0, ge=0, le=60)
    education: str | None = None
    skills: Skills = []


class Posting(_Located):
    id: Id
    title: Text
    employer: Text
    district: DistrictName
    address: str | None = None
    description: str = ""
    requirements: Requirements = Requirements()
    salary_min: Money | None = None
    salary_max: Money | None = None
    shift: str | None = None
    industry: str | None = None
    posted_at: dt.date | None = None
    status: Literal["open", "closed"] = "open"

    @model_validator(mode="after")
    def _check_salary(self):  # type: ignore[no-untyped-def]
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            raise ValueError(f"salary_min ({self.salary_min}) 大于 salary_max ({self.salary_max})")
        return self


class HeldCertificate(Record):
    occupation: OccupationCode
    level: LevelLabel = None
    issued_at: dt.date | None = None


class Trainee(_Located):
    id: Id
    district: DistrictName
    certificates: list[HeldCertificate] = []
    skills: Skills = []
    experience_years: float = Field(default=0, ge=0, le=60)
    desired_salary: Money | None = None
    consent_employer_search: bool = False
    priority_group: Literal[PRIORITY_GROUPS] | None = None  # type: ignore[valid-type]
    # Personal data: stored apart from the profile, never used for ranking, masked for employers.
    name: str | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[\d\- ]{5,20}$")
    id_number: str | None = Field(default=None, pattern=r"^\d{17}[\dXx]$")
    gender: str | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    hukou: str | None = None
    ethnicity: str | None = None
    marital_status: str | None = None
    health: str | None = None

    def profile(self) -> dict:
        """The ranking-visible part: everything except personal and protected fields."""
        return self.model_dump(mode="json", exclude=set(PERSONAL_FIELDS))

    def personal(self) -> dict:
        return self.model_dump(mode="json", include=set(PERSONAL_FIELDS))


class Course(Record):
    id: Id
    title: Text
    provider: Text
    district: DistrictName
    occupation: OccupationCode
    level: LevelLabel = None
    skills: Skills = []
    hours: float = Field(gt=0, le=5000)
    format: Literal["线下", "线上", "混合"] = "线下"
    subsidised: bool = False
    start_date: dt.date | None = None
    seats: int | None = Field(default=None, ge=0)


class TrainingRecord(Record):
    """A trainee's enrolment in a course and what came of it (for the 培训 KPIs)."""

    id: Id
    trainee_id: Id
    course_id: Id
    start_date: dt.date | None = None
    completed: bool = False
    certified_level: LevelLabel = None  # level obtained at the end; None = no certificate


class Placement(Record):
    """A trainee placed in a job (for 培训总体就业率 and 培训与产业匹配度)."""

    id: Id
    trainee_id: Id
    posting_id: str | None = None
    employer: str | None = None
    occupation: OccupationCode
    district: DistrictName
    industry: str | None = None
    placed_at: dt.date | None = None


KINDS: dict[str, type[Record]] = {
    "postings": Posting,
    "trainees": Trainee,
    "courses": Course,
    "training_records": TrainingRecord,
    "placements": Placement,
}


def level_of(label: str | None) -> Level | None:
    """The Level behind a stored canonical label."""
    return parse_level(label)
