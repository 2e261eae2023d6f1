"""What the views use, built once per application by :func:`caveat.app.create_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from ..analysis import Analyzer
from ..catalogue import Catalogue
from ..context import EngineConfig
from ..engine import Engine
from ..storage import Store
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


def services() -> Services:
    s: Services = current_app.extensions[EXTENSION]
    return s
