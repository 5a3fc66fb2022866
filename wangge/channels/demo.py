"""The demo's channels: an Open311 client whose key is `WANGGE_DEMO_OPEN311_KEY`, the
default 12345 column mapping, and smart doors with their rules in the first community."""

from django.conf import settings

from wangge.cases.models import Category
from wangge.channels.choices import DoorEvent
from wangge.channels.models import AccessRule, ApiClient, Door, HotlineMapping
from wangge.channels.services import api_client_create, api_key_hash
from wangge.grids.models import Grid

# Our field → the hotline's column header (ledgers.md: the common set).
HOTLINE_COLUMNS = {
    "external_id": "工单编号", "reported_at": "来电时间", "reporter_name": "诉求人",
    "reporter_phone": "联系电话", "category": "诉求类型", "description": "诉求内容",
    "address": "事发地址", "lon": "经度", "lat": "纬度", "handling_unit": "承办单位",
    "due_at": "办理时限", "closed_at": "办结时间", "result": "办理结果",
    "evaluation": "回访满意度",
}

DOOR_RULES = [
    (DoorEvent.FORCED_OPEN, "public_order_incident", 1, 60, "urgent"),
    (DoorEvent.HELD_OPEN, "property_service", 3, 120, "normal"),
    (DoorEvent.TAILGATING, "suspicious", 3, 60, "normal"),
    (DoorEvent.UNKNOWN_FREQUENT, "suspicious", 1, 60, "normal"),
]


def load() -> None:
    key = settings.WANGGE_DEMO_OPEN311_KEY
    if key and not ApiClient.objects.filter(key_hash=api_key_hash(key)).exists():
        api_client_create(name="演示 Open311 客户端 (demo)", contact="demo", key=key)
    HotlineMapping.objects.update_or_create(
        name="12345 通用格式", defaults={"columns": HOTLINE_COLUMNS, "default": True})
    categories = {c.code: c for c in Category.objects.all()}
    for event, category, count, window, urgency in DOOR_RULES:
        AccessRule.objects.get_or_create(
            event_type=event, category=categories[category],
            defaults={"min_count": count, "window_minutes": window, "urgency": urgency})
    # Two doors per micro-grid of the first grid of each community.
    for micro in Grid.objects.micro_grids().filter(code__endswith="001001").order_by("code"):
        for n in (1, 2):
            Door.objects.get_or_create(code=f"DOOR-{micro.code}-{n}", defaults={
                "name": f"{micro.name} {n}号门禁", "micro_grid": micro})
