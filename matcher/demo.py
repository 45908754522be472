"""A deterministic, seeded, honestly SYNTHETIC "demo world" for Chongqing.

Why: the product needs realistic volumes of postings, trainees, courses and pipeline records to demo,
test and evaluate matching, skill-gap advice and the 人社 KPIs, and no real personal data may be used.
Everything here is generated from the real catalogues (CSCO 2022 occupations with their tasks text, the
38 districts + 3 functional zones with coordinates, the "33618" target industries) plus hand-written
tables of plausible proportions (below). Every person, phone number, ID number, employer, training provider
and posting is invented; the README written next to the data says so.

Determinism: one `random.Random(seed)` drives everything, in a fixed order; no global random state, no
clock (dates are relative to REFERENCE_DATE), no set iteration. Same seed and scale → byte-identical files.

Shape of the world (scale 1.0): ~1,000 employers, ~5,000 postings, ~3,000 trainees, ~60 training providers
running ~300 courses, ~4,000 training records and ~2,000 placements. Proportions are chosen so that the
KPIs the city steers by (重点群体培训占比 ≥ 60%, 培训总体就业率 ≥ 60%, 培训与产业匹配度 ≈ 80%) come out plausible,
and so that training supply is deliberately imperfect (some demanded occupations have no course).

A course is a recurring programme: its `start_date` is the next intake (within 120 days of the reference
date); a training record carries the start date of the past intake the trainee attended.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from matcher.catalogues.districts import District, load_districts
from matcher.catalogues.industries import Industry, get_industry, industries_for_occupation, load_industries
from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.occupations import Occupation, load_occupations
from matcher.geo import haversine_km, in_chongqing

REFERENCE_DATE = dt.date(2025, 11, 19)  # "today" of the demo world (date of seed 004)
DEFAULT_SEED = 20251119
BASE_COUNTS = {"employers": 1000, "postings": 5000, "trainees": 3000, "providers": 60, "courses": 300}
FILES = ("postings", "trainees", "courses", "training_records", "placements")

# ================================================================================================
# Data tables. Numbers are rough, rounded and only used as sampling weights.
# ================================================================================================

# Resident population in 万 (approx., 2020 census, rounded). 綦江 excludes 万盛; zones get a share for
# people who give the zone as their district.
POPULATION = {
    "万州区": 156, "涪陵区": 112, "渝中区": 59, "大渡口区": 42, "江北区": 93, "沙坪坝区": 148, "九龙坡区": 153,
    "南岸区": 120, "北碚区": 83, "綦江区": 75, "大足区": 83, "渝北区": 219, "巴南区": 118, "黔江区": 49,
    "长寿区": 69, "江津区": 136, "合川区": 124, "永川区": 115, "南川区": 57, "璧山区": 76, "铜梁区": 69,
    "潼南区": 68, "荣昌区": 67, "开州区": 120, "梁平区": 65, "武隆区": 36, "城口县": 19, "丰都县": 56,
    "垫江县": 65, "忠县": 72, "云阳县": 93, "奉节县": 74, "巫山县": 46, "巫溪县": 39, "石柱土家族自治县": 39,
    "秀山土家族苗族自治县": 50, "酉阳土家族苗族自治县": 56, "彭水苗族土家族自治县": 50,
    "两江新区": 45, "高新区": 30, "万盛经开区": 26,
}
MAIN_URBAN = ("渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区", "巴南区",
              "两江新区", "高新区")

# Where manufacturing employers sit (relative weight before industry hotspots). Default: 区 0.8, 县 0.4.
MANUFACTURING_BASE = {
    "两江新区": 9, "高新区": 6, "璧山区": 4, "江津区": 3.5, "长寿区": 3, "涪陵区": 3, "九龙坡区": 3, "渝北区": 2.5,
    "巴南区": 2.5, "永川区": 2.5, "沙坪坝区": 2, "北碚区": 2, "合川区": 2, "大足区": 2, "铜梁区": 2, "荣昌区": 2,
    "綦江区": 1.5, "南岸区": 1.5, "万州区": 1.5, "潼南区": 1.5, "万盛经开区": 1.2, "南川区": 1.2, "梁平区": 1.2,
    "大渡口区": 1, "开州区": 1, "江北区": 0.8, "垫江县": 0.8, "黔江区": 0.7, "武隆区": 0.3, "渝中区": 0.05,
}

# Industry-specific clustering (multipliers on the base weight), from public knowledge of where each
# industry concentrates (e.g. autos in 两江/渝北/璧山, notebooks in 西永/高新区, 榨菜 in 涪陵, aluminium in 九龙坡).
HOTSPOTS: dict[str, dict[str, float]] = {
    "auto": {"两江新区": 3, "渝北区": 2, "璧山区": 2, "江津区": 1.8, "巴南区": 1.5, "九龙坡区": 1.5, "永川区": 1.5,
             "铜梁区": 1.3, "大足区": 1.3, "长寿区": 1.2, "涪陵区": 1.2},
    "electronics": {"高新区": 3.5, "两江新区": 2.5, "沙坪坝区": 1.5, "渝北区": 1.5, "璧山区": 1.3, "永川区": 1.3,
                    "铜梁区": 1.3, "万州区": 1.2, "荣昌区": 1.2},
    "materials": {"长寿区": 3, "涪陵区": 2.5, "綦江区": 2, "万盛经开区": 2, "九龙坡区": 1.5, "江津区": 1.5,
                  "南川区": 1.5, "大足区": 1.3},
    "smart_equipment": {"两江新区": 2, "九龙坡区": 1.8, "江津区": 1.5, "璧山区": 1.5, "巴南区": 1.5, "永川区": 1.5,
                        "北碚区": 1.5, "大足区": 1.5, "沙坪坝区": 1.3},
    "food": {"涪陵区": 3, "荣昌区": 2, "忠县": 2, "江津区": 1.8, "梁平区": 1.8, "潼南区": 1.5, "开州区": 1.5,
             "石柱土家族自治县": 1.5, "万州区": 1.5, "巴南区": 1.5, "垫江县": 1.5, "丰都县": 1.5, "奉节县": 1.5,
             "秀山土家族苗族自治县": 1.5, "酉阳土家族苗族自治县": 1.2},
    "software": {"两江新区": 3, "高新区": 3, "渝中区": 2, "渝北区": 2, "江北区": 1.5, "南岸区": 1.5, "九龙坡区": 1.5,
                 "沙坪坝区": 1.2, "永川区": 1.2},
    "display": {"两江新区": 3, "巴南区": 3, "璧山区": 1.5, "高新区": 1.5},
    "motorcycle": {"巴南区": 2.5, "九龙坡区": 2, "璧山区": 2, "江津区": 1.8, "永川区": 1.5, "北碚区": 1.5,
                   "大渡口区": 1.3, "綦江区": 1.3, "合川区": 1.2},
    "light_alloy": {"九龙坡区": 3, "南川区": 2.5, "綦江区": 2, "万盛经开区": 2, "大足区": 1.5, "江津区": 1.5,
                    "长寿区": 1.3, "涪陵区": 1.3, "两江新区": 1.2},
    "textile": {"涪陵区": 2, "万州区": 1.5, "开州区": 1.5, "大足区": 1.5, "璧山区": 1.5, "荣昌区": 1.5, "云阳县": 1.3,
                "奉节县": 1.3, "忠县": 1.3, "永川区": 1.2, "潼南区": 1.2},
    "biomedicine": {"高新区": 2.5, "巴南区": 2, "两江新区": 2, "北碚区": 1.5, "涪陵区": 1.5, "南岸区": 1.5,
                    "荣昌区": 1.3, "长寿区": 1.3},
    "new_energy": {"璧山区": 2.5, "长寿区": 2, "涪陵区": 1.8, "两江新区": 1.8, "永川区": 1.5, "铜梁区": 1.5,
                   "万州区": 1.3, "江津区": 1.3},
    "power_semiconductor": {"高新区": 4, "两江新区": 2, "沙坪坝区": 1.5, "璧山区": 1.2},
    "ai_robotics": {"两江新区": 2.5, "高新区": 2, "九龙坡区": 1.5, "渝北区": 1.5},
    "servers": {"高新区": 2.5, "两江新区": 2.5},
    "smart_home": {"两江新区": 1.5, "渝北区": 1.5, "璧山区": 1.5, "南川区": 1.2, "永川区": 1.2},
    "sensors_instruments": {"北碚区": 3, "两江新区": 1.5, "渝北区": 1.5, "高新区": 1.3},
    "smart_mfg_equipment": {"两江新区": 2, "九龙坡区": 1.5, "璧山区": 1.5, "沙坪坝区": 1.3},
    "power_equipment": {"九龙坡区": 2, "江津区": 2, "两江新区": 1.5, "巴南区": 1.5, "万州区": 1.3},
    "agri_machinery": {"江津区": 2, "永川区": 1.5, "璧山区": 1.5, "巴南区": 1.5, "九龙坡区": 1.3},
    "fiber_composites": {"大渡口区": 2, "长寿区": 2, "涪陵区": 1.8, "万州区": 1.5, "江津区": 1.3},
    "synthetic_materials": {"长寿区": 3, "涪陵区": 2.5, "万州区": 1.5, "綦江区": 1.3},
    "modern_tcm": {"南川区": 2, "石柱土家族自治县": 2, "城口县": 1.5, "巫溪县": 1.5, "酉阳土家族苗族自治县": 1.5,
                   "秀山土家族苗族自治县": 1.5, "涪陵区": 1.3, "黔江区": 1.3},
    "medical_devices": {"两江新区": 1.8, "巴南区": 1.8, "高新区": 1.5, "北碚区": 1.3},
    "health_care": {d: 1.2 for d in MAIN_URBAN},
    "housekeeping": {d: 1.3 for d in MAIN_URBAN},
    "low_altitude": {"两江新区": 3, "渝北区": 1.5, "高新区": 1.5, "璧山区": 1.2},
    "modern_services": {"两江新区": 1.5, "沙坪坝区": 1.5, "巴南区": 1.5, "渝北区": 1.3, "江津区": 1.3},
    "digital": {"两江新区": 2, "高新区": 2, "渝中区": 2, "九龙坡区": 1.5, "南岸区": 1.5, "江北区": 1.5, "渝北区": 1.5},
    "green": {"长寿区": 1.5, "涪陵区": 1.3, "两江新区": 1.3},
}

# Relative number of employers per industry. New-star clusters 0.6 each; non-target industries ~7%.
EMPLOYER_SHARE = {
    "auto": 11, "electronics": 10, "materials": 4.5, "smart_equipment": 6.5, "food": 7, "software": 3.5,
    "display": 2.5, "motorcycle": 3.5, "light_alloy": 2.5, "textile": 3, "biomedicine": 3.5, "new_energy": 3.5,
    "health_care": 7, "housekeeping": 4, "low_altitude": 1.5, "modern_services": 11, "digital": 3.5, "green": 2,
    "construction": 3, "retail": 2, "personal_services": 1.5, "agriculture": 1,
}
NEW_STAR_SHARE = 0.6

# Industries outside the target list, so that 培训与产业匹配度 is below 100% for a reason.
OTHER_INDUSTRIES = (
    Industry("construction", "建筑业", "非重点行业", ("建筑", "建设工程", "装饰工程"),
             ("6-29-01-04", "6-29-01-01", "6-29-04-01", "6-29-01-05", "6-29-01-03", "6-29-02-15")),
    Industry("retail", "批发和零售业", "非重点行业", ("商贸", "超市", "零售"),
             ("4-01-02-03", "4-01-02-01", "4-01-02-04", "4-02-06-02")),
    Industry("personal_services", "居民服务业", "非重点行业", ("美容", "茶楼", "烘焙", "宠物"),
             ("4-10-03-01", "4-10-03-03", "4-03-02-07", "4-03-02-04", "4-03-02-02", "4-10-07-03")),
    Industry("agriculture", "农业", "非重点行业", ("农业", "合作社", "种植"),
             ("5-05-01-02", "5-01-02-03", "5-05-05-01")),
)
SERVICE_BASED = {"software", "digital", "health_care", "housekeeping", "modern_services", "green", "low_altitude",
                 "construction", "retail", "personal_services", "agriculture"}

def _without(industry_id: str, *codes: str) -> tuple[str, ...]:
    return tuple(c for c in get_industry(industry_id).occupations if c not in codes)


AUTO_FACTORY = _without("auto", "4-12-01-01", "4-12-01-03", "4-08-05-05")
MOTO_FACTORY = _without("motorcycle", "4-12-01-02")

# Business words for employer names; an optional occupation subset keeps a 餐饮 firm from hiring forklift
# drivers and a parts factory from hiring car mechanics. None = any occupation of the industry.
BUSINESS: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {
    "auto": [("汽车零部件", AUTO_FACTORY), ("汽车配件", AUTO_FACTORY), ("汽车科技", AUTO_FACTORY),
             ("车身部件", AUTO_FACTORY), ("汽车电子", AUTO_FACTORY), ("新能源汽车科技", AUTO_FACTORY),
             ("车桥", AUTO_FACTORY), ("汽车销售服务", ("4-12-01-01", "4-12-01-03", "4-08-05-05"))],
    "electronics": [("电子科技", None), ("电子", None), ("智能终端", None), ("精密电子", None), ("电子元器件", None),
                    ("通信设备", None)],
    "materials": [("新材料", None), ("材料科技", None), ("特种材料", None), ("新材料科技", None)],
    "smart_equipment": [("智能装备", None), ("精密机械", None), ("自动化设备", None), ("机械制造", None),
                        ("模具", None), ("数控科技", None)],
    "food": [("食品", None), ("火锅食品", ("6-02-05-02", "6-31-05-00", "4-08-05-01")),
             ("调味品", ("6-02-05-02", "6-31-05-00", "4-08-05-01")), ("农产品开发", None),
             ("榨菜", ("6-02-05-08", "6-31-05-00", "4-08-05-01")),
             ("肉制品", ("6-01-04-03", "6-01-04-01", "6-31-05-00", "4-08-05-01")),
             ("茶业", ("6-02-06-10", "6-31-05-00")), ("酒业", ("6-02-06-03", "6-31-05-00", "4-08-05-01"))],
    "software": [("软件", None), ("信息技术", None), ("网络科技", None), ("数据服务", None), ("数字科技", None)],
    "display": [("光电显示", None), ("显示科技", None), ("光电", None)],
    "motorcycle": [("摩托车", MOTO_FACTORY), ("机车", MOTO_FACTORY), ("摩托车配件", MOTO_FACTORY),
                   ("动力机械", MOTO_FACTORY), ("摩托车销售服务", ("4-12-01-02",))],
    "light_alloy": [("铝业", None), ("轻合金", None), ("镁业", None), ("压铸", None), ("铝材", None)],
    "textile": [("服饰", None), ("纺织", None), ("制衣", None), ("针织", None)],
    "biomedicine": [("药业", None), ("生物医药", None), ("制药", None), ("生物科技", None)],
    "new_energy": [("新能源", None), ("储能科技", None), ("电池", None), ("光伏科技", None), ("能源科技", None)],
    "power_semiconductor": [("半导体", None), ("微电子", None), ("芯片科技", None)],
    "ai_robotics": [("机器人", None), ("智能科技", None), ("人工智能科技", None)],
    "servers": [("计算机", None), ("算力科技", None), ("服务器", None)],
    "smart_home": [("家电", None), ("智能家居", None), ("电器", None)],
    "sensors_instruments": [("仪器仪表", None), ("传感技术", None), ("仪表", None)],
    "smart_mfg_equipment": [("智能制造装备", None), ("自动化", None), ("激光设备", None)],
    "power_equipment": [("动力机械", None), ("电机", None), ("发动机", None), ("齿轮", None)],
    "agri_machinery": [("农机", None), ("农业机械", None)],
    "fiber_composites": [("玻纤", None), ("复合材料", None), ("化纤", None)],
    "synthetic_materials": [("化工", None), ("合成材料", None), ("塑胶", None)],
    "modern_tcm": [("中药", None), ("中药饮片", None), ("中医药科技", None)],
    "medical_devices": [("医疗器械", None), ("医用材料", None), ("医疗科技", None)],
    "health_care": [
        ("养老服务中心", ("4-10-01-05", "4-14-01-02", "4-14-01-03", "4-14-02-05", "4-03-02-06", "4-10-04-02")),
        ("养老服务", ("4-10-01-05", "4-14-01-02", "4-14-01-03", "4-14-02-05", "4-03-02-06")),
        ("康养", ("4-10-01-05", "4-14-01-03", "4-14-02-02", "4-10-04-02", "4-03-02-06")),
        ("托育园", ("4-10-01-03", "4-10-01-01")), ("托育服务", ("4-10-01-03", "4-10-01-01", "4-03-02-06")),
        ("护理院", ("4-14-01-02", "4-10-01-05", "4-14-02-02", "4-14-01-03"))],
    "housekeeping": [("家政服务", None), ("家庭服务", None), ("母婴护理", ("4-10-01-06", "4-10-01-03")),
                     ("保洁服务", ("4-09-08-01", "4-10-02-02"))],
    "low_altitude": [("无人机科技", None), ("通用航空", None), ("低空科技", None), ("航空科技", None)],
    "modern_services": [
        ("物流", ("4-02-06-01", "4-02-07-08", "6-30-05-01", "4-02-05-01", "4-02-06-02", "4-02-02-02")),
        ("供应链管理", ("4-02-06-01", "6-30-05-01", "4-02-05-01", "4-02-06-02", "4-02-02-02")),
        ("快递", ("4-02-07-08", "4-02-06-02", "4-02-05-01")), ("即时配送", ("4-10-08-01",)),
        ("物业服务", ("4-07-05-01", "4-09-08-01", "4-07-05-03", "4-06-01-01", "6-31-01-10", "6-31-01-03")),
        ("餐饮管理", ("4-03-02-01", "4-03-02-05", "4-03-02-02")),
        ("酒店管理", ("4-03-01-01", "4-03-02-05", "4-03-02-01", "4-09-08-01")),
        ("保安服务", ("4-07-05-01", "4-07-05-03")), ("消防技术服务", ("4-07-05-03",)),
        ("电梯工程", ("6-29-03-03", "6-31-01-03")), ("美发", ("4-10-03-02",))],
    "digital": [("电子商务", ("4-01-06-01", "4-01-06-02", "4-13-01-05")),
                ("文化传媒", ("4-13-01-05", "4-01-06-02")),
                ("数据科技", ("4-04-05-05", "4-07-02-05")), ("呼叫中心服务", ("4-04-05-03",)),
                ("数字建造科技", ("4-08-08-23",)), ("物联网科技", ("6-25-04-09", "4-04-04-02"))],
    "green": [("环保科技", ("4-09-07-04", "6-28-03-03", "4-09-07-01")), ("再生资源", ("4-01-04-00", "6-22-02-02")),
              ("报废汽车回收拆解", ("6-22-02-02",)), ("水务", ("4-09-07-01", "6-28-03-03")),
              ("环境卫生服务", ("4-09-08-02",)), ("园林绿化工程", ("4-09-10-01",)),
              ("综合能源服务", ("4-11-01-03",))],
    "construction": [("建筑工程", None), ("建设工程", None), ("装饰工程", ("6-29-04-01",))],
    "retail": [("商贸", None), ("超市", ("4-01-02-03", "4-01-02-04", "4-02-06-02"))],
    "personal_services": [("美容", ("4-10-03-01", "4-10-03-03")), ("茶楼", ("4-03-02-07",)),
                          ("烘焙", ("4-03-02-04", "4-03-02-02")), ("宠物服务", ("4-10-07-03",))],
    "agriculture": [("农业开发", None), ("农业专业合作社", None)],
}

# Syllables for synthetic trade names (字号); pairs that are well-known real brands are refused.
TRADE_NAME_A = "渝川嘉鑫泓瑞恒盛华达宏源泰邦诚信德丰益祥润博创锦航锐峰凯辉鼎巴缙峡翔宸铭弘晟昊聚合众汇裕兴振展腾亿佳骏"
TRADE_NAME_B = "泓瑞恒盛达宏源泰邦诚信德丰益祥润博创锦航锐峰凯辉鼎翔宸铭弘晟昊聚众汇裕兴振展腾佳骏川欣卓越远"
REAL_BRANDS = ("长安", "宗申", "隆鑫", "力帆", "嘉陵", "建设", "太极", "智飞", "华邦", "京东", "惠科", "鑫源", "华峰",
               "万国", "华润", "恒大", "博奥", "瑞丰", "华达", "渝丰", "川仪", "宏达", "聚众", "兴达")
ROAD_WORDS = ("创业", "兴业", "科创", "金桥", "腾飞", "致远", "同心", "新城", "康宁", "长青", "滨江", "锦绣", "朝阳",
              "翠柏", "启航", "星光", "振兴", "和顺", "永安", "富民")
ORG_SUFFIX = (("有限公司", 70), ("有限责任公司", 15), ("股份有限公司", 5))

SURNAMES = (("陈", 8), ("李", 7), ("刘", 7), ("张", 6), ("王", 6), ("杨", 5), ("黄", 4), ("周", 4), ("吴", 3),
            ("罗", 3), ("谭", 3), ("何", 3), ("唐", 3), ("徐", 2), ("赵", 2), ("胡", 2), ("彭", 2), ("邓", 2),
            ("曾", 2), ("冉", 1.5), ("向", 1.5), ("蒋", 1.5), ("余", 1.5), ("田", 1.5), ("朱", 1.5), ("秦", 1),
            ("冯", 1), ("汪", 1), ("龚", 1), ("熊", 1), ("杜", 1), ("郑", 1), ("廖", 1), ("袁", 1), ("牟", 1),
            ("付", 1), ("任", 1), ("邹", 1), ("夏", 1), ("钟", 1), ("孙", 1), ("马", 1), ("高", 1), ("林", 1),
            ("梁", 1), ("宋", 1), ("郭", 1), ("谢", 1), ("肖", 1), ("龙", 0.8), ("石", 0.8), ("文", 0.8),
            ("雷", 0.8), ("苏", 0.8), ("程", 0.8), ("姚", 0.8), ("蒲", 0.6), ("韦", 0.5))
GIVEN_MALE = "伟强军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆磊洋林峰海东亮成龙旭阳博文志建国兵川渝松"
GIVEN_FEMALE = "芳娟敏静丽艳婷霞燕玲娜琴梅雪莉红兰萍倩璐佳欣怡月慧颖洁丹蓉英琳瑶雯悦春秀"
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                  "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188", "189")

# Ethnic composition where it differs from the city-wide ~98% 汉族 (approximate shares).
ETHNIC_MIX = {
    "石柱土家族自治县": (("土家族", 0.7),), "秀山土家族苗族自治县": (("土家族", 0.5), ("苗族", 0.12)),
    "酉阳土家族苗族自治县": (("土家族", 0.6), ("苗族", 0.15)), "彭水苗族土家族自治县": (("苗族", 0.45), ("土家族", 0.15)),
    "黔江区": (("土家族", 0.5), ("苗族", 0.1)), "武隆区": (("土家族", 0.08), ("苗族", 0.05)),
}

# Priority groups of trainees (share among those in a group) and birth-year ranges.
GROUP_SHARE = {"农民工": 30, "登记失业人员": 15, "毕业年度高校毕业生": 15, "离校未就业青年": 9, "脱贫人口": 12,
               "返岗女性": 10, "退役军人": 6, "残疾人": 3}
BIRTH_YEARS = {"毕业年度高校毕业生": (2001, 2004), "离校未就业青年": (1999, 2004), "农民工": (1970, 2000),
               "登记失业人员": (1972, 1998), "脱贫人口": (1970, 2000), "退役军人": (1990, 2002), "残疾人": (1975, 2000),
               "返岗女性": (1978, 1995), None: (1975, 2003)}
PRIORITY_SHARE = 0.63
CONSENT_SHARE = 0.75

# 准入类 (持证上岗) occupations: the certificate is a legal precondition, so postings mark it mandatory.
# Value: how the permit is called in posting text ({level} is filled in when a level applies).
MANDATORY = {
    "6-31-01-03": "电工特种作业操作证（低压电工作业）",
    "6-18-02-04": "焊工特种作业操作证（熔化焊接与热切割作业）",
    "6-30-05-01": "特种设备作业人员证（叉车司机N1）",
    "6-30-05-02": "特种设备作业人员证（起重机Q）",
    "4-07-05-03": "消防设施操作员{level}证书",
    "6-29-03-03": "特种设备作业人员证（电梯修理T）",
    "4-02-04-06": "民用无人机操控员执照",
    "6-28-01-11": "特种设备作业人员证（锅炉G1）",
    "6-29-03-05": "特种作业操作证（制冷与空调作业）",
    "4-07-05-01": "保安员证",
}
PERMIT_ONLY = {"6-30-05-01", "6-30-05-02", "6-29-03-03", "4-02-04-06", "6-28-01-11", "6-29-03-05", "4-07-05-01"}
# Extra certificate some postings ask for: (occupation, mandatory).
SECONDARY_CERT = {
    "6-31-01-10": ("6-31-01-03", True), "6-28-01-10": ("6-31-01-03", True), "6-28-01-12": ("6-31-01-03", True),
    "6-28-01-14": ("6-31-01-03", True), "4-06-01-01": ("4-07-05-03", False), "4-07-05-01": ("4-07-05-03", False),
    "6-31-07-01": ("6-31-01-03", False), "6-22-02-01": ("6-31-01-03", False), "4-02-06-01": ("6-30-05-01", False),
    "4-02-05-01": ("6-30-05-01", False), "4-10-01-05": ("4-14-01-02", False), "4-10-01-06": ("4-10-01-03", False),
    "6-31-01-02": ("6-18-02-04", False), "4-12-01-01": ("4-12-01-03", False),
}
# Title words for occupations whose CSCO name/工种 list would mislead (a garment factory has no tower crane).
TITLE_NAMES = {"6-30-05-01": ("叉车司机", "叉车工", "行车工", "起重装卸机械操作工"),
               "6-30-05-02": ("起重工", "吊车司机")}
# Occupation-specific requirements that are lawful and common (健康证 for food and childcare work is required by
# law and is not health discrimination; a lint must not flag it).
EXTRA_REQUIREMENTS = {
    "4-02-02-02": "持A2/B2驾驶证及道路货物运输从业资格证", "4-10-08-01": "自备电动车，熟悉本地路况",
    "4-02-07-08": "会骑电动三轮车，熟悉本地路况", "4-04-05-03": "普通话标准，打字每分钟40字以上",
    "4-03-02-01": "持健康证", "4-03-02-05": "持健康证", "4-03-02-02": "持健康证", "4-10-01-03": "持健康证",
    "4-10-01-06": "持健康证", "6-02-05-02": "持健康证", "6-01-04-03": "持健康证", "6-02-03-01": "持健康证",
}

# Jobs any factory posts regardless of its industry.
GENERIC_FACTORY_JOBS = ("6-31-01-03", "6-30-05-01", "4-02-06-01", "6-31-03-05", "6-31-01-02", "4-07-05-01",
                        "6-31-05-00", "6-18-02-04")

# Tickets people add to their main trade.
CROSS_TRADE = ("6-31-01-03", "6-30-05-01", "4-07-05-03", "6-18-02-04", "4-01-06-02", "4-02-04-06")

# Low-threshold jobs (titles like 普工, levels rarely asked) and office/digital jobs.
ENTRY_JOBS = {"6-22-01-01", "6-25-04-07", "6-25-03-00", "6-25-04-02", "6-31-05-00", "6-05-01-03", "6-05-01-04",
              "4-02-07-08", "4-10-08-01", "4-09-08-01", "4-03-02-05", "4-02-05-01", "4-02-06-02", "4-03-01-01",
              "4-01-02-03", "4-01-02-04", "6-24-05-04", "6-22-01-02", "4-01-04-00", "4-09-08-02", "6-01-06-00",
              "6-02-05-08", "6-01-04-01", "4-04-05-03", "6-21-06-04", "6-24-02-04", "6-25-02-03", "4-07-05-01"}
OFFICE_PREFIXES = ("2-", "4-04-", "4-07-02", "4-01-06", "4-13-01-05", "4-08-08-23", "4-09-07-04")

# Monthly pay (CNY) for an entry-level / 五级 posting in a typical district; scaled by level and district.
PAY_BANDS = {
    "6-31-01-03": (5000, 7000), "6-18-02-04": (5500, 7500), "6-22-02-01": (4800, 6800), "6-22-01-01": (4500, 6000),
    "6-18-03-03": (5000, 7000), "6-20-01-01": (4800, 6500), "6-18-01-12": (4500, 6200), "6-24-04-00": (4500, 6500),
    "6-31-07-03": (5500, 7500), "6-31-07-01": (6000, 8500), "4-12-01-01": (4500, 7000), "4-12-01-03": (5500, 8000),
    "6-31-03-05": (4200, 5800), "6-25-04-07": (4000, 5800), "6-25-03-00": (4000, 5800), "6-31-05-00": (3800, 5000),
    "6-18-01-07": (5500, 8000), "6-18-01-01": (5000, 7000), "6-18-01-02": (5000, 7000), "6-31-01-02": (5200, 7500),
    "6-18-04-01": (5500, 8000), "4-04-05-01": (7000, 11000), "4-04-05-02": (6000, 9000), "4-04-05-03": (3800, 5500),
    "4-04-05-05": (4000, 6000), "4-10-01-05": (3500, 5500), "4-10-01-03": (3500, 5000), "4-10-01-06": (4500, 7500),
    "4-14-01-02": (3800, 5500), "4-09-08-01": (2600, 3600), "4-07-05-01": (3200, 4500), "4-07-05-03": (3500, 5000),
    "4-02-07-08": (5000, 8000), "4-10-08-01": (5000, 9000), "4-02-06-01": (4200, 6000), "6-30-05-01": (5000, 7000),
    "4-02-05-01": (4500, 6500), "4-02-06-02": (3800, 5200), "4-03-02-01": (4500, 7500), "4-03-02-05": (3300, 4500),
    "4-03-01-01": (3300, 4500), "4-10-03-02": (4000, 8000), "4-06-01-01": (4000, 6000), "6-29-03-03": (5500, 8000),
    "4-02-02-02": (6000, 9000), "6-31-01-10": (4800, 6800), "4-02-04-06": (5000, 8500), "4-01-06-02": (4500, 9000),
    "4-01-06-01": (4500, 7000), "6-12-03-00": (4500, 6500), "6-25-02-03": (4500, 6500), "6-28-01-10": (5000, 7000),
    "4-01-02-03": (3500, 5000), "4-01-02-04": (3000, 4200), "4-09-10-01": (3000, 4200), "4-09-08-02": (3200, 4500),
    "6-05-01-03": (4000, 6500), "4-14-01-03": (4000, 6000), "4-10-01-01": (3800, 5500),
}
DEFAULT_PAY = {"4-04": (6000, 9000), "6": (4200, 6000), "4": (3800, 5500), "2": (7000, 11000), "5": (3500, 5200)}
LEVEL_PAY = {None: 1.0, Level.APPRENTICE: 0.85, Level.L5: 1.0, Level.L4: 1.2, Level.L3: 1.45, Level.L2: 1.8,
             Level.L1: 2.2}

# Level asked for by kind of job: weights over (None, 五级, 四级, 三级, 二级, 一级).
LEVELS = (None, Level.L5, Level.L4, Level.L3, Level.L2, Level.L1)
POSTING_LEVEL_WEIGHTS = {"entry": (55, 35, 10, 0, 0, 0), "trade": (12, 22, 38, 20, 6, 2),
                         "office": (45, 15, 25, 12, 3, 0)}
COURSE_LEVEL_WEIGHTS = (0, 45, 36, 15, 3.5, 0.5)
MIN_EXPERIENCE = {None: (0, 0), Level.L5: (0, 1), Level.L4: (1, 3), Level.L3: (3, 5), Level.L2: (5, 8),
                  Level.L1: (8, 10)}
EDUCATION = {"entry": (("不限", 40), ("初中及以上", 50), ("高中/中专/技校及以上", 10)),
             "trade": (("初中及以上", 30), ("高中/中专/技校及以上", 55), ("大专及以上", 15)),
             "office": (("高中/中专/技校及以上", 20), ("大专及以上", 60), ("本科及以上", 20))}

SHIFTS = {
    "factory": (("长白班", 3), ("两班倒", 4), ("三班倒", 2), ("做六休一", 2), ("四班三倒", 1)),
    "care": (("三班倒", 3), ("排班制", 3), ("做一休一", 1), ("白班", 2)),
    "housekeeping": (("住家", 3), ("不住家（白班）", 3), ("钟点工", 1)),
    "service": (("做六休一", 4), ("做五休二", 2), ("排班制", 3), ("早晚班", 2), ("做一休一", 1)),
    "office": (("做五休二", 5), ("弹性工作制", 2), ("做六休一", 2)),
}
BENEFITS = (("五险一金", 45), ("五险", 35), ("包住", 30), ("提供员工宿舍", 15), ("包吃", 20), ("餐补", 25),
            ("免费工作餐", 15), ("交通补贴", 15), ("厂车接送", 10), ("年终奖", 25), ("节日福利", 30), ("带薪年假", 20),
            ("技能等级津贴", 15), ("岗前带薪培训", 20), ("全勤奖", 20), ("高温补贴", 10), ("加班费按劳动法支付", 15),
            ("定期体检", 10))
SOFT_REQUIREMENTS = ("责任心强，服从安排", "吃苦耐劳，有团队合作精神", "能适应倒班", "有相关工作经验者优先",
                     "会使用电脑及办公软件", "接受应届毕业生", "欢迎退役军人报名", "可提供岗前培训",
                     "沟通表达能力好", "遵守安全操作规程")
CARE_SOFT = ("有耐心和爱心", "沟通表达能力好", "可提供岗前培训")
NEUTRAL_PHRASE = "男女不限"  # a deliberate negative example for the posting lint

# Realistic discriminatory phrases (illegal under 就业促进法 / 网络招聘服务管理规定), planted in ~2% of postings
# so that a posting lint has something to find. Listed in README and manifest.json.
DISCRIMINATORY_PHRASES = ("限男性", "限女性", "年龄35岁以下", "年龄18-30周岁", "限本地户籍", "已婚已育优先", "无乙肝",
                          "乙肝携带者勿扰")
DISCRIMINATORY_SHARE = 0.02

# Training supply bias: subsidised courses cluster in a few popular occupations and lag in factory trades.
COURSE_BIAS = {
    "4-10-01-05": 3, "4-10-01-03": 3, "4-10-01-06": 3, "4-03-02-01": 2.5, "6-31-01-03": 2.5, "4-07-05-03": 2.5,
    "6-18-02-04": 1.8, "4-10-03-02": 1.5, "4-10-03-01": 2, "4-03-02-02": 2, "4-03-02-07": 1.2, "4-03-02-04": 1.5,
    "4-01-06-01": 2, "4-01-06-02": 2.5, "4-02-04-06": 2, "6-30-05-01": 1.5, "4-07-05-01": 1.2, "4-14-01-03": 1.5,
    "4-14-01-02": 1.5, "4-04-05-05": 1.5, "4-12-01-01": 1.5, "6-29-04-01": 1.2, "5-05-01-02": 1.2, "4-10-01-01": 1.2,
    "4-10-07-03": 0.8,
    "6-31-07-03": 0.8, "6-18-01-07": 0.8, "6-12-03-00": 0.8, "6-22-02-01": 0.8, "4-12-01-03": 1.2,
}
DEFAULT_COURSE_BIAS = 0.5
ALWAYS_TRAINED = ("6-31-01-03", "6-18-02-04", "4-10-01-05", "4-10-01-03", "4-10-01-06", "4-07-05-03", "4-03-02-01",
                  "6-30-05-01", "4-02-04-06", "4-01-06-02", "6-22-02-01", "6-12-03-00", "4-12-01-01")
NONTARGET_COURSE_SHARE = 0.2  # weight of non-target occupations among school courses
NONTARGET_TRACK_SHARE = 0.22  # … and among what trainees want to train for
UNMET_SHARE = 0.22  # share of demanded occupations (outside the top 12) that get no course at all
COURSE_SUFFIXES = (("技能提升培训", 3), ("取证培训班", 3), ("项目制培训", 3), ("订单式培训班", 2), ("岗前培训", 2),
                   ("转岗培训", 1), ("“三单式”培训班", 1))
PROVIDER_KINDS = (("技工院校", 10), ("民办职业技能培训学校", 37), ("企业培训中心", 13))

# Short skill phrases per occupation, so postings, trainees and courses share one vocabulary.
# Occupations not listed fall back to phrases cut from their CSCO tasks text.
SKILLS: dict[str, tuple[str, ...]] = {
    "6-31-01-03": ("低压电气安装", "电气识图", "电气设备维修", "PLC编程", "变频器调试", "配电柜接线", "照明线路安装", "电气安全操作"),
    "6-18-02-04": ("二氧化碳气体保护焊", "氩弧焊", "手工电弧焊", "焊接识图", "焊缝质量检验", "机器人焊接", "气割"),
    "6-22-02-01": ("整车装配", "扭矩拧紧", "底盘装调", "电气线束装配", "四轮定位", "整车检测", "装配工艺文件识读"),
    "6-22-01-01": ("流水线作业", "零部件装配", "5S现场管理", "工装夹具使用", "自检互检"),
    "6-22-01-02": ("内饰件装配", "注塑件修整", "包覆工艺", "外观检验"),
    "6-18-03-03": ("喷涂作业", "涂装前处理", "涂层质量检验", "喷枪调试", "打磨修补"),
    "6-20-01-01": ("钳工基本操作", "机械识图", "部件装配", "量具使用", "装配精度调整"),
    "6-18-01-12": ("冲压设备操作", "模具安装调试", "钣金折弯", "首件检验"),
    "6-24-04-00": ("电芯装配", "极片涂布", "化成分容", "电池模组装配", "电池性能测试", "洁净车间操作"),
    "6-31-07-03": ("工业机器人示教编程", "工业机器人操作", "离线编程", "工作站调试", "机器人安全操作"),
    "6-31-07-01": ("机器人故障诊断", "机器人维护保养", "PLC编程", "电气识图", "工作站调试"),
    "6-31-07-02": ("视觉系统调试", "相机标定", "视觉检测程序维护"),
    "4-12-01-01": ("发动机维修", "底盘维修", "汽车电路检修", "故障诊断仪使用", "汽车保养", "钣金喷漆"),
    "4-12-01-03": ("动力电池检测", "高压安全防护", "电池管理系统诊断", "新能源汽车维修"),
    "4-08-05-05": ("机动车安全检测", "尾气检测", "检测设备操作"),
    "6-31-03-05": ("来料检验", "首件检验", "量具使用", "品质异常处理", "检验记录填写", "质量管理体系"),
    "6-25-04-07": ("电子元器件识别", "手工焊接", "SMT贴片", "插件装配", "电路板检测", "静电防护"),
    "6-25-03-00": ("整机装配", "笔记本电脑组装", "整机测试", "BIOS设置", "静电防护"),
    "6-25-04-08": ("电路调试", "示波器使用", "故障排查", "测试程序运行"),
    "6-25-04-02": ("手机组装", "功能测试", "静电防护", "贴膜与包装"),
    "6-25-01-13": ("电镀", "曝光显影", "蚀刻", "AOI检测"),
    "6-25-04-05": ("智能硬件装配", "固件烧录", "功能调试", "传感器接线"),
    "6-31-05-00": ("产品包装", "贴标打包", "装箱码垛", "包装机操作"),
    "6-18-01-07": ("数控编程", "加工中心操作", "机械识图", "刀具选用", "量具使用", "CAD/CAM"),
    "6-18-01-01": ("普通车床操作", "数控车床编程", "机械识图", "量具使用"),
    "6-18-01-02": ("数控铣床操作", "铣削编程", "机械识图", "量具使用"),
    "6-31-01-02": ("设备维修", "设备点检", "液压气动维修", "钳工基本操作", "机械识图"),
    "6-18-04-01": ("模具装配", "模具维修", "注塑模具调试", "机械识图"),
    "6-18-01-13": ("3D打印设备操作", "三维建模", "打印件后处理"),
    "6-02-05-02": ("火锅底料炒制", "配料称量", "食品生产卫生规范", "灌装封口"),
    "6-02-05-08": ("腌制发酵", "原料清洗切分", "食品生产卫生规范", "包装封口"),
    "6-01-04-03": ("肉品分割", "腌制卤制", "食品生产卫生规范", "冷链操作"),
    "6-01-04-01": ("屠宰分割", "检疫配合", "冷链操作"),
    "6-01-06-00": ("分拣清洗", "果蔬加工", "食品生产卫生规范"),
    "6-02-03-01": ("面条制作", "和面压面", "食品生产卫生规范"),
    "6-02-06-03": ("制曲", "蒸馏摘酒", "发酵管理", "白酒勾调"),
    "6-02-06-10": ("杀青揉捻", "茶叶烘焙", "茶叶分级"),
    "6-02-01-01": ("面包制作", "裱花", "烘焙设备使用"),
    "6-02-06-09": ("饮料调配", "灌装设备操作", "杀菌"),
    "4-08-05-01": ("理化检验", "微生物检验", "抽样", "检验报告编制"),
    "4-04-05-01": ("Java", "Python", "前端开发", "SQL", "Git"),
    "4-04-05-02": ("测试用例设计", "功能测试", "自动化测试", "缺陷管理"),
    "4-04-05-03": ("电话客服", "客户投诉处理", "普通话", "办公软件", "CRM系统"),
    "4-04-05-05": ("数据标注", "数据清洗", "标注规范", "办公软件", "大模型对话标注"),
    "4-04-04-01": ("网络设备配置", "网络故障排查", "机房巡检", "综合布线"),
    "4-04-05-04": ("SQL", "数据库备份恢复", "MySQL", "性能监控"),
    "4-04-04-02": ("安全设备配置", "漏洞扫描", "等级保护", "日志分析"),
    "4-04-04-03": ("服务器运维", "Linux", "虚拟化", "机房巡检"),
    "6-25-02-03": ("洁净车间操作", "面板检测", "偏光片贴附", "模组组装"),
    "6-11-08-24": ("涂布", "洁净车间操作", "膜材检测"),
    "6-15-03-05": ("玻璃切割", "研磨抛光", "外观检验"),
    "6-21-04-01": ("设备装配调试", "电气识图", "气路调试"),
    "6-23-04-01": ("整车装配", "发动机装配", "扭矩拧紧", "整车调试"),
    "6-20-02-02": ("发动机装配", "台架试验", "扭矩拧紧"),
    "4-12-01-02": ("摩托车发动机维修", "电路检修", "摩托车保养"),
    "6-23-04-02": ("整车装配", "电气线束装配", "整车调试"),
    "6-18-02-01": ("压铸机操作", "熔炼浇注", "模具安装", "铸件检验"),
    "6-17-09-09": ("挤压机操作", "模具更换", "型材检验"),
    "6-17-09-02": ("轧机操作", "板带检验", "天车配合"),
    "6-17-06-02": ("电解槽操作", "出铝作业", "安全生产"),
    "6-17-06-03": ("冶炼操作", "安全生产"),
    "6-17-09-10": ("铸轧机操作", "板坯检验"),
    "6-17-09-05": ("热处理炉操作", "硬度检测", "工艺参数控制"),
    "6-31-03-02": ("拉伸试验", "硬度检测", "金相分析"),
    "6-30-05-01": ("叉车驾驶", "行车操作", "货物装卸", "安全检查"),
    "6-05-01-03": ("平车操作", "服装缝制", "包缝", "看图做样"),
    "6-04-03-03": ("织机操作", "断经断纬处理"),
    "6-04-02-01": ("细纱操作", "接头"),
    "6-05-01-04": ("熨烫整型", "成品包装"),
    "6-05-01-01": ("服装制版", "CAD放码", "样衣制作"),
    "6-04-06-02": ("配色", "染色工艺", "色差检验"),
    "6-13-02-01": ("纺丝操作", "卷绕"),
    "6-12-03-00": ("固体制剂生产", "压片", "包衣", "GMP规范", "洁净区操作", "设备清洁验证"),
    "6-12-01-00": ("合成反应操作", "GMP规范", "安全生产"),
    "6-12-05-02": ("发酵罐操作", "无菌操作", "GMP规范"),
    "6-12-05-05": ("细胞培养", "蛋白纯化", "无菌操作", "GMP规范"),
    "6-12-02-00": ("中药饮片炮制", "净选切制", "GMP规范"),
    "4-08-05-04": ("HPLC", "理化检验", "微生物检验", "GMP规范"),
    "6-31-03-03": ("生化检验", "仪器分析", "检验报告编制"),
    "4-01-05-02": ("药品销售", "客户维护", "GSP规范"),
    "6-24-02-04": ("串焊", "层压", "EL检测", "组件装框"),
    "6-28-01-10": ("光伏电站巡检", "逆变器维护", "电气倒闸操作"),
    "6-28-01-12": ("风机巡检", "登高作业", "电气倒闸操作"),
    "6-28-01-14": ("倒闸操作", "变配电巡检", "继电保护"),
    "4-11-01-03": ("充电桩运维", "能效评估", "用电咨询"),
    "6-20-02-04": ("机舱装配", "螺栓紧固", "装配工艺文件识读"),
    "4-10-01-05": ("生活照料", "压疮护理", "失智老人照护", "康复训练", "急救技能", "用药协助"),
    "4-10-01-03": ("婴幼儿生活照料", "辅食制作", "早期教育", "婴幼儿急救", "卫生消毒"),
    "4-14-01-02": ("病患生活照料", "协助翻身移位", "基础护理", "消毒隔离"),
    "4-14-01-03": ("健康照护", "康复护理", "慢病管理", "生活照料"),
    "4-10-01-01": ("早期教育", "亲子活动组织", "婴幼儿观察评估"),
    "4-14-02-05": ("老年人能力评估", "评估报告撰写", "沟通技巧"),
    "4-14-02-02": ("健康档案管理", "健康评估", "慢病管理"),
    "4-10-04-02": ("保健按摩", "推拿手法", "经络穴位"),
    "4-03-02-06": ("营养配餐", "膳食搭配", "食品安全"),
    "4-10-01-06": ("家庭保洁", "家常菜烹饪", "母婴护理", "衣物洗涤收纳", "老人陪护"),
    "4-09-08-01": ("日常保洁", "清洁设备使用", "地面养护", "垃圾分类"),
    "4-10-02-02": ("衣物分类洗涤", "去渍", "熨烫"),
    "4-12-03-01": ("空调安装维修", "洗衣机维修", "家电故障诊断"),
    "4-02-04-06": ("无人机操控", "航线规划", "航拍", "植保作业", "无人机维护"),
    "6-23-03-15": ("无人机组装", "飞控调试", "故障检修"),
    "4-08-03-07": ("航测", "像控测量", "测绘数据处理"),
    "6-31-02-02": ("航空器维护", "维修手册识读", "工具使用"),
    "6-23-03-01": ("铆接", "部件装配", "装配工艺文件识读"),
    "4-02-06-01": ("出入库管理", "WMS系统操作", "库存盘点", "叉车驾驶", "办公软件"),
    "4-02-07-08": ("快件派送", "揽收", "手持终端操作", "客户沟通"),
    "4-10-08-01": ("即时配送", "路线规划", "电动车驾驶", "平台接单"),
    "4-02-05-01": ("货物装卸", "搬运", "码垛"),
    "4-02-06-02": ("分拣", "理货", "扫码", "盘点"),
    "4-07-05-01": ("门岗值守", "巡逻", "监控值守", "消防器材使用", "应急处置"),
    "4-07-05-03": ("消防控制室值守", "火灾自动报警系统", "自动灭火系统操作", "消防设施维护保养", "应急处置"),
    "4-03-02-01": ("川菜烹饪", "刀工", "火锅调料", "凉菜制作", "食品安全"),
    "4-03-02-05": ("点菜服务", "传菜", "收银", "礼仪接待"),
    "4-06-01-01": ("客户服务", "物业收费", "设施巡检", "办公软件"),
    "6-29-03-03": ("电梯安装", "电梯维护保养", "电梯故障排除", "电气识图"),
    "4-02-02-02": ("货车驾驶", "车辆日常检查", "安全驾驶"),
    "6-31-01-10": ("水电维修", "设备巡检", "电气设备维修", "空调维修"),
    "4-03-01-01": ("前台接待", "入住办理", "酒店管理系统"),
    "4-10-03-02": ("剪发", "烫染", "造型设计"),
    "4-01-06-02": ("直播带货", "短视频拍摄剪辑", "直播运营", "话术撰写"),
    "4-01-06-01": ("网店运营", "商品上架", "数据分析", "网店客服"),
    "4-07-02-05": ("Excel数据分析", "SQL", "数据可视化", "报表撰写"),
    "4-13-01-05": ("新媒体运营", "文案撰写", "短视频拍摄剪辑", "活动策划"),
    "4-08-08-23": ("BIM建模", "Revit", "建筑识图", "碰撞检查"),
    "6-25-04-09": ("物联网设备安装", "网络配置", "传感器接线", "设备调试"),
    "4-09-07-04": ("碳排放核算", "碳盘查", "能源数据管理"),
    "4-01-04-00": ("分拣", "废旧物资鉴别", "打包"),
    "6-22-02-02": ("报废汽车拆解", "动力电池拆卸", "危废管理"),
    "4-09-07-01": ("污水处理设备运行", "水质化验", "设备巡检"),
    "6-28-03-03": ("废水处理工艺运行", "加药", "水质检测"),
    "4-09-08-02": ("垃圾收运", "跟车作业", "垃圾分类"),
    "4-09-10-01": ("绿化养护", "苗木修剪", "植物病虫害防治"),
    "6-29-01-04": ("钢筋加工", "钢筋绑扎", "建筑识图"),
    "6-29-01-01": ("砌砖", "抹灰", "建筑识图"),
    "6-29-04-01": ("木工", "油漆", "水电安装", "瓷砖铺贴"),
    "6-29-01-05": ("脚手架搭设", "登高作业"),
    "6-29-01-03": ("混凝土浇筑", "振捣养护"),
    "6-29-02-15": ("管道安装", "管道试压", "建筑识图"),
    "4-01-02-03": ("商品陈列", "导购", "收银"),
    "4-01-02-01": ("客户开发", "销售谈判", "办公软件"),
    "4-01-02-04": ("收银系统操作", "点钞"),
    "4-10-03-01": ("皮肤护理", "美容仪器操作", "化妆"),
    "4-10-03-03": ("美甲", "美睫"),
    "4-03-02-07": ("茶艺表演", "茶叶冲泡", "茶叶鉴别"),
    "4-03-02-04": ("西点制作", "裱花", "面包制作"),
    "4-03-02-02": ("面点制作", "小面制作", "馅心调制"),
    "5-05-01-02": ("合作社管理", "农产品电商", "农业技术推广"),
    "4-10-07-03": ("宠物洗护", "宠物造型修剪"),
    "5-01-02-03": ("菌种培育", "出菇管理"),
}
GENERIC_SKILLS = ("办公软件", "C1驾驶证", "电动车驾驶", "智能手机应用", "普通话")

# Share of female trainees by occupation (statistics only; never used by matching).
FEMALE_SHARE = {"4-10-01-05": 0.85, "4-10-01-03": 0.95, "4-10-01-06": 0.9, "4-10-01-01": 0.95, "4-14-01-02": 0.75,
                "4-14-01-03": 0.85, "4-10-03-02": 0.5, "4-10-03-01": 0.9, "4-10-03-03": 0.95, "6-05-01-03": 0.8,
                "6-25-04-07": 0.55, "4-03-02-05": 0.65, "4-04-05-03": 0.7, "4-01-06-01": 0.6, "4-01-06-02": 0.6,
                "4-04-05-05": 0.55, "4-07-05-03": 0.5, "4-09-08-01": 0.6, "4-03-02-07": 0.8, "6-31-01-03": 0.05,
                "6-18-02-04": 0.05, "6-30-05-01": 0.05, "4-12-01-01": 0.05, "6-18-01-07": 0.1, "4-02-04-06": 0.15,
                "4-07-05-01": 0.1, "4-02-07-08": 0.1, "4-10-08-01": 0.1, "4-02-02-02": 0.03}


# ================================================================================================
# Small helpers
# ================================================================================================

def _pick(rng: random.Random, weighted):  # type: ignore[no-untyped-def]
    """One item from a sequence of (item, weight) pairs."""
    items, weights = zip(*weighted)
    return rng.choices(items, weights=weights)[0]


def _scaled(n: int, scale: float, minimum: int) -> int:
    return max(minimum, round(n * scale))


def _short(d: District) -> str:
    """'璧山区' → '璧山', '石柱土家族自治县' → '石柱', '两江新区' → '两江'."""
    special = {"两江新区": "两江", "高新区": "高新", "万盛经开区": "万盛", "忠县": "忠县"}
    if d.name in special:
        return special[d.name]
    return re.sub(r"(土家族苗族|苗族土家族|土家族)?自治县$|区$|县$", "", d.name)


def _point_near(rng: random.Random, lon0: float, lat0: float, spread: float) -> tuple[float, float]:
    """A point jittered around (lon0, lat0) by about `spread` degrees, kept inside Chongqing's bounding box."""
    for _ in range(30):
        lon = lon0 + rng.gauss(0, spread)
        lat = lat0 + rng.gauss(0, spread * 0.85)
        if abs(lon - lon0) <= 3 * spread and abs(lat - lat0) <= 3 * spread and in_chongqing(lon, lat):
            return round(lon, 6), round(lat, 6)
    return round(lon0, 6), round(lat0, 6)


