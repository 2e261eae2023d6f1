"""``caveat serve`` and the metrics: a fresh, private multiprocess folder per port, emptied at
every start; and the real thing, gunicorn with two workers, summed at /metrics and logging
JSON lines."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from caveat.web.metrics import MULTIPROC_ENV

from .test_serve import Exec, execvp, serve  # noqa: F401 - the fixture

TOKEN = "metrics-token-for-the-tests-0123456789"


def test_serve_gives_the_workers_a_fresh_private_metrics_folder(
    execvp: Exec,  # noqa: F811
    caveat_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stale = caveat_env / "metrics-8443" / "counter_4242.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier run")
    keep = stale.parent / "notes.txt"
    keep.write_text("not ours")
    code, _, _ = serve(["--db", "sqlite://", "--no-tls"], capsys)
    assert code == 0
    folder = Path(os.environ[MULTIPROC_ENV])
    assert folder == caveat_env / "metrics-8443"
    assert folder.is_dir() and not stale.exists() and keep.exists()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_each_port_has_its_own_folder(
    execvp: Exec,  # noqa: F811
    caveat_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve(["--db", "sqlite://", "--no-tls", "--port", "9001"], capsys)
    assert os.environ[MULTIPROC_ENV] == str(caveat_env / "metrics-9001")


# ----------------------------------------------------------------- under gunicorn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_two_gunicorn_workers_are_summed_and_log_json(caveat_env: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CAVEAT_INSTANCE_PATH": str(caveat_env),
        "CAVEAT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "CAVEAT_METRICS_TOKEN": TOKEN,
        "CAVEAT_INTERNAL_DOMAINS": "ours.example",
    }
    env.pop(MULTIPROC_ENV, None)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("caveat")),
                "serve",
                "--no-tls",
                "--workers",
                "2",
                "--port",
                str(port),
            ],
            env=env,
            stdout=o,
            stderr=e,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, err.read_text()
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.2)
        for i in range(20):
            status, _ = _get(port, "/healthz", {"X-Request-Id": f"probe-{i}"})
            assert status == 200
        assert _get(port, "/metrics")[0] == 401
        status, body = _get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    got = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode("utf-8"))
        for s in family.samples
    }
    health = ("endpoint", "/healthz"), ("method", "GET"), ("status", "200")
    assert got[("caveat_http_requests_total", health)] >= 21  # the first probe too
    assert (caveat_env / f"metrics-{port}").is_dir()
    pids = {
        p.name.rsplit("_", 1)[1].split(".")[0]
        for p in (caveat_env / f"metrics-{port}").glob("counter_*.db")
    }
    assert len(pids) >= 2  # the workers (and the master that loaded the application)

    access = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line[:1] == "{"]
    probes = [a for a in access if str(a.get("request_id", "")).startswith("probe-")]
    assert len(probes) == 20
    assert all(a["path"] == "/healthz" and a["status"] == 200 for a in probes)
    errors = [line for line in err.read_text("utf-8").splitlines() if line.strip()]
    assert errors
    for line in errors:
        record = json.loads(line)  # every line of the error log is JSON
        assert {"time", "level", "logger", "message"} <= set(record)
