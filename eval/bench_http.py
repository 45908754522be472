"""HTTP load benchmark: jobs-for-trainee top-20 over a real `matcher serve` on ~100k postings.

    .venv/bin/python -m eval.bench_http                           # 100k postings, 60 s per scenario
    .venv/bin/python -m eval.bench_http --postings 20000 --duration 15 --concurrency 4
    .venv/bin/python -m eval.bench_http --quick                   # smoke: 5k postings, 5 s (writes bench_http_quick.*)

What it does
1. Builds (once; cached under `var/bench_http/home-<N>/`) a data home with N postings: the synthetic
   demo world (`matcher.demo.generator.generate_demo_world`, scale 1: 5,000 postings, 3,000 trainees, 300 courses)
   with its postings replicated to N under new ids, each replica in another district with perturbed pay
   and posting date. Replicas keep the original text, so the embedding cache makes the build cheap
   (~4.6k distinct posting texts are encoded, not N) — the index still holds N vectors (HNSW above 50k).
   `generate_demo_world(scale=20)` was not used: it took minutes just to generate.
2. Starts `matcher serve` (uvicorn, one process — what the CLI runs) on 127.0.0.1 on a free port as a
   subprocess, waits for /readyz, creates an office API key (office may read any trainee's jobs).
3. Drives it with N concurrent asyncio workers (httpx, keep-alive, loopback only), each for
   `--duration` seconds, after a short warm-up, in two scenarios:
   (a) stored  — `GET /api/trainees/{id}/jobs?top_k=20` for random stored trainees (cached profile vector);
   (b) adhoc   — `POST /api/match/jobs` with a random typed-in profile (certificates + skills + district),
       so the profile text is encoded per request (unique skill mixes, mostly embedding-cache misses);
   (optional) record — `GET /api/trainees/{id}/contact-requests`: key check + one SQL query + JSON, no ranking: the cost
       of the HTTP layer itself. `--scenarios stored@1,stored` etc.: `@N` sets the clients of one scenario.
4. Reports throughput, p50/p95/p99/max client-side latency, error count (non-200 or transport error),
   the server's own latency histogram (from /metrics) and the CPU used by *other* processes during each
   run (`eval.common.CpuMeter`, psutil): when that is high, the machine was busy and the numbers are pessimistic.
   Writes `eval/results/bench_http.json` and `.md` (`--quick`: `bench_http_quick.*`).

The load generator runs on the same 2 cores as the server, so it takes CPU the server could use.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eval.common import (
    CpuMeter,
    bearer,
    free_port,
    machine_info,
    markdown_table,
    mint_keys,
    percentile,
    serve_process,
    uvicorn_command,
    wait_ready,
)

REPO = Path(__file__).resolve().parents[1]
CACHE_ROOT = REPO / "var" / "bench_http"
RESULTS = REPO / "eval" / "results"
SEED = 20251119
BASE_POSTINGS = 5000  # demo world at scale 1


# --- the data home ---------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"[bench_http {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def replicate_postings(base: list[dict], n: int, rng: random.Random, districts: list[str]) -> list[dict]:
    """The base postings, then replicas with new ids in other districts (text unchanged)."""
    out = list(base[:n])
    r = 1
    while len(out) < n:
        for p in base:
            if len(out) >= n:
                break
            q = json.loads(json.dumps(p))
            q["id"] = f"{p['id']}-R{r:02d}"
            q["district"] = rng.choice(districts)
            q.pop("lon", None)
            q.pop("lat", None)
            q.pop("address", None)
            for key in ("salary_min", "salary_max"):
                if q.get(key) is not None:
                    q[key] = int(round(q[key] * rng.uniform(0.9, 1.1), -1))
            if (
                q.get("salary_min") is not None
                and q.get("salary_max") is not None
                and q["salary_min"] > q["salary_max"]
            ):
                q["salary_min"], q["salary_max"] = q["salary_max"], q["salary_min"]
            if q.get("posted_at"):
                d = dt.date.fromisoformat(q["posted_at"]) - dt.timedelta(days=rng.randint(0, 60))
                q["posted_at"] = d.isoformat()
            out.append(q)
        r += 1
    return out


TRAINED_MODELS = REPO / "var" / "default" / "models"  # where `make model` puts the domain-adapted encoder


def build_home(n_postings: int, root: Path = CACHE_ROOT, trained: bool = False) -> Path:
    """A MATCHER_HOME with `n_postings` postings, built once and reused (marker: build.json).

    `trained`: the home's `models/` links to `make model`'s output, so the service picks the trained
    encoder exactly as it does by default (MATCHER_ENCODER=auto) — the encoder as served."""
    home = root / (f"home-{n_postings}-trained" if trained else f"home-{n_postings}")
    marker = home / "build.json"
    if marker.exists():
        _log(f"reusing {home}")
        return home
    from matcher.catalogues.districts import load_districts
    from matcher.config import Settings
    from matcher.demo.generator import generate_demo_world
    from matcher.ingest.importer import import_rows, read_jsonl
    from matcher.service.indexing import build_indexes
    from matcher.storage.store import Store

    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    shared_cache = root / "cache"  # one embedding cache for every bench home: texts are encoded once
    shared_cache.mkdir(parents=True, exist_ok=True)
    (home / "cache").symlink_to(shared_cache.resolve(), target_is_directory=True)
    if trained:
        if not (TRAINED_MODELS / "e5-small-zh-csco" / "onnx").is_dir():
            raise SystemExit(f"no trained encoder under {TRAINED_MODELS} (run `make model`)")
        (home / "models").symlink_to(TRAINED_MODELS.resolve(), target_is_directory=True)
    started = time.perf_counter()
    demo = root / "demo"
    if not (demo / "manifest.json").exists():
        _log("generating the demo world (scale 1)")
        generate_demo_world(demo, seed=SEED, scale=1.0)
    settings = Settings(home=home)
    store = Store.from_settings(settings)
    base = [row for _, row in read_jsonl(demo / "postings.jsonl") if isinstance(row, dict)]
    districts = [d.name for d in load_districts().districts]
    postings = replicate_postings(base, n_postings, random.Random(SEED), districts)
    _log(f"importing {len(postings):,} postings")
    report = import_rows(store, "postings", enumerate(postings, 1), "postings(bench)", batch_size=5000)
    assert not report.errors, report.errors[:3]
    for kind in ("trainees", "courses", "training_records", "placements"):
        import_rows(store, kind, read_jsonl(demo / f"{kind}.jsonl"), f"{kind}.jsonl")
    t_import = time.perf_counter() - started
    _log("building indexes (embedding cache: replicas cost nothing)")
    summary = build_indexes(store, settings.index_dir, settings.encoder, cache_dir=settings.cache_dir)
    info = {
        "postings": n_postings,
        "base_postings": len(base),
        "seed": SEED,
        "import_seconds": round(t_import, 1),
        "index_seconds": round(time.perf_counter() - started - t_import, 1),
        "indexes": summary,
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    marker.write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    _log(f"home ready in {time.perf_counter() - started:.0f}s: {home}")
    return home


# --- the server ------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(home: Path, port: int, log_path: Path, workers: int = 1) -> Iterator[subprocess.Popen]:
    """`matcher serve` (what the CLI runs) on `home`, or uvicorn with several worker processes (what-if only:
    each worker has its own in-memory world, so writes are not shared between workers)."""
    if workers == 1:
        cmd = [sys.executable, "-m", "matcher.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = uvicorn_command(port, workers)
    with serve_process(cmd, home, log_path, {"MATCHER_LOG_LEVEL": "WARNING"}) as proc:
        yield proc


# --- load ------------------------------------------------------------------------------------------


async def drive(base_url: str, make_request, concurrency: int, duration: float, warmup: float) -> dict:
    """`concurrency` workers send requests back to back for `duration` s (after `warmup` s not counted)."""
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        t_start = time.perf_counter()
        t_measure = t_start + warmup
        t_end = t_measure + duration

        async def worker(i: int) -> None:
            rng = random.Random(SEED + i)
            while True:
                now = time.perf_counter()
                if now >= t_end:
                    return
                method, url, kwargs = make_request(rng)
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, url, **kwargs)
                    ok, key = r.status_code == 200, str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                t1 = time.perf_counter()
                if t0 >= t_measure and t1 <= t_end:
                    latencies.append(t1 - t0)
                    if not ok:
                        errors[key] = errors.get(key, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    latencies.sort()
    n = len(latencies)
    ms = lambda v: round(v * 1000, 1) if v is not None else None  # noqa: E731
    return {
        "requests": n,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "seconds": duration,
        "throughput_rps": round(n / duration, 1),
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p95_ms": ms(percentile(latencies, 0.95)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "mean_ms": ms(sum(latencies) / n if n else None),
    }


WRK_SCRIPT = """
local reqs = {%s}
local n = #reqs
request = function()
  local r = reqs[math.random(n)]
  return wrk.format(r[1], r[2], r[3], r[4])
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"max_us": %%d, "mean_us": %%d, "status": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""


