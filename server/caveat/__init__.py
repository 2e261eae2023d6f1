"""Caveat: warns mail users when a message carries the marks of business email compromise.

The analysis engine (:mod:`caveat.engine.engine`) is a pure library: it knows nothing of Flask or
of the database. The HTTP service (:mod:`caveat.web.app`) and the command line
(:mod:`caveat.cli`) are thin shells around it.
"""

__version__ = "0.1.0"
