"""The evaluation harness: metric plumbing on hand-made qrels, the honesty of the held-out set, the
labelled data files, and (when the shared data is present) the quick mode end to end."""

from __future__ import annotations

import csv
import json
import math

# ranx computes metrics with numba; its first JIT compile on a fresh machine costs 20-60 s. We keep the JIT:
# disabling it here is unreliable inside the full suite, where other modules (bm25s) import numba first.
import numpy as np
import pytest

from eval import metrics, normalisation, relevance, systems
from eval.common import EVAL_DATA, DataPaths

SHARED = DataPaths.from_root()


# --- metric plumbing -------------------------------------------------------------------------------------

QRELS = {"q1": {"a": 2, "b": 1, "c": 0}, "q2": {"d": 1}, "q3": {"e": 1, "f": 1}}


def test_perfect_ranking_scores_one():
    run = {"q1": {"a": 3.0, "b": 2.0, "c": 1.0}, "q2": {"d": 1.0, "x": 0.5}, "q3": {"e": 2.0, "f": 1.0}}
    res = metrics.evaluate(QRELS, run, ["map", "mrr", "ndcg@10", "hit_rate@1"])
    assert res["mean"] == pytest.approx({"map": 1.0, "mrr": 1.0, "ndcg@10": 1.0, "hit_rate@1": 1.0})


def test_ranx_matches_reference_implementations():
    run = {"q1": {"x": 9.0, "b": 8.0, "y": 7.0, "a": 6.0}, "q2": {"y": 2.0, "z": 1.5, "d": 1.0}, "q3": {"f": 1.0}}
    res = metrics.evaluate(QRELS, run, ["map", "ndcg@10", "precision@5", "precision@5-l2", "mrr"])
    ranking = {q: sorted(docs, key=lambda d: -docs[d]) for q, docs in run.items()}
    ap = [metrics.ref_average_precision(ranking[q], {d for d, g in QRELS[q].items() if g > 0}) for q in QRELS]
    nd = [metrics.ref_ndcg(ranking[q], QRELS[q], 10) for q in QRELS]
    assert res["mean"]["map"] == pytest.approx(np.mean(ap))
    assert res["mean"]["ndcg@10"] == pytest.approx(np.mean(nd))  # linear gains: grade 2 counts twice
    assert res["per_query"]["map"]["q1"] == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert res["per_query"]["precision@5"]["q1"] == pytest.approx(2 / 5)
    assert res["per_query"]["precision@5-l2"]["q1"] == pytest.approx(1 / 5)
    assert res["per_query"]["mrr"]["q2"] == pytest.approx(1 / 3)
    assert res["per_query"]["map"]["q3"] == pytest.approx(0.5)


def test_unanswered_query_counts_as_zero():
    res = metrics.evaluate(QRELS, {"q1": {"a": 1.0}}, ["map"])
    assert res["per_query"]["map"]["q2"] == 0.0 and res["per_query"]["map"]["q3"] == 0.0
    assert res["mean"]["map"] == pytest.approx(res["per_query"]["map"]["q1"] / 3)


def test_bootstrap_and_paired_test_are_sane():
    lo, hi = metrics.bootstrap_ci([0.2, 0.4, 0.6, 0.8])
    assert 0.2 <= lo <= 0.5 <= hi <= 0.8
    assert metrics.bootstrap_ci([0.5] * 5) == (0.5, 0.5)
    assert metrics.paired_randomisation_p([1, 1, 1, 1, 1, 1, 1, 1], [0] * 8) < 0.01
    assert metrics.paired_randomisation_p([0.3, 0.5], [0.3, 0.5]) == 1.0


def test_top_k_keeps_only_retrieved_and_orders():
    scores = np.array([0.1, 0.9, 0.5, 0.0])
    assert list(metrics.top_k(scores, ["a", "b", "c", "d"], 2)) == ["b", "c"]
    assert list(metrics.top_k(scores, ["a", "b", "c", "d"], None, scores > 0)) == ["b", "c", "a"]


