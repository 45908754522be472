"""Role matrix: every protected endpoint × every role (and no key, a wrong key, another subject).

Expected codes are spelled out per endpoint: 401 without/with a wrong key, 403 for a role or subject
that may not act, and the endpoint's success code (or a 404 that can only come after the role check)
for those that may. A test also checks that the matrix covers every operation the OpenAPI marks as
protected, so a new endpoint cannot ship without its row.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.config import Settings
from tests.conftest import SMALL_WORLD, pg_world_home
from tests.support import bearer, copy_home, mint_keys

ROLES = ("anon", "badkey", "trainee", "trainee_other", "employer", "employer_other", "trainer", "office", "admin")
OWNER = "重庆示例物业服务有限公司"
PROVIDER = "重庆示例技师学院"
HW_T01 = json.loads((SMALL_WORLD / "trainees.jsonl").read_text(encoding="utf-8").splitlines()[0])
HW_C02 = json.loads((SMALL_WORLD / "courses.jsonl").read_text(encoding="utf-8").splitlines()[1])


def posting(pid: str, employer: str = OWNER) -> dict:
    return {
        "id": pid,
        "title": "消防设施操作员",
        "employer": employer,
        "district": "沙坪坝区",
        "requirements": {"certificates": [{"occupation": "消防设施操作员", "level": "四级", "mandatory": True}]},
        "salary_min": 4000,
        "salary_max": 5000,
        "posted_at": "2025-11-15",
    }


def course(cid: str, provider: str = PROVIDER) -> dict:
    return {
        "id": cid,
        "title": "电工中级班",
        "provider": provider,
        "district": "渝北区",
        "occupation": "电工",
        "level": "四级",
        "hours": 100,
    }


def expect(default: int = 403, **allowed: int | tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    out = {role: (default,) for role in ROLES}
    out["anon"] = out["badkey"] = (401,)
    for role, code in allowed.items():
        out[role] = code if isinstance(code, tuple) else (code,)
    return out


TRAINEE_READ = dict(trainee=200, office=200, admin=200)  # HW-T01 took no course of the trainer's provider
ENROLLED_READ = dict(trainer=200, office=200, admin=200)  # HW-T06 is enrolled in HW-C02 (the trainer's)
CANDIDATES = dict(employer=200, office=200, admin=200)
AGGREGATES = dict(trainer=200, office=200, admin=200)

# (name, method, path, json body or None, expected per role). "{role}" in a path/body is replaced by the role
# name, so writes and deletes act on a record of their own and never depend on test order.
MATRIX = [
    ("trainee jobs GET", "GET", "/api/trainees/HW-T01/jobs", None, expect(**TRAINEE_READ)),
    ("trainee jobs POST", "POST", "/api/trainees/HW-T01/jobs", {"top_k": 3}, expect(**TRAINEE_READ)),
    ("trainee gap", "GET", "/api/trainees/HW-T01/gap", None, expect(**TRAINEE_READ)),
    ("trainee record GET", "GET", "/api/trainees/HW-T01", None, expect(**TRAINEE_READ)),
    ("enrolled trainee jobs GET", "GET", "/api/trainees/HW-T06/jobs", None, expect(**ENROLLED_READ)),
    ("enrolled trainee jobs POST", "POST", "/api/trainees/HW-T06/jobs", {"top_k": 3}, expect(**ENROLLED_READ)),
    ("enrolled trainee gap", "GET", "/api/trainees/HW-T06/gap", None, expect(**ENROLLED_READ)),
    ("enrolled trainee record GET", "GET", "/api/trainees/HW-T06", None, expect(**ENROLLED_READ)),
    (
        "trainee record PUT (unchanged)",
        "PUT",
        "/api/trainees/HW-T01",
        HW_T01,
        expect(trainee=200, office=200, admin=200),
    ),
    ("trainee list", "GET", "/api/trainees", None, expect(**AGGREGATES)),
    (
        "trainee create",
        "POST",
        "/api/trainees",
        {"id": "MX-NEW-{role}", "district": "渝北区"},
        expect(office=201, admin=201),
    ),
    ("trainee delete", "DELETE", "/api/trainees/MX-T-{role}", None, expect(office=204, admin=204)),
    (
        "trainee contact requests",
        "GET",
        "/api/trainees/HW-T01/contact-requests",
        None,
        expect(trainee=200, office=200, admin=200),
    ),
    ("accept contact", "POST", "/api/trainees/HW-T01/contact-requests/nope/accept", None, expect(trainee=404)),
    ("decline contact", "POST", "/api/trainees/HW-T01/contact-requests/nope/decline", None, expect(trainee=404)),
    ("posting candidates", "GET", "/api/postings/HW-P01/candidates", None, expect(**CANDIDATES)),
    ("candidate view", "GET", "/api/postings/HW-P01/candidates/HW-T01", None, expect(**CANDIDATES)),
    (
        "contact request",
        "POST",
        "/api/postings/HW-P01/candidates/HW-T04/contact-request",
        {"message": "您好"},
        expect(employer=(200, 201)),
    ),
    (
        "candidates by text",
        "POST",
        "/api/match/candidates",
        {"text": "消防控制室值班", "district": "沙坪坝区"},
        expect(employer=200, employer_other=200, office=200, admin=200),
    ),
    (
        "employer contact requests",
        "GET",
        "/api/employer/contact-requests",
        None,
        expect(employer=200, employer_other=200),
    ),
    ("posting create", "POST", "/api/postings", posting("MX-NEWP-{role}"), expect(employer=201, admin=201)),
    ("posting put", "PUT", "/api/postings/MX-PUT-{role}", posting("MX-PUT-{role}"), expect(employer=200, admin=200)),
    ("posting close", "POST", "/api/postings/MX-CLOSE-{role}/close", None, expect(employer=200, office=200, admin=200)),
    ("posting delete", "DELETE", "/api/postings/MX-DEL-{role}", None, expect(employer=204, admin=204)),
    ("course create", "POST", "/api/courses", course("MX-NEWC-{role}"), expect(trainer=201, office=201, admin=201)),
    ("course put (unchanged)", "PUT", "/api/courses/HW-C02", HW_C02, expect(trainer=200, office=200, admin=200)),
    ("course delete", "DELETE", "/api/courses/MX-CDEL-{role}", None, expect(trainer=204, office=204, admin=204)),
    ("office demand", "GET", "/api/office/demand", None, expect(**AGGREGATES)),
    ("office kpis", "GET", "/api/office/kpis", None, expect(**AGGREGATES)),
    ("office course demand", "GET", "/api/office/course-demand", None, expect(**AGGREGATES)),
    ("office audit", "GET", "/api/office/audit", None, expect(office=200, admin=200)),
    ("import", "POST", "/api/import/placements", None, expect(admin=200)),
    ("rebuild", "POST", "/api/admin/rebuild", None, expect(admin=(202, 409))),
    ("rebuild status", "GET", "/api/admin/rebuild", None, expect(admin=200)),
    ("key create", "POST", "/api/admin/keys", {"role": "employer", "subject": "某单位"}, expect(admin=201)),
    ("key list", "GET", "/api/admin/keys", None, expect(admin=200)),
    ("key revoke", "DELETE", "/api/admin/keys/nope", None, expect(admin=404)),
    ("who am i", "GET", "/api/me", None, expect(200)),  # any valid key; 401 without one
]
IMPORT_BODY = (
    '{"id": "MX-PL-1", "trainee_id": "HW-T01", "occupation": "消防设施操作员", "district": "沙坪坝区"}\n'.encode()
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def env(request, small_home, tmp_path_factory):
    """The role matrix runs on each records backend (keys, ownership checks and audit live in the database)."""
    if request.param == "postgresql":
        settings = pg_world_home(request.getfixturevalue("pg"), tmp_path_factory, "roles")
    else:
        settings = Settings(home=copy_home(small_home, tmp_path_factory.mktemp("roles") / "home"))
    keys = mint_keys(settings)
    with TestClient(create_app(settings)) as client:
        admin = bearer(keys["admin"])
        for role in ROLES:  # one record per role for the write/delete rows
            for prefix in ("MX-PUT", "MX-CLOSE", "MX-DEL"):
                assert (
                    client.put(
                        f"/api/postings/{prefix}-{role}", json=posting(f"{prefix}-{role}"), headers=admin
                    ).status_code
                    == 201
                )
            assert client.post("/api/courses", json=course(f"MX-CDEL-{role}"), headers=admin).status_code == 201
            assert (
                client.post(
                    "/api/trainees", json={"id": f"MX-T-{role}", "district": "渝北区"}, headers=admin
                ).status_code
                == 201
            )
        yield client, keys


def headers_for(role: str, keys: dict[str, str]) -> dict[str, str]:
    if role == "anon":
        return {}
    if role == "badkey":
        return bearer("cqm_00000000_not-a-real-key")
    return bearer(keys[role])


@pytest.mark.parametrize("row", MATRIX, ids=[m[0] for m in MATRIX])
def test_role_matrix(env, row):
    client, keys = env
    name, method, path, body, expected = row
    failures = []
    for role in ROLES:
        url = path.replace("{role}", role)
        kwargs: dict = {"headers": headers_for(role, keys)}
        if name == "import":
            kwargs["content"] = IMPORT_BODY
            kwargs["headers"] = kwargs["headers"] | {"content-type": "application/x-ndjson"}
        elif body is not None:
            kwargs["json"] = json.loads(json.dumps(body).replace("{role}", role))
        r = client.request(method, url, **kwargs)
        if r.status_code not in expected[role]:
            failures.append(f"{role}: {r.status_code} (expected {expected[role]}) {r.text[:200]}")
        if r.status_code == 401:
            assert r.headers.get("www-authenticate") == "Bearer"
    assert not failures, f"{method} {path}:\n" + "\n".join(failures)


def test_matrix_covers_every_protected_operation(env):
    client, _ = env
    spec = client.get("/openapi.json").json()
    protected = {(m.upper(), p) for p, ops in spec["paths"].items() for m, op in ops.items() if op.get("security")}

    covered = set()
    for _name, method, path, _body, _exp in MATRIX:
        for p, ops in spec["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"
            if method.lower() in ops and re.match(pattern, path.replace("{role}", "x")):
                covered.add((method, p))
    assert protected - covered == set(), f"protected operations without a matrix row: {sorted(protected - covered)}"


PUBLIC = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/"),
    ("GET", "/api/stats"),
    ("GET", "/api/districts"),
    ("GET", "/api/occupations/lookup?q=电工"),
    ("GET", "/api/occupations/normalise?q=维修电工"),
    ("GET", "/api/search?q=叉车"),
    ("GET", "/api/postings"),
    ("GET", "/api/postings/HW-P01"),
    ("GET", "/api/postings/HW-P12/lint"),
    ("GET", "/api/courses"),
    ("GET", "/api/courses/HW-C01"),
]


@pytest.mark.parametrize("method,path", PUBLIC)
def test_public_endpoints_need_no_key(env, method, path):
    client, _ = env
    assert client.request(method, path).status_code == 200


def test_public_posts_need_no_key(env):
    client, _ = env
    r = client.post(
        "/api/match/jobs",
        json={"district": "沙坪坝区", "certificates": [{"occupation": "消防设施操作员", "level": "四级"}]},
    )
    assert r.status_code == 200 and r.json()["results"]
    r = client.post("/api/lint", json={"title": "汽车装调工", "description": "限男性，年龄35岁以下"})
    assert r.status_code == 200 and {f["rule"] for f in r.json()["findings"]} == {"gender", "age"}


def test_subject_rules(env):
    """Ownership beyond the role: another employer's posting, another provider's course, someone else's record."""
    client, keys = env
    emp, other = bearer(keys["employer"]), bearer(keys["employer_other"])
    # an employer cannot post in another employer's name, nor take over another employer's posting id
    assert (
        client.post(
            "/api/postings", json=posting("MX-X1", employer="重庆示例汽车零部件有限公司"), headers=emp
        ).status_code
        == 403
    )
    assert client.put("/api/postings/HW-P03", json=posting("HW-P03"), headers=emp).status_code == 403
    assert client.get("/api/postings/HW-P03/candidates", headers=other).status_code == 200
    # a trainer cannot create a course for another provider, nor change one
    trainer = bearer(keys["trainer"])
    assert client.post("/api/courses", json=course("MX-X2", provider="别家学校"), headers=trainer).status_code == 403
    c01 = json.loads((SMALL_WORLD / "courses.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert client.put("/api/courses/HW-C01", json=c01, headers=trainer).status_code == 403
    # a trainee cannot write someone else's record, nor list trainees, nor see aggregates
    t = bearer(keys["trainee"])
    t02 = json.loads((SMALL_WORLD / "trainees.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert client.put("/api/trainees/HW-T02", json=t02, headers=t).status_code == 403
    assert client.get("/api/trainees/HW-T02/gap", headers=t).status_code == 403
    # the trainee's own jobs work; the body id must match the path
    r = client.put("/api/trainees/HW-T01", json=HW_T01 | {"id": "HW-T02"}, headers=t)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.id"


def _enrolled_with(provider: str) -> set[str]:
    """From the fixture files: the trainees with a training record in one of `provider`'s courses."""

    def rows(kind: str) -> list[dict]:
        return [json.loads(x) for x in (SMALL_WORLD / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]

    courses = {c["id"] for c in rows("courses") if c["provider"] == provider}
    return {r["trainee_id"] for r in rows("training_records") if r["course_id"] in courses}


def test_trainer_sees_only_its_own_courses_trainees_and_only_their_profile(env):
    client, keys = env
    trainer, office = bearer(keys["trainer"]), bearer(keys["office"])
    own = _enrolled_with(PROVIDER)
    assert own and "HW-T01" not in own
    # another provider's trainee: no record, no jobs, no gap — whether the id exists or not (no existence oracle)
    for path in ("/api/trainees/HW-T01", "/api/trainees/HW-T01/gap", "/api/trainees/NOBODY-1"):
        assert client.get(path, headers=trainer).status_code == 403, path
    listed = client.get("/api/trainees", params={"top_k": 100}, headers=trainer).json()
    assert {t["id"] for t in listed["results"]} == own and listed["total"] == len(own)
    assert all("phone" not in t and "name" not in t and "id_number" not in t for t in listed["results"])
    assert all("priority_group" not in t for t in listed["results"])  # 残疾人, 返岗女性 … is the office's to see
    as_trainer = client.get(f"/api/trainees/{min(own)}", headers=trainer).json()
    assert "phone" not in as_trainer and "gender" not in as_trainer and "priority_group" not in as_trainer
    assert as_trainer["certificates"]
    assert client.get("/api/trainees/HW-T01", headers=office).json()["phone"] == "13800135678"
    # enrolling a trainee in one of the provider's courses opens that trainee to it — the district, not coordinates
    assert "lon" in client.get("/api/trainees/HW-T02", headers=office).json()
    record = {"id": "MX-R-T02", "trainee_id": "HW-T02", "course_id": "HW-C02", "start_date": "2025-09-01"}
    r = client.post("/api/import/training_records", content=json.dumps(record).encode(), headers=bearer(keys["admin"]))
    assert r.status_code == 200 and r.json()["inserted"] == 1, r.text
    seen = client.get("/api/trainees/HW-T02", headers=trainer)
    assert seen.status_code == 200 and "lon" not in seen.json() and "lat" not in seen.json()
    listed = client.get("/api/trainees", params={"top_k": 100}, headers=trainer).json()["results"]
    assert {t["id"] for t in listed} == own | {"HW-T02"} and all("lon" not in t for t in listed)


def test_revoked_key_is_rejected(env):
    client, keys = env
    admin = bearer(keys["admin"])
    created = client.post("/api/admin/keys", json={"role": "office", "subject": "临时"}, headers=admin).json()
    assert created["secret"].startswith("cqm_")
    assert client.get("/api/office/kpis", headers=bearer(created["secret"])).status_code == 200
    assert all(
        "secret" not in k and "key_hash" not in k
        for k in client.get("/api/admin/keys", headers=admin).json()["results"]
    )
    assert client.delete(f"/api/admin/keys/{created['key_id']}", headers=admin).status_code == 204
    assert client.get("/api/office/kpis", headers=bearer(created["secret"])).status_code == 401
    # X-API-Key works as well as Bearer
    assert client.get("/api/office/kpis", headers={"X-API-Key": keys["office"]}).status_code == 200


def test_keys_are_stored_hashed(env):
    client, keys = env
    ctx = client.app.state.ctx
    from sqlalchemy import text

    with ctx.store.session() as s:
        stored = [row[0] for row in s.execute(text("SELECT key_hash FROM api_keys"))]
    assert stored and all(len(h) == 64 for h in stored)
    assert not any(secret in stored for secret in keys.values())
