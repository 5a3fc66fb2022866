"""Synthetic ledger rows for tests: valid by default, and the mistakes real files contain."""

import datetime

from wangge.core.validators import build_resident_id
from wangge.registry.ledgers import people

MICRO = "520302001001001001"  # a demo micro-grid in 红花岗社区
OTHER_MICRO = "520302001002001001"


def resident_id(n: int, *, sex: str = "male", birth=datetime.date(1980, 1, 1)) -> str:
    # A region the demo population does not use, so test people never collide with it.
    return build_resident_id(region="520303", birth_date=birth + datetime.timedelta(days=n),
                             sequence=n % 100, sex=sex)


def person_row(n: int, *, relation: str = "户主", room: str = "1-101", building: str = "测试楼",
               grid: str = MICRO, **overrides) -> dict:
    sex = "male" if n % 2 else "female"
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    values = {
        "序号": n, "微网格编码": grid, "楼栋": building, "单元": "", "房号": room,
        "与户主关系": relation, "姓名": f"测试{n}", "公民身份号码": resident_id(n, sex=sex),
        "性别": "男" if sex == "male" else "女", "出生日期": birth.isoformat(), "民族": "汉族",
        "联系电话": f"138{n:08d}", "人口类型": "户籍人口", "政治面貌": "群众",
        "户籍地址": "", "关注类别": "", "备注": "",
    }
    values.update(overrides)
    return values


def rows_in_header_order(rows: list[dict]) -> list[list]:
    return [[r.get(col) for col in people.HEADER] for r in rows]


def messy_ledger(n: int = 2000, *, building: str = "测试小区1栋") -> tuple[list[dict], dict]:
    """`n` rows in households of three, written the ways real files are; every 25th row (a
    spouse or child) carries a mistake the importer must refuse. Returns the rows and, for
    each refused person's name, the row as it should have been."""
    rows, fixes = [], {}
    for i in range(n):
        k = 10_000 + i
        household, member = divmod(i, 3)
        relation = ("户主", "配偶", "子")[member]
        row = person_row(k, relation=relation, building=building, room=f"{household + 1}",
                         姓名=f"台账{k}")
        number = row["公民身份号码"]
        # Recoverable: the importer must take these as they are.
        style = i % 5
        if style == 0:
            row["公民身份号码"] = number.translate(str.maketrans("0123456789",
                                                               "０１２３４５６７８９"))
        elif style == 1:
            row["公民身份号码"] = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
        elif style == 2:
            row["出生日期"] = row["出生日期"].replace("-", ".")
            row["联系电话"] = "+86 " + row["联系电话"]
        elif style == 3:
            row["姓名"] = row["姓名"] + "  "
            row["出生日期"] = row["出生日期"].replace("-", "")
        if member and i % 25 == 1:
            fixes[f"台账{k}"] = dict(row)
            mistake = (i // 25) % 4
            if mistake == 0:
                row["公民身份号码"] = float(number[:17] + "0")  # Excel lost the digits
            elif mistake == 1:
                row["公民身份号码"] = number[:-1] + ("1" if number[-1] != "1" else "2")
            elif mistake == 2:
                row["性别"] = "男" if row["性别"] == "女" else "女"
            else:
                row["出生日期"] = "1990.13.1"
        rows.append(row)
    return rows, fixes
