"""Reading a certificate record as people write it, into the contract's canonical form.

Real records mix the certificate systems and write them loosely: a forklift licence as
`{"occupation": "叉车司机", "level": "特种设备作业人员证N1"}`, a drone licence with `"level": "执照"`, dates
to the month ("2025-03"). `normalise_certificate` understands these; a value it cannot read inside one
certificate does not reject the record: the certificate is kept verbatim with `recognised: false` and a
`note` (the import report shows it as a warning), and ranking never gates on it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from matcher.catalogues.levels import LevelParseError, parse_level
from matcher.catalogues.licences import (
    DRIVING,
    DRIVING_COVERS,
    HEALTH,
    OTHER,
    QUALIFICATION,
    SKILL,
    SPECIAL_EQUIPMENT,
    SPECIAL_WORK,
    SPECIALTY,
    TYPE_SPELLINGS,
    VALIDITY_YEARS,
    load_licences,
)
from matcher.catalogues.occupations import load_occupations

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?\s*$")
_SKILL_NUMBER = re.compile(r"^[A-Z]\d{21}$")  # 职业技能等级证书编号: one letter + 21 digits
_DRIVING_CLASSES = frozenset({*DRIVING_COVERS, "C2", "C4", "C5", "C6", "F", "M", "N", "P"})
_FREE_ITEM_TYPES = (QUALIFICATION, SPECIALTY, OTHER)  # items outside the catalogue still match by name
_TYPE_WORDS = sorted(TYPE_SPELLINGS, key=len, reverse=True)


def parse_month_or_day(value: Any) -> str:
    """'2025-03', '2025年3月', '2025/3/8', a date → canonical 'YYYY-MM' or 'YYYY-MM-DD'."""
    if isinstance(value, dt.date):
        return value.isoformat()
    m = _DATE.match(str(value))
    if not m:
        raise ValueError(f"无法识别的日期 {value!r}（应为 YYYY-MM-DD 或 YYYY-MM）")
    year, month, day = int(m[1]), int(m[2]), m[3]
    if day is None:
        if not 1 <= month <= 12:
            raise ValueError(f"无法识别的日期 {value!r}（月份应为 1–12）")
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, int(day)).isoformat()
    except ValueError as exc:
        raise ValueError(f"无法识别的日期 {value!r}（{exc}）") from exc


def first_day(text: str) -> dt.date:
    """The first day a canonical date covers (a month: its 1st)."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def last_day(text: str) -> dt.date:
    """The last day a canonical date covers (a month: its last day) — expiry is inclusive."""
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    year, month = int(text[:4]), int(text[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_years(text: str, years: int) -> str:
    """Canonical date + N years, same precision (29 Feb → 28 Feb)."""
    year = int(text[:4]) + years
    if len(text) == 7:
        return f"{year:04d}{text[4:]}"
    d = dt.date.fromisoformat(text)
    return (d.replace(year=year) if not (d.month == 2 and d.day == 29) else dt.date(year, 2, 28)).isoformat()


def _type_inside(text: str) -> tuple[str, str] | None:
    """A type spelling inside a string ("特种设备作业人员证N1" → (特种设备作业人员证, "N1"))."""
    for word in _TYPE_WORDS:
        if word in text:
            return TYPE_SPELLINGS[word], text.replace(word, "").strip(" ：:·-（）()")
    return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalise_certificate(raw: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    """One certificate object → canonical fields + `recognised` + `note` (never raises for values)."""
    lic_cat, occ_cat = load_licences(), load_occupations()
    out = dict(raw)
    problems: list[str] = []
    given_type = _str(raw.get("type"))
    type_ = lic_cat.parse_type(given_type) if given_type else None
    if given_type and type_ is None:
        problems.append(
            f"type: 无法识别的证书类型 {given_type!r}（可选：{'、'.join(dict.fromkeys(TYPE_SPELLINGS.values()))}）"
        )
    name, item = _str(raw.get("name")), _str(raw.get("item"))
    occupation, level = _str(raw.get("occupation")), raw.get("level")
    level_text = _str(level)

    # A "level" that is really a licence: 特种设备作业人员证N1, 执照, 操作证, 低压电工作业 …
    if level_text is not None:
        try:
            parse_level(level)
        except LevelParseError:
            inside = _type_inside(level_text)
            alias = lic_cat.by_alias(level_text)
            if alias is not None:
                type_, item, level = type_ or alias.type, item or alias.item, None
            elif inside is not None:
                type_, item, level = type_ or inside[0], item or inside[1] or None, None
    if name is not None and type_ is None:
        alias = lic_cat.by_alias(name)
        if alias is not None:
            type_, item = alias.type, item or alias.item
        else:
            type_ = lic_cat.parse_type(name) or (_type_inside(name) or (None,))[0]
    if type_ is None and occupation is not None and item is None:  # CSV "叉车证::2025-03": a licence's name
        alias = lic_cat.by_alias(occupation)
        if alias is not None and not occ_cat.candidates(occupation):
            type_, item, occupation = alias.type, alias.item, None
    if type_ is None and item is not None and occupation is None:
        alias = lic_cat.by_alias(item)
        type_ = alias.type if alias is not None else None
    type_ = type_ or SKILL

    occ_code = None
    if occupation is not None:
        try:
            occ_code = occ_cat.resolve(occupation).code
        except LookupError as exc:
            problems.append(f"occupation: {exc}")
    elif type_ == SKILL and not problems:
        problems.append("occupation: 职业技能等级证书需要填写 occupation（职业或工种）")

    level_label = None
    if level is not None and _str(level) is not None:
        try:
            parsed = parse_level(level)
            level_label = parsed.label if parsed is not None else None
        except LevelParseError as exc:
            problems.append(f"level: {exc}")

    if type_ in (SPECIAL_WORK, SPECIAL_EQUIPMENT):
        named = lic_cat.get(type_, occupation) if occupation and not item else None  # "低压电工证" + "操作证"
        lic = (
            lic_cat.get(type_, item)
            if item
            else (named or (lic_cat.for_occupation(type_, occ_code) if occ_code else None))
        )
        if lic is not None:
            item = lic.item
        elif item is not None:
            example = "低压电工作业、熔化焊接与热切割作业" if type_ == SPECIAL_WORK else "N1、Q2、T"
            problems.append(f"item: {type_}中找不到项目 {item!r}（如 {example}）")
        elif not required and type_ == SPECIAL_EQUIPMENT and not problems:
            problems.append(f"item: {type_}需要填写 item（项目代号，如 N1 叉车、Q2 起重机司机）")
    elif type_ == DRIVING and item is not None:
        cls = item.upper().removesuffix("照").removesuffix("驾驶证").removesuffix("驾照")
        if cls in _DRIVING_CLASSES:
            item = cls
        else:
            problems.append(f"item: 无法识别的准驾车型 {item!r}（如 C1、C2、B2、A2）")
    elif type_ == HEALTH:
        item = None
    elif type_ in _FREE_ITEM_TYPES:
        lic = lic_cat.get(type_, item) if item else (lic_cat.for_occupation(type_, occ_code) if occ_code else None)
        item = lic.item if lic is not None else (item or name)

    dates: dict[str, str | None] = {}
    for key in ("issued_at", "expires_at"):
        value = raw.get(key)
        if value is None or _str(value) is None:
            dates[key] = None
            continue
        try:
            dates[key] = parse_month_or_day(value)
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            dates[key] = _str(value)
    derived = bool(raw.get("expires_derived")) and dates.get("expires_at") is not None  # a re-read record
    issued = dates.get("issued_at")
    if dates.get("expires_at") is None and issued and type_ in VALIDITY_YEARS and not problems:
        dates["expires_at"] = add_years(issued, VALIDITY_YEARS[type_])
        derived = True

    number = _str(raw.get("number"))
    notes = list(problems)
    if number is not None and type_ == SKILL and not _SKILL_NUMBER.match(number.upper()):
        notes.append("number: 证书编号格式不符（职业技能等级证书编号为1位字母+21位数字），未核验")
    out.pop("name", None)
    if problems:  # keep what was written, verbatim, and do not use it for gating
        out.update({"type": given_type or type_, "recognised": False, "note": "；".join(notes)})
        if name is not None:
            out["name"] = name
        return out
    out.update(
        {
            "type": type_,
            "occupation": occ_code,
            "item": item,
            "level": level_label,
            "recognised": True,
            "note": "；".join(notes) or None,
        }
    )
    if not required:
        out.update(
            {
                "issued_at": dates["issued_at"],
                "expires_at": dates["expires_at"],
                "expires_derived": derived,
                "number": number,
            }
        )
    return out
