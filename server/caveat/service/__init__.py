"""What the web service and the command line share around the engine.

:mod:`~caveat.service.settings` loads the configuration (defaults, the instance file,
``CAVEAT_`` environment variables). :mod:`~caveat.service.analysis` takes one message
through the product: the directory and memory snapshots read from storage, the engine,
the memory written back.
"""
