"""The grading model a street starts with (it tunes it in the console). Used by the data
migration (the default for every micro-grid type) and again by the demo loader (the demo's
three types, and because tests flush tables)."""

from wangge.grading.choices import Indicator

# Points per unit of each indicator: per special person or care-group member per 100
# households, per percentage point of rented houses, per case, per facility.
DEFAULT_WEIGHTS: dict[str, float] = {
    Indicator.SPECIAL_PER_100.value: 1.0,
    Indicator.CARE_PER_100.value: 0.1,
    Indicator.RENTED_SHARE.value: 0.2,
    Indicator.OPEN_HAZARDS.value: 4.0,
    Indicator.CASES_90D.value: 0.5,
    Indicator.DISPUTES_90D.value: 2.0,
    Indicator.BAD_FACILITIES.value: 10.0,
    Indicator.OVERDUE_CASES.value: 3.0,
}
# How much one recent case of a line of work counts (1 for a line not named).
DEFAULT_CATEGORY_WEIGHTS: dict[str, float] = {
    "petition_stability": 2.0, "safety": 1.5, "public_order": 1.5, "civility_hygiene": 0.5,
    "illegal_construction": 1.0, "livelihood": 0.5, "disputes": 1.0, "facilities": 0.5,
}
# Calibrated on the demo street (docs/decisions/0013-grading.md): 97% of its micro-grids
# come out at the level its story gives them.
DEFAULT_YELLOW_FROM = 10.0
DEFAULT_RED_FROM = 25.0

# Thresholds of the demo's types (wangge/demo/laocheng.py GRID_TYPES); a street tunes
# its own in the console.
TYPE_THRESHOLDS: dict[str, tuple[float, float]] = {}


def seed(GradingModel, GridType=None, *, type_codes=()) -> None:
    """The default model, and a model per named type that has none yet."""
    GradingModel.objects.get_or_create(grid_type=None, defaults={
        "weights": dict(DEFAULT_WEIGHTS), "category_weights": dict(DEFAULT_CATEGORY_WEIGHTS),
        "yellow_from": DEFAULT_YELLOW_FROM, "red_from": DEFAULT_RED_FROM})
    if GridType is None:
        return
    for grid_type in GridType.objects.filter(code__in=type_codes):
        yellow, red = TYPE_THRESHOLDS.get(grid_type.code, (DEFAULT_YELLOW_FROM, DEFAULT_RED_FROM))
        GradingModel.objects.get_or_create(grid_type=grid_type, defaults={
            "weights": dict(DEFAULT_WEIGHTS),
            "category_weights": dict(DEFAULT_CATEGORY_WEIGHTS),
            "yellow_from": yellow, "red_from": red})
