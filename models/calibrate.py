"""Calibrate, per encoder, how sure the normaliser must be before a posting title's occupation counts.

A title's inferred occupation stands in for missing certificate requirements, so a wrong guess hurts the
certificate feature (a real-postings eval showed it). The threshold is the lowest normaliser score at which
top-1 answers on the **dev split** of the training data (held-out CSCO aliases/工种, never trained on and
never in a test set; the normaliser indexes none of them here) are right at least `TARGET_PRECISION` of
the time. Written to `<home>/models/normaliser_thresholds.json` keyed by encoder id; the service reads it
(`matcher.service.world.inference_threshold`) and falls back to 0.6 for an encoder never calibrated.

    .venv/bin/python -m models.calibrate [--encoder usem]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import Encoder

log = logging.getLogger(__name__)

TARGET_PRECISION = 0.7
MIN_ACCEPTED = 10  # fewer accepted answers than this say nothing about precision


def choose_threshold(
    scores: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_], target: float = TARGET_PRECISION
) -> dict[str, Any]:
    """Lowest threshold on a 0.01 grid whose accepted answers reach the target precision (pure)."""
    for t in np.round(np.arange(0.30, 1.001, 0.01), 2):
        accepted = scores >= t
        if accepted.sum() >= MIN_ACCEPTED and correct[accepted].mean() >= target:
            return {
                "threshold": float(t),
                "precision": round(float(correct[accepted].mean()), 4),
                "coverage": round(float(accepted.mean()), 4),
                "dev_queries": int(len(scores)),
            }
    return {"threshold": 1.0, "precision": None, "coverage": 0.0, "dev_queries": int(len(scores))}


def calibrate(encoder: Encoder, seed: int = 0) -> dict[str, Any]:
    from matcher.service.normalise import OccupationNormaliser
    from models.heldout import heldout_test_terms
    from models.training_data import mine

    data = mine(heldout_test_terms(), seed=seed)  # catalogue pairs only: the dev split is what is used
    ids = sorted(data.dev_queries)
    texts = [data.dev_queries[i] for i in ids]
    normaliser = OccupationNormaliser(encoder, exclude_terms=[*heldout_test_terms(), *texts])
    tops = [m[0] if m else None for m in normaliser.normalise_many(texts, k=1)]
    scores = np.array([t.score if t else 0.0 for t in tops])
    correct = np.array([t is not None and t.code in data.dev_relevant[i] for t, i in zip(tops, ids, strict=False)])
    return {"encoder": encoder.id, "target_precision": TARGET_PRECISION, **choose_threshold(scores, correct)}


def save(home: Path, result: dict[str, Any]) -> Path:
    from matcher.service.world import THRESHOLDS_FILE  # the file the service reads

    path = Path(home) / THRESHOLDS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    known[result["encoder"]] = result
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(known, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    from matcher.config import Settings
    from models import get_encoder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default=None, help="encoder spec (default: the configured one)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    settings = Settings()
    result = calibrate(get_encoder(args.encoder or settings.encoder, cache_dir=settings.cache_dir))
    print(json.dumps(result, ensure_ascii=False), "→", save(settings.home, result))


if __name__ == "__main__":
    main()
