"""A synthetic population for the Laocheng demo: about 2,500 buildings, 20,000 households
and 60,000 people, organisations and facilities. Deterministic; every name, ID number and
phone is made up (ID numbers carry correct check digits but belong to nobody). Renting,
care groups and facilities in bad repair follow each micro-grid's green/yellow/red card
(`LEVEL_BIAS`), so that dynamic grading finds the levels the story gives."""

import datetime
import json
from dataclasses import dataclass

import numpy as np
import shapely

from wangge.core.validators import build_credit_code, build_resident_id
from wangge.registry.ledgers.tabular import SheetRow

SEED = 20200102
TODAY = datetime.date(2026, 1, 1)  # ages are drawn relative to this, not to the clock
BUILDINGS = 2_500
HOUSEHOLDS = 20_000

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥"
    "玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣雪梅琳晨阳瑶婷倩颖佳怡"
    "思涵子轩梓晴雨欣浩然一诺可馨"
)
ETHNIC = (["汉族"] * 80 + ["苗族"] * 6 + ["布依族"] * 5 + ["仡佬族"] * 4 + ["土家族"] * 3
          + ["侗族"] * 2)
FLOATING_REGIONS = ["520102", "520103", "520111", "520202", "520203", "520321", "520322",
                    "520323", "520402", "510104", "500103", "430102", "530102"]
CO_GOVERNANCE_UNITS = [
    ("中国工商银行遵义碧云支行", "企业"), ("红花岗区老城市场监管所", "机关"),
    ("老城派出所", "机关"), ("遵义市第四中学", "学校"), ("老城社区卫生服务中心", "医院"),
    ("捞沙巷商户联合会", "社会组织"), ("碧云物业服务有限公司", "企业"),
    ("老城街道志愿者协会", "社会组织"), ("红花岗供电所", "机关"),
    ("遵义老城供水营业所", "企业"), ("子尹路小学", "学校"), ("捞沙巷美食城有限公司", "企业"),
    ("红花岗区消防救援大队老城站", "机关"), ("老城邮政支局", "企业"),
    ("遵义红城文化传播有限公司", "企业"), ("老城慈善基金会", "社会组织"),
]
CREDIT_PREFIX = {"机关": "11", "学校": "12", "医院": "12", "企业": "91", "个体工商户": "92",
                 "社会组织": "52", "其他": "93"}
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SHOP_KINDS = ["小吃店", "便利店", "理发店", "药房", "茶馆", "五金店", "服装店", "面馆", "水果店",
              "手机店", "早餐店", "干洗店"]


@dataclass
class MicroGrid:
    code: str
    name: str
    type_code: str
    geom: shapely.Geometry
    level: str = ""  # the story's green/yellow/red card; the registry is drawn to match it


@dataclass
class Population:
    buildings: list[tuple[str, str, float, float]]  # grid code, name, lon, lat
    people_rows: list[SheetRow]
    organisation_rows: list[SheetRow]
    facilities: list[tuple[str, str, float, float, str]]  # kind, code, lon, lat, condition


# Shares of each care group among household heads (关注类别), roughly as streets report them.
CARE_GROUP_SHARES = (("残疾人", 0.02), ("低保户", 0.03), ("特困人员", 0.003),
                     ("重点优抚对象", 0.005), ("社区矫正人员", 0.0008), ("刑满释放人员", 0.0015),
                     ("严重精神障碍患者", 0.002), ("吸毒人员", 0.0005))


SENSITIVE_GROUPS = {"社区矫正人员", "刑满释放人员", "严重精神障碍患者", "吸毒人员"}

# How the story's level of a micro-grid shows in its registry (what dynamic grading reads):
# the share of floating households (who rent), multipliers of the special-population and
# other care-group shares, and how many of its facilities are damaged or missing (a share
# of them for a micro-grid with no level). Over the street the totals stay near the reported
# shares, since most micro-grids are green.
LEVEL_BIAS: dict[str, dict[str, float]] = {
    "": {"floating": 0.14, "special": 1.0, "care": 1.0, "bad_share": 0.10},
    "green": {"floating": 0.06, "special": 0.0, "care": 0.8, "bad": 0},
    "yellow": {"floating": 0.25, "special": 2.0, "care": 1.2, "bad": 1},
    "red": {"floating": 0.45, "special": 5.0, "care": 1.6, "bad": 2},
}


def draw_population_type(rng, *, level: str = "") -> str:
    r = rng.random()
    floating = LEVEL_BIAS[level]["floating"]
    return "户籍人口" if r < 0.99 - floating else ("流动人口" if r < 0.99 else "境外人员")


