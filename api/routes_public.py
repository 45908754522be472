"""Public endpoints (no key): health, catalogues, search, postings and courses (both are public notices)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api import services
from api.deps import CourseId, Ctx, DistrictQuery, EngineDep, PostingId
from api.responses import (
    CourseOut,
    CoursePageOut,
    DistrictOut,
    ExtractOut,
    HealthOut,
    LintOut,
    NormaliseOut,
    OccupationLookupOut,
    PostingDetailOut,
    PostingLintOut,
    PostingPageOut,
    ReadyOut,
    SearchOut,
    StatsOut,
    errors,
)
from api.schemas import MAX_QUERY, ExtractIn, LintIn, Offset, TopK
from matcher.catalogues.districts import load_districts
from matcher.catalogues.occupations import load_occupations
from matcher.domain.errors import NotFound, NotReady
from matcher.domain.extract import extract
from matcher.domain.lint import lint_posting
from matcher.domain.schema import Posting

router = APIRouter()
PUBLIC: list[str | Enum] = ["公开接口 / public"]
OPERATIONS: list[str | Enum] = ["运维 / operations"]


@router.get(
    "/healthz",
    tags=OPERATIONS,
    response_model=HealthOut,
    summary="存活检查 / liveness",
    description="进程在运行即返回 ok（不检查索引）。Returns ok while the process runs.",
)
def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=OPERATIONS,
    response_model=ReadyOut,
    summary="就绪检查：索引已加载、数据库可达 / readiness",
    description="索引未加载或数据库不可达时返回 503。503 until the indexes are loaded and the store answers.",
    responses=errors({503: "未就绪 / not ready"}),
)
def readyz(ctx: Ctx) -> dict:
    try:
        counts = ctx.store.counts()
    except Exception as exc:  # the database is unreachable
        raise NotReady(f"数据库不可达 / store unreachable: {type(exc).__name__}") from exc
    engine = ctx.require_engine()
    return {"status": "ready", "records": counts, "indexed": engine.counts()}


@router.get(
    "/metrics",
    tags=OPERATIONS,
    summary="Prometheus 指标 / metrics",
    description="请求计数、延迟直方图、索引规模（Prometheus 文本格式）。Request counts, latency histograms, index sizes.",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(ctx: Ctx) -> Response:
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/stats", tags=PUBLIC, response_model=StatsOut, summary="数据概况 / record counts")
def stats(ctx: Ctx) -> dict:
    return {"records": ctx.store.counts()}


@router.get(
    "/api/search",
    tags=PUBLIC,
    response_model=SearchOut,
    response_model_exclude_unset=True,
    summary="混合检索岗位或课程 / hybrid search (FAISS + BM25)",
    description="自由文本检索岗位或课程（向量 + BM25，倒数排名融合）。Free-text search over postings or courses.",
)
def search(
    ctx: Ctx,
    q: Annotated[
        str, Query(min_length=1, max_length=MAX_QUERY, description="自由文本，如“叉车司机”", examples=["叉车司机"])
    ],
    kind: Annotated[Literal["postings", "courses"], Query(description="postings | courses")] = "postings",
    top_k: TopK = 10,
    offset: Offset = 0,
) -> dict:
    with ctx.reading() as engine:
        hits = engine.search(kind, q, k=offset + top_k)[offset:]
    return {"query": q, "kind": kind, "offset": offset, "top_k": top_k, "results": hits}


@router.get("/api/districts", tags=PUBLIC, response_model=list[DistrictOut], summary="重庆区县 / Chongqing districts")
def districts() -> list[dict]:
    return [d.__dict__ for d in load_districts().districts]


@router.get(
    "/api/occupations/lookup",
    tags=PUBLIC,
    response_model=OccupationLookupOut,
    summary="职业查找（名称、别名、工种或代码）/ occupation lookup",
    responses=errors({404: "找不到 / not found"}),
)
def occupation_lookup(q: Annotated[str, Query(min_length=1, max_length=100, examples=["叉车司机"])]) -> dict:
    found = load_occupations().candidates(q)
    if not found:
        raise NotFound(f"职业分类大典中找不到 {q!r}")
    return {"query": q, "matches": [{"code": o.code, "name": o.name, "aliases": list(o.aliases)} for o in found]}


@router.get(
    "/api/occupations/normalise",
    tags=PUBLIC,
    response_model=NormaliseOut,
    summary="职业标准化：自由文本 → 大典细类代码 / normalise a job title to CSCO codes",
    description="精确匹配、包含匹配与语义检索融合，返回带分数的候选。Exact, contains and hybrid matches with scores.",
)
def occupation_normalise(
    engine: EngineDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, description="职位名称、证书名或工种", examples=["维修电工（持证上岗）"]),
    ],
    top_k: Annotated[int, Query(ge=1, le=50, description="候选数 / candidates (1–50)")] = 5,
) -> dict:
    return {"query": q, "matches": [m.as_dict() for m in engine.normaliser.normalise(q, k=top_k)]}


@router.get(
    "/api/postings",
    tags=PUBLIC,
    response_model=PostingPageOut,
    summary="岗位列表 / list postings",
    description="按用人单位、区县、状态筛选，发布日期新→旧。Filter by employer, district, status; newest first.",
)
def list_postings(
    ctx: Ctx,
    employer: Annotated[str | None, Query(max_length=200)] = None,
    district: DistrictQuery = None,
    status: Literal["open", "closed", "all"] = "open",
    top_k: TopK = 20,
    offset: Offset = 0,
) -> dict:
    return services.list_postings(ctx, employer=employer, district=district, status=status, offset=offset, top_k=top_k)


@router.get(
    "/api/postings/{posting_id}",
    tags=PUBLIC,
    response_model=PostingDetailOut,
    summary="岗位详情（含合规检查）/ one posting, with its lint",
    responses=errors({404: "岗位不存在"}),
)
def get_posting(posting_id: PostingId, ctx: Ctx) -> dict:
    posting = services.get_record(ctx, "postings", posting_id)
    assert isinstance(posting, Posting)
    return posting.model_dump(mode="json") | {"lint": [f.as_dict() for f in lint_posting(posting)]}


@router.get(
    "/api/postings/{posting_id}/lint",
    tags=PUBLIC,
    response_model=PostingLintOut,
    summary="岗位合规检查：歧视性要求 / posting lint (discriminatory requirements)",
    description="性别、年龄上限、户籍、婚育、民族、乙肝等（就业促进法、网络招聘服务管理规定）。",
    responses=errors({404: "岗位不存在"}),
)
def posting_lint(posting_id: PostingId, ctx: Ctx) -> dict:
    posting = services.get_record(ctx, "postings", posting_id)
    assert isinstance(posting, Posting)
    findings = [f.as_dict() for f in lint_posting(posting)]
    return {"id": posting_id, "ok": not findings, "findings": findings}


@router.post(
    "/api/lint",
    tags=PUBLIC,
    response_model=LintOut,
    summary="发布前检查岗位文本 / lint a draft posting",
    description="发布前检查标题、描述、学历与技能要求中的歧视性内容。Check a draft before posting it.",
)
def lint_draft(body: LintIn) -> dict:
    requirements = {"education": body.education, "skills": body.skills}
    draft = {"title": body.title, "description": body.description, "requirements": requirements}
    findings = [f.as_dict() for f in lint_posting(draft)]
    return {"ok": not findings, "findings": findings}


@router.post(
    "/api/extract",
    tags=PUBLIC,
    response_model=ExtractOut,
    summary="从岗位文本读取要求（证书、经验、学历、班次、福利）/ requirements read from posting text",
    description="发布前查看系统从文本中读出的要求：证书（持证上岗/优先、可替代的证书为同一 group）、经验年限、"
    "学历、班次和福利，每项附原文位置。未填写结构化要求的岗位在导入和发布时按此读取（provenance = "
    "extracted），雇主填写的要求优先。What the matcher reads from a draft, with spans.",
)
def extract_requirements(body: ExtractIn) -> dict:
    return extract(body.text, body.title, body.skills).as_dict()  # what publishing this draft would read


@router.get(
    "/api/courses",
    tags=PUBLIC,
    response_model=CoursePageOut,
    summary="课程列表 / list courses",
    description="按区县、职业筛选，开课日期先→后。Filter by district and occupation; soonest first.",
)
def list_courses(
    ctx: Ctx,
    district: DistrictQuery = None,
    occupation: Annotated[str | None, Query(max_length=100, description="职业名称、工种或代码")] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
    top_k: TopK = 20,
    offset: Offset = 0,
) -> dict:
    return services.list_courses(
        ctx, district=district, occupation=occupation, provider=provider, offset=offset, top_k=top_k
    )


@router.get(
    "/api/courses/{course_id}",
    tags=PUBLIC,
    response_model=CourseOut,
    summary="课程详情 / one course",
    responses=errors({404: "课程不存在"}),
)
def get_course(course_id: CourseId, ctx: Ctx) -> dict:
    return services.get_record(ctx, "courses", course_id).model_dump(mode="json")
