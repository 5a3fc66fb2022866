"""Writes to the grid tree. Views, the admin, importers and commands all come through here."""

from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from wangge.grids.choices import CODE_LENGTH, TIER_BY_CODE_LENGTH, TIER_ORDER, Level, Tier
from wangge.grids.geometry import (
    GeometryError,
    area_m2,
    geometry_from_geojson,
    geometry_to_geojson,
)
from wangge.grids.models import BoundaryRevision, Grid, GridLevelChange, GridType


@dataclass(frozen=True)
class Problem:
    """Something wrong (or, for gaps, worth knowing) about one feature of a boundary file."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class GridImportError(Exception):
    """The file was refused whole; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    level_changes: int = 0
    gaps: list[Problem] = field(default_factory=list)


class GridChangeError(ValueError):
    """A change to a grid that is not allowed; the message is for the user."""


# --- levels ----------------------------------------------------------------------------------


def grid_set_level(*, grid: Grid, level: str, actor, reason: str) -> GridLevelChange | None:
    """Change a micro-grid's green/yellow/red level, keeping who, when and why.
    Returns None when the level is already that."""
    reason = (reason or "").strip()
    if level not in Level.values:
        raise GridChangeError(_("Unknown level: %(level)s") % {"level": level})
    if not reason:
        raise GridChangeError(_("A level change needs a reason."))
    from wangge.grids.selectors import may_set_level

    if actor is not None and not may_set_level(user=actor, grid=grid):
        raise GridChangeError(_("Only the community's or the street's officers change a "
                                "micro-grid's level."))
    with transaction.atomic():
        locked = Grid.objects.select_for_update().get(pk=grid.pk)
        if locked.tier != Tier.MICRO_GRID:
            raise GridChangeError(_("Only micro-grids have a level."))
        if locked.level == level:
            return None
        changes = _record_level_changes(
            [(locked, locked.level, level)], actor=actor, reason=reason, at=timezone.now()
        )
        locked.level = level
        locked._change_reason = reason
        locked.save(update_fields=["level", "updated_at"])
    grid.level = level
    return changes[0]


def _record_level_changes(changes, *, actor, reason: str, at) -> list[GridLevelChange]:
    """The one writer of level history; callers update `Grid.level` themselves."""
    actor_id = getattr(actor, "pk", None)
    return GridLevelChange.objects.bulk_create(
        GridLevelChange(
            grid=grid, from_level=old, to_level=new, reason=reason,
            changed_by_id=actor_id, changed_at=at,
        )
        for grid, old, new in changes
    )


# --- boundaries ------------------------------------------------------------------------------


def _lock_boundaries() -> None:
    """Serialise boundary writers on the one revision row (inside a transaction)."""
    BoundaryRevision.objects.get_or_create(pk=1)
    BoundaryRevision.objects.select_for_update().get(pk=1)


def _bump_boundary_revision() -> None:
    BoundaryRevision.objects.filter(pk=1).update(revision=F("revision") + 1)


@dataclass
class _Node:
    """A node of the tree as it would be after the import: from the file or the database."""

    code: str
    tier: str
    name: str
    geom: shapely.Geometry | None
    where: str
    level: str = ""
    type_code: str | None = None
    in_file: bool = False


def _parent_code(code: str) -> str | None:
    tier = TIER_BY_CODE_LENGTH[len(code)]
    pos = TIER_ORDER.index(tier)
    return code[: CODE_LENGTH[TIER_ORDER[pos - 1]]] if pos > 0 else None


def _parse_features(data: object, types: set[str]) -> tuple[list[_Node], list[Problem]]:
    problems: list[Problem] = []
    whole = _("file")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [], [Problem(whole, _("the file must be a GeoJSON FeatureCollection"))]
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return [], [Problem(whole, _("the FeatureCollection has no features"))]
    nodes: list[_Node] = []
    seen: dict[str, str] = {}
    for number, feature in enumerate(features, start=1):
        where = _("feature #%(n)d") % {"n": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(where, _("not a GeoJSON Feature")))
            continue
        props = feature.get("properties") or {}
        code = str(props.get("code", "")).strip()
        if code:
            where = f"{where} ({code})"
        if not code.isdigit() or len(code) not in TIER_BY_CODE_LENGTH:
            problems.append(Problem(where, _(
                "property 'code' must be a grid code of 4, 6, 9, 12, 15 or 18 digits"
            )))
            continue
        tier = TIER_BY_CODE_LENGTH[len(code)]
        if props.get("tier") not in (None, "", tier):
            problems.append(Problem(where, _(
                "tier '%(given)s' does not match the code, which is a %(tier)s code"
            ) % {"given": props.get("tier"), "tier": tier}))
        given_parent = str(props.get("parent") or "")
        if given_parent and given_parent != _parent_code(code):
            problems.append(Problem(where, _(
                "parent '%(parent)s' does not match the code: a code starts with its parent's"
            ) % {"parent": given_parent}))
        name = str(props.get("name") or "").strip()
        if not name or len(name) > 100:
            problems.append(
                Problem(where, _("property 'name' is required (at most 100 characters)"))
            )
        level = str(props.get("level") or "")
        if level and (tier != Tier.MICRO_GRID or level not in Level.values):
            problems.append(Problem(where, _(
                "level '%(level)s' is not allowed: micro-grids only, one of green, yellow, red"
            ) % {"level": level}))
        type_code = props.get("type") or None
        if type_code and (tier != Tier.MICRO_GRID or type_code not in types):
            problems.append(Problem(where, _(
                "type '%(type)s' is not a micro-grid type known here"
            ) % {"type": type_code}))
        if code in seen:
            problems.append(Problem(where, _("code appears twice in the file (also %(other)s)")
                                    % {"other": seen[code]}))
            continue
        seen[code] = where
        try:
            geom = geometry_from_geojson(feature.get("geometry"))
        except GeometryError as exc:
            problems.append(Problem(where, str(exc)))
            geom = None
        nodes.append(_Node(code, tier, name, geom, where, level, type_code, in_file=True))
    return nodes, problems