def _spread(d: District) -> float:
    return 0.025 if d.name in MAIN_URBAN else 0.05


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))


def _round_to(x: float, step: int) -> int:
    return int(round(x / step) * step)


def id_checksum(body17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits of an ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def _compact(d: dict) -> dict:
    """Drop None values (top level and inside lists of dicts) so the files stay lean."""
    out = {}
    for k, v in d.items():
        if v is None:
            continue
        if isinstance(v, list):
            v = [_compact(x) if isinstance(x, dict) else x for x in v]
        elif isinstance(v, dict):
            v = _compact(v)
        out[k] = v
    return out


def _gongzhong() -> dict[str, list[str]]:
    """CSCO code → everyday 工种 names from data/gongzhong.csv."""
    import csv

    path = resources.files("matcher.catalogues") / "data" / "gongzhong.csv"
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["code"], []).append(row["gongzhong"])
    return out


def _job_kind(code: str) -> str:
    if code in ENTRY_JOBS:
        return "entry"
    if code.startswith(OFFICE_PREFIXES):
        return "office"
    return "trade"


# ================================================================================================
# The world
# ================================================================================================

@dataclass
class Employer:
    name: str
    district: District
    industry: Industry
    occupations: tuple[str, ...]
    lon: float
    lat: float
    address: str
    size: float
    manufacturing: bool


