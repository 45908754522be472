"""The target-industry catalogue: real CSCO leaves, the published 33618 tiers, keyword classification."""

from collections import Counter

import pytest

from matcher.catalogues.industries import (
    TIER_1000,
    TIER_5000,
    TIER_NEW_STAR,
    TIER_SERVICE,
    TIER_TRILLION,
    TIERS,
    Industry,
    get_industry,
    industries_for_occupation,
    industry_of,
    load_industries,
)
from matcher.catalogues.occupations import load_occupations


def test_every_occupation_code_is_a_real_leaf():
    catalogue = load_occupations()
    for ind in load_industries():
        assert ind.occupations, ind.id
        for code in ind.occupations:
            occ = catalogue.get(code)
            assert occ.is_leaf, f"{ind.id}: {code} {occ.name} is not a leaf occupation"
        assert len(set(ind.occupations)) == len(ind.occupations), f"{ind.id} lists an occupation twice"


def test_tier_counts_match_33618_and_service_fields():
    tiers = Counter(ind.tier for ind in load_industries())
    assert tiers[TIER_TRILLION] == 3
    assert tiers[TIER_5000] == 3
    assert tiers[TIER_1000] == 6
    assert 0 < tiers[TIER_NEW_STAR] <= 18
    assert tiers[TIER_SERVICE] == 6
    assert set(tiers) <= set(TIERS)


def test_published_cluster_names():
    by_tier: dict[str, list[str]] = {}
    for ind in load_industries():
        by_tier.setdefault(ind.tier, []).append(ind.name)
    assert by_tier[TIER_TRILLION] == ["智能网联新能源汽车", "新一代电子信息制造业", "先进材料"]
    assert by_tier[TIER_5000] == ["智能装备及智能制造", "食品及农产品加工", "软件信息服务"]
    assert by_tier[TIER_1000] == ["新型显示", "高端摩托车", "轻合金材料", "轻纺", "生物医药", "新能源及新型储能"]
    assert by_tier[TIER_SERVICE] == ["健康养老/康养托育", "家政服务", "低空经济", "现代服务", "数字职业", "绿色低碳"]


def test_ids_and_names_are_unique_and_industry_is_frozen():
    industries = load_industries()
    assert len({i.id for i in industries}) == len(industries)
    assert len({i.name for i in industries}) == len(industries)
    with pytest.raises(AttributeError):
        industries[0].name = "x"  # type: ignore[misc]  # assigning a frozen field is what the test checks
    assert isinstance(industries[0], Industry)


def test_typical_front_line_jobs_are_where_the_brief_puts_them():
    assert "6-22-02-01" in get_industry("auto").occupations  # 汽车装调工
    assert "6-24-04-00" in get_industry("new_energy").occupations  # 电池制造工
    assert "6-23-04-01" in get_industry("高端摩托车").occupations  # 摩托车装调工
    assert "6-12-03-00" in get_industry("biomedicine").occupations  # 药物制剂工
    assert "4-10-01-05" in get_industry("health_care").occupations  # 养老护理员
    assert "4-02-04-06" in get_industry("low_altitude").occupations  # 无人机驾驶员
    assert {i.id for i in industries_for_occupation("6-31-01-03")} >= {"auto", "smart_equipment", "new_energy"}
    with pytest.raises(KeyError):
        get_industry("不存在的产业")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("重庆渝泓汽车零部件有限公司", "智能网联新能源汽车"),
        ("招聘笔记本电脑整机装配工", "新一代电子信息制造业"),
        ("社区养老服务中心招聘养老护理员", "健康养老/康养托育"),
        ("无人机飞手，植保作业", "低空经济"),
        ("电子商务运营（直播带货）", "数字职业"),
        ("涪陵榨菜生产线普工", "食品及农产品加工"),
        ("摩托车总装线装调工", "高端摩托车"),
        ("铝合金压铸工", "轻合金材料"),
        ("工业机器人系统操作员（两江新区）", "智能装备及智能制造"),
        ("固体制剂车间药物制剂工（GMP）", "生物医药"),
        ("物流园叉车司机", "现代服务"),
    ],
)
def test_industry_of_classifies_titles(text, expected):
    found = industry_of(text)
    assert found is not None and found.name == expected


@pytest.mark.parametrize("text", [None, "", "招聘电工", "保洁员"])
def test_industry_of_returns_none_without_an_industry_keyword(text):
    assert industry_of(text) is None
