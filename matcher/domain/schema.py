"""The data contract: postings, trainees, courses and pipeline records, as validated pydantic models.

One JSON object per line (JSON Lines, UTF-8). Validation normalises as it checks:
district names/adcodes become the canonical district name, occupation names/aliases/工种/codes become
CSCO codes, level spellings become the canonical level label. Errors name the field path
(e.g. `requirements.certificates[0].level`) so an importer can report file, line and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import parse_level
from matcher.catalogues.licences import SKILL
from matcher.catalogues.occupations import load_occupations
from matcher.domain.certificates import normalise_certificate
from matcher.domain.extract import extract
from matcher.domain.geo import in_chongqing

PriorityGroup = Literal[
    "农民工",
    "毕业年度高校毕业生",
    "登记失业人员",
    "脱贫人口",
    "退役军人",
    "残疾人",
    "离校未就业青年",
    "返岗女性",
]
PRIORITY_GROUPS: tuple[str, ...] = get_args(PriorityGroup)
# Stored for the record and for statutory statistics; never read by ranking code.
PROTECTED_FIELDS = ("gender", "birth_year", "hukou", "ethnicity", "marital_status", "health")
PERSONAL_FIELDS = ("name", "phone", "id_number", *PROTECTED_FIELDS)
CERT_NUMBERS = "certificate_numbers"  # key of the certificates' numbers in the personal column


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
# Letters (any script), digits, "_", ".", ":" and "-": an id must survive being a URL path segment.
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:\-]+$"), AfterValidator(_nonblank)]
FUTURE_TOLERANCE_DAYS = 2  # time zones and clock skew; beyond this a date in the future is an input error


def _not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > dt.date.today() + dt.timedelta(days=FUTURE_TOLERANCE_DAYS):
        raise ValueError(f"日期 {value.isoformat()} 在未来（晚于今天 {dt.date.today().isoformat()}）")
    return value


PastDate = Annotated[dt.date | None, AfterValidator(_not_future)]
# Mainland mobile (+86 optional) or fixed line (area code 0xx/0xxx optional, 7–8 digits, optional extension).
PHONE_PATTERN = r"^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|(?:0\d{2,3}[- ]?)?[2-9]\d{6,7}(?:[- ]\d{1,6})?)$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含 NUL 字符（\\u0000）")
    return value


# Every text and list field has a documented upper bound, enforced for the API and the importers alike,
# so no single record can make matching slow (a 900 KB title once took a minute of CPU).
MAX_TITLE, MAX_NAME, MAX_SHORT, MAX_DESCRIPTION = 200, 50, 100, 10_000
MAX_SKILLS, MAX_SKILL, MAX_CERTIFICATES = 50, 50, 20


# Free text bounded by length (no NUL): one alias per bound, so mypy sees a type, not a call.
NameText = Annotated[str, Field(max_length=MAX_NAME), AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(max_length=MAX_SHORT), AfterValidator(_no_nul)]
TitleText = Annotated[str, Field(max_length=MAX_TITLE), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=MAX_DESCRIPTION), AfterValidator(_no_nul)]
IdText = Annotated[str, Field(max_length=64), AfterValidator(_no_nul)]


Text = Annotated[str, Field(max_length=MAX_TITLE), AfterValidator(_no_nul), AfterValidator(_nonblank)]
Skills = Annotated[
    list[Annotated[str, Field(max_length=MAX_SKILL)]], Field(max_length=MAX_SKILLS), AfterValidator(_skills)
]
Money = Annotated[int, Field(ge=0, le=1_000_000)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def warnings(self) -> list[tuple[str, str]]:
        """(field, message) for values kept but not understood; the import report lists them."""
        return []


class _Located(Record):
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)

    @model_validator(mode="after")
    def _check_point(self):
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon 与 lat 必须同时提供")
        if self.lon is not None and not in_chongqing(self.lon, self.lat):
            raise ValueError(f"坐标 ({self.lon}, {self.lat}) 不在重庆市范围内")
        return self


class _Certificate(Record):
    """A certificate of any system (see `matcher.catalogues.licences`); read leniently by
    `matcher.domain.certificates.normalise_certificate`: a value it cannot read makes `recognised` false and
    says why in `note`, instead of rejecting the whole record."""

    type: ShortText = SKILL
    occupation: ShortText | None = None  # CSCO code (skill: required)
    item: ShortText | None = None  # 操作项目, 项目代号, 准驾车型, 资格名称
    level: NameText | int | None = None
    name: ShortText | None = None  # only kept when unrecognised, verbatim
    recognised: bool = True
    note: str | None = None  # written by normalise_certificate, bounded by what it quotes

    _required: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict) or any(isinstance(v, str) and len(v) > MAX_TITLE for v in data.values()):
            return data  # pydantic reports the type error / the over-long field
        return normalise_certificate(data, required=cls._required)


def certificate_warnings(path: str, certs: Sequence[_Certificate]) -> list[tuple[str, str]]:
    """(field path, message) per problem noted on a list of certificates ('level: …' → path[n].level)."""
    out = []
    for n, cert in enumerate(certs):
        for note in (cert.note or "").split("；") if cert.note else []:
            field, _, message = note.partition(": ")
            out.append((f"{path}[{n}].{field}", message))
    return out


class RequiredCertificate(_Certificate):
    mandatory: bool = False  # 持证上岗: a hard filter, not a soft score
    group: str | None = Field(default=None, max_length=32)  # alternatives ("A或B") share a group

    _required: ClassVar[bool] = True


class Requirements(Record):
    certificates: list[RequiredCertificate] = Field(default=[], max_length=MAX_CERTIFICATES)
    min_experience_years: float = Field(default=0, ge=0, le=60)
    education: ShortText | None = None
    skills: Skills = []


class Posting(_Located):
    id: Id
    title: Text
    employer: Text
    district: DistrictName
    address: TitleText | None = None
    description: LongText = ""
    requirements: Requirements = Requirements()
    salary_min: Money | None = None
    salary_max: Money | None = None
    shift: NameText | None = None
    industry: ShortText | None = None
    posted_at: PastDate = None
    status: Literal["open", "closed"] = "open"
    # Where each requirement came from: "stated" by the employer/source, or "extracted" from the text by
    # `matcher.domain.extract` because it was absent. Set on validation; the employer confirms by stating it.
    provenance: dict[str, Literal["stated", "extracted"]] = {}
    extraction_spans: list[dict[str, Any]] = []  # the text each extracted requirement came from

    @model_validator(mode="before")
    @classmethod
    def _read_requirements(cls, data: Any) -> Any:
        """Requirements the posting does not state are read from its text; stated ones always win."""
        if not isinstance(data, dict) or not isinstance(data.get("requirements", {}), dict):
            return data
        title, description = data.get("title"), data.get("description")
        if (isinstance(title, str) and len(title) > MAX_TITLE) or (
            isinstance(description, str) and len(description) > MAX_DESCRIPTION
        ):
            return data  # too long: the field validators reject it; reading it first would cost the CPU
        data = dict(data)
        before = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
        # a stored record read back: its extracted fields are read again from the text, not taken as stated
        req = {
            k: v for k, v in (data.get("requirements") or {}).items() if before.get(f"requirements.{k}") != "extracted"
        }
        if before.get("shift") == "extracted":
            data.pop("shift", None)
        raw_skills = req.get("skills")
        skills = raw_skills if isinstance(raw_skills, list) else []
        found = extract(
            str(data.get("description") or ""), str(data.get("title") or ""), [str(x) for x in skills[:MAX_SKILLS]]
        )
        provenance: dict[str, str] = {}
        used: set[str] = set()
        for key, value in (
            ("certificates", found.certificates),
            ("min_experience_years", found.min_experience_years),
            ("education", found.education),
        ):
            if req.get(key) is not None:
                provenance[f"requirements.{key}"] = "stated"
            elif value not in (None, []):
                req[key] = value
                provenance[f"requirements.{key}"] = "extracted"
                used.add(key)
        if data.get("shift") is not None:
            provenance["shift"] = "stated"
        elif found.shift is not None:
            data["shift"] = found.shift
            provenance["shift"] = "extracted"
            used.add("shift")
        data["requirements"] = req
        data["provenance"] = provenance
        data["extraction_spans"] = [s for s in found.spans if s["field"] in used]
        return data

    @model_validator(mode="after")
    def _check_salary(self):
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            raise ValueError(f"salary_min ({self.salary_min}) 大于 salary_max ({self.salary_max})")
        return self

    def warnings(self) -> list[tuple[str, str]]:
        return certificate_warnings("requirements.certificates", self.requirements.certificates)


class HeldCertificate(_Certificate):
    issued_at: NameText | None = None  # 'YYYY-MM-DD' or 'YYYY-MM'
    expires_at: NameText | None = None  # inclusive; derived when absent
    expires_derived: bool = False
    number: str | None = Field(default=None, max_length=64)  # personal data: stored with the personal fields


class Trainee(_Located):
    id: Id
    district: DistrictName
    certificates: list[HeldCertificate] = Field(default=[], max_length=MAX_CERTIFICATES)
    skills: Skills = []
    experience_years: float = Field(default=0, ge=0, le=60)
    desired_salary: Money | None = None
    consent_employer_search: bool = False
    priority_group: PriorityGroup | None = None
    # Personal data: stored apart from the profile, never used for ranking, masked for employers.
    name: NameText | None = None
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    id_number: str | None = Field(default=None, pattern=r"^\d{17}[\dXx]$")
    gender: NameText | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    hukou: NameText | None = None
    ethnicity: NameText | None = None
    marital_status: NameText | None = None
    health: ShortText | None = None

    @model_validator(mode="before")
    @classmethod
    def _merge_numbers(cls, data: Any) -> Any:
        """Certificate numbers live with the personal fields; put them back on their certificates."""
        if isinstance(data, dict) and isinstance(data.get(CERT_NUMBERS), list):
            data = dict(data)
            numbers = data.pop(CERT_NUMBERS)
            certs = data.get("certificates")
            if isinstance(certs, list):
                data["certificates"] = [
                    c | {"number": n} if isinstance(c, dict) and n else c
                    for c, n in zip(certs, [*numbers, *[None] * len(certs)], strict=False)
                ]
        return data

    def profile(self) -> dict:
        """The ranking-visible part: everything except personal and protected fields."""
        out = self.model_dump(mode="json", exclude=set(PERSONAL_FIELDS))
        for cert in out["certificates"]:
            cert.pop("number", None)
        return out

    def personal(self) -> dict:
        out = self.model_dump(mode="json", include=set(PERSONAL_FIELDS))
        numbers = [c.number for c in self.certificates]
        out[CERT_NUMBERS] = numbers if any(numbers) else None
        return out

    def warnings(self) -> list[tuple[str, str]]:
        """(field, message) for certificates kept but not understood — reported, never used for gating."""
        return certificate_warnings("certificates", self.certificates)


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
    posting_id: IdText | None = None
    employer: TitleText | None = None
    occupation: OccupationCode
    district: DistrictName
    industry: ShortText | None = None
    placed_at: PastDate = None


# What the store keeps: every kind has an `id` (nested models such as Requirements are Records too).
StoredRecord = Posting | Trainee | Course | TrainingRecord | Placement

KINDS: dict[str, type[StoredRecord]] = {
    "postings": Posting,
    "trainees": Trainee,
    "courses": Course,
    "training_records": TrainingRecord,
    "placements": Placement,
}
