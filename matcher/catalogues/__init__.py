"""Reference catalogues shipped with the package (CSCO 2022, 工种, districts, licences, levels, industries)."""

from __future__ import annotations

import csv
import io
from importlib import resources


def read_catalogue_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV under `matcher/catalogues/data/` (read whole: quoted fields may hold newlines)."""
    text = (resources.files("matcher.catalogues") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))
