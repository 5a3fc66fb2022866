"""The demo's grid+ team, Party organisation and accounts: every micro-grid has a leader and
a full-time worker (with logins), part-time workers with the four duties, instructors from
the street, a police officer per community, family doctors, registered Party members.
Party organisation as the seed has it: 7 general branches, 15 grid branches, 30 building
groups, 300+ centre households. Names and phones are synthetic."""

import datetime

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission

from wangge.core.bulk import bulk_insert, bulk_insert_values
from wangge.grids.choices import Tier
from wangge.grids.models import Grid
from wangge.registry.models import Building, Person
from wangge.workforce.choices import PartTimeDuty, PartyOrgLevel
from wangge.workforce.models import Assignment, PartyOrg, Role, Worker

SEED = 20200103
STARTED = datetime.date(2020, 1, 1)
STARTED_DT = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
GRID_BRANCHES = 15
BUILDING_GROUPS = 30
CENTRE_HOUSEHOLDS = 310
PROMISES = ["有事找我,随叫随到", "小事不出格,大事不出社区", "办事公开,服务热情",
            "每周走访,户户见面", "有求必应,件件回复"]


def _name(rng) -> str:
    from wangge.demo.population import GIVEN, SURNAMES

    return SURNAMES[int(rng.integers(len(SURNAMES)))] + "".join(
        GIVEN[int(i)] for i in rng.integers(len(GIVEN), size=2))


def _phone(rng) -> str:
    return f"1{int(rng.choice([3, 5, 8]))}{int(rng.integers(0, 10**9)):09d}"


def load(*, password: str, reason: str) -> dict[str, int]:
    rng = np.random.default_rng(SEED)
    roles = {r.code: r for r in Role.objects.all()}
    street = Grid.objects.get(code="520302001")
    communities = list(Grid.objects.filter(tier=Tier.COMMUNITY, parent=street).order_by("code"))
    grids = list(Grid.objects.filter(tier=Tier.GRID, code__startswith=street.code)
                 .order_by("code"))
    micro_grids = list(Grid.objects.micro_grids().filter(code__startswith=street.code)
                       .order_by("code"))
    user_model = get_user_model()
    hashed = make_password(password)  # one hash for every demo account: demo only
    users: list[dict] = []
    workers: list[dict] = []
    assignments: list[dict] = []  # worker index -> grid, role

    def worker(name: str, *, username: str = "", party: bool = False, workplace: str = "",
               staff: bool = False) -> int:
        index = len(workers)
        user_index = None
        if username:
            user_index = len(users)
            users.append({"username": username, "password": hashed, "is_staff": staff,
                          "is_active": True, "is_superuser": False, "first_name": name,
                          "last_name": "", "email": "", "date_joined": STARTED_DT})
        workers.append({"name": name, "work_phone": _phone(rng), "party_member": party,
                        "workplace": workplace, "promise": PROMISES[index % len(PROMISES)],
                        "active": True, "_user": user_index})
        return index

    def assign(w: int, grid: Grid, role: str, duties=()):
        assignments.append({"_worker": w, "grid_id": grid.pk, "role_id": roles[role].pk,
                            "is_leader": role == "grid_leader", "duties": list(duties),
                            "started_on": STARTED})

    admin = worker("街道管理员", username="street-admin", party=True, staff=True)
    assign(admin, street, "street_officer")
    instructors = [worker(_name(rng), party=True) for _ in communities]
    for community, instructor in zip(communities, instructors, strict=True):
        officer = worker(_name(rng), username=f"community-{community.code}", party=True)
        assign(officer, community, "community_officer")
        assign(instructor, community, "instructor")
        assign(worker(_name(rng)), community, "police")
    for grid in grids:
        assign(worker(_name(rng)), grid, "doctor")
        for _ in range(2):
            assign(worker(_name(rng), party=True, workplace="红花岗区某机关"), grid,
                   "party_member")
    duties = PartTimeDuty.values
    for micro in micro_grids:
        assign(worker(_name(rng), username=f"leader-{micro.code}", party=True), micro,
               "grid_leader")
        assign(worker(_name(rng), username=f"worker-{micro.code}"), micro, "full_time")
        for k in range(1 + int(rng.random() < 0.5)):
            assign(worker(_name(rng)), micro, "part_time",
                   duties=[duties[(k * 2) % 4], duties[(k * 2 + 1) % 4]])
        if rng.random() < 0.3:
            assign(worker(_name(rng)), micro, "volunteer")

    user_ids = bulk_insert_values(user_model, [dict(u) for u in users])
    for w in workers:
        w["user_id"] = user_ids[w.pop("_user")] if w["_user"] is not None else None
        w.pop("_user", None)
    worker_ids = bulk_insert_values(Worker, workers, reason=reason)
    for a in assignments:
        a["worker_id"] = worker_ids[a.pop("_worker")]
    bulk_insert_values(Assignment, assignments, reason=reason)
    personal = Permission.objects.get(codename="view_personal_data")
    staff = user_model.objects.filter(username__in=["street-admin"] + [
        f"community-{c.code}" for c in communities])
    for user in staff:
        user.user_permissions.add(personal)
    party = _party_orgs(communities, grids, reason)
    return {"users": len(users), "workers": len(workers), "assignments": len(assignments),
            **party}



