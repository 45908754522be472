"""Skill levels (职业技能等级) as one ordered ladder, parsed from the many ways people write them.

The national five levels sit inside the enterprise "新八级" ladder:
学徒工 < 五级/初级工 < 四级/中级工 < 三级/高级工 < 二级/技师 < 一级/高级技师 < 特级技师 < 首席技师.
A higher level satisfies a lower requirement, so levels compare by `rank`.
"""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum


class Level(IntEnum):
    """Ordered skill level; the integer value is the rank on the 新八级 ladder."""

    APPRENTICE = 0  # 学徒工
    L5 = 1  # 五级/初级工
    L4 = 2  # 四级/中级工
    L3 = 3  # 三级/高级工
    L2 = 4  # 二级/技师
    L1 = 5  # 一级/高级技师
    SPECIAL = 6  # 特级技师
    CHIEF = 7  # 首席技师

    @property
    def label(self) -> str:
        """Canonical Chinese label, e.g. '四级/中级工'."""
        return _LABELS[self]

    @property
    def short(self) -> str:
        """Short everyday name, e.g. '中级工'."""
        return _LABELS[self].split("/")[-1]

    def satisfies(self, required: Level | None) -> bool:
        return required is None or self >= required


_LABELS = {
    Level.APPRENTICE: "学徒工",
    Level.L5: "五级/初级工",
    Level.L4: "四级/中级工",
    Level.L3: "三级/高级工",
    Level.L2: "二级/技师",
    Level.L1: "一级/高级技师",
    Level.SPECIAL: "特级技师",
    Level.CHIEF: "首席技师",
}


class LevelParseError(ValueError):
    """Raised for a level string we cannot read; the message quotes the input."""


# Word forms, longest first so 高级技师 wins over 高级 and 技师.
_WORDS: list[tuple[str, Level]] = [
    ("首席技师", Level.CHIEF),
    ("特级技师", Level.SPECIAL),
    ("高级技师", Level.L1),
    ("学徒工", Level.APPRENTICE),
    ("初级工", Level.L5),
    ("中级工", Level.L4),
    ("高级工", Level.L3),
    ("首席", Level.CHIEF),
    ("特级", Level.SPECIAL),
    ("学徒", Level.APPRENTICE),
    ("技师", Level.L2),
    ("初级", Level.L5),
    ("中级", Level.L4),
    ("高级", Level.L3),
]
# National numbered grades: 五级 is the lowest, 一级 the highest.
_NUMBERS = {
    "五": Level.L5,
    "四": Level.L4,
    "三": Level.L3,
    "二": Level.L2,
    "一": Level.L1,
    "5": Level.L5,
    "4": Level.L4,
    "3": Level.L3,
    "2": Level.L2,
    "1": Level.L1,
}
_NUMBER_RE = re.compile(r"([一二三四五1-5])\s*级")
_LEVEL_EN_RE = re.compile(r"level\s*([1-5])", re.IGNORECASE)
_ROMAN = {"Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4", "Ⅴ": "5"}
_NO_LEVEL = {"", "无", "不限", "无要求", "不要求", "none", "null", "-", "—", "/"}


def parse_level(text: str | int | None) -> Level | None:
    """Read a level from free text; None means "no level stated / no requirement".

    Accepts '中级', '四级', '中级工', '技师（二级）', '五级/初级工', '国家职业资格三级', '4级', 'Level 3',
    an int rank on the national scale (5 = 五级 … 1 = 一级) and the 新八级 names.
    A spelling whose word and number disagree ('高级工（二级）') is an error, not a guess.
    """
    if text is None:
        return None
    if isinstance(text, Level):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        if str(text) in _NUMBERS:
            return _NUMBERS[str(text)]
        raise LevelParseError(f"无法识别的技能等级：{text!r}（数字等级应为 1–5）")
    s = str(text)
    for roman, digit in _ROMAN.items():  # before NFKC, which would turn Ⅲ into 'III'
        s = s.replace(roman, digit)
    s = unicodedata.normalize("NFKC", s).strip()
    if s.lower() in _NO_LEVEL:
        return None
    from_word = next((lvl for word, lvl in _WORDS if word in s), None)
    m = _NUMBER_RE.search(s) or _LEVEL_EN_RE.search(s)
    from_number = _NUMBERS[m.group(1)] if m else None
    if from_number is None and s in _NUMBERS:
        from_number = _NUMBERS[s]
    if from_word is not None and from_number is not None and from_word != from_number:
        raise LevelParseError(f"技能等级自相矛盾：{text!r}（{from_word.label} 与 {from_number.label}）")
    level = from_word if from_word is not None else from_number
    if level is None:
        raise LevelParseError(
            f"无法识别的技能等级：{text!r}（例如：五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师）"
        )
    return level
