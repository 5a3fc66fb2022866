from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Where a node sits in the tree. The code grows by a fixed number of digits per tier
    (see docs/decisions/0002-grid-codes.md)."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")


# Tiers from the top down, and the length of a code at each tier.
TIER_ORDER: tuple[str, ...] = (
    Tier.CITY,
    Tier.DISTRICT,
    Tier.STREET,
    Tier.COMMUNITY,
    Tier.GRID,
    Tier.MICRO_GRID,
)
CODE_LENGTH: dict[str, int] = {
    Tier.CITY: 4,
    Tier.DISTRICT: 6,
    Tier.STREET: 9,
    Tier.COMMUNITY: 12,
    Tier.GRID: 15,
    Tier.MICRO_GRID: 18,
}
TIER_BY_CODE_LENGTH: dict[int, str] = {length: tier for tier, length in CODE_LENGTH.items()}


class Level(models.TextChoices):
    """Green/yellow/red card of a micro-grid (绿、黄、红牌分类动态管理)."""

    GREEN = "green", _("Green: routine management")
    YELLOW = "yellow", _("Yellow: general prevention")
    RED = "red", _("Red: priority governance")


LEVEL_COLOURS: dict[str, str] = {
    Level.GREEN: "#2e9d4f",
    Level.YELLOW: "#e6b400",
    Level.RED: "#d7263d",
}
