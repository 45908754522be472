"""Regenerate matcher/catalogues/data/chongqing_districts.csv from the PyPI package `cpca` (MIT).

cpca's adcodes.csv still lists 梁平县 (500228) and 武隆县 (500232); both became 区 in 2016
(梁平区 500155, 武隆区 500156), so we rename and re-code them. It also carries two pseudo rows for
Chongqing (市辖区 500100, 县 500200) that are not districts. The three functional zones are not
administrative units and have no adcode: we add them with the coordinates of their administrative
committees (approximate, noted in the `note` column) and the districts they mostly lie in.

    python scripts/regen_districts.py
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "0.5.5"
TARGET = Path(__file__).resolve().parents[1] / "matcher" / "catalogues" / "data" / "chongqing_districts.csv"
RENAMED = {"500228": ("500155", "梁平区"), "500232": ("500156", "武隆区")}
ZONES = [
    # code, name, kind, lon, lat, parent districts, note
    ("CQ-LJ", "两江新区", "功能区", 106.5300, 29.6600, "江北区|渝北区|北碚区", "管委会驻地附近，近似"),
    ("CQ-GX", "高新区", "功能区", 106.3300, 29.6100, "沙坪坝区|九龙坡区|璧山区|江津区", "西部科学城重庆高新区，近似"),
    ("CQ-WS", "万盛经开区", "功能区", 106.9160, 28.9630, "綦江区", "万盛经济技术开发区，近似"),
]


def kind_of(name: str) -> str:
    if name.endswith("自治县"):
        return "自治县"
    return "区" if name.endswith("区") else "县"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, f"cpca=={VERSION}"], check=True
        )
        wheel = next(Path(tmp).glob("cpca-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            text = zf.read("cpca/resources/adcodes.csv").decode("utf-8")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        code6 = r["adcode"][:6]
        if not code6.startswith("500") or code6 in {"500000", "500100", "500200"}:
            continue
        code6, name = RENAMED.get(code6, (code6, r["name"]))
        rows.append((code6, name, kind_of(name), float(r["longitude"]), float(r["latitude"]), "", "cpca"))
    rows.sort()
    rows.extend(ZONES)
    with TARGET.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "kind", "lon", "lat", "parents", "note"])
        w.writerows(rows)
    print(f"wrote {TARGET}: {len(rows) - len(ZONES)} districts + {len(ZONES)} functional zones")


if __name__ == "__main__":
    main()
