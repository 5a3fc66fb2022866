"""Roles, work items and must-report items a street starts with (it edits them later).
Used by the data migration and again by the demo loader (tests flush tables)."""

ROLES = [
    # (code, name, kind)
    ("grid_leader", "网格长", "grid_leader"),
    ("full_time", "专职网格员", "full_time"),
    ("part_time", "兼职网格员", "part_time"),
    ("instructor", "网格指导员", "instructor"),
    ("police", "包居民警", "police"),
    ("doctor", "签约家庭医生", "doctor"),
    ("party_member", "报到党员", "party_member"),
    ("volunteer", "志愿者", "volunteer"),
    ("property", "物业人员", "property"),
    ("community_officer", "社区干部", "officer"),
    ("street_officer", "街道干部", "officer"),
]
WORK_ITEMS = {
    "grid_leader": [
        ("全面掌握网格情况", "做到提户知人、提人知事、提事知情、提情知策(四提必知)"),
        ("统筹网格服务管理", "组织网格员、兼职网格员和网格+力量开展工作"),
        ("研判处置网格事件", "对上报事件分级处置,小事不出格,难事及时上报社区"),
    ],
    "full_time": [
        ("信息采集", "人、地、物、事、组织信息采集上报“一张表”,动态更新"),
        ("隐患排查", "巡查消防、治安、房屋、道路等安全隐患"),
        ("矛盾调解", "及时发现并调解邻里纠纷"),
        ("民生服务", "代办、帮办居民事务,走访关注人群"),
        ("小事即办", "能当场解决的问题当场解决并记录"),
        ("提交反馈", "按时上报事件、反馈办理结果"),
    ],
    "part_time": [
        ("走访“调查员”", "就近走访住户,了解诉求"),
        ("政策法规“宣传员”", "宣传政策法规和社区通知"),
        ("民事纠纷“调解员”", "参与调解邻里纠纷"),
        ("文明创建“监督员”", "监督文明创建和环境卫生"),
    ],
    "instructor": [
        ("指导督促", "指导督促网格长、网格员开展管理服务工作"),
        ("协助处置", "帮助处置本网格内的各类事件"),
    ],
}
MUST_REPORT = [
    ("有不安全隐患必报", "消防、用电、燃气、房屋、道路等安全隐患"),
    ("有不稳定因素必报", "可能引发群体性事件或越级上访的苗头"),
    ("有矛盾纠纷必报", "邻里、家庭、物业等矛盾纠纷"),
    ("有违法犯罪线索必报", "涉黄赌毒、盗窃、诈骗等线索"),
    ("有重点人员异常必报", "特殊人群、重点关注人员的异常动态"),
    ("有流动人口变动必报", "租住人员迁入迁出"),
    ("有违章建筑必报", "新增违法建设、乱搭乱建"),
    ("有公共设施损坏必报", "井盖、路灯、消防栓等部件损坏或缺失"),
]


def seed(Role, WorkItem, MustReportItem) -> None:
    roles = {}
    for order, (code, name, kind) in enumerate(ROLES):
        roles[code], _ = Role.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": order})
    for code, items in WORK_ITEMS.items():
        for order, (title, description) in enumerate(items):
            WorkItem.objects.get_or_create(role=roles[code], title=title,
                                           defaults={"description": description,
                                                     "sort_order": order})
    for order, (title, description) in enumerate(MUST_REPORT):
        MustReportItem.objects.get_or_create(title=title, defaults={
            "description": description, "sort_order": order})
