"""WSGI entry point (gunicorn ``dbconsole.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbconsole.settings")
application = get_wsgi_application()
