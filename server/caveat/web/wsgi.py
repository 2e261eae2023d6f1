"""The WSGI entry point: ``gunicorn 'caveat.web.wsgi:app'`` (what ``caveat serve`` runs).

Settings come from the instance file and ``CAVEAT_`` environment variables.
"""

from __future__ import annotations

from .app import create_app

app = create_app()
