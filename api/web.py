"""The Chinese web page (求职 / 招聘 / 培训·人社), served by the same FastAPI app from `web/static/`.

The page is plain HTML + vanilla JS modules + CSS and talks only to the public JSON API (with the API key
the user pastes into its 「角色/密钥」 box, kept in sessionStorage). Charts use ECharts from the npm
registry, installed at build time into `web/node_modules/` (`make web`, i.e. `npm ci --prefix web`) and
served from there at `/static/vendor/echarts.min.js`: nothing is fetched from a CDN, the page works
offline. Without ECharts the page still works and says where the charts would be.

Where `web/` is: `Settings.web_dir` (MATCHER_WEB_DIR; default the source tree's `web/`). Mount it all with
`mount_web(app)` at the end of `create_app` (idempotent). Without `web/static/index.html` (e.g. a wheel
install) `/` falls back to a plain page with the record counts and a link to the docs. Also here:
`/docs` (Swagger UI from npm's swagger-ui-dist, no CDN) and `GET /api/me` (role and subject of the
caller's key), which the page needs to know whose postings to list.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import AnyRole, Ctx
from api.responses import MeOut
from matcher import __version__
from matcher.config import Settings, get_settings

log = logging.getLogger("api.web")


def web_dir(settings: Settings | None = None) -> Path:
    """`web/` of the source tree, or Settings.web_dir (MATCHER_WEB_DIR, a copy of it) for other layouts."""
    return (settings or get_settings()).web_dir


def echarts_file(settings: Settings | None = None) -> Path:
    return web_dir(settings) / "node_modules" / "echarts" / "dist" / "echarts.min.js"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.ctx.settings
    return settings


router = APIRouter()  # always mounted: docs, vendored assets, /api/me
page_router = APIRouter()  # the page itself, when web/static is there
NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate (ETag) so a rebuilt page is picked up at once
LONG_CACHE = {"Cache-Control": "public, max-age=86400"}


@page_router.get("/", include_in_schema=False, response_class=FileResponse)
def index(request: Request) -> FileResponse:
    page = web_dir(_settings(request)) / "static" / "index.html"
    return FileResponse(page, media_type="text/html; charset=utf-8", headers=NO_CACHE)


def plain_home(ctx: Ctx) -> str:
    """`/` when the web page is not installed: the record counts and the way to the docs."""
    counts = ctx.store.counts()
    return (
        "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>重庆技能人才岗位匹配服务</title>"
        "<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
        "<h1>重庆技能人才岗位匹配服务</h1>"
        f"<p>岗位 {counts['postings']:,} 条 · 学员 {counts['trainees']:,} 人 · 课程 {counts['courses']:,} 门</p>"
        "<p><a href='/docs'>接口文档（OpenAPI）</a> · <a href='/api/search?q=叉车司机'>试一试：搜索“叉车司机”</a></p>"
        f"<p style='color:#666'>版本 {__version__}</p></body></html>"
    )


@router.get("/static/vendor/echarts.min.js", include_in_schema=False, response_class=FileResponse)
def echarts_js(request: Request) -> Response:
    path = echarts_file(_settings(request))
    if not path.is_file():
        # The page handles a missing chart library (it shows the tables and says how to install it).
        return Response(
            "/* ECharts 未安装：运行 make web（npm ci --prefix web）*/",
            status_code=404,
            media_type="application/javascript",
        )
    return FileResponse(path, media_type="application/javascript", headers=LONG_CACHE)


SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@router.get("/static/vendor/swagger/{name}", include_in_schema=False, response_class=FileResponse)
def swagger_asset(name: str, request: Request) -> Response:
    """Swagger UI's assets from npm's swagger-ui-dist (web/package.json): the docs work offline, no CDN."""
    path = web_dir(_settings(request)) / "node_modules" / "swagger-ui-dist" / name
    if name not in SWAGGER_FILES or not path.is_file():
        return Response("/* swagger-ui-dist 未安装：运行 make web */", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=SWAGGER_FILES[name], headers=LONG_CACHE)


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request) -> Response:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · 接口文档",
        swagger_js_url="/static/vendor/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger/favicon-32x32.png",
    )


@router.get(
    "/api/me",
    tags=["身份 / identity"],
    response_model=MeOut,
    summary="当前密钥的角色与主体 / who this key is",
    description="网页据此显示该角色可做的事。Same answer shape for every valid key; 401 without one. Roles: any.",
)
def me(principal: AnyRole) -> dict:
    """Role and subject of the key sent (学员 id, 单位名称 …): the page shows what that role may do."""
    return {"role": principal.role, "subject": principal.subject, "key_id": principal.key_id}


class _Static(StaticFiles):
    """The page's own files: revalidated on every load (ETag), so an upgraded page is never half-cached."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_web(app: FastAPI) -> FastAPI:
    """Serve the web page, the docs and /api/me on `app` (idempotent); `/` is the plain home page when
    the web page is not installed."""
    if getattr(app.state, "web_mounted", False):
        return app
    ctx = getattr(app.state, "ctx", None)
    static = web_dir(ctx.settings if ctx is not None else None) / "static"
    app.include_router(router)
    if (static / "index.html").is_file():
        app.include_router(page_router)
        app.mount("/static", _Static(directory=static), name="web-static")
    else:  # e.g. a wheel install without the source tree
        log.warning("web page not found under %s (set MATCHER_WEB_DIR); serving the API only", static)
        app.add_api_route("/", plain_home, response_class=HTMLResponse, include_in_schema=False)
    app.state.web_mounted = True
    return app
