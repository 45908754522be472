"""Skill levels: ≥ 30 real-world spellings, ordering, and clear errors."""

import pytest

from matcher.catalogues.levels import Level, LevelParseError, parse_level

SPELLINGS = [
    ("初级", Level.L5),
    ("初级工", Level.L5),
    ("五级", Level.L5),
    ("5级", Level.L5),
    ("五级/初级工", Level.L5),
    ("初级工（五级）", Level.L5),
    ("国家职业资格五级", Level.L5),
    ("职业技能等级证书（五级）", Level.L5),
    ("中级", Level.L4),
    ("中级工", Level.L4),
    ("四级", Level.L4),
    ("四级/中级工", Level.L4),
    ("4级", Level.L4),
    ("Level 4", Level.L4),
    ("中级技工", Level.L4),
    ("国家职业资格四级（中级）", Level.L4),
    ("高级", Level.L3),
    ("高级工", Level.L3),
    ("三级", Level.L3),
    ("三级/高级工", Level.L3),
    ("３级", Level.L3),
    ("技师", Level.L2),
    ("二级", Level.L2),
    ("技师（二级）", Level.L2),
    ("二级/技师", Level.L2),
    ("技师(二级)", Level.L2),
    ("高级技师", Level.L1),
    ("一级", Level.L1),
    ("一级/高级技师", Level.L1),
    ("高级技师（一级）", Level.L1),
    ("学徒工", Level.APPRENTICE),
    ("学徒", Level.APPRENTICE),
    ("特级技师", Level.SPECIAL),
    ("首席技师", Level.CHIEF),
    (" 中级 ", Level.L4),
    ("Ⅲ级", Level.L3),
    (3, Level.L3),
    (5, Level.L5),
]


@pytest.mark.parametrize("text, expected", SPELLINGS)
def test_spellings(text, expected):
    assert parse_level(text) is expected


def test_table_is_big_enough():
    assert len(SPELLINGS) >= 30


@pytest.mark.parametrize("text", [None, "", "不限", "无", "无要求"])
def test_no_level(text):
    assert parse_level(text) is None


@pytest.mark.parametrize("text", ["很厉害", "六级", "高级工（二级）", 9, "level 7"])
def test_unreadable_or_contradictory_levels_are_errors(text):
    with pytest.raises(LevelParseError, match="技能等级"):
        parse_level(text)


def test_ladder_order_and_satisfaction():
    ladder = [
        parse_level(s) for s in ["学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师"]
    ]
    assert ladder == sorted(ladder) and len(set(ladder)) == 8
    assert Level.L3.satisfies(Level.L4)  # 高级工 meets a 中级工 requirement
    assert not Level.L5.satisfies(Level.L3)  # 初级工 does not meet 高级工
    assert Level.L5.satisfies(None)
    assert Level.L4.label == "四级/中级工" and Level.L4.short == "中级工"
