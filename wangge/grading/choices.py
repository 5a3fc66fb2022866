"""Closed lists of dynamic grading (绿黄红牌动态管理): the indicators a score is made of, the
states of a level proposal and the kinds of computation run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """What the platform already holds about a micro-grid and the model weighs. Rates are
    per 100 households or in percent so that small and large micro-grids compare."""

    SPECIAL_PER_100 = "special_per_100", _("special populations per 100 households")
    CARE_PER_100 = "care_per_100", _("care groups per 100 households")
    RENTED_SHARE = "rented_share", _("share of rented houses (%)")
    OPEN_HAZARDS = "open_hazards", _("open safety hazards")
    CASES_90D = "cases_90d", _("cases in the last 90 days (weighted by category)")
    DISPUTES_90D = "disputes_90d", _("disputes in the last 90 days")
    BAD_FACILITIES = "bad_facilities", _("facilities in bad condition")
    OVERDUE_CASES = "overdue_cases", _("overdue cases")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    CONFIRMED = "confirmed", _("confirmed")
    OVERRIDDEN = "overridden", _("overridden")
    AUTO_APPLIED = "auto_applied", _("applied automatically")
    SUPERSEDED = "superseded", _("superseded")


class RunKind(models.TextChoices):
    SWEEP = "sweep", _("daily sweep")
    ON_DEMAND = "on_demand", _("on demand")


# The window of "recent" cases and disputes.
RECENT_DAYS = 90
# The lines of work (parent categories) the indicators single out; see cases/reference.py.
SAFETY_LINE = "safety"
DISPUTES_LINE = "disputes"
