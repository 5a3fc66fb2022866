"""Small synthetic grid trees as GeoJSON, away from the demo's codes (district 110101)."""

from shapely.geometry import box, mapping

STREET = "110101001"
COMMUNITY = STREET + "001"
GRID = COMMUNITY + "001"


def feature(code: str, name: str, geometry, **props) -> dict:
    geom = mapping(geometry) if hasattr(geometry, "geom_type") else geometry
    geom = {"type": geom["type"], "coordinates": _lists(geom["coordinates"])}
    return {"type": "Feature", "properties": {"code": code, "name": name, **props},
            "geometry": geom}


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def small_tree() -> dict:
    """A 1 km-ish square street: one community, one grid, four micro-grids in a 2×2 layout."""
    x0, y0, size = 116.40, 39.90, 0.01
    half = size / 2
    micro = [
        feature(f"{GRID}00{i + 1}", f"微网格{i + 1}",
                box(x0 + dx * half, y0 + dy * half, x0 + (dx + 1) * half, y0 + (dy + 1) * half),
                level=level)
        for i, ((dx, dy), level) in enumerate(zip(
            [(0, 0), (1, 0), (0, 1), (1, 1)], ["green", "yellow", "red", "green"], strict=True))
    ]
    square = box(x0, y0, x0 + size, y0 + size)
    return collection(
        feature(STREET, "测试街道", square),
        feature(COMMUNITY, "测试社区", square),
        feature(GRID, "测试网格", square),
        *micro,
    )
