"""Certificate types and licence items: the systems a certificate can belong to, kept apart.

- 职业技能等级证书 (人社/评价机构): occupation + level, no expiry — the ladder in `levels.py`.
- 职业资格证书 (准入类/水平评价类): 教师资格, 执业药师 …
- 特种作业操作证 (应急管理部): 作业类别 → 操作项目; valid 6 years, 复审 every 3.
- 特种设备作业人员证 (市场监管): 项目代号 (N1 叉车, Q2 起重机司机, T 电梯修理 …); valid 4 years.
- 专项职业能力证书 (no level), 健康证 (1 year), 机动车驾驶证 (准驾车型; renewed, so no derived expiry), 其他.

`data/licences.csv` lists the items with their colloquial names ("低压证", "叉车证", "C1驾照") and the CSCO
occupations they license. An item may be a category (电工作业, N, G): a requirement for a category is met by
any item in it; a held category (someone wrote only "电工证") meets only category requirements.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from matcher.catalogues import read_catalogue_csv

SKILL = "职业技能等级证书"
QUALIFICATION = "职业资格证书"
SPECIAL_WORK = "特种作业操作证"
SPECIAL_EQUIPMENT = "特种设备作业人员证"
SPECIALTY = "专项职业能力证书"
HEALTH = "健康证"
DRIVING = "机动车驾驶证"
OTHER = "其他"
CERT_TYPES = (SKILL, QUALIFICATION, SPECIAL_WORK, SPECIAL_EQUIPMENT, SPECIALTY, HEALTH, DRIVING, OTHER)

# Spellings of the type names people use in records (longest first when matching inside text).
TYPE_SPELLINGS: dict[str, str] = {
    "职业技能等级证书": SKILL,
    "职业技能等级证": SKILL,
    "技能等级证书": SKILL,
    "技能等级证": SKILL,
    "等级证书": SKILL,
    "职业技能鉴定证书": SKILL,
    "职业技能证书": SKILL,
    "技能证书": SKILL,
    "skill": SKILL,
    "职业资格证书": QUALIFICATION,
    "职业资格证": QUALIFICATION,
    "资格证书": QUALIFICATION,
    "资格证": QUALIFICATION,
    "执业资格证": QUALIFICATION,
    "qualification": QUALIFICATION,
    "特种作业操作证": SPECIAL_WORK,
    "特种作业证": SPECIAL_WORK,
    "特种作业人员操作证": SPECIAL_WORK,
    "特种作业操作证书": SPECIAL_WORK,
    "操作证": SPECIAL_WORK,
    "特种作业": SPECIAL_WORK,
    "special_work": SPECIAL_WORK,
    "特种设备作业人员证": SPECIAL_EQUIPMENT,
    "特种设备作业证": SPECIAL_EQUIPMENT,
    "特种设备操作证": SPECIAL_EQUIPMENT,
    "特种设备作业人员资格证": SPECIAL_EQUIPMENT,
    "特种设备作业人员证书": SPECIAL_EQUIPMENT,
    "特种设备": SPECIAL_EQUIPMENT,
    "special_equipment": SPECIAL_EQUIPMENT,
    "专项职业能力证书": SPECIALTY,
    "专项职业能力证": SPECIALTY,
    "专项能力证书": SPECIALTY,
    "专项能力证": SPECIALTY,
    "specialty": SPECIALTY,
    "健康证": HEALTH,
    "健康证明": HEALTH,
    "健康合格证": HEALTH,
    "health": HEALTH,
    "机动车驾驶证": DRIVING,
    "驾驶证": DRIVING,
    "驾照": DRIVING,
    "驾驶执照": DRIVING,
    "driving": DRIVING,
    "其他": OTHER,
    "其它": OTHER,
    "执照": OTHER,
    "许可证": OTHER,
    "其他证书": OTHER,
    "other": OTHER,
}

# Derived expiry when a record gives none. Not for 驾驶证: the date people write is the 初次领证日期 and the
# licence is renewed (6 → 10 years → 长期), so only a stated expires_at can lapse one.
VALIDITY_YEARS = {SPECIAL_WORK: 6, SPECIAL_EQUIPMENT: 4, HEALTH: 1}
REVIEW_YEARS = {SPECIAL_WORK: 3}  # 复审: overdue is a warning, not a lapse

# 准驾车型: a licence class also permits the classes listed (公安部令第162号 附件).
DRIVING_COVERS: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "A1": {"A3", "B1", "B2", "C1", "C2", "C3", "C4", "M"},
        "A2": {"B1", "B2", "C1", "C2", "C3", "C4", "C6", "M"},
        "A3": {"C1", "C2", "C3", "C4"},
        "B1": {"C1", "C2", "C3", "C4", "M"},
        "B2": {"C1", "C2", "C3", "C4", "M"},
        "C1": {"C2", "C3", "C4"},
        "C3": {"C4"},
        "D": {"E", "F"},
        "E": {"F"},
    }.items()
}


@dataclass(frozen=True)
class Licence:
    type: str
    item: str | None  # None only for 健康证 (one item)
    category: str | None
    name: str
    aliases: tuple[str, ...]
    occupations: tuple[str, ...]  # CSCO codes this licence is for

    @property
    def is_category(self) -> bool:
        return self.item is not None and self.item == self.category

    def label(self) -> str:
        if self.type == HEALTH:
            return HEALTH
        if self.type == SPECIAL_EQUIPMENT:
            return f"{SPECIAL_EQUIPMENT} {self.item}（{self.name}）"
        if self.type == DRIVING:
            return f"{DRIVING} {self.item}（{self.name}）"
        if self.type == OTHER:
            return self.name
        return f"{self.type}·{self.name}"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


class LicenceCatalogue:
    def __init__(self, licences: list[Licence]) -> None:
        self.licences = licences
        self._by_type_item = {(lic.type, _key(lic.item or "")): lic for lic in licences}
        self._by_name: dict[str, Licence] = {}
        for lic in licences:
            for spelling in (lic.name, *lic.aliases):
                self._by_name.setdefault(_key(spelling), lic)

    def parse_type(self, text: str | None) -> str | None:
        """A type spelling → the canonical type name, or None."""
        if text is None:
            return None
        return TYPE_SPELLINGS.get(_key(text).lower()) or TYPE_SPELLINGS.get(_key(text))

    def get(self, type_: str, item: str | None) -> Licence | None:
        """An item of a type, by code, canonical item name, name or alias (None for unknown)."""
        if type_ == HEALTH:
            return self._by_type_item.get((HEALTH, ""))
        if item is None:
            return None
        for spelling in (item, f"{item}作业", f"{item}证"):  # "低压电工" → 低压电工作业, "叉车" → 叉车证
            found = self._by_type_item.get((type_, _key(spelling)))
            if found is None:
                alias = self._by_name.get(_key(spelling))
                found = alias if alias is not None and alias.type == type_ else None
            if found is not None:
                return found
        return None

    def by_alias(self, text: str) -> Licence | None:
        """Whole-string lookup over every item's name and colloquial names ("低压证" → 低压电工作业)."""
        return self._by_name.get(_key(text))

    def for_occupation(self, type_: str, occupation: str) -> Licence | None:
        """The broadest item of a type licensing an occupation (电工 + 特种作业操作证 → 电工作业)."""
        found = [lic for lic in self.licences if lic.type == type_ and occupation in lic.occupations]
        cats = [lic for lic in found if lic.is_category]
        return (cats or found)[0] if found else None

    def spellings(self) -> dict[str, Licence]:
        """Every colloquial name → its item: the dictionary the requirement extractor scans text with."""
        return dict(self._by_name)


def item_meets(type_: str, held: str | None, required: str | None) -> bool:
    """Whether a held item of a type meets a required item of the same type (None = any item)."""
    if required is None:
        return True
    if held is None:
        return False
    if held == required:
        return True
    if type_ == DRIVING:
        return required in DRIVING_COVERS.get(held, frozenset())
    lic = load_licences().get(type_, held)
    return lic is not None and lic.category == required and not lic.is_category


@lru_cache(maxsize=1)
def load_licences() -> LicenceCatalogue:
    rows = read_catalogue_csv("licences.csv")
    return LicenceCatalogue(
        [
            Licence(
                type=r["type"],
                item=r["item"] or None,
                category=r["category"] or None,
                name=r["name"],
                aliases=tuple(a for a in r["aliases"].split("|") if a),
                occupations=tuple(o for o in r["occupations"].split("|") if o),
            )
            for r in rows
        ]
    )