@dataclass
class Provider:
    name: str
    kind: str
    district: District
    employer: Employer | None = None


@dataclass
class _CourseInfo:
    row: dict
    level: Level
    district: District
    duration_days: int


@dataclass
class _TraineeInfo:
    row: dict
    district: District
    track: str  # the occupation the trainee is aiming for
    certs: list[tuple[str, Level, dt.date]] = field(default_factory=list)
    completed_at: dt.date | None = None  # end of the latest completed course
    last_occupation: str | None = None
    has_record: bool = False


class _World:
    """Builds the demo world step by step from one random generator (the order of steps is part of the
    determinism contract: do not reorder without accepting that every file changes)."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        self.occ = load_occupations()
        self.districts = load_districts()
        self.all_districts = self.districts.administrative + self.districts.zones
        self.industries = {i.id: i for i in (*load_industries(), *OTHER_INDUSTRIES)}
        self.gongzhong = _gongzhong()
        self.target_occupations = {c for ind in load_industries() for c in ind.occupations}
        self.used_names: dict[str, None] = {}
        self.discriminatory_ids: list[str] = []
        self.n = {k: _scaled(v, scale, m) for (k, v), m in zip(BASE_COUNTS.items(), (8, 30, 30, 6, 15))}

    # ---- naming ----------------------------------------------------------------------------------
    def trade_name(self) -> str:
        rng = self.rng
        while True:
            a, b = rng.choice(TRADE_NAME_A), rng.choice(TRADE_NAME_B)
            name = a + b
            if a != b and name not in REAL_BRANDS:
                return name

    def unique(self, make) -> str:  # type: ignore[no-untyped-def]
        for _ in range(200):
            name = make()
            if name not in self.used_names:
                self.used_names[name] = None
                return name
        raise RuntimeError("could not find a unique synthetic name")

    def employer_name(self, word: str, d: District) -> str:
        rng = self.rng

        def make() -> str:
            tn = self.trade_name()
            if word.endswith(("中心", "院", "园")):
                return f"重庆市{_short(d)}{tn}{word}"
            if word.endswith("合作社"):
                return f"重庆市{_short(d)}{tn}{word}"
            style = rng.random()
            suffix = _pick(rng, ORG_SUFFIX)
            if style < 0.7:
                return f"重庆{tn}{word}{suffix}"
            if style < 0.85:
                return f"重庆市{tn}{word}{suffix}"
            return f"{tn}{word}（重庆）有限公司"

        return self.unique(make)

    def address(self, d: District, manufacturing: bool) -> str:
        rng = self.rng
        road = rng.choice(ROAD_WORDS) + rng.choice(("路", "大道", "街", "路"))
        number = rng.randint(1, 399)
        if manufacturing and d.name not in ("渝中区",):
            return f"重庆市{d.name}{_short(d)}工业园区{road}{number}号"
        return f"重庆市{d.name}{road}{number}号"

    def person_name(self, female: bool) -> str:
        rng = self.rng
        chars = GIVEN_FEMALE if female else GIVEN_MALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.65 else "")
        return _pick(rng, SURNAMES) + given

    # ---- districts ---------------------------------------------------------------------------------
    def district_weights(self, industry: Industry) -> list[tuple[District, float]]:
        service = industry.id in SERVICE_BASED
        hot = HOTSPOTS.get(industry.id, {})
        out = []
        for d in self.all_districts:
            if service:
                base = POPULATION[d.name] * (0.25 if d.is_county and industry.id in ("software", "low_altitude")
                                             else 1.0)
                if industry.id == "agriculture" and d.name in MAIN_URBAN:
                    base *= 0.05
            else:
                base = MANUFACTURING_BASE.get(d.name, 0.4 if d.is_county else 0.8)
            out.append((d, base * hot.get(d.name, 1.0)))
        return out

    # ---- employers ------------------------------------------------------------------------------------
    def make_employers(self) -> list[Employer]:
        rng = self.rng
        shares = [(i, EMPLOYER_SHARE.get(i.id, NEW_STAR_SHARE)) for i in self.industries.values()]
        employers = []
        for _ in range(self.n["employers"]):
            ind = _pick(rng, shares)
            d = _pick(rng, self.district_weights(ind))
            word, subset = rng.choice(BUSINESS[ind.id])
            manufacturing = ind.is_manufacturing and ind.id not in SERVICE_BASED
            lon, lat = _point_near(rng, d.lon, d.lat, _spread(d))
            size = rng.choice((1, 1, 1, 2, 2, 3, 5, 8)) * (1.5 if ind.tier.startswith("万亿") else 1.0)
            employers.append(Employer(
                name=self.employer_name(word, d), district=d, industry=ind,
                occupations=subset or ind.occupations, lon=lon, lat=lat,
                address=self.address(d, manufacturing), size=size, manufacturing=manufacturing))
        return employers

    # ---- postings -------------------------------------------------------------------------------------
    def posting_occupation(self, emp: Employer) -> str:
        rng = self.rng
        if emp.manufacturing and rng.random() < 0.12:
            return rng.choice(GENERIC_FACTORY_JOBS)
        occs = emp.occupations
        return _pick(rng, [(c, 1 / math.sqrt(i + 1)) for i, c in enumerate(occs)])

    def title_names(self, o: Occupation) -> list[tuple[str, float]]:
        if o.code in TITLE_NAMES:
            return [(n, 1.0) for n in TITLE_NAMES[o.code]]
        names = [(o.name, 5.0)]
        names += [(g, 3.0) for g in self.gongzhong.get(o.code, [])]
        bad = ("/", "经理", "总监", "主管", "助理", "专员", "工程师", "研究", "管理", "老师", "培训", "设计", "(", "（")
        names += [(a, 1.0) for a in o.aliases
                  if a != o.name and 2 <= len(a) <= 8 and not any(b in a for b in bad)]
        return names

    def title(self, o: Occupation, level: Level | None, mandatory: bool, shift: str, d: District) -> str:
        rng = self.rng
        kind = _job_kind(o.code)
        if kind == "entry" and o.code.startswith("6-") and rng.random() < 0.15:
            base = rng.choice(("普工", "操作工", "生产普工", "装配普工")) + f"（{o.name}）"
        else:
            base = _pick(rng, self.title_names(o))
        r = rng.random()
        if level is not None and r < 0.35:
            base += f"（{rng.choice((level.short, level.label.split('/')[0]))}）"
        elif mandatory and r < 0.6:
            base += "（持证上岗）"
        elif level is None and kind == "trade" and r < 0.7:
            base += "学徒"
        elif r < 0.78:
            base += f"（{shift}）"
        if rng.random() < 0.07:
            base = "急招" + base
        elif rng.random() < 0.06:
            base = f"{_short(d)}·{base}"
        return base

    def skills_for(self, code: str, k_lo: int, k_hi: int) -> list[str]:
        vocab = self.skill_vocab(code)
        k = min(len(vocab), self.rng.randint(k_lo, k_hi))
        return self.rng.sample(vocab, k) if k else []

    def skill_vocab(self, code: str) -> list[str]:
        if code in SKILLS:
            return list(SKILLS[code])
        out = []
        for task in self.occ.get(code).tasks:
            s = task.split("，")[-1].strip("。；; ")
            s = re.sub(r"^(进行|从事|负责)", "", s)
            if 3 <= len(s) <= 12:
                out.append(s)
        return out[:6] or [self.occ.get(code).name + "操作"]

    def pay(self, code: str, level: Level | None, d: District) -> tuple[int, int]:
        rng = self.rng
        lo, hi = PAY_BANDS.get(code) or DEFAULT_PAY.get(code[:4]) or DEFAULT_PAY.get(code[0], (4000, 6000))
        factor = LEVEL_PAY[level]
        factor *= 1.05 if d.name in MAIN_URBAN else (0.88 if d.is_county else 1.0)
        factor *= rng.uniform(0.94, 1.06)
        lo_v, hi_v = _round_to(lo * factor, 100), _round_to(hi * factor * rng.uniform(0.97, 1.05), 100)
        return lo_v, max(hi_v, lo_v + 300)

    def shift_kind(self, emp: Employer, code: str) -> str:
        if emp.industry.id == "housekeeping" and code == "4-10-01-06":
            return "housekeeping"
        if emp.industry.id == "health_care":
            return "care"
        if _job_kind(code) == "office":
            return "office"
        return "factory" if emp.manufacturing else "service"

    def make_postings(self, employers: list[Employer]) -> list[dict]:
        rng = self.rng
        n = self.n["postings"]
        owners = list(range(len(employers)))  # everyone posts at least once
        sizes = [(i, e.size) for i, e in enumerate(employers)]
        owners += [_pick(rng, sizes) for _ in range(max(0, n - len(employers)))]
        postings = []
        for k, ei in enumerate(owners[:n], start=1):
            postings.append(self.posting(f"P-{k:06d}", employers[ei]))
        return postings

    def posting(self, pid: str, emp: Employer) -> dict:
        rng = self.rng
        code = self.posting_occupation(emp)
        o = self.occ.get(code)
        kind = _job_kind(code)
        level = _pick(rng, list(zip(LEVELS, POSTING_LEVEL_WEIGHTS[kind])))
        certs = self.required_certificates(code, level, kind)
        mandatory = any(c["mandatory"] for c in certs)
        shift = _pick(rng, SHIFTS[self.shift_kind(emp, code)])
        exp_lo, exp_hi = MIN_EXPERIENCE[level]
        experience = rng.randint(exp_lo, exp_hi) if rng.random() < 0.85 else 0
        education = _pick(rng, EDUCATION[kind])
        skills = self.skills_for(code, 2, 4)
        salary_min, salary_max = self.pay(code, level, emp.district)
        # Most postings are at the employer's site; some at a second site nearby.
        lon, lat = _point_near(rng, emp.lon, emp.lat, 0.004) if rng.random() < 0.3 else (emp.lon, emp.lat)
        discriminatory = rng.random() < DISCRIMINATORY_SHARE
        phrases = rng.sample(DISCRIMINATORY_PHRASES, rng.choice((1, 1, 2))) if discriminatory else []
        if discriminatory:
            self.discriminatory_ids.append(pid)
        title = self.title(o, level, mandatory, shift, emp.district)
        if phrases and rng.random() < 0.3:
            title += f"（{phrases[0]}）"
        description = self.description(o, level, certs, skills, experience, education, shift, salary_min,
                                       salary_max, emp, phrases)
        return {
            "id": pid, "title": title, "employer": emp.name, "district": emp.district.name,
            "address": emp.address, "lon": lon, "lat": lat, "description": description,
            "requirements": {"certificates": certs, "min_experience_years": experience, "education": education,
                             "skills": skills},
            "salary_min": salary_min, "salary_max": salary_max, "shift": shift, "industry": emp.industry.name,
            "posted_at": (REFERENCE_DATE - _days(rng, 0, 89)).isoformat(),
            "status": "closed" if rng.random() < 0.06 else "open",
            "_occupation": code,  # bookkeeping for demand counts; stripped before writing
        }

    def required_certificates(self, code: str, level: Level | None, kind: str) -> list[dict]:
        rng = self.rng
        certs = []
        if code in MANDATORY:
            cert_level = None if code in PERMIT_ONLY else level
            if code == "4-07-05-03" and cert_level is None:
                cert_level = Level.L4 if rng.random() < 0.6 else Level.L5  # 消防控制室 needs 中级
            certs.append({"occupation": code, "level": cert_level.label if cert_level else None, "mandatory": True})
        elif level is not None and rng.random() < (0.75 if kind == "trade" else 0.5):
            certs.append({"occupation": code, "level": level.label, "mandatory": False})
        if code in SECONDARY_CERT and rng.random() < (0.9 if SECONDARY_CERT[code][1] else 0.25):
            other, mandatory = SECONDARY_CERT[code]
            certs.append({"occupation": other, "level": None, "mandatory": mandatory})
        return certs

    def cert_text(self, cert: dict) -> str:
        o = self.occ.get(cert["occupation"])
        level = parse_level(cert.get("level"))
        if cert["mandatory"]:
            permit = MANDATORY.get(o.code, f"{o.name}职业资格证书")
            permit = permit.format(level=f"（{level.short}）" if level else "")
            extra = f"，并具备{o.name}{level.short}及以上技能等级" if level and "{level}" not in MANDATORY.get(o.code, "") else ""
            return f"须持有效{permit}上岗{extra}"
        if level:
            return f"持{o.name}{level.label.split('/')[0]}（{level.short}）及以上职业技能等级证书者优先"
        return f"持{o.name}相关证书者优先"

    def description(self, o: Occupation, level: Level | None, certs: list[dict], skills: list[str],
                    experience: int, education: str, shift: str, salary_min: int, salary_max: int,
                    emp: Employer, phrases: list[str]) -> str:
        rng = self.rng
        tasks = list(o.tasks[:6]) or [o.definition]
        k = min(len(tasks), rng.randint(2, 4))
        chosen = sorted(rng.sample(range(len(tasks)), k))
        duties = "\n".join(f"{i}. {tasks[j]}；" for i, j in enumerate(chosen, start=1)).rstrip("；") + "。"
        req = [education, f"{experience}年以上相关工作经验" if experience else
               rng.choice(("经验不限", "接受无经验者，提供岗前培训", "有经验者优先"))]
        req += [self.cert_text(c) for c in certs]
        if o.code in EXTRA_REQUIREMENTS:
            req.append(EXTRA_REQUIREMENTS[o.code])
        if skills:
            req.append("熟悉" + "、".join(skills[:3]))
        pool = CARE_SOFT if emp.industry.id in ("health_care", "housekeeping") else SOFT_REQUIREMENTS
        req += rng.sample(pool, rng.randint(1, 2))
        if rng.random() < 0.05:
            req.append(NEUTRAL_PHRASE)
        if phrases:
            req.insert(rng.randint(1, len(req)), "，".join(phrases))
        benefits = list(dict.fromkeys(_pick(rng, BENEFITS) for _ in range(rng.randint(2, 5))))
        pay_note = "（底薪+计件）" if o.code in ("4-02-07-08", "4-10-08-01", "6-05-01-03") else ""
        return (f"岗位职责：\n{duties}\n任职要求：{'；'.join(req)}。\n工作时间：{shift}。\n"
                f"薪资福利：{salary_min}-{salary_max}元/月{pay_note}，{'、'.join(benefits)}。\n"
                f"工作地点：{emp.address}。")

    # ---- training providers and courses ------------------------------------------------------------------
    def make_providers(self, employers: list[Employer]) -> list[Provider]:
        rng = self.rng
        providers = []
        big = [e for e in employers if e.manufacturing and e.size >= 3] or [e for e in employers if e.manufacturing]
        school_districts = [(d, POPULATION[d.name] * (2.0 if d.name in MAIN_URBAN else 1.0))
                            for d in self.all_districts]
        for _ in range(self.n["providers"]):
            kind = _pick(rng, PROVIDER_KINDS)
            if kind == "企业培训中心" and big:
                emp = rng.choice(big)
                big.remove(emp)
                name = self.unique(lambda emp=emp: emp.name + "培训中心")
                providers.append(Provider(name, kind, emp.district, emp))
                continue
            if kind == "企业培训中心":
                kind = "民办职业技能培训学校"
            d = _pick(rng, school_districts)
            if kind == "技工院校":
                name = self.unique(lambda: "重庆" + self.trade_name() + rng.choice(("技工学校", "高级技工学校", "技师学院")))
            else:
                name = self.unique(lambda d=d: f"重庆市{_short(d)}{self.trade_name()}职业技能培训学校")
            providers.append(Provider(name, kind, d))
        return providers

    def course_weights(self, demand: Counter, unmet: dict[str, None], provider: Provider) -> list[tuple[str, float]]:
        if provider.employer is not None:
            occs = [c for c in provider.employer.occupations if c not in unmet] or list(provider.employer.occupations)
            return [(c, (demand[c] + 1) ** 0.5) for c in occs]
        candidates = list(dict.fromkeys([*demand, *COURSE_BIAS]))
        out = []
        for c in candidates:
            if c in unmet:
                continue
            factory = c.startswith(("6-", "5-"))
            affinity = (1.5 if factory else 0.7) if provider.kind == "技工院校" else (0.6 if factory else 1.5)
            if c in MANDATORY:
                affinity = 1.5
            out.append((c, (demand[c] + 1) ** 0.9 * COURSE_BIAS.get(c, DEFAULT_COURSE_BIAS) ** 0.7 * affinity))
        return self.with_nontarget_share(out, NONTARGET_COURSE_SHARE)

    def with_nontarget_share(self, weights: list[tuple[str, float]], share: float) -> list[tuple[str, float]]:
        """Rescale so occupations outside the target industries carry `share` of the total weight: the seed
        reports 培训与产业匹配度 of 80%, so about a fifth of training is elsewhere (美容、面点、建筑 …)."""
        target = sum(wt for c, wt in weights if c in self.target_occupations)
        other = sum(wt for c, wt in weights if c not in self.target_occupations)
        if not target or not other:
            return weights
        k = share / (1 - share) * target / other
        return [(c, wt * (1 if c in self.target_occupations else k)) for c, wt in weights]

    def make_courses(self, providers: list[Provider], demand: Counter) -> list[_CourseInfo]:
        rng = self.rng
        top = [c for c, _ in sorted(demand.items(), key=lambda kv: (-kv[1], kv[0]))[:12]]
        others = [c for c in demand if c not in ALWAYS_TRAINED and c not in top]
        unmet = dict.fromkeys(sorted(rng.sample(others, round(len(others) * UNMET_SHARE))))
        # Schools run more courses than enterprise centres.
        load = [(i, {"技工院校": 8, "民办职业技能培训学校": 5, "企业培训中心": 2.5}[p.kind])
                for i, p in enumerate(providers)]
        owners = list(range(len(providers)))
        owners += [_pick(rng, load) for _ in range(max(0, self.n["courses"] - len(providers)))]
        courses = []
        for k, pi in enumerate(owners[: self.n["courses"]], start=1):
            courses.append(self.course(f"C-{k:04d}", providers[pi], demand, unmet))
        return courses

    def course(self, cid: str, p: Provider, demand: Counter, unmet: dict[str, None]) -> _CourseInfo:
        rng = self.rng
        code = _pick(rng, self.course_weights(demand, unmet, p))
        o = self.occ.get(code)
        level = _pick(rng, list(zip(LEVELS, COURSE_LEVEL_WEIGHTS)))
        if code in PERMIT_ONLY:
            level = Level.L5 if rng.random() < 0.8 else Level.L4
        apprenticeship = ((p.kind == "企业培训中心" and rng.random() < 0.5)
                          or (p.kind == "技工院校" and code.startswith("6-") and rng.random() < 0.2))
        digital = _job_kind(code) == "office"
        if apprenticeship:
            title = f"企业新型学徒制·{o.name}（{level.short}）"
            hours, fmt = 160, "混合"
        else:
            everyday = [g for g in TITLE_NAMES.get(code, self.gongzhong.get(code, ()))
                        if g.endswith(("工", "员", "师", "司机", "手"))]
            name = o.name if not everyday or rng.random() < 0.6 else rng.choice(everyday)
            title = f"{name}（{level.short}）{_pick(rng, COURSE_SUFFIXES)}"
            base = {Level.L5: (40, 80), Level.L4: (60, 120), Level.L3: (90, 160), Level.L2: (120, 200),
                    Level.L1: (160, 240)}[level]
            hours = _round_to(rng.randint(*base), 4)
            fmt = _pick(rng, (("线上", 40), ("混合", 40), ("线下", 20)) if digital else
                        (("线下", 68), ("混合", 30), ("线上", 2)))
        if apprenticeship:
            duration = rng.randint(300, 365)
        elif fmt == "线下":
            duration = math.ceil(hours / 7 * 1.4)
        elif fmt == "混合":
            duration = math.ceil(hours / 2 / 7 * 1.4) + 60  # e.g. 8.5 days on site + 2 months online
        else:
            duration = math.ceil(hours / 2)
        row = {
            "id": cid, "title": title, "provider": p.name, "district": p.district.name, "occupation": code,
            "level": level.label, "skills": self.skills_for(code, 3, 6), "hours": hours, "format": fmt,
            "subsidised": apprenticeship or rng.random() < 0.68,
            "start_date": (REFERENCE_DATE + _days(rng, 1, 120)).isoformat(),
            "seats": rng.randrange(15, 45, 5) if apprenticeship else rng.randrange(20, 65, 5),
        }
        return _CourseInfo(row, level, p.district, duration)

    # ---- trainees -------------------------------------------------------------------------------------
    def make_trainees(self, demand: Counter) -> list[_TraineeInfo]:
        rng = self.rng
        tracks = [(c, (demand[c] + 0.5) ** 0.85 * COURSE_BIAS.get(c, 0.8))
                  for c in dict.fromkeys([*demand, *COURSE_BIAS])]
        tracks = self.with_nontarget_share(tracks, NONTARGET_TRACK_SHARE)
        homes = [(d, POPULATION[d.name]) for d in self.all_districts]
        groups = list(GROUP_SHARE.items())
        out = []
        for k in range(1, self.n["trainees"] + 1):
            track = _pick(rng, tracks)
            d = _pick(rng, homes)
            female = rng.random() < FEMALE_SHARE.get(track, 0.25 if track.startswith("6-") else 0.5)
            group = _pick(rng, groups) if rng.random() < PRIORITY_SHARE else None
            if group == "返岗女性" and not female:
                group = "农民工"
            if group == "退役军人" and female and rng.random() < 0.7:
                group = "登记失业人员"
            if group == "脱贫人口" and not (d.is_county or d.kind == "区" and d.name not in MAIN_URBAN):
                group = "农民工"
            out.append(self.trainee(f"T-{k:05d}", d, track, female, group))
        return out

    def trainee(self, tid: str, d: District, track: str, female: bool, group: str | None) -> _TraineeInfo:
        rng = self.rng
        y0, y1 = BIRTH_YEARS[group]
        birth = dt.date(rng.randint(y0, y1), 1, 1) + _days(rng, 0, 364)
        age = (REFERENCE_DATE - birth).days / 365.25
        if group in ("毕业年度高校毕业生", "离校未就业青年"):
            experience = rng.choice((0, 0, 0, 0.5, 1))
        else:
            experience = round(min(age - 17, max(0.0, rng.gauss(age / 4, 3))), 0)
            if group == "返岗女性":
                experience = min(experience, rng.randint(0, 8))
        rural = group in ("农民工", "脱贫人口")
        hukou = (_pick(rng, (("本地农村", 85), ("外地农村", 15))) if rural else
                 _pick(rng, (("本地城镇", 55), ("本地农村", 25), ("外地城镇", 10), ("外地农村", 10))))
        ethnicity = "汉族"
        r = rng.random()
        for name, share in ETHNIC_MIX.get(d.name, ()):
            if r < share:
                ethnicity = name
                break
            r -= share
        else:
            if rng.random() < 0.01:
                ethnicity = rng.choice(("土家族", "苗族", "回族", "彝族"))
        region = d.code if not d.is_zone else self.districts.by_name[d.parents[0]].code
        seq = rng.randint(0, 99) * 10 + rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
        body = f"{region}{birth:%Y%m%d}{seq:03d}"
        lon = lat = None
        if rng.random() < 0.5:
            lon, lat = _point_near(rng, d.lon, d.lat, _spread(d) * 1.5)
        row = {
            "id": tid, "district": d.name, "lon": lon, "lat": lat, "certificates": [], "skills": [],
            "experience_years": float(experience), "desired_salary": None,
            "consent_employer_search": rng.random() < CONSENT_SHARE, "priority_group": group,
            "name": self.person_name(female),
            "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            "id_number": body + id_checksum(body), "gender": "女" if female else "男", "birth_year": birth.year,
            "hukou": hukou, "ethnicity": ethnicity,
        }
        info = _TraineeInfo(row, d, track)
        # Experienced workers often hold an older certificate in their trade.
        if experience >= 3 and rng.random() < 0.45:
            lvl = _pick(rng, ((Level.L5, 40), (Level.L4, 40), (Level.L3, 20)))
            earliest = max(birth + dt.timedelta(days=int(18 * 365.25)), REFERENCE_DATE - dt.timedelta(days=8 * 365))
            span = (REFERENCE_DATE - dt.timedelta(days=2 * 365) - earliest).days
            if span > 0:
                code = track if rng.random() < 0.6 else self.related_occupation(track)
                info.certs.append((code, lvl, earliest + _days(rng, 0, span)))
        return info

    # ---- training records -----------------------------------------------------------------------------
    def industries_of(self, code: str) -> list[Industry]:
        return [i for i in self.industries.values() if code in i.occupations]

    def related_occupation(self, code: str) -> str:
        """A plausible second skill: the usual companion certificate, a cross-trade ticket (电工、叉车、消防),
        or another occupation of the same industry."""
        rng = self.rng
        if code in SECONDARY_CERT and rng.random() < 0.6:
            return SECONDARY_CERT[code][0]
        if rng.random() < 0.3:
            return rng.choice(CROSS_TRADE)
        same = [c for ind in self.industries_of(code) for c in ind.occupations if c != code]
        return rng.choice(same) if same else code

    def pick_course(self, t: _TraineeInfo, courses: list[_CourseInfo], occupation: str,
                    min_level: Level | None = None) -> _CourseInfo | None:
        rng = self.rng
        same = [c for c in courses if c.row["occupation"] == occupation
                and (min_level is None or c.level >= min_level)]
        if not same and min_level is None:
            related = {c for ind in self.industries_of(occupation) for c in ind.occupations}
            same = [c for c in courses if c.row["occupation"] in related]
            if not same or rng.random() < 0.3:  # 转岗: re-train into a popular occupation
                popular = CROSS_TRADE if occupation.startswith("6-") else tuple(
                    c for c, b in COURSE_BIAS.items() if b >= 2)
                same = [c for c in courses if c.row["occupation"] in popular] or courses
        if not same:
            return None

        def weight(c: _CourseInfo) -> float:
            if c.district.name == t.district.name:
                return 6.0
            if c.row["format"] != "线下":
                return 2.0
            both_urban = c.district.name in MAIN_URBAN and t.district.name in MAIN_URBAN
            km = haversine_km(c.district.lon, c.district.lat, t.district.lon, t.district.lat)
            return 2.0 if both_urban else 1.0 / (1.0 + km / 30.0)

        return _pick(rng, [(c, weight(c)) for c in same])

    def make_records(self, trainees: list[_TraineeInfo], courses: list[_CourseInfo]) -> list[dict]:
        rng = self.rng
        records = []
        for t in trainees:
            n_records = _pick(rng, ((1, 58), (2, 30), (3, 12)))
            start = REFERENCE_DATE - _days(rng, 20, 700)
            occupation, min_level = t.track, None
            for _ in range(n_records):
                if start > REFERENCE_DATE - dt.timedelta(days=5):
                    break
                c = self.pick_course(t, courses, occupation, min_level)
                if c is None and min_level is not None:  # no higher-level course: add a related skill instead
                    c = self.pick_course(t, courses, self.related_occupation(occupation))
                if c is None:
                    break
                end = start + dt.timedelta(days=c.duration_days)
                completed = end <= REFERENCE_DATE and rng.random() < 0.93
                certified = c.level if completed and rng.random() < 0.88 else None
                records.append({
                    "id": f"TR-{len(records) + 1:06d}", "trainee_id": t.row["id"], "course_id": c.row["id"],
                    "start_date": start.isoformat(), "completed": completed,
                    "certified_level": certified.label if certified else None,
                })
                t.has_record = True
                if completed:
                    t.completed_at, t.last_occupation = end, c.row["occupation"]
                if certified:
                    issued = min(end + _days(rng, 10, 45), REFERENCE_DATE)
                    t.certs.append((c.row["occupation"], certified, issued))
                # Next course: level up in the same trade, or a related second skill.
                if certified and certified < Level.L2 and rng.random() < 0.45:
                    occupation, min_level = c.row["occupation"], Level(certified + 1)
                else:
                    occupation, min_level = self.related_occupation(c.row["occupation"]), None
                start = end + _days(rng, 20, 240)
        return records

    def finish_trainee(self, t: _TraineeInfo) -> dict:
        """Certificates from records (+ older ones), skills, desired salary."""
        rng = self.rng
        best: dict[str, tuple[Level, dt.date]] = {}
        for code, level, issued in sorted(t.certs, key=lambda x: (x[2], x[0])):
            if code not in best or level >= best[code][0]:
                best[code] = (level, issued)
        held = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:3]
        held.sort(key=lambda kv: kv[1][1])
        t.row["certificates"] = [{"occupation": code, "level": lvl.label, "issued_at": issued.isoformat()}
                                 for code, (lvl, issued) in held]
        skills = self.skills_for(t.track, 1, 3)
        for code, _ in held:
            skills += self.skills_for(code, 1, 3)
        if rng.random() < 0.25:
            skills.append(rng.choice(GENERIC_SKILLS))
        t.row["skills"] = list(dict.fromkeys(skills))[:8]
        top_code, top = max(((code, lvl) for code, (lvl, _) in held), key=lambda x: x[1], default=(t.track, None))
        lo, hi = self.pay(top_code, top, t.district)
        t.row["desired_salary"] = _round_to((lo + hi) / 2 * rng.uniform(0.85, 1.1), 500)
        return _compact(t.row)

    # ---- placements -----------------------------------------------------------------------------------
    def make_placements(self, trainees: list[_TraineeInfo], postings: list[dict],
                        employers: list[Employer]) -> list[dict]:
        rng = self.rng
        by_occ: dict[str, list[int]] = {}
        for i, p in enumerate(postings):
            by_occ.setdefault(p["_occupation"], []).append(i)
        by_industry: dict[str, list[Employer]] = {}
        for e in employers:
            by_industry.setdefault(e.industry.id, []).append(e)
        district_of = {d.name: d for d in self.all_districts}
        placements = []
        for t in trainees:
            if t.completed_at is not None:
                p_placed = 0.86 if t.row["certificates"] else 0.65
            else:
                p_placed = 0.2 if t.has_record else 0.0
            if rng.random() >= p_placed:
                continue
            ready = t.completed_at or (REFERENCE_DATE - _days(rng, 30, 300))
            placed_at = ready + _days(rng, 5, 120)
            if placed_at > REFERENCE_DATE:
                continue
            occupation = t.last_occupation or t.track
            if rng.random() < 0.18:  # took a job outside the trained occupation
                occupation = rng.choice(("4-10-08-01", "4-02-07-08", "4-09-08-01", "6-22-01-01", "6-25-04-07",
                                         "4-01-02-03", "4-03-02-05", "4-02-05-01"))
            row = {"id": f"PL-{len(placements) + 1:06d}", "trainee_id": t.row["id"], "posting_id": None,
                   "employer": None, "occupation": occupation, "district": t.district.name, "industry": None,
                   "placed_at": None}
            linked = None
            if rng.random() < 0.45 and by_occ.get(occupation):
                linked = self.nearby_posting(t, [postings[i] for i in by_occ[occupation]], district_of)
            if linked is not None:
                posted = dt.date.fromisoformat(linked["posted_at"])
                hired = max(placed_at, posted + _days(rng, 3, 30))
                if hired <= REFERENCE_DATE:
                    placed_at = hired
                else:
                    linked = None
            if linked is not None:
                row |= {"posting_id": linked["id"], "employer": linked["employer"], "district": linked["district"],
                        "industry": linked["industry"]}
                if rng.random() < 0.3:
                    linked["status"] = "closed"  # filled
            else:
                emp = self.employer_for(t, occupation, by_industry, employers)
                row |= {"employer": emp.name, "district": emp.district.name, "industry": emp.industry.name}
            row["placed_at"] = placed_at.isoformat()
            placements.append(_compact(row))
        return placements

    def nearby_posting(self, t: _TraineeInfo, candidates: list[dict],
                       district_of: dict[str, District]) -> dict | None:
        """A posting of the right occupation, nearer ones far more likely (people take jobs near home)."""
        rng = self.rng
        latest = REFERENCE_DATE - dt.timedelta(days=3)
        usable = [p for p in candidates if dt.date.fromisoformat(p["posted_at"]) <= latest]
        if not usable:
            return None

        def weight(p: dict) -> float:
            d = district_of[p["district"]]
            km = haversine_km(d.lon, d.lat, t.district.lon, t.district.lat)
            return 1.0 / (1.0 + km / 15.0) ** 2

        return _pick(rng, [(p, weight(p)) for p in usable])

    def employer_for(self, t: _TraineeInfo, occupation: str, by_industry: dict[str, list[Employer]],
                     employers: list[Employer]) -> Employer:
        rng = self.rng
        inds = [i.id for i in industries_for_occupation(occupation)]
        inds += [i.id for i in OTHER_INDUSTRIES if occupation in i.occupations]
        pool = [e for i in inds for e in by_industry.get(i, [])] or employers

        def weight(e: Employer) -> float:
            km = haversine_km(e.lon, e.lat, t.district.lon, t.district.lat)
            return 1.0 / (1.0 + km / 20.0) ** 2

        return _pick(rng, [(e, weight(e)) for e in pool])


# ================================================================================================
# Entry point
# ================================================================================================

def generate_demo_world(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, int]:
    """Write postings/trainees/courses/training_records/placements (.jsonl), README.md and manifest.json.

    Returns the number of rows per file plus `employers`, `providers` and `discriminatory_postings`.
    Deterministic: the same (seed, scale) always produces byte-identical files.
    """
    if scale <= 0:
        raise ValueError("scale 必须大于 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = _World(seed, scale)

    employers = w.make_employers()
    postings = w.make_postings(employers)
    demand = Counter(p["_occupation"] for p in postings)
    providers = w.make_providers(employers)
    courses = w.make_courses(providers, demand)
    trainees = w.make_trainees(demand)
    records = w.make_records(trainees, courses)
    trainee_rows = [w.finish_trainee(t) for t in trainees]
    placements = w.make_placements(trainees, postings, employers)
    _top_up_closed(w.rng, postings, target=0.10)

    posting_rows = [_compact({k: v for k, v in p.items() if not k.startswith("_")}) for p in postings]
    course_rows = [_compact(c.row) for c in courses]
    record_rows = [_compact(r) for r in records]
    rows = {"postings": posting_rows, "trainees": trainee_rows, "courses": course_rows,
            "training_records": record_rows, "placements": placements}
    for kind, items in rows.items():
        _write_jsonl(out_dir / f"{kind}.jsonl", items)

    counts = {kind: len(items) for kind, items in rows.items()}
    counts |= {"employers": len(employers), "providers": len(providers),
               "discriminatory_postings": len(w.discriminatory_ids)}
    kpis = compute_kpis(rows)
    course_occupations = {c["occupation"] for c in course_rows}
    stats = {
        "districts_with_postings": len({p["district"] for p in posting_rows}),
        "districts_with_trainees": len({t["district"] for t in trainee_rows}),
        "occupations_demanded": len(demand),
        "demanded_without_course": sum(1 for c in demand if c not in course_occupations),
        "postings_with_course_share": round(
            sum(1 for p in postings if p["_occupation"] in course_occupations) / len(postings), 3),
    }
    manifest = {"synthetic": True, "seed": seed, "scale": scale, "reference_date": REFERENCE_DATE.isoformat(),
                "counts": counts, "kpis": kpis, "stats": stats,
                "discriminatory_phrases": list(DISCRIMINATORY_PHRASES),
                "discriminatory_posting_ids": w.discriminatory_ids,
                "negative_examples_not_discriminatory": [NEUTRAL_PHRASE, "持健康证"]}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8", newline="\n")
    (out_dir / "README.md").write_text(_readme(seed, scale, counts, kpis, stats), encoding="utf-8", newline="\n")
    return counts


def _top_up_closed(rng: random.Random, postings: list[dict], target: float) -> None:
    """Close random open postings until about `target` of all postings are closed."""
    closed = sum(p["status"] == "closed" for p in postings)
    want = round(len(postings) * target)
    open_idx = [i for i, p in enumerate(postings) if p["status"] == "open"]
    for i in rng.sample(open_idx, max(0, min(len(open_idx), want - closed))):
        postings[i]["status"] = "closed"


def _write_jsonl(path: Path, items: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def compute_kpis(rows: dict[str, list[dict]]) -> dict[str, float]:
    """The seed KPIs as this generator defines them (a dashboard may define them more carefully):

    - 重点群体培训占比: trainees with a training record who belong to a priority group / trainees with a record.
    - 培训总体就业率: trainees with a completed record who have a placement / trainees with a completed record.
    - 培训与产业匹配度: training records whose course occupation belongs to a target industry / all records.
    - 就业与产业匹配度: placements in a target industry / all placements.
    """
    target_occupations = {c for ind in load_industries() for c in ind.occupations}
    target_names = {ind.name for ind in load_industries()}
    trainees = {t["id"]: t for t in rows["trainees"]}
    courses = {c["id"]: c for c in rows["courses"]}
    records = rows["training_records"]
    enrolled = {r["trainee_id"] for r in records}
    completed = {r["trainee_id"] for r in records if r["completed"]}
    placed = {p["trainee_id"] for p in rows["placements"]}
    in_group = sum(1 for t in enrolled if trainees[t].get("priority_group"))
    fit = sum(1 for r in records if courses[r["course_id"]]["occupation"] in target_occupations)
    placed_fit = sum(1 for p in rows["placements"] if p.get("industry") in target_names)

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 0.0

    return {
        "重点群体培训占比": ratio(in_group, len(enrolled)),
        "培训总体就业率": ratio(len(completed & placed), len(completed)),
        "培训与产业匹配度": ratio(fit, len(records)),
        "就业与产业匹配度": ratio(placed_fit, len(rows["placements"])),
        "培训完成率": ratio(sum(1 for r in records if r["completed"]), len(records)),
        "取证率": ratio(sum(1 for r in records if r.get("certified_level")), sum(1 for r in records if r["completed"])),
    }


def _readme(seed: int, scale: float, counts: dict[str, int], kpis: dict[str, float], stats: dict) -> str:
    count_lines = "\n".join(f"| {k} | {v:,} |" for k, v in counts.items())
    kpi_lines = "\n".join(f"| {k} | {v:.1%} |" for k, v in kpis.items())
    phrases = "、".join(DISCRIMINATORY_PHRASES)
    return f"""# SYNTHETIC demo world — 合成示范数据（非真实数据）

