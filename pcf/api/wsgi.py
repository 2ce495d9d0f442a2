"""WSGI entry point for any WSGI server: ``gunicorn 'pcf.api.wsgi:app'``.

``pcf serve`` is the supported way to run the API; this module is for deployments that bring
their own server. The engine warms lazily on the first request of each process.
"""

from pcf.api import create_app

app = create_app()
