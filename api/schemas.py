"""Request bodies and shared query options of the HTTP API, with bounds and OpenAPI examples.

Records themselves (postings, trainees, courses) use the data contract in `matcher.domain.schema`, so the API,
the importers and the CLI validate and normalise identically.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.schema import DistrictName, Money

MAX_TEXT = 2000  # free job text
MAX_QUERY = 500  # search box
TopK = Annotated[int, Query(ge=1, le=100, description="返回条数 / results per page (1–100)")]
Offset = Annotated[int, Query(ge=0, le=1000, description="跳过前若干条 / results to skip (pagination, ≤1000)")]
Radius = Annotated[float | None, Query(gt=0, le=500, description="半径（公里）/ radius in km")]

Skill = Annotated[str, Field(min_length=1, max_length=50)]


def _body_config(*examples: dict[str, Any]) -> ConfigDict:
    """A request body's config: unknown fields are errors, text is stripped, examples show in /docs."""
    if examples:
        return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": list(examples)})
    return ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Body(BaseModel):
    model_config = _body_config()


class JobOptions(_Body):
    """Filters and paging for jobs-for-a-trainee (also the query parameters of the GET form)."""

    top_k: int = Field(20, ge=1, le=100, description="返回条数 / results per page")
    offset: int = Field(0, ge=0, le=1000, description="分页偏移 / results to skip")
    radius_km: float | None = Field(None, gt=0, le=500, description="通勤半径（公里）/ radius in km")
    pay_floor: Money | None = Field(None, description="最低月薪（元）/ minimum monthly pay (CNY)")
    shift: str | None = Field(None, min_length=1, max_length=20, description="班次关键词，如“白班” / shift keyword")
    districts: list[DistrictName] | None = Field(None, max_length=41, description="只看这些区县 / only these districts")
    personalised: bool = Field(
        True, description="false：非个性化排序（不使用画像，PIPL 第24条）/ non-personalised ranking"
    )
    max_commute_minutes: float | None = Field(
        None,
        gt=0,
        le=600,
        description="单程通勤上限（分钟），缺省为服务配置"
        "（MATCHER_MAX_COMMUTE_MINUTES，默认 90）/ maximum one-way commute",
    )
    include_far: bool = Field(
        False, description="true：也列出超出通勤上限的岗位（标注 ✗ 需异地/住宿）/ list far jobs too, marked"
    )


class CertIn(_Body):
    """A certificate held, of any system; read like a trainee record's (see the README's data contract)."""

    type: str | None = Field(
        None,
        max_length=20,
        description="证书类型：职业技能等级证书（默认）| 职业资格证书 | 特种作业操作证 | "
        "特种设备作业人员证 | 专项职业能力证书 | 健康证 | 机动车驾驶证 | 其他",
        examples=["特种作业操作证"],
    )
    occupation: str | None = Field(
        None,
        max_length=50,
        description="职业名称、别名、工种或代码 / CSCO name, alias, 工种 or code",
        examples=["电工"],
    )
    item: str | None = Field(
        None, max_length=50, description="操作项目、项目代号或准驾车型 / licence item", examples=["低压电工作业"]
    )
    level: str | int | None = Field(
        None, description="技能等级，如“四级”“中级工”“技师” / skill level", examples=["四级"]
    )
    issued_at: str | None = Field(None, max_length=10, description="发证日期 YYYY-MM-DD 或 YYYY-MM")
    expires_at: str | None = Field(None, max_length=10, description="有效期至 YYYY-MM-DD 或 YYYY-MM（缺省按类型推算）")


class AdhocProfile(JobOptions):
    """A profile typed in by a job seeker without an account (nothing is stored)."""

    district: DistrictName = Field(
        description="居住区县（名称、简称或行政区划代码）/ home district", examples=["渝北区"]
    )
    certificates: list[CertIn] = Field(default_factory=list, max_length=20, description="持有证书 / certificates held")
    skills: list[Skill] = Field(default_factory=list, max_length=50, description="技能 / skills")
    experience_years: float = Field(0, ge=0, le=60, description="工作年限 / years of experience")
    desired_salary: Money | None = Field(None, description="期望月薪（元）/ desired monthly pay")
    lon: float | None = Field(None, ge=-180, le=180, description="经度（可选，须在重庆境内）")
    lat: float | None = Field(None, ge=-90, le=90, description="纬度（可选，与经度同时给出）")

    model_config = _body_config(
        {
            "district": "渝北区",
            "certificates": [{"occupation": "电工", "level": "四级"}],
            "skills": ["电气设备维修"],
            "experience_years": 3,
            "desired_salary": 6000,
            "top_k": 10,
            "radius_km": 30,
        }
    )


