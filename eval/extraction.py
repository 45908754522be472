"""Benchmark 4 — requirements read from real posting text (`matcher.domain.extract`).

Corpus: the Guangdong public-employment-service rows (`GGFW_HRSS_GD`) of
`../shared/data/jobpostings_2024/jobs.csv.gz`, read in place. The sample is drawn by a fixed seed:
`POSITIVE` postings whose text passes a broad certificate screen (`SCREEN`) and `NEGATIVE` postings that
do not. Gold labels (`eval/data/extraction_labels.jsonl`, ids + labels only) were written by reading each
posting's text against `eval/data/EXTRACTION_LABELLING.md`, blind to the extractor's output. The rules
were developed on postings outside the sample (`python -m eval.extraction dev` shows those).

    .venv/bin/python -m eval.extraction sample   # export the sample's texts to var/eval_scratch/ (labelling)
    .venv/bin/python -m eval.extraction          # score the extractor against the labels
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from eval.common import EVAL_DATA, REPO, RESULTS_DIR, DataPaths, load_job_rows, write_json
from eval.relevance import to_payload
from matcher.catalogues.licences import DRIVING, SKILL, SPECIAL_EQUIPMENT, load_licences
from matcher.catalogues.occupations import load_occupations
from matcher.domain.extract import extract

LABELS_FILE = EVAL_DATA / "extraction_labels.jsonl"  # the test sample
DEV_LABELS_FILE = EVAL_DATA / "extraction_dev_labels.jsonl"  # screened postings outside it: the rules were tuned here
# A second, independent annotator on 80 postings of the test sample: how far two people agree under the rules.
SECOND_LABELS_FILE = EVAL_DATA / "extraction_labels_second_annotator.jsonl"
SAMPLE_SEED = 20261203
POSITIVE, NEGATIVE = 220, 60
# Deliberately broad: anything that might name a certificate or licence (false hits are fine here).
SCREEN = re.compile(
    r"(?<!身份)(?<![保验凭认])(?<!学历)(?<!毕业)证(?![明券据书明])|证书|执照|驾照|牌照|持证"
    r"|(?<![A-Za-z0-9])[ABC][12](?![0-9])|(?<!任职)(?<!任职要求及)资格(?![审要])"
)


def posting_text(row: dict[str, str]) -> tuple[str, str, list[str]]:
    """(title, description, skills) exactly as an import gives them to `matcher.domain.extract`
    (`eval.relevance.to_payload`: description with 福利 appended; 技能 as the skill tags)."""
    p = to_payload(row)
    return p["title"], p["description"], p["requirements"]["skills"]


def _read(row: dict[str, str]):
    title, description, skills = posting_text(row)
    return extract(description, title, skills)


def screened(row: dict[str, str]) -> bool:
    title, description, skills = posting_text(row)
    return bool(SCREEN.search("\n".join([title, description, "、".join(skills)])))


def draw_sample(rows: dict[str, dict[str, str]]) -> list[str]:
    """Posting ids of the benchmark sample: fixed seed, positives then negatives, each sorted by id."""
    ids = sorted(rows)
    pos = [i for i in ids if screened(rows[i])]
    neg = [i for i in ids if not screened(rows[i])]
    rng = random.Random(SAMPLE_SEED)
    return sorted(rng.sample(pos, POSITIVE)) + sorted(rng.sample(neg, NEGATIVE))


def _export(rows: dict[str, dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for pid in draw_sample(rows):
            title, description, skills = posting_text(rows[pid])
            body = description + (f"\n技能：{'、'.join(skills)}" if skills else "")
            f.write(json.dumps({"id": pid, "title": title, "text": body}, ensure_ascii=False) + "\n")


# --- scoring -------------------------------------------------------------------------------------------

FIELDS = ("certificates", "certificates_type_only", "mandatory", "group", "min_experience_years", "education")


def cert_key(cert: dict[str, Any]) -> tuple[str, str | None]:
    """What a certificate requirement is, for matching gold with predicted: type + item (licences,
    qualifications, driving classes) or type + CSCO code (职业技能等级证书)."""
    type_ = cert["type"]
    if type_ == SKILL:
        occ = cert.get("occupation")
        with contextlib.suppress(LookupError):  # a name outside the catalogue is compared as written
            occ = load_occupations().resolve(occ).code if occ else None
        return type_, occ
    item = cert.get("item")
    if item is not None and type_ not in (DRIVING, SPECIAL_EQUIPMENT):
        lic = load_licences().get(type_, item)
        item = lic.item if lic is not None else item
    return type_, item


def load_labels(path: Path = LABELS_FILE) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, filter(str.strip, f))}


def _pr(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "tp": tp,
        "predicted": n_pred,
        "gold": n_gold,
    }


def _compare(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    """Per-posting counts for every field."""
    g = {cert_key(c): c for c in gold["certificates"]}
    p = {cert_key(c): c for c in pred["certificates"]}
    both = sorted(set(g) & set(p), key=str)
    gt, pt = {k[0] for k in g}, {k[0] for k in p}
    pairs = [(a, b) for i, a in enumerate(both) for b in both[i + 1 :]]

    def same(d: dict, a: tuple, b: tuple) -> bool:
        return d[a].get("group") is not None and d[a].get("group") == d[b].get("group")

    out: dict[str, Any] = {
        "certificates": (len(both), len(p), len(g)),
        "certificates_type_only": (len(gt & pt), len(pt), len(gt)),
        "mandatory": (sum(g[k]["mandatory"] == p[k]["mandatory"] for k in both), len(both)),
        "group": (
            sum(same(g, a, b) and same(p, a, b) for a, b in pairs),
            sum(same(p, a, b) for a, b in pairs),
            sum(same(g, a, b) for a, b in pairs),
        ),
        "errors": {
            "missed": [list(k) for k in set(g) - set(p)],
            "spurious": [list(k) for k in set(p) - set(g)],
            "mandatory": [list(k) for k in both if g[k]["mandatory"] != p[k]["mandatory"]],
        },
    }
    for f in ("min_experience_years", "education"):
        gv, pv = gold.get(f), pred.get(f)
        if not _same(f, gv, pv):
            out["errors"][f] = [gv, pv]
        out[f] = (int(gv is not None and _same(f, gv, pv)), int(pv is not None), int(gv is not None))
    return out


def _same(field: str, gold: Any, pred: Any) -> bool:
    if gold is None or pred is None:
        return gold is pred
    return float(gold) == float(pred) if field == "min_experience_years" else gold == pred


def _aggregate(per: list[dict[str, Any]]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for f in ("certificates", "certificates_type_only", "group", "min_experience_years", "education"):
        tp, n_pred, n_gold = (sum(x[f][i] for x in per) for i in range(3))
        res[f] = _pr(tp, n_pred, n_gold)
    right, n = sum(x["mandatory"][0] for x in per), sum(x["mandatory"][1] for x in per)
    res["mandatory"] = {"accuracy": round(right / n, 4) if n else None, "right": right, "of": n}
    return res


def _bootstrap(per: list[dict[str, Any]], seed: int = 0, n: int = 1000) -> dict[str, list[float]]:
    """95% intervals of certificate precision/recall and mandatory accuracy, resampling postings."""
    rng = random.Random(seed)
    stats: dict[str, list[float]] = {"precision": [], "recall": [], "mandatory": []}
    for _ in range(n):
        sample = [per[rng.randrange(len(per))] for _ in per]
        agg = _aggregate(sample)
        stats["precision"].append(agg["certificates"]["precision"])
        stats["recall"].append(agg["certificates"]["recall"])
        if agg["mandatory"]["accuracy"] is not None:
            stats["mandatory"].append(agg["mandatory"]["accuracy"])
    return {
        k: [round(sorted(v)[int(0.025 * len(v))], 4), round(sorted(v)[int(0.975 * len(v)) - 1], 4)]
        for k, v in stats.items()
        if v
    }


def dev_ids(rows: dict[str, dict[str, str]]) -> list[str]:
    test = set(draw_sample(rows))
    return [i for i in sorted(rows) if i not in test and screened(rows[i])]


def run(jobs_csv: Path, split: str = "test") -> dict[str, Any]:
    """Score `matcher.domain.extract` against the gold labels of a split; per-posting errors included for reading."""
    rows = load_job_rows(jobs_csv)
    labels = load_labels(LABELS_FILE if split == "test" else DEV_LABELS_FILE)
    sample = draw_sample(rows) if split == "test" else dev_ids(rows)
    missing = [i for i in sample if i not in labels]
    if missing:
        raise ValueError(f"{len(missing)} sampled postings have no label (first: {missing[0]})")
    per, errors = [], {}
    started = time.perf_counter()
    for pid in sample:
        pred = _read(rows[pid])
        cmp = _compare(
            labels[pid],
            {
                "certificates": pred.certificates,
                **{k: v for k, v in pred.requirements().items() if k != "certificates"},
            },
        )
        per.append(cmp)
        if any(cmp["errors"].values()):
            errors[pid] = cmp["errors"]
    seconds = time.perf_counter() - started
    n_pos = POSITIVE if split == "test" else len(sample)
    positives = sample[:n_pos]
    with_cert = sum(bool(labels[i]["certificates"]) for i in sample)
    neg = per[n_pos:]
    return {
        "split": split,
        "sample": {
            "seed": SAMPLE_SEED,
            "screen_positive": n_pos,
            "screen_negative": len(sample) - n_pos,
            "postings_with_a_certificate_label": with_cert,
            "certificate_labels": sum(len(labels[i]["certificates"]) for i in sample),
            "positives_without_label": sum(not labels[i]["certificates"] for i in positives),
        },
        "metrics": _aggregate(per),
        "ci95": _bootstrap(per),
        "negatives_with_a_spurious_certificate": sum(x["certificates"][1] > 0 for x in neg),
        "goal": {"certificates_precision": 0.90, "certificates_recall": 0.85, "mandatory_accuracy": 0.90},
        "ms_per_posting": round(1000 * seconds / len(sample), 3),
        "second_annotator": _second_annotator(rows, labels) if split == "test" else None,
        "errors": errors,
    }


def _second_annotator(rows: dict[str, dict[str, str]], labels: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Annotator B against annotator A (the gold), and the extractor against B, on B's postings."""
    if not SECOND_LABELS_FILE.is_file():
        return None
    second = load_labels(SECOND_LABELS_FILE)
    ids = [i for i in second if i in labels]
    extracted = {}
    for pid in ids:
        e = _read(rows[pid])
        extracted[pid] = {
            "certificates": e.certificates,
            **{k: v for k, v in e.requirements().items() if k != "certificates"},
        }
    return {
        "postings": len(ids),
        "b_vs_a": _aggregate([_compare(labels[i], second[i]) for i in ids]),
        "extractor_vs_a": _aggregate([_compare(labels[i], extracted[i]) for i in ids]),
        "extractor_vs_b": _aggregate([_compare(second[i], extracted[i]) for i in ids]),
    }


