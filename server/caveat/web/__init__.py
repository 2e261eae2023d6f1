"""The HTTP service: a thin Flask shell around :mod:`caveat.service`.

``create_app`` in :mod:`~caveat.web.app`; the versioned JSON API in :mod:`~caveat.web.api`;
the add-in's pages and icons in :mod:`~caveat.web.addin`; the end-to-end tests' read-back
endpoints in :mod:`~caveat.web.testing`; gunicorn's settings, the WSGI entry point and
the self-signed certificate of ``make run``.
"""
