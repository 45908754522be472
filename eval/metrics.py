"""IR metrics through `ranx`, plus bootstrap confidence intervals over queries.

Conventions (ranx's): a document is relevant when its grade is ≥ 1 (`-l2` metrics: grade ≥ 2); nDCG uses
linear gains (grade 2 counts twice grade 1); documents missing from a run count as not retrieved; a query
in the qrels that a run does not answer scores 0 (`make_comparable=True`). Queries without any relevant
document must be dropped by the caller (they make every metric 0 for every system).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Qrels = Mapping[str, Mapping[str, int]]
RunDict = Mapping[str, Mapping[str, float]]


def evaluate(qrels: Qrels, run: RunDict, metrics: Sequence[str]) -> dict:
    """{"mean": {metric: value}, "per_query": {metric: {q: value}}} for one run, computed by ranx.

    Plain dicts go to `ranx.evaluate` (not Qrels/Run objects: building their numba typed dicts costs seconds
    of JIT per process). ranx pairs the two dicts by position, so both are built in the same query order.
    """
    from ranx import evaluate as ranx_evaluate

    queries = sorted(q for q, docs in qrels.items() if docs)
    q_dict = {q: {str(d): int(g) for d, g in qrels[q].items()} for q in queries}
    # A query the run does not answer gets a dummy miss, so it counts as 0 (ranx cannot hold an empty query).
    r_dict = {q: ({str(d): float(s) for d, s in run[q].items()} if run.get(q) else {"__none__": 0.0}) for q in queries}
    metrics = list(metrics)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's uint64→int64 cast notice
        scores = ranx_evaluate(q_dict, r_dict, metrics, return_mean=False)
    if not isinstance(scores, dict):
        scores = {metrics[0]: scores}
    per_query = {m: {q: round(float(v), 6) for q, v in zip(queries, scores[m], strict=False)} for m in metrics}
    means = {m: float(np.mean(scores[m])) if len(queries) else 0.0 for m in metrics}
    return {"mean": means, "per_query": per_query}


def bootstrap_ci(values: Sequence[float], n: int = 2000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean over queries (resampling queries with replacement)."""
    x = np.asarray(list(values), dtype=np.float64)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n, len(x)))].mean(axis=1)
    return float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))


def paired_randomisation_p(a: Sequence[float], b: Sequence[float], n: int = 5000, seed: int = 0) -> float:
    """Two-sided paired randomisation (sign-flip) test of mean(a) − mean(b) over the same queries."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if len(d) == 0 or not np.any(d):
        return 1.0
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(n, len(d)))
    observed = abs(d.mean())
    return float((np.abs((signs * d).mean(axis=1)) >= observed - 1e-12).mean())


def summarise(qrels: Qrels, run: RunDict, metrics: Sequence[str], ci_seed: int = 0) -> dict:
    """Mean, 95% bootstrap CI and per-query values of each metric for one run."""
    res = evaluate(qrels, run, metrics)
    out: dict[str, Any] = {"n_queries": len([q for q in qrels if qrels[q]]), "metrics": {}}
    for m in metrics:
        values = list(res["per_query"][m].values())
        lo, hi = bootstrap_ci(values, seed=ci_seed)
        out["metrics"][m] = {"mean": res["mean"][m], "ci95": [lo, hi]}
    out["per_query"] = res["per_query"]
    return out


def top_k(scores: np.ndarray, ids: Sequence[str], k: int | None, keep: np.ndarray | None = None) -> dict[str, float]:
    """One query's score row → {doc id: score} for its top-k documents (all if k is None).
    `keep`: boolean mask of retrieved documents (lexical systems retrieve only documents sharing a term)."""
    idx = np.flatnonzero(keep) if keep is not None else np.arange(len(scores))
    if k is not None and len(idx) > k:
        idx = idx[np.argpartition(-scores[idx], k - 1)[:k]]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return {ids[int(i)]: float(scores[i]) for i in idx}


# --- reference implementations (tests check ranx plumbing against these) -------------------------------


def ref_average_precision(ranking: Sequence[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, d in enumerate(ranking, 1):
        if d in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def ref_ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    dcg = sum(grades.get(d, 0) / np.log2(i + 1) for i, d in enumerate(ranking[:k], 1))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 1) for i, g in enumerate(ideal, 1))
    return float(dcg / idcg) if idcg > 0 else 0.0
