"""Closed lists of co-governance (共建共治): committees, meetings, attendance, tasks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeKind(models.TextChoices):
    CONSULTATION = "consultation", _("co-governance consultation committee")  # 共建共治协商委员会
    OTHER = "other", _("other committee")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("chair")  # 主任
    VICE_CHAIR = "vice_chair", _("vice-chair")  # 副主任
    MEMBER = "member", _("member unit")  # 成员单位


class MeetingKind(models.TextChoices):
    ROUND_TABLE = "round_table", _("round-table decision meeting")  # 事务决策圆桌会议
    PARTY_JOINT = "party_joint", _("Party joint meeting")  # 党建联席会
    DIRECT_LINE = "direct_line", _("secretary's direct-line meeting")  # 书记直通车恳谈会


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Presence(models.TextChoices):
    PRESENT = "present", _("present")  # 出席
    ABSENT = "absent", _("absent")  # 缺席
    EXCUSED = "excused", _("excused")  # 请假


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")  # 办理中
    DONE = "done", _("done")  # 已完成
    CANCELLED = "cancelled", _("cancelled")  # 已撤销


# A task is warned once this many days before its due date.
WARN_DAYS = 2
