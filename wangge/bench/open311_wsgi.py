"""WSGI application for `wangge bench open311`: the production one with the benchmark's
URLs (`open311_urls`, which add the trivial baseline view), and no sweep thread.

gunicorn loads it once (`--preload`) and forks its workers from there, so what every
worker would otherwise build on its first request is built here first: the locate index
of the micro-grids (seconds) and the URL resolver. The database connection used for that
is closed before the fork; each worker opens its own."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")

from django.conf import settings

settings.ROOT_URLCONF = "wangge.bench.open311_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import get_resolver  # noqa: E402

application = get_wsgi_application()

from wangge.grids.locate import current_index  # noqa: E402

current_index()
get_resolver().check()
connections.close_all()
