"""WSGI entry point (gunicorn -c gunicorn.conf.py oncology_portal.wsgi).

A process serving the web marks itself (DJANGO_SERVING_WEB) before the settings load: only
web requests run under the database statement timeout (settings.py), never management commands.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncology_portal.settings")
os.environ.setdefault("DJANGO_SERVING_WEB", "true")

application = get_wsgi_application()