**Everything in this directory is SYNTHETIC.** It was generated by `matcher.demo.generate_demo_world`
(seed `{seed}`, scale `{scale}`, reference date {REFERENCE_DATE.isoformat()}). No record describes a real
person, employer, training provider, job or course. Names, phone numbers and ID numbers are invented:
ID numbers have a valid GB 11643 checksum and a real district adcode prefix only so that validators accept
them — they are fake and must never be used as identity data. Employer and provider names are made up from
random syllables; any resemblance to a real organisation is accidental.

本目录全部为**合成数据**，由固定随机种子生成，不对应任何真实的人员、企业、培训机构、岗位或课程。

## What is real
- Occupations, their names, aliases, 工种 and task texts: 职业分类大典 2022 (CSCO) catalogue shipped with the
  project (`matcher/catalogues/data/csco22.csv`, `gongzhong.csv`).
- Districts and coordinates: the 38 district-level units and 3 functional zones (`chongqing_districts.csv`).
- Target industries: the "33618" clusters and priority service fields (`matcher/catalogues/industries.py`).

## What is invented (and roughly how)
- Employers weighted by district (population for services; manufacturing concentrated in 两江新区、高新区、
  璧山、江津、长寿、涪陵、九龙坡 …; the 12 县 get fewer) and by industry hotspots.
