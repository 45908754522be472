"""Attacks on the running app (the ASGI app over HTTP, real store, indexes and keys) from issue 13's
adversarial test: each test is one hole, written the way the attacker used it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.catalogues.districts import load_districts
from matcher.config import Settings
from matcher.domain.geo import haversine_km
from tests.support import bearer, copy_home, free_port, mint_keys, serve_process, uvicorn_command, wait_ready


def posting(pid: str, **fields: object) -> dict:
    """A minimal valid posting (电工 at the small world's 物业 employer, 渝北区) with what an attack varies."""
    return {"id": pid, "title": "电工", "employer": "重庆示例物业服务有限公司", "district": "渝北区"} | fields


@pytest.fixture(scope="module")
def home(small_home, tmp_path_factory):
    return copy_home(small_home, tmp_path_factory.mktemp("security") / "home")


@pytest.fixture(scope="module")
def h(home):
    return {name: bearer(secret) for name, secret in mint_keys(home).items()}


@pytest.fixture(scope="module")
def client(home):
    with TestClient(create_app(Settings(home=home))) as c:
        yield c


# --- 1. an employer cannot locate a trainee by moving its own posting ----------------------------


def test_moving_a_posting_to_three_points_reveals_no_more_than_the_district(client, h):
    yubei = load_districts().resolve("渝北区")
    posting = client.get("/api/postings/HW-P03").json()
    seen = []
    for lon, lat in [(106.50, 29.60), (106.70, 29.70), (106.60, 29.85)]:
        moved = {k: v for k, v in posting.items() if k not in ("lint", "provenance", "extraction_spans")}
        r = client.put("/api/postings/HW-P03", json=moved | {"lon": lon, "lat": lat}, headers=h["employer_other"])
        assert r.status_code == 200, r.text
        view = client.get("/api/postings/HW-P03/candidates/HW-T02", headers=h["employer_other"]).json()
        # HW-T02 lives at an exact point in 渝北区: every distance is measured from the district's centre
        assert view["distance_km"] == round(haversine_km(lon, lat, yubei.lon, yubei.lat), 1)
        seen.append((view["distance_km"], view["contributions"]["distance"]))
        inside = client.get(
            "/api/postings/HW-P03/candidates",
            params={"radius_km": view["distance_km"] + 0.1},
            headers=h["employer_other"],
        ).json()
        outside = client.get(
            "/api/postings/HW-P03/candidates",
            params={"radius_km": max(0.5, view["distance_km"] - 0.1)},
            headers=h["employer_other"],
        ).json()
        ids_in = [c["trainee"]["id"] for c in inside["results"]]
        ids_out = [c["trainee"]["id"] for c in outside["results"]]
        assert "HW-T02" in ids_in and "HW-T02" not in ids_out  # the radius edge sits on the centre too
    assert len(set(seen)) == 3


# --- 3. masking and phone numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800135678", True),
        ("+86 13800135678", True),
        ("023-63501234", True),
        ("6350-1234", False),
        ("1234567", False),
        ("12345", False),
    ],
)
def test_only_mainland_mobile_and_fixed_line_numbers_are_accepted(client, h, phone, ok):
    r = client.post(
        "/api/trainees",
        json={"id": f"PH-{abs(hash(phone)) % 10**6}", "district": "渝中区", "phone": phone},
        headers=h["office"],
    )
    assert (r.status_code == 201) is ok, r.text
    if not ok:
        assert "phone" in json.dumps(r.json(), ensure_ascii=False)


def test_a_fixed_line_number_is_masked_to_its_last_two_digits():
    from matcher.domain.privacy import mask_phone

    assert mask_phone("023-63501234") == "*********34"
    assert mask_phone("13800135678") == "138****5678"


# --- 4. a deleted trainee's key dies with the record ---------------------------------------------


def test_a_key_does_not_survive_its_trainees_deletion(client, home, h):
    assert (
        client.post(
            "/api/trainees", json={"id": "REUSE-1", "district": "渝中区", "name": "甲"}, headers=h["office"]
        ).status_code
        == 201
    )
    key = bearer(mint_keys(home, {"t": ("trainee", "REUSE-1")})["t"])
    assert client.get("/api/trainees/REUSE-1", headers=key).status_code == 200
    assert client.delete("/api/trainees/REUSE-1", headers=key).status_code == 204
    assert (
        client.post(
            "/api/trainees",
            json={"id": "REUSE-1", "district": "渝中区", "name": "乙", "phone": "13900001111"},
            headers=h["office"],
        ).status_code
        == 201
    )
    r = client.get("/api/trainees/REUSE-1", headers=key)
    assert r.status_code == 401 and "乙" not in r.text


# --- 5. one record cannot move the clock ----------------------------------------------------------


def test_a_posting_dated_in_the_future_is_rejected_and_the_clock_stays(client, h):
    far = posting("FUT-1", posted_at="9999-12-31")
    r = client.post("/api/postings", json=far, headers=h["employer"])
    assert r.status_code == 422 and "posted_at" in r.text
    today = client.get("/api/trainees/HW-T01/jobs", headers=h["trainee"]).json()["today"]
    assert dt.date.fromisoformat(today) <= dt.date.today()


