"""The web page as files and routes (no browser): served at /, offline-only assets, /api/me, labels.

The browser tests (tests/test_web_browser.py) drive the page itself in headless Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web import echarts_file, mount_web
from matcher.config import Settings
from tests.support import bearer, copy_home, mint_keys

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "web" / "static"


@pytest.fixture(scope="module")
def env(small_home, tmp_path_factory):
    home = copy_home(small_home, tmp_path_factory.mktemp("web") / "home")
    keys = mint_keys(home)
    app = create_app(Settings(home=home))
    mount_web(app)  # idempotent: create_app already mounts it
    with TestClient(app) as client:
        yield client, keys


def test_page_is_served_at_root_with_its_assets(env):
    client, _ = env
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "重庆技能人才岗位匹配服务" in r.text and 'lang="zh-CN"' in r.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        if asset.endswith("echarts.min.js"):
            continue
        assert client.get(asset).status_code == 200, asset
    for module in sorted((STATIC / "js").glob("*.js")):
        assert client.get(f"/static/js/{module.name}").status_code == 200


def test_echarts_is_served_locally_when_built(env):
    client, _ = env
    r = client.get("/static/vendor/echarts.min.js")
    if echarts_file().is_file():
        assert r.status_code == 200 and len(r.content) > 500_000 and "echarts" in r.text[:2000]
    else:  # not built (no npm): the page says so instead of failing
        assert r.status_code == 404 and "make web" in r.text


def test_page_needs_no_internet():
    """No CDN, web font or tile server: every URL in the page's sources is relative to this service."""
    for path in STATIC.rglob("*"):
        if path.suffix not in {".html", ".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//cdn|@import\s+url", text), f"{path.name} refers to an outside address"
        markup = re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML", text)
        assert not markup, f"{path.name}: build the DOM from text (API data may contain markup)"


def test_api_me_names_role_and_subject(env):
    client, keys = env
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers=bearer("cqm_00000000_wrong")).status_code == 401
    me = client.get("/api/me", headers=bearer(keys["employer"])).json()
    assert me["role"] == "employer" and me["subject"] == "重庆示例物业服务有限公司"
    assert client.get("/api/me", headers=bearer(keys["office"])).json()["role"] == "office"


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._in_label = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in {"input", "select", "textarea"}:
            self.controls.append({**a, "_wrapped": self._in_label > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1


def test_every_form_control_has_a_label():
    parser = _Form()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    assert parser.controls
    unlabelled = [
        c for c in parser.controls if not (c["_wrapped"] or c.get("id") in parser.label_for or c.get("aria-label"))
    ]
    assert unlabelled == []


def test_focus_is_visible_and_layout_adapts_to_phones():
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    assert ":focus-visible" in css and "outline" in css
    assert re.search(r"@media \(max-width: \d+px\)", css)
    assert "[hidden] { display: none !important; }" in css  # hidden panels stay hidden whatever their display


def test_without_the_web_page_home_falls_back_to_a_plain_page(small_home, tmp_path, monkeypatch):
    """A layout without web/ (e.g. a wheel install): MATCHER_WEB_DIR points elsewhere, `/` is the plain
    page with the record counts, and the API and its docs still answer."""
    monkeypatch.setenv("MATCHER_WEB_DIR", str(tmp_path / "no-web"))
    settings = Settings(home=small_home)
    assert settings.web_dir == tmp_path / "no-web"
    with TestClient(create_app(settings)) as client:
        r = client.get("/")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "重庆技能人才岗位匹配服务" in r.text and "岗位 15 条" in r.text and "/docs" in r.text
        assert client.get("/static/js/app.js").status_code == 404
        assert client.get("/docs").status_code == 200
        assert client.get("/api/stats").json()["records"]["postings"] == 15
