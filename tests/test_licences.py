"""Real-format certificates and text-only postings, end to end: import through the CLI, the real encoder,
indexes and ranking, judged as a 就业服务 counsellor would (tests/fixtures/licence_world, clock 2026-06-01)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from matcher.config import Settings
from matcher.domain.features import Cert, PostingView, certificate_fit
from matcher.domain.schema import Posting, Trainee
from matcher.service.engine import Engine
from matcher.service.flows import JobQuery, gap, jobs_for, qualifies, stored_person
from tests.conftest import ROOT, SMALL_WORLD, run_cli

LICENCE_WORLD = ROOT / "tests" / "fixtures" / "licence_world"
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("licence_home")
    run_cli(home, "ingest", "postings", str(SMALL_WORLD / "postings.jsonl"))
    run_cli(home, "ingest", "trainees", str(SMALL_WORLD / "trainees.jsonl"))
    run_cli(home, "ingest", "postings", str(LICENCE_WORLD / "postings.jsonl"))
    report = run_cli(home, "ingest", "trainees", str(LICENCE_WORLD / "trainees.jsonl"), "--json")
    (home / "trainee_report.json").write_text(report.stdout, encoding="utf-8")
    run_cli(home, "index", "build")
    return home


@pytest.fixture(scope="module")
def engine(home):
    return Engine(Settings(home=home, today=TODAY))


def jobs(engine, tid: str, **kw) -> dict:
    return jobs_for(engine, stored_person(engine, tid), JobQuery(k=50, **kw))


def result(out: dict, pid: str) -> dict | None:
    return next((r for r in out["results"] if r["posting"]["id"] == pid), None)


# --- import: real-format records lose nobody ------------------------------------------------------


def test_real_format_trainee_records_all_import_and_the_unknown_certificate_is_a_warning(home, engine):
    report = json.loads((home / "trainee_report.json").read_text(encoding="utf-8"))
    assert report["inserted"] == 7 and report["rejected"] == 0 and report["errors"] == []
    assert [(w["line"], w["field"]) for w in report["warnings"]] == [(5, "certificates[1].occupation")]
    forklift = engine.store.get("trainees", "LW-T01").certificates[0]
    assert (forklift.type, forklift.item, forklift.issued_at, forklift.expires_at, forklift.expires_derived) == (
        "特种设备作业人员证",
        "N1",
        "2025-03",
        "2029-03",
        True,
    )
    drone = engine.store.get("trainees", "LW-T05").certificates
    assert (drone[0].type, drone[0].item, drone[0].issued_at) == ("其他", "民用无人机操控员执照", "2025-06")
    assert not drone[1].recognised and drone[1].occupation == "星际领航员"  # kept verbatim, never gates


def test_a_certificate_number_is_personal_data_stored_apart_from_the_profile(engine):
    profile = next(p for p in engine.store.profiles() if p["id"] == "LW-T02")
    assert all("number" not in c for c in profile["certificates"])
    assert engine.store.get("trainees", "LW-T02").certificates[0].number == "T500112199001011234"


def test_text_only_postings_get_their_requirements_from_the_text_with_provenance(engine):
    p = engine.store.get("postings", "LW-P04")
    certs = [(c.type, c.item, c.mandatory, c.group) for c in p.requirements.certificates]
    assert certs == [
        ("特种作业操作证", "电工作业", True, "g1"),
        ("特种作业操作证", "焊接与热切割作业", True, "g1"),
        ("机动车驾驶证", "C1", False, None),
    ]
    assert p.provenance["requirements.certificates"] == "extracted"
    stated = engine.store.get("postings", "LW-P07")
    assert stated.provenance["requirements.certificates"] == "stated"


# --- the gate: only a matching, valid certificate opens it -------------------------------------------


def test_a_low_voltage_licence_opens_the_electrician_jobs_that_ask_for_it_and_not_the_high_voltage_one(engine):
    out = jobs(engine, "LW-T02")
    for pid in ("LW-P01", "LW-P04"):  # 低压电工证 requirement; 电工证 (the category) in an either-or group
        assert result(out, pid) is not None, pid
    assert any("持有特种作业操作证·低压电工作业" in r for r in result(out, "LW-P01")["reasons"])
    assert result(out, "LW-P06") is None  # 持高压电工证上岗


def test_a_level_certificate_alone_does_not_open_a_licence_requirement(engine):
    out = jobs(engine, "LW-T07")
    assert result(out, "LW-P01") is None and result(out, "LW-P07") is not None  # 四级电工 meets LW-P07's level
    posting = engine.world.postings["LW-P01"]
    fit = certificate_fit(stored_person(engine, "LW-T07").certs, posting, TODAY)
    assert not fit.gate_ok and fit.related  # same trade, other certificate system


def test_an_expired_licence_does_not_open_the_gate_and_the_result_and_the_gap_say_so(engine):
    out = jobs(engine, "LW-T03")
    assert result(out, "LW-P01") is None
    assert any("证书已过期/需复审" in n and "2025-03" in n for n in out["notices"])
    g = gap(engine, stored_person(engine, "LW-T03"), target_posting="LW-P01")
    assert g["missing"][0]["type"] == "renewal" and "复审" in g["missing"][0]["label"]


def test_a_forklift_licence_written_as_a_level_opens_the_forklift_job(engine):
    r = result(jobs(engine, "LW-T01"), "LW-P02")
    assert r is not None and any("N1" in reason and "持证上岗" in reason for reason in r["reasons"])


def test_a_b2_driver_meets_a_c1_requirement(engine):
    assert result(jobs(engine, "LW-T04"), "LW-P03") is not None


def test_a_health_certificate_is_never_a_gate_but_is_listed_to_arrange(engine):
    r = result(jobs(engine, "LW-T06"), "LW-P05")
    assert r is not None and any("需办理健康证" in m for m in r["missing"])


# --- pure rules ----------------------------------------------------------------------------------


def _posting(*reqs: dict, occupations: frozenset[str] = frozenset()) -> PostingView:
    certs = tuple(
        Cert.from_dict(
            Posting.model_validate(
                {
                    "id": "X",
                    "title": "-",
                    "employer": "-",
                    "district": "渝北区",
                    "requirements": {"certificates": list(reqs)},
                }
            )
            .requirements.certificates[i]
            .model_dump()
        )
        for i in range(len(reqs))
    )
    return PostingView(
        "X",
        "-",
        "-",
        "渝北区",
        106.6,
        29.7,
        certs=certs,
        occupations=occupations | {c.occupation for c in certs if c.occupation},
    )


def _held(*certs: dict) -> tuple[Cert, ...]:
    trainee = Trainee.model_validate({"id": "T", "district": "渝北区", "certificates": list(certs)})
    return tuple(Cert.from_dict(c.model_dump()) for c in trainee.certificates)


@pytest.mark.parametrize(
    ("held", "required", "opens"),
    [
        ({"type": "特种作业操作证", "item": "低压电工作业"}, {"type": "特种作业操作证", "item": "电工作业"}, True),
        ({"type": "特种作业操作证", "item": "电工作业"}, {"type": "特种作业操作证", "item": "低压电工作业"}, False),
        ({"type": "特种作业操作证", "item": "熔化焊接与热切割作业"}, {"name": "焊工证"}, True),
        ({"type": "特种设备作业人员证", "item": "Q2"}, {"name": "叉车证"}, False),
        ({"name": "叉车证"}, {"type": "特种设备作业人员证", "item": "N"}, True),
        ({"type": "机动车驾驶证", "item": "A2"}, {"type": "机动车驾驶证", "item": "C1"}, True),
        ({"type": "机动车驾驶证", "item": "C1"}, {"type": "机动车驾驶证", "item": "B2"}, False),
        ({"type": "机动车驾驶证", "item": "C2"}, {"type": "机动车驾驶证"}, True),
        ({"type": "职业资格证书", "item": "教师资格证"}, {"type": "职业资格证书", "item": "教师资格"}, True),
        ({"type": "专项职业能力证书", "item": "小儿推拿"}, {"type": "专项职业能力证书", "item": "小儿推拿"}, True),
        ({"type": "其他", "item": "民用无人机操控员执照"}, {"name": "无人机执照"}, True),
        ({"type": "其他", "item": "保安员证"}, {"name": "无人机执照"}, False),
        ({"occupation": "电工", "level": "三级"}, {"occupation": "电工", "level": "四级"}, True),
        ({"occupation": "电工", "level": "五级"}, {"occupation": "电工", "level": "四级"}, False),
        ({"occupation": "电工", "level": "三级"}, {"type": "特种作业操作证", "item": "电工作业"}, False),
        ({"occupation": "星际领航员"}, {"occupation": "电工"}, False),
        # a level-less "持证上岗 · trade" asks for the trade's certificate: its licence counts, not for a level
        ({"name": "叉车证"}, {"occupation": "叉车司机"}, True),
        ({"type": "特种作业操作证", "item": "低压电工作业"}, {"occupation": "电工", "level": "四级"}, False),
    ],
)
def test_which_certificate_opens_which_mandatory_requirement(held, required, opens):
    fit = certificate_fit(_held(held), _posting(required | {"mandatory": True}), TODAY)
    assert fit.gate_ok is opens


def test_any_one_certificate_of_a_group_opens_it_and_a_preferred_one_is_a_bonus_never_a_gate():
    either = _posting(
        {"name": "电工证", "mandatory": True, "group": "g1"},
        {"name": "焊工证", "mandatory": True, "group": "g1"},
        {"name": "C1驾照", "mandatory": False},
    )
    welder = _held({"type": "特种作业操作证", "item": "熔化焊接与热切割作业", "issued_at": "2024-01"})
    with_c1 = _held(
        {"type": "特种作业操作证", "item": "熔化焊接与热切割作业", "issued_at": "2024-01"},
        {"type": "机动车驾驶证", "item": "C1"},
    )
    a, b = certificate_fit(welder, either, TODAY), certificate_fit(with_c1, either, TODAY)
    assert a.gate_ok and b.gate_ok and b.score > a.score
    assert certificate_fit(_held({"type": "机动车驾驶证", "item": "C1"}), either, TODAY).gate_ok is False


def test_expiry_is_inclusive_to_the_end_of_the_month_and_derived_from_the_type():
    licence = {"type": "特种设备作业人员证", "item": "N1", "issued_at": "2022-06"}  # 4 years → valid through 2026-06-30
    req = _posting({"name": "叉车证", "mandatory": True})
    assert certificate_fit(_held(licence), req, dt.date(2026, 6, 30)).gate_ok
    late = certificate_fit(_held(licence), req, dt.date(2026, 7, 1))
    assert not late.gate_ok and late.expired
    explicit = _held(licence | {"expires_at": "2030-01-15"})
    assert certificate_fit(explicit, req, dt.date(2029, 12, 31)).gate_ok


def test_a_special_work_licence_past_three_years_warns_of_review_but_still_opens_the_gate():
    fit = certificate_fit(
        _held({"type": "特种作业操作证", "item": "低压电工作业", "issued_at": "2022-01"}),
        _posting({"name": "电工证", "mandatory": True}),
        TODAY,
    )
    assert fit.gate_ok and fit.review_due


def test_qualifying_means_passing_the_gate_and_fitting_the_trade():
    req = _posting({"name": "低压电工证", "mandatory": True})
    assert qualifies(_held({"type": "特种作业操作证", "item": "低压电工作业"}), req, TODAY)
    assert not qualifies(_held({"occupation": "电工", "level": "四级"}), req, TODAY)


# --- the HTTP surface ----------------------------------------------------------------------------


def test_the_api_reads_a_draft_and_shows_a_postings_provenance(home):
    from api.app import create_app

    with TestClient(create_app(Settings(home=home, today=TODAY))) as client:
        r = client.post("/api/extract", json={"title": "仓库叉车司机", "text": "持叉车证上岗，两班倒，五险一金。"})
        assert r.status_code == 200
        body = r.json()
        assert [(c["type"], c["item"], c["mandatory"]) for c in body["requirements"]["certificates"]] == [
            ("特种设备作业人员证", "N1", True)
        ]
        assert body["shift"] == "两班倒" and "五险一金" in body["benefits"]
        assert any(s["text"] == "叉车证" for s in body["spans"])
        too_long = client.post("/api/extract", json={"text": "电工" * 20_000})
        assert too_long.status_code == 422 and "text" in json.dumps(too_long.json(), ensure_ascii=False)
        posting = client.get("/api/postings/LW-P02").json()
        assert posting["provenance"]["requirements.certificates"] == "extracted"
        assert posting["requirements"]["certificates"][0]["item"] == "N1"


def test_csv_certificate_cells_take_licences_by_name():
    from matcher.ingest.importer import csv_row_to_record

    row = csv_row_to_record(
        "trainees", {"id": "T", "district": "渝北区", "certificates": "叉车证::2025-03; 低压电工证:操作证; 电工:四级"}
    )
    got = [(c.type, c.item, c.level, c.expires_at) for c in Trainee.model_validate(row).certificates]
    assert got == [
        ("特种设备作业人员证", "N1", None, "2029-03"),
        ("特种作业操作证", "低压电工作业", None, None),
        ("职业技能等级证书", None, "四级/中级工", None),
    ]