def _lua(text: str) -> str:
    return "[==[" + text + "]==]"


def drive_wrk(base_url: str, make_request, concurrency: int, duration: float, warmup: float) -> dict:
    """The same requests through Debian's `wrk` (C, one thread, epoll): a load generator that leaves the
    server's cores alone. 2,000 requests are drawn up front and wrk picks among them at random."""
    import urllib.parse

    rng = random.Random(SEED)
    entries = []
    for _ in range(2000):
        method, url, kw = make_request(rng)
        if kw.get("params"):
            url += "?" + urllib.parse.urlencode(kw["params"])
        headers = dict(kw.get("headers") or {})
        body = None
        if "json" in kw:
            body = json.dumps(kw["json"], ensure_ascii=False)
            headers["Content-Type"] = "application/json"
        hdr = "{" + ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in headers.items()) + "}"
        entries.append("{" + f"{_lua(method)}, {_lua(url)}, {hdr}, {_lua(body) if body is not None else 'nil'}" + "}")
    script = CACHE_ROOT / f"wrk-{os.getpid()}.lua"
    script.write_text(WRK_SCRIPT % ",\n".join(entries), encoding="utf-8")

    def run_wrk(seconds: float) -> tuple[dict, float]:
        before = _reaped_children_cpu_s()
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        after = _reaped_children_cpu_s()
        line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no summary:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
        return json.loads(line[4:]), after - before

    try:
        if warmup > 0:
            run_wrk(warmup)
        w, cpu_s = run_wrk(duration)
    finally:
        script.unlink(missing_ok=True)
    secs = w["duration_us"] / 1e6
    errors = w["status"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
    ms = lambda us: round(us / 1000, 1)  # noqa: E731
    return {
        "requests": w["requests"],
        "errors": errors,
        "error_kinds": {k: w[k] for k in ("status", "connect", "read", "write", "timeout") if w[k]},
        "seconds": round(secs, 1),
        "throughput_rps": round(w["requests"] / secs, 1),
        "p50_ms": ms(w["p50_us"]),
        "p95_ms": ms(w["p95_us"]),
        "p99_ms": ms(w["p99_us"]),
        "max_ms": ms(w["max_us"]),
        "mean_ms": ms(w["mean_us"]),
        "loadgen": "wrk",
        "loadgen_cores": round(cpu_s / secs, 3),
    }


def _reaped_children_cpu_s() -> float:
    """CPU-seconds of this process's finished children (wrk, once it has exited)."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.children_user + t.children_system


def server_histogram(base_url: str, route: str) -> dict[float, float]:
    import httpx

    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    out: dict[float, float] = {}
    for m in re.finditer(
        r'matcher_http_request_duration_seconds_bucket\{le="([^"]+)",method="\w+",route="([^"]+)"\} (\S+)', text
    ):
        if m.group(2) == route:
            out[float("inf") if m.group(1) == "+Inf" else float(m.group(1))] = float(m.group(3))
    return out


def histogram_summary(before: dict[float, float], after: dict[float, float]) -> dict:
    """Server-side latency (handler + middleware) from the Prometheus buckets: upper bounds of p50/p95/p99."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1] if counts else 0
    out: dict[str, Any] = {"requests": int(total)}
    for q in (0.5, 0.95, 0.99):
        bound = next((b for b, c in zip(bounds, counts, strict=False) if total and c >= q * total), None)
        out[f"p{int(q * 100)}_le_ms"] = None if bound is None else ("inf" if bound == float("inf") else bound * 1000)
    return out


# --- scenarios -------------------------------------------------------------------------------------


def scenarios(home: Path, headers: dict) -> dict:
    from matcher.config import Settings
    from matcher.storage.store import Store

    store = Store.from_settings(Settings(home=home))
    profiles = list(store.profiles())
    trainee_ids = [p["id"] for p in profiles]
    certs = [c for p in profiles for c in p.get("certificates", [])]
    skills = sorted({s for p in profiles for s in p.get("skills", [])}) or ["沟通"]
    districts = sorted({p["district"] for p in profiles})

    def stored(rng: random.Random):
        return "GET", f"/api/trainees/{rng.choice(trainee_ids)}/jobs", {"params": {"top_k": 20}, "headers": headers}

    def adhoc(rng: random.Random):
        chosen = rng.sample(certs, k=min(len(certs), rng.randint(1, 2)))
        body = {
            "district": rng.choice(districts),
            "top_k": 20,
            "certificates": [{"occupation": c["occupation"], "level": c.get("level")} for c in chosen],
            "skills": rng.sample(skills, k=min(len(skills), rng.randint(1, 4))),
            "experience_years": rng.randint(0, 10),
            "desired_salary": rng.randrange(3000, 9000, 500),
        }
        return "POST", "/api/match/jobs", {"json": body}

    def record(rng: random.Random):
        """The HTTP layer alone: key check, one store read, JSON (no ranking) — what the API itself costs."""
        return "GET", f"/api/trainees/{rng.choice(trainee_ids)}/contact-requests", {"headers": headers}

    def healthz(rng: random.Random):
        """The floor: no key, no store, no ranking — what one request through uvicorn + FastAPI costs."""
        return "GET", "/healthz", {}

    return {
        "stored": (stored, "/api/trainees/{trainee_id}/jobs", "GET"),
        "healthz": (healthz, "/healthz", "GET"),
        "adhoc": (adhoc, "/api/match/jobs", "POST"),
        "record": (record, "/api/trainees/{trainee_id}/contact-requests", "GET"),
    }


def run(args: argparse.Namespace) -> dict:
    import httpx

    home = build_home(args.postings, trained=args.trained)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = CACHE_ROOT / f"server-{port}.log"
    result: dict[str, Any] = {
        "what": "jobs-for-trainee top-20 over HTTP (matcher serve, uvicorn)",
        "postings": args.postings,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "workers": args.workers,
        "machine": machine_info(),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "home": json.loads((home / "build.json").read_text(encoding="utf-8")),
        "loadgen": args.loadgen,
        "targets": {"stored_p99_ms": 50, "throughput_rps": 200, "errors": 0},
        "scenarios": {},
    }
    from matcher.config import Settings

    result["encoder"] = Settings(home=home).encoder  # what `matcher serve` resolves for this home
    headers = bearer(mint_keys(home, {"office": ("office", "bench")}, "bench_http")["office"])
    with serve(home, port, log_path, args.workers) as proc:
        _log(f"server pid {proc.pid} on {base_url}; waiting for /readyz")
        result["startup_seconds"] = round(wait_ready(base_url, proc, timeout=1800, interval=1.0), 1)
        _log(f"ready after {result['startup_seconds']}s")
        result["readyz"] = httpx.get(f"{base_url}/readyz", timeout=10).json()
        meter = CpuMeter([proc.pid, os.getpid()])
        for spec in args.scenarios.split(","):
            name, _, conc = spec.partition("@")  # "stored@1": one client at a time (latency without queueing)
            concurrency = int(conc) if conc else args.concurrency
            make, route, _method = scenarios(home, headers)[name]
            _log(f"scenario {spec}: {concurrency} workers × {args.duration}s")
            before = server_histogram(base_url, route)
            meter.start()
            if args.loadgen == "wrk":
                stats = drive_wrk(base_url, make, concurrency, args.duration, args.warmup)
            else:
                stats = asyncio.run(drive(base_url, make, concurrency, args.duration, args.warmup))
                stats["loadgen"] = "httpx"
            stats["concurrency"] = concurrency
            stats["cpu"] = meter.cores()
            stats["server_side"] = histogram_summary(before, server_histogram(base_url, route))
            result["scenarios"][spec if conc else name] = stats
            _log(f"{spec}: {json.dumps(stats, ensure_ascii=False)}")
        if proc.poll() is not None:
            raise RuntimeError("server died during the run")
    result["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
    with contextlib.suppress(OSError):
        log_path.unlink()
    return result


def _loadgen(s: dict) -> str:
    return s.get("loadgen", "httpx") + (f" {s['loadgen_cores']} cores" if "loadgen_cores" in s else "")


def markdown(r: dict) -> str:
    lines = [
        f"# HTTP load benchmark ({r['started_at']})",
        "",
        f"{r['what']}; {r['postings']:,} postings, {r['home']['indexes']['trainees']['count']:,} trainees; "
        f"{r['duration_s']} s per scenario (after {r['warmup_s']} s warm-up); "
        f"{r['workers']} server process(es); {r['machine']['cpus']} CPUs; server ready in {r.get('startup_seconds')} s; "
        f"encoder `{r.get('encoder', '?')}`; load generator {r.get('loadgen', 'httpx')}.",
        "",
    ]
    lines += markdown_table(
        ["scenario", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "server p99 ≤ ms"]
        + ["CPU: ours / others (cores)", "load generator"],
        (
            [name, s.get("concurrency", r["concurrency"]), s["throughput_rps"], s["p50_ms"], s["p95_ms"], s["p99_ms"]]
            + [s["max_ms"], s["errors"], s["server_side"].get("p99_le_ms")]
            + [f"{s['cpu']['ours_cores']} / {s['cpu']['others_cores']}", _loadgen(s)]
            for name, s in r["scenarios"].items()
        ),
        "lrrrrrrrrll",
    )
    t = r["targets"]
    stored: dict[str, Any] = r["scenarios"].get("stored") or next(
        (v for k, v in r["scenarios"].items() if k.startswith("stored")), {}
    )
    lines += [
        "",
        f"Targets: stored-trainee p99 ≤ {t['stored_p99_ms']} ms → "
        f"{'met' if stored.get('p99_ms') is not None and stored['p99_ms'] <= t['stored_p99_ms'] else 'NOT met'}; "
        f"≥ {t['throughput_rps']} req/s → "
        f"{'met' if stored.get('throughput_rps', 0) >= t['throughput_rps'] else 'NOT met'}; "
        f"zero errors → {'met' if all(s['errors'] == 0 for s in r['scenarios'].values()) else 'NOT met'}.",
        "",
        "Latency is measured by the load generator (same machine, same cores); 'server p99 ≤' is the upper "
        "bucket bound from the server's own Prometheus histogram. 'others' = CPU used by other processes "
        "during the run: when it is well above 0 the machine was busy and the numbers are pessimistic.",
    ]
    busiest = {
        k.partition("@")[0]: v for k, v in r["scenarios"].items() if "@" not in k or k.endswith(f"@{r['concurrency']}")
    }
    if "healthz" in busiest and "stored" in busiest:
        ratio = busiest["stored"]["throughput_rps"] / max(busiest["healthz"]["throughput_rps"], 1e-9)
        lines += [
            "",
            f"Throughput of the stored-trainee endpoint / `/healthz`'s at {r['concurrency']} clients: "
            f"{ratio:.2f} (goal ≥ 0.5 → {'met' if ratio >= 0.5 else 'NOT met'}).",
        ]
    if r.get("notes"):
        lines += ["", "## Notes", "", *[f"- {n}" for n in r["notes"]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_http", description=__doc__.split("\n")[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent client workers")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1 = `matcher serve`)")
    parser.add_argument(
        "--scenarios",
        default="stored@1,stored,adhoc@1,adhoc",
        help="comma list of stored|adhoc, optionally @concurrency (default: --concurrency)",
    )
    parser.add_argument(
        "--loadgen",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="wrk (Debian's, C; default when installed) or the in-process httpx asyncio driver",
    )
    parser.add_argument(
        "--trained", action="store_true", help="serve the trained encoder (`make model`), as `auto` does"
    )
    parser.add_argument("--quick", action="store_true", help="5k postings, 5 s per scenario; writes bench_http_quick.*")
    parser.add_argument("--out", default=None, help="result name under eval/results (default bench_http)")
    args = parser.parse_args(argv)
    if args.quick:
        args.postings, args.duration, args.warmup = min(args.postings, 5000), 5.0, 2.0
    name = args.out or ("bench_http_quick" if args.quick else "bench_http")
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    (RESULTS / f"{name}.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0 if all(s["errors"] == 0 for s in result["scenarios"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
