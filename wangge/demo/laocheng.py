"""A deterministic, synthetic Laocheng Street (老城街道, Honghuagang District, Zunyi).

The seed document fixes the counts: 7 communities, 51 grids, 885 micro-grids. The shapes
are made up: a street outline around 106.92 E, 27.70 N, cut level by level into Voronoi
cells of k-means seeds and clipped to the parent, so every level tiles its parent exactly.
Names of communities other than 红花岗社区, of grids and of lanes are invented.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon

SEED = 20200101
CENTER = (106.92, 27.70)
DISTRICT_CODE = "520302"  # 红花岗区
STREET_CODE = DISTRICT_CODE + "001"
STREET_NAME = "老城街道"
COMMUNITY_NAMES = [
    "红花岗社区", "杨柳社区", "万寿社区", "石龙社区", "凤凰社区", "子尹社区", "碧云社区",
]
GRIDS_PER_COMMUNITY = [9, 8, 8, 7, 7, 6, 6]  # 51, largest community first
MICRO_GRIDS = 885
COMMERCIAL_GRID_NAME = "商业区网格"  # 红花岗社区: the 捞沙巷 E-payment demonstration street
CHINESE_NUMERALS = "一二三四五六七八九十"
LANES = [
    "捞沙巷", "子尹路", "中华南路", "凤凰路", "杨柳街", "万寿路", "石龙路", "新华路", "碧云路",
    "官井路", "丁字口", "水井湾", "府后街", "狮子桥", "三星巷", "红花岗路", "老城十字", "何家巷",
    "玉带巷", "长征路", "琵琶桥", "文化巷", "东门坡", "西门湾", "北门街", "南门关", "桃源巷",
    "幺店子", "协台坝", "白果巷", "朝阳巷", "豆芽湾", "李家湾", "柿花坡", "马家湾", "迎红桥",
    "石板巷", "竹林巷", "双井巷", "月台巷", "通惠巷", "金桂巷", "荷花池", "米市街", "盐行街",
    "仓后街", "杨家湾", "黄家坡", "纸房巷", "梧桐巷", "高桥巷",
]
GRID_TYPES = [
    ("residential", "住宅小区型", "成片住宅小区,有物业管理"),
    ("lanes", "街巷院落型", "老旧街巷、散居楼院,无物业或弱物业"),
    ("commercial", "商业区型", "商圈、市场、沿街商铺集中区域"),
]


@dataclass
class Node:
    code: str
    name: str
    geom: Polygon
    level: str = ""
    type_code: str = ""


def _outline(rng: np.random.Generator) -> Polygon:
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 2)
    radius = 1 + 0.07 * np.sin(3 * angles + phase[0]) + 0.04 * np.sin(5 * angles + phase[1])
    lon = CENTER[0] + 0.013 * radius * np.cos(angles)
    lat = CENTER[1] + 0.0105 * radius * np.sin(angles)
    return Polygon(np.column_stack([lon, lat]))


def _sample(poly: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        pts = np.column_stack([rng.uniform(minx, maxx, 2 * n), rng.uniform(miny, maxy, 2 * n)])
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
        found.append(pts)
        total += len(pts)
    return np.concatenate(found)[:n]


def _partition(poly: Polygon, n: int, rng: np.random.Generator) -> list[Polygon]:
    """Cut a polygon into n compact polygons that tile it; north-west first."""
    if n == 1:
        return [poly]
    for _attempt in range(20):
        pts = _sample(poly, max(80 * n, 400), rng)
        seeds = pts[rng.choice(len(pts), n, replace=False)]
        for _ in range(30):  # Lloyd's iterations: compact, evenly sized cells
            dist = ((pts[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
            nearest = dist.argmin(axis=1)
            for k in range(n):
                members = pts[nearest == k]
                if len(members):
                    seeds[k] = members.mean(axis=0)
        cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=poly).geoms
        parts = [shapely.intersection(cell, poly) for cell in cells]
        if len(parts) == n and all(p.geom_type == "Polygon" and not p.is_empty for p in parts):
            return sorted(parts, key=lambda p: (-round(p.centroid.y, 3), p.centroid.x))
    raise RuntimeError("could not partition the polygon into simple parts")


def _largest_remainder(weights: np.ndarray, total: int, minimum: int) -> list[int]:
    base = np.full(len(weights), minimum)
    share = weights / weights.sum() * (total - base.sum())
    counts = base + np.floor(share).astype(int)
    for i in np.argsort(-(share - np.floor(share)))[: total - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def generate() -> list[Node]:
    """The whole tree, parents before children."""
    rng = np.random.default_rng(SEED)
    street = _outline(rng)
    nodes = [Node(STREET_CODE, STREET_NAME, street)]
    communities = _partition(street, len(COMMUNITY_NAMES), rng)
    by_area = sorted(range(len(communities)), key=lambda i: -communities[i].area)
    grid_counts = {i: GRIDS_PER_COMMUNITY[rank] for rank, i in enumerate(by_area)}
    grid_polys: list[tuple[str, Polygon]] = []
    grid_names: list[str] = []
    for ci, community in enumerate(communities):
        ccode = f"{STREET_CODE}{ci + 1:03d}"
        nodes.append(Node(ccode, COMMUNITY_NAMES[ci], community))
        for gi, grid in enumerate(_partition(community, grid_counts[ci], rng)):
            gcode = f"{ccode}{gi + 1:03d}"
            name = f"第{CHINESE_NUMERALS[gi]}网格"
            if ci == 0 and gi == 0:
                name = COMMERCIAL_GRID_NAME
            nodes.append(Node(gcode, name, grid))
            grid_polys.append((gcode, grid))
            grid_names.append(name)
    areas = np.array([g.area for _, g in grid_polys])
    micro_counts = _largest_remainder(areas, MICRO_GRIDS, minimum=8)
    levels = np.array(["green", "yellow", "red"])
    for gi, ((gcode, grid), count) in enumerate(zip(grid_polys, micro_counts, strict=True)):
        lane = LANES[gi % len(LANES)]
        commercial_grid = grid_names[gi] == COMMERCIAL_GRID_NAME
        for mi, micro in enumerate(_partition(grid, count, rng)):
            if commercial_grid:
                type_code = "commercial"
            else:
                type_code = rng.choice(["residential", "lanes", "commercial"], p=[0.45, 0.4, 0.15])
            # Old lanes and business streets are harder to govern: more yellow and red.
            weights = [0.7, 0.22, 0.08] if type_code == "residential" else [0.5, 0.32, 0.18]
            level = str(rng.choice(levels, p=weights))
            nodes.append(Node(f"{gcode}{mi + 1:03d}", f"{lane}{mi + 1}号微网格", micro, level,
                              str(type_code)))
    return nodes


def feature_collection(nodes: list[Node]) -> dict:
    from wangge.grids.geometry import geometry_to_geojson

    features = []
    for node in nodes:
        props = {"code": node.code, "name": node.name}
        if node.level:
            props["level"] = node.level
            props["type"] = node.type_code
        features.append({"type": "Feature", "properties": props,
                         "geometry": geometry_to_geojson(node.geom)})
    return {"type": "FeatureCollection", "features": features}
