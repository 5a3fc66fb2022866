"""Reference data every street starts with (care groups, facility kinds); the street may
add more. Used by the data migration and again by the demo loader (tests flush tables)."""

CARE_GROUPS = [
    # (code, name, sensitive)
    ("elderly_alone", "独居老人", False),
    ("empty_nest", "空巢老人", False),
    ("left_behind_child", "留守儿童", False),
    ("disabled", "残疾人", False),
    ("subsistence", "低保户", False),
    ("extreme_poverty", "特困人员", False),
    ("special_care", "重点优抚对象", False),
    ("community_correction", "社区矫正人员", True),
    ("released_prisoner", "刑满释放人员", True),
    ("severe_mental_illness", "严重精神障碍患者", True),
    ("drug_user", "吸毒人员", True),
]
FACILITY_KINDS = [
    ("hydrant", "消防栓"),
    ("manhole_cover", "井盖"),
    ("camera", "监控探头"),
    ("street_lamp", "路灯"),
    ("trash_bin", "垃圾桶"),
    ("fire_extinguisher", "灭火器箱"),
    ("bench", "公共座椅"),
]


def seed(CareGroup, FacilityKind) -> None:
    for order, (code, name, sensitive) in enumerate(CARE_GROUPS):
        CareGroup.objects.get_or_create(
            code=code, defaults={"name": name, "sensitive": sensitive, "sort_order": order})
    for order, (code, name) in enumerate(FACILITY_KINDS):
        FacilityKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