def draw_care_groups(rng, *, household_size: int, head_age: int, level: str = "") -> list[str]:
    """Care groups of a household's head: elderly living alone or in an empty nest, and the
    rest by their shares, more of them (and of special populations) where the micro-grid is
    harder to govern."""
    bias = LEVEL_BIAS[level]
    care: list[str] = []
    if household_size == 1 and head_age >= 70:
        care.append("独居老人")
    elif head_age >= 65 and rng.random() < 0.3:
        care.append("空巢老人")
    care += [group for group, share in CARE_GROUP_SHARES
             if rng.random() < share * bias["special" if group in SENSITIVE_GROUPS else "care"]]
    return care


def _points_in(geom, n: int, rng) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = geom.bounds
    found: list[tuple[float, float]] = []
    while len(found) < n:
        xs, ys = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        inside = shapely.contains_xy(geom, xs, ys)
        found += list(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    return found[:n]


def _name(rng, surname: str | None = None) -> str:
    surname = surname or SURNAMES[int(rng.integers(len(SURNAMES)))]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(GIVEN[int(i)] for i in rng.integers(len(GIVEN), size=length))


def _birth(rng, age_low: int, age_high: int) -> datetime.date:
    days = int(rng.integers(age_low * 365 + 1, age_high * 365))
    return TODAY - datetime.timedelta(days=days)


def generate(micro_grids: list[MicroGrid]) -> Population:
    rng = np.random.default_rng(SEED)
    weights = np.array([{"residential": 4.0, "lanes": 2.0, "commercial": 2.5}[m.type_code]
                        for m in micro_grids])
    counts = np.maximum(1, np.round(weights / weights.sum() * BUILDINGS)).astype(int)
    buildings: list[tuple[str, str, float, float]] = []
    lanes = {}
    for micro, count in zip(micro_grids, counts, strict=True):
        lane = micro.name.split("号")[0].rstrip("0123456789")
        lanes[micro.code] = lane
        seq = int(micro.code[-3:])
        for k, (lon, lat) in enumerate(_points_in(micro.geom, int(count), rng), start=1):
            name = f"{k}栋" if micro.type_code == "residential" else f"{lane}{seq * 10 + k}号"
            buildings.append((micro.code, name, lon, lat))

    # Households spread over buildings, more in residential blocks.
    btype = {m.code: m.type_code for m in micro_grids}
    bw = np.array([3.0 if btype[b[0]] == "residential" else 1.0 for b in buildings])
    per_building = rng.multinomial(HOUSEHOLDS, bw / bw.sum())
    used_ids: set[str] = set()

    def new_id(region: str, birth: datetime.date, sex: str) -> str:
        for seq in range(int(rng.integers(0, 100)), 200):
            number = build_resident_id(region=region, birth_date=birth, sequence=seq % 100,
                                       sex=sex)
            if number not in used_ids:
                used_ids.add(number)
                return number
        raise RuntimeError("ran out of sequence numbers")

    rows: list[SheetRow] = []
    row_number = 2  # the header is row 1

    def person(grid, building, unit, room, relation, name, sex, birth, population, extra):
        nonlocal row_number
        region = "520302" if population == "户籍人口" else (
            "810000" if population == "境外人员" else
            FLOATING_REGIONS[int(rng.integers(len(FLOATING_REGIONS)))])
        phone = "" if rng.random() < 0.25 else \
            f"1{int(rng.choice([3, 5, 7, 8, 9]))}{int(rng.integers(0, 10**9)):09d}"
        values = {
            "序号": row_number - 1, "微网格编码": grid, "楼栋": building, "单元": unit,
            "房号": room,
            "与户主关系": relation, "姓名": name, "公民身份号码": new_id(region, birth, sex),
            "性别": "男" if sex == "male" else "女", "出生日期": birth.isoformat(),
            "民族": ETHNIC[int(rng.integers(len(ETHNIC)))], "联系电话": phone,
            "人口类型": population, "政治面貌": extra.get("political", "群众"),
            "户籍地址": "贵州省遵义市红花岗区老城街道" if population == "户籍人口" else "",
            "关注类别": "、".join(extra.get("care", [])), "备注": "",
        }
        rows.append(SheetRow(row_number, values))
        row_number += 1

    def political(age: int) -> str:
        r = rng.random()
        if age >= 18 and r < 0.09:
            return "中共党员"
        if 14 <= age <= 28 and r < 0.35:
            return "共青团员"
        return "群众"

    blevel = {m.code: m.level for m in micro_grids}
    for (grid, building, _lon, _lat), n_households in zip(buildings, per_building, strict=True):
        residential = btype[grid] == "residential"
        level = blevel[grid]
        for h in range(int(n_households)):
            unit = str(1 + h % 3) if residential else ""
            floor = 1 + (h // 3) // 2 if residential else 1 + h // 4
            room = f"{floor}{1 + (h // 3) % 2:02d}" if residential else f"{101 + h}"
            population = draw_population_type(rng, level=level)
            surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
            head_sex = "male" if rng.random() < 0.6 else "female"
            head_age = int(rng.integers(24, 88))
            size = 1 if head_age >= 70 and rng.random() < 0.35 else int(
                rng.choice([1, 2, 3, 3, 4, 4, 5]))
            care = draw_care_groups(rng, household_size=size, head_age=head_age, level=level)
            person(grid, building, unit, room, "户主", _name(rng, surname), head_sex,
                   _birth(rng, head_age, head_age + 1), population,
                   {"political": political(head_age), "care": care})
            if size >= 2:
                age = max(20, head_age + int(rng.integers(-5, 6)))
                person(grid, building, unit, room, "配偶", _name(rng),
                       "female" if head_sex == "male" else "male", _birth(rng, age, age + 1),
                       population, {"political": political(age)})
            for _child in range(max(0, size - 2)):
                age = max(0, head_age - int(rng.integers(22, 36)))
                sex = "male" if rng.random() < 0.5 else "female"
                child_care = ["留守儿童"] if age < 16 and rng.random() < 0.03 else []
                person(grid, building, unit, room, "子" if sex == "male" else "女",
                       _name(rng, surname), sex, _birth(rng, age, age + 1), population,
                       {"political": political(age), "care": child_care})

    organisations = _organisations(micro_grids, lanes, rng)
    facilities = _facilities(micro_grids, rng)
    return Population(buildings, rows, organisations, facilities)


def _credit(kind: str, rng) -> str:
    body = CREDIT_PREFIX[kind] + "520302" + "".join(
        CREDIT_ALPHABET[int(i)] for i in rng.integers(len(CREDIT_ALPHABET), size=9))
    return build_credit_code(body)


def _organisations(micro_grids: list[MicroGrid], lanes: dict, rng) -> list[SheetRow]:
    rows: list[SheetRow] = []
    honghuagang = [m for m in micro_grids if m.code.startswith("520302001001")]
    for i, (name, kind) in enumerate(CO_GOVERNANCE_UNITS):
        micro = honghuagang[(i * 7) % len(honghuagang)]
        rows.append(SheetRow(len(rows) + 2, {
            "单位名称": name, "统一社会信用代码": _credit(kind, rng), "类型": kind,
            "地址": f"{lanes[micro.code]}{10 + i}号", "微网格编码": micro.code,
            "负责人": _name(rng), "联系电话": f"0851-28{int(rng.integers(0, 10**6)):06d}",
            "是否共治委成员单位": "是"}))
    for micro in micro_grids:
        n = {"commercial": 4, "lanes": 1, "residential": 0}[micro.type_code]
        n += int(rng.random() < 0.15)
        for k in range(n):
            shop = SHOP_KINDS[int(rng.integers(len(SHOP_KINDS)))]
            owner = _name(rng)
            rows.append(SheetRow(len(rows) + 2, {
                "单位名称": f"{lanes[micro.code]}{owner[0]}记{shop}", "统一社会信用代码":
                _credit("个体工商户", rng), "类型": "个体工商户",
                "地址": f"{lanes[micro.code]}{int(micro.code[-3:]) * 10 + k}号",
                "微网格编码": micro.code, "负责人": owner,
                "联系电话": f"1{int(rng.choice([3, 5, 8]))}{int(rng.integers(0, 10**9)):09d}",
                "是否共治委成员单位": "否"}))
    # Names must be unique per micro-grid: keep the first of any repeat.
    seen, unique = set(), []
    for row in rows:
        key = (row.values["微网格编码"], row.values["单位名称"])
        if key not in seen:
            seen.add(key)
            unique.append(SheetRow(len(unique) + 2, row.values))
    return unique


def _facilities(micro_grids: list[MicroGrid], rng) -> list[tuple[str, str, float, float, str]]:
    kinds = ["hydrant", "manhole_cover", "camera", "street_lamp", "trash_bin"]
    out = []
    for micro in micro_grids:
        bias = LEVEL_BIAS[micro.level]
        bad = int(bias.get("bad", 0))
        n = max(bad, int(rng.integers(1, 4)))
        for k, (lon, lat) in enumerate(_points_in(micro.geom, n, rng), start=1):
            kind = kinds[int(rng.integers(len(kinds)))]
            r = rng.random()
            if "bad_share" in bias:
                share = bias["bad_share"]
                condition = "good" if r >= share else ("damaged" if r < share * 0.7
                                                       else "missing")
            else:  # the first `bad` facilities of a yellow or red micro-grid are in bad repair
                condition = "good" if k > bad else ("damaged" if r < 0.7 else "missing")
            out.append((kind, f"{micro.code}-{k:02d}", lon, lat, condition))
    return out


def micro_grids_from_db() -> list[MicroGrid]:
    from wangge.grids.models import Grid

    rows = Grid.objects.micro_grids().filter(code__startswith="520302001") \
        .values_list("code", "name", "grid_type__code", "boundary", "level").order_by("code")
    return [MicroGrid(c, n, t, shapely.from_geojson(json.dumps(b)), level)
            for c, n, t, b, level in rows]
