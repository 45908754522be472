"""FastAPI application factory: `uvicorn api.app:create_app --factory` or `matcher serve`.

Every flow of the product over HTTP, with roles (API keys bound to a role and a subject, see api/auth.py),
privacy rules (masked contacts, consent, audit), metrics, structured logs and request ids.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from threadpoolctl import threadpool_limits

from api import errors
from api.context import AppContext
from api.observability import (
    ObservabilityMiddleware,
    SecurityHeadersMiddleware,
    configure_logging,
)
from api.routes_flows import router as flows_router
from api.routes_office import router as office_router
from api.routes_public import router as public_router
from api.routes_records import router as records_router
from matcher import __version__
from matcher.config import Settings, get_settings
from matcher.domain.errors import NotReady
from matcher.service.engine import Engine

log = logging.getLogger("api")

DESCRIPTION = """
**岗位需求 + 技能培训 + 技能评价 + 就业服务** — job matching for vocational-skills trainees in Chongqing.

**认证 / Authentication.** `Authorization: Bearer <key>` 或 `X-API-Key: <key>`。密钥绑定角色与主体：
trainee（学员 id，只能访问本人）、employer（单位名称，只能操作本单位岗位、检索同意被搜索的学员）、
trainer（培训机构，本机构课程、汇总、任意学员的技能差距）、office（人社办公室：汇总、课程、学员登记、审计日志）、
admin（导入、索引重建、密钥管理）。缺少或错误的密钥 → 401，角色或主体不符 → 403。
Keys are bound to a role and a subject; missing/wrong key → 401, wrong role or subject → 403.

**公开接口 / Public (no key):** 健康检查、指标、文档、区县与职业目录、岗位与课程的查询和检索、临时画像找岗位、岗位合规检查。

**隐私 / Privacy (PIPL, 就业促进法, 网络招聘服务管理规定).** 用人单位只能检索同意被搜索的学员，看不到身份证号、
精确住址和受保护属性（性别、出生年份、户籍、民族、婚姻、健康）；联系方式脱敏（张**、138****5678），
学员接受联系请求后才向该单位公开；每次候选人检索和档案查看写入审计日志。
排序结果都附理由，并可选择非个性化排序（`personalised=false`）。

**错误 / Errors.** 输入错误一律 422：`{"detail": [{"field": "body.certificates[0].level", "message": "…"}]}`；
路径中的 id 不存在 → 404，请求体或查询参数中的 id/取值不存在 → 422 并指明字段；其他错误 `{"detail": "…"}`（401、403、404、409、413、503）。
**分页 / Paging:** `offset` + `top_k`（1–100）。每个响应带 `X-Request-ID`。
"""

TAGS = [
    {"name": "公开接口 / public", "description": "无需密钥 / no key needed"},
    {"name": "学员 / trainee", "description": "推荐岗位、技能差距、联系请求 / jobs, skill gap, contact requests"},
    {"name": "用人单位 / employer", "description": "候选人检索（脱敏、审计）与联系请求 / candidates (masked, audited)"},
    {"name": "岗位管理 / postings", "description": "发布、更新、关闭、删除岗位 / posting CRUD"},
    {"name": "学员档案 / trainees", "description": "学员档案 / trainee records"},
    {"name": "课程管理 / courses", "description": "课程 / course CRUD"},
    {"name": "培训与人社 / trainer & office", "description": "汇总指标与审计 / aggregates and audit"},
    {"name": "管理 / admin", "description": "导入、索引、密钥 / import, indexes, keys"},
    {"name": "运维 / operations", "description": "健康、就绪、指标 / health, readiness, metrics"},
    {"name": "身份 / identity", "description": "当前密钥的角色与主体 / who the key is"},
]


def _tune_encoder(engine: Engine) -> None:
    """Query-time encodes are single texts, and a request's matrix products are small: one thread each
    beats threads fighting for two cores (and leaves the other core to the next request) — at 8 clients
    +9% (this limit, eval/results/bench_http.md) to +24% (OMP/OpenBLAS env limits, bench_http_omp1.md)
    against no limit (bench_http_pre_threads.md). Applies to the encoder's threads and to every BLAS
    pool in the process (threadpoolctl).
    MATCHER_API_ENCODER_THREADS overrides (0 = leave as is)."""
    from models import limit_threads  # the encoders' own setting (cache and fusion pass it on)

    threads = engine.settings.api_encoder_threads
    if threads <= 0:
        return
    threadpool_limits(limits=threads, user_api="blas")
    limit_threads(engine.encoder, threads)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    ctx = AppContext(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if ctx.engine is None:
            try:
                ctx.engine = Engine(settings, ctx.store)
                _tune_encoder(ctx.engine)
            except NotReady as exc:  # service still starts; /readyz says why it is not ready
                ctx.engine_error = str(exc)
                log.warning("%s", exc)
        yield

    app = FastAPI(
        title="重庆技能人才岗位匹配服务 · Chongqing skills-to-jobs matcher",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by api.web with Swagger UI's assets from web/node_modules (no CDN)
        redoc_url=None,
        redirect_slashes=False,  # a slash redirect would echo the Host header into Location
    )
    app.state.ctx = ctx
    errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ObservabilityMiddleware, metrics=ctx.metrics, body_timeout=settings.body_timeout_seconds)
    for router in (public_router, flows_router, records_router, office_router):
        app.include_router(router)
    from api.web import (
        mount_web,  # the Chinese web page at / (web/static/, ECharts from web/node_modules/), /docs, /api/me
    )

    mount_web(app)
    build_openapi = app.openapi

    def openapi() -> dict:
        """FastAPI's document, with the error bodies this API really sends (api.errors.document_errors)."""
        if app.openapi_schema is None:
            app.openapi_schema = errors.document_errors(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
    return app
