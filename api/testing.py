"""Helpers for tests and demos: copy a data home, mint one API key per role, auth headers."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from api.auth import KeyStore
from matcher.config import Settings
from matcher.store import Store

# The hand-written small world (tests/fixtures/small_world): who owns what.
SMALL_WORLD_KEYS = {
    "trainee": ("trainee", "HW-T01"),  # consenting, 消防设施操作员 四级, 沙坪坝区
    "trainee_other": ("trainee", "HW-T02"),
    "employer": ("employer", "重庆示例物业服务有限公司"),  # owns HW-P01
    "employer_other": ("employer", "重庆示例汽车零部件有限公司"),  # owns HW-P03
    "trainer": ("trainer", "重庆示例技师学院"),  # provider of HW-C02
    "office": ("office", "重庆市人社局就业办"),
    "admin": ("admin", "ops"),
}


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
        "from matcher.normalise import OccupationNormaliser; from models import get_encoder; "
        "s = Settings(home=Path(sys.argv[1])); OccupationNormaliser(get_encoder(s.encoder, cache_dir=s.cache_dir))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(home)],
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        timeout=900,
    )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def _is_sqlite(path: Path) -> bool:
    # By name, not by reading the header: opening and closing the file here would drop the POSIX locks of
    # any SQLite connection this process holds on it.
    return path.suffix in (".db", ".sqlite3", ".sqlite")


def copy_home(src: Path, dst: Path) -> Path:
    """Copy a data home; SQLite databases through SQLite's backup API (consistent even while open)."""
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


def mint_keys(home: Path, who: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """{name: secret} for each (role, subject) in `who` (default: SMALL_WORLD_KEYS)."""
    keys = KeyStore(Store.from_settings(Settings(home=home)))
    return {
        name: keys.create(role, subject, f"test:{name}")[1]
        for name, (role, subject) in (who or SMALL_WORLD_KEYS).items()
    }


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