def test_rrf_and_zscore():
    dense = systems.Scored(np.array([[0.9, 0.8, 0.1]], dtype=np.float32))
    lexical = systems.Scored(np.array([[0.0, 5.0, 0.0]], dtype=np.float32), np.array([[False, True, False]]))
    fused = systems.rrf([dense, lexical])
    # doc 1: rank 2 in dense + rank 1 in lexical beats doc 0 (rank 1 in dense only)
    assert fused.scores[0].argmax() == 1 and fused.keep.all()
    assert systems.rrf([dense], depth=1).keep.tolist() == [[True, False, False]]
    z = systems.zscore_rows(np.array([[1.0, 2.0, 3.0]]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)


# --- the labelled data -----------------------------------------------------------------------------------


class _StubEncoder:
    id, dim = "stub", 8

    def encode(self, texts, kind="passage", batch_size=64):  # noqa: ARG002
        rng = np.random.default_rng(len(texts))
        v = rng.normal(size=(len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_heldout_terms_are_invisible_to_the_normaliser():
    from matcher.domain.texts import text_key
    from matcher.service.normalise import OccupationNormaliser

    items, pools = normalisation.holdout_items()
    again, _ = normalisation.holdout_items()
    assert items == again  # seeded
    subsets = {it["subset"] for it in items}
    assert subsets == {"heldout_alias", "heldout_gongzhong"}
    assert len(items) == round(0.2 * pools["alias_pool"]) + round(0.2 * pools["gongzhong_pool"])
    norm = OccupationNormaliser(_StubEncoder(), exclude_terms=[it["text"] for it in items])
    held = {text_key(it["text"]) for it in items}
    assert not held & set(norm._forms)  # no exact / contains form
    views = [OccupationNormaliser._leaf_view(o, held) for o in norm.leaves]
    for it in items[:50]:
        gold_view = views[[o.code for o in norm.leaves].index(it["gold"][0])]
        assert it["text"] not in gold_view.split("：", 1)[-1].split("、")
        assert all(m.via != "exact" for m in norm.normalise(it["text"], k=3))


def test_title_labels_are_valid_leaf_codes():
    from matcher.catalogues.occupations import load_occupations

    cat = load_occupations()
    labels = normalisation.read_title_labels()
    assert len(labels) >= 60
    for lab in labels:
        for code in lab["gold"]:
            assert cat.get(code).is_leaf, code
    with normalisation.TITLES_FILE.open(encoding="utf-8") as f:
        header = next(line for line in f if not line.startswith("#")).rstrip("\n").split("\t")
    assert header == ["posting_id", "code", "alt_codes", "skip_reason"]  # ids and codes only, no text


def test_relevance_files_hold_ids_and_grades_only():
    profiles = relevance.load_profiles()
    assert len(profiles) >= 30
    ids = {p["id"] for p in profiles}
    with relevance.QRELS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.reader((line for line in f if not line.startswith("#")), delimiter="\t"))
    assert rows[0] == ["profile_id", "posting_id", "grade"]
    assert len(rows) > 100
    for row in rows[1:]:
        assert len(row) == 3 and row[0] in ids and row[1].startswith("GGFW_HRSS_GD_") and row[2] in {"0", "1", "2"}
    assert (EVAL_DATA / "GRADING.md").is_file()


@pytest.mark.skipif(not SHARED.jobs_ok(), reason="shared real-postings data not present")
def test_labelled_ids_exist_in_the_data_and_follow_the_sampling_rule():
    from eval.common import load_job_rows

    rows = load_job_rows(SHARED.jobs_csv)
    with normalisation.TITLES_FILE.open(encoding="utf-8") as f:
        listed = [r["posting_id"] for r in csv.DictReader((x for x in f if not x.startswith("#")), delimiter="\t")]
    assert sorted(listed) == sorted(normalisation.candidate_titles(rows))
    judged = {d for q in relevance.read_qrels().values() for d in q}
    assert judged <= set(rows)


# --- end to end ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED.jobs_ok() and SHARED.talentclef_ok()), reason="shared data not present")
def test_quick_mode_end_to_end(tmp_path):
    from eval.run import main

    assert main(["--quick", "--skip-speed", "--out", str(tmp_path)]) == 0
    [path] = list((tmp_path / "runs").glob("*-quick.json"))
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["mode"] == "quick"
    assert result["code"]["source_sha256"] and result["encoders"]["usem"]
    assert all(d.get("sha256") for name, d in result["data"].items())
    expected = {
        "talentclef": {"map", "mrr", "ndcg@10"},
        "normalisation": {"hit_rate@1", "hit_rate@5", "mrr"},
        "relevance": {"ndcg@10", "precision@5"},
    }
    for bench, wanted in expected.items():
        b = result["benchmarks"][bench]
        assert b["systems"], bench
        for system, res in b["systems"].items():
            blocks = res.values() if bench == "normalisation" else [res]
            for block in blocks:
                assert wanted <= set(block["metrics"])
                for m in block["metrics"].values():
                    assert 0.0 <= m["mean"] <= 1.0 and not math.isnan(m["mean"]), (bench, system)
    report = (tmp_path / "REPORT_quick.md").read_text(encoding="utf-8")
    assert "| system |" in report and (tmp_path / "plots_quick" / "talentclef_map.png").is_file()
