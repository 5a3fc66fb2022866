"""States, actions and the other closed lists of the case workflow (事件办理闭环)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a matter came from (信息收集渠道)."""

    PATROL = "patrol", _("grid worker's patrol")  # 网格员巡查
    VISIT = "visit", _("grid worker's visit")  # 入户走访
    ONLINE = "online", _("resident's online appeal")  # 群众网上诉求
    HOTLINE = "hotline", _("12345 hotline")  # 12345热线
    ACCESS_CONTROL = "access_control", _("smart access control")  # 智慧门禁
    GOVERNANCE_CENTRE = "governance_centre", _("comprehensive governance centre")  # 综治中心
    WALK_IN = "walk_in", _("walk-in or phone")  # 来访来电


class Status(models.TextChoices):
    """Where a case is in the closed loop. The allowed moves are `workflow.TRANSITIONS`."""

    REPORTED = "reported", _("reported")  # 信息收集
    ACCEPTED = "accepted", _("accepted")  # 案卷建立
    DISPATCHED = "dispatched", _("dispatched")  # 任务派遣
    IN_PROGRESS = "in_progress", _("in progress")  # 任务处理
    HANDLED = "handled", _("handled")  # 处理反馈
    CLOSED = "closed", _("closed")  # 核实结案
    EVALUATED = "evaluated", _("evaluated")  # 综合评价
    DEFERRED = "deferred", _("deferred")  # 缓办
    DECLINED = "declined", _("declined")  # 不予受理
    MERGED = "merged", _("duplicate")  # 重复件, merged into another case


# Statuses in which nobody works on the case any more.
FINISHED = frozenset({Status.CLOSED, Status.EVALUATED, Status.DECLINED, Status.MERGED})
# The others, named: an index on status serves `status IN (…)`; `NOT IN` reads every case.
UNFINISHED = frozenset(set(Status) - FINISHED)
# Statuses that count as "closed" (办结) in the figures.
CLOSED = frozenset({Status.CLOSED, Status.EVALUATED})
# Statuses whose level time limit runs (the sweep looks at these).
RUNNING = frozenset({Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})


class Action(models.TextChoices):
    """What someone (or the sweep) does to a case; each is one row of the timeline."""

    REPORT = "report", _("report")  # 上报
    ACCEPT = "accept", _("accept")  # 受理
    DECLINE = "decline", _("decline")  # 不予受理
    MARK_DUPLICATE = "mark_duplicate", _("mark as duplicate")  # 合并重复件
    DISPATCH = "dispatch", _("dispatch")  # 派遣
    START = "start", _("start work")  # 签收处理
    HANDLE = "handle", _("report handled")  # 处理反馈
    HANDLE_ON_SPOT = "handle_on_spot", _("handle on the spot")  # 小事即办
    CLOSE = "close", _("verify and close")  # 核实结案
    REWORK = "rework", _("send back for rework")  # 返工
    EVALUATE = "evaluate", _("evaluate")  # 评价
    REOPEN = "reopen", _("reopen: reporter dissatisfied")  # 不满意重办
    RAISE = "raise", _("raise to the next level")  # 上报上一级 (接哨声 / 领哨情)
    DIRECT_LINE = "direct_line", _("put on the secretary's direct line")  # 书记直通车
    DIRECT_LINE_DECISION = "direct_line_decision", _("direct-line decision")
    REQUEST_DEFERRAL = "request_deferral", _("request deferral")  # 申请缓办
    DEFER = "defer", _("approve deferral")  # 批准缓办
    RESUME = "resume", _("resume")  # 恢复办理
    DISCUSS = "discuss", _("joint discussion")  # 干群共议
    RELOCATE = "relocate", _("move to another micro-grid")  # 改派网格
    WARN = "warn", _("deadline warning")  # 临期预警
    COMMENT = "comment", _("note")  # 备注


class Level(models.TextChoices):
    """Which level of the three-level linkage (三级联动) holds the case."""

    GRID = "grid", _("grid")  # 网格 (把哨源)
    COMMUNITY = "community", _("community")  # 社区 (接哨声)
    STREET = "street", _("street")  # 街道 (领哨情)


LEVEL_ORDER: tuple[str, ...] = (Level.GRID, Level.COMMUNITY, Level.STREET)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    CRITICAL = "critical", _("critical")


class Evaluation(models.TextChoices):
    """The reporter's view of the result (回访评价)."""

    SATISFIED = "satisfied", _("satisfied")  # 满意
    BASICALLY = "basically", _("basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("dissatisfied")  # 不满意


class Outcome(models.TextChoices):
    """What handling achieved, as the handler reports it."""

    RESOLVED = "resolved", _("resolved")  # 已解决
    EXPLAINED = "explained", _("explained, not solvable now")  # 已解释说明
    REFERRED = "referred", _("referred to the competent authority")  # 已移交主管部门


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")


class Decision(models.TextChoices):
    """What the secretary's direct-line meeting decided for a case."""

    DISPATCH = "dispatch", _("assign with a new time limit")  # 明确责任单位和时限
    DEFER = "defer", _("defer as a long-term matter")  # 列入缓办
    DECLINE = "decline", _("not within our remit: explain and decline")  # 解释说明
