"""Public reads for the residents' site: nothing here carries anyone's personal data."""

from wangge.cases import stats
from wangge.grids.choices import Tier
from wangge.grids.models import Grid


def street_figures() -> dict:
    """Residents' online appeals since the platform started (`stats.public_figures`, the
    same figures as `GET /api/stats/public`), for the first street."""
    found = stats.public_figures()
    empty = {"received": 0, "closed": 0, "closure_rate": {"value": None},
             "satisfaction_rate": {"value": None}}
    return {"since": stats.PUBLIC_SINCE, **(found[0] if found else empty)}


def communities() -> list[Grid]:
    return list(Grid.objects.filter(tier=Tier.COMMUNITY).order_by("code"))
