"""Synthetic ledger rows for tests: valid by default, and the mistakes real files contain."""

import datetime

from wangge.core.validators import build_resident_id
from wangge.registry.ledgers import people

MICRO = "520302001001001001"  # a demo micro-grid in 红花岗社区
OTHER_MICRO = "520302001002001001"


def resident_id(n: int, *, sex: str = "male", birth=datetime.date(1980, 1, 1)) -> str:
    return build_resident_id(region="520302", birth_date=birth + datetime.timedelta(days=n),
                             sequence=n % 100, sex=sex)


def person_row(n: int, *, relation: str = "户主", room: str = "1-101", building: str = "测试楼",
               grid: str = MICRO, **overrides) -> dict:
    sex = "male" if n % 2 else "female"
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    values = {
        "序号": n, "微网格编码": grid, "楼栋": building, "单元": "", "房号": room,
        "与户主关系": relation, "姓名": f"测试{n}", "公民身份号码": resident_id(n, sex=sex),
        "性别": "男" if sex == "male" else "女", "出生日期": birth.isoformat(), "民族": "汉族",
        "联系电话": f"1380000{n:04d}", "人口类型": "户籍人口", "政治面貌": "群众",
        "户籍地址": "", "关注类别": "", "备注": "",
    }
    values.update(overrides)
    return values


def rows_in_header_order(rows: list[dict]) -> list[list]:
    return [[r.get(col) for col in people.HEADER] for r in rows]
