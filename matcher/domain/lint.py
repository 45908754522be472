"""Posting lint: flag discriminatory requirements before a posting is shown.

就业促进法 forbids discrimination by ethnicity, gender, religion, disability, household registration and
carriers of infectious disease (e.g. hepatitis B), and marriage/childbirth clauses against women; 人社部
《网络招聘服务管理规定》 forbids such content in online postings. Each finding quotes the offending phrase so
the employer can fix it and the office can review it. Rules are regular expressions, kept readable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matcher.domain.schema import Posting


@dataclass(frozen=True)
class LintFinding:
    rule: str  # gender | age | hukou | marriage | ethnicity | health | religion | region
    phrase: str  # the offending text, as written
    message: str  # explanation in Chinese

    def as_dict(self) -> dict:
        return {"rule": self.rule, "phrase": self.phrase, "message": self.message}


_RULES: list[tuple[str, str, str]] = [
    (
        "gender",
        r"(限|只招|仅招|仅限|要求|招聘?)\s*(男|女)(性|士|生)?(?![方装鞋])|(男|女)(性|士)?(优先|勿扰|不要|免谈)|不招(男|女)",
        "不得以性别限制或优先（就业促进法第27条）",
    ),
    (
        "age",
        r"(年龄|年纪)\s*(要求)?\s*(在)?\s*(\d{2})\s*(周?岁)\s*(以下|以内|之内|内)|(年龄|年纪)[^，。；\n]{0,6}(不超过|不大于|低于|小于)\s*\d{2}\s*周?岁|\d{2}\s*[-—~至到]\s*\d{2}\s*周?岁|\d{2}\s*周?岁\s*以下|年龄不限于?\d{2}",
        "设置年龄上限属于年龄歧视，除法定特殊岗位外不应出现",
    ),
    (
        "hukou",
        r"(限|仅限|要求|只招)?\s*(本地|本市|重庆|城镇|农村)\s*(户籍|户口)|(户籍|户口)\s*(限|要求|不限于)?\s*(本地|本市|城镇)|非本地户籍",
        "不得以户籍限制（就业促进法第31条：农村劳动者平等就业）",
    ),
    (
        "marriage",
        r"已婚已育|已婚(优先)?|未婚(优先)?|未育|不孕|(三|五|\d)年内不(得)?(结婚|生育|怀孕)|无生育计划|二胎|婚育",
        "不得设置婚育条件（就业促进法第27条、妇女权益保障法）",
    ),
    (
        "ethnicity",
        r"(限|仅限|只招)\s*汉族|汉族(优先)?\s*$|(不招|不要)\s*(少数民族|\w{1,3}族)|民族\s*(限|要求)",
        "不得以民族限制（就业促进法第28条）",
    ),
    (
        "health",
        r"(无|非)\s*乙肝|乙肝(携带者|患者|病毒携带)?\s*(勿扰|免谈|不要|不招|除外)|(不招|不要|拒绝)\s*乙肝|大三阳|小三阳|乙肝两对半|传染病(病原)?携带者?(勿扰|不要|不招)",
        "不得以传染病病原携带者身份拒绝录用（就业促进法第30条）",
    ),
    ("religion", r"(限|不招|不要)\s*(信教|宗教|穆斯林|基督徒)", "不得以宗教信仰限制（就业促进法第3条）"),
    ("region", r"(不招|不要|拒绝)\s*(河南|东北|新疆|西藏|外地|外省)\s*(人|籍)?", "不得以地域出身限制"),
]
_COMPILED = [(rule, re.compile(pattern), message) for rule, pattern, message in _RULES]


def lint_text(text: str) -> list[LintFinding]:
    """Every discriminatory phrase in a text, in order of appearance."""
    findings = []
    for rule, pattern, message in _COMPILED:
        for m in pattern.finditer(text or ""):
            phrase = m.group(0).strip()
            if phrase:
                findings.append((m.start(), LintFinding(rule, phrase, message)))
    return [f for _, f in sorted(findings, key=lambda x: x[0])]


def posting_fields(posting: Posting | Mapping[str, Any]) -> dict[str, str]:
    """The text the lint reads, by field path: the title, description, education and skills of a posting
    (the one definition: publishing, import, `matcher lint` and the draft check all read these)."""
    if isinstance(posting, Posting):  # attributes, not model_dump(): the import path lints every posting
        req_model = posting.requirements
        return {
            "title": posting.title,
            "description": posting.description,
            "requirements.education": req_model.education or "",
            "requirements.skills": "、".join(req_model.skills),
        }
    req = posting.get("requirements") or {}
    p = posting
    return {
        "title": p.get("title") or "",
        "description": p.get("description") or "",
        "requirements.education": req.get("education") or "",
        "requirements.skills": "、".join(req.get("skills") or []),
    }


def lint_fields(posting: Posting | Mapping[str, Any]) -> list[tuple[str, LintFinding]]:
    """(field path, finding) for every discriminatory phrase, field by field in `posting_fields` order."""
    return [(field, f) for field, text in posting_fields(posting).items() for f in lint_text(text)]


def lint_posting(posting: Posting | Mapping[str, Any]) -> list[LintFinding]:
    """Every finding of a posting (or a draft shaped like one), field by field."""
    return [f for _, f in lint_fields(posting)]
