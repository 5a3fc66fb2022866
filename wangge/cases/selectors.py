"""Reads of cases. Every staff read starts from `Case.objects.for_user(user)`; the public
reads (a reporter's own case by tracking code, published results) carry no personal data."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from wangge.cases.choices import Status
from wangge.cases.models import Case, CaseStep, Category, DirectLineItem


def case_list(*, user) -> QuerySet[Case]:
    return (Case.objects.for_user(user)
            .select_related("category", "category__parent", "grid", "responsible", "handler"))


def case_get(*, user, code: str) -> Case:
    """A case the user may see, with its timeline and lists; DoesNotExist otherwise."""
    return (case_list(user=user)
            .prefetch_related(Prefetch("steps", CaseStep.objects.select_related("responsible")),
                              "discussions", "feedback", "photos",
                              Prefetch("direct_line_items",
                                       DirectLineItem.objects.select_related("meeting")))
            .get(tracking_code=code.strip().upper()))


def case_scoped(*, user, code: str) -> Case:
    """The case row alone (to post a step on it); DoesNotExist outside the user's scope."""
    return Case.objects.for_user(user).get(tracking_code=code.strip().upper())


def case_public_get(*, code: str) -> Case:
    """A case by its tracking code for the reporter: nothing but the case itself."""
    return (Case.objects.select_related("category", "grid", "duplicate_of")
            .prefetch_related(Prefetch("steps", CaseStep.objects.only(
                "case_id", "seq", "action", "to_status", "to_level", "at", "note")),
                "feedback", "photos")
            .get(tracking_code=code.strip().upper()))


def published_cases() -> QuerySet[Case]:
    """Closed resident appeals published with their result (no name, phone or address)."""
    return (Case.objects.filter(published=True, status__in=[Status.CLOSED, Status.EVALUATED],
                                category__sensitive=False)
            .select_related("category", "grid", "grid__parent")
            .order_by("-closed_at", "-id"))


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent")


def leaf_categories() -> QuerySet[Category]:
    return categories().filter(parent__isnull=False).order_by("parent__sort_order",
                                                              "sort_order")


@dataclass(frozen=True)
class Candidate:
    case: Case
    distance_m: float | None
    similarity: float | None = None  # of the words, when the new text was given
    score: float | None = None


def _distance_m(lon1, lat1, lon2, lat2) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# With the new case's words: a case of another category counts when its words are this
# similar (cosine of the triage TF-IDF vectors); candidates are ranked by words, category,
# distance and age together.
TEXT_SIMILAR = 0.3
WEIGHTS = {"text": 0.5, "category": 0.2, "distance": 0.2, "time": 0.1}


def possible_duplicates(*, category: Category | None, lon: float | None, lat: float | None,
                        at: dt.datetime | None = None, grid_code: str = "",
                        exclude_id: int | None = None, user=None, text: str = "",
                        limit: int = 5) -> list[Candidate]:
    """Recent cases near the same place: the same micro-grid when there is no point, within
    `WANGGE_DUPLICATE_DISTANCE_M` when there is one. Without `text`, those of the same
    category, nearest first. With the new case's `text`, also those of another category
    whose words are similar, ranked by similarity, category, distance and age."""
    at = at or timezone.now()
    window = dt.timedelta(days=settings.WANGGE_DUPLICATE_DAYS)
    since = at - window
    text = (text or "").strip()
    if category is None and not text:
        return []
    qs = Case.objects.for_user(user) if user is not None else Case.objects.all()
    qs = (qs.filter(reported_at__gte=since, reported_at__lte=at)
          .exclude(status__in=[Status.MERGED, Status.DECLINED])
          .select_related("grid", "category"))
    if not text:
        qs = qs.filter(category=category)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    radius = settings.WANGGE_DUPLICATE_DISTANCE_M
    if lon is None or lat is None:
        if not grid_code:
            return []
        found = [Candidate(c, None) for c in qs.filter(grid__code=grid_code)[:200]]
    else:
        # A box around the point first (degrees), then the exact distance.
        dlat = radius / 111_320
        dlon = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        near = qs.filter(lon__range=(lon - dlon, lon + dlon),
                         lat__range=(lat - dlat, lat + dlat))
        found = [Candidate(c, _distance_m(lon, lat, c.lon, c.lat)) for c in near[:200]]
        found = [c for c in found if c.distance_m <= radius]
    if not text:
        found.sort(key=lambda c: (c.distance_m if c.distance_m is not None else 0,
                                  -c.case.reported_at.timestamp()))
        return found[:limit]
    from wangge.cases.triage import similarities

    sims = similarities(text, [f"{c.case.title} {c.case.description}" for c in found])
    ranked = []
    for c, sim in zip(found, sims, strict=True):
        same = category is not None and c.case.category_id == category.pk
        if not same and sim < TEXT_SIMILAR:
            continue
        near_share = 1 - (c.distance_m / radius if c.distance_m is not None and radius else 0.5)
        recent = 1 - min(1.0, (at - c.case.reported_at) / window) if window else 0.0
        score = (WEIGHTS["text"] * sim + WEIGHTS["category"] * same
                 + WEIGHTS["distance"] * near_share + WEIGHTS["time"] * recent)
        ranked.append(Candidate(c.case, c.distance_m, round(sim, 3), round(score, 3)))
    ranked.sort(key=lambda c: -c.score)
    return ranked[:limit]


def case_duplicates(*, case: Case, user) -> list[Candidate]:
    """Possible duplicates of an open case, as its page shows them."""
    if case.status in (Status.MERGED, Status.DECLINED):
        return []
    return possible_duplicates(category=case.category, lon=case.lon, lat=case.lat,
                               at=case.reported_at, grid_code=case.grid.code,
                               exclude_id=case.pk, user=user,
                               text=f"{case.title} {case.description}")
