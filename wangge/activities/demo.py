"""Demo data for joint activities and co-built projects, loaded by
wangge.demo.services.demo_load after the cases (and independent of them).

A register of volunteers and registered Party members taken from the demo population, a year
of finished activities in every community with attendance and hours credited, a few
upcoming ones open for sign-up, and the co-built 捞沙巷 E-payment demonstration street with
its partner units and milestones. Deterministic for a given day; dates are relative to the
day it is loaded, so that the upcoming activities stay upcoming."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np
from django.utils import timezone

from wangge.activities.choices import (
    ActivityKind,
    ActivityStatus,
    Attendance,
    ProjectStatus,
    VolunteerKind,
)
from wangge.activities.models import (
    Activity,
    Milestone,
    Project,
    ProjectPartner,
    SignUp,
    Volunteer,
)
from wangge.core.bulk import bulk_insert
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.choices import OrganisationKind, PersonStatus, PoliticalStatus
from wangge.registry.models import Organisation, Person
from wangge.workforce.choices import PartyOrgLevel
from wangge.workforce.models import PartyOrg

SEED = 20200815
REASON = "演示数据初始化 (demo data)"
PARTY_MEMBERS_PER_COMMUNITY = 24
VOLUNTEERS_PER_COMMUNITY = 30
FINISHED_PER_COMMUNITY = 10
LAOSHAXIANG_COMMUNITY = "520302001001"  # 红花岗社区
WORKPLACES = ["红花岗区人民医院", "红花岗区财政局", "遵义市第四中学", "红花岗区税务局",
              "遵义市自然资源局", "红花岗区人民法院", "遵义供电局", "红花岗区教育局"]
# (title, kind, place, hours)
ACTIVITIES = [
    ("清洁家园志愿服务", ActivityKind.VOLUNTEER_SERVICE, "社区各小区", "2.0"),
    ("关爱独居老人走访", ActivityKind.VOLUNTEER_SERVICE, "独居老人家中", "2.5"),
    ("文明交通劝导", ActivityKind.CIVILITY, "十字路口", "2.0"),
    ("防诈骗宣传进小区", ActivityKind.PUBLIC_GOOD, "社区广场", "1.5"),
    ("“我为群众办实事”主题党日", ActivityKind.PARTY_DAY, "社区党群服务中心", "3.0"),
    ("义诊义剪便民服务", ActivityKind.PUBLIC_GOOD, "社区广场", "3.0"),
    ("垃圾分类宣传", ActivityKind.CIVILITY, "小区门口", "1.5"),
    ("背街小巷环境整治", ActivityKind.VOLUNTEER_SERVICE, "背街小巷", "3.0"),
    ("四点半课堂辅导", ActivityKind.PUBLIC_GOOD, "社区活动室", "2.0"),
    ("消防安全隐患排查", ActivityKind.VOLUNTEER_SERVICE, "老旧院落", "2.5"),
]
UPCOMING = [
    ("重阳节敬老志愿服务", ActivityKind.VOLUNTEER_SERVICE, "社区养老服务站", "3.0", 20),
    ("创文巩卫集中清扫", ActivityKind.CIVILITY, "主次干道", "2.0", 30),
]
LAOSHAXIANG_MILESTONES = [
    # (title, due in days from the start, progress, note)
    ("商户摸底与动员", 30, 100, "走访捞沙巷商户,建立台账"),
    ("收款码与POS机具布放", 75, 100, "银行上门办理,商户全覆盖"),
    ("示范街标识与宣传", 120, 100, "统一张贴电子支付示范标识"),
    ("老年人数字支付培训", 180, 60, "每月两期,已开展六期"),
    ("诚信经营与价格公示", 240, 40, "市场监管所牵头,已公示过半商户"),
    ("示范街验收评估", 300, 0, ""),
]


def _localise(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(*, with_cases: bool) -> dict[str, int]:
    """Load the register, the activities and the projects; `with_cases` does not matter."""
    del with_cases
    rng = np.random.default_rng(SEED)
    today = timezone.localdate()
    now = timezone.now()
    communities = list(Grid.objects.filter(tier=Tier.COMMUNITY).order_by("code")
                       .only("id", "code", "name"))
    branches = dict(PartyOrg.objects.filter(level=PartyOrgLevel.GENERAL_BRANCH)
                    .values_list("grid__code", "pk"))
    volunteers_by_community = _volunteers(communities, branches, today, rng)
    counts = {"volunteers": sum(len(v) for v, _n in volunteers_by_community.values())}
    activities: list[Activity] = []
    signups: list[SignUp] = []
    for community in communities:
        pool, n_party = volunteers_by_community[community.code]
        # Registered Party members come more often: their service record fills up.
        weights = np.array([2.5] * n_party + [1.0] * (len(pool) - n_party))
        weights /= weights.sum()
        for i in range(FINISHED_PER_COMMUNITY):
            title, kind, place, hours = ACTIVITIES[(i + int(community.code[-1])) %
                                                   len(ACTIVITIES)]
            day = today - datetime.timedelta(days=int(15 + i * 34 + rng.integers(0, 10)))
            activity = Activity(
                community_id=community.pk, title=title, kind=kind,
                place=f"{community.name}{place}", starts_at=_localise(day, 9),
                ends_at=_localise(day, 12), capacity=None if i % 3 else 25,
                hours=Decimal(hours), status=ActivityStatus.FINISHED, public=i % 5 != 4,
                description=f"{community.name}组织志愿者和报到党员开展{title}。",
                organiser_text=f"{community.name}党总支", finished_at=_localise(day, 12))
            activities.append(activity)
            size = min(len(pool), int(rng.integers(10, 19)))
            for k in rng.choice(len(pool), size=size, replace=False, p=weights):
                came = rng.random() < 0.88
                signups.append(SignUp(
                    activity=activity, volunteer_id=pool[int(k)],
                    signed_at=_localise(day - datetime.timedelta(days=3), 10),
                    attendance=Attendance.ATTENDED if came else Attendance.ABSENT,
                    hours=activity.hours if came else Decimal(0)))
        for j, (title, kind, place, hours, capacity) in enumerate(UPCOMING):
            day = today + datetime.timedelta(days=7 + 14 * j + int(community.code[-1]))
            activity = Activity(
                community_id=community.pk, title=title, kind=kind,
                place=f"{community.name}{place}", starts_at=_localise(day, 9),
                ends_at=_localise(day, 11), capacity=capacity, hours=Decimal(hours),
                status=ActivityStatus.OPEN, public=True,
                description=f"欢迎辖区志愿者和报到党员报名参加{title}。",
                organiser_text=f"{community.name}居委会")
            activities.append(activity)
            for k in range(3 + j):
                signups.append(SignUp(activity=activity, volunteer_id=pool[k],
                                      signed_at=now, attendance=Attendance.UNKNOWN))
    bulk_insert(activities, reason=REASON, now=now)
    for signup in signups:
        signup.activity_id = signup.activity.pk
    bulk_insert(signups, reason=REASON, now=now)
    counts.update(activities=len(activities), signups=len(signups))
    counts["projects"] = _projects(today, now)
    return counts


def _volunteers(communities, branches: dict[str, int], today: datetime.date,
                rng) -> dict[str, tuple[list[int], int]]:
    """A few hundred residents put into the register: Party members of working age as
    registered Party members, other adults as volunteers; by community, their ids (Party
    members first) and how many are Party members."""
    adult = today.replace(year=today.year - 20, month=1, day=1)
    senior = today.replace(year=today.year - 70, month=1, day=1)
    rows: list[Volunteer] = []
    by_community: dict[str, tuple[list[Volunteer], int]] = {}
    for community in communities:
        people = Person.objects.filter(micro_grid__code__startswith=community.code,
                                       status=PersonStatus.ACTIVE, birth_date__lte=adult,
                                       birth_date__gte=senior)
        party = list(people.filter(political_status=PoliticalStatus.PARTY_MEMBER)
                     .order_by("id").values_list("id", flat=True)[:PARTY_MEMBERS_PER_COMMUNITY])
        others = list(people.exclude(political_status=PoliticalStatus.PARTY_MEMBER)
                      .order_by("id").values_list("id", flat=True)[
                          :VOLUNTEERS_PER_COMMUNITY * 5:5])
        mine = []
        for n, pid in enumerate(party):
            mine.append(Volunteer(
                person_id=pid, kind=VolunteerKind.PARTY_MEMBER,
                party_org_id=branches.get(community.code),
                workplace=WORKPLACES[(n + int(rng.integers(0, 3))) % len(WORKPLACES)],
                registered_on=today - datetime.timedelta(days=int(400 + rng.integers(0, 700)))))
        for pid in others:
            mine.append(Volunteer(
                person_id=pid, kind=VolunteerKind.VOLUNTEER,
                registered_on=today - datetime.timedelta(days=int(380 + rng.integers(0, 900)))))
        by_community[community.code] = (mine, len(party))
        rows.extend(mine)
    bulk_insert(rows, reason=REASON)
    return {code: ([v.pk for v in vs], n) for code, (vs, n) in by_community.items()}


def _projects(today: datetime.date, now: datetime.datetime) -> int:
    community = Grid.objects.filter(code=LAOSHAXIANG_COMMUNITY).first()
    if community is None:
        return 0
    started = today - datetime.timedelta(days=200)
    project = Project(
        community=community, title="捞沙巷电子支付示范街", status=ProjectStatus.IN_PROGRESS,
        started_on=started, public=True,
        description="社区党总支联合银行、市场监管所和商户共建电子支付示范街:商户收款码和"
                    "POS机具全覆盖,老年人数字支付培训,诚信经营和明码标价。")
    bulk_insert([project], reason=REASON, now=now)
    units = {o.name: o for o in Organisation.objects.filter(
        name__in=["中国工商银行遵义碧云支行", "红花岗区老城市场监管所", "捞沙巷商户联合会",
                  "捞沙巷美食城有限公司"])}
    shops = list(Organisation.objects.filter(kind=OrganisationKind.SOLE_TRADER,
                                             name__startswith="捞沙巷").order_by("id")[:3])
    roles = {"中国工商银行遵义碧云支行": "布放收款码和POS机具,开展数字支付培训",
             "红花岗区老城市场监管所": "指导诚信经营和明码标价",
             "捞沙巷商户联合会": "组织商户参与,收集商户意见",
             "捞沙巷美食城有限公司": "示范商户,提供培训场地"}
    partners = [ProjectPartner(project=project, organisation=units[name], role=role)
                for name, role in roles.items() if name in units]
    partners += [ProjectPartner(project=project, organisation=shop, role="示范商户")
                 for shop in shops]
    bulk_insert(partners, reason=REASON, now=now)
    milestones = [Milestone(project=project, title=title, progress=progress, note=note,
                            due_on=started + datetime.timedelta(days=due),
                            done_on=(started + datetime.timedelta(days=due - 5)
                                     if progress == 100 else None))
                  for title, due, progress, note in LAOSHAXIANG_MILESTONES]
    bulk_insert(milestones, reason=REASON, now=now)
    return 1
