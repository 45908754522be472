"""End to end: the real service (uvicorn on a free 127.0.0.1 port, small world) driven by Debian's headless
Chromium through Playwright for Python. Each view is used the way a person would; screenshots of every
view land in eval/results/screenshots/ (MATCHER_SCREENSHOTS overrides) for a human to look at.

Needs /usr/bin/chromium and the `playwright` package: `make install-browser` (which `make test` runs)
installs both. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support import copy_home, free_port, mint_keys, serve_process, uvicorn_command, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("MATCHER_SCREENSHOTS") or ROOT / "eval" / "results" / "screenshots")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_NUMBER = re.compile(r"1\d{10}")  # a full mainland mobile number

if not Path(CHROMIUM).is_file():
    pytest.skip("Debian chromium is not installed (make install-browser installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install-browser)")


@pytest.fixture(scope="module")
def service(small_home, tmp_path_factory):
    """`uvicorn api.app:create_app --factory` on a copy of the small world (the tests publish a posting)."""
    home = copy_home(small_home, tmp_path_factory.mktemp("web_e2e") / "home")
    keys = mint_keys(home)
    port = free_port()
    log = tmp_path_factory.getbasetemp() / "web_e2e_server.log"
    base = f"http://127.0.0.1:{port}"
    with serve_process(uvicorn_command(port), home, log, env={"PYTHONUNBUFFERED": "1"}) as proc:
        wait_ready(base, proc, timeout=180, hint=f"(log: {log})")
        yield base, keys


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A fresh tab that fails the test on any script error and never talks to anything but the service."""

    def __init__(self, browser, base: str, **context) -> None:
        self.base = base
        viewport = context.pop("viewport", {"width": 1280, "height": 900})
        # Playwright's wait_for_function/evaluate run strings as script, which the page's CSP forbids; the
        # functional tests lift the CSP for the harness, test_the_page_runs_under_its_own_csp keeps it.
        context.setdefault("bypass_csp", True)
        self.context = browser.new_context(locale="zh-CN", viewport=viewport, **context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def only_local(route):
            url = route.request.url
            if url.startswith((base, "data:")):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        self.page.route("**/*", only_local)

    def open(self, view: str) -> None:
        self.page.goto(f"{self.base}/#/{view}")
        self.page.wait_for_selector("body[data-ready='1']", state="attached")
        assert self.page.is_visible(f"#view-{view}")

    def use_key(self, secret: str) -> None:
        p = self.page
        if not p.is_visible("#key-input"):
            p.click("#keybox summary")
        p.fill("#key-input", secret)
        p.click("#key-form button[type=submit]")
        p.wait_for_function("document.querySelector('#key-msg').classList.contains('ok')")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"script errors: {self.errors}"
        assert self.outside == [], f"requests outside the service: {self.outside}"


@pytest.fixture
def tab(browser, service):
    t = Page(browser, service[0])
    yield t
    t.close()


def test_the_page_runs_under_its_own_csp(browser, service):
    """No harness scripts here: the page loads, searches and draws the map with its CSP enforced."""
    t = Page(browser, service[0], bypass_csp=False)
    violations: list[str] = []
    t.page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        p = t.page
        p.goto(f"{service[0]}/#/trainee")
        p.wait_for_selector("body[data-ready='1']", state="attached")
        p.click("[data-preset='1']")
        p.click("#find-jobs")
        p.wait_for_selector("#job-list li.result")
        p.wait_for_selector("#job-map svg path")
        assert p.get_attribute("#job-map", "data-map") == "geo"
        assert "content-security-policy" in (p.context.request.get(service[0] + "/").headers)
    finally:
        t.close()
    assert violations == []


def test_each_view_loads_in_chinese(tab):
    p = tab.page
    for view, heading in [("trainee", "求职"), ("employer", "招聘"), ("office", "培训/人社")]:
        tab.open(view)
        assert heading in p.inner_text(f"#view-{view} h2")
        assert p.get_attribute(f".tabs a[data-view='{view}']", "aria-current") == "page"
    # without a key the protected views say which key they need
    assert "需要" in p.inner_text("#office-key-note")
    tab.open("employer")
    assert "用人单位密钥" in p.inner_text("#emp-key-note")
    # keyboard: the skip link comes first, the view tabs are real links
    tab.open("trainee")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "skip"


def test_trainee_search_shows_ranked_jobs_with_reasons_and_map(tab):
    p = tab.page
    tab.open("trainee")
    p.click("[data-preset='0']")  # 消防设施操作员 四级/中级工 · 沙坪坝区
    p.click("#find-jobs")
    p.wait_for_selector("#job-list li.result")
    cards = p.query_selector_all("#job-list li.result")
    assert len(cards) >= 3
    ranks = [c.query_selector(".rank").inner_text() for c in cards]
    assert ranks == [str(i) for i in range(1, len(cards) + 1)]
    first = cards[0]
    assert "消防" in first.query_selector(".title").inner_text()
    reasons = first.query_selector_all("ul.reasons li")
    assert reasons and any("证书匹配" in r.inner_text() for r in reasons)
    assert re.search(r"元/月", first.inner_text()) and "通勤约" in first.inner_text()
    assert any(c.query_selector("ul.missing li") for c in cards)  # what is missing is said, not hidden
    scores = [float(c.query_selector(".score strong").inner_text()) for c in cards]
    assert scores == sorted(scores, reverse=True)
    # the map: districts from /api/districts, home and the jobs drawn as SVG
    p.wait_for_selector("#job-map svg")
    svg_text = p.inner_text("#job-map")
    assert "家" in svg_text and "沙坪坝区" in svg_text
    assert p.eval_on_selector("#job-map svg", "s => s.querySelectorAll('path').length") > 40
    # a real map: Chongqing's district boundaries (vendored GeoJSON), commute bands in the legend
    assert p.get_attribute("#job-map", "data-map") == "geo"
    assert "通勤 ≤30 分钟" in svg_text and "巫山县" in svg_text
    tab.shot("trainee")


def test_trainee_profile_takes_a_licence_with_its_item_and_dates(tab):
    p = tab.page
    tab.open("trainee")
    p.click("[data-preset='0']")
    row = "#cert-rows .cert-row:first-child"
    p.select_option(f"{row} .cert-type", "特种设备作业人员证")
    assert p.is_hidden(f"{row} .cert-level-field") and p.is_visible(f"{row} .cert-item-field")
    p.fill(f"{row} .cert-item", "N1")
    p.fill(f"{row} .cert-issued", "2025-03")
    p.fill("#f-district", "江津区")  # the forklift job's district; no radius or pay floor left from earlier tests
    p.fill("#f-radius", "")
    p.fill("#f-payfloor", "")
    p.click("#find-jobs")
    p.wait_for_selector("#job-list li.result:has-text('叉车工')")  # the earlier search's list is replaced
    forklift = p.locator("#job-list li.result", has_text="叉车工")
    assert forklift.count() == 1
    assert "特种设备作业人员证 N1" in forklift.inner_text() and "持证上岗" in forklift.inner_text()
    tab.shot("trainee_licence")


def test_trainee_errors_are_clear_chinese(tab):
    p = tab.page
    tab.open("trainee")
    p.click("[data-preset='0']")
    p.fill("#f-district", "火星区")
    p.click("#find-jobs")
    p.wait_for_selector("#jobs-status.error")
    assert "区县" in p.inner_text("#jobs-status") and "火星区" in p.inner_text("#jobs-status")
    assert "区县" in p.inner_text("#profile-msg")
    p.fill("#f-district", "沙坪坝区")
    p.fill("#f-payfloor", "900000")
    p.click("#find-jobs")
    p.wait_for_function("document.querySelector('#jobs-status').textContent.includes('没有找到')")
    assert p.query_selector_all("#job-list li") == []
    p.fill("#f-payfloor", "")
    p.fill("#f-district", "")
    p.click("#find-jobs")
    assert "请填写居住区县" in p.inner_text("#profile-msg")


def test_gap_panel_ranks_missing_certificates_with_courses_and_what_if(tab, service):
    p = tab.page
    tab.open("trainee")
    tab.use_key(service[1]["trainee"])  # HW-T01 (消防设施操作员 四级, 沙坪坝区)
    p.wait_for_selector("#stored-badge:not([hidden])")
    assert "HW-T01" in p.inner_text("#stored-badge")
    assert p.is_disabled("#f-district")  # the stored profile is used as it is
    p.click("#find-jobs")
    p.wait_for_selector("#job-list li.result")
    p.wait_for_selector("#gap-body .gap-item")
    items = p.query_selector_all("#gap-body .gap-item")
    unlocks = [int(re.search(r"可解锁 (\d+) 个岗位", i.inner_text()).group(1)) for i in items]
    assert unlocks == sorted(unlocks, reverse=True) and unlocks[0] >= 1
    courses = p.query_selector_all("#gap-body li.course")
    assert courses, "the gap panel names courses"
    assert any(re.search(r"可匹配岗位 \+\d+ 个", c.inner_text()) for c in courses)
    assert "目前符合" in p.inner_text("#gap-body .summary-line")
    tab.shot("trainee_gap")
    # target one posting from its card
    p.click("#job-list li.result:nth-child(2) .more button")
    p.wait_for_function("document.querySelector('#gap-body .summary-line')?.textContent.includes('目标：岗位')")
    assert "目标岗位 1 个" in p.inner_text("#gap-body .summary-line")


def test_office_dashboard_renders_its_charts(tab, service):
    p = tab.page
    tab.open("office")
    tab.use_key(service[1]["office"])
    p.wait_for_selector("#chart-course svg")
    p.wait_for_selector("#chart-unmet svg")
    labels = p.inner_text("#kpi-cards")
    for label in ("培训与产业匹配度", "培训总体就业率", "重点群体培训占比"):
        assert label in labels
    assert re.search(r"\d+(\.\d)?%", labels) and "目标 ≥ 60%" in labels
    charts = [
        "#kpi-cards .kpi:nth-child(1) .kpi-chart",
        "#kpi-cards .kpi:nth-child(2) .kpi-chart",
        "#kpi-cards .kpi:nth-child(3) .kpi-chart",
        "#chart-unmet",
        "#chart-shortage",
        "#chart-course",
    ]
    for sel in charts:
        box = p.eval_on_selector(
            f"{sel} svg",
            "s => { const r = s.getBoundingClientRect(); return "
            "[r.width, r.height, s.querySelectorAll('path, rect, text').length]; }",
        )
        assert box[0] > 100 and box[1] > 100 and box[2] > 5, (sel, box)
    assert "无人机驾驶员" in p.inner_text("#chart-unmet")  # unmet demand by occupation × district
    p.click("#h-course ~ details summary")
    assert "课程名额" in p.inner_text("#tbl-course")
    tab.shot("office")


def test_phone_width_has_no_sideways_scroll(browser, service):
    t = Page(browser, service[0], viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        p = t.page
        t.open("trainee")
        p.click("[data-preset='1']")  # 电工 · 渝北区
        p.click("#find-jobs")
        p.wait_for_selector("#job-list li.result")
        p.wait_for_selector("#job-map svg")
        assert p.evaluate("document.documentElement.scrollWidth") <= 392
        t.shot("trainee_phone")
        t.open("office")
        assert p.evaluate("document.documentElement.scrollWidth") <= 392
    finally:
        t.close()


def test_page_works_without_the_chart_library(browser, service):
    """Before `make web` (no npm): lists and tables still work and the chart areas say what is missing."""
    t = Page(browser, service[0])
    try:
        p = t.page
        p.route(
            "**/static/vendor/echarts.min.js", lambda r: r.fulfill(status=404, body="", content_type="text/javascript")
        )
        t.open("trainee")
        p.click("[data-preset='0']")
        p.click("#find-jobs")
        p.wait_for_selector("#job-list li.result")
        assert "ECharts 未安装" in p.inner_text("#job-map")
        t.open("office")
        t.use_key(service[1]["office"])
        p.wait_for_selector("#chart-course .chart-missing")
        p.wait_for_selector("#tbl-course tbody tr", state="attached")  # filled by separate requests: wait
        p.wait_for_selector("#tbl-unmet tbody tr", state="attached")
        assert p.query_selector_all("#tbl-course tbody tr") and p.query_selector_all("#tbl-unmet tbody tr")
        assert "培训总体就业率" in p.inner_text("#kpi-cards")
    finally:
        t.close()


# Last: it publishes a posting dated today, which moves the world's "today" (freshness) for later tests.
def test_employer_sees_lint_and_masked_candidates_only(tab, service):
    p = tab.page
    tab.open("employer")
    # a public posting with discriminatory phrases: the lint quotes them (no key needed)
    p.fill("#posting-id", "HW-P12")
    p.click("#posting-id-form button")
    p.wait_for_selector("#posting-body .lint")
    lint = p.inner_text("#posting-body .lint")
    assert "限男性" in lint and "年龄35岁以下" in lint
    # as the employer of HW-P01
    tab.use_key(service[1]["employer"])
    p.wait_for_selector("#emp-posts button[data-posting='HW-P01']")
    p.click("#emp-posts button[data-posting='HW-P01']")
    p.wait_for_selector("#cand-list li.candidate")
    text = p.inner_text("body")
    assert "138****5678" in text  # HW-T01's phone, masked
    assert "未发现歧视性内容" in p.inner_text("#posting-body")
    first = p.query_selector("#cand-list li.candidate")
    assert first.query_selector_all("ul.reasons li")
    assert not PHONE_NUMBER.search(text), "a full phone number is on the page"
    assert not PHONE_NUMBER.search(p.content()), "a full phone number is in the page source"
    tab.shot("employer")
    # asking for contact leaves the number masked until the trainee accepts
    first.query_selector(".more button").click()
    p.wait_for_function(
        "document.querySelector('#cand-list .more [role=status]').textContent.includes('已发送联系请求')"
    )
    assert not PHONE_NUMBER.search(p.content())
    # free-text search
    p.fill("#c-text", "消防控制室值班，持消防设施操作员中级证")
    p.fill("#c-district", "沙坪坝区")
    p.click("#cand-text-form button[type=submit]")
    p.wait_for_function("document.querySelector('#cand-status').textContent.includes('岗位描述')")
    assert p.query_selector_all("#cand-list li.candidate")
    assert not PHONE_NUMBER.search(p.content())
    # what the service reads from a draft's text is shown before saving
    p.fill("#p-title", "仓库叉车司机")
    p.fill("#p-desc", "持叉车证上岗，3年以上经验，两班倒，五险一金。")
    p.click("#lint-btn")
    p.wait_for_selector("#extract-result")
    read = p.inner_text("#extract-result")
    assert (
        "特种设备作业人员证·N1（持证上岗）" in read and "3 年以上" in read and "两班倒" in read and "五险一金" in read
    )
    assert "“叉车证”" in read
    # a draft with discriminatory text is flagged and not published
    p.fill("#p-title", "仓库管理员")
    p.fill("#p-district", "沙坪坝区")
    p.fill("#p-desc", "限男性，年龄35岁以下，本地户籍")
    p.click("#publish-btn")
    p.wait_for_selector("#lint-result .bad")
    assert "限男性" in p.inner_text("#lint-result") and "户籍" in p.inner_text("#lint-result")
    p.query_selector("#post-form").screenshot(path=str(SHOTS / "employer_lint.png"))
    # fixed, it is published and its candidates are searched
    p.fill("#p-title", "消防控制室值班员")
    p.fill("#p-desc", "商场消防控制室值守，做一休一")
    p.fill("#p-cert", "消防设施操作员")
    p.select_option("#p-level", "四级/中级工")
    p.check("#p-mandatory")
    p.fill("#p-salary-min", "4500")
    p.fill("#p-salary-max", "5500")
    p.click("#publish-btn")
    p.wait_for_function("document.querySelector('#lint-result').textContent.includes('已发布岗位')")
    p.wait_for_function("document.querySelector('#cand-status').textContent.includes('（WEB-')")
    assert not PHONE_NUMBER.search(p.content())
