"""prometheus_client's multiprocess mode as gunicorn's workers use it: processes that each
answer requests write their counts to PROMETHEUS_MULTIPROC_DIR, and GET /metrics in any
process answers with the sum; a dead worker's live gauges are dropped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from caveat.web import metrics

TOKEN = "metrics-token-for-the-tests-0123456789"

#: One "worker": its own app (its own in-memory database), N health checks and one analysis.
WORKER = """
import json, os, sys
from caveat.web.app import create_app
app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
_, key = app.extensions["caveat"].store.create_key("t")
rv = client.post(
    "/api/v1/analyze",
    json={"headers": "From: a@example.com\\r\\nSubject: hi\\r\\n"},
    headers={"Authorization": "Bearer " + key},
)
assert rv.status_code == 200, rv.get_data(as_text=True)
print(json.dumps({"pid": os.getpid(), "level": rv.get_json()["level"]}))
"""

#: The process a scrape reaches: it answered nothing itself before.
SCRAPER = """
import sys
from caveat.web.app import create_app
app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "METRICS_TOKEN": sys.argv[1]})
rv = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + sys.argv[1]})
assert rv.status_code == 200, rv.status_code
sys.stdout.write(rv.get_data(as_text=True))
"""


def run(script: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def env(tmp_path: Path, caveat_env: Path) -> dict[str, str]:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    return {**os.environ, metrics.MULTIPROC_ENV: str(folder)}


def test_two_processes_add_up(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = json.loads(run(WORKER, "3", env=env))
    second = json.loads(run(WORKER, "5", env=env))
    assert first["pid"] != second["pid"]
    folder = Path(env[metrics.MULTIPROC_ENV])
    assert {f"counter_{first['pid']}.db", f"counter_{second['pid']}.db"} <= {
        p.name for p in folder.iterdir()
    }

    got = samples(run(SCRAPER, TOKEN, env=env))
    health = ("endpoint", "/healthz"), ("method", "GET"), ("status", "200")
    assert got[("caveat_http_requests_total", health)] == 8
    analyze = ("endpoint", "/api/v1/analyze"), ("method", "POST"), ("status", "200")
    assert got[("caveat_http_requests_total", analyze)] == 2
    level = (("level", first["level"]),)
    assert got[("caveat_verdicts_total", level)] >= 1
    assert sum(v for (name, _), v in got.items() if name == "caveat_verdicts_total") == 2
    assert got[("caveat_http_request_duration_seconds_count", (("endpoint", "/healthz"),))] == 8
    assert got[("caveat_index_build_seconds_count", (("index", "directory"),))] == 2

    # The workers have exited, as a dead gunicorn worker has: child_exit drops its gauges.
    gauges = {p.name for p in folder.glob("gauge_livemostrecent_*.db")}
    assert gauges == {f"gauge_livemostrecent_{w['pid']}.db" for w in (first, second)}
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(folder))
    metrics.mark_process_dead(first["pid"])
    assert {p.name for p in folder.glob("gauge_livemostrecent_*.db")} == {
        f"gauge_livemostrecent_{second['pid']}.db"
    }
    assert f"counter_{first['pid']}.db" in {p.name for p in folder.iterdir()}  # counts stay


def test_a_missing_folder_is_named_at_start(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, metrics.MULTIPROC_ENV: str(tmp_path / "nowhere")}
    done = subprocess.run(
        [sys.executable, "-c", "import caveat.web.metrics"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "PROMETHEUS_MULTIPROC_DIR" in done.stderr and "is not a folder" in done.stderr


def test_without_the_variable_a_process_keeps_its_own_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    body, content_type = metrics.exposition(None)
    assert content_type.startswith("text/plain")
    assert b"caveat_http_requests_total" in body or b"caveat_http_requests" in body
    metrics.mark_process_dead(12345)  # nothing to do, and no error
