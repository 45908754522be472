"""In-process benchmark of the served ranker (`matcher.service.flows.jobs_for` → `rank_jobs`), no HTTP.

    .venv/bin/python -m eval.bench_ranker                      # 100k postings, 300 stored trainees
    .venv/bin/python -m eval.bench_ranker --postings 1000000   # the 1M-postings goal (builds that home once)
    .venv/bin/python -m eval.bench_ranker --quick              # 5k postings, 50 trainees (bench_ranker_quick.*)

The data home is `eval.bench_http`'s (demo world with its postings replicated to N; cached under
`var/bench_http/`). One engine in this process; for each sampled stored trainee, in turn (so a noisy
machine hits every alternative alike):
- `served`: `jobs_for` top-20 — what `GET /api/trainees/{id}/jobs` runs (the person's query vector from
  the embedding cache after the first request);
- `exhaustive`: `rank_jobs(..., exhaustive=True)` — every open posting scored instead of the candidate pool;
  its top-20 is the exact ranking, so `recall@20` says what the pool (hybrid top 200 + the person's
  occupations) misses;
- `non_personalised`: the PIPL Art. 24 ranking (newest first), the floor of a request;
- `encode_query`: one uncached query encoding of the person's text (what a typed-in profile adds).
Then a cProfile of `served` over the same trainees (`bench_ranker_profile.txt`): where the time goes.
Writes `eval/results/bench_ranker.json` and `.md`, with p50/p99, RSS and the machine's load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import time
from pathlib import Path

from eval.bench_http import build_home
from eval.common import CpuMeter, latency_summary, machine_info, rss_mb, write_json

RESULTS = Path(__file__).resolve().parent / "results"
ALTERNATIVES = ("served", "exhaustive", "non_personalised", "encode_query")


def summary(ms: list[float]) -> dict:
    return latency_summary(ms, digits=2, suffix="")


def run(args: argparse.Namespace) -> dict:
    from matcher.config import Settings
    from matcher.service.engine import Engine
    from matcher.service.flows import JobQuery, jobs_for, person_text, rank_jobs, stored_person

    home = build_home(args.postings, trained=args.trained)
    started = time.perf_counter()
    settings = Settings(home=home)
    engine = Engine(settings)
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()["rss_mb"]
    trainees = random.Random(args.seed).sample(sorted(engine.world.trainees), args.trainees)
    raw_encoder = getattr(engine.encoder, "encoder", engine.encoder)  # below the embedding cache
    times: dict[str, list[float]] = {a: [] for a in ALTERNATIVES}
    recall, considered = [], []

    def timed(name: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        times[name].append((time.perf_counter() - t0) * 1000)
        return out

    for tid in trainees[: min(20, len(trainees))]:  # warm-up: query vectors into the cache, code paths hot
        jobs_for(engine, stored_person(engine, tid), JobQuery(k=20))
    meter = CpuMeter([os.getpid()])
    for n, tid in enumerate(trainees):
        person = stored_person(engine, tid)
        served = timed("served", jobs_for, engine, person, JobQuery(k=20))
        vector = engine.encode_query(person_text(person))
        exact = timed(
            "exhaustive",
            rank_jobs,
            engine.world,
            engine.retriever,
            person,
            vector,
            JobQuery(k=20),
            weights=settings.weights,
            clock=settings.clock(),
            max_commute_minutes=settings.max_commute_minutes,
            exhaustive=True,
        )
        timed("non_personalised", jobs_for, engine, person, JobQuery(k=20, personalised=False))
        timed("encode_query", raw_encoder.encode, [f"{person_text(person)} {n}"], kind="query")
        top = {r["posting"]["id"] for r in exact["results"]}
        if top:
            recall.append(len(top & {r["posting"]["id"] for r in served["results"]}) / len(top))
        considered.append(served["considered"])
    cpu = meter.cores()
    profiler = cProfile.Profile()
    profiler.enable()
    for tid in trainees:
        jobs_for(engine, stored_person(engine, tid), JobQuery(k=20))
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative")
    stats.print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    considered.sort()
    return {
        "command": f"python -m eval.bench_ranker --postings {args.postings} --trainees {args.trainees}"
        + (" --trained" if args.trained else ""),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": machine_info(),
        "cpu_during": cpu,
        "postings": len(engine.world.postings),
        "trainees_sampled": len(trainees),
        "encoder": engine.encoder.id,
        "index": engine.dense["postings"].stats(),
        "engine_load_s": round(load_s, 1),
        "rss_mb": {"after_load": round(rss_loaded, 1), "after_run": round(rss_mb()["rss_mb"], 1)},
        "latency_ms": {a: summary(v) for a, v in times.items() if v},
        "pool": {"considered_p50": considered[len(considered) // 2], "considered_max": considered[-1]},
        "recall@20_vs_exhaustive": {
            "mean": round(sum(recall) / len(recall), 4),
            "min": round(min(recall), 4),
            "queries_below_1": sum(r < 1 for r in recall),
        },
        "profile": text.getvalue(),
    }


def markdown(r: dict) -> str:
    lat = r["latency_ms"]
    rows = "\n".join(
        f"| {a} | {v['p50']} | {v['p95']} | {v['p99']} | {v['max']} | {v['mean']} |" for a, v in lat.items()
    )
    served = lat["served"]["p99"]
    rc = r["recall@20_vs_exhaustive"]
    goal = 100 if r["postings"] >= 1_000_000 else 50  # 1M: the in-process goal; else the HTTP goal, for scale
    return f"""# In-process ranker benchmark ({r["at"]})

