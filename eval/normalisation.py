"""Benchmark 2 — occupation normalisation: free-text title → CSCO leaf code (accuracy@1/@5, MRR).

Labelled set (see eval/data/README.md):
- held-out CSCO aliases: a seeded 20% of the unambiguous aliases that differ from their leaf's name;
- held-out 工种: a seeded 20% of `matcher/catalogues/data/gongzhong.csv` (terms that are not a leaf name);
  both drawn by `models.heldout.holdout_items`, the one split that training keeps out too, and passed
  to `OccupationNormaliser(encoder, exclude_terms=...)`, so the normaliser indexes none of
  them (not as exact form, not in the dense leaf view, not in the BM25 text);
- real posting titles: public-employment-service postings labelled by hand (`eval/data/normalisation_titles.tsv`
  holds only posting id + code(s); the title is read from the postings file at run time). These are run
  through the production normaliser (no exclusions): they are outside text, not catalogue entries.

Systems: the normaliser with each encoder, and baselines that rank the same leaf views
("name：alias、alias…", held-out terms removed) with the plain text systems.
"""

from __future__ import annotations

import csv
import logging
import random
from collections import Counter
from pathlib import Path

from eval.common import EVAL_DATA, load_job_rows
from eval.metrics import summarise
from eval.systems import TextTask, resolve_spec, to_run, unavailable
from matcher.domain.texts import text_key
from models.heldout import HOLDOUT_SEED, holdout_items  # the one split, shared with training

log = logging.getLogger("eval")

METRICS = ("hit_rate@1", "hit_rate@5", "mrr")
TITLES_FILE = EVAL_DATA / "normalisation_titles.tsv"
NORMALISER_ENCODERS = ("usem", "e5", "fusion", "ft", "ft_fp32")
BASELINE_SYSTEMS = ("bm25", "tfidf_char", "usem", "e5", "ft")


def read_title_labels(path: Path = TITLES_FILE) -> list[dict]:
    """posting_id, code, alt_codes (';'-separated, optional), skip_reason (rows without a code are skipped)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            if not (row.get("code") or "").strip():
                continue
            gold = [row["code"].strip()] + [c.strip() for c in (row.get("alt_codes") or "").split(";") if c.strip()]
            rows.append({"posting_id": row["posting_id"].strip(), "gold": gold})
    return rows


def candidate_titles(
    pes_rows: dict[str, dict[str, str]], n_top: int = 50, n_random: int = 50, seed: int = HOLDOUT_SEED
) -> list[str]:
    """The procedure that chose the 100 labelled posting titles (see eval/data/README.md): distinct titles
    (normalised) of the public-employment-service rows, the `n_top` most frequent plus `n_random` drawn from
    the rest, each represented by its posting with the smallest id."""
    by_title: dict[str, list[str]] = {}
    for pid, row in sorted(pes_rows.items()):
        by_title.setdefault(text_key(row.get("职位") or ""), []).append(pid)
    ranked = sorted(by_title, key=lambda k: (-len(by_title[k]), k))
    top = ranked[:n_top]
    rest = sorted(set(ranked) - set(top))
    chosen = top + random.Random(seed).sample(rest, n_random)
    return [by_title[k][0] for k in chosen]


def title_items(jobs_csv: Path | None, rows_cache: dict | None = None) -> list[dict]:
    if jobs_csv is None or not jobs_csv.is_file():
        return []
    job_rows = rows_cache if rows_cache is not None else load_job_rows(jobs_csv, platform_=None)
    items = []
    for lab in read_title_labels():
        row = job_rows.get(lab["posting_id"])
        if row is None:
            log.warning("labelled posting %s not found in %s", lab["posting_id"], jobs_csv)
            continue
        items.append(
            {
                "id": f"posting:{lab['posting_id']}",
                "subset": "posting_titles",
                "text": (row.get("职位") or "").strip(),
                "gold": lab["gold"],
            }
        )
    return items


def _leaf_views(excluded: set[str]) -> tuple[list[str], list[str]]:
    from matcher.catalogues.occupations import load_occupations
    from matcher.service.normalise import OccupationNormaliser

    leaves = load_occupations().leaves
    return [o.code for o in leaves], [OccupationNormaliser._leaf_view(o, excluded) for o in leaves]


def _normaliser_run(normaliser, items: list[dict], k: int = 10) -> tuple[dict, dict]:
    """Run {item: {code: score}} and, per item, which signal produced the top-1 answer."""
    run, via = {}, {}
    matches = normaliser.normalise_many([it["text"] for it in items], k=k)
    for it, ms in zip(items, matches, strict=False):
        # Rank-based scores keep the normaliser's own order (ties at 1.0 are broken by it, not by ranx).
        run[it["id"]] = {m.code: float(k - r) for r, m in enumerate(ms)}
        via[it["id"]] = ms[0].via if ms else "none"
    return run, via


def _via_table(items: list[dict], run: dict, via: dict) -> dict:
    """Per subset: how many top-1 answers came from exact / contains / hybrid, and how many were right."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    for it in items:
        top = next(iter(run.get(it["id"], {})), None)
        cell = table.setdefault(it["subset"], {}).setdefault(via[it["id"]], {"top1": 0, "correct": 0})
        cell["top1"] += 1
        cell["correct"] += int(top in it["gold"])
    return table


