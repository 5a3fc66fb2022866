"""The categories, level time limits and working calendar a street starts with (it edits
them later in the admin). Used by the data migration and again by the demo loader."""

import datetime as dt

# (code, name, response working hours, handling working days, usual unit, keywords); a line
# of work ("grid + X") first, then its categories.
CATEGORIES: list[tuple[str, str, list[tuple[str, str, int, int, str, str]]]] = [
    ("petition_stability", "信访维稳", [
        ("petition", "信访诉求", 4, 10, "街道信访办", "信访 上访 诉求 反映 政策"),
        ("instability", "不稳定因素", 1, 3, "街道综治办", "聚集 群体 过激 扬言 不稳定"),
    ]),
    ("safety", "安全隐患", [
        ("fire_hazard", "消防安全隐患", 1, 2, "消防救援站", "消防 通道 堵塞 灭火器 火灾 烟"),
        ("gas_safety", "燃气安全", 1, 1, "燃气公司", "燃气 煤气 漏气 气味 软管 液化气"),
        ("building_safety", "房屋安全", 2, 5, "街道城建办", "房屋 裂缝 危房 墙体 脱落 屋顶"),
        ("ebike_charging", "电动车违规充电", 2, 2, "社区居委会", "电动车 充电 飞线 楼道 电瓶"),
    ]),
    ("public_order", "社会治安", [
        ("public_order_incident", "治安问题", 1, 3, "老城派出所", "盗窃 偷 打架 治安 诈骗"),
        ("suspicious", "可疑人员", 1, 2, "老城派出所", "可疑 陌生人 尾随 徘徊 闲杂"),
    ]),
    ("civility_hygiene", "巩文巩卫", [
        ("sanitation", "环境卫生", 4, 2, "街道环卫所", "垃圾 卫生 脏 臭 清运 污水 苍蝇"),
        ("street_vending", "占道经营", 4, 3, "城管中队", "占道 摆摊 流动摊贩 夜市 出店"),
        ("parking", "乱停乱放", 4, 2, "交警中队", "停车 乱停 占用 车位 堵路 共享单车"),
        ("noise", "噪音扰民", 4, 3, "城管中队", "噪音 吵 扰民 广场舞 装修声 音响"),
    ]),
    ("illegal_construction", "违建治理", [
        ("illegal_building", "违章建筑", 8, 10, "城管中队", "违建 搭建 加盖 私建 围墙 违章"),
        ("illegal_renovation", "违规装修", 8, 5, "街道城建办", "装修 拆墙 承重 改造 砸"),
    ]),
    ("livelihood", "民生服务", [
        ("utilities", "水电气暖", 4, 3, "供水供电公司", "停水 停电 水压 水管 爆管 电路"),
        ("property_service", "物业服务", 4, 5, "物业公司", "物业 电梯 门禁 保安 维修 收费"),
        ("social_security", "社会保障", 8, 10, "街道社保站", "低保 医保 社保 养老金 补贴 救助"),
        ("elderly_care", "为老助残", 4, 5, "社区居委会", "老人 独居 助餐 残疾 轮椅 看护"),
    ]),
    ("disputes", "矛盾纠纷", [
        ("neighbour_dispute", "邻里纠纷", 4, 5, "社区调委会", "邻居 漏水 纠纷 吵架 占用 楼道"),
        ("family_dispute", "家庭纠纷", 4, 5, "社区调委会", "家庭 夫妻 赡养 子女 家暴 婚姻"),
        ("wage_dispute", "劳资纠纷", 4, 10, "劳动保障所", "工资 欠薪 拖欠 劳务 老板 农民工"),
    ]),
    ("facilities", "城市部件", [
        ("street_lamp", "路灯损坏", 8, 3, "路灯管理所", "路灯 不亮 灯 照明 黑"),
        ("manhole", "井盖缺失破损", 2, 1, "市政维护站", "井盖 下水道 窨井 塌陷 缺失"),
        ("hydrant", "消防栓损坏", 2, 2, "消防救援站", "消防栓 消火栓 漏水 损坏"),
        ("road_damage", "道路破损", 8, 5, "市政维护站", "路面 坑 破损 台阶 人行道 积水"),
    ]),
]

# Never listed publicly: petitions, signs of instability, family matters, suspects.
SENSITIVE = {"petition", "instability", "family_dispute", "suspicious"}

# Working hours a level may hold a case before the sweep raises it, and the warning ahead.
LEVEL_LIMITS = [("grid", 16, 4), ("community", 24, 4), ("street", 40, 8)]

CALENDAR_YEARS = range(2020, 2027)


def calendar_exceptions(years=CALENDAR_YEARS) -> list[tuple[dt.date, bool, str]]:
    """Days that differ from Monday–Friday: the State Council's public holidays and make-up
    workdays, as published in the `chinesecalendar` package."""
    import chinese_calendar

    names = {
        "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
        "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
        "Anti-Fascist 70th Day": "抗战胜利纪念日",
    }
    out = []
    for year in years:
        day = dt.date(year, 1, 1)
        while day.year == year:
            try:
                workday = chinese_calendar.is_workday(day)
            except NotImplementedError:  # a year the package does not know yet
                break
            if workday != (day.weekday() < 5):
                _holiday, name = chinese_calendar.get_holiday_detail(day)
                label = names.get(name, name or "") if name else ""
                out.append((day, workday, f"{label}调休上班" if workday and label else label))
            day += dt.timedelta(days=1)
    return out


def seed(Category, LevelLimit, CalendarDay) -> None:
    # An early migration runs this with the model as it was then, before `sensitive`.
    has_sensitive = any(f.name == "sensitive" for f in Category._meta.get_fields())
    for order, (code, name, children) in enumerate(CATEGORIES):
        line, _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": None, "sort_order": order * 10})
        for child_order, (ccode, cname, hours, days, unit, words) in enumerate(children):
            defaults = {"name": cname, "parent": line, "response_hours": hours,
                        "handling_days": days, "default_unit": unit, "keywords": words,
                        "sort_order": order * 10 + child_order + 1}
            if has_sensitive:
                defaults["sensitive"] = ccode in SENSITIVE
            Category.objects.update_or_create(code=ccode, defaults=defaults)
    for level, hours, warn in LEVEL_LIMITS:
        LevelLimit.objects.get_or_create(level=level, defaults={"working_hours": hours,
                                                                "warn_hours": warn})
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    CalendarDay.objects.bulk_create([
        CalendarDay(day=day, workday=workday, name=name)
        for day, workday, name in calendar_exceptions() if day not in existing])
