"""Under the real server (``caveat serve``: gunicorn, its worker, the front), alerts queued
when the service is stopped are still delivered: gunicorn's ``worker_exit`` hook sends them
before the worker goes."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from caveat.storage.store import Store
from tests.live_service import clean_env, serve

from .alert_receivers import WebhookReceiver

SECRET = "worker-exit-secret-0123456789"


def call(url: str, key: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url + path,
        data=data,
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310 (loopback)
        return json.loads(r.read())


def test_alerts_queued_at_a_graceful_stop_are_delivered(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'caveat.db'}"
    store = Store.from_url(db)
    try:
        store.upgrade()
        _, key = store.create_key("alerts", scopes=["report", "triage"])
    finally:
        store.dispose()
    instance = tmp_path / "instance"
    instance.mkdir()
    with WebhookReceiver(delay=0.4) as hook:  # each delivery takes 0.4 s
        env = clean_env(
            instance,
            CAVEAT_RATE_LIMIT_PER_KEY="off",
            CAVEAT_RATE_LIMIT_PER_ADDRESS="off",
            CAVEAT_ALERT_WEBHOOK_URL=hook.url,
            CAVEAT_ALERT_WEBHOOK_SECRET=SECRET,
        )
        svc = serve(tmp_path, db, key, env, workers=1)
        try:
            ids = []
            for n in range(4):
                sender = {"address": f"fraud{n}@fraud-example.com"}
                report = call(svc.url, key, "/api/v1/reports", {"from": sender})
                call(svc.url, key, f"/api/v1/reports/{report['id']}/confirm")
                ids.append(report["id"])
            assert len(hook.requests) < 4  # still queued when the stop begins
        finally:
            svc.stop()
        got = sorted(r.json()["data"]["report_id"] for r in hook.requests)
        assert got == sorted(ids), svc.log.read_text() if svc.log else ""
        assert all(r.headers["Caveat-Event"] == "fraud.confirmed" for r in hook.requests)
