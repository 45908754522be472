"""The requirement extractor on hand-written sentences of the kinds real postings use (none taken from the
benchmark sample): what counts as a requirement, 持证上岗 vs 优先, alternatives, negation, experience,
education, shift and benefits, with spans that point at the text."""

from __future__ import annotations

import pytest

from matcher.domain.extract import extract


def certs(text: str, title: str = "") -> list[tuple]:
    return [
        (c["type"], c.get("item") or c.get("occupation"), c["mandatory"], c.get("group"))
        for c in extract(text, title).certificates
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("需持低压电工证上岗，有物业经验。", [("特种作业操作证", "低压电工作业", True, None)]),
        ("有叉车证，会开3吨电叉。", [("特种设备作业人员证", "N1", True, None)]),
        ("须持健康证。", [("健康证", None, True, None)]),
        ("持有C1驾照者优先。", [("机动车驾驶证", "C1", False, None)]),
        ("B2驾驶证以上，驾龄3年。", [("机动车驾驶证", "B2", True, None)]),
        ("持有教师资格证，普通话二甲。", [("职业资格证书", "教师资格", True, None)]),
        ("取得中级电工证。", [("职业技能等级证书", "6-31-01-03", True, None)]),
        ("持有保安员证、监控员证优先。", [("其他", "保安员证", False, None), ("其他", "监控员证", False, None)]),
        ("有无人机执照，熟悉航拍。", [("其他", "民用无人机操控员执照", True, None)]),
    ],
)
def test_each_kind_of_certificate_is_read_with_its_system_and_item(text, expected):
    assert certs(text) == expected


def test_either_or_makes_one_group_and_a_later_preference_stays_apart():
    assert certs("电工证，焊工证起码具备一项；同时持高压证优先。") == [
        ("特种作业操作证", "电工作业", True, "g1"),
        ("特种作业操作证", "焊接与热切割作业", True, "g1"),
        ("特种作业操作证", "高压电工作业", False, None),
    ]
    assert certs("需持高压或低压电工证上岗") == [
        ("特种作业操作证", "高压电工作业", True, "g1"),
        ("特种作业操作证", "低压电工作业", True, "g1"),
    ]
    both = certs("持有高压、低压电工作业证（必须双证具备）")
    assert [c[3] for c in both] == [None, None] and all(c[2] for c in both)


@pytest.mark.parametrize(
    "text",
    [
        "入职不需要食品类健康证。",
        "有无护士资格证均可。",
        "公司协助办理健康证。",
        "提供考证培训，考取叉车证有补贴。",
        "负责公司二级建造师注册与继续教育。",
        "持有退伍军人证者优先。",
        "英语四级，会开车。",
        "叉车司机，负责装卸。",
    ],
)
def test_what_is_not_a_requirement_is_not_read_as_one(text):
    assert certs(text) == []


def test_a_job_title_alone_is_not_a_licence_but_a_title_with_the_licence_is():
    assert certs("负责仓库装卸。", title="叉车司机") == []
    assert certs("负责配电房维护。", title="持证电工") == [("特种作业操作证", "电工作业", True, None)]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("3年以上物业电工经验", 3.0),
        ("一年以上相关工作经验", 1.0),
        ("半年以上经验", 0.5),
        ("相关工作经验1-2年以上", 1.0),
        ("无经验可，包教包会", 0.0),
        ("经验不限", 0.0),
        ("有5年以上经验者优先", None),
        ("年龄18-45岁", None),
    ],
)
def test_minimum_experience(text, years):
    assert extract(text).min_experience_years == years


@pytest.mark.parametrize(
    ("text", "education"),
    [
        ("高中及以上学历", "高中"),
        ("大专以上学历，财会专业", "大专"),
        ("中专或以上学历", "中专"),
        ("学历不限", "不限"),
        ("高中、大专学历", "高中"),
        ("本科优先", None),
        ("小学（含）以上学历", None),
        ("电气相关专业", None),
    ],
)
def test_minimum_education(text, education):
    assert extract(text).education == education


def test_shift_benefits_and_spans_point_at_the_text():
    title, text = "物业电工", "要求：需持低压电工证上岗；3年以上经验。两班倒，五险一金，包吃住。"
    out = extract(text, title)
    assert out.shift == "两班倒" and out.benefits == ["五险一金", "包吃住"]
    full = f"{title}\n{text}"
    for span in out.spans:
        assert full[span["start"] : span["end"]] == span["text"]
    assert {s["field"] for s in out.spans} == {"certificates", "min_experience_years", "shift", "benefits"}


def test_the_cli_prints_the_extraction_as_json(tmp_path):
    import json

    from tests.conftest import run_cli

    out = run_cli(tmp_path, "extract", "持有C1驾照者优先，须持健康证。", "--title", "送货司机", "--json")
    data = json.loads(out.stdout)
    assert [(c["type"], c["mandatory"]) for c in data["requirements"]["certificates"]] == [
        ("机动车驾驶证", False),
        ("健康证", True),
    ]
    assert {s["text"] for s in data["spans"]} >= {"C1驾照", "健康证"}