def _party_orgs(communities, grids, reason) -> dict[str, int]:
    general = {c.code: PartyOrg(level=PartyOrgLevel.GENERAL_BRANCH, grid=c,
                                name=f"{c.name}党总支") for c in communities}
    bulk_insert(list(general.values()), reason=reason)
    # 15 grid branches: two or three per community, in its first grids.
    per_community = {c.code: [g for g in grids if g.code.startswith(c.code)]
                     for c in communities}
    chosen: list[Grid] = []
    depth = 0
    while len(chosen) < GRID_BRANCHES:
        for code in sorted(per_community):
            if len(chosen) < GRID_BRANCHES and depth < len(per_community[code]):
                chosen.append(per_community[code][depth])
        depth += 1
    branches = [PartyOrg(level=PartyOrgLevel.GRID_BRANCH, grid=g, parent=general[g.code[:12]],
                         name=f"{general[g.code[:12]].grid.name}{g.name}党支部")
                for g in chosen]
    bulk_insert(branches, reason=reason)
    groups = []
    for branch in branches:
        for building in Building.objects.filter(
                micro_grid__code__startswith=branch.grid.code).select_related(
                "micro_grid").order_by("id")[:BUILDING_GROUPS // GRID_BRANCHES]:
            groups.append(PartyOrg(level=PartyOrgLevel.BUILDING_GROUP, parent=branch,
                                   grid=building.micro_grid, building=building,
                                   name=f"{building.micro_grid.name}{building.name}党小组"))
    bulk_insert(groups, reason=reason)
    per_group = -(-CENTRE_HOUSEHOLDS // len(groups))
    centres = []
    for group in groups:
        heads = Person.objects.filter(
            micro_grid__code__startswith=group.parent.grid.code, relation="head",
            status="active", political_status="party_member",
        ).select_related("household").order_by("id")[:per_group]
        for head in heads:
            centres.append(PartyOrg(level=PartyOrgLevel.CENTRE_HOUSEHOLD, parent=group,
                                    grid_id=head.micro_grid_id, household=head.household,
                                    name=f"党员中心户({head.name})"))
    bulk_insert(centres, reason=reason)
    return {"general_branches": len(general), "grid_branches": len(branches),
            "building_groups": len(groups), "centre_households": len(centres)}


def grant_officer_permissions() -> None:
    """Community and street officers approve deferrals (缓办审批) in the demo; a real street
    grants `cases.approve_deferral` to its officers' group in the admin."""
    from django.contrib.auth.models import Permission

    from wangge.workforce.choices import RoleKind
    from wangge.workforce.models import Assignment

    permission = Permission.objects.get(codename="approve_deferral",
                                        content_type__app_label="cases")
    users = (Assignment.objects.current().filter(role__kind=RoleKind.OFFICER,
                                                 worker__user__isnull=False)
             .values_list("worker__user", flat=True).distinct())
    permission.user_set.add(*users)
