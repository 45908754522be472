"""The HTTP API on the small hand-written world: flows, privacy, contact requests, audit, writes, errors,
concurrency and restarts. Each module works on its own copy of the data home (tests write)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.config import Settings
from matcher.domain.schema import PERSONAL_FIELDS
from tests.conftest import pg_world_home
from tests.support import bearer, copy_home, mint_keys

OWNER = "重庆示例物业服务有限公司"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def settings(request, small_home, tmp_path_factory):
    """A writable copy of the small world on each records backend: every API test runs on both."""
    if request.param == "postgresql":
        return pg_world_home(request.getfixturevalue("pg"), tmp_path_factory, "api")
    return Settings(home=copy_home(small_home, tmp_path_factory.mktemp("api") / "home"))


@pytest.fixture(scope="module")
def keys(settings):
    return mint_keys(settings)


@pytest.fixture(scope="module")
def client(settings, keys):
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def h(keys):
    return {name: bearer(secret) for name, secret in keys.items()}


def ids(results: list[dict], key: str = "posting") -> list[str]:
    return [r[key]["id"] for r in results]


def walk_keys(obj) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(k)
            out |= walk_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= walk_keys(v)
    return out


# --- jobs for a trainee: reasons, non-personalised, filters, paging ---------------------------------


def test_trainee_jobs_with_reasons_and_non_personalised(client, h):
    r = client.get("/api/trainees/HW-T01/jobs", headers=h["trainee"])
    assert r.status_code == 200
    body = r.json()
    assert body["personalised"] is True and body["results"][0]["posting"]["id"] == "HW-P01"
    top = body["results"][0]
    assert top["reasons"] and top["contributions"] and top["rank"] == 1
    assert any("证书匹配" in reason for reason in top["reasons"])
    assert "HW-P10" not in ids(body["results"])  # closed
    assert "weights" in body["ranking"]
    plain = client.get("/api/trainees/HW-T01/jobs", params={"personalised": "false"}, headers=h["trainee"]).json()
    assert plain["personalised"] is False and plain["results"]
    assert all(r["score"] is None and "非个性化" in r["reasons"][0] for r in plain["results"])
    # the same options as a JSON body
    posted = client.post("/api/trainees/HW-T01/jobs", json={"personalised": False}, headers=h["trainee"]).json()
    assert ids(posted["results"]) == ids(plain["results"])


def test_trainee_jobs_filters_and_paging(client, h):
    full = client.get("/api/trainees/HW-T04/jobs", params={"top_k": 100}, headers=h["office"]).json()["results"]
    assert len(full) >= 3
    page = client.get("/api/trainees/HW-T04/jobs", params={"top_k": 2, "offset": 1}, headers=h["office"]).json()
    assert ids(page["results"]) == ids(full)[1:3] and [r["rank"] for r in page["results"]] == [2, 3]
    near = client.get("/api/trainees/HW-T04/jobs", params={"radius_km": 10}, headers=h["office"]).json()["results"]
    assert "HW-P13" not in ids(near)  # 巫山县 is far away
    day = client.get("/api/trainees/HW-T04/jobs", params={"shift": "白班", "top_k": 50}, headers=h["office"]).json()
    assert all("白班" in (r["posting"]["shift"] or "") for r in day["results"])
    paid = client.get("/api/trainees/HW-T04/jobs", params={"pay_floor": 6000, "top_k": 50}, headers=h["office"]).json()
    assert all((r["posting"]["salary_max"] or 0) >= 6000 for r in paid["results"])
    only = client.get(
        "/api/trainees/HW-T04/jobs", params=[("district", "沙坪坝"), ("top_k", "50")], headers=h["office"]
    ).json()
    assert only["results"] and all(r["posting"]["district"] == "沙坪坝区" for r in only["results"])
    assert client.get("/api/trainees/NOPE/jobs", headers=h["office"]).status_code == 404


def test_adhoc_profile_jobs(client):
    body = {
        "district": "渝北区",
        "certificates": [{"occupation": "维修电工", "level": "中级工"}],
        "skills": ["PLC"],
        "experience_years": 3,
        "top_k": 5,
    }
    r = client.post("/api/match/jobs", json=body)
    assert r.status_code == 200
    assert ids(r.json()["results"])[0] == "HW-P03" and r.json()["trainee_id"] is None
    # lon/lat: both or neither, and inside Chongqing
    r = client.post("/api/match/jobs", json=body | {"lon": 106.6})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.lat"
    r = client.post("/api/match/jobs", json=body | {"lon": 116.4, "lat": 39.9})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.lon"


def test_adhoc_gap_without_an_account(client):
    body = {"district": "沙坪坝区", "certificates": [], "target_occupation": "消防设施操作员", "radius_km": 30}
    r = client.post("/api/match/gap", json=body)
    assert r.status_code == 200, r.text
    top = r.json()["missing"][0]
    assert top["name"] == "消防设施操作员" and top["courses"][0]["id"] == "HW-C01"
    assert top["courses"][0]["extra_jobs"] == 1
    r = client.post("/api/match/gap", json=body | {"target_occupation": "星际飞行员"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.target_occupation"
    r = client.post("/api/match/gap", json=body | {"district": "火星区"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.district"


def test_gap_for_trainee(client, h):
    r = client.get("/api/trainees/HW-T06/gap", params={"target_occupation": "电工"}, headers=h["trainer"])
    assert r.status_code == 200
    out = r.json()
    assert out["missing"] and out["missing"][0]["occupation"] == "6-31-01-03"
    assert any(c["id"] == "HW-C02" for item in out["missing"] for c in item["courses"])
    r = client.get("/api/trainees/HW-T06/gap", params={"target_posting": "HW-P04"}, headers=h["trainer"])
    assert r.status_code == 200 and r.json()["target_jobs"] == 1


# --- employer side: consent, masking, audit, contact requests ---------------------------------------


def test_candidates_are_consenting_masked_and_audited(client, h, employer_key):
    r = client.get("/api/postings/HW-P07/candidates", headers=employer_key("重庆示例康养服务有限公司"))
    assert r.status_code == 200
    found = ids(r.json()["results"], "trainee")
    assert "HW-T04" in found
    assert "HW-T03" not in found and "HW-T08" not in found  # no consent
    everything = json.dumps(r.json(), ensure_ascii=False)
    assert "18600002222" not in everything and "示例丁" not in everything
    cand = r.json()["results"][found.index("HW-T04")]["trainee"]
    assert cand["contact"] == {"name": "示**", "phone": "186****2222", "released": False}
    forbidden = set(PERSONAL_FIELDS) - {"name", "phone"} | {"lon", "lat", "address", "priority_group"}
    assert not (walk_keys(r.json()["results"]) & forbidden)
    audit = client.get(
        "/api/office/audit", params={"action": "candidate_search", "subject": "HW-P07"}, headers=h["office"]
    ).json()["results"]
    assert audit and audit[0]["actor"] == "employer:重庆示例康养服务有限公司" and "HW-T04" in audit[0]["detail"]


@pytest.fixture(scope="module")
def employer_key(client, h):
    """A key for any employer of the small world, minted through the admin API."""
    cache: dict[str, dict] = {}

    def get(employer: str) -> dict:
        if employer not in cache:
            r = client.post("/api/admin/keys", json={"role": "employer", "subject": employer}, headers=h["admin"])
            cache[employer] = bearer(r.json()["secret"])
        return cache[employer]

    return get


def test_candidates_by_free_text(client, h):
    r = client.post(
        "/api/match/candidates", json={"text": "仓库叉车司机，持叉车证", "district": "江津区"}, headers=h["employer"]
    )
    assert r.status_code == 200
    assert ids(r.json()["results"], "trainee")[0] == "HW-T05"
    assert r.json()["results"][0]["trainee"]["contact"]["phone"] == "137****3333"
    audit = client.get("/api/office/audit", params={"action": "candidate_search_text"}, headers=h["office"]).json()
    assert audit["total"] >= 1 and audit["results"][0]["actor"] == f"employer:{OWNER}"


def test_non_consenting_candidate_cannot_be_viewed_or_contacted(client, h, employer_key):
    emp = employer_key("重庆示例生物制药有限公司")  # owns HW-P06; HW-T03 (制剂工) did not consent
    assert client.get("/api/postings/HW-P06/candidates/HW-T03", headers=emp).status_code == 404
    assert client.post("/api/postings/HW-P06/candidates/HW-T03/contact-request", headers=emp).status_code == 404
    assert "HW-T03" not in ids(client.get("/api/postings/HW-P06/candidates", headers=emp).json()["results"], "trainee")


def test_contact_request_flow(client, h, employer_key):
    emp = h["employer"]  # owns HW-P01; HW-T01 consented
    view = client.get("/api/postings/HW-P01/candidates/HW-T01", headers=emp).json()
    assert view["trainee"]["contact"] == {"name": "示**", "phone": "138****5678", "released": False}
    assert view["reasons"] and view["score"] > 0.5
    r = client.post(
        "/api/postings/HW-P01/candidates/HW-T01/contact-request", json={"message": "方便联系吗？"}, headers=emp
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    req = r.json()["id"]
    again = client.post("/api/postings/HW-P01/candidates/HW-T01/contact-request", headers=emp)
    assert again.status_code == 200 and again.json()["id"] == req
    # the trainee sees it, with the posting; another trainee cannot decide it, nor can the employer
    mine = client.get("/api/trainees/HW-T01/contact-requests", headers=h["trainee"]).json()["results"]
    assert mine[0]["id"] == req and mine[0]["posting"]["title"].startswith("消防控制室")
    assert (
        client.post(f"/api/trainees/HW-T01/contact-requests/{req}/accept", headers=h["trainee_other"]).status_code
        == 403
    )
    assert (
        client.post(f"/api/trainees/HW-T02/contact-requests/{req}/accept", headers=h["trainee_other"]).status_code
        == 404
    )
    assert client.post(f"/api/trainees/HW-T01/contact-requests/{req}/accept", headers=emp).status_code == 403
    # still masked before acceptance
    cands = client.get("/api/postings/HW-P01/candidates", headers=emp).json()["results"]
    assert cands[0]["trainee"]["contact"]["phone"] == "138****5678"
    r = client.post(f"/api/trainees/HW-T01/contact-requests/{req}/accept", headers=h["trainee"])
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    # now this employer sees the full contact …
    cands = client.get("/api/postings/HW-P01/candidates", headers=emp).json()["results"]
    t01 = next(c for c in cands if c["trainee"]["id"] == "HW-T01")
    assert t01["trainee"]["contact"] == {"name": "示例甲", "phone": "13800135678", "released": True}
    listed = client.get("/api/employer/contact-requests", params={"status": "accepted"}, headers=emp).json()["results"]
    assert listed[0]["contact"]["phone"] == "13800135678"
    assert "id_number" not in json.dumps(listed) and "gender" not in json.dumps(listed)
    # … and no other employer does
    other = employer_key("重庆示例消防工程有限公司")
    r = client.post("/api/match/candidates", json={"text": "消防控制室值班员", "district": "沙坪坝区"}, headers=other)
    t01 = next(c for c in r.json()["results"] if c["trainee"]["id"] == "HW-T01")
    assert t01["trainee"]["contact"]["phone"] == "138****5678"
    # revoking masks it again
    assert client.post(f"/api/trainees/HW-T01/contact-requests/{req}/decline", headers=h["trainee"]).status_code == 200
    cands = client.get("/api/postings/HW-P01/candidates", headers=emp).json()["results"]
    assert next(c for c in cands if c["trainee"]["id"] == "HW-T01")["trainee"]["contact"]["released"] is False
    actions = [
        a["action"]
        for a in client.get("/api/office/audit", params={"subject": "HW-T01"}, headers=h["office"]).json()["results"]
    ]
    assert {"candidate_view", "contact_request", "contact_accept", "contact_decline"} <= set(actions)


# --- writes are visible at once; lint; import ----------------------------------------------------------

NEW_POSTING = {
    "id": "API-NEW-1",
    "title": "消防控制室值班员（夜班）",
    "employer": OWNER,
    "district": "沙坪坝区",
    "description": "消防控制室值守。",
    "requirements": {
        "certificates": [{"occupation": "消防设施操作员", "level": "四级", "mandatory": True}],
        "skills": ["消防控制室值守"],
    },
    "salary_min": 5000,
    "salary_max": 6000,
    "posted_at": "2025-11-15",
}


def test_posting_lifecycle_is_visible_at_once(client, h):
    emp = h["employer"]

    def jobs():
        return ids(
            client.get("/api/trainees/HW-T01/jobs", params={"top_k": 50}, headers=h["trainee"]).json()["results"]
        )

    assert "API-NEW-1" not in jobs()
    r = client.post("/api/postings", json=NEW_POSTING, headers=emp)
    assert r.status_code == 201 and r.json()["record"]["requirements"]["certificates"][0]["occupation"] == "4-07-05-03"
    assert client.post("/api/postings", json=NEW_POSTING, headers=emp).status_code == 409
    assert "API-NEW-1" in jobs()
    assert client.get("/api/search", params={"q": "消防控制室值班员（夜班）"}).json()["results"][0]["id"] == "API-NEW-1"
    r = client.post("/api/postings/API-NEW-1/close", headers=emp)
    assert r.status_code == 200 and r.json()["record"]["status"] == "closed"
    assert "API-NEW-1" not in jobs()
    r = client.put("/api/postings/API-NEW-1", json=NEW_POSTING | {"salary_max": 6500}, headers=emp)
    assert r.status_code == 200 and r.json()["changed"] is True
    assert "API-NEW-1" in jobs()
    assert client.get("/api/postings", params={"employer": OWNER}).json()["total"] >= 2
    assert client.delete("/api/postings/API-NEW-1", headers=emp).status_code == 204
    assert "API-NEW-1" not in jobs()
    assert client.get("/api/postings/API-NEW-1").status_code == 404


def test_discriminatory_posting_is_rejected_naming_field_and_phrase(client, h):
    bad = NEW_POSTING | {"id": "API-BAD-1", "description": "限男性，年龄35岁以下，无乙肝"}
    r = client.post("/api/postings", json=bad, headers=h["employer"])
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert {d["field"] for d in detail} == {"body.description"}
    assert {d["type"] for d in detail} == {"lint.gender", "lint.age", "lint.health"}
    assert any("限男性" in d["message"] for d in detail)
    assert client.get("/api/postings/API-BAD-1").status_code == 404
    lint = client.get("/api/postings/HW-P12/lint").json()
    assert lint["ok"] is False and {f["rule"] for f in lint["findings"]} >= {"gender", "age"}
    assert client.get("/api/postings/HW-P12").json()["lint"]


def test_trainee_updates_own_profile_and_consent(client, h, employer_key):
    t = client.get("/api/trainees/HW-T04", headers=h["office"]).json()
    emp = employer_key("重庆示例康养服务有限公司")
    assert "HW-T04" in ids(client.get("/api/postings/HW-P07/candidates", headers=emp).json()["results"], "trainee")
    key = client.post("/api/admin/keys", json={"role": "trainee", "subject": "HW-T04"}, headers=h["admin"]).json()[
        "secret"
    ]
    r = client.put("/api/trainees/HW-T04", json=t | {"consent_employer_search": False}, headers=bearer(key))
    assert r.status_code == 200 and r.json()["changed"] is True
    assert "HW-T04" not in ids(client.get("/api/postings/HW-P07/candidates", headers=emp).json()["results"], "trainee")
    assert client.get("/api/postings/HW-P07/candidates/HW-T04", headers=emp).status_code == 404
    client.put("/api/trainees/HW-T04", json=t, headers=bearer(key))
    assert "HW-T04" in ids(client.get("/api/postings/HW-P07/candidates", headers=emp).json()["results"], "trainee")


def test_trainee_can_delete_own_record(client, h):
    admin = h["admin"]
    assert (
        client.post(
            "/api/trainees", json={"id": "API-T-DEL", "district": "渝北区", "phone": "13000000000"}, headers=h["office"]
        ).status_code
        == 201
    )
    key = client.post("/api/admin/keys", json={"role": "trainee", "subject": "API-T-DEL"}, headers=admin).json()[
        "secret"
    ]
    assert client.get("/api/trainees/API-T-DEL", headers=bearer(key)).json()["phone"] == "13000000000"
    assert client.delete("/api/trainees/API-T-DEL", headers=bearer(key)).status_code == 204
    assert client.get("/api/trainees/API-T-DEL", headers=h["office"]).status_code == 404


def test_bulk_import_reports_rows_and_is_searchable(client, h):
    lines = [
        json.dumps(
            {
                "id": "IMP-1",
                "title": "叉车司机（冷库）",
                "employer": "重庆示例冷链有限公司",
                "district": "江津区",
                "requirements": {"certificates": [{"occupation": "叉车司机", "mandatory": True}]},
            },
            ensure_ascii=False,
        ),
        json.dumps({"id": "IMP-2", "title": "电工", "employer": "E", "district": "火星区"}, ensure_ascii=False),
        "{oops",
        "",
        json.dumps(
            {
                "id": "IMP-3",
                "title": "焊工",
                "employer": "E",
                "district": "璧山区",
                "requirements": {"certificates": [{"occupation": "焊工", "level": "很厉害"}]},
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {"id": "IMP-4", "title": "保洁员", "employer": "E", "district": "南岸区", "description": "限女性"},
            ensure_ascii=False,
        ),
    ]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    r = client.post(
        "/api/import/postings",
        params={"file": "batch.jsonl"},
        content=body,
        headers=h["admin"] | {"content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["read"], rep["inserted"], rep["rejected"]) == (5, 3, 2)
    assert [(e["line"], e["field"]) for e in rep["errors"]] == [(2, "district"), (3, "(JSON)")]
    # an unreadable level inside a certificate keeps the posting (that requirement never gates) and warns
    assert [(w["line"], w["field"]) for w in rep["warnings"]] == [(5, "requirements.certificates[0].level")]
    assert rep["errors"][0]["file"] == "batch.jsonl"
    assert [f["id"] for f in rep["lint_flagged"]] == ["IMP-4"]
    assert "IMP-1" in ids(client.get("/api/trainees/HW-T05/jobs", headers=h["office"]).json()["results"])
    again = client.post("/api/import/postings", content=body, headers=h["admin"]).json()
    assert again["unchanged"] == 3 and again["inserted"] == 0
    r = client.post("/api/import/postings", content=b"  \n", headers=h["admin"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    r = client.post("/api/import/postings", content=b"\xff\xfe\x00bad", headers=h["admin"])
    assert r.status_code == 200 and r.json()["rejected"] == 1  # the bad line is reported, not the whole body
    assert "UTF-8" in r.json()["errors"][0]["message"]


# --- aggregates ---------------------------------------------------------------------------------------


def test_office_aggregates(client, h):
    d = client.get("/api/office/demand", params={"top_k": 3}, headers=h["office"]).json()
    assert len(d["unmet"]) <= 3 and d["shortage"] and d["total_open_jobs"] >= 13
    k = client.get("/api/office/kpis", headers=h["trainer"]).json()
    assert k["employment_rate"]["label"] == "培训总体就业率" and k["employment_rate"]["target"] == 0.6
    c = client.get("/api/office/course-demand", params={"top_k": 2, "offset": 1}, headers=h["office"]).json()
    assert c["total"] >= 3 and len(c["results"]) == 2
    n = client.get("/api/occupations/normalise", params={"q": "维修电工（持证上岗）"}).json()
    assert n["matches"][0]["code"] == "6-31-01-03"


# --- input errors: 4xx naming the field, never 500 ----------------------------------------------------


@pytest.mark.parametrize(
    "method,url,kwargs,field",
    [
        ("POST", "/api/match/jobs", {"content": b"{not json", "headers": {"content-type": "application/json"}}, "body"),
        ("POST", "/api/match/jobs", {"json": ["a list"]}, "body"),
        ("POST", "/api/match/jobs", {"json": {"district": "火星区"}}, "body.district"),
        (
            "POST",
            "/api/match/jobs",
            {"json": {"district": "渝北区", "certificates": [{"occupation": "星际飞行员"}]}},
            "body.certificates[0].occupation",
        ),
        (
            "POST",
            "/api/match/jobs",
            {"json": {"district": "渝北区", "certificates": [{"occupation": "电工", "level": "很厉害"}]}},
            "body.certificates[0].level",
        ),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "top_k": 0}}, "body.top_k"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "top_k": 101}}, "body.top_k"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "top_k": "many"}}, "body.top_k"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "experience_years": -1}}, "body.experience_years"),
        ("POST", "/api/match/jobs", {"json": {"district": ["渝北区"]}}, "body.district"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "colour": "blue"}}, "body.colour"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "skills": ["x" * 51]}}, "body.skills[0]"),
        ("POST", "/api/match/jobs", {"json": {"district": "渝北区", "radius_km": -5}}, "body.radius_km"),
        ("GET", "/api/search", {"params": {"q": ""}}, "query.q"),
        ("GET", "/api/search", {"params": {"q": "电工" * 300}}, "query.q"),
        ("GET", "/api/search", {"params": {"q": "电工", "top_k": 1000}}, "query.top_k"),
        ("GET", "/api/search", {"params": {"q": "电工", "offset": -1}}, "query.offset"),
        ("GET", "/api/search", {"params": {"q": "电工", "kind": "trainees"}}, "query.kind"),
        ("GET", "/api/postings", {"params": {"district": "火星区"}}, "query.district"),
        ("GET", "/api/courses", {"params": {"occupation": "星际飞行员"}}, "query.occupation"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, method, url, kwargs, field):
    r = client.request(method, url, **kwargs)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["field"] == field and detail[0]["message"], detail


def test_protected_bad_input_and_flow_errors(client, h):
    r = client.get("/api/trainees/HW-T01/gap", params={"target_occupation": "星际飞行员"}, headers=h["office"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.target_occupation"
    r = client.get("/api/trainees/HW-T01/gap", params={"target_posting": "NOPE"}, headers=h["office"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.target_posting"
    r = client.get("/api/trainees/HW-T01/jobs", params=[("district", "火星区")], headers=h["office"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.district[0]"
    r = client.post("/api/match/candidates", json={"text": "   "}, headers=h["employer"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.text"
    r = client.post("/api/match/candidates", json={"text": "电工" * 1500}, headers=h["employer"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.text"
    r = client.post("/api/postings", json=NEW_POSTING | {"salary_min": 9000, "salary_max": 100}, headers=h["employer"])
    assert r.status_code == 422 and "salary_min" in r.json()["detail"][0]["message"]
    r = client.post("/api/postings", json={k: v for k, v in NEW_POSTING.items() if k != "title"}, headers=h["employer"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.title"


# --- one rule for ids that name nothing: in the URL path 404, in the body or query 422 naming the field ------

UNKNOWN = "NOBODY-404"
PATH_VALUES = {"{trainee_id}": "HW-T01", "{posting_id}": "HW-P01", "{course_id}": "HW-C01", "{request_id}": "nope"}


def _operations_with(spec: dict, param: str) -> list[tuple[str, str]]:
    """Every documented (method, path) whose path names `param`, except PUT (an upsert creates the record)."""
    return [
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        if param in path
        for method in ops
        if method != "put"
    ]


@pytest.mark.parametrize("param", ["{trainee_id}", "{posting_id}", "{course_id}"])
def test_an_unknown_id_in_the_path_is_404_on_every_route_that_takes_one(client, h, param):
    spec = client.get("/openapi.json").json()
    ops = _operations_with(spec, param)
    assert len(ops) >= {"{trainee_id}": 9, "{posting_id}": 7, "{course_id}": 2}[param], ops
    # the unknown trainee's own key (accept/decline are for the trainee themself), and the owner of HW-P01
    unknown_self = client.post("/api/admin/keys", json={"role": "trainee", "subject": UNKNOWN}, headers=h["admin"])
    failures = []
    for method, path in ops:
        url = path.replace(param, UNKNOWN)
        for name, value in PATH_VALUES.items():
            url = url.replace(name, value)
        if "/contact-requests/" in path:
            headers = bearer(unknown_self.json()["secret"])
        elif path.startswith("/api/postings/") and ("candidates" in path or param == "{posting_id}"):
            headers = h["employer"]
        else:
            headers = h["office"]
        r = client.request(method, url, headers=headers, json={} if method == "POST" else None)
        detail = r.json().get("detail") if r.headers.get("content-type", "").startswith("application/json") else None
        if r.status_code != 404 or not isinstance(detail, str) or not (UNKNOWN in detail or "nope" in detail):
            failures.append(f"{method} {url}: {r.status_code} {r.text[:160]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "method,url,kwargs,field",
    [
        (
            "POST",
            "/api/match/gap",
            {"json": {"district": "沙坪坝区", "target_posting": UNKNOWN}},
            "body.target_posting",
        ),
        (
            "POST",
            "/api/match/gap",
            {"json": {"district": "沙坪坝区", "target_occupation": UNKNOWN}},
            "body.target_occupation",
        ),
        ("GET", "/api/trainees/HW-T01/gap", {"params": {"target_posting": UNKNOWN}}, "query.target_posting"),
        ("GET", "/api/trainees/HW-T01/gap", {"params": {"target_occupation": UNKNOWN}}, "query.target_occupation"),
        ("GET", "/api/trainees/HW-T01/jobs", {"params": {"district": UNKNOWN}}, "query.district[0]"),
        ("POST", "/api/trainees/HW-T01/jobs", {"json": {"districts": [UNKNOWN]}}, "body.districts[0]"),
        ("POST", "/api/match/candidates", {"json": {"text": "电工", "district": UNKNOWN}}, "body.district"),
        ("GET", "/api/trainees", {"params": {"district": UNKNOWN}}, "query.district"),
        ("GET", "/api/courses", {"params": {"occupation": UNKNOWN}}, "query.occupation"),
    ],
)
def test_an_unknown_id_or_value_in_the_body_or_query_is_422_naming_it(client, h, method, url, kwargs, field):
    r = client.request(method, url, headers=h["office"], **kwargs)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field and r.json()["detail"][0]["message"], r.json()


# --- the OpenAPI document: typed answers, documented errors, valid examples ---------------------------------


def test_every_operation_declares_a_typed_response_and_its_errors(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    typed = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
            assert ok, where
            for code, response in ok.items():
                if code == "204":
                    assert "content" not in response, where
                    continue
                if path == "/metrics":  # Prometheus text
                    (media, body), *_ = response["content"].items()
                    assert media.startswith("text/plain") and body["schema"] == {"type": "string"}, where
                    continue
                schema = response["content"]["application/json"]["schema"]
                ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
                assert ref, f"{where} {code}: untyped response {schema}"
                assert schemas[ref.rsplit("/", 1)[1]].get("properties"), f"{where} {code}: empty model {ref}"
                typed += 1
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), where
            for code, response in op["responses"].items():
                if code.startswith("4") or code == "503":
                    model = "ValidationErrorOut" if code == "422" else "ErrorOut"
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith(f"/{model}"), where
    assert typed >= 45
    assert "HTTPValidationError" not in schemas  # FastAPI's loc/msg shape, which this API never sends


def test_response_examples_are_valid_answers():
    """What /docs shows as an example is an answer the model accepts (and so a client can rely on)."""
    from pydantic import BaseModel

    import api.responses as responses

    checked = 0
    for model in vars(responses).values():
        if isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == responses.__name__:
            for example in model.model_json_schema().get("examples", []):
                model.model_validate(example)
                checked += 1
    assert checked >= 30


def test_huge_body_is_413(client, h):
    r = client.post(
        "/api/match/jobs",
        content=b'{"district": "' + b"x" * 1_100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


def test_request_id_and_metrics(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert len(generated) == 32
    text = client.get("/metrics").text
    assert 'matcher_index_records{kind="postings"}' in text
    assert 'matcher_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "matcher_http_request_duration_seconds_bucket" in text


def test_access_log_is_json_with_request_id(client, capsys):
    import logging

    records: list[logging.LogRecord] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    grab = Grab()
    logging.getLogger("api.access").addHandler(grab)
    try:
        client.get("/api/districts", headers={"X-Request-ID": "log-test-1"})
    finally:
        logging.getLogger("api.access").removeHandler(grab)
    from api.observability import JsonFormatter

    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "log-test-1" and line["route"] == "/api/districts" and line["status"] == 200


# --- concurrency and restarts ------------------------------------------------------------------------


def test_concurrent_reads_during_writes_and_rebuild(client, h):
    errors: list[str] = []
    stop = time.monotonic() + 8

    def reader(kind: int) -> None:
        while time.monotonic() < stop:
            if kind == 0:
                r = client.get("/api/trainees/HW-T01/jobs", headers=h["trainee"])
            elif kind == 1:
                r = client.get("/api/search", params={"q": "消防"})
            else:
                r = client.get("/api/office/demand", headers=h["office"])
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text[:200]}")

    def writer() -> None:
        n = 0
        while time.monotonic() < stop:
            pid = f"CONC-{n % 5}"
            r = client.put(
                f"/api/postings/{pid}", json=NEW_POSTING | {"id": pid, "salary_max": 6000 + n}, headers=h["employer"]
            )
            if r.status_code not in (200, 201):
                errors.append(f"write {r.status_code} {r.text[:200]}")
            if n % 3 == 0:
                client.post(f"/api/postings/{pid}/close", headers=h["employer"])
            n += 1

    threads = [threading.Thread(target=reader, args=(i % 3,)) for i in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    r = client.post("/api/admin/rebuild", headers=h["admin"])
    assert r.status_code in (202, 409)
    for t in threads:
        t.join()
    deadline = time.monotonic() + 120
    while (
        client.get("/api/admin/rebuild", headers=h["admin"]).json()["state"] == "running"
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    assert client.get("/api/admin/rebuild", headers=h["admin"]).json()["state"] == "done"
    assert not errors, errors[:5]
    # after the rebuild every write is still there
    assert client.get("/api/postings/CONC-1").status_code == 200
    assert client.get("/readyz").json()["indexed"]["postings"] == client.get("/api/stats").json()["records"]["postings"]


def test_restart_loses_nothing_acknowledged(settings, keys, client, h):
    posting = NEW_POSTING | {"id": "API-DURABLE-1", "title": "消防控制室值班员（持久化测试）"}
    assert client.post("/api/postings", json=posting, headers=h["employer"]).status_code == 201
    with TestClient(create_app(settings)) as fresh:
        assert fresh.get("/api/postings/API-DURABLE-1").status_code == 200
        got = fresh.get("/api/trainees/HW-T01/jobs", params={"top_k": 50}, headers=bearer(keys["trainee"])).json()
        assert "API-DURABLE-1" in ids(got["results"])
        assert (
            fresh.get("/api/search", params={"q": "消防控制室值班员（持久化测试）"}).json()["results"][0]["id"]
            == "API-DURABLE-1"
        )


def test_two_workers_on_one_home_see_each_others_writes(settings, keys, client, h):
    """uvicorn --workers N: each process has its own world; the change feed keeps them in step."""

    def jobs(c):
        return ids(
            c.get("/api/trainees/HW-T01/jobs", params={"top_k": 50}, headers=bearer(keys["trainee"])).json()["results"]
        )

    with TestClient(create_app(settings)) as other:
        posting = NEW_POSTING | {"id": "API-WORKER-1", "title": "消防控制室值班员（另一进程）"}
        assert client.post("/api/postings", json=posting, headers=h["employer"]).status_code == 201
        assert "API-WORKER-1" in jobs(other)
        assert other.post("/api/postings/API-WORKER-1/close", headers=h["employer"]).status_code == 200
        assert "API-WORKER-1" not in jobs(client)
        assert client.delete("/api/postings/API-WORKER-1", headers=h["employer"]).status_code == 204
        assert (
            other.get("/api/search", params={"q": "消防控制室值班员（另一进程）"}).json()["results"][0]["id"]
            != "API-WORKER-1"
        )
        t = other.get("/api/trainees/HW-T07", headers=h["office"]).json()
        assert (
            other.put(
                "/api/trainees/HW-T07", json=t | {"consent_employer_search": False}, headers=h["office"]
            ).status_code
            == 200
        )
        r = client.post(
            "/api/match/candidates", json={"text": "商场保洁", "district": "九龙坡区"}, headers=h["employer"]
        )
        assert "HW-T07" not in ids(r.json()["results"], "trainee")
