"""Public endpoints (no key): health, catalogues, search, postings and courses (both are public notices)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from api.context import AppContext, get_ctx
from api.schemas import MAX_QUERY, ExtractIn, ExtractOut, LintIn, Offset, TopK
from matcher import __version__
from matcher.catalogues.districts import load_districts
from matcher.catalogues.occupations import load_occupations
from matcher.extract import extract
from matcher.lint import lint_posting, lint_text
from matcher.store import CourseRow, PostingRow

router = APIRouter()
PUBLIC = ["公开接口 / public"]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(ctx: AppContext = Depends(get_ctx)) -> str:
    counts = ctx.store.counts()
    return (
        "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>重庆技能人才岗位匹配服务</title>"
        "<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
        "<h1>重庆技能人才岗位匹配服务</h1>"
        f"<p>岗位 {counts['postings']:,} 条 · 学员 {counts['trainees']:,} 人 · 课程 {counts['courses']:,} 门</p>"
        "<p><a href='/docs'>接口文档（OpenAPI）</a> · <a href='/api/search?q=叉车司机'>试一试：搜索“叉车司机”</a></p>"
        f"<p style='color:#666'>版本 {__version__}</p></body></html>"
    )


@router.get(
    "/healthz",
    tags=["运维 / operations"],
    summary="存活检查 / liveness",
    description="进程在运行即返回 ok（不检查索引）。Returns ok while the process runs.",
)
def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["运维 / operations"],
    summary="就绪检查：索引已加载、数据库可达 / readiness",
    description="索引未加载或数据库不可达时返回 503。503 until the indexes are loaded and the store answers.",
    responses={503: {"description": "未就绪 / not ready"}},
)
def readyz(ctx: AppContext = Depends(get_ctx)) -> dict:
    try:
        counts = ctx.store.counts()
    except Exception as exc:  # the database is unreachable
        raise HTTPException(503, detail=f"数据库不可达 / store unreachable: {type(exc).__name__}") from exc
    engine = ctx.require_engine()
    return {"status": "ready", "records": counts, "indexed": engine.counts()}


@router.get(
    "/metrics",
    tags=["运维 / operations"],
    summary="Prometheus 指标 / metrics",
    description="请求计数、延迟直方图、索引规模。Request counts, latency histograms, index sizes.",
    response_class=Response,
)
def metrics(ctx: AppContext = Depends(get_ctx)) -> Response:
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/stats", tags=PUBLIC, summary="数据概况 / record counts")
def stats(ctx: AppContext = Depends(get_ctx)) -> dict:
    return {"records": ctx.store.counts()}


@router.get(
    "/api/search",
    tags=PUBLIC,
    summary="混合检索岗位或课程 / hybrid search (FAISS + BM25)",
    description="自由文本检索岗位或课程（向量 + BM25，倒数排名融合）。Free-text search over postings or courses.",
)
def search(
    ctx: AppContext = Depends(get_ctx),
    q: str = Query(
        ..., min_length=1, max_length=MAX_QUERY, description="自由文本，如“叉车司机”", examples=["叉车司机"]
    ),
    kind: Literal["postings", "courses"] = Query("postings", description="postings | courses"),
    top_k: TopK = 10,
    offset: Offset = 0,
) -> dict:
    with ctx.reading() as engine:
        hits = engine.search(kind, q, k=offset + top_k)[offset:]
    return {"query": q, "kind": kind, "offset": offset, "top_k": top_k, "results": hits}


@router.get("/api/districts", tags=PUBLIC, summary="重庆区县 / Chongqing districts")
def districts() -> list[dict]:
    return [d.__dict__ for d in load_districts().districts]


@router.get(
    "/api/occupations/lookup",
    tags=PUBLIC,
    summary="职业查找（名称、别名、工种或代码）/ occupation lookup",
    responses={404: {"description": "找不到 / not found"}},
)
def occupation_lookup(q: str = Query(..., min_length=1, max_length=100, examples=["叉车司机"])) -> dict:
    found = load_occupations().candidates(q)
    if not found:
        raise HTTPException(404, detail=f"职业分类大典中找不到 {q!r}")
    return {"query": q, "matches": [{"code": o.code, "name": o.name, "aliases": list(o.aliases)} for o in found]}


@router.get(
    "/api/occupations/normalise",
    tags=PUBLIC,
    summary="职业标准化：自由文本 → 大典细类代码 / normalise a job title to CSCO codes",
    description="精确匹配、包含匹配与语义检索融合，返回带分数的候选。Exact, contains and hybrid matches with scores.",
)
def occupation_normalise(
    ctx: AppContext = Depends(get_ctx),
    q: str = Query(
        ..., min_length=1, max_length=200, description="职位名称、证书名或工种", examples=["维修电工（持证上岗）"]
    ),
    top_k: int = Query(5, ge=1, le=50, description="候选数 / candidates (1–50)"),
) -> dict:
    engine = ctx.require_engine()
    return {"query": q, "matches": [m.as_dict() for m in engine.normaliser.normalise(q, k=top_k)]}


def _page(ctx: AppContext, query, count_query, offset: int, top_k: int) -> dict:  # type: ignore[no-untyped-def]
    with ctx.store.session() as s:
        total = s.scalar(count_query) or 0
        items = list(s.execute(query.offset(offset).limit(top_k)).scalars())
    return {"total": total, "offset": offset, "top_k": top_k, "results": items}


@router.get(
    "/api/postings",
    tags=PUBLIC,
    summary="岗位列表 / list postings",
    description="按用人单位、区县、状态筛选，发布日期新→旧。Filter by employer, district, status; newest first.",
)
def list_postings(
    ctx: AppContext = Depends(get_ctx),
    employer: str | None = Query(None, max_length=200),
    district: str | None = Query(None, max_length=50, description="区县名称或代码"),
    status: Literal["open", "closed", "all"] = "open",
    top_k: TopK = 20,
    offset: Offset = 0,
) -> dict:
    conds = []
    if employer:
        conds.append(PostingRow.employer == employer)
    if district:
        conds.append(PostingRow.district == _district(district))
    if status != "all":
        conds.append(PostingRow.status == status)
    query = select(PostingRow.payload).where(*conds).order_by(PostingRow.posted_at.desc(), PostingRow.id)
    return _page(ctx, query, select(func.count()).select_from(PostingRow).where(*conds), offset, top_k)


def _district(text: str) -> str:
    from api.errors import InputError

    try:
        return load_districts().resolve(text).name
    except LookupError as exc:
        raise InputError("query.district", str(exc)) from exc


@router.get(
    "/api/postings/{posting_id}",
    tags=PUBLIC,
    summary="岗位详情（含合规检查）/ one posting, with its lint",
    responses={404: {"description": "岗位不存在 / no such posting"}},
)
def get_posting(posting_id: str, ctx: AppContext = Depends(get_ctx)) -> dict:
    posting = ctx.store.get("postings", posting_id)
    if posting is None:
        raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
    return posting.model_dump(mode="json") | {"lint": [f.as_dict() for f in lint_posting(posting)]}


@router.get(
    "/api/postings/{posting_id}/lint",
    tags=PUBLIC,
    summary="岗位合规检查：歧视性要求 / posting lint (discriminatory requirements)",
    description="性别、年龄上限、户籍、婚育、民族、乙肝等（就业促进法、网络招聘服务管理规定）。",
    responses={404: {"description": "岗位不存在 / no such posting"}},
)
def posting_lint(posting_id: str, ctx: AppContext = Depends(get_ctx)) -> dict:
    posting = ctx.store.get("postings", posting_id)
    if posting is None:
        raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
    findings = [f.as_dict() for f in lint_posting(posting)]
    return {"id": posting_id, "ok": not findings, "findings": findings}


@router.post(
    "/api/lint",
    tags=PUBLIC,
    summary="发布前检查岗位文本 / lint a draft posting",
    description="发布前检查标题、描述、学历与技能要求中的歧视性内容。Check a draft before posting it.",
)
def lint_draft(body: LintIn) -> dict:
    text = "\n".join([body.title, body.description, body.education or "", "、".join(body.skills)])
    findings = [f.as_dict() for f in lint_text(text)]
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
    summary="课程列表 / list courses",
    description="按区县、职业筛选，开课日期先→后。Filter by district and occupation; soonest first.",
)
def list_courses(
    ctx: AppContext = Depends(get_ctx),
    district: str | None = Query(None, max_length=50),
    occupation: str | None = Query(None, max_length=100, description="职业名称、工种或代码"),
    provider: str | None = Query(None, max_length=200),
    top_k: TopK = 20,
    offset: Offset = 0,
) -> dict:
    from api.errors import InputError

    conds = []
    if district:
        conds.append(CourseRow.district == _district(district))
    if occupation:
        try:
            conds.append(CourseRow.occupation == load_occupations().resolve(occupation).code)
        except LookupError as exc:
            raise InputError("query.occupation", str(exc)) from exc
    if provider:
        conds.append(CourseRow.payload["provider"].as_string() == provider)
    query = select(CourseRow.payload).where(*conds).order_by(CourseRow.start_date, CourseRow.id)
    return _page(ctx, query, select(func.count()).select_from(CourseRow).where(*conds), offset, top_k)


@router.get(
    "/api/courses/{course_id}",
    tags=PUBLIC,
    summary="课程详情 / one course",
    responses={404: {"description": "课程不存在 / no such course"}},
)
def get_course(course_id: str, ctx: AppContext = Depends(get_ctx)) -> dict:
    course = ctx.store.get("courses", course_id)
    if course is None:
        raise HTTPException(404, detail=f"课程 {course_id} 不存在")
    return course.model_dump(mode="json")
