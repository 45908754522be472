"""Test helpers: who owns what in the hand-written small world, and one API key for each of them.

The generic helpers (copy a data home, mint keys, start the app on a free port and wait for it) live in
`eval/common.py`, shared with the benchmarks, so the product package (`api`) carries no test code.
Import as `from tests.support import ...` (pytest runs from the repository root, like `tests.conftest`).
"""

from __future__ import annotations

from pathlib import Path

from eval.common import bearer, copy_home, free_port, serve_process, uvicorn_command, wait_ready
from eval.common import mint_keys as _mint_keys
from matcher.config import Settings

__all__ = [
    "SMALL_WORLD_KEYS",
    "bearer",
    "copy_home",
    "free_port",
    "mint_keys",
    "serve_process",
    "uvicorn_command",
    "wait_ready",
]

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


def mint_keys(home: Path | Settings, who: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """{name: secret} for each (role, subject) in `who` (default: SMALL_WORLD_KEYS)."""
    return _mint_keys(home, who or SMALL_WORLD_KEYS)
