from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    """What a role is, whatever the street calls it; the grid leader is the one that counts."""

    GRID_LEADER = "grid_leader", _("grid leader")  # 网格长
    FULL_TIME = "full_time", _("full-time grid worker")  # 专职网格员
    PART_TIME = "part_time", _("part-time grid worker")  # 兼职网格员
    INSTRUCTOR = "instructor", _("grid instructor")  # 网格指导员
    POLICE = "police", _("community police officer")  # 包居民警
    DOCTOR = "doctor", _("family doctor")  # 签约家庭医生
    PARTY_MEMBER = "party_member", _("registered Party member")  # 报到党员
    VOLUNTEER = "volunteer", _("volunteer")  # 志愿者
    PROPERTY = "property", _("property management staff")  # 物业人员
    OFFICER = "officer", _("community or street officer")  # 社区/街道干部
    OTHER = "other", _("other")


class PartTimeDuty(models.TextChoices):
    """The four roles of a part-time worker (四大员)."""

    INVESTIGATOR = "investigator", _("visiting investigator")  # 调查员
    PUBLICIST = "publicist", _("policy publicist")  # 宣传员
    MEDIATOR = "mediator", _("dispute mediator")  # 调解员
    SUPERVISOR = "supervisor", _("civility supervisor")  # 监督员


class PartyOrgLevel(models.TextChoices):
    """The four-level Party organisation that mirrors the grids (四位一体)."""

    GENERAL_BRANCH = "general_branch", _("community Party general branch")  # 社区党总支
    GRID_BRANCH = "grid_branch", _("grid Party branch")  # 网格党支部
    BUILDING_GROUP = "building_group", _("building Party group")  # 楼栋党小组
    CENTRE_HOUSEHOLD = "centre_household", _("Party-member centre household")  # 党员中心户
