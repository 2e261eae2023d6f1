"""The service's alerts (:mod:`caveat.service.alerts`): built once per application from its
settings, and the calls the API makes where an event happens. Each call queues the event
and returns; a destination's answer never reaches a request, and neither does a defect in
building the event (it is logged by its kind and the request is answered as usual)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app

from caveat.service import alerts as events
from caveat.service.alerts import Alerts

from .metrics import count_dead_alert

log = logging.getLogger(__name__)

EXTENSION = "caveat.alerts"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = events.from_settings(app.config, on_dead=count_dead_alert)


def alerts(app: Flask | None = None) -> Alerts:
    found: Alerts = (app or current_app).extensions[EXTENSION]
    return found


def _emit(kind: str, build: Any, actor: Any) -> None:
    a = alerts()
    if not a.configured:
        return
    try:
        data = build()
        if data is not None:
            a.emit(kind, data, actor)
    except Exception as exc:  # an alert must never fail the request that caused it
        log.warning("alert %s not queued: %s", kind, type(exc).__name__)


def fraud_confirmed(report: Any, indicators: Iterable[Any], actor: Any) -> None:
    """Security confirmed a report (POST /reports/<id>/confirm)."""
    _emit(events.FRAUD_CONFIRMED, lambda: events.fraud_confirmed(report, indicators), actor)


def verification_denied(recorded: Any, actor: Any) -> None:
    """A partner denied the bank details on a call (POST /verifications)."""
    _emit(events.VERIFICATION_DENIED, lambda: events.verification_denied(recorded), actor)


def analyzed(facts: Any, verdict: Any, actor: Any, directory: Any = None) -> None:
    """A message analysed at danger with a broken partner policy; once a day per message
    and process (the pane analyses a message each time it is opened). ``directory``: a
    callable returning the partner directory the checks read (to name the partner)."""
    if verdict.level != "danger" or not alerts().configured:
        return

    def build() -> dict[str, Any] | None:
        author = facts.author
        organization = None
        if directory is not None and author is not None and author.domain:
            partner = directory().partner_of_domain(author.domain)
            organization = partner.organization if partner is not None else None
        data = events.policy_violation(facts, verdict, organization)
        if data is None:
            return None
        key = "\n".join(
            [data["message_id"] or "", data["from"] or "", ",".join(data["policy_findings"])]
        )
        return data if alerts().first_time(key) else None

    _emit(events.POLICY_VIOLATION, build, actor)
