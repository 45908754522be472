"""Importers: good rows land, bad rows are reported by file/line/field, re-import is idempotent."""

import gzip
import json
import uuid
from pathlib import Path

import pytest

from matcher.ingest.importer import import_file
from matcher.storage.store import Store

GOOD_POSTING = {
    "id": "P1",
    "title": "消防控制室值班员",
    "employer": "重庆示例物业有限公司",
    "district": "沙坪坝区",
    "requirements": {
        "certificates": [{"occupation": "消防设施操作员", "level": "中级", "mandatory": True}],
        "skills": ["消防控制室值守"],
    },
    "salary_min": 4000,
    "salary_max": 5500,
    "posted_at": "2025-10-01",
}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty database on each records backend (a fresh PostgreSQL database per test)."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg").create_database(f"ingest_{uuid.uuid4().hex[:12]}")
    return f"sqlite:///{tmp_path / 'm.db'}"


@pytest.fixture()
def store(store_url):
    return Store(store_url)


def test_good_and_bad_rows_are_reported_by_line_and_field(store, tmp_path):
    rows = [
        GOOD_POSTING,
        GOOD_POSTING | {"id": "P2", "district": "火星区"},
        GOOD_POSTING | {"id": "P3", "requirements": {"certificates": [{"occupation": "焊工", "level": "很厉害"}]}},
        "{not json",
        GOOD_POSTING | {"id": "P5", "colour": "red"},
        GOOD_POSTING | {"id": "P6", "salary_min": 9000, "salary_max": 5000},
        GOOD_POSTING | {"id": "P7", "requirements": {"certificates": [{"occupation": "星际飞行员"}]}},
        {k: v for k, v in GOOD_POSTING.items() if k != "title"} | {"id": "P8"},
        GOOD_POSTING | {"id": "P9", "district": "500112", "lon": 116.4, "lat": 39.9},
        GOOD_POSTING | {"id": "P10", "district": "重庆·渝北区"},
    ]
    report = import_file(store, "postings", write_jsonl(tmp_path / "postings.jsonl", rows))
    where = {(e.line, e.field) for e in report.errors}
    warned = {(w.line, w.field) for w in report.warnings}
    assert (2, "district") in where
    # an unreadable value inside one certificate is a warning: the posting is kept, that requirement never gates
    assert (3, "requirements.certificates[0].level") in warned
    assert (4, "(JSON)") in where
    assert (5, "colour") in where
    assert any(line == 6 and "salary_min" in e.message for e in report.errors for line in [e.line])
    assert (7, "requirements.certificates[0].occupation") in warned
    assert (8, "title") in where
    assert any(e.line == 9 and "不在重庆" in e.message for e in report.errors)
    assert all(e.file == "postings.jsonl" for e in [*report.errors, *report.warnings])
    assert report.inserted == 4 and report.rejected == 6 and report.read == 10
    kept = store.get("postings", "P7").requirements.certificates[0]
    assert not kept.recognised and kept.occupation == "星际飞行员" and "星际飞行员" in kept.note
    assert store.get("postings", "P10").district == "渝北区"
    stored = store.get("postings", "P1")
    assert stored.requirements.certificates[0].occupation == "4-07-05-03"
    assert stored.requirements.certificates[0].level == "四级/中级工"


def test_reimport_is_idempotent_and_updates_changed_rows(store, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [GOOD_POSTING, GOOD_POSTING | {"id": "P2"}])
    first = import_file(store, "postings", path)
    again = import_file(store, "postings", path)
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (2, 0, 0, 2)
    write_jsonl(path, [GOOD_POSTING | {"status": "closed"}, GOOD_POSTING | {"id": "P2"}])
    changed = import_file(store, "postings", path)
    assert (changed.updated, changed.unchanged) == (1, 1)
    assert store.get("postings", "P1").status == "closed"
    assert store.count("postings") == 2


