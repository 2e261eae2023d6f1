"""The entry point ``caveat serve`` runs: ``gunicorn -k caveat.web.worker.Worker
'caveat.web.asgi:app'``, the Flask application behind the buffering front
(:mod:`caveat.web.front`).

Settings come from the instance file and ``CAVEAT_`` environment variables.
"""

from __future__ import annotations

from .front import BufferingFront
from .wsgi import app as flask_app

app = BufferingFront(flask_app, flask_app.config)
