"""WSGI entry point (gunicorn presales.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.production")

application = get_wsgi_application()
