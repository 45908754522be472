"""The notebooks run, top to bottom, in a real Jupyter kernel (nbclient) — on the hand-written small world
and on the committed evaluation results — and they are committed without outputs."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"


def _execute(name: str) -> str:
    """Run a notebook in a fresh kernel; return everything it printed or displayed as text."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
            parts.append(str(out.get("data", {}).get("text/html", "")))
            if "image/png" in out.get("data", {}):
                parts.append("<figure: image/png>")
    return "\n".join(parts)


def test_committed_notebooks_carry_no_outputs():
    found = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert {p.name for p in found} >= {"trainer_walkthrough.ipynb", "eval_results.ipynb"}
    for path in found:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs committed"


def test_trainer_walkthrough_matches_explains_closes_a_gap_and_plots_demand(small_home, monkeypatch):
    monkeypatch.setenv("MATCHER_HOME", str(small_home))
    text = _execute("trainer_walkthrough.ipynb")
    assert str(small_home) in text  # it read the home it was given, not the default
    assert "距离约" in text and "公里" in text  # ranked jobs carry their reasons
    assert "现已符合" in text and "可解锁岗位" in text  # the gap table
    assert "<figure: image/png>" in text  # the demand plot was drawn


def test_eval_results_notebook_reads_the_newest_run():
    newest = sorted((ROOT / "eval" / "results" / "runs").glob("*.json"))
    if not newest:
        pytest.skip("no evaluation run committed")
    text = _execute("eval_results.ipynb")
    run = json.loads(newest[-1].read_text(encoding="utf-8"))
    assert newest[-1].name in text and run["command"] in text
    best = max(run["benchmarks"]["relevance"]["systems"].items(), key=lambda kv: kv[1]["metrics"]["ndcg@10"]["mean"])
    assert f"{best[1]['metrics']['ndcg@10']['mean']:.3f}" in text  # the plotted numbers are the file's
    assert "in-process served" in text and "HTTP stored" in text  # both speed files were read
    assert text.count("<figure: image/png>") == 2