def _check_tree(nodes: dict[str, _Node], tolerance: float) -> tuple[list[Problem], list[Problem]]:
    """Problems (refuse the file) and gaps (report only) for the groups the file touches."""
    problems: list[Problem] = []
    gaps: list[Problem] = []
    groups: dict[str | None, list[_Node]] = defaultdict(list)
    for node in nodes.values():
        groups[_parent_code(node.code)].append(node)
    touched = {_parent_code(n.code) for n in nodes.values() if n.in_file}
    touched |= {n.code for n in nodes.values() if n.in_file and n.code in groups}
    for parent_code in sorted(touched, key=lambda c: c or ""):
        siblings = groups[parent_code]
        parent = nodes.get(parent_code) if parent_code else None
        below_street = TIER_ORDER.index(siblings[0].tier) > TIER_ORDER.index(Tier.STREET)
        if parent_code and parent is None and below_street:
            # Streets and above may be roots; anything lower needs its parent.
            problems.extend(
                Problem(node.where, _(
                    "its parent %(parent)s is neither in the file nor in the database"
                ) % {"parent": parent_code})
                for node in siblings if node.in_file
            )
            continue
        names: dict[str, _Node] = {}
        for node in sorted(siblings, key=lambda n: n.code):
            other = names.setdefault(node.name, node)
            if other is not node and (node.in_file or other.in_file):
                problems.append(Problem(node.where, _(
                    "name '%(name)s' is already used by %(other)s under the same parent"
                ) % {"name": node.name, "other": other.code}))
        shaped = [n for n in siblings if n.geom is not None]
        if parent is not None and parent.geom is not None:
            for node in shaped:
                if node.in_file or parent.in_file:
                    outside = area_m2(shapely.difference(node.geom, parent.geom))
                    if outside > tolerance:
                        problems.append(Problem(node.where, _(
                            "%(area).1f m² lies outside its parent %(parent)s"
                        ) % {"area": outside, "parent": parent.code}))
        if len(shaped) > 1:
            tree = shapely.STRtree([n.geom for n in shaped])
            left, right = tree.query([n.geom for n in shaped], predicate="intersects")
            for i, j in zip(left, right, strict=True):
                a, b = shaped[i], shaped[j]
                if i >= j or not (a.in_file or b.in_file):
                    continue
                overlap = area_m2(shapely.intersection(a.geom, b.geom))
                if overlap > tolerance:
                    problems.append(Problem(b.where if b.in_file else a.where, _(
                        "overlaps %(other)s by %(area).1f m²"
                    ) % {"other": (a if b.in_file else b).code, "area": overlap}))
        if parent is not None and parent.geom is not None and shaped:
            uncovered = shapely.difference(parent.geom, shapely.union_all([n.geom for n in shaped]))
            gap = area_m2(uncovered)
            if gap > tolerance:
                point = shapely.point_on_surface(uncovered)
                gaps.append(Problem(parent.where, _(
                    "%(area).1f m² is not covered by any child (e.g. near %(lon).6f, %(lat).6f)"
                ) % {"area": gap, "lon": point.x, "lat": point.y}))
    return problems, gaps