`{r["command"]}` — {r["postings"]:,} postings, {r["trainees_sampled"]} stored trainees, encoder `{r["encoder"]}`,
index `{r["index"].get("index_type")}`; {r["machine"]["cpus"]} CPUs, load average at start {r["machine"]["loadavg_at_start"]},
during the run: this process {r["cpu_during"]["ours_cores"]} cores, others {r["cpu_during"]["others_cores"]}.
Engine loaded in {r["engine_load_s"]} s; RSS {r["rss_mb"]["after_load"]:,} MB after load, {r["rss_mb"]["after_run"]:,} MB after the run.

| alternative | p50 ms | p95 ms | p99 ms | max ms | mean ms |
|---|---:|---:|---:|---:|---:|
{rows}

Candidate pool (hybrid top 200 + every open posting of the person's occupations): median {r["pool"]["considered_p50"]:,}
gate-passing postings scored, max {r["pool"]["considered_max"]:,}. Top-20 recall of the served ranking against
scoring every open posting: mean {rc["mean"]}, min {rc["min"]} ({rc["queries_below_1"]} of {r["trainees_sampled"]} queries below 1).

Served p99 {served} ms in-process against ≤ {goal} ms ({"the 1M in-process goal" if goal == 100 else "the HTTP goal, for scale: HTTP adds the server"}): {"met" if served <= goal else "NOT met"}.
Profile of `served`: `eval/results/{"bench_ranker_profile" if r["postings"] >= 100_000 else "bench_ranker_quick_profile"}.txt`.
"""


def render(name: str) -> None:
    """Rewrite `<name>.md` from `<name>.json` (after a wording change, without re-running)."""
    import json

    r = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    md = (
        markdown(r)
        .replace("bench_ranker_profile", f"{name}_profile")
        .replace("bench_ranker_quick_profile", f"{name}_profile")
    )
    (RESULTS / f"{name}.md").write_text(md, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--trainees", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--trained", action="store_true", help="the trained encoder (`make model`), as `auto` serves it")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=None, help="result name under eval/results (default bench_ranker[_quick|_1m])")
    args = ap.parse_args(argv)
    if args.quick:
        args.postings, args.trainees = 5000, 50
    result = run(args)
    name = args.out or (
        "bench_ranker_quick" if args.quick else "bench_ranker_1m" if args.postings >= 1_000_000 else "bench_ranker"
    ) + ("_trained" if args.trained else "")
    (RESULTS / f"{name}_profile.txt").write_text(result.pop("profile"), encoding="utf-8")
    write_json(RESULTS / f"{name}.json", result)
    render(name)
    print((RESULTS / f"{name}.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
