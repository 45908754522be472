"""Does a bulk import stall the service? Small writes and searches while an admin imports postings.

    .venv/bin/python -m eval.bench_import_contention                 # 5k-posting home, 2,000 new rows
    .venv/bin/python -m eval.bench_import_contention --rows 500 --idle 10

What it does (one run, one `matcher serve`, on a copy of `eval.bench_http --postings 5000`'s data home):
1. idle: for `--idle` seconds two probes run side by side, one request at a time each —
   a reader (`GET /api/trainees/{id}/jobs?top_k=20`, the main endpoint) and a writer
   (`PUT /api/postings/PROBE-…`, one small posting per request, by an employer key);
2. import: the same probes while `POST /api/import/postings` sends `--rows` postings (demo postings
   under new ids with a sentence added, so each one is encoded, validated and indexed for real);
3. reports per phase p50 / p99 / max latency and errors of each probe, the import's rows/s, and from the
   server's /metrics the write lock: acquisitions, total and longest single hold (a reader waits behind a
   hold, so the longest hold bounds what one import batch can cost anyone else), plus the machine's load.
Writes `eval/results/bench_import_contention.json` and `.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from eval.bench_http import CACHE_ROOT, build_home, serve
from eval.common import (
    CpuMeter,
    bearer,
    copy_home,
    free_port,
    machine_info,
    markdown_table,
    mint_keys,
    percentile,
    wait_ready,
    write_json,
)

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20261203
EMPLOYER = "重庆压测单位"


def _metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.M)
    return float(m.group(1)) if m else float("nan")


def lock_stats(base_url: str) -> dict[str, float]:
    import httpx

    text = httpx.get(f"{base_url}/metrics", timeout=30).text
    return {
        "writes": _metric(text, "matcher_write_lock_writes_total"),
        "held_seconds": _metric(text, "matcher_write_lock_held_seconds_total"),
        "held_max_seconds": _metric(text, "matcher_write_lock_held_max_seconds"),
    }


class Probe(threading.Thread):
    """One client sending `make()` requests back to back until stopped; latencies per phase."""

    def __init__(self, base_url: str, make) -> None:
        super().__init__(daemon=True)
        self.base_url, self.make = base_url, make
        self.phase = "warmup"
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.running = True

    def run(self) -> None:
        import httpx

        rng = random.Random(SEED)
        with httpx.Client(base_url=self.base_url, timeout=120) as client:
            while self.running:
                method, url, kwargs = self.make(rng)
                phase = self.phase
                started = time.perf_counter()
                try:
                    ok = client.request(method, url, **kwargs).status_code in (200, 201)
                except httpx.HTTPError:
                    ok = False
                self.samples.setdefault(phase, []).append(time.perf_counter() - started)
                if not ok:
                    self.errors[phase] = self.errors.get(phase, 0) + 1

    def summary(self, phase: str) -> dict:
        values = sorted(self.samples.get(phase, []))
        ms = {
            f"p{int(q * 100)}_ms": round(1000 * v, 1) for q in (0.5, 0.99) if (v := percentile(values, q)) is not None
        }
        return {
            "requests": len(values),
            "errors": self.errors.get(phase, 0),
            **ms,
            "max_ms": round(1000 * values[-1], 1) if values else None,
        }


def import_body(home: Path, rows: int) -> bytes:
    from matcher.config import Settings
    from matcher.storage.store import Store

    rng = random.Random(SEED)
    base = list(Store.from_settings(Settings(home=home)).payloads("postings"))
    out = []
    for i in range(rows):
        p = dict(rng.choice(base))
        for key in ("provenance", "extraction_spans"):
            p.pop(key, None)
        p["id"] = f"IMPORT-{SEED}-{i:06d}"
        extra = rng.choice(["包吃住", "五险一金", "月休四天", "有年终奖"])
        p["description"] = f"{p.get('description', '')} 第{i}批次招聘，{extra}。"
        out.append(json.dumps(p, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode("utf-8")


def run(args: argparse.Namespace) -> dict:
    import tempfile

    import httpx

    from matcher.config import Settings
    from matcher.storage.store import Store

    scratch = Path(tempfile.mkdtemp(prefix="contention-", dir=CACHE_ROOT))
    home = copy_home(build_home(args.postings), scratch / "home")  # the import must not grow the shared home
    keys = mint_keys(
        home,
        {"office": ("office", "bench"), "employer": ("employer", EMPLOYER), "admin": ("admin", "bench")},
        "contention",
    )
    office, employer, admin = (bearer(keys[name]) for name in ("office", "employer", "admin"))
    trainees = [p["id"] for p in Store.from_settings(Settings(home=home)).profiles()]
    body = import_body(home, args.rows)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    def read(rng: random.Random):
        return "GET", f"/api/trainees/{rng.choice(trainees)}/jobs", {"params": {"top_k": 20}, "headers": office}

    counter = iter(range(10**9))

    def write(rng: random.Random):
        pid = f"PROBE-{next(counter) % 200:03d}"
        posting = {
            "id": pid,
            "title": "仓库管理员",
            "employer": EMPLOYER,
            "district": "沙坪坝区",
            "description": f"负责出入库登记与盘点，{rng.randint(1, 10**6)}",
            "salary_min": 4500,
            "salary_max": 6000,
        }
        return "PUT", f"/api/postings/{pid}", {"json": posting, "headers": employer}

    result: dict[str, Any] = {
        "what": "small writes and searches during a bulk import (matcher serve, uvicorn)",
        "postings": args.postings,
        "rows": args.rows,
        "idle_s": args.idle,
        "machine": machine_info(),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    with serve(home, port, CACHE_ROOT / f"contention-{port}.log") as proc:
        result["startup_seconds"] = round(wait_ready(base_url, proc), 1)
        result["encoder"] = Settings(home=home).encoder  # what `matcher serve` resolves for this home
        meter = CpuMeter([proc.pid, os.getpid()])
        probes = {"read": Probe(base_url, read), "write": Probe(base_url, write)}
        for p in probes.values():
            p.start()
        while min(len(p.samples.get("warmup", [])) for p in probes.values()) < 20:  # first calls build lazy state
            time.sleep(0.5)
        phases: dict[str, dict] = {}
        for name in ("idle", "import"):
            for p in probes.values():
                p.phase = name
            before = lock_stats(base_url)
            meter.start()
            started = time.perf_counter()
            if name == "idle":
                time.sleep(args.idle)
                report = None
            else:
                r = httpx.post(f"{base_url}/api/import/postings", content=body, headers=admin, timeout=3600)
                r.raise_for_status()
                report = r.json()
            elapsed = time.perf_counter() - started
            after = lock_stats(base_url)
            phases[name] = {
                "seconds": round(elapsed, 1),
                "cpu": meter.cores(),
                **{k: probes[k].summary(name) for k in probes},
                "write_lock": {
                    "acquisitions": int(after["writes"] - before["writes"]),
                    "held_seconds": round(after["held_seconds"] - before["held_seconds"], 3),
                    "longest_hold_ms_so_far": round(1000 * after["held_max_seconds"], 1),
                },
            }
            if report is not None:
                phases[name]["import"] = {k: report.get(k) for k in ("read", "inserted", "updated", "rejected")}
                phases[name]["import"]["rows_per_s"] = round(args.rows / elapsed, 1)
        for p in probes.values():
            p.running = False
        for p in probes.values():
            p.join(timeout=130)
        if proc.poll() is not None:
            raise RuntimeError("server died during the run")
    shutil.rmtree(scratch, ignore_errors=True)
    result["phases"] = phases
    result["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


def _p50_p99_max(probe: dict) -> str:
    return f"{probe.get('p50_ms')} / {probe.get('p99_ms')} / {probe.get('max_ms')}"


def markdown(r: dict) -> str:
    lines = [
        f"# Bulk import vs. the rest of the service ({r['started_at']})",
        "",
        f"`python -m eval.bench_import_contention --postings {r['postings']} --rows {r['rows']} --idle {r['idle_s']:g}` — {r['postings']:,}-posting home, "
        f"encoder `{r.get('encoder')}`, one `matcher serve`; one reader client and one writer client, "
        "each one request at a time.",
        "",
        *markdown_table(
            ["phase", "seconds", "reader p50 / p99 / max ms", "writer p50 / p99 / max ms", "errors"]
            + ["write-lock holds", "held s", "machine busy cores"],
            (
                [name, ph["seconds"], _p50_p99_max(ph["read"]), _p50_p99_max(ph["write"])]
                + [ph["read"]["errors"] + ph["write"]["errors"], ph["write_lock"]["acquisitions"]]
                + [ph["write_lock"]["held_seconds"], ph["cpu"]["machine_busy_cores"]]
                for name, ph in r["phases"].items()
            ),
        ),
    ]
    imp = r["phases"]["import"].get("import", {})
    longest = r["phases"]["import"]["write_lock"]["longest_hold_ms_so_far"]
    lines += [
        "",
        f"Import: {imp.get('inserted')} inserted, {imp.get('rejected')} rejected, "
        f"{imp.get('rows_per_s')} rows/s. Longest single write-lock hold in the run: {longest} ms.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_import_contention", description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=5000, help="size of the data home (eval.bench_http's)")
    parser.add_argument("--rows", type=int, default=2000, help="postings in the import")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of the idle phase")
    args = parser.parse_args(argv)
    result = run(args)
    write_json(RESULTS / "bench_import_contention.json", result)
    (RESULTS / "bench_import_contention.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
