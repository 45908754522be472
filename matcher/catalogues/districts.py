"""Chongqing's 38 district-level units and 3 functional zones, and address → district resolution.

Data: `data/chongqing_districts.csv`, regenerated from PyPI `cpca` (MIT) by scripts/regen_districts.py
(梁平 and 武隆 carry their current 区 names and adcodes). Coordinates are district seats; the functional
zones (两江新区, 高新区, 万盛经开区) have approximate administrative-committee coordinates and no adcode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from matcher.catalogues import read_catalogue_csv


class UnknownDistrictError(LookupError, ValueError):
    """Raised for an area string that names no Chongqing district; the message quotes the input."""


@dataclass(frozen=True)
class District:
    code: str  # 6-digit adcode, or CQ-XX for a functional zone
    name: str  # 渝北区, 石柱土家族自治县, 两江新区
    kind: str  # 区 | 县 | 自治县 | 功能区
    lon: float
    lat: float
    parents: tuple[str, ...] = ()  # for a functional zone: districts it lies in

    @property
    def is_zone(self) -> bool:
        return self.kind == "功能区"

    @property
    def is_county(self) -> bool:
        """One of the 12 县 (8 县 + 4 自治县) that seed 004 singles out for extra employment subsidies."""
        return self.kind in {"县", "自治县"}


# Extra spellings that are not derivable by dropping the 区/县 suffix.
_EXTRA_ALIASES = {
    "两江新区": ["两江新区", "两江"],
    "高新区": ["西部科学城重庆高新区", "重庆高新区", "西部科学城", "高新区", "重庆高新技术产业开发区"],
    "万盛经开区": ["万盛经济技术开发区", "万盛经开区", "万盛"],
    "梁平区": ["梁平县"],
    "武隆区": ["武隆县"],
    "石柱土家族自治县": ["石柱县", "石柱"],
    "秀山土家族苗族自治县": ["秀山县", "秀山"],
    "酉阳土家族苗族自治县": ["酉阳县", "酉阳"],
    "彭水苗族土家族自治县": ["彭水县", "彭水"],
}


@dataclass
class DistrictCatalogue:
    districts: list[District]

    def __post_init__(self) -> None:
        self.by_code = {d.code: d for d in self.districts}
        self.by_name = {d.name: d for d in self.districts}
        aliases: dict[str, District] = {}
        for d in self.districts:
            names = [d.name, *_EXTRA_ALIASES.get(d.name, [])]
            short = re.sub(r"(区|县)$", "", d.name)
            if len(short) >= 2 and not d.is_zone:
                names.append(short)
            for n in names:
                aliases[n] = d
        # Longest first: 沙坪坝区 before 沙坪坝, 西部科学城重庆高新区 before 高新区.
        self._aliases = sorted(aliases.items(), key=lambda kv: -len(kv[0]))

    @property
    def administrative(self) -> list[District]:
        """The 38 district-level units (26 区, 8 县, 4 自治县)."""
        return [d for d in self.districts if not d.is_zone]

    @property
    def zones(self) -> list[District]:
        return [d for d in self.districts if d.is_zone]

    def find(self, text: str | int | None) -> District | None:
        """Best district for an adcode, name or address string; None if none is named.

        '重庆·渝北区' → 渝北区; '重庆市沙坪坝区天星桥街道…' → 沙坪坝区; '500112' → 渝北区.
        When several are named ('两江新区（渝北区）'), the earliest mention wins.
        """
        if text is None:
            return None
        s = unicodedata.normalize("NFKC", str(text)).strip()
        if not s:
            return None
        code = s[:6] if re.fullmatch(r"500\d{3}(\d{6})?", s) else s
        if code in self.by_code:
            return self.by_code[code]
        prefix = re.match(r"^([^·・]{2,6})[·・]", s)
        if prefix and not prefix.group(1).startswith("重庆"):
            return None  # another city's '宁波·江北区' must not become 重庆江北区
        s = re.sub(r"^(中国)?重庆(市)?[·・\-\s]*", "", s)
        best: tuple[int, int, District] | None = None
        for alias, d in self._aliases:
            pos = s.find(alias)
            if pos >= 0 and (best is None or (pos, -len(alias)) < (best[0], best[1])):
                best = (pos, -len(alias), d)
        return best[2] if best else None

    def resolve(self, text: str | int | None) -> District:
        """Like `find`, but an unknown area is an error naming the input."""
        d = self.find(text)
        if d is None:
            raise UnknownDistrictError(
                f"无法识别的重庆区县：{text!r}（可填写区县名称、简称或行政区划代码，如 渝北区 / 500112）"
            )
        return d


@lru_cache(maxsize=1)
def load_districts() -> DistrictCatalogue:
    rows = read_catalogue_csv("chongqing_districts.csv")
    return DistrictCatalogue(
        [
            District(
                code=r["code"],
                name=r["name"],
                kind=r["kind"],
                lon=float(r["lon"]),
                lat=float(r["lat"]),
                parents=tuple(p for p in r["parents"].split("|") if p),
            )
            for r in rows
        ]
    )
