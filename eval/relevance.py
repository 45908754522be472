"""Benchmark 3 — person → job relevance on real postings (occupation/skill fit only).

Corpus: the Guangdong public-employment-service rows (`GGFW_HRSS_GD`, ~4.7k skilled-trade and service
postings) of `../shared/data/jobpostings_2024/jobs.csv.gz`, read in place. Queries: the trainee profiles in
`eval/data/profiles.jsonl` (certificate + level + skills + experience). Judgments: `eval/data/qrels_relevance.tsv`
(profile id, posting id, grade 0/1/2 — graded by reading each pooled posting against `eval/data/GRADING.md`).

The postings are not in Chongqing, so this benchmark measures fit, not commute: every profile and every
posting is placed in one district (渝中区, no coordinates), which makes the distance feature the same
constant for every pair (it cannot reorder anything). Pay is left out too (profiles carry no desired salary),
so the pay feature is a constant 0.5.

Systems: the text systems of `eval.systems` with the person's profile text (certificates with levels +
skills — the text production embeds for a trainee) as query and production's posting text as document,
and the full ranker — production's `matcher.service.flows.rank_jobs` itself, the function the API and CLI serve,
over a world of these postings and an embedded retriever of this task's vectors: candidates = dense+BM25
RRF top 200 ∪ every posting whose occupation (normaliser on the title) is one of the person's
certificates; 持证上岗 gate; the vectorised features with the configured weights — with and without the
structured features (certificate/level fit and distance weights set to 0).

    .venv/bin/python -m eval.relevance pool [--out var/eval_scratch/pool.md]   # export unjudged pooled postings
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.common import DEFAULT_CACHE_DIR, EVAL_DATA, REPO, DataPaths, load_job_rows
from eval.metrics import summarise
from eval.systems import TEXT_SYSTEMS as ALL_TEXT_SYSTEMS
from eval.systems import TextTask, to_run, unavailable
from matcher.service.flows import CANDIDATE_DEPTH

log = logging.getLogger("eval")

PROFILES_FILE = EVAL_DATA / "profiles.jsonl"
QRELS_FILE = EVAL_DATA / "qrels_relevance.tsv"
DISTRICT = "渝中区"  # every profile and posting: distance is constant, so it cannot reorder anything
METRICS = ("ndcg@10", "precision@5", "precision@5-l2", "mrr")
POOL_DEPTH = 20

# The text systems of eval.systems but the two that only test an encoder runtime (TalentCLEF reports them)
TEXT_SYSTEMS = tuple(s for s in ALL_TEXT_SYSTEMS if s not in ("e5_st", "ft_fp32"))
# The full ranker per encoder, and its ablations: `-struct` without the certificate/distance weights,
# `-exhaustive` scoring every posting instead of the candidate pool (their names: eval.systems.label)
RANKER_VARIANTS = {
    "usem": ("", "-struct", "-exhaustive"),
    "e5": ("", "-struct"),
    "ft": ("", "-struct", "-exhaustive"),
    "ft_fp32": ("",),
}
RANKER_SYSTEMS = tuple(f"ranker[{e}]{v}" for e, variants in RANKER_VARIANTS.items() for v in variants)
QUICK_SYSTEMS = ("bm25", "tfidf_char", "usem", "rrf_usem_bm25", "ranker[usem]", "ranker[usem]-struct")


# --- data ----------------------------------------------------------------------------------------------


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def to_payload(row: dict[str, str]) -> dict:
    """A real posting row → a contract-shaped posting payload placed in DISTRICT (no coordinates)."""
    skills = [s.strip() for s in (row.get("技能") or "").split(",") if s.strip()]
    description = (row.get("职位描述") or "").strip()
    benefits = (row.get("福利") or "").strip()
    if benefits:
        description = f"{description}\n福利：{benefits}" if description else f"福利：{benefits}"
    lo, hi = _float(row.get("最低薪资")), _float(row.get("最高薪资"))
    posted = (row.get("首次发布时间") or "")[:10] or None
    return {
        "id": row["职位自编号"].strip(),
        "title": (row.get("职位") or "").strip() or "-",
        "employer": (row.get("公司") or "").strip() or "-",
        "district": DISTRICT,
        "description": description,
        "requirements": {"min_experience_years": max(0.0, _float(row.get("所需经验")) or 0.0), "skills": skills},
        "salary_min": int(lo) if lo is not None else None,
        "salary_max": int(hi) if hi is not None and (lo is None or hi >= lo) else None,
        "posted_at": posted,
        "status": "open",
    }


def load_profiles(path: Path = PROFILES_FILE) -> list[dict]:
    """Profiles validated like trainee records (canonical level labels); placed in DISTRICT."""
    from matcher.domain.schema import Trainee

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        trainee = Trainee.model_validate(
            {
                "id": d["id"],
                "district": DISTRICT,
                "certificates": d["certificates"],
                "skills": d.get("skills", []),
                "experience_years": d.get("experience_years", 0),
            }
        )
        out.append({**trainee.profile(), "persona": d.get("persona", "")})
    return out


def read_qrels(path: Path = QRELS_FILE) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    if not path.is_file():
        return qrels
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            qrels.setdefault(row["profile_id"], {})[row["posting_id"]] = int(row["grade"])
    return qrels


# --- the full ranker: production's own `rank_jobs` --------------------------------------------------


class RankerBench:
    """`matcher.service.flows.rank_jobs` — the function the API and CLI serve — over a world of the real postings,
    with an embedded retriever built from this task's own vectors (the ones the text systems score)."""

    def __init__(self, payloads: list[dict], task: TextTask, spec: str, cache_dir: Path | None) -> None:
        from indexes import BM25Index, VectorIndex
        from matcher.service.indexing import domain_terms
        from matcher.service.normalise import OccupationNormaliser
        from matcher.service.retrieval import IndexRetriever
        from matcher.service.world import World
        from models.calibrate import calibrate

        self.spec = spec
        encoder = task.encoder(spec)
        self.calibration = calibrate(encoder)  # production's rule: the threshold from the training dev split
        self.world = World(OccupationNormaliser(encoder), self.calibration["threshold"])
        self.world.set_postings(payloads)  # titles → inferred occupation (calibrated threshold and top-1)
        self.today = self.world.today
        self.inferred = sum(1 for v in self.world.postings.values() if v.occupations)
        ids = [p["id"] for p in payloads]
        self.query_vectors, doc_vectors = task.embeddings(spec)  # queries: the person text, query-encoded
        dense = VectorIndex(encoder.id, encoder.dim)
        dense.build(ids, doc_vectors)
        lexical = BM25Index(domain_terms())
        lexical.build(ids, task.doc_texts)
        self.retriever = IndexRetriever({"postings": dense}, {"postings": lexical})

    def run(
        self,
        profiles: list[dict],
        weights,
        depth: int,
        exhaustive: bool = False,
    ) -> dict[str, dict[str, float]]:
        """Each profile's top `depth`, scored by rank (the served scores are rounded; ranks are exact).
        `exhaustive`: every posting scored, not only the candidate pool (what the pool costs in quality)."""
        from matcher.config import get_settings
        from matcher.service.flows import JobQuery, rank_jobs
        from matcher.service.world import person_from_profile

        settings = get_settings()
        run: dict[str, dict[str, float]] = {}
        for qi, prof in enumerate(profiles):
            out = rank_jobs(
                self.world,
                self.retriever,
                person_from_profile(prof),
                self.query_vectors[qi : qi + 1],
                JobQuery(k=depth),
                weights=weights,
                clock=settings.clock(),
                max_commute_minutes=settings.max_commute_minutes,
                exhaustive=exhaustive,
            )
            run[prof["id"]] = {r["posting"]["id"]: float(depth - n) for n, r in enumerate(out["results"])}
        return run


