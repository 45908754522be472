"""The vectorised pool scoring is the pair-by-pair ranking, exactly: same gate, same features, same order.

On the hand-written small world (real store, usem encoder, FAISS + BM25): the world is smaller than the
hybrid search depth, so every open posting reaches the pool and the served ranking must equal a brute-force
ranking of all of them with `score_pair`, one pair at a time.
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.config import Settings
from matcher.domain.features import certificate_fit, person_terms
from matcher.domain.ranking import score_pair
from matcher.domain.scoring import score_people, score_postings
from matcher.service.engine import Engine
from matcher.service.flows import (
    JobQuery,
    as_seen_by_employer,
    candidates_for,
    jobs_for,
    person_text,
    stored_person,
)


@pytest.fixture(scope="module")
def engine(small_home):
    return Engine(Settings(home=small_home))


def _brute_force_jobs(engine: Engine, person, cap: float) -> list[tuple[str, float]]:
    vector = engine.encode_query(person_text(person))
    clock, world = engine.settings.clock(), engine.world
    open_ids = sorted(world.filter_postings())
    sims = engine.retriever.similarities("postings", vector, open_ids)
    out = []
    for pid, sim in zip(open_ids, sims, strict=True):
        view = world.postings[pid]
        fit = certificate_fit(person.certs, view, clock)
        if fit.gate_ok:
            s = score_pair(
                person, view, float(sim), engine.settings.weights, world.today, fit=fit, max_commute_minutes=cap
            )
            if not s.far:
                out.append((pid, s.score))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def test_served_ranking_equals_scoring_every_open_posting_pair_by_pair(engine):
    assert len(engine.world.postings) < 200  # below CANDIDATE_DEPTH: the pool is every open posting
    for tid in sorted(engine.world.trainees):
        person = stored_person(engine, tid)
        served = jobs_for(engine, person, JobQuery(k=1000))
        expected = _brute_force_jobs(engine, person, served["max_commute_minutes"])
        assert [r["posting"]["id"] for r in served["results"]] == [pid for pid, _ in expected], tid
        assert [r["score"] for r in served["results"]] == [round(s, 4) for _, s in expected], tid


def test_pool_features_equal_score_pair_for_every_pair(engine):
    world, clock = engine.world, engine.settings.clock()
    columns = world.posting_columns()
    ids = sorted(columns["row"])
    compared = 0
    for tid in sorted(engine.world.trainees):
        person = world.trainees[tid]
        sims = np.linspace(-0.2, 1.2, len(ids))  # any similarities, incl. outside [0, 1] (clipped alike)
        pool, failed = score_postings(
            person, columns, ids, sims, person_terms(person), engine.settings.weights, world.today, clock, 60.0
        )
        by_id = dict(zip(ids, sims.tolist(), strict=True))
        gated = {pid for pid in ids if certificate_fit(person.certs, world.postings[pid], clock).gate_ok}
        assert set(pool.ids) == gated and len(failed) == len(ids) - len(gated)
        for i, pid in enumerate(pool.ids):
            pair = score_pair(
                person, world.postings[pid], by_id[pid], engine.settings.weights, world.today, max_commute_minutes=60.0
            )
            row = pool.scored(i, engine.settings.weights, person_terms(person), world.postings[pid].text, 60.0)
            assert row.features == pair.features and row.score == pair.score, (tid, pid)
            assert (row.trip, row.far, row.matched_terms) == (pair.trip, pair.far, pair.matched_terms)
            compared += 1
    assert compared > 50


def test_employer_side_pool_equals_score_pair_for_every_candidate(engine):
    world, clock = engine.world, engine.settings.clock()
    people = [as_seen_by_employer(world.trainees[t]) for t in sorted(world.trainees)]
    for pid in sorted(world.postings):
        posting = world.postings[pid]
        sims = np.linspace(0.0, 0.9, len(people))
        pool = score_people(people, posting, sims, engine.settings.weights, world.today, clock)
        expected = []
        for person, sim in zip(people, sims.tolist(), strict=True):
            fit = certificate_fit(person.certs, posting, clock)
            if fit.gate_ok:
                expected.append(
                    (person.id, score_pair(person, posting, sim, engine.settings.weights, world.today).score)
                )
        expected.sort(key=lambda kv: (-kv[1], kv[0]))
        assert list(zip(pool.ids, pool.score.tolist(), strict=True)) == expected, pid


def test_candidate_list_and_single_view_agree(engine):
    from matcher.service.flows import candidate_fit

    posting = engine.world.postings["HW-P01"]
    listed = candidates_for(engine, posting, k=50)["results"]
    assert listed
    for r in listed:
        one = candidate_fit(engine, posting, engine.world.trainees[r["trainee"]["id"]])
        assert (one["score"], one["features"], one["reasons"]) == (r["score"], r["features"], r["reasons"])


def test_non_personalised_order_is_newest_then_best_paid_then_id(engine):
    import datetime as dt

    person = stored_person(engine, min(engine.world.trainees))
    served = jobs_for(engine, person, JobQuery(k=1000, personalised=False))["results"]
    views = [engine.world.postings[i] for i in engine.world.filter_postings()]
    expected = sorted(views, key=lambda v: (-(v.posted_at or dt.date.min).toordinal(), -(v.salary_max or 0), v.id))
    assert [r["posting"]["id"] for r in served] == [v.id for v in expected]