def grids_import_geojson(*, data: object, actor, reason: str) -> ImportResult:
    """Create or update grids from a GeoJSON FeatureCollection, all or nothing.

    Each feature's properties give `code` and `name`, optionally `tier`, `parent`, `level`
    and `type`. The whole resulting tree is checked (valid polygons, inside the parent,
    no overlap with siblings, names unique per parent) before anything is written.
    """
    types = dict(GridType.objects.values_list("code", "pk"))
    incoming, problems = _parse_features(data, set(types))
    if problems:
        raise GridImportError(problems)
    tolerance = settings.WANGGE_BOUNDARY_TOLERANCE_M2
    at = timezone.now()
    with transaction.atomic():
        _lock_boundaries()
        codes = [n.code for n in incoming]
        parent_codes = {p for p in map(_parent_code, codes) if p}
        # Parents, siblings and children of every incoming node take part in the checks.
        parent_ids = list(
            Grid.objects.filter(code__in=parent_codes | set(codes)).values_list("pk", flat=True)
        )
        wanted = Q(code__in=codes) | Q(code__in=parent_codes) | Q(parent_id__in=parent_ids)
        if any(_parent_code(c) is None or _parent_code(c) not in parent_codes for c in codes):
            wanted |= Q(parent__isnull=True)
        existing_rows = {g.code: g for g in Grid.objects.filter(wanted)}
        nodes: dict[str, _Node] = {}
        for code, grid in existing_rows.items():
            geom = geometry_from_geojson(grid.boundary) if grid.boundary else None
            nodes[code] = _Node(code, grid.tier, grid.name, geom, code, grid.level)
        for node in incoming:
            nodes[node.code] = node
        problems, gaps = _check_tree(nodes, tolerance)
        if problems:
            raise GridImportError(problems)
        result = ImportResult(gaps=gaps)
        geometry_changed = False
        by_code = dict(existing_rows)
        level_changes: list[tuple[Grid, str, str]] = []
        for tier in TIER_ORDER:
            to_create: list[Grid] = []
            to_update: list[Grid] = []
            for node in (n for n in incoming if n.tier == tier):
                boundary = geometry_to_geojson(node.geom)
                bounds = node.geom.bounds
                parent_code = _parent_code(node.code)
                parent = by_code.get(parent_code) if parent_code else None
                grid = existing_rows.get(node.code)
                if grid is None:
                    grid = Grid(code=node.code, tier=tier, created_at=at)
                    level = node.level or (Level.GREEN if tier == Tier.MICRO_GRID else "")
                    to_create.append(grid)
                    if level:
                        level_changes.append((grid, "", level))
                else:
                    level = node.level or grid.level
                    changed = (
                        grid.name != node.name or grid.boundary != boundary
                        or grid.level != level
                        or (node.type_code and types[node.type_code] != grid.grid_type_id)
                        or grid.parent_id != (parent.pk if parent else None)
                    )
                    if not changed:
                        result.unchanged += 1
                        continue
                    if grid.level != level:
                        level_changes.append((grid, grid.level, level))
                    geometry_changed |= grid.boundary != boundary
                    to_update.append(grid)
                grid.name = node.name
                grid.parent = parent
                grid.boundary = boundary
                grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = bounds
                grid.area_m2 = round(area_m2(node.geom), 1)
                grid.level = level
                if node.type_code:
                    grid.grid_type_id = types[node.type_code]
                grid.updated_at = at
                grid._change_reason = reason
            if to_create:
                bulk_create_with_history(to_create, Grid, batch_size=500, default_user=actor,
                                         default_change_reason=reason, default_date=at)
                geometry_changed = True
                result.created += len(to_create)
                for grid in Grid.objects.filter(code__in=[g.code for g in to_create]):
                    by_code[grid.code] = grid
                for i, (grid, old, new) in enumerate(level_changes):
                    if grid.pk is None:
                        level_changes[i] = (by_code[grid.code], old, new)
            if to_update:
                bulk_update_with_history(
                    to_update, Grid,
                    ["name", "parent", "boundary", "min_lon", "min_lat", "max_lon", "max_lat",
                     "area_m2", "level", "grid_type", "updated_at"],
                    batch_size=500, default_user=actor, default_change_reason=reason,
                    default_date=at,
                )
                result.updated += len(to_update)
        _record_level_changes(level_changes, actor=actor, reason=reason, at=at)
        result.level_changes = len(level_changes)
        if geometry_changed:
            _bump_boundary_revision()
    return result


def grid_update(*, grid: Grid, actor, reason: str, name: str | None = None,
                grid_type: GridType | None = None) -> Grid:
    """Rename a node or change a micro-grid's type; kept in the record's history.
    Boundaries change only through `grids_import_geojson`, where the tree is checked."""
    with transaction.atomic():
        locked = Grid.objects.select_for_update().get(pk=grid.pk)
        fields = []
        if name is not None and name.strip() != locked.name:
            name = name.strip()
            clash = Grid.objects.filter(parent_id=locked.parent_id, name=name).exclude(pk=locked.pk)
            if clash.exists():
                raise GridChangeError(
                    _("Name '%(name)s' is already used under the same parent.") % {"name": name}
                )
            locked.name = name
            fields.append("name")
        if grid_type is not None and grid_type.pk != locked.grid_type_id:
            if locked.tier != Tier.MICRO_GRID:
                raise GridChangeError(_("Only micro-grids have a type."))
            locked.grid_type = grid_type
            fields.append("grid_type")
        if fields:
            locked._change_reason = reason
            locked._history_user = actor
            locked.save(update_fields=[*fields, "updated_at"])
    return locked
