"""The synthetic demo world: reproducible, valid against the contract, internally consistent, importable."""

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from matcher.catalogues.districts import load_districts
from matcher.catalogues.industries import load_industries
from matcher.catalogues.levels import Level
from matcher.demo.generator import (
    DISCRIMINATORY_PHRASES,
    FILES,
    REFERENCE_DATE,
    compute_kpis,
    generate_demo_world,
    id_checksum,
)
from matcher.domain.schema import KINDS, PRIORITY_GROUPS
from matcher.ingest.importer import import_file
from matcher.storage.store import Store

SCALE = 0.05
SEED = 20251119
ELECTRICIAN_TITLES = {"电工", "维修电工", "低压电工", "高压电工", "水电工", "汽车电工"}


def _read(directory: Path) -> dict[str, list[dict]]:
    return {
        kind: [json.loads(line) for line in (directory / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
        for kind in FILES
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, dict[str, int], dict[str, list[dict]]]:
    out = tmp_path_factory.mktemp("demo")
    counts = generate_demo_world(out, seed=SEED, scale=SCALE)
    return out, counts, _read(out)


def test_writes_every_file_and_counts_match(world):
    out, counts, rows = world
    for kind in FILES:
        assert (out / f"{kind}.jsonl").exists()
        assert counts[kind] == len(rows[kind]) > 0
    assert (out / "README.md").exists() and (out / "manifest.json").exists()
    assert 200 <= counts["postings"] <= 300  # scale 0.05 of ~5,000
    assert 100 <= counts["trainees"] <= 200
    assert counts["courses"] >= 10 and counts["training_records"] >= counts["trainees"]
    assert counts["employers"] >= 30


def test_same_seed_gives_identical_bytes_and_leaves_global_random_alone(world, tmp_path):
    out, _, _ = world
    state = random.getstate()
    generate_demo_world(tmp_path, seed=SEED, scale=SCALE)
    assert random.getstate() == state, "the generator must not touch the global random state"
    for name in [f"{k}.jsonl" for k in FILES] + ["README.md", "manifest.json"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_output_does_not_depend_on_python_hash_seed(tmp_path):
    """No set/hash ordering may leak into the files: run in two interpreters with different hash seeds."""
    code = (
        "import sys; from pathlib import Path; from matcher.demo.generator import generate_demo_world; "
        "generate_demo_world(Path(sys.argv[1]), seed=7, scale=0.02)"
    )
    root = Path(__file__).resolve().parents[1]
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], check=True, env=env, cwd=root)
    for kind in FILES:
        assert (tmp_path / "1" / f"{kind}.jsonl").read_bytes() == (tmp_path / "4242" / f"{kind}.jsonl").read_bytes()


def test_different_seed_gives_different_world(world, tmp_path):
    out, _, _ = world
    generate_demo_world(tmp_path, seed=SEED + 1, scale=SCALE)
    for kind in FILES:
        assert (tmp_path / f"{kind}.jsonl").read_bytes() != (out / f"{kind}.jsonl").read_bytes(), kind


def test_every_row_validates_against_its_schema_model(world):
    _, _, rows = world
    for kind, items in rows.items():
        model = KINDS[kind]
        for item in items:
            model.model_validate(item)


def test_ids_are_unique(world):
    _, _, rows = world
    for kind, items in rows.items():
        ids = [r["id"] for r in items]
        assert len(ids) == len(set(ids)), kind


def test_foreign_keys_exist(world):
    _, _, rows = world
    trainees = {t["id"] for t in rows["trainees"]}
    courses = {c["id"] for c in rows["courses"]}
    postings = {p["id"] for p in rows["postings"]}
    for r in rows["training_records"]:
        assert r["trainee_id"] in trainees and r["course_id"] in courses
    linked = 0
    for p in rows["placements"]:
        assert p["trainee_id"] in trainees
        if "posting_id" in p:
            assert p["posting_id"] in postings
            linked += 1
    assert linked > 0, "some placements should be linked to a posting"


def test_placements_follow_training_and_certificates_follow_records(world):
    _, _, rows = world
    courses = {c["id"]: c for c in rows["courses"]}
    trainees = {t["id"]: t for t in rows["trainees"]}
    ranks = {lvl.label: lvl for lvl in Level}
    for r in rows["training_records"]:
        if r.get("certified_level"):
            assert r["completed"]
            certs = trainees[r["trainee_id"]]["certificates"]
            held = {c["occupation"]: ranks[c["level"]] for c in certs}
            occupation = courses[r["course_id"]]["occupation"]
            if len(certs) < 3:  # at most 3 certificates are kept (the highest levels)
                assert held.get(occupation, -1) >= ranks[r["certified_level"]], r
        assert dt.date.fromisoformat(r["start_date"]) <= REFERENCE_DATE
        assert courses[r["course_id"]]
    for p in rows["placements"]:
        assert dt.date.fromisoformat(p["placed_at"]) <= REFERENCE_DATE


def _base_title(title: str) -> str:
    title = re.sub(r"^急招", "", title)
    title = re.sub(r"^[^·]{1,4}·", "", title)
    title = re.sub(r"（[^）]*）", "", title)
    return title.removesuffix("学徒")


def test_electrician_postings_carry_a_mandatory_certificate(world):
    _, _, rows = world
    electricians = [p for p in rows["postings"] if _base_title(p["title"]) in ELECTRICIAN_TITLES]
    assert electricians, "expected some electrician postings at this scale"
    for p in electricians:
        certs = p["requirements"]["certificates"]
        assert any(c["occupation"] == "6-31-01-03" and c["mandatory"] for c in certs), p["title"]
    mandatory = [c for p in rows["postings"] for c in p["requirements"]["certificates"] if c["mandatory"]]
    optional = [c for p in rows["postings"] for c in p["requirements"]["certificates"] if not c["mandatory"]]
    assert mandatory and optional


def test_postings_look_like_chongqing_job_ads(world):
    _, _, rows = world
    industries = {i.name for i in load_industries()}
    statuses = Counter(p["status"] for p in rows["postings"])
    assert 0.05 <= statuses["closed"] / len(rows["postings"]) <= 0.2
    in_target = 0
    for p in rows["postings"]:
        assert 2000 <= p["salary_min"] <= p["salary_max"] <= 40000
        posted = dt.date.fromisoformat(p["posted_at"])
        assert REFERENCE_DATE - dt.timedelta(days=90) < posted <= REFERENCE_DATE
        assert "岗位职责" in p["description"] and "元/月" in p["description"]
        assert p["shift"] and p["employer"] and p["address"].startswith("重庆")
        in_target += p["industry"] in industries
    assert in_target / len(rows["postings"]) >= 0.8, "postings should be weighted toward the target industries"


def test_districts_are_widely_covered(world):
    _, _, rows = world
    administrative = {d.name for d in load_districts().administrative}
    seen = {p["district"] for p in rows["postings"]} | {t["district"] for t in rows["trainees"]}
    assert len(seen & administrative) >= 30
    posting_districts = Counter(p["district"] for p in rows["postings"])
    # manufacturing zones and main districts outweigh remote counties
    assert posting_districts["两江新区"] > posting_districts["城口县"]


def test_trainee_personal_fields_are_plausible_and_fake(world):
    _, _, rows = world
    adcodes = {d.code for d in load_districts().administrative}
    trainees = rows["trainees"]
    for t in trainees:
        assert re.fullmatch(r"1[358]\d{9}", t["phone"])
        idn = t["id_number"]
        assert idn[:6] in adcodes and idn[17] == id_checksum(idn[:17])
        assert idn[6:10] == str(t["birth_year"])
        assert (int(idn[16]) % 2 == 1) == (t["gender"] == "男")
        assert 2 <= len(t["name"]) <= 3
        assert len(t["certificates"]) <= 3
    groups = [t.get("priority_group") for t in trainees]
    assert all(g is None or g in PRIORITY_GROUPS for g in groups)
    assert 0.45 <= sum(g is not None for g in groups) / len(groups) <= 0.8
    assert 0.6 <= sum(t["consent_employer_search"] for t in trainees) / len(trainees) <= 0.9
    assert 0.3 <= sum("lon" in t for t in trainees) / len(trainees) <= 0.7


def test_courses_are_upcoming_and_mostly_subsidised(world):
    _, _, rows = world
    for c in rows["courses"]:
        start = dt.date.fromisoformat(c["start_date"])
        assert REFERENCE_DATE < start <= REFERENCE_DATE + dt.timedelta(days=120)
        assert 0 < c["hours"] <= 240 and c["seats"] > 0 and c["skills"]
    assert sum(c["subsidised"] for c in rows["courses"]) / len(rows["courses"]) >= 0.5


def test_discriminatory_phrases_are_planted_and_listed(world):
    out, counts, rows = world
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    flagged = set(manifest["discriminatory_posting_ids"])
    assert len(flagged) == counts["discriminatory_postings"] > 0
    for p in rows["postings"]:
        text = p["title"] + p["description"]
        has_phrase = any(phrase in text for phrase in DISCRIMINATORY_PHRASES)
        assert has_phrase == (p["id"] in flagged), p["id"]


def test_readme_says_synthetic_with_seed_and_counts(world):
    out, counts, _ = world
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "合成" in readme
    assert str(SEED) in readme and f"{counts['postings']:,}" in readme


def test_kpis_are_plausible(world):
    _, _, rows = world
    kpis = compute_kpis(rows)
    assert kpis["重点群体培训占比"] >= 0.5
    assert kpis["培训总体就业率"] >= 0.55
    assert 0.6 <= kpis["培训与产业匹配度"] <= 1.0
    assert 0.7 <= kpis["培训完成率"] <= 0.95


def test_import_into_store_rejects_nothing(world, tmp_path):
    out, counts, _ = world
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    for kind in FILES:
        report = import_file(store, kind, out / f"{kind}.jsonl")
        assert report.rejected == 0, [str(e) for e in report.errors[:5]]
        assert report.inserted == counts[kind]
    assert store.count("postings") == counts["postings"]


def test_data_tables_agree_with_the_catalogues():
    from matcher.catalogues.occupations import load_occupations
    from matcher.demo.generator import BUSINESS, GROUP_SHARE, HOTSPOTS, MANDATORY, PAY_BANDS, POPULATION, SKILLS

    assert set(GROUP_SHARE) == set(PRIORITY_GROUPS)
    names = {d.name for d in load_districts().districts}
    assert set(POPULATION) == names
    assert all(set(spots) <= names for spots in HOTSPOTS.values())
    catalogue = load_occupations()
    codes = [*SKILLS, *PAY_BANDS, *MANDATORY]
    codes += [c for words in BUSINESS.values() for _, subset in words for c in (subset or ())]
    for code in codes:
        assert catalogue.get(code).is_leaf, code


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        generate_demo_world(tmp_path, scale=0)
