"""The CLI and the HTTP app on the small hand-written world: real store, real encoder, real indexes."""

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.config import Settings
from tests.conftest import SMALL_WORLD, run_cli


def test_cli_status_and_search_json(small_home):
    status = json.loads(run_cli(small_home, "status", "--json").stdout)
    assert status["counts"]["postings"] == 15 and status["counts"]["trainees"] == 8
    assert status["indexes"]["postings/dense"]["count"] == 15
    hits = json.loads(run_cli(small_home, "search", "叉车", "--json").stdout)["results"]
    assert hits[0]["id"] == "HW-P05"  # 叉车工 posting
    hits = json.loads(run_cli(small_home, "search", "消防控制室值班", "--json").stdout)["results"]
    assert hits[0]["id"] in {"HW-P01", "HW-P10"}


def test_cli_ingest_reports_bad_rows_and_exit_code(small_home, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "X1", "title": "电工", "employer": "E", "district": "火星区"}\n{oops\n', encoding="utf-8")
    proc = run_cli(small_home, "ingest", "postings", str(bad), "--json", check=False)
    assert proc.returncode == 1  # nothing imported at all
    report = json.loads(proc.stdout)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(1, "district"), (2, "(JSON)")]
    again = json.loads(run_cli(small_home, "ingest", "postings", str(SMALL_WORLD / "postings.jsonl"), "--json").stdout)
    assert again["unchanged"] == 15 and again["inserted"] == 0


@pytest.fixture(scope="module")
def client(small_home):
    with TestClient(create_app(Settings(home=small_home))) as c:
        yield c


def test_health_ready_and_search_over_http(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["indexed"]["postings"] == 15
    hits = client.get("/api/search", params={"q": "叉车司机"}).json()["results"]
    assert hits[0]["id"] == "HW-P05" and hits[0]["district"] == "江津区"
    assert "重庆技能人才岗位匹配服务" in client.get("/").text


def test_http_errors_are_4xx_with_field_names(client):
    r = client.get("/api/search", params={"q": "电工", "top_k": 1000})
    assert r.status_code == 422 and "top_k" in r.text
    assert client.get("/api/search").status_code == 422
    assert client.get("/api/postings/NOPE").status_code == 404
    assert client.get("/api/occupations/lookup", params={"q": "星际飞行员"}).status_code == 404


def test_lookup_and_records_over_http(client):
    match = client.get("/api/occupations/lookup", params={"q": "叉车司机"}).json()["matches"][0]
    assert match["code"] == "6-30-05-01"
    posting = client.get("/api/postings/HW-P03").json()
    first = posting["requirements"]["certificates"][0]
    assert {k: first[k] for k in ("type", "occupation", "level", "mandatory", "recognised")} == {
        "type": "职业技能等级证书",
        "occupation": "6-31-01-03",
        "level": "四级/中级工",
        "mandatory": True,
        "recognised": True,
    }
    assert len(client.get("/api/districts").json()) == 41


def test_service_without_indexes_is_live_but_not_ready(tmp_path):
    with TestClient(create_app(Settings(home=tmp_path))) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503 and "matcher index build" in r.json()["detail"]
