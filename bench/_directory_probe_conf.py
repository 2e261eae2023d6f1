"""gunicorn configuration for bench/directory_load.py: the service's own
(:mod:`caveat.web.gunicorn_conf`), plus a probe thread in each worker that times a full
``gc.collect()`` when the bench asks (a file ``<pid>.go`` in ``CAVEAT_GC_PROBE``; the answer
in ``<pid>.json``). Nothing of it is part of the service."""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from caveat.web import gunicorn_conf as _service
from caveat.web.gunicorn_conf import *  # noqa: F403 - the service's settings and hooks


def post_worker_init(worker: Any) -> None:
    _service.post_worker_init(worker)
    folder = os.environ.get("CAVEAT_GC_PROBE")
    if folder:
        threading.Thread(target=_probe, args=(Path(folder),), daemon=True).start()


def _probe(folder: Path) -> None:
    pid = os.getpid()
    go = folder / f"{pid}.go"
    while True:
        if go.exists():
            go.unlink()
            t = time.perf_counter()
            gc.collect()
            ms = (time.perf_counter() - t) * 1000
            out = folder / f"{pid}.json"
            tmp = out.with_suffix(".tmp")
            tmp.write_text(json.dumps({"ms": ms, "frozen": gc.get_freeze_count()}))
            tmp.rename(out)
        time.sleep(0.05)
