"""Demo data for co-governance, loaded by wangge.demo.services.demo_load after the cases:
红花岗社区's co-governance consultation committee (共建共治协商委员会) of its 16 member units,
and a year of its meetings up to now: monthly round tables, quarterly Party joint meetings,
with agenda, attendance, minutes, decisions and follow-up tasks (most done, a few open, one
overdue), several published. Some tasks go to grid leaders and workers of 红花岗社区 so that
they show on their phones. Deterministic for a moment "now"; rows are bulk-inserted with
their history. With the case history, agenda items link to cases of the month and the
street's direct-line meetings appear beside their case-workflow records."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from wangge.cases.choices import MeetingStatus as CaseMeetingStatus
from wangge.cases.models import Case, DirectLineMeeting
from wangge.cogovernance.choices import (
    WARN_DAYS,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    Presence,
    TaskStatus,
)
from wangge.cogovernance.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    FollowUpTask,
    Meeting,
)
from wangge.cogovernance.services import worker_label
from wangge.core.bulk import bulk_insert
from wangge.grids.models import Grid
from wangge.registry.models import Organisation
from wangge.workforce.models import Worker

COMMUNITY = "520302001001"  # 红花岗社区
STREET = COMMUNITY[:9]
# Micro-grids whose leader or worker gets tasks: not micro-grid A of the tests' fixed cast.
TASK_MICRO_GRIDS = ("520302001001001002", "520302001001002001", "520302001001002002")
REASON = "演示数据初始化 (demo data)"
JOINED = dt.date(2021, 3, 1)

# (topic, [(agenda title, proposal)], [(decision, [(task, assignee, due in days)])])
# An assignee is a unit's index in population.CO_GOVERNANCE_UNITS, or "leader:i" /
# "worker:i" for the account of TASK_MICRO_GRIDS[i].
ROUND_TABLES = [
    ("捞沙巷夜间油烟扰民治理", [("捞沙巷夜市油烟扰民", "居民反映夜市烧烤油烟大、噪声晚"),
                       ("商户油烟净化设备安装", "商户联合会提出分批安装")],
     [("夜市经营时间调整为22:30前收摊,商户分两批安装油烟净化设备。",
       [("督促第一批12户商户安装油烟净化设备", 5, 30),
        ("夜间巡查油烟和噪声情况并记录", "leader:0", 21)])]),
    ("背街小巷路灯修复", [("府后街、三星巷路灯不亮", "网格员巡查发现9盏路灯损坏")],
     [("供电所牵头两周内修复损坏路灯,网格员复查。",
       [("修复府后街、三星巷损坏路灯", 8, 14), ("复查路灯修复情况", "worker:1", 21)])]),
    ("老旧小区消防通道整治", [("楼道堆放杂物堵塞消防通道", "物业与消防站联合排查")],
     [("开展为期一个月的消防通道清理行动,消防站现场指导。",
       [("联合排查并清理楼道杂物", 12, 30), ("组织物业开展消防演练", 6, 30)])]),
    ("学生放学时段交通秩序", [("子尹路小学门口接送拥堵", "家长临时停车占道")],
     [("设立临时接送区,派出所和志愿者高峰时段值守。",
       [("划设学校门口临时接送区", 10, 14), ("安排志愿者高峰时段值守", 7, 14)])]),
    ("社区老年人助餐服务", [("开设社区长者食堂", "辖区单位共同出资出力")],
     [("美食城提供场地和餐食,慈善基金会补贴高龄老人餐费。",
       [("提供长者食堂场地并制定菜单", 11, 30), ("制定高龄老人餐费补贴办法", 15, 30)])]),
    ("汛期安全隐患排查", [("低洼院落积水隐患", "雨季前排查排水设施")],
     [("汛前完成低洼院落排水设施疏通,网格长逐户告知。",
       [("疏通低洼院落排水管网", 9, 14), ("逐户告知防汛注意事项", "leader:2", 10)])]),
    ("垃圾分类进小区", [("垃圾分类投放点设置", "物业提出设置4个投放点")],
     [("设置4个分类投放点,开展入户宣传。",
       [("设置垃圾分类投放点", 6, 21), ("入户宣传垃圾分类", "worker:0", 21)])]),
    ("文明城市创建迎检", [("背街小巷环境卫生", "迎检前集中整治")],
     [("开展环境卫生集中整治周,商户门前三包。",
       [("督促商户落实门前三包", 5, 14), ("清理背街小巷卫生死角", "leader:1", 14)])]),
    ("无物业小区管理", [("无物业小区环境脏乱", "探索居民自治管理")],
     [("引入物业公司托管服务试点,成立居民自治小组。",
       [("提出托管服务试点方案", 6, 30), ("组建居民自治小组", "leader:0", 30)])]),
    ("冬季用电用气安全", [("独居老人用电用气安全", "入户检查")],
     [("供电所、消防站联合入户检查独居老人家中用电用气。",
       [("入户检查独居老人用电安全", 8, 21), ("上门排查燃气隐患", 12, 21)])]),
    ("停车难问题协商", [("小区周边停车难", "机关单位错时开放停车场")],
     [("市场监管所、邮政支局夜间错时开放内部停车场。",
       [("制定错时共享停车办法", 1, 21), ("开放邮政支局停车场夜间停车", 13, 21)])]),
    ("辖区志愿服务积分", [("志愿服务积分兑换", "商户提供积分兑换商品")],
     [("建立志愿服务积分超市,商户联合会提供兑换商品。",
       [("建立志愿服务积分台账", 7, 30), ("组织商户提供兑换商品", 5, 30),
        ("统计本网格志愿者积分", "worker:2", 21)])]),
]

# Every round table also asks a grid leader or worker to tell the residents what was
# decided: these tasks reach the phones (/m/).
TELL_RESIDENTS = "在网格内向居民通报会议决议并收集意见"
ROTATION = ("leader:0", "worker:1", "leader:2", "worker:0", "leader:1", "worker:2")

PARTY_JOINT = [
    ("党建引领共建共治季度联席会", "通报本季度共建项目进展,部署下季度共建清单。",
     "各成员单位党组织认领下季度共建项目", 4),
    ("“一核两翼三融合”党建联席会", "研究在职党员进社区报到服务安排。",
     "组织在职党员到社区报到并认领服务岗位", 3),
    ("党建联席会:红色物业建设", "推动物业企业党建与社区党建融合。",
     "物业企业建立党的工作小组", 6),
    ("党建联席会:年度共建述职", "各成员单位述职,评议年度共建成效。",
     "整理年度共建成效并报街道党工委", 0),
]


def _months_back(today: dt.date, n: int) -> list[tuple[int, int]]:
    """The `n` months up to and including this one, oldest first."""
    out, year, month = [], today.year, today.month
    for _ in range(n):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def _at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def load(*, with_cases: bool) -> None:
    community = Grid.objects.defer("boundary").filter(code=COMMUNITY).first()
    if community is None or Committee.objects.filter(grid=community).exists():
        return
    now = timezone.now()
    today = timezone.localdate(now)
    units = list(Organisation.objects.filter(co_governance_member=True,
                                             micro_grid__code__startswith=COMMUNITY)
                 .order_by("pk"))
    users = get_user_model().objects.filter(username__in=[
        f"{kind}-{code}" for code in TASK_MICRO_GRIDS for kind in ("leader", "worker")])
    workers = {w.user.username: w for w in Worker.objects.filter(user__in=users)
               .select_related("user")}
    convener = Worker.objects.filter(user__username=f"community-{COMMUNITY}").first()

    committee = Committee(name="红花岗社区共建共治协商委员会", grid=community,
                         convener=convener)
    bulk_insert([committee], reason=REASON, now=now)
    members = []
    for i, unit in enumerate(units):
        # The merchants' association is represented by the leader of a micro-grid of the
        # commercial street, so its tasks reach a phone.
        rep = workers.get(f"leader-{TASK_MICRO_GRIDS[0]}") if i == 5 else None
        members.append(CommitteeMember(
            committee=committee, organisation=unit,
            representative_name=rep.name if rep else unit.leader, representative=rep,
            role=MemberRole.VICE_CHAIR if i == 2 else MemberRole.MEMBER, joined_on=JOINED))
    bulk_insert(members, reason=REASON, now=now)

    def assignee(ref) -> tuple[CommitteeMember | None, Worker | None, str]:
        if isinstance(ref, int):
            member = members[ref % len(members)]
            return member, None, member.organisation.name
        kind, index = ref.split(":")
        worker = workers[f"{kind}-{TASK_MICRO_GRIDS[int(index)]}"]
        return None, worker, worker_label(worker, community)

    meetings, agenda, attendance, decisions, tasks = [], [], [], [], []
    months = _months_back(today, 12)
    overdue_month = months[-3]  # one task of the round table two months ago is overdue
    for index, (year, month) in enumerate(months):
        topic, items, decided = ROUND_TABLES[(month - 1) % len(ROUND_TABLES)]
        held_at = _at(year, month, 15, 9, 30)
        held = held_at <= now
        meeting = Meeting(
            committee=committee, kind=MeetingKind.ROUND_TABLE, grid=community,
            title=f"{month}月事务决策圆桌会议:{topic}", held_at=held_at,
            place="红花岗社区党群服务中心会议室",
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            public=held and index % 4 != 1,
            published_at=held_at + dt.timedelta(days=1) if held and index % 4 != 1 else None,
            created_by=convener.user if convener else None)
        if held:
            meeting.minutes = (
                f"会议由社区党总支书记主持,围绕“{topic}”开展协商。与会成员单位代表逐项发言,"
                f"经充分讨论形成决议如下:{decided[0][0]}会议明确了责任单位和完成时限,"
                "由社区跟踪督办,结果向居民公开。")
        meetings.append(meeting)
        cases = (_month_cases(year, month) if with_cases else [])
        for order, (title, proposal) in enumerate(items, start=1):
            agenda.append(AgendaItem(meeting=meeting, order=order, title=title,
                                     proposal=proposal,
                                     case=cases[order - 1] if len(cases) >= order else None))
        if not held:
            continue
        first_item = agenda[-len(items)]
        for k, member in enumerate(members):
            presence = (Presence.EXCUSED if (k + month) % 7 == 0
                        else Presence.ABSENT if (3 * k + month) % 11 == 0
                        else Presence.PRESENT)
            attendance.append(Attendance(meeting=meeting, member=member, presence=presence))
        for order, (text, task_specs) in enumerate(decided, start=1):
            decision = Decision(meeting=meeting, agenda_item=first_item, order=order,
                                text=text)
            decisions.append(decision)
            if order == len(decided):
                task_specs = [*task_specs, (TELL_RESIDENTS, ROTATION[index % 6], 14)]
            for t, (title, ref, days) in enumerate(task_specs):
                member, worker, label = assignee(ref)
                due = held_at.date() + dt.timedelta(days=days)
                task = FollowUpTask(decision=decision, title=title, member=member,
                                    worker=worker, assignee_label=label, due_on=due,
                                    created_at=held_at + dt.timedelta(hours=3))
                overdue = (year, month) == overdue_month and title == TELL_RESIDENTS
                if due < today and not overdue:
                    task.status = TaskStatus.DONE
                    task.done_at = _at(due.year, due.month, due.day, 16, 0) - dt.timedelta(
                        days=(t + month) % 4)
                    task.result = f"已按会议决议完成:{title}。"
                elif overdue and due < today:
                    task.overdue = True
                    task.overdue_since = _at(due.year, due.month, due.day, 8, 0) + \
                        dt.timedelta(days=1)
                    task.warned_at = task.overdue_since - dt.timedelta(days=WARN_DAYS)
                tasks.append(task)

    for index, (year, month) in enumerate(m for m in months if m[1] % 3 == 2):
        title, minutes, task_title, unit = PARTY_JOINT[index % len(PARTY_JOINT)]
        held_at = _at(year, month, 25, 14, 30)
        held = held_at <= now
        meeting = Meeting(
            committee=committee, kind=MeetingKind.PARTY_JOINT, grid=community,
            title=f"{year}年{month}月{title}", held_at=held_at, place="红花岗社区党群服务中心",
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            minutes=f"社区党总支与辖区单位党组织召开联席会。{minutes}" if held else "",
            public=False, created_by=convener.user if convener else None)
        meetings.append(meeting)
        agenda.append(AgendaItem(meeting=meeting, order=1, title=title, proposal=minutes))
        if not held:
            continue
        for k, member in enumerate(members):
            attendance.append(Attendance(meeting=meeting, member=member,
                                         presence=Presence.EXCUSED if (k + month) % 9 == 0
                                         else Presence.PRESENT))
        decision = Decision(meeting=meeting, agenda_item=agenda[-1], order=1,
                            text=f"{minutes}会议决定:{task_title}。")
        decisions.append(decision)
        due = held_at.date() + dt.timedelta(days=30)
        member = members[unit]
        task = FollowUpTask(decision=decision, title=task_title, member=member,
                            assignee_label=member.organisation.name, due_on=due,
                            created_at=held_at + dt.timedelta(hours=2))
        if due < today:
            task.status, task.result = TaskStatus.DONE, f"已完成:{task_title}。"
            task.done_at = _at(due.year, due.month, due.day, 11, 0)
        tasks.append(task)

    if with_cases:
        _direct_line_meetings(meetings, agenda, now)
    bulk_insert(meetings, reason=REASON, now=now)
    bulk_insert(agenda, now=now)
    bulk_insert(attendance, reason=REASON, now=now)
    bulk_insert(decisions, now=now)
    bulk_insert(tasks, reason=REASON, now=now)


def _month_cases(year: int, month: int) -> list[Case]:
    """Two closed cases of 红花岗社区 reported that month, for the round table's agenda."""
    start = _at(year, month, 1, 0, 0)
    end = _at(year + month // 12, month % 12 + 1, 1, 0, 0)
    return list(Case.objects.filter(grid__code__startswith=COMMUNITY, reported_at__gte=start,
                                    reported_at__lt=end, category__sensitive=False,
                                    closed_at__isnull=False)
                .order_by("reported_at", "pk")[:2])


def _direct_line_meetings(meetings: list, agenda: list, now: dt.datetime) -> None:
    """The street's direct-line meetings of the case history, seen from co-governance."""
    street = Grid.objects.defer("boundary").get(code=STREET)
    for record in (DirectLineMeeting.objects.filter(street=street)
                   .prefetch_related("items__case").order_by("held_on", "pk")):
        held = record.status == CaseMeetingStatus.HELD
        meeting = Meeting(kind=MeetingKind.DIRECT_LINE, grid=street, title=record.title,
                          held_at=_at(record.held_on.year, record.held_on.month,
                                      record.held_on.day, 9, 0),
                          place="老城街道办事处会议室", direct_line=record,
                          status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                          minutes=record.minutes if held else "")
        meetings.append(meeting)
        for order, item in enumerate(record.items.all(), start=1):
            agenda.append(AgendaItem(meeting=meeting, order=order, title=item.case.title[:100],
                                     proposal=item.reason, case=item.case))