def _weights(structured: bool):
    from matcher.config import get_settings

    w = get_settings().weights
    return w if structured else w.model_copy(update={"certificate": 0.0, "distance": 0.0})


# --- running ------------------------------------------------------------------------------------------


def build(
    jobs_csv: Path, cache_dir: Path | None, quick: bool = False, seed: int = 0, job_rows: dict | None = None
) -> tuple[list[dict], list[dict], TextTask]:
    from matcher.domain.schema import Posting
    from matcher.domain.texts import posting_text, trainee_text

    rows = job_rows if job_rows is not None else load_job_rows(jobs_csv)
    # validated as an import would: requirements the text states (certificates …) are extracted
    payloads = [Posting.model_validate(to_payload(r)).model_dump(mode="json") for _, r in sorted(rows.items())]
    profiles = load_profiles()
    if quick:
        rng = random.Random(seed)
        profiles = rng.sample(profiles, 5)
        qrels = read_qrels()
        keep = set(rng.sample([p["id"] for p in payloads], 400)) | {d for p in profiles for d in qrels.get(p["id"], {})}
        payloads = [p for p in payloads if p["id"] in keep]
    task = TextTask([trainee_text(p) for p in profiles], [posting_text(p) for p in payloads], cache_dir=cache_dir)
    return payloads, profiles, task