def report_md(res: dict[str, Any]) -> str:
    m, ci = res["metrics"], res["ci95"]
    lines = ["| field | precision | recall | F1 | tp / predicted / gold |", "|---|---|---|---|---|"]
    for f in ("certificates", "certificates_type_only", "group", "min_experience_years", "education"):
        x = m[f]
        lines.append(
            f"| {f} | {x['precision']:.3f} | {x['recall']:.3f} | {x['f1']:.3f} | "
            f"{x['tp']} / {x['predicted']} / {x['gold']} |"
        )
    mand = m["mandatory"]
    lines.append(
        f"\nMandatory flag (持证上岗 vs 优先) accuracy on matched certificates: {mand['accuracy']:.3f} "
        f"({mand['right']}/{mand['of']}); 95% CI certificates P {ci['precision']}, R {ci['recall']}, "
        f"mandatory {ci.get('mandatory')}. Negatives with a spurious certificate: "
        f"{res['negatives_with_a_spurious_certificate']}/{res['sample']['screen_negative']}. "
        f"{res['ms_per_posting']} ms per posting."
    )
    two = res.get("second_annotator")
    if two:

        def f1(x: dict) -> str:
            c = x["certificates"]
            return f"P {c['precision']:.3f} / R {c['recall']:.3f} / F1 {c['f1']:.3f}"

        lines.append(
            f"\nOn the {two['postings']} postings a second annotator labelled independently: annotator B vs A "
            f"{f1(two['b_vs_a'])}; extractor vs A {f1(two['extractor_vs_a'])}; extractor vs B "
            f"{f1(two['extractor_vs_b'])} (certificate requirements)."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="score", choices=("score", "sample", "dev"))
    ap.add_argument("--out", type=Path, default=REPO / "var" / "eval_scratch" / "extraction_sample.jsonl")
    args = ap.parse_args(argv)
    rows = load_job_rows(DataPaths.from_root().jobs_csv)
    if args.mode == "sample":
        _export(rows, args.out)
        print(f"wrote {args.out}")
    elif args.mode == "dev":  # the rows the rules were developed on: screened, outside the sample
        res = run(DataPaths.from_root().jobs_csv, split="dev")
        print(report_md(res))
        for pid, err in res["errors"].items():
            title, description, _ = posting_text(rows[pid])
            print(pid, title, "|", description[:160].replace("\n", " "), "\n   ", json.dumps(err, ensure_ascii=False))
    else:
        res = run(DataPaths.from_root().jobs_csv)
        write_json(RESULTS_DIR / "extraction.json", res)
        print(report_md(res))


if __name__ == "__main__":
    main()
