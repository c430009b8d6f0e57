"""WSGI entry point (gunicorn newsroom.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from newsroom.outages import guard_database_waits

# A database call that never returns gets its socket shut, then a 503 (newsroom/outages.py).
application = guard_database_waits(get_wsgi_application())