def system_runs(
    payloads: list[dict],
    profiles: list[dict],
    task: TextTask,
    systems: Sequence[str],
    cache_dir: Path | None,
    depth: int = 100,
) -> tuple[dict[str, dict], dict]:
    doc_ids = [p["id"] for p in payloads]
    qids = [p["id"] for p in profiles]
    runs: dict[str, dict] = {}
    info: dict = {}
    rankers: dict[str, RankerBench] = {}
    for system in systems:
        log.info("relevance: %s", system)
        if system.startswith("ranker["):
            spec = system[len("ranker[") : system.index("]")]
            if spec not in rankers:
                rankers[spec] = RankerBench(payloads, task, spec, cache_dir)
                info[f"inferred_occupation[{spec}]"] = {
                    "postings": len(payloads),
                    "with_occupation": rankers[spec].inferred,
                    "threshold": rankers[spec].calibration,
                }
                info["postings_with_extracted_certificates"] = sum(
                    bool(p["requirements"].get("certificates")) for p in payloads
                )
            runs[system] = rankers[spec].run(
                profiles,
                _weights(structured=not system.endswith("-struct")),
                depth,
                exhaustive=system.endswith("-exhaustive"),
            )
        else:
            runs[system] = to_run(task.run(system), qids, doc_ids, depth)
    if rankers:
        info["today"] = next(iter(rankers.values())).today.isoformat()
    return runs, info


def pooled(runs: dict[str, dict], depth: int = POOL_DEPTH) -> dict[str, set[str]]:
    pool: dict[str, set[str]] = {}
    for run in runs.values():
        for q, docs in run.items():
            ranked = sorted(docs.items(), key=lambda kv: -kv[1])[:depth]
            pool.setdefault(q, set()).update(d for d, _ in ranked)
    return pool


def judged_share(run: dict, qrels: dict, k: int = 10) -> float:
    shares = []
    for q, docs in run.items():
        top = [d for d, _ in sorted(docs.items(), key=lambda kv: -kv[1])[:k]]
        if top:
            shares.append(sum(d in qrels.get(q, {}) for d in top) / len(top))
    return float(np.mean(shares)) if shares else 0.0


