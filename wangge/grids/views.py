from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wangge.grids.choices import LEVEL_COLOURS, Level


@require_GET
def map_view(request):
    """The street map: micro-grids coloured by level, communities and grids outlined."""
    levels = [
        {"value": value, "label": str(label), "colour": LEVEL_COLOURS[value]}
        for value, label in Level.choices
    ]
    return render(request, "grids/map.html", {
        "levels": levels,
        "map_config": {
            "tileUrl": settings.WANGGE_MAP_TILE_URL,
            "tileAttribution": settings.WANGGE_MAP_TILE_ATTRIBUTION,
            "levels": levels,
            "text": {
                "loaded": _("micro-grids shown"),
                "failed": _("The map data could not be loaded."),
                "area": _("m²"),
            },
        },
    })