def test_every_line_is_accounted_for_in_a_large_file_with_scattered_errors(store, tmp_path):
    rows = [
        GOOD_POSTING | {"id": f"P{i}"} if i % 7 else GOOD_POSTING | {"id": f"P{i}", "district": "nowhere"}
        for i in range(2500)
    ]
    report = import_file(store, "postings", write_jsonl(tmp_path / "big.jsonl", rows), batch_size=300)
    assert report.read == 2500
    assert report.inserted + report.rejected == 2500
    assert store.count("postings") == report.inserted == sum(1 for i in range(2500) if i % 7)


def test_csv_importer_and_gzip(store, tmp_path):
    csv_text = (
        "id,title,employer,district,certificates,skills,salary_min,salary_max,status\n"
        "C1,电工,重庆示例机电有限公司,渝北区,电工:四级:持证上岗;焊工:初级工,配电维护、电气安装,6000,9000,open\n"
        "C2,保洁员,重庆示例物业有限公司,江北,,保洁,3000,4000,open\n"
        "C3,焊工,重庆示例重工有限公司,渝北区,焊工:九级,,7000,8000,open\n"
    )
    path = tmp_path / "postings.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(csv_text)
    report = import_file(store, "postings", path)
    assert report.inserted == 3 and not report.errors
    assert [(w.line, w.field) for w in report.warnings] == [(4, "requirements.certificates[0].level")]
    c1 = store.get("postings", "C1")
    assert [(c.occupation, c.level, c.mandatory) for c in c1.requirements.certificates] == [
        ("6-31-01-03", "四级/中级工", True),
        ("6-18-02-04", "五级/初级工", False),
    ]
    assert c1.requirements.skills == ["配电维护", "电气安装"]


def test_trainee_personal_fields_are_stored_apart_from_the_profile(store, tmp_path):
    trainee = {
        "id": "T1",
        "district": "沙坪坝区",
        "certificates": [{"occupation": "养老护理员", "level": "四级"}],
        "consent_employer_search": True,
        "name": "张三",
        "phone": "13800135678",
        "id_number": "50010619900101123X",
        "gender": "女",
        "birth_year": 1990,
        "hukou": "本地农村",
        "ethnicity": "汉族",
        "priority_group": "返岗女性",
    }
    report = import_file(
        store, "trainees", write_jsonl(tmp_path / "t.jsonl", [trainee, trainee | {"id": "T2", "phone": "abc"}])
    )
    assert report.inserted == 1 and report.errors[0].field == "phone"
    profile = next(store.profiles())
    assert profile["id"] == "T1" and profile["certificates"][0]["level"] == "四级/中级工"
    for key in ("name", "phone", "id_number", "gender", "birth_year", "hukou", "ethnicity"):
        assert key not in profile
    full = store.get("trainees", "T1")
    assert full.phone == "13800135678" and full.gender == "女"


def test_store_survives_restart(store_url):
    url = store_url
    Store(url).upsert(
        "postings", [__import__("matcher.domain.schema", fromlist=["Posting"]).Posting.model_validate(GOOD_POSTING)]
    )
    assert Store(url).get("postings", "P1").title == GOOD_POSTING["title"]


def test_unknown_kind_and_missing_file_are_clear(store, tmp_path):
    with pytest.raises(ValueError, match="未知的数据类型"):
        import_file(store, "widgets", write_jsonl(tmp_path / "w.jsonl", [{}]))
    with pytest.raises(FileNotFoundError, match="找不到文件"):
        import_file(store, "postings", tmp_path / "missing.jsonl")


REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "jobpostings_2024" / "jobs.csv.gz"


@pytest.mark.skipif(not REAL.exists(), reason="real postings not present (../shared/data)")
def test_real_postings_adapter_imports_chongqing_rows(store):
    from matcher.ingest.importer import import_rows
    from matcher.ingest.sources.jobpostings2024 import read_jobpostings

    report = import_rows(store, "postings", read_jobpostings(REAL), REAL.name)
    assert report.read == report.inserted + report.updated + report.unchanged + report.skipped + report.rejected
    assert report.inserted > 400  # ~500 Chongqing rows
    assert report.skipped > 30000
    districts = {p.district for p in store.iter("postings")}
    assert "渝北区" in districts and len(districts) >= 10
