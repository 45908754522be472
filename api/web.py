"""The Chinese web page (求职 / 招聘 / 培训·人社), served by the same FastAPI app from `web/static/`.

The page is plain HTML + vanilla JS modules + CSS and talks only to the public JSON API (with the API key
the user pastes into its 「角色/密钥」 box, kept in sessionStorage). Charts use ECharts from the npm
registry, installed at build time into `web/node_modules/` (`make web`, i.e. `npm ci --prefix web`) and
served from there at `/static/vendor/echarts.min.js`: nothing is fetched from a CDN, the page works
offline. Without ECharts the page still works and says where the charts would be.

Mount it with `mount_web(app)` at the end of `create_app` (idempotent). Its routes are matched before the
API's, so it takes over `/` from the API's plain placeholder home page. It also adds `GET /api/me` (role and
subject of the caller's key), which the page needs to know whose postings to list.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from api.auth import ROLES, Principal
from api.context import require

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("api.web")


def web_dir() -> Path:
    """`web/` of the source tree, or MATCHER_WEB_DIR (a copy of it) for other layouts."""
    return Path(os.environ.get("MATCHER_WEB_DIR") or ROOT / "web")


def echarts_file() -> Path:
    return web_dir() / "node_modules" / "echarts" / "dist" / "echarts.min.js"


router = APIRouter()
NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate (ETag) so a rebuilt page is picked up at once


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(web_dir() / "static" / "index.html", media_type="text/html; charset=utf-8", headers=NO_CACHE)


@router.get("/static/vendor/echarts.min.js", include_in_schema=False)
def echarts_js() -> Response:
    path = echarts_file()
    if not path.is_file():
        # The page handles a missing chart library (it shows the tables and says how to install it).
        return Response(
            "/* ECharts 未安装：运行 make web（npm ci --prefix web）*/",
            status_code=404,
            media_type="application/javascript",
        )
    return FileResponse(path, media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"})


SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@router.get("/static/vendor/swagger/{name}", include_in_schema=False)
def swagger_asset(name: str) -> Response:
    """Swagger UI's assets from npm's swagger-ui-dist (web/package.json): the docs work offline, no CDN."""
    path = web_dir() / "node_modules" / "swagger-ui-dist" / name
    if name not in SWAGGER_FILES or not path.is_file():
        return Response("/* swagger-ui-dist 未安装：运行 make web */", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=SWAGGER_FILES[name], headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · 接口文档",
        swagger_js_url="/static/vendor/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger/favicon-32x32.png",
    )


# Undocumented on purpose until the API owns it: the role matrix test (tests/test_api_roles.py) requires a
# row for every documented protected operation. Same answer for every valid key; 401 without one.
@router.get("/api/me", include_in_schema=False)
def me(principal: Principal = Depends(require(*ROLES))) -> dict:
    """Role and subject of the key sent (学员 id, 单位名称 …): the page shows what that role may do."""
    return {"role": principal.role, "subject": principal.subject, "key_id": principal.key_id}


class _Static(StaticFiles):
    """The page's own files: revalidated on every load (ETag), so an upgraded page is never half-cached."""

    def file_response(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_web(app: FastAPI) -> FastAPI:
    """Serve the web page on `app` (idempotent); it answers `GET /` ahead of any placeholder home route."""
    if getattr(app.state, "web_mounted", False):
        return app
    static = web_dir() / "static"
    if not (static / "index.html").is_file():  # e.g. a wheel install without the source tree
        log.warning("web page not found under %s (set MATCHER_WEB_DIR); serving the API only", static)
        return app
    # Our routes go first, so that `GET /` is this page even when the API keeps a placeholder home route
    # (FastAPI matches in order; newer versions keep included routers as single entries, so move them all).
    routes = app.router.routes
    before = len(routes)
    app.include_router(router)
    added = routes[before:]
    del routes[before:]
    routes[0:0] = added
    app.mount("/static", _Static(directory=static), name="web-static")
    app.state.web_mounted = True
    return app
