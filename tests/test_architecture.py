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


# Who may import whom (any import, including ones inside functions). The pure domain depends on catalogues and
# configuration only; storage adds the domain; nothing in the product imports the HTTP layer, eval or tests.
FORBIDDEN = {
    "matcher/domain": ("matcher.service", "matcher.storage", "matcher.ingest", "matcher.demo", "matcher.cli", "api"),
    "matcher/storage": ("matcher.service", "matcher.ingest", "matcher.demo", "matcher.cli", "api"),
    "matcher/catalogues": ("matcher.domain", "matcher.service", "matcher.storage", "matcher.ingest", "api"),
    "matcher": ("api", "eval", "tests"),
    "indexes": ("matcher", "api", "eval", "tests"),
    "models": ("api", "eval", "tests"),
    "api": ("eval", "tests"),
}


def _imports(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_layers_import_only_downwards():
    breaches = []
    for folder, banned in FORBIDDEN.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in _imports(path):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    breaches.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not breaches, breaches
