"""Target industries: Chongqing's "33618" manufacturing clusters and the priority service fields.

Why this exists: the city steers subsidised training toward these industries, and the KPI
培训与产业匹配度 ("training fits industry") is computed against them. Each industry lists keywords (to
classify a posting or employer from free text) and the CSCO leaf occupations of its typical front-line
jobs (to generate demo data, and to say which occupations "belong" to an industry).

Sources and honesty notes
- The 3 + 3 + 6 clusters and their names are as published in the 2023 action plan
  《深入推进新时代新征程新重庆制造业高质量发展行动方案（2023—2027年）》 and repeated in DOMAIN.md / seed 001:
  3 万亿级主导产业集群, 3 五千亿级支柱产业集群, 6 千亿级特色优势产业集群.
- The 18 "新星" clusters are NOT enumerated in DOMAIN.md or the seeds. `NEW_STAR` lists the 12
  高成长性 clusters recalled from public reporting of the same plan (功率半导体及集成电路, AI及机器人, 服务器,
  智能家居, 传感器及仪器仪表, 智能制造装备, 动力装备, 农机装备, 纤维及复合材料, 合成材料, 现代中药, 医疗器械).
  This list could not be checked against the primary document from this environment; treat it as
  best-effort. The remaining 6 slots are "future industries", which the 2024
  《重庆市未来产业培育行动计划（2024—2027年）》 re-specified (空天信息, 生物制造, 前沿新材料, 氢能核能及新型储能,
  人工智能, 低空经济); they are deliberately not added as separate clusters here (低空经济 is covered by the
  service field of that name, 人工智能 by AI及机器人 / 数字职业).
- The priority service fields are the ones named in seeds 000/001/004: 健康养老/康养托育, 家政服务, 低空经济,
  现代服务, 数字职业, 绿色低碳.
- Occupation lists are editorial choices (typical front-line jobs), not an official mapping. Every code is a
  real CSCO 2022 leaf; tests/test_industries.py checks that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

TIER_TRILLION = "万亿级主导产业集群"
TIER_5000 = "五千亿级支柱产业集群"
TIER_1000 = "千亿级特色优势产业集群"
TIER_NEW_STAR = "新星产业集群"
TIER_SERVICE = "重点服务领域"
TIERS = (TIER_TRILLION, TIER_5000, TIER_1000, TIER_NEW_STAR, TIER_SERVICE)


@dataclass(frozen=True)
class Industry:
    id: str  # stable ascii slug, e.g. 'auto'
    name: str  # official Chinese name, e.g. '智能网联新能源汽车'
    tier: str  # one of TIERS
    keywords: tuple[str, ...]  # substrings that identify the industry in a title/description/employer name
    occupations: tuple[str, ...]  # CSCO leaf codes of typical front-line jobs, most common first

    @property
    def is_manufacturing(self) -> bool:
        return self.tier != TIER_SERVICE


# --- 33618: 3 trillion-yuan, 3 five-hundred-billion, 6 hundred-billion clusters -------------------------

TRILLION = (
    Industry(
        "auto",
        "智能网联新能源汽车",
        TIER_TRILLION,
        (
            "智能网联新能源汽车",
            "新能源汽车",
            "智能网联",
            "汽车零部件",
            "汽车配件",
            "整车",
            "汽车",
            "车身",
            "底盘",
            "汽车电子",
            "车桥",
            "变速器",
        ),
        (
            "6-22-02-01",  # 汽车装调工
            "6-22-01-01",  # 汽车生产线操作工
            "6-18-02-04",  # 焊工
            "6-18-03-03",  # 涂装工
            "6-20-01-01",  # 装配钳工
            "6-18-01-12",  # 冲压工
            "6-22-01-02",  # 汽车饰件制造工
            "6-24-04-00",  # 电池制造工
            "6-31-07-03",  # 工业机器人系统操作员
            "6-31-01-03",  # 电工
            "4-12-01-01",  # 汽车维修工
            "4-12-01-03",  # 电池及电池系统维修保养师
            "4-08-05-05",  # 机动车检测工
            "6-31-03-05",  # 质检员
        ),
    ),
    Industry(
        "electronics",
        "新一代电子信息制造业",
        TIER_TRILLION,
        (
            "新一代电子信息",
            "电子信息",
            "电子科技",
            "电子元器件",
            "电子设备",
            "智能终端",
            "笔记本电脑",
            "电脑整机",
            "手机",
            "印制电路",
            "PCB",
            "SMT",
            "通信设备",
            "电子制造",
        ),
        (
            "6-25-04-07",  # 电子设备装接工
            "6-25-03-00",  # 计算机及外部设备装配调试员
            "6-25-04-08",  # 电子设备调试工
            "6-25-04-02",  # 通信终端设备制造工
            "6-25-01-13",  # 印制电路制作工
            "6-25-04-05",  # 智能硬件装调员
            "6-25-04-06",  # 电子设备机械装校工
            "4-08-05-07",  # 电子电气产品检验员
            "6-25-04-09",  # 物联网安装调试员
            "6-31-05-00",  # 包装工
        ),
    ),
    Industry(
        "materials",
        "先进材料",
        TIER_TRILLION,
        (
            "先进材料",
            "新材料",
            "高性能材料",
            "化工新材料",
            "特种钢",
            "玻璃纤维",
            "聚氨酯",
            "聚酰胺",
            "复合材料",
            "材料科技",
        ),
        (
            "6-17-09-02",  # 金属轧制工
            "6-18-02-01",  # 铸造工
            "6-15-04-01",  # 玻璃纤维及制品工
            "6-11-06-00",  # 合成树脂生产工
            "6-14-02-00",  # 塑料制品成型制作工
            "6-17-09-05",  # 金属材热处理工
            "6-31-03-01",  # 化学检验员
            "6-30-05-01",  # 起重装卸机械操作工
            "6-31-01-02",  # 机修钳工
        ),
    ),
)

FIVE_HUNDRED_BILLION = (
    Industry(
        "smart_equipment",
        "智能装备及智能制造",
        TIER_5000,
        (
            "智能装备",
            "智能制造",
            "数控机床",
            "工业机器人",
            "机器人集成",
            "自动化设备",
            "机械制造",
            "精密机械",
            "装备制造",
            "模具",
            "机械加工",
        ),
        (
            "6-18-01-07",  # 多工序数控机床操作调整工
            "6-31-07-03",  # 工业机器人系统操作员
            "6-31-07-01",  # 工业机器人系统运维员
            "6-18-01-01",  # 车工
            "6-18-01-02",  # 铣工
            "6-20-01-01",  # 装配钳工
            "6-31-01-02",  # 机修钳工
            "6-18-04-01",  # 模具工
            "6-18-02-04",  # 焊工
            "6-31-01-03",  # 电工
            "6-31-07-02",  # 工业视觉系统运维员
            "6-18-01-13",  # 增材制造设备操作员
        ),
    ),
    Industry(
        "food",
        "食品及农产品加工",
        TIER_5000,
        (
            "食品及农产品加工",
            "食品",
            "农产品加工",
            "火锅底料",
            "调味品",
            "榨菜",
            "肉制品",
            "白酒",
            "茶叶",
            "粮油",
            "饮料",
            "乳业",
            "柑橘",
            "小面",
            "预制菜",
        ),
        (
            "6-02-05-02",  # 酱油酱类制作工（火锅底料、调味品）
            "6-02-05-08",  # 酱腌菜制作工（榨菜）
            "6-01-04-03",  # 肉制品加工工
            "6-01-04-01",  # 畜禽屠宰加工工
            "6-01-06-00",  # 果蔬坚果加工工
            "6-02-03-01",  # 米面主食制作工
            "6-02-06-03",  # 白酒酿造工
            "6-02-06-10",  # 茶叶加工工
            "6-02-01-01",  # 糕点面包烘焙师
            "6-02-06-09",  # 饮料制作工
            "4-08-05-01",  # 农产品食品检验员
            "6-31-05-00",  # 包装工
        ),
    ),
    Industry(
        "software",
        "软件信息服务",
        TIER_5000,
        (
            "软件信息服务",
            "软件",
            "信息技术",
            "信息服务",
            "互联网科技",
            "数据服务",
            "云计算",
            "大数据",
            "网络科技",
            "数字科技",
            "系统集成",
            "呼叫中心",
        ),
        (
            "4-04-05-01",  # 计算机程序设计员
            "4-04-05-02",  # 计算机软件测试员
            "4-04-05-03",  # 呼叫中心服务员
            "4-04-05-05",  # 人工智能训练师
            "4-04-04-01",  # 信息通信网络运行管理员
            "4-04-05-04",  # 数据库运行管理员
            "4-04-04-02",  # 网络与信息安全管理员
            "4-04-04-03",  # 信息通信信息化系统管理员
        ),
    ),
)

HUNDRED_BILLION = (
    Industry(
        "display",
        "新型显示",
        TIER_1000,
        ("新型显示", "显示面板", "液晶面板", "显示屏", "OLED", "LCD", "显示模组", "光电显示", "触控"),
        (
            "6-25-02-03",  # 液晶显示器件制造工
            "6-11-08-24",  # 平板显示膜生产工
            "6-15-03-05",  # 电子玻璃制品加工工
            "6-21-04-01",  # 电子专用设备装调工
            "6-25-04-07",  # 电子设备装接工
            "4-08-05-07",  # 电子电气产品检验员
            "6-31-03-05",  # 质检员
        ),
    ),
    Industry(
        "motorcycle",
        "高端摩托车",
        TIER_1000,
        ("高端摩托车", "摩托车", "机车", "踏板车", "发动机制造", "两轮车", "电动自行车"),
        (
            "6-23-04-01",  # 摩托车装调工
            "6-20-02-02",  # 内燃机装配调试工
            "6-18-02-04",  # 焊工
            "6-18-03-03",  # 涂装工
            "6-18-01-07",  # 多工序数控机床操作调整工
            "4-12-01-02",  # 摩托车修理工
            "6-23-04-02",  # 自行车与电动自行车装配工
            "6-31-03-05",  # 质检员
        ),
    ),
    Industry(
        "light_alloy",
        "轻合金材料",
        TIER_1000,
        ("轻合金", "铝合金", "镁合金", "铝材", "铝加工", "压铸", "铝业", "镁业", "钛合金"),
        (
            "6-18-02-01",  # 铸造工（压铸）
            "6-17-09-09",  # 金属挤压工
            "6-17-09-02",  # 金属轧制工
            "6-17-06-02",  # 铝电解工
            "6-17-06-03",  # 镁冶炼工
            "6-17-09-10",  # 铸轧工
            "6-17-09-05",  # 金属材热处理工
            "6-31-03-02",  # 物理性能检验员
            "6-30-05-01",  # 起重装卸机械操作工
        ),
    ),
    Industry(
        "textile",
        "轻纺",
        TIER_1000,
        ("轻纺", "纺织", "服装", "服饰", "针织", "制衣", "鞋业", "家纺", "印染", "氨纶"),
        (
            "6-05-01-03",  # 缝纫工
            "6-04-03-03",  # 织布工
            "6-04-02-01",  # 纺纱工
            "6-05-01-04",  # 缝纫品整型工
            "6-05-01-01",  # 服装制版师
            "6-04-06-02",  # 纺织染色工
            "6-13-02-01",  # 纺丝工
            "6-31-03-05",  # 质检员
        ),
    ),
    Industry(
        "biomedicine",
        "生物医药",
        TIER_1000,
        ("生物医药", "医药", "制药", "药业", "生物制品", "疫苗", "生物科技", "原料药", "药物制剂"),
        (
            "6-12-03-00",  # 药物制剂工
            "6-12-01-00",  # 化学合成制药工
            "6-12-05-02",  # 发酵工程制药工
            "6-12-05-05",  # 基因工程药品生产工
            "6-12-02-00",  # 中药炮制工
            "4-08-05-04",  # 药物检验员
            "6-31-03-03",  # 生化检验员
            "4-01-05-02",  # 医药商品购销员
        ),
    ),
    Industry(
        "new_energy",
        "新能源及新型储能",
        TIER_1000,
        ("新能源及新型储能", "新型储能", "储能", "动力电池", "锂电", "光伏", "风电", "氢能", "充换电", "能源科技"),
        (
            "6-24-04-00",  # 电池制造工
            "6-24-02-04",  # 光伏组件制造工
            "6-28-01-10",  # 光伏发电运维值班员
            "6-28-01-12",  # 风力发电运维值班员
            "6-28-01-14",  # 变配电运行值班员
            "6-31-01-03",  # 电工
            "4-12-01-03",  # 电池及电池系统维修保养师
            "4-11-01-03",  # 综合能源服务员
            "6-20-02-04",  # 风电机组制造工
        ),
    ),
)

NEW_STAR = (
    Industry(
        "power_semiconductor",
        "功率半导体及集成电路",
        TIER_NEW_STAR,
        ("功率半导体", "集成电路", "半导体", "芯片", "晶圆", "封装测试", "封测", "碳化硅"),
        ("6-25-02-05", "6-25-02-06", "6-25-02-04", "6-17-08-01", "6-21-04-01"),
    ),
    Industry(
        "ai_robotics",
        "AI及机器人",
        TIER_NEW_STAR,
        ("AI及机器人", "人工智能", "机器人", "智能机器", "具身智能"),
        ("6-31-07-01", "6-31-07-03", "4-04-05-07", "4-04-05-05", "6-25-04-05"),
    ),
    Industry(
        "servers",
        "服务器",
        TIER_NEW_STAR,
        ("服务器", "算力", "数据中心", "存储设备"),
        ("6-25-03-00", "6-25-04-08", "4-04-04-03", "4-04-04-01"),
    ),
    Industry(
        "smart_home",
        "智能家居",
        TIER_NEW_STAR,
        ("智能家居", "家用电器", "家电", "空调器", "厨电", "智能门锁"),
        ("6-24-05-04", "6-24-05-02", "6-25-04-09", "4-12-03-01", "6-25-04-05"),
    ),
    Industry(
        "sensors_instruments",
        "传感器及仪器仪表",
        TIER_NEW_STAR,
        ("传感器", "仪器仪表", "仪表", "计量仪器", "检测仪器"),
        ("6-26-01-01", "6-31-01-04", "4-08-05-06", "6-25-04-08"),
    ),
    Industry(
        "smart_mfg_equipment",
        "智能制造装备",
        TIER_NEW_STAR,
        ("智能制造装备", "自动化生产线", "非标设备", "专用设备", "激光设备"),
        ("6-29-03-01", "6-21-04-01", "6-25-04-04", "6-31-07-02", "6-18-01-07"),
    ),
    Industry(
        "power_equipment",
        "动力装备",
        TIER_NEW_STAR,
        ("动力装备", "发动机", "内燃机", "电机", "齿轮箱", "减速机", "燃气轮机"),
        ("6-20-02-02", "6-24-01-00", "6-20-01-04", "6-31-01-07", "6-18-01-04"),
    ),
    Industry(
        "agri_machinery",
        "农机装备",
        TIER_NEW_STAR,
        ("农机装备", "农机", "农业机械", "拖拉机", "收割机", "微耕机"),
        ("6-21-05-02", "6-21-05-01", "6-21-05-04", "5-05-05-02", "6-18-02-04"),
    ),
    Industry(
        "fiber_composites",
        "纤维及复合材料",
        TIER_NEW_STAR,
        ("纤维及复合材料", "玻纤", "碳纤维", "化纤", "玻璃钢"),
        ("6-15-04-01", "6-15-04-02", "6-13-02-01", "6-13-01-01", "6-13-02-02"),
    ),
    Industry(
        "synthetic_materials",
        "合成材料",
        TIER_NEW_STAR,
        ("合成材料", "合成树脂", "合成橡胶", "化工", "高分子", "塑料"),
        ("6-11-06-00", "6-11-07-00", "6-11-02-15", "6-14-02-00", "6-31-03-01"),
    ),
    Industry(
        "modern_tcm",
        "现代中药",
        TIER_NEW_STAR,
        ("现代中药", "中药", "中药材", "中医药", "饮片"),
        ("6-12-02-00", "5-01-02-05", "6-12-03-00", "4-08-05-04"),
    ),
    Industry(
        "medical_devices",
        "医疗器械",
        TIER_NEW_STAR,
        ("医疗器械", "医用耗材", "医疗设备", "医用材料", "康复器具"),
        ("6-21-06-01", "6-21-06-04", "6-21-06-02", "6-31-03-05"),
    ),
)

SERVICE_FIELDS = (
    Industry(
        "health_care",
        "健康养老/康养托育",
        TIER_SERVICE,
        (
            "健康养老",
            "康养托育",
            "养老",
            "康养",
            "托育",
            "护理院",
            "敬老院",
            "托儿",
            "早教",
            "幼儿园",
            "医养",
            "老年",
            "护工",
            "陪护",
            "月子",
        ),
        (
            "4-10-01-05",  # 养老护理员
            "4-10-01-03",  # 保育师
            "4-14-01-02",  # 医疗护理员
            "4-14-01-03",  # 健康照护师
            "4-10-01-01",  # 婴幼儿发展引导员
            "4-14-02-05",  # 老年人能力评估师
            "4-14-02-02",  # 健康管理师
            "4-10-04-02",  # 保健按摩师
            "4-03-02-06",  # 营养配餐员
        ),
    ),
    Industry(
        "housekeeping",
        "家政服务",
        TIER_SERVICE,
        ("家政服务", "家政", "保姆", "月嫂", "育婴", "保洁服务", "家庭服务", "收纳"),
        (
            "4-10-01-06",  # 家政服务员
            "4-09-08-01",  # 保洁员
            "4-10-01-03",  # 保育师（育婴员）
            "4-10-02-02",  # 洗衣师
            "4-12-03-01",  # 家用电器产品维修工
        ),
    ),
    Industry(
        "low_altitude",
        "低空经济",
        TIER_SERVICE,
        ("低空经济", "无人机", "通用航空", "通航", "飞行器", "eVTOL", "低空"),
        (
            "4-02-04-06",  # 无人机驾驶员
            "6-23-03-15",  # 无人机装调检修工
            "4-08-03-07",  # 无人机测绘操控员
            "6-31-02-02",  # 航空器机械维护员
            "6-23-03-01",  # 飞机装配工
        ),
    ),
    Industry(
        "modern_services",
        "现代服务",
        TIER_SERVICE,
        (
            "现代服务",
            "物流",
            "快递",
            "仓储",
            "供应链",
            "配送",
            "物业",
            "餐饮",
            "酒店",
            "商贸",
            "保安服务",
            "安保",
            "消防",
            "电梯",
            "汽车服务",
            "商业管理",
        ),
        (
            "4-02-06-01",  # 仓储管理员
            "4-02-07-08",  # 快递员
            "4-10-08-01",  # 网约配送员
            "6-30-05-01",  # 起重装卸机械操作工（叉车）
            "4-02-05-01",  # 装卸搬运工
            "4-02-06-02",  # 理货员
            "4-07-05-01",  # 保安员
            "4-07-05-03",  # 消防设施操作员
            "4-03-02-01",  # 中式烹调师
            "4-03-02-05",  # 餐厅服务员
            "4-06-01-01",  # 物业管理师
            "6-29-03-03",  # 电梯安装维修工
            "4-02-02-02",  # 道路货运汽车驾驶员
            "6-31-01-10",  # 机电设备维修工
            "4-03-01-01",  # 前厅服务员
            "4-10-03-02",  # 美发师
        ),
    ),
    Industry(
        "digital",
        "数字职业",
        TIER_SERVICE,
        (
            "数字职业",
            "数字化",
            "电子商务",
            "电商",
            "直播",
            "新媒体",
            "数据标注",
            "数字技能",
            "跨境电商",
            "BIM",
            "网络营销",
        ),
        (
            "4-01-06-02",  # 互联网营销师
            "4-01-06-01",  # 电子商务师
            "4-04-05-05",  # 人工智能训练师
            "4-07-02-05",  # 商务数据分析师
            "4-13-01-05",  # 全媒体运营师
            "4-04-05-03",  # 呼叫中心服务员
            "4-04-04-02",  # 网络与信息安全管理员
            "4-08-08-23",  # 建筑信息模型技术员
            "6-25-04-09",  # 物联网安装调试员
        ),
    ),
    Industry(
        "green",
        "绿色低碳",
        TIER_SERVICE,
        (
            "绿色低碳",
            "低碳",
            "碳排放",
            "节能",
            "环保",
            "再生资源",
            "资源回收",
            "污水处理",
            "固废",
            "垃圾处理",
            "园林绿化",
            "环境治理",
        ),
        (
            "4-09-07-04",  # 碳排放管理员
            "4-01-04-00",  # 再生物资回收挑选工
            "6-22-02-02",  # 汽车回收拆解工
            "4-09-07-01",  # 污水处理工
            "6-28-03-03",  # 工业废水处理工
            "4-09-08-02",  # 生活垃圾清运工
            "4-09-10-01",  # 园林绿化工
            "4-11-01-03",  # 综合能源服务员
        ),
    ),
)


@lru_cache(maxsize=1)
def _all() -> tuple[Industry, ...]:
    return (*TRILLION, *FIVE_HUNDRED_BILLION, *HUNDRED_BILLION, *NEW_STAR, *SERVICE_FIELDS)


def load_industries() -> list[Industry]:
    """All target industries in policy order: 3 万亿级, 3 五千亿级, 6 千亿级, 新星, then service fields."""
    return list(_all())


def get_industry(key: str) -> Industry:
    """An industry by id ('auto') or exact name ('智能网联新能源汽车')."""
    for ind in _all():
        if key in (ind.id, ind.name):
            return ind
    raise KeyError(f"未知的产业：{key!r}")


def industry_of(text: str | None) -> Industry | None:
    """The target industry a title/description/employer name most plausibly belongs to, or None.

    Scores each industry by the total length of its keywords found in the text (longer keywords are more
    specific: '电子商务' beats '电子'), so '重庆某某汽车零部件有限公司' → 智能网联新能源汽车 and '社区养老服务中心' →
    健康养老/康养托育. Ties go to the industry listed first (the larger cluster). Occupation names alone are
    not keywords: an electrician works in every industry.
    """
    if not text:
        return None
    best: tuple[int, Industry] | None = None
    for ind in _all():
        score = sum(len(k) for k in ind.keywords if k in text)
        if score and (best is None or score > best[0]):
            best = (score, ind)
    return best[1] if best else None


def industries_for_occupation(code: str) -> list[Industry]:
    """Industries listing this occupation among their typical front-line jobs."""
    return [ind for ind in _all() if code in ind.occupations]
