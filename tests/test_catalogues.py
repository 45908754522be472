"""The real catalogues load with the counts the field knows, and lookups behave as people write."""

import pytest

from matcher.catalogues.districts import UnknownDistrictError, load_districts
from matcher.catalogues.occupations import UnknownOccupationError, load_occupations


@pytest.fixture(scope="module")
def occ():
    return load_occupations()


@pytest.fixture(scope="module")
def dist():
    return load_districts()


def test_csco_has_about_1600_leaf_occupations_and_8_major_groups(occ):
    assert 1580 <= len(occ.leaves) <= 1650
    majors = [o for o in occ.by_code.values() if o.depth == 1]
    assert len(majors) == 8
    assert len([o for o in occ.by_code.values() if o.depth == 2]) >= 70


def test_csco_green_and_digital_marks_are_parsed_off_the_name(occ):
    cleaner = occ.get("4-09-08-01")
    assert cleaner.name == "保洁员" and cleaner.green and not cleaner.digital
    programmer = occ.get("4-04-05-01")
    assert programmer.digital and not programmer.name.endswith("S")
    assert sum(o.green for o in occ.leaves) > 100 and sum(o.digital for o in occ.leaves) > 80


@pytest.mark.parametrize(
    "text, code",
    [
        ("电工", "6-31-01-03"),
        ("水电工", "6-31-01-03"),  # alias
        ("维修电工", "6-31-01-03"),  # 工种 table
        ("6-31-01-03", "6-31-01-03"),
        ("6310103", "6-31-01-03"),
        ("叉车司机", "6-30-05-01"),
        ("数控车工", "6-18-01-01"),
        ("育婴员", "4-10-01-03"),
        ("护工", "4-14-01-02"),
        ("消防设施操作员证书", "4-07-05-03"),
        ("养老护理员", "4-10-01-05"),
        ("药物制剂工", "6-12-03-00"),
        ("无人机驾驶员", "4-02-04-06"),
    ],
)
def test_resolve_names_aliases_gongzhong_and_codes(occ, text, code):
    assert occ.resolve(text).code == code


def test_unknown_occupation_is_a_clear_error(occ):
    with pytest.raises(UnknownOccupationError, match="星际飞行员"):
        occ.resolve("星际飞行员")
    with pytest.raises(UnknownOccupationError):
        occ.get("9-99-99-99")


def test_hierarchy_codes_and_children(occ):
    electrician = occ.get("6-31-01-03")
    assert (electrician.major, electrician.middle, electrician.minor) == ("6-00-00-00", "6-31-00-00", "6-31-01-00")
    assert electrician in occ.children("6-31-01-00")
    assert electrician.tasks and "电气设备" in electrician.text()


def test_every_gongzhong_row_points_to_a_leaf(occ):
    import csv
    from importlib import resources

    path = resources.files("matcher.catalogues") / "data" / "gongzhong.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 50
    for row in rows:
        target = occ.get(row["code"])
        assert target.is_leaf and target.name == row["occupation"], row


def test_38_districts_with_current_names_and_3_zones(dist):
    admin = dist.administrative
    assert len(admin) == 38
    kinds = [d.kind for d in admin]
    assert (kinds.count("区"), kinds.count("县"), kinds.count("自治县")) == (26, 8, 4)
    assert sum(d.is_county for d in admin) == 12  # seed 004: 我市12个县
    names = {d.name for d in admin}
    assert {"梁平区", "武隆区"} <= names and not {"梁平县", "武隆县"} & names
    assert {z.name for z in dist.zones} == {"两江新区", "高新区", "万盛经开区"}
    assert len({d.code for d in admin}) == 38
    for d in dist.districts:
        assert 105 < d.lon < 111 and 28 < d.lat < 33


@pytest.mark.parametrize(
    "text, name",
    [
        ("重庆·渝北区", "渝北区"),
        ("重庆市沙坪坝区天星桥街道某某路1号", "沙坪坝区"),
        ("500112", "渝北区"),
        ("500112000000", "渝北区"),
        ("渝北", "渝北区"),
        ("梁平县", "梁平区"),
        ("500155", "梁平区"),
        ("石柱", "石柱土家族自治县"),
        ("重庆·两江新区", "两江新区"),
        ("西部科学城重庆高新区", "高新区"),
        ("万盛经开区", "万盛经开区"),
        ("彭水苗族土家族自治县", "彭水苗族土家族自治县"),
    ],
)
def test_resolve_area_strings(dist, text, name):
    assert dist.resolve(text).name == name


def test_other_cities_and_nonsense_are_not_chongqing(dist):
    assert dist.find("宁波·江北区") is None
    assert dist.find("北京市朝阳区") is None
    with pytest.raises(UnknownDistrictError, match="火星区"):
        dist.resolve("火星区")
