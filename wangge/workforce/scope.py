"""A user's part of the grid tree, from their current assignments (settings.WANGGE_SCOPE)."""

from wangge.workforce.models import Assignment


def assignment_prefixes(user) -> list[str]:
    """Codes of the grids the user's worker record is currently assigned to: a worker sees
    their micro-grids, a community officer their community, street staff the street."""
    worker_id = getattr(getattr(user, "worker", None), "pk", None)
    if worker_id is None:
        return []
    codes = sorted(set(Assignment.objects.current().filter(worker_id=worker_id)
                       .values_list("grid__code", flat=True)))
    # Drop codes inside another code of the list: the wider one covers them.
    return [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]