- Postings: titles from CSCO names/aliases/工种; descriptions built from the CSCO task texts plus typical
  requirement, shift, pay and benefit phrases; pay ranges are rough Chongqing CNY/month figures by occupation,
  level and district; 准入类 (持证上岗) certificates — 电工、焊工、叉车/起重、消防设施操作员、电梯、无人机、
  锅炉、制冷、保安员 — are marked `mandatory`.
- Trainees: home district weighted by population; ~60% in a priority group; ~75% consent to employer search;
  lon/lat for about half. Certificates come from their (synthetic) training records plus some older ones.
- Courses: a course is a recurring programme; `start_date` is its next intake (within 120 days). Supply is
  deliberately imperfect: {stats['demanded_without_course']} of {stats['occupations_demanded']} demanded
  occupations have no course (they account for {1 - stats['postings_with_course_share']:.0%} of postings), and
  popular subsidised trades (养老护理员、保育师、家政、烹调、电工、消防 …) are over-supplied relative to factory trades.
- Training records carry the start date of the past intake the trainee attended; placements follow
  completed training, some linked to a posting (which may then be closed as filled).

## Planted problems (for the posting lint)
{counts['discriminatory_postings']} postings (~{DISCRIMINATORY_SHARE:.0%}) contain realistic **discriminatory phrases**
that are unlawful under 就业促进法 and 网络招聘服务管理规定: {phrases}.
Their ids are listed in `manifest.json` (`discriminatory_posting_ids`). Negative examples a lint must
*not* flag: about 5% of postings say “{NEUTRAL_PHRASE}”, and food and childcare postings ask for “持健康证”
(a legal requirement for those jobs, not health discrimination).

## Counts
| file / entity | rows |
|---|---|
{count_lines}

Postings cover {stats['districts_with_postings']} districts/zones; trainees live in {stats['districts_with_trainees']}.

## KPIs as computed from these files
| KPI | value |
|---|---|
{kpi_lines}

Definitions are in `matcher.demo.compute_kpis`. Regenerate with
`generate_demo_world(out_dir, seed={seed}, scale={scale})`; the same seed gives byte-identical files.
"""
