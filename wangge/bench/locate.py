"""Locate benchmark: bulk throughput, single-call latency and correctness against brute force,
side by side with shapely's plain vectorized STRtree query (the nearest alternative)."""

import time

import numpy as np
import shapely

from wangge.grids.locate import OUTSIDE, LocateIndex


def _best_rate(fn, n: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return n / best


def brute_force(geoms: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Every polygon tested against every point (bbox first, then exact); lowest index wins."""
    result = np.full(len(lons), OUTSIDE, dtype=np.int64)
    for i in range(len(geoms) - 1, -1, -1):  # descending, so the lowest index is kept
        x0, y0, x1, y1 = geoms[i].bounds
        near = np.flatnonzero((lons >= x0) & (lons <= x1) & (lats >= y0) & (lats <= y1))
        hit = near[shapely.intersects_xy(geoms[i], lons[near], lats[near])]
        result[hit] = i
    return result


def plain_strtree(index: LocateIndex, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    points = shapely.points(lons, lats)
    pt, poly = index.tree.query(points, predicate="intersects")
    result = np.full(len(lons), OUTSIDE, dtype=np.int64)
    result[pt[::-1]] = poly[::-1]
    return result


def sample_points(index: LocateIndex, points: int, seed: int = 7
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points over the index's bounding box with a 2% margin: some fall outside."""
    x0, y0, x1, y1 = shapely.total_bounds(index.geoms)
    rng = np.random.default_rng(seed)
    mx, my = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    return rng.uniform(x0 - mx, x1 + mx, points), rng.uniform(y0 - my, y1 + my, points)


def run(*, codes: list[str], geoms: list, points: int, seed: int = 7,
        check_points: int | None = None) -> dict:
    """`check_points` limits the brute-force comparison to the first points (it tests every
    polygon against every point: too slow for 90,000 micro-grids and a million points)."""
    started = time.perf_counter()
    index = LocateIndex.build(codes, geoms)
    build_s = time.perf_counter() - started
    lons, lats = sample_points(index, points, seed)

    ours = index.locate_many(lons, lats)
    bulk_rate = _best_rate(lambda: index.locate_many(lons, lats), points)
    alt_rate = _best_rate(lambda: plain_strtree(index, lons, lats), points)
    checked = min(points, check_points or points)
    reference = brute_force(index.geoms, lons[:checked], lats[:checked])
    agree = int((ours[:checked] == reference).sum())

    n_single = min(checked, 100_000)
    timings = np.empty(n_single)
    locate = index.locate
    clock = time.perf_counter_ns
    single_agree = 0
    for i in range(n_single):
        t0 = clock()
        answer = locate(lons[i], lats[i])
        timings[i] = clock() - t0
        single_agree += answer == reference[i]
    return {
        "micro_grids": len(codes),
        "points": points,
        "inside_share": float((reference != OUTSIDE).mean()),
        "index_build_s": round(build_s, 3),
        "raster_cells": index.nx * index.ny,
        "bulk_points_per_s": round(bulk_rate),
        "alternative_plain_strtree_points_per_s": round(alt_rate),
        "speedup_vs_plain_strtree": round(bulk_rate / alt_rate, 1),
        "single_calls": n_single,
        "single_p50_us": round(float(np.percentile(timings, 50)) / 1000, 2),
        "single_p99_us": round(float(np.percentile(timings, 99)) / 1000, 2),
        "bulk_agrees_with_brute_force": f"{agree}/{checked}",
        "single_agrees_with_brute_force": f"{single_agree}/{n_single}",
    }
