"""Evaluation and benchmark scripts (run from the repository root, e.g. `python -m eval.bench_index`)."""
