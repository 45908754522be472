"""Protected attributes never influence ranking: change each on every trainee, rankings stay identical.

Run through the real engine (store → world → indexes), for jobs-for-trainee and candidates-for-posting.
"""

from __future__ import annotations

import shutil

import pytest

from matcher.config import Settings
from matcher.domain.schema import PROTECTED_FIELDS
from matcher.service.engine import Engine
from matcher.service.flows import JobQuery, candidates_for, jobs_for, stored_person
from tests.conftest import pg_world_home

CHANGES = {
    "gender": lambda v: "男" if v == "女" else "女",
    "birth_year": lambda v: 1960 if (v or 0) > 1980 else 2004,
    "hukou": lambda v: "外地农村" if v != "外地农村" else "本地城镇",
    "ethnicity": lambda v: "苗族" if v == "汉族" else "汉族",
    "marital_status": lambda v: "已婚" if v != "已婚" else "未婚",
    "health": lambda v: "乙肝病毒携带者" if v is None else None,
}


def rankings(engine: Engine) -> dict:
    out = {}
    for tid in sorted(engine.world.trainees):
        res = jobs_for(engine, stored_person(engine, tid), JobQuery(k=50))["results"]
        out[("jobs", tid)] = [(r["posting"]["id"], r["score"], tuple(r["reasons"])) for r in res]
    for pid in sorted(engine.world.postings):
        res = candidates_for(engine, engine.world.postings[pid], k=50)["results"]
        out[("candidates", pid)] = [(r["trainee"]["id"], r["score"], tuple(r["reasons"])) for r in res]
    return out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def settings(request, small_home, tmp_path_factory):
    """A writable copy of the small world on each records backend (the suite writes protected fields)."""
    if request.param == "postgresql":
        return pg_world_home(request.getfixturevalue("pg"), tmp_path_factory, "fairness")
    copy = tmp_path_factory.mktemp("fairness") / "home"
    shutil.copytree(small_home, copy)
    return Settings(home=copy)


def test_changes_cover_every_protected_field():
    assert set(CHANGES) == set(PROTECTED_FIELDS)


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_rankings_identical_when_a_protected_attribute_changes(settings, field):
    engine = Engine(settings)
    before = rankings(engine)
    changed = [t.model_copy(update={field: CHANGES[field](getattr(t, field))}) for t in engine.store.iter("trainees")]
    assert any(
        getattr(a, field) != getattr(b, field) for a, b in zip(changed, engine.store.iter("trainees"), strict=False)
    )
    engine.upsert("trainees", changed)
    stored = {t.id: getattr(t, field) for t in engine.store.iter("trainees")}
    assert all(stored[t.id] == getattr(t, field) for t in changed)  # the change really landed
    assert rankings(engine) == before
    assert rankings(Engine(settings)) == before  # and after a restart
