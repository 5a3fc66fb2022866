"""Choices of joint activities and co-built projects (活动联办、共建项目)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VolunteerKind(models.TextChoices):
    """Who serves: a resident volunteer, or an in-service Party member registered with the
    community where they live."""

    VOLUNTEER = "volunteer", _("volunteer")  # 志愿者
    PARTY_MEMBER = "party_member", _("registered Party member")  # 报到党员


class ActivityKind(models.TextChoices):
    VOLUNTEER_SERVICE = "volunteer_service", _("volunteer service")  # 志愿服务
    PUBLIC_GOOD = "public_good", _("public-good event")  # 公益活动
    CIVILITY = "civility", _("civility campaign")  # 文明创建
    PARTY_DAY = "party_day", _("Party theme day")  # 主题党日
    OTHER = "other", _("other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open for sign-up")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")


# An activity still to come: it may be opened, signed up for, cancelled or finished.
RUNNING = (ActivityStatus.PLANNED, ActivityStatus.OPEN)


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("not recorded")
    ATTENDED = "attended", _("attended")
    ABSENT = "absent", _("absent")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("project status", "in progress")
    COMPLETED = "completed", _("completed")
    SUSPENDED = "suspended", _("suspended")
