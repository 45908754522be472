"""The records on a real PostgreSQL server (`MATCHER_DATABASE_URL=postgresql+psycopg://…`), against the same
small world on SQLite: what is stored, what is ranked and what the HTTP API answers must not depend on the
database. The server is a throwaway one started for the session (tests/conftest.py `pg`)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.config import Settings
from matcher.demo.generator import FILES
from matcher.ingest.importer import import_file
from matcher.service.engine import Engine
from matcher.service.flows import candidates_for, jobs_for, stored_person
from matcher.service.sync import ChangeFeed
from matcher.storage.contacts import ContactRequests
from matcher.storage.keys import KeyStore
from matcher.storage.store import Store
from tests.conftest import SMALL_WORLD, pg_world_home
from tests.support import SMALL_WORLD_KEYS, bearer


@pytest.fixture(scope="module")
def pg_home(pg, tmp_path_factory):
    """This module writes: its own database and home, like the shared `pg_small_home`."""
    return pg_world_home(pg, tmp_path_factory, "pg_module")


@pytest.fixture(scope="module")
def sqlite_settings(small_home):
    return Settings(home=small_home)


def test_records_round_trip_identically(pg_home, sqlite_settings):
    pg_store, lite = Store.from_settings(pg_home), Store.from_settings(sqlite_settings)
    assert pg_store.engine.dialect.name == "postgresql"
    for kind in FILES:
        assert pg_store.count(kind) == lite.count(kind) > 0, kind
        assert list(pg_store.payloads(kind)) == list(lite.payloads(kind)), kind
    # personal fields (their own column) come back too, and only through iter()
    pg_people = {t.id: t.personal() for t in pg_store.iter("trainees")}
    assert pg_people == {t.id: t.personal() for t in lite.iter("trainees")}
    # the JSON path query a trainer's view rests on
    assert sorted(pg_store.session().execute(pg_store.enrolled_with("重庆示例技师学院")).scalars()) == sorted(
        lite.session().execute(lite.enrolled_with("重庆示例技师学院")).scalars()
    )


def test_reimport_is_idempotent_and_a_bad_row_keeps_the_good_ones(pg_home, tmp_path):
    store = Store.from_settings(pg_home)
    again = import_file(store, "postings", SMALL_WORLD / "postings.jsonl")
    assert (again.inserted, again.updated, again.rejected) == (0, 0, 0)
    lines = (SMALL_WORLD / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    good = json.loads(lines[0]) | {"id": "PG-NEW-1"}
    bad = json.loads(lines[1]) | {"id": "PG-NEW-2", "district": "火星区"}
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
    report = import_file(store, "postings", path)
    assert (report.inserted, report.rejected) == (1, 1)
    assert "district" in str(report.errors[0]) and ":2" in str(report.errors[0])
    assert store.get("postings", "PG-NEW-1") is not None and store.get("postings", "PG-NEW-2") is None
    assert store.delete("postings", "PG-NEW-1") and store.get("postings", "PG-NEW-1") is None


def test_ranking_does_not_depend_on_the_database(pg_home, sqlite_settings):
    on_pg, on_lite = Engine(pg_home), Engine(sqlite_settings)
    for trainee in ("HW-T01", "HW-T02", "HW-T04"):
        a = jobs_for(on_pg, stored_person(on_pg, trainee))["results"]
        b = jobs_for(on_lite, stored_person(on_lite, trainee))["results"]
        assert [(r["posting"]["id"], r["score"]) for r in a] == [(r["posting"]["id"], r["score"]) for r in b]
        assert a, trainee
    posting = on_pg.world.postings["HW-P01"]
    a = candidates_for(on_pg, posting)["results"]
    b = candidates_for(on_lite, on_lite.world.postings["HW-P01"])["results"]
    assert [(r["trainee"]["id"], r["score"]) for r in a] == [(r["trainee"]["id"], r["score"]) for r in b]


def test_keys_contacts_audit_and_change_feed_on_postgres(pg_home):
    store = Store.from_settings(pg_home)
    keys = KeyStore(store)
    info, secret = keys.create("employer", "重庆示例物业服务有限公司", "pg")
    principal = keys.verify(secret)
    assert principal is not None and principal.role == "employer" and principal.key_id == info["key_id"]
    assert keys.revoke(info["key_id"]) and not keys.revoke(info["key_id"])
    contacts = ContactRequests(store)
    request, created = contacts.create("HW-P01", "HW-T01", "重庆示例物业服务有限公司", "您好")
    assert created and contacts.create("HW-P01", "HW-T01", "重庆示例物业服务有限公司", None) == (request, False)
    assert contacts.released_to("重庆示例物业服务有限公司", ["HW-T01"]) == set()
    contacts.decide(request["id"], "accepted")
    assert contacts.released_to("重庆示例物业服务有限公司", ["HW-T01"]) == {"HW-T01"}
    assert contacts.delete_for_trainee("HW-T01") == 1  # back to masked for the HTTP comparison below
    feed = ChangeFeed(store)
    before = feed.latest()
    feed.record("postings", ["HW-P01", "HW-P02"], "upsert")
    assert feed.latest() == before + 2
    store.audit("office:test", "view_trainee", "HW-T01")


def test_http_api_answers_the_same_on_postgres(pg_home, sqlite_settings, small_home, tmp_path):
    from tests.support import copy_home

    lite_home = copy_home(small_home, tmp_path / "lite")
    answers = []
    for settings in (pg_home, Settings(home=lite_home)):
        secret = KeyStore(Store.from_settings(settings)).create(*SMALL_WORLD_KEYS["employer"], "pg-test")[1]
        with TestClient(create_app(settings)) as client:
            assert client.get("/readyz").status_code == 200
            jobs = client.post(
                "/api/match/jobs",
                json={"district": "沙坪坝区", "certificates": [{"occupation": "消防设施操作员", "level": "四级"}]},
            )
            cands = client.get("/api/postings/HW-P01/candidates", headers=bearer(secret))
            missing = client.get("/api/postings/NOPE/candidates", headers=bearer(secret))
        assert jobs.status_code == cands.status_code == 200 and missing.status_code == 404
        answers.append((jobs.json()["results"], [(r["trainee"], r["score"]) for r in cands.json()["results"]]))
    assert answers[0] == answers[1]