def run(
    jobs_csv: Path,
    cache_dir: Path | None,
    quick: bool = False,
    seed: int = 0,
    systems: Sequence[str] | None = None,
    job_rows: dict | None = None,
) -> dict:
    systems = tuple(systems or (QUICK_SYSTEMS if quick else TEXT_SYSTEMS + RANKER_SYSTEMS))
    skipped = {s: why for s in systems if (why := unavailable(s))}
    systems = tuple(s for s in systems if s not in skipped)
    payloads, profiles, task = build(jobs_csv, cache_dir, quick, seed, job_rows)
    runs, info = system_runs(payloads, profiles, task, systems, cache_dir)
    qrels_all = read_qrels()
    qids = [p["id"] for p in profiles]
    qrels = {q: qrels_all.get(q, {}) for q in qids}
    evaluable = {q: docs for q, docs in qrels.items() if any(g > 0 for g in docs.values())}
    no_relevant = sorted(q for q in qids if q not in evaluable)
    pool = pooled(runs)
    unjudged = sum(len(pool[q] - set(qrels.get(q, {}))) for q in pool)
    results = {}
    for system, r in runs.items():
        res = summarise(evaluable, {q: r.get(q, {}) for q in evaluable}, METRICS)
        res["judged@10"] = judged_share({q: r[q] for q in evaluable if q in r}, qrels)
        results[system] = res
    grades = [g for docs in qrels.values() for g in docs.values()]
    return {
        "name": "Person → job relevance on real public-employment-service postings (fit only)",
        "metrics": list(METRICS),
        "headline_metric": "ndcg@10",
        "quick_subset": quick,
        "corpus": {"platform": "GGFW_HRSS_GD", "postings": len(payloads)},
        "profiles": len(profiles),
        "profiles_evaluated": len(evaluable),
        "profiles_without_relevant_posting": no_relevant,
        "judgments": {
            "pairs": len(grades),
            "grade_0": grades.count(0),
            "grade_1": grades.count(1),
            "grade_2": grades.count(2),
        },
        "pool": {
            "depth": POOL_DEPTH,
            "systems": list(runs),
            "pooled_pairs": sum(len(v) for v in pool.values()),
            "unjudged_in_pool": unjudged,
        },
        "setting": {
            "district": DISTRICT,
            "distance": "constant (all in one district)",
            "pay": "constant (no desired salary)",
            "candidate_depth": CANDIDATE_DEPTH,
        },
        "info": info,
        "systems": results,
        "skipped_systems": skipped,
    }


# --- annotation helper (writes OUTSIDE the repository: the export contains posting text) ---------------


def export_pool(out: Path, jobs_csv: Path, cache_dir: Path | None, systems: Sequence[str]) -> None:
    from matcher.domain.texts import cert_text

    payloads, profiles, task = build(jobs_csv, cache_dir)
    runs, _ = system_runs(payloads, profiles, task, systems, cache_dir)
    pool = pooled(runs)
    qrels = read_qrels()
    by_id = {p["id"]: p for p in payloads}
    lines = []
    n = 0
    for prof in profiles:
        todo = sorted(pool.get(prof["id"], set()) - set(qrels.get(prof["id"], {})))
        if not todo:
            continue
        certs = "、".join(cert_text(c) for c in prof["certificates"])
        lines.append(
            f"\n## {prof['id']} {prof['persona']} | 证书 {certs} | 技能 {'、'.join(prof['skills'])} | "
            f"经验 {prof['experience_years']:g} 年 | 待评 {len(todo)}\n"
        )
        for pid in todo:
            p = by_id[pid]
            desc = " ".join((p["description"] or "").split())[:220]
            exp = p["requirements"]["min_experience_years"]
            lines.append(f"{prof['id']}\t{pid}\t【{p['title']}】{p['employer']} | 经验{exp:g}年 | {desc}")
            n += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{n} unjudged pooled pairs written to {out}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["pool"])
    ap.add_argument("--out", type=Path, default=REPO / "var" / "eval_scratch" / "pool.md")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    ap.add_argument("--systems", default=",".join(TEXT_SYSTEMS + RANKER_SYSTEMS))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    export_pool(args.out, DataPaths.from_root(args.data_dir).jobs_csv, args.cache_dir, args.systems.split(","))


if __name__ == "__main__":
    main()
