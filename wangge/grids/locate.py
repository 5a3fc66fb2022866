"""Locate: which micro-grid holds a point (lon, lat).

The index is a shapely STRtree over the micro-grid boundaries, fronted by a raster of cells
over the covered area. A cell lying wholly inside one micro-grid (most of them) answers by
array lookup; a cell on a boundary, or partly outside, is answered exactly by the tree.
A point on a shared edge belongs to the micro-grid with the lowest code, in both paths.

Each process keeps one index and rebuilds it when the boundary revision in the database
has moved, so a boundary change is seen by every server.
"""

import json
import threading
from dataclasses import dataclass

import numpy as np
import shapely

from wangge.grids.choices import Tier

OUTSIDE = -1
_MIXED = -2
# Cells per micro-grid in the raster: more cells mean fewer exact tests, a slower build.
_CELLS_PER_POLYGON = 600
_MIN_CELLS, _MAX_CELLS = 1 << 16, 1 << 23


@dataclass(frozen=True)
class LocateIndex:
    """An immutable index over one revision of the micro-grid boundaries."""

    revision: int
    codes: tuple[str, ...]
    geoms: np.ndarray  # shapely polygons, prepared; ordered by code
    tree: shapely.STRtree
    x0: float
    y0: float
    inv_dx: float
    inv_dy: float
    nx: int
    ny: int
    cells: np.ndarray  # int32 (ny, nx): polygon index, OUTSIDE, or _MIXED
    candidates: dict[int, np.ndarray]  # mixed cell number -> polygon indexes, ascending

    @classmethod
    def build(cls, codes: list[str], geoms: list[shapely.Geometry], revision: int = 0):
        order = sorted(range(len(codes)), key=codes.__getitem__)
        codes_sorted = tuple(codes[i] for i in order)
        geoms_arr = np.array([geoms[i] for i in order], dtype=object)
        shapely.prepare(geoms_arr)
        tree = shapely.STRtree(geoms_arr)
        if len(codes_sorted) == 0:
            return cls(revision, (), geoms_arr, tree, 0.0, 0.0, 0.0, 0.0, 0, 0,
                       np.full((0, 0), OUTSIDE, dtype=np.int32), {})
        x0, y0, x1, y1 = shapely.total_bounds(geoms_arr)
        width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        n_cells = int(np.clip(len(codes_sorted) * _CELLS_PER_POLYGON, _MIN_CELLS, _MAX_CELLS))
        cell = float(np.sqrt(width * height / n_cells))
        nx, ny = int(np.ceil(width / cell)) + 1, int(np.ceil(height / cell)) + 1
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
        ix, iy = ix.ravel(), iy.ravel()
        boxes = shapely.box(x0 + ix * cell, y0 + iy * cell, x0 + (ix + 1) * cell,
                            y0 + (iy + 1) * cell)
        box_idx, poly_idx = tree.query(boxes, predicate="intersects")
        hits = np.bincount(box_idx, minlength=len(boxes))
        cells = np.full(len(boxes), OUTSIDE, dtype=np.int32)
        cells[hits > 0] = _MIXED
        # A cell touched by exactly one polygon that covers it is answered by lookup.
        single = hits[box_idx] == 1
        sb, sp = box_idx[single], poly_idx[single]
        covered = shapely.covers(geoms_arr[sp], boxes[sb])
        cells[sb[covered]] = sp[covered]
        mixed = cells == _MIXED
        candidates: dict[int, np.ndarray] = {}
        in_mixed = mixed[box_idx]
        mb, mp = box_idx[in_mixed], poly_idx[in_mixed]
        if len(mb):
            order2 = np.lexsort((mp, mb))
            mb, mp = mb[order2], mp[order2]
            starts = np.flatnonzero(np.r_[True, mb[1:] != mb[:-1]])
            for start, stop in zip(starts, np.r_[starts[1:], len(mb)], strict=True):
                candidates[int(mb[start])] = mp[start:stop]
        return cls(revision, codes_sorted, geoms_arr, tree, float(x0), float(y0),
                   1.0 / cell, 1.0 / cell, nx, ny, cells.reshape(ny, nx), candidates)

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lon: float, lat: float) -> int:
        """Index of the micro-grid covering the point, or OUTSIDE."""
        fx = (lon - self.x0) * self.inv_dx
        fy = (lat - self.y0) * self.inv_dy
        if not (0.0 <= fx < self.nx and 0.0 <= fy < self.ny):
            return OUTSIDE
        ix, iy = int(fx), int(fy)
        value = int(self.cells[iy, ix])
        if value != _MIXED:
            return value
        cands = self.candidates[iy * self.nx + ix]
        hit = shapely.intersects_xy(self.geoms[cands], lon, lat)
        where = np.flatnonzero(hit)
        return int(cands[where[0]]) if len(where) else OUTSIDE

    def locate_code(self, lon: float, lat: float) -> str | None:
        idx = self.locate(lon, lat)
        return None if idx == OUTSIDE else self.codes[idx]

    def locate_many(self, lons, lats) -> np.ndarray:
        """Indexes (int32, OUTSIDE where none) for arrays of longitudes and latitudes."""
        lons = np.asarray(lons, dtype=np.float64)
        lats = np.asarray(lats, dtype=np.float64)
        result = np.full(lons.shape, OUTSIDE, dtype=np.int32)
        if not len(self.codes):
            return result
        fx = (lons - self.x0) * self.inv_dx
        fy = (lats - self.y0) * self.inv_dy
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        pos = np.flatnonzero(inside)
        values = self.cells[fy[pos].astype(np.int64), fx[pos].astype(np.int64)]
        result[pos] = values
        mixed = pos[values == _MIXED]
        if len(mixed):
            result[mixed] = self._exact(lons[mixed], lats[mixed])
        return result

    def _exact(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        points = shapely.points(lons, lats)
        pt_idx, poly_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(best, pt_idx, poly_idx)
        best[best == np.iinfo(np.int32).max] = OUTSIDE
        return best.astype(np.int32)

    def brute_force(self, lon: float, lat: float) -> int:
        """Reference answer for tests and benchmarks: test every polygon in code order."""
        hit = np.flatnonzero(shapely.intersects_xy(self.geoms, lon, lat))
        return int(hit[0]) if len(hit) else OUTSIDE


_lock = threading.Lock()
_current: LocateIndex | None = None


def current_index() -> LocateIndex:
    """The index for the boundaries now in the database, rebuilt when they have changed."""
    global _current
    from wangge.grids.models import BoundaryRevision, Grid

    revision = BoundaryRevision.objects.values_list("revision", flat=True).first() or 0
    index = _current
    if index is not None and index.revision == revision:
        return index
    with _lock:
        if _current is not None and _current.revision == revision:
            return _current
        rows = list(
            Grid.objects.filter(tier=Tier.MICRO_GRID, boundary__isnull=False)
            .values_list("code", "boundary")
        )
        geoms = shapely.from_geojson([json.dumps(b) for _, b in rows]) if rows else []
        _current = LocateIndex.build([c for c, _ in rows], list(geoms), revision)
        return _current
