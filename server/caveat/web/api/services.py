"""What the views use, built once per application by :func:`caveat.web.app.create_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from caveat.engine.catalogue import Catalogue
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.mail.facts import Facts
from caveat.service.analysis import Analyzer
from caveat.service.notices import Notice
from caveat.storage.store import Store

from .schema import RequestValidator

EXTENSION = "caveat"


@dataclass(frozen=True)
class Services:
    engine: Engine
    config: EngineConfig
    catalogue: Catalogue
    store: Store
    request_validator: RequestValidator
    clock: Callable[[], datetime]
    #: ``GET /api/v1/checks``: the catalogue never changes while the app runs.
    catalogue_document: dict[str, Any]
    #: memory snapshot, engine, memory record: one message through the product
    analyzer: Analyzer
    #: what the configuration costs the verdicts (in /healthz and every analysis answer)
    notices: tuple[Notice, ...] = ()


def catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
    return {
        "levels": [
            {
                "name": lv.name,
                "threshold": lv.threshold,
                "banner": {"title": lv.title, "text": lv.text},
            }
            for lv in sorted(catalogue.levels.values(), key=lambda lv: lv.threshold)
        ],
        "findings": [e.to_dict() for e in catalogue.findings.values()],
        "composites": [c.entry.to_dict() for c in catalogue.composites],
    }


#: ``app.extensions`` key of the callables told of every analysed message,
#: ``(facts, level)``; the end-to-end tests' read-back endpoints are one
#: (:mod:`caveat.web.testing`). The API itself knows none of them.
ANALYZE_OBSERVERS = "caveat.analyze_observers"


def notify_analyzed(facts: Facts, level: str) -> None:
    for observer in current_app.extensions.get(ANALYZE_OBSERVERS, ()):
        observer(facts, level)


def services() -> Services:
    s: Services = current_app.extensions[EXTENSION]
    return s
