"""Fixtures of co-governance: the demo committee of 红花岗社区, a planned round table and
the memory notifier."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from tests.conftest import MICRO_A
from wangge.cogovernance.choices import MeetingKind
from wangge.cogovernance.models import Committee
from wangge.cogovernance.services import AgendaInput, meeting_create
from wangge.core import notify
from wangge.core.notify import MemoryNotifier
from wangge.workforce.models import Worker


@pytest.fixture
def committee(laocheng) -> Committee:
    return Committee.objects.get(grid__code=MICRO_A[:12])


@pytest.fixture
def round_table(committee, community_officer):
    return meeting_create(
        kind=MeetingKind.ROUND_TABLE, grid=committee.grid, committee=committee,
        title="事务决策圆桌会议:楼道照明", held_at=timezone.now() - dt.timedelta(hours=1),
        place="社区会议室", actor=community_officer,
        agenda=[AgendaInput(title="楼道灯不亮", proposal="居民反映3栋楼道灯坏了")])


@pytest.fixture
def worker_a_record(worker_a) -> Worker:
    return Worker.objects.get(user=worker_a)


@pytest.fixture
def outbox(settings):
    settings.WANGGE_NOTIFIERS = ["wangge.core.notify.MemoryNotifier"]
    notify._backends.cache_clear()
    MemoryNotifier.outbox.clear()
    yield MemoryNotifier.outbox
    MemoryNotifier.outbox.clear()
    notify._backends.cache_clear()


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English messages (the default language is Chinese; the
    catalogue is checked by `tests/core/test_settings.py` and the pages' own tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
