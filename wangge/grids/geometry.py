"""Geometry helpers for WGS84 boundaries: parsing GeoJSON, areas in square metres."""

import json
import math

import numpy as np
import shapely
from django.utils.translation import gettext as _

# Mean Earth radius (IUGG); metres per degree of latitude on the sphere.
EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0


class GeometryError(ValueError):
    """A boundary that cannot be used; the message is for the user."""


def geometry_from_geojson(geojson: object) -> shapely.Geometry:
    """A valid Polygon or MultiPolygon in WGS84 from a GeoJSON geometry, or GeometryError."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise GeometryError(_("the geometry is missing or is not a GeoJSON object"))
    if geojson["type"] not in ("Polygon", "MultiPolygon"):
        raise GeometryError(
            _("the geometry must be a Polygon or MultiPolygon, not %(type)s")
            % {"type": geojson["type"]}
        )
    try:
        geom = shapely.from_geojson(json.dumps(geojson))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        raise GeometryError(_("the geometry cannot be read: %(error)s") % {"error": exc}) from None
    if geom.is_empty:
        raise GeometryError(_("the geometry is empty"))
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise GeometryError(_("the geometry has coordinates that are not numbers"))
    lon, lat = coords[:, 0], coords[:, 1]
    if lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise GeometryError(
            _("coordinates must be WGS84 longitude/latitude in degrees (EPSG:4326)")
        )
    if not geom.is_valid:
        raise GeometryError(
            _("the polygon is not valid: %(reason)s") % {"reason": shapely.is_valid_reason(geom)}
        )
    if geom.area == 0:
        raise GeometryError(_("the polygon has no area"))
    return geom


def geometry_to_geojson(geom: shapely.Geometry) -> dict:
    return json.loads(shapely.to_geojson(geom))


def area_m2(geom: shapely.Geometry) -> float:
    """Area in square metres, by a local equirectangular projection at the geometry's
    latitude: within 0.1% for a street-sized area, which is what we need it for."""
    if geom.is_empty:
        return 0.0
    lat = shapely.centroid(geom).y
    return geom.area * M_PER_DEG * M_PER_DEG * math.cos(math.radians(lat))
