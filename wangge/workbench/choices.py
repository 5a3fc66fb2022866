"""Closed lists of the grid worker's workbench: kinds of rounds and of findings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolKind(models.TextChoices):
    """A round through the micro-grid (巡查) or from door to door (走访)."""

    PATROL = "patrol", _("patrol")  # 巡查
    VISIT = "visit", _("visit")  # 走访


class FindingKind(models.TextChoices):
    """What a finding turned into."""

    CASE = "case", _("case reported")  # 转为事件
    REGISTRY = "registry", _("registry update needed")  # 信息待更新