class AdhocGap(AdhocProfile):
    """An ad-hoc profile plus an optional target, for the skill-gap flow without an account."""

    target_occupation: str | None = Field(
        None, min_length=1, max_length=100, description="目标职业（名称/别名/代码）", examples=["消防设施操作员"]
    )
    target_posting: str | None = Field(None, min_length=1, max_length=64, description="目标岗位 id")

    model_config = _body_config(
        {"district": "沙坪坝区", "certificates": [], "target_occupation": "消防设施操作员", "radius_km": 30}
    )


class CandidateText(_Body):
    """Free job text for a candidate search without a stored posting."""

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="岗位描述 / job description")
    district: DistrictName | None = Field(None, description="工作区县 / work district")
    top_k: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1000)
    radius_km: float | None = Field(None, gt=0, le=500, description="候选人居住地半径（公里）")

    model_config = _body_config(
        {"text": "消防控制室值班，持消防设施操作员中级证，做一休一", "district": "沙坪坝区", "top_k": 10}
    )


class ContactRequestIn(_Body):
    message: str | None = Field(
        None,
        max_length=500,
        description="给学员的留言 / note to the trainee",
        examples=["您好，我们的消防控制室值班岗位与您的证书匹配，方便联系吗？"],
    )


class ExtractIn(_Body):
    """A draft posting's text, to see what the matcher reads from it before publishing."""

    title: str = Field("", max_length=200, description="岗位名称 / title", examples=["物业电工"])
    text: str = Field(
        max_length=10_000,
        description="岗位描述（含任职要求、福利）/ description",
        examples=["任职要求：1、需持高压或低压电工证上岗；2、3年以上物业电工经验；高中以上学历。两班倒，五险一金。"],
    )
    skills: list[Skill] = Field(default_factory=list, max_length=50, description="技能标签 / skill tags")


class LintIn(_Body):
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=MAX_TEXT * 5)
    education: str | None = Field(None, max_length=200)
    skills: list[Skill] = Field(default_factory=list, max_length=50)

    model_config = _body_config({"title": "汽车装调工", "description": "整车装配与调试，限男性，年龄35岁以下。"})


class KeyIn(_Body):
    role: str = Field(
        pattern=r"^(trainee|employer|trainer|office|admin)$",
        description="trainee | employer | trainer | office | admin",
    )
    subject: str = Field(
        min_length=1, max_length=200, description="学员 id / 用人单位名称 / 培训机构名称 / 办公室名称 / 管理员名称"
    )
    label: str | None = Field(None, max_length=200)

    model_config = _body_config({"role": "employer", "subject": "重庆示例物业服务有限公司", "label": "招聘专员"})


POSTING_EXAMPLE = {
    "id": "API-P001",
    "title": "消防设施操作员（中级）",
    "employer": "重庆示例物业服务有限公司",
    "district": "沙坪坝区",
    "description": "商业综合体消防控制室值守，做一休一。",
    "requirements": {
        "certificates": [{"occupation": "消防设施操作员", "level": "四级", "mandatory": True}],
        "skills": ["消防控制室值守"],
    },
    "salary_min": 4500,
    "salary_max": 5500,
    "shift": "做一休一",
    "posted_at": "2025-11-16",
    "status": "open",
}
TRAINEE_EXAMPLE = {
    "id": "API-T001",
    "district": "渝北区",
    "certificates": [{"occupation": "电工", "level": "四级", "issued_at": "2025-06-01"}],
    "skills": ["电气设备维修"],
    "experience_years": 2,
    "desired_salary": 6000,
    "consent_employer_search": True,
    "name": "示例某",
    "phone": "13800000000",
}
COURSE_EXAMPLE = {
    "id": "API-C001",
    "title": "电工（中级）取证培训",
    "provider": "重庆示例技师学院",
    "district": "渝北区",
    "occupation": "电工",
    "level": "四级",
    "skills": ["电气设备维修"],
    "hours": 120,
    "format": "混合",
    "subsidised": True,
    "start_date": "2026-01-10",
    "seats": 40,
}
