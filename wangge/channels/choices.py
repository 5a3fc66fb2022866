from django.db import models
from django.utils.translation import gettext_lazy as _


class DoorEvent(models.TextChoices):
    """What a smart access-control door reports (智慧门禁告警)."""

    FORCED_OPEN = "forced_open", _("forced open")  # 强行开门
    HELD_OPEN = "held_open", _("door held open")  # 门长时间未关
    TAILGATING = "tailgating", _("tailgating")  # 尾随进入
    UNKNOWN_FREQUENT = "unknown_frequent", _("unknown frequent visitor")  # 陌生人频繁出入
    DEVICE_OFFLINE = "device_offline", _("device offline")  # 设备离线


class Intake(models.TextChoices):
    """How Open311 answers a client's POST (the spec's service `type`): `realtime` files the
    case at once and answers its service_request_id; `batch` answers a token at once and
    files the case moments later (异步受理), which keeps the answer fast under load."""

    REALTIME = "realtime", _("realtime: the request's id at once")
    BATCH = "batch", _("batch: a token at once, the id moments later")
