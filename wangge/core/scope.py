"""Who may see which part of the grid tree. Every list, detail, search, export and API call
starts from `Model.objects.for_user(user)`; a row outside the user's subtree is not found.

A subtree is a grid-code prefix. A superuser sees the whole tree; any other account sees
what `settings.WANGGE_SCOPE` gives for it (by default its current workforce assignments: a
worker their micro-grids, a community officer their community, street staff the street).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string


def scope_prefixes(user) -> list[str] | None:
    """Grid-code prefixes the user may see; None means the whole tree. Worked out once per
    user object (that is, once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, "_wangge_scope", None)
    if cached is None:
        cached = list(import_string(settings.WANGGE_SCOPE)(user))
        user._wangge_scope = cached
    return cached


def scope_reaches(user, *, widest: int, code: str = "") -> bool:
    """Whether the user's part of the tree is a node whose code is at most `widest`
    characters long (a community or wider, a street or wider, …) and, when `code` is given,
    holds that node: the one rule behind "community officers and above may …"."""
    prefixes = scope_prefixes(user)
    if prefixes is None:
        return True
    return any(len(p) <= widest and (not code or code.startswith(p)) for p in prefixes)


class ScopedQuerySet(models.QuerySet):
    """Rows placed in the grid tree through `scope_path` (a path to a grid code)."""

    scope_path = "micro_grid__code"

    def for_user(self, user):
        return restrict(self, user, self.scope_path, distinct=False)

    def in_subtree(self, code: str):
        return self.filter(**{f"{self.scope_path}__startswith": code})


def restrict(queryset: models.QuerySet, user, path: str, *,
             distinct: bool = True) -> models.QuerySet:
    """Any queryset limited to the user's subtree through `path` (a path to a grid code).
    `distinct` for paths through a to-many relation (a worker's assignments)."""
    prefixes = scope_prefixes(user)
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{path}__startswith": prefix})
    queryset = queryset.filter(condition)
    return queryset.distinct() if distinct else queryset


class ScopedAdminMixin:
    """Admin lists and change pages limited to the staff member's part of the tree."""

    scope_path = "grid__code"

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, self.scope_path)
