"""Requirements read from posting text: certificates (with 持证上岗 vs 优先 and alternatives), experience,
education, shift and benefits — each with the span it came from.

Rule-based on the catalogues: the licence table's colloquial names ("低压证", "叉车证", "C1驾照"), the type
names, CSCO occupation names/aliases/工种 followed by 证 (a 职业技能等级证书), scanned with Aho-Corasick.
Scope is the clause: "优先/加分/更佳" in a clause makes its certificates preferred; "不需要/无需/有无…均可"
drops them; "协助办理/公司安排考证" means the employer provides it, not a requirement; "或、/、其一、任一"
make alternatives (one `group`). Age, gender, hukou etc. are the lint's business, not read here.
Measured on hand-labelled real postings by `python -m eval.extraction`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick

from matcher.catalogues.levels import parse_level
from matcher.catalogues.licences import (
    DRIVING,
    HEALTH,
    OTHER,
    QUALIFICATION,
    SKILL,
    SPECIAL_EQUIPMENT,
    SPECIAL_WORK,
    TYPE_SPELLINGS,
    load_licences,
)
from matcher.catalogues.occupations import load_occupations

_CLAUSE_END = re.compile(r"[。；;！!？?\n]|(?:(?<=[^\d])|^)[（(]?\d{1,2}[、.．)）](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩]|<br\s*/?>")
_SUBCLAUSE_END = re.compile(r"[，,]")
_PREFERRED = re.compile(r"优先|加分|更佳|更优|最好|为佳|尤佳|更好|者佳|佳$|可考虑")
_NEGATED = re.compile(
    r"不需要?|无需|不用|不要求|不必|不限|没考|没有|未取得|无$|有无.{0,12}(?:均可|皆可|都可|也可)|没有.{0,8}(?:也可|亦可|均可)|可无"
)
_PROVIDED = re.compile(
    r"协助|帮助|帮忙|公司(?:安排|负责|统一|出资|提供|报销|承担)|安排考|提供.{0,4}(?:考|培训|办理)|考证|"
    r"补贴|报销|包办|代办|免费办理|可培训|培训(?:考|取|拿)|考取|入职后办理|发放"
)
_ALTERNATIVE = re.compile(r"或|或者|/|／|任一|任意|之一|其一|一项|一种|均可|皆可|即可")
_LEVEL_BEFORE = re.compile(r"(初级|中级|高级|技师|高级技师|[一二三四五]级)(?:工)?(?:以上|及以上)?$")
_LEVEL_AFTER = re.compile(r"^[（(]?(初级|中级|高级|技师|高级技师|[一二三四五]级)(?:工)?")
_SKILL_SUFFIX = re.compile(
    r"^(?:师|员|工)?(?:初级|中级|高级|技师|[一二三四五]级)?(?:工)?(?:以上|及以上)?(?:职业)?(?:技能)?"
    r"(?:等级|资格|上岗|操作|职业资格)?(?:证书|证)"
)
_NOT_CERTIFICATES = {"英语", "日语", "韩语", "普通话", "计算机", "驾驶"}  # tests and skills, not certificates
_DRIVING_CLASS = re.compile(
    r"(?<![A-Za-z0-9])([ABC][1-6]|[ABC](?=[牌照证类]|驾|以上|及以上)|[DEF](?=[照牌]))"
    r"(?:[牌照证类级]|驾照|驾驶证|驾驶执照|驾驶资格|及以上|以上|或以上)+"
)
_DRIVING_BARE = re.compile(r"驾驶证|驾照|驾驶执照|驾驶本|机动车驾驶证|车牌照")
_EXPERIENCE = re.compile(
    r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+|半)\s*(?:[-~—至到]\s*(?:\d+|[一二两三四五六七八九十]+)\s*)?年"
    r"(?:及?以上|或以上|左右)?(?:的)?[^，,。；;\d]{0,40}?(?:经验|经历|驾龄|工龄|从业)"
    r"|(?:经验|驾龄|工龄)\s*(?:要求)?\s*(\d+(?:\.\d+)?|[一二两三四五六七八九十]+|半)\s*"
    r"(?:[-~—至到]\s*(?:\d+|[一二两三四五六七八九十]+)\s*)?年"
)
_NO_EXPERIENCE = re.compile(
    r"无经验(?:者)?(?:可|亦可|也可|均可)|经验不限|不限经验|接受小白|接受无经验|可接受无经验|无需经验|"
    r"不需要经验|零基础|生手(?:可|亦可|也可|有培训)|应届生?(?:可|亦可|也可|均可)|新手(?:可|亦可)|可带新人|经验可放宽"
)
_EDUCATION_WORDS = [
    ("博士", "博士"),
    ("硕士", "硕士"),
    ("研究生", "硕士"),
    ("大学本科", "本科"),
    ("本科", "本科"),
    ("学士", "本科"),
    ("大学专科", "大专"),
    ("大专", "大专"),
    ("专科", "大专"),
    ("高职", "大专"),
    ("中等专科", "中专"),
    ("中专", "中专"),
    ("中技", "中专"),
    ("职高", "中专"),
    ("技校", "中专"),
    ("中职", "中专"),
    ("普通高中", "高中"),
    ("高中", "高中"),
    ("初中", "初中"),
    ("小学", "小学"),
]
_EDUCATION_RANK = {"小学": 0, "初中": 1, "高中": 2, "中专": 2.1, "大专": 3, "本科": 4, "硕士": 5, "博士": 6}
_EDUCATION = re.compile("(" + "|".join(w for w, _ in _EDUCATION_WORDS) + ")")
_EDUCATION_CONTEXT = re.compile(r"学历|以上|毕业|文化|程度|及以上|或以上|水平")
_NO_EDUCATION = re.compile(r"学历不限|不限学历|学历要求[:：]?\s*不限|对学历无要求")
SHIFTS = ("两班倒", "三班倒", "长白班", "倒班", "轮班", "做一休一", "白班", "夜班")
BENEFITS = (
    "五险一金",
    "六险一金",
    "五险",
    "社保",
    "公积金",
    "包吃住",
    "包吃",
    "包住",
    "提供食宿",
    "提供住宿",
    "免费住宿",
    "免费工作餐",
    "餐补",
    "饭补",
    "住房补贴",
    "交通补贴",
    "年终奖",
    "带薪年假",
    "节日福利",
    "周末双休",
    "双休",
    "单休",
    "绩效奖金",
    "全勤奖",
    "加班补贴",
    "员工旅游",
    "定期体检",
)
_CN_NUM = {
    "半": 0.5,
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# Everyday names of level certificates that are not CSCO names followed by 证.
_SKILL_WORDS = {
    "厨师": "4-03-02-01",
    "消防员": "4-07-05-03",
    "消防中控": "4-07-05-03",
    "中控": "4-07-05-03",
    "育婴师": "4-10-01-03",
    "养老护理": "4-10-01-05",
    "按摩师": "4-10-04-02",
    "汽修": "4-12-01-01",
}
_HIGH_LOW = re.compile(r"高压?(?:[、/和及]|或者?)?\s*低压|低压?(?:[、/和及]|或者?)?\s*高压")


_TYPE_ONLY = re.compile(r"特种作业操作证|特种作业证|特种设备作业人员证|特种设备作业证")
_OTHER_NAME = re.compile(
    r"(?:^|[、/]|持有?|具备|具有|取得|拥有|需有|须有|要有|(?<![没拥具持])有)"
    r"((?:相关的?)?[\u4e00-\u9fa5]{1,8}?(?:[员师工手]|操作|上岗|资格|从业资格)(?:证书|证|执照))"
)
_NOT_OTHER = {
    "身份证",
    "残疾证",
    "退伍军人证",
    "退役军人证",
    "毕业证",
    "毕业证书",
    "学历证",
    "学历证书",
    "学位证",
    "学位证书",
    "签证",
    "工作证",
    "暂住证",
    "居住证",
    "结婚证",
    "资格证",
    "资格证书",
    "相关证书",
    "证书",
    "上岗证",
    "操作证",
    "资质证书",
    "职业资格证",
    "职业资格证书",
    "技能证书",
    "相关资格证书",
    "专业证书",
    "等级证书",
    "驾驶证",
    "会计证",
    "健康证",
    "从业资格证",
    "荣誉证书",
    "相关技能证书",
    "专业资格证书",
    "执业证书",
    "合格证",
    "英语等级证书",
    "计算机等级证书",
    "普通话证书",
    "行驶证",
    "营业执照",
    "军人证",
    "技能等级证书",
}


@dataclass
class Mention:
    start: int
    end: int
    cert: dict[str, Any]
    prio: int = 0  # tie-break between equally long mentions: licence names win


@dataclass
class Extraction:
    certificates: list[dict[str, Any]] = field(default_factory=list)
    min_experience_years: float | None = None
    education: str | None = None
    shift: str | None = None
    benefits: list[str] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)

    def requirements(self) -> dict[str, Any]:
        """The posting `requirements` shape (what ranking reads)."""
        out: dict[str, Any] = {"certificates": self.certificates}
        if self.min_experience_years is not None:
            out["min_experience_years"] = self.min_experience_years
        if self.education is not None:
            out["education"] = self.education
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirements": {
                "certificates": self.certificates,
                "min_experience_years": self.min_experience_years,
                "education": self.education,
            },
            "shift": self.shift,
            "benefits": self.benefits,
            "spans": self.spans,
        }


@lru_cache(maxsize=1)
def _automaton() -> ahocorasick.Automaton:
    """Licence names first (they win ties), then CSCO names/aliases that take a 证 after them."""
    auto = ahocorasick.Automaton()
    for spelling, lic in load_licences().spellings().items():
        if lic.type in (SPECIAL_EQUIPMENT, DRIVING, HEALTH) and not re.search(r"[证照]", spelling):
            continue  # an item's name ("叉车司机", "小型汽车") is a job or a vehicle, not a licence, until 证 is said
        if len(spelling) >= 2 and not re.fullmatch(r"[A-Z]\d?|CPA|PMP", spelling):
            auto.add_word(spelling, ("licence", spelling, lic))
    for spelling in ("CPA", "PMP"):
        auto.add_word(spelling, ("licence", spelling, load_licences().by_alias(spelling)))
    for word, code in _SKILL_WORDS.items():
        auto.add_word(word, ("skillword", word, code))
    occupations = load_occupations()
    for name in occupations.names_and_aliases():
        if len(name) >= 2 and load_licences().by_alias(name) is None and name not in _SKILL_WORDS:
            try:
                code = occupations.resolve(name).code
            except LookupError:
                continue
            auto.add_word(name, ("occupation", name, code))
    auto.make_automaton()
    return auto


def _norm(text: str) -> str:
    """NFKC keeps length for CJK text in practice; spans index this normalised text."""
    return unicodedata.normalize("NFKC", text).upper().replace("\u3000", " ")


def _segments(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in pattern.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = max(start, m.end())
    if start < len(text):
        out.append((start, len(text)))
    return out


def _level_near(text: str, start: int, end: int) -> str | None:
    before = _LEVEL_BEFORE.search(text[max(0, start - 6) : start])
    after = _LEVEL_AFTER.search(text[end : end + 6])
    word = before or after
    if word is None:
        return None
    level = parse_level(word.group(1).replace("技师", "技师"))
    return level.label if level is not None else None


def _mentions(text: str) -> list[Mention]:
    """Certificate mentions, longest first and non-overlapping."""
    found: list[Mention] = []
    for end_idx, (kind, word, payload) in _automaton().iter(text):
        start, end = end_idx - len(word) + 1, end_idx + 1
        if kind == "licence":
            lic = payload
            level = _level_near(text, start, end) if lic.type == SPECIAL_WORK and lic.occupations else None
            if level is not None or re.match(r"^[（(]?(?:等级|技师)", text[end : end + 3]):
                cert = {"type": SKILL, "occupation": lic.occupations[0], "level": level}
            else:
                cert = {"type": lic.type, "item": lic.item}
                if lic.occupations:
                    cert["occupation"] = lic.occupations[0]
            found.append(Mention(start, end, cert, 0))
        else:
            if word in _NOT_CERTIFICATES:
                continue
            suffix = _SKILL_SUFFIX.match(text[end : end + 12])
            if suffix is None:
                continue
            inner = re.search(r"初级|中级|高级|技师|[一二三四五]级", suffix.group(0))
            inner_level = parse_level(inner.group(0)) if inner else None
            level = inner_level.label if inner_level is not None else _level_near(text, start, end + suffix.end())
            if "资格" in suffix.group(0) and not re.search(r"等级|技能", suffix.group(0)) and level is None:
                # "康复治疗师资格证": a 职业资格 (水平评价/准入), not a skill level — named as written
                found.append(Mention(start, end + suffix.end(), {"type": QUALIFICATION, "item": word}, 3))
                continue
            found.append(
                Mention(
                    start,
                    end + suffix.end(),
                    {"type": SKILL, "occupation": payload, "level": level},
                    1 if kind == "skillword" else 3,
                )
            )
    for m in _DRIVING_CLASS.finditer(text):
        cls = m.group(1)
        item = cls if len(cls) == 2 else ("C1" if cls == "C" else None)
        found.append(Mention(m.start(), m.end(), {"type": DRIVING, "item": item}, 2))
    for m in _DRIVING_BARE.finditer(text):
        found.append(Mention(m.start(), m.end(), {"type": DRIVING, "item": None}, 2))
    # 高、低压电工证 / 高压或低压电工证: two licences, alternatives
    for m in _HIGH_LOW.finditer(text):
        tail = text[m.end() : m.end() + 5]
        if cert_word := re.match(r"^(?:电工)?(?:作业)?(?:操作|上岗)?证", tail):
            span_end = m.end() + cert_word.end()
            for item in ("高压电工作业", "低压电工作业"):
                found.append(
                    Mention(
                        m.start(),
                        span_end,
                        {"type": SPECIAL_WORK, "item": item, "occupation": "6-31-01-03", "pair": True},
                    )
                )
    # a type named alone ("持有特种作业操作证"): that system, any item
    for m in _TYPE_ONLY.finditer(text):
        found.append(Mention(m.start(), m.end(), {"type": TYPE_SPELLINGS[m.group(0)], "item": None}, 4))
    # any other "…证" held ("持有监控员证"): 其他, named as written
    for hit in _OTHER_NAME.finditer(text):
        name = re.sub(r"^(?:相关的?|有效的?|国家|的)", "", hit.group(1))
        if (
            len(name) >= 3
            and name not in _NOT_OTHER
            and not name.startswith(("有", "持"))
            and not re.search(r"[或和及与等的]|负责|能|考取|办理|通过|保证|验证|特种作业", name)
        ):
            found.append(Mention(hit.end(1) - len(name), hit.end(1), {"type": OTHER, "item": name}, 5))
    # longest first, then earliest; pairs share their span; the fallbacks (prio ≥ 4) only fill gaps
    found.sort(key=lambda x: (x.prio >= 4, -(x.end - x.start), x.prio, x.start))
    kept: list[Mention] = []
    for mention in found:  # no overlaps, except the two licences of one "高压或低压电工证"
        if not any(
            k.start < mention.end and mention.start < k.end and not (k.cert.get("pair") and mention.cert.get("pair"))
            for k in kept
        ):
            kept.append(mention)
    kept.sort(key=lambda x: x.start)
    return kept


def _years(token: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if token in _CN_NUM:
        return float(_CN_NUM[token])
    if token.startswith("十") and len(token) == 2:
        return 10 + float(_CN_NUM.get(token[1], 0))
    return None


def _key(cert: dict[str, Any]) -> tuple:
    return (cert["type"], cert.get("item"), cert.get("occupation") if cert["type"] == SKILL else None)


def extract(text: str, title: str = "", skills: Sequence[str] = ()) -> Extraction:
    """Requirements read from a posting's title, description (benefits included) and skill tags.
    Spans index NFKC(title + "\\n" + text [+ "\\n技能：" + skills joined by 、])."""
    parts = [title] if title else []
    parts.append(text)
    if skills:
        parts.append("技能：" + "、".join(skills))
    full = _norm("\n".join(parts))
    out = Extraction()
    certs: dict[tuple, dict[str, Any]] = {}
    group_no = 0
    for c_start, c_end in _segments(full, _CLAUSE_END):
        clause = full[c_start:c_end]
        mentions = _mentions(clause)
        kept: list[tuple[Mention, bool, int]] = []  # (mention, mandatory, subclause index)
        subs = _segments(clause, _SUBCLAUSE_END)
        for m in mentions:
            si = next((n for n, (a, b) in enumerate(subs) if a <= m.start < b), 0)
            s_start, s_end = subs[si]
            before, after = clause[s_start : m.start], clause[m.end : s_end]
            if (
                _NEGATED.search(before[-10:])
                or re.match(r"^[^，,]{0,4}(?:不需要|无需|不用|不要求|可无)", after)
                or (re.search(r"有无", before[-12:]) and re.search(r"均可|皆可|都可|也可", after))
            ):
                continue
            if _PROVIDED.search(before[-10:]) or re.match(r"^[^，,]{0,6}(?:补贴|报销|培训|考取)", after):
                continue
            if m.cert["type"] == DRIVING and m.cert.get("item") is None and re.search(r"叉车|无人机", before[-4:]):
                continue
            word = clause[m.start : m.end]
            if (
                m.cert["type"] in (QUALIFICATION, OTHER)
                and not re.search(r"[证照]|证书|资格", word)
                and not re.match(r"^[^，,]{0,3}(?:证|资格|执照|认证)", after)
                and not re.search(r"(?:有|持|具有|具备|取得|需|要求|拥有|考取)", before)
            ):
                continue  # a name without 证 or a holding verb is a duty ("负责二级建造师注册"), not a requirement
            preferred = bool(_PREFERRED.search(after)) or bool(re.search(r"优先", before[-6:]))
            if not preferred and si + 1 < len(subs):  # "有驾照，能熟练驾驶者优先" style tail with no mention
                nxt = clause[subs[si + 1][0] : subs[si + 1][1]]
                if (
                    _PREFERRED.search(nxt)
                    and not any(subs[si + 1][0] <= k.start < subs[si + 1][1] for k in mentions)
                    and len(nxt) <= 14
                    and re.match(r"^\s*(?:能|可|并|且)", nxt)
                    and "者" not in nxt
                ):
                    preferred = True
            kept.append((m, not preferred, si))
        # a generic mention followed by examples ("相关电工资格证书，如高压电工证或低压电工证") gives way to them
        kept = [
            k
            for n, k in enumerate(kept)
            if not (
                n + 1 < len(kept)
                and re.search(r"^[^。；]{0,4}[，,]?\s*(?:如|例如|比如|包括)", clause[k[0].end : kept[n + 1][0].start])
            )
        ]
        # a system named without its item next to one naming it ("特种作业操作证（电工证）"): the item counts
        specific = {k[0].cert["type"] for k in kept if k[0].cert.get("item")}
        kept = [k for k in kept if k[0].cert.get("item") or k[0].cert["type"] not in specific]
        # alternatives: "A或B" within a sub-clause, or a group cue (其一/任一/一项, 如…等) in the clause
        groups: dict[int, str] = {}
        clause_group = len(kept) >= 2 and bool(
            re.search(r"任一|任意|之一|其一|一项|一种|至少.{0,3}一|起码|(?:如|例如|比如)[^。；]{0,40}等", clause)
        )
        if clause_group:
            group_no += 1
            for n in range(len(kept)):
                groups[n] = f"g{group_no}"
        else:
            for n in range(1, len(kept)):
                a, b = kept[n - 1][0], kept[n][0]
                between = clause[a.end : b.start]
                if a.cert.get("pair") and b.cert.get("pair") and a.start == b.start:
                    pair_text = clause[a.start : a.end]  # 高压或低压电工证: either; 高、低压电工证: both
                    between = (
                        "或" if re.search(r"或", pair_text) and not re.search(r"双证|均须|都要|同时", clause) else "、"
                    )
                if len(between) <= 8 and _ALTERNATIVE.search(between) and not re.search(r"[，,]", between):
                    if n - 1 not in groups:
                        group_no += 1
                        groups[n - 1] = f"g{group_no}"
                    groups[n] = groups[n - 1]
        for n, (m, mandatory, _) in enumerate(kept):
            cert = {k: v for k, v in m.cert.items() if k != "pair" and v is not None}
            cert["mandatory"] = mandatory
            cert["group"] = groups.get(n)
            key = _key(cert)
            if key in certs:
                certs[key]["mandatory"] = certs[key]["mandatory"] or mandatory
                continue
            certs[key] = cert
            out.spans.append(
                {
                    "field": "certificates",
                    "text": full[c_start + m.start : c_start + m.end],
                    "start": c_start + m.start,
                    "end": c_start + m.end,
                    "mandatory": mandatory,
                }
            )
        _experience(clause, c_start, out)
        _education(clause, c_start, out)
    # a classless driving licence where a class is named elsewhere: the class is the requirement
    if any(k[0] == DRIVING and k[1] for k in certs):
        certs = {k: c for k, c in certs.items() if not (k[0] == DRIVING and not k[1])}
    # a group of one (its partner was a duplicate) is no group
    counts: dict[str, int] = {}
    for c in certs.values():
        if c.get("group"):
            counts[c["group"]] = counts.get(c["group"], 0) + 1
    for c in certs.values():
        if c.get("group") and counts[c["group"]] < 2:
            c["group"] = None
    out.certificates = [c if c.get("group") else {k: v for k, v in c.items() if k != "group"} for c in certs.values()]
    if out.min_experience_years is None and (none := _NO_EXPERIENCE.search(full)):
        out.min_experience_years = 0.0
        out.spans.append(
            {"field": "min_experience_years", "text": none.group(0), "start": none.start(), "end": none.end()}
        )
    if out.education is None and (free := _NO_EDUCATION.search(full)):
        out.education = "不限"
        out.spans.append({"field": "education", "text": free.group(0), "start": free.start(), "end": free.end()})
    for word in SHIFTS:
        if (i := full.find(word)) >= 0:
            out.shift = word
            out.spans.append({"field": "shift", "text": word, "start": i, "end": i + len(word)})
            break
    seen: set[str] = set()
    for word in BENEFITS:
        i = full.find(word)
        if i >= 0 and not any(word in b for b in seen):
            seen.add(word)
            out.benefits.append(word)
            out.spans.append({"field": "benefits", "text": word, "start": i, "end": i + len(word)})
    return out


def _experience(clause: str, offset: int, out: Extraction) -> None:
    for sub_start, sub_end in _segments(clause, _SUBCLAUSE_END):
        sub = clause[sub_start:sub_end]
        if _PREFERRED.search(sub):
            continue
        for m in _EXPERIENCE.finditer(sub):
            years = _years(m.group(1) or m.group(2))
            if years is None or years > 40:
                continue
            if out.min_experience_years is None or years < out.min_experience_years:
                out.min_experience_years = years
                out.spans = [s for s in out.spans if s["field"] != "min_experience_years"]
                start = offset + sub_start + m.start()
                out.spans.append(
                    {
                        "field": "min_experience_years",
                        "text": m.group(0),
                        "start": start,
                        "end": start + len(m.group(0)),
                    }
                )


def _education(clause: str, offset: int, out: Extraction) -> None:
    for sub_start, sub_end in _segments(clause, _SUBCLAUSE_END):
        sub = clause[sub_start:sub_end]
        if _PREFERRED.search(sub) and not re.search(r"以上", sub):
            continue
        if re.search(r"专业|科室|医生|医师", sub) and not _EDUCATION_CONTEXT.search(sub):
            continue
        for m in _EDUCATION.finditer(sub):
            if not (_EDUCATION_CONTEXT.search(sub) or len(sub) <= 8):
                continue
            word = dict(_EDUCATION_WORDS)[m.group(1)]
            if word == "小学":
                continue
            if (
                out.education is None
                or out.education == "不限"
                or _EDUCATION_RANK[word] < _EDUCATION_RANK[out.education]
            ):
                out.education = word
                out.spans = [s for s in out.spans if s["field"] != "education"]
                start = offset + sub_start + m.start()
                out.spans.append(
                    {"field": "education", "text": m.group(0), "start": start, "end": start + len(m.group(0))}
                )
