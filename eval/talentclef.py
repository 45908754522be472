"""Benchmark 1 — TalentCLEF 2025 Task A, Chinese validation split: job title → job titles.

Rank all 2,513 corpus titles for each of the 103 queries; official metric MAP over the full ranking,
plus MRR and nDCG@10 (ranx). THIS IS A TEST SET: nothing in this project is trained, tuned or selected
on it; the harness only reports it.

Quick mode (CI plumbing check, not a number to quote): 15 queries against their relevant titles plus
300 other corpus titles, lexical systems and usem only.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

from eval.common import read_trec_qrels, read_tsv_table
from eval.metrics import summarise
from eval.systems import TextTask, to_run, unavailable

log = logging.getLogger("eval")

METRICS = ("map", "mrr", "ndcg@10")
PUBLISHED = {  # zh-zh MAP on the task's TEST split (README of the data set) and e5 on this split (MODELS.md)
    "test split, gte-Qwen2-7B fine-tuned": 0.516,
    "test split, paraphrase-multilingual-mpnet fine-tuned": 0.510,
    "test split, multilingual-e5-large fine-tuned": 0.477,
    "test split, MPNet zero-shot": 0.421,
    "this validation split, multilingual-e5-small zero-shot (MODELS.md)": 0.449,
}


def load(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    queries = read_tsv_table(folder / "queries")
    corpus = read_tsv_table(folder / "corpus_elements")
    qrels = read_trec_qrels(folder / "qrels.tsv")
    return queries, corpus, qrels


def run(folder: Path, systems: tuple[str, ...], cache_dir: Path | None, quick: bool = False, seed: int = 0) -> dict:
    queries, corpus, qrels = load(folder)
    n_full = {"queries": len(queries), "corpus": len(corpus), "qrels_pairs": sum(len(v) for v in qrels.values())}
    if quick:
        rng = random.Random(seed)
        qids = sorted(rng.sample(sorted(q for q in queries if q in qrels), 15), key=int)
        queries = {q: queries[q] for q in qids}
        qrels = {q: qrels[q] for q in qids}
        keep = {c for q in qids for c in qrels[q]} | set(rng.sample(sorted(corpus), 300))
        corpus = {c: t for c, t in corpus.items() if c in keep}
    qids, cids = list(queries), list(corpus)
    qrels = {q: {c: g for c, g in docs.items() if c in corpus} for q, docs in qrels.items() if q in queries}
    task = TextTask([queries[q] for q in qids], [corpus[c] for c in cids], cache_dir=cache_dir)
    results = {}
    skipped = {s: why for s in systems if (why := unavailable(s))}
    for system in (s for s in systems if s not in skipped):
        log.info("talentclef: %s", system)
        results[system] = summarise(qrels, to_run(task.run(system), qids, cids, depth=None), METRICS)
    return {
        "name": "TalentCLEF 2025 Task A, zh validation (job title matching)",
        "test_set_rule": "TEST set: never used to train, tune or select anything; reported only.",
        "size_full": n_full,
        "size_used": {"queries": len(qids), "corpus": len(cids)},
        "quick_subset": quick,
        "ranking_depth": "full corpus (dense); lexical systems rank only titles sharing a token/n-gram",
        "metrics": list(METRICS),
        "headline_metric": "map",
        "published_reference_map": PUBLISHED,
        "encode_seconds": task.encode_seconds,
        "systems": results,
        "skipped_systems": skipped,
    }
