"""FastAPI application factory: `uvicorn api.app:create_app --factory` or `matcher serve`.

This first version serves the catalogues, records, status and hybrid search. Ranking flows, roles and
the web page are added on top of the same app.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse

from matcher import __version__
from matcher.catalogues.districts import load_districts
from matcher.catalogues.occupations import load_occupations
from matcher.config import Settings, get_settings
from matcher.engine import Engine, NotReadyError
from matcher.store import Store

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    state: dict[str, object] = {"store": Store.from_settings(settings), "engine": None, "engine_error": None}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        try:
            state["engine"] = Engine(settings, state["store"])  # type: ignore[arg-type]
        except NotReadyError as exc:  # service still starts; /readyz says why it is not ready
            state["engine_error"] = str(exc)
            log.warning("%s", exc)
        yield

    app = FastAPI(
        title="重庆技能人才岗位匹配服务 · Chongqing skills-to-jobs matcher",
        version=__version__,
        description="岗位需求 + 技能培训 + 技能评价 + 就业服务。Job matching for vocational-skills trainees in Chongqing.",
        lifespan=lifespan,
    )
    store: Store = state["store"]  # type: ignore[assignment]

    def engine() -> Engine:
        if state["engine"] is None:
            raise HTTPException(503, detail=state["engine_error"] or "索引尚未加载")
        return state["engine"]  # type: ignore[return-value]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        counts = store.counts()
        return (
            "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>重庆技能人才岗位匹配服务</title>"
            "<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
            "<h1>重庆技能人才岗位匹配服务</h1>"
            f"<p>岗位 {counts['postings']:,} 条 · 学员 {counts['trainees']:,} 人 · 课程 {counts['courses']:,} 门</p>"
            "<p><a href='/docs'>接口文档（OpenAPI）</a> · <a href='/api/search?q=叉车司机'>试一试：搜索“叉车司机”</a></p>"
            "</body></html>"
        )

    @app.get("/healthz", summary="存活检查 / liveness")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", summary="就绪检查：索引已加载、数据库可达 / readiness")
    def readyz() -> dict:
        counts = store.counts()  # raises if the database is unreachable
        return {"status": "ready", "records": counts, "indexed": engine().counts()}

    @app.get("/api/stats", summary="数据概况 / record counts")
    def stats() -> dict:
        return {"records": store.counts()}

    @app.get("/api/search", summary="混合检索岗位或课程 / hybrid search (FAISS + BM25)")
    def search(
        q: str = Query(..., min_length=1, max_length=500, description="自由文本，如“叉车司机”"),
        kind: Literal["postings", "courses"] = "postings",
        top_k: int = Query(10, ge=1, le=100),
    ) -> dict:
        return {"query": q, "kind": kind, "results": engine().search(kind, q, k=top_k)}

    @app.get("/api/postings/{posting_id}", summary="岗位详情 / one posting")
    def get_posting(posting_id: str) -> dict:
        posting = store.get("postings", posting_id)
        if posting is None:
            raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
        return posting.model_dump(mode="json")

    @app.get("/api/courses/{course_id}", summary="课程详情 / one course")
    def get_course(course_id: str) -> dict:
        course = store.get("courses", course_id)
        if course is None:
            raise HTTPException(404, detail=f"课程 {course_id} 不存在")
        return course.model_dump(mode="json")

    @app.get("/api/districts", summary="重庆区县 / Chongqing districts")
    def districts() -> list[dict]:
        return [d.__dict__ for d in load_districts().districts]

    @app.get("/api/occupations/lookup", summary="职业查找（名称、别名、工种或代码）/ occupation lookup")
    def occupation_lookup(q: str = Query(..., min_length=1, max_length=100)) -> dict:
        found = load_occupations().candidates(q)
        if not found:
            raise HTTPException(404, detail=f"职业分类大典中找不到 {q!r}")
        return {"query": q, "matches": [{"code": o.code, "name": o.name, "aliases": list(o.aliases)} for o in found]}

    return app
