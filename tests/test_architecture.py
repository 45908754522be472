"""ARCHITECTURE.md is where newcomers look: every module it names exists, and every module is named there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("matcher", "api", "indexes", "models", "eval")
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _named_paths() -> set[str]:
    return set(re.findall(r"\b((?:matcher|api|indexes|models|eval)/[\w/]*\w\.py)\b", DOC))


def test_every_module_the_architecture_names_exists():
    missing = sorted(p for p in _named_paths() if not (ROOT / p).is_file())
    assert not missing, f"ARCHITECTURE.md names modules that are gone: {missing}"


def test_every_module_is_in_the_architecture():
    named = _named_paths()
    folders = set(re.findall(r"`((?:matcher|api|indexes|models|eval)/[\w/]+/)`", DOC))  # a folder named whole
    unnamed = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if path.name == "__init__.py" or rel in named or any(rel.startswith(f) for f in folders):
                continue
            unnamed.append(rel)
    assert not unnamed, f"modules ARCHITECTURE.md does not place: {unnamed}"