# --- 6, 8, 14. one JSON Lines reader: odd characters, deep nesting, bad bytes ---------------------


def test_bulk_import_keeps_rows_with_line_separators_and_reports_deep_nesting_and_bad_bytes_per_line(client, h):
    good = posting(
        "IMP-LS", title="保洁员", employer="E", district="渝中区", description="商场保洁\u2028早班\u0085晚班"
    )
    lines = [
        json.dumps(good, ensure_ascii=False).encode(),
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe not utf-8",
        json.dumps(good | {"id": "IMP-LS2"}, ensure_ascii=False).encode(),
    ]
    r = client.post("/api/import/postings", content=b"\n".join(lines), headers=h["admin"])
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["read"], rep["inserted"], rep["rejected"]) == (4, 2, 2)
    assert [(e["line"], e["field"]) for e in rep["errors"]] == [(2, "(JSON)"), (3, "(JSON)")]
    assert client.get("/api/postings/IMP-LS").json()["description"] == good["description"]


# --- 7. a blank query option is a 422 naming it, not a 500 ---------------------------------------


def test_a_blank_shift_is_a_clear_422(client, h):
    for headers in ({}, h["trainee"]):
        r = client.get("/api/trainees/HW-T01/jobs", params={"shift": " "}, headers=headers)
        assert r.status_code in (401, 422) and r.status_code != 500
    r = client.get("/api/trainees/HW-T01/jobs", params={"shift": " "}, headers=h["trainee"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.shift"


# --- 11. ids must be usable in a URL ---------------------------------------------------------------


def test_an_id_with_a_slash_is_rejected(client, h):
    r = client.post(
        "/api/postings",
        json=posting("A/B"),
        headers=h["employer"],
    )
    assert r.status_code == 422 and "id" in r.text


# --- 12, 13. headers, local docs, no Host reflection ----------------------------------------------


def test_security_headers_on_page_api_and_static_and_docs_without_a_cdn(client):
    for path in ("/", "/api/postings", "/static/js/app.js", "/docs"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert (
            r.headers["referrer-policy"] == "no-referrer"
            and "frame-ancestors 'none'" in r.headers["content-security-policy"]
        )
    docs = client.get("/docs").text
    assert "cdn" not in docs and "/static/vendor/swagger/swagger-ui-bundle.js" in docs
    assert client.get("/static/vendor/swagger/swagger-ui-bundle.js").status_code == 200


def test_the_host_header_is_never_reflected_into_a_redirect(client):
    r = client.get("/api/postings/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert "evil.example" not in r.headers.get("location", "")


# --- 2. oversized input is refused quickly, naming the field ----------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "电工" * 150_000),
        ("description", "持电工证" * 10_000),
        ("employer", "公司" * 1_000),
        ("requirements", {"skills": ["电工"] * 5_000}),
        ("requirements", {"skills": ["电" * 5_000]}),
        ("requirements", {"certificates": [{"occupation": "电工"}] * 500}),
        ("shift", "白班" * 1_000),
    ],
)
def test_oversized_fields_are_a_422_naming_the_field(client, h, field, value):
    body = posting("BIG-1", **{field: value})
    r = client.post("/api/postings", json=body, headers=h["employer"])
    assert r.status_code == 422 and field in json.dumps(r.json(), ensure_ascii=False)


# --- 9. consent is the trainee's; an office recording it says so, and the audit records the change ----


def test_an_office_cannot_switch_consent_on_silently_and_every_change_is_audited(client, h):
    record = {"id": "CONS-1", "district": "渝中区"}
    assert (
        client.post("/api/trainees", json=record | {"consent_employer_search": True}, headers=h["office"]).status_code
        == 422
    )
    assert client.post("/api/trainees", json=record, headers=h["office"]).status_code == 201
    on = record | {"consent_employer_search": True}
    r = client.put("/api/trainees/CONS-1", json=on, headers=h["office"])
    assert r.status_code == 422 and "consent_employer_search" in r.text
    r = client.put("/api/trainees/CONS-1", json=on, params={"consent_given_in_person": "true"}, headers=h["office"])
    assert r.status_code == 200
    audit = client.get(
        "/api/office/audit", params={"action": "consent_change", "subject": "CONS-1"}, headers=h["admin"]
    ).json()
    change = audit["results"][0]
    assert "False → True" in change["detail"] and "in person" in change["detail"] and change["actor"]


# --- 10. minimal data for trainers ------------------------------------------------------------------


def test_a_trainer_does_not_see_priority_groups_or_coordinates(client, h):
    r = client.get("/api/trainees", params={"top_k": 100}, headers=h["trainer"])
    assert r.status_code == 200 and r.json()["results"]
    for t in r.json()["results"]:
        assert not {"priority_group", "lon", "lat", "name", "phone", "id_number"} & set(t)


def test_whoever_reads_a_trainees_jobs_or_gap_other_than_the_trainee_is_audited(client, h):
    def entries(action: str) -> list[dict]:
        return client.get(
            "/api/office/audit", params={"action": action, "subject": "HW-T06"}, headers=h["admin"]
        ).json()["results"]

    before = {a: len(entries(a)) for a in ("profile_jobs", "profile_gap")}
    assert client.get("/api/trainees/HW-T06/jobs", headers=h["trainer"]).status_code == 200  # enrolled in HW-C02
    assert client.get("/api/trainees/HW-T06/gap", headers=h["office"]).status_code == 200
    jobs, gaps = entries("profile_jobs"), entries("profile_gap")
    assert len(jobs) == before["profile_jobs"] + 1 and jobs[0]["actor"].startswith("trainer:")
    assert len(gaps) == before["profile_gap"] + 1 and gaps[0]["actor"].startswith("office:")
    assert client.get("/api/trainees/HW-T01/jobs", headers=h["trainee"]).status_code == 200  # oneself: not audited
    assert not client.get(
        "/api/office/audit", params={"action": "profile_jobs", "subject": "HW-T01"}, headers=h["admin"]
    ).json()["results"]


# --- 14. a 500 says which request it was -------------------------------------------------------------


def test_an_unexpected_error_reports_its_request_id(home):
    from api.app import create_app as make

    app = make(Settings(home=home))

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom-for-test", headers={"X-Request-ID": "abc123def456"})
    assert r.status_code == 500 and r.json()["request_id"] == "abc123def456"


# --- durability: kill -9 during a bulk import, then the same import again ---------------------------


def test_kill_9_mid_import_then_rerun_leaves_every_row_exactly_once(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    rows = [
        posting(f"K-{i:05d}", title="保洁员", district="渝中区", description=f"商场保洁，第 {i} 号岗位")
        for i in range(6000)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    home = tmp_path / "home"
    env = os.environ | {"MATCHER_HOME": str(home)}
    cmd = [sys.executable, "-m", "matcher.cli", "ingest", "postings", str(path)]

    def stored() -> int:
        db = home / "matcher.db"
        if not db.exists():
            return 0
        with sqlite3.connect(db, timeout=5) as con:
            try:
                return con.execute("select count(*) from postings").fetchone()[0]
            except sqlite3.OperationalError:  # table not created yet
                return 0

    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while stored() == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = stored()
    assert 0 < partial < len(rows), f"the kill landed after {partial} rows; the test needs it mid-import"
    again = subprocess.run(cmd + ["--json"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["unchanged"] == partial and report["inserted"] == len(rows) - partial
    with sqlite3.connect(home / "matcher.db") as con:
        assert con.execute("select count(*), count(distinct id) from postings").fetchone() == (len(rows), len(rows))


# --- 14. withdrawing consent hides a contact already released ----------------------------------------


def test_withdrawing_consent_hides_a_contact_released_before(client, h):
    emp = h["employer"]  # owns HW-P01; HW-T01 consented
    req = client.post("/api/postings/HW-P01/candidates/HW-T01/contact-request", headers=emp).json()["id"]
    assert client.post(f"/api/trainees/HW-T01/contact-requests/{req}/accept", headers=h["trainee"]).status_code == 200
    mine = client.get("/api/employer/contact-requests", headers=emp).json()["results"]
    assert next(r for r in mine if r["trainee_id"] == "HW-T01")["contact"]["phone"] == "13800135678"
    record = client.get("/api/trainees/HW-T01", headers=h["trainee"]).json()
    own = {k: v for k, v in record.items() if v is not None}
    assert (
        client.put(
            "/api/trainees/HW-T01", json=own | {"consent_employer_search": False}, headers=h["trainee"]
        ).status_code
        == 200
    )
    after = client.get("/api/employer/contact-requests", headers=emp).json()["results"]
    contact = next(r for r in after if r["trainee_id"] == "HW-T01")["contact"]
    assert contact["released"] is False and contact["phone"] != "13800135678"


# --- 14. a client trickling its body cannot hold the service -----------------------------------------


def test_a_stalled_request_body_gets_a_408_and_the_service_keeps_answering(small_home, tmp_path):
    import socket
    import urllib.request

    home = copy_home(small_home, tmp_path / "home")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_process(uvicorn_command(port), home, env={"MATCHER_BODY_TIMEOUT_SECONDS": "2"}) as proc:
        wait_ready(base, proc, path="/healthz", timeout=120, interval=0.2)
        slow = socket.create_connection(("127.0.0.1", port), timeout=30)
        slow.sendall(
            b"POST /api/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"text": "'
        )
        with urllib.request.urlopen(f"{base}/api/postings", timeout=10) as r:  # others are answered meanwhile
            assert r.status == 200
        reply = slow.recv(4096).decode("utf-8", "replace")  # no more bytes sent: the server gives up on us
        assert reply.startswith("HTTP/1.1 408")
        slow.close()


# --- 14. an undecodable JSON body is a 422 like any bad input ---------------------------------------


@pytest.mark.parametrize("body", [b'{"district": "\xff"}', b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_not_utf8_json_or_nested_too_deep_is_a_422(client, body):
    r = client.post("/api/match/jobs", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
