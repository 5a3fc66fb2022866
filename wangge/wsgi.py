"""WSGI entry point for production servers (gunicorn, uwsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
application = get_wsgi_application()

# The sweeps run inside every serving process unless WANGGE_SWEEP_INTERVAL is 0.
from wangge.core import sweeper  # noqa: E402

sweeper.start()
