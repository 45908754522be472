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
    proc = subprocess.run([sys.executable, "-m", "matcher.cli", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
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