def _per_subset(items: list[dict], run: dict) -> dict:
    out = {}
    for subset in sorted({it["subset"] for it in items}) + ["all"]:
        chosen = [it for it in items if subset == "all" or it["subset"] == subset]
        qrels = {it["id"]: {c: 1 for c in it["gold"]} for it in chosen}
        out[subset] = summarise(qrels, {q: run.get(q, {}) for q in qrels}, METRICS)
        if subset != "all":
            del out[subset]["per_query"]  # the "all" block holds every item's values
    return out


def run(
    jobs_csv: Path | None,
    cache_dir: Path | None,
    quick: bool = False,
    seed: int = 0,
    encoders: tuple[str, ...] = NORMALISER_ENCODERS,
    baselines: tuple[str, ...] = BASELINE_SYSTEMS,
    job_rows: dict | None = None,
) -> dict:
    from matcher.service.normalise import OccupationNormaliser
    from models import get_encoder

    held, pools = holdout_items()
    titles = title_items(jobs_csv, job_rows)
    if quick:
        rng = random.Random(seed)
        aliases = [it for it in held if it["subset"] == "heldout_alias"]
        held = rng.sample(aliases, 40) + [it for it in held if it["subset"] == "heldout_gongzhong"][:8]
        titles = titles[:15]
    excluded_terms = [it["text"] for it in held]
    excluded = {text_key(t) for t in excluded_terms}
    systems: dict[str, dict] = {}
    via: dict[str, dict] = {}
    skipped = {}
    for name in [*(f"normaliser[{e}]" for e in encoders), *(f"leafview[{b}]" for b in baselines)]:
        if reason := unavailable(name):
            skipped[name] = reason
    encoders = tuple(e for e in encoders if f"normaliser[{e}]" not in skipped)
    baselines = tuple(b for b in baselines if f"leafview[{b}]" not in skipped)
    for spec in encoders:
        log.info("normalisation: normaliser[%s]", spec)
        enc = get_encoder(resolve_spec(spec), cache_dir=cache_dir)
        held_norm = OccupationNormaliser(enc, exclude_terms=excluded_terms)
        run_h, via_h = _normaliser_run(held_norm, held)
        run_t: dict = {}
        via_t: dict = {}
        if titles:
            prod_norm = OccupationNormaliser(enc)
            run_t, via_t = _normaliser_run(prod_norm, titles)
        name = f"normaliser[{spec}]"
        systems[name] = _per_subset(held + titles, {**run_h, **run_t})
        via[name] = _via_table(held + titles, {**run_h, **run_t}, {**via_h, **via_t})
    # Baselines over the leaf views (held-out terms removed for held-out items; full views for titles).
    codes, views_held = _leaf_views(excluded)
    _, views_full = _leaf_views(set())
    tasks = [(held, views_held, excluded)]
    if titles:
        tasks.append((titles, views_full, set()))
    for system in baselines:
        log.info("normalisation: baseline %s", system)
        run_all: dict = {}
        for items, views, excl in tasks:
            from matcher.catalogues.occupations import load_occupations

            terms = [t for t in load_occupations().names_and_aliases() if text_key(t) not in excl]
            task = TextTask([it["text"] for it in items], views, cache_dir=cache_dir, bm25_terms=terms)
            run_all.update(to_run(task.run(system), [it["id"] for it in items], codes, depth=10))
        systems[f"leafview[{system}]"] = _per_subset(held + titles, run_all)
    counts = Counter(it["subset"] for it in held + titles)
    return {
        "name": "Occupation normalisation (title → CSCO leaf)",
        "metrics": list(METRICS),
        "headline_metric": "hit_rate@1",
        "quick_subset": quick,
        "items": dict(counts),
        "holdout": pools,
        "excluded_terms": len(excluded_terms),
        "systems": systems,
        "top1_via": via,
        "skipped_systems": skipped,
    }
