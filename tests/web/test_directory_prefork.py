"""The real server (``caveat serve``: gunicorn with the application preloaded) builds the
partner directory snapshot in the master before it forks: a worker's first request finds
it built, and a directory changed later is rebuilt by the worker in the background."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from caveat.knowledge.partners_csv import Contact, Partner
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store
from tests.live_service import Service, clean_env, migrated_key, serve

PARTNERS = [
    Partner(
        f"Supplier {i}",
        (f"supplier{i}-metals.example",),
        (Contact("Ann Lee", f"ann@supplier{i}-metals.example", "+1"),),
        (),
        frozenset(),
    )
    for i in range(50)
]


def import_partners(db: str, partners: list[Partner]) -> None:
    store = Store.from_url(db)
    try:
        DirectoryStore(store).import_partners(partners)
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, str]]:
    folder = tmp_path_factory.mktemp("prefork")
    instance = folder / "instance"
    instance.mkdir()
    db = f"sqlite:///{instance / 'caveat.db'}"
    key = migrated_key(db, "prefork")
    import_partners(db, PARTNERS)
    env = clean_env(instance, CAVEAT_INTERNAL_DOMAINS="ours.example")
    svc = serve(folder, db, key, env, workers=1)
    yield svc, db
    svc.stop()


def analyze(svc: Service, sender: str) -> dict[str, object]:
    body = json.dumps(
        {"headers": f"From: Accounts <accounts@{sender}>\r\nTo: Bo <bo@ours.example>\r\n"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{svc.url}/api/v1/analyze",
        data=body,
        headers={"Authorization": f"Bearer {svc.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310 - loopback
        answer: dict[str, object] = json.loads(r.read())
    return answer


def finding_ids(answer: dict[str, object]) -> set[str]:
    findings = answer["findings"]
    assert isinstance(findings, list)
    return {f["id"] for f in findings}


def log_of(svc: Service) -> str:
    assert svc.log is not None
    return Path(svc.log).read_text("utf-8", "replace")


def snapshots_read(svc: Service) -> list[int]:
    """The processes that logged reading a directory snapshot, in order."""
    out = []
    for line in log_of(svc).splitlines():
        if line.startswith("{") and "partner directory snapshot" in line:
            out.append(json.loads(line)["process"])
    return out


def master_pid(svc: Service) -> int:
    for line in log_of(svc).splitlines():
        if line.startswith("{") and "partner directory built before" in line:
            pid: int = json.loads(line)["process"]
            return pid
    raise AssertionError("the master did not build the directory")


def test_the_first_request_finds_the_directory_built(service: tuple[Service, str]) -> None:
    svc, _ = service
    log = log_of(svc)
    assert "partner directory built before the workers start: 50" in log
    # the master built it before it forked the worker
    assert log.index("partner directory built before") < log.index("Booting worker")
    answer = analyze(svc, "supplier7-metals-invoices.example")
    assert any("LOOKALIKE" in i for i in finding_ids(answer)), answer
    # only the master read a snapshot: the worker did not, to answer
    assert snapshots_read(svc) == [master_pid(svc)]


def test_a_changed_directory_reaches_the_worker_in_the_background(
    service: tuple[Service, str],
) -> None:
    svc, db = service
    newcomer = Partner(
        "Newcomer Trading",
        ("newcomer-trading.example",),
        (Contact("Bo Ng", "bo@newcomer-trading.example", "+1"),),
        (),
        frozenset(),
    )
    import_partners(db, [newcomer])
    deadline = time.monotonic() + 60
    while True:
        # answered from the snapshot in force, while the new one is built beside it
        ids = finding_ids(analyze(svc, "newcomer-trading-invoices.example"))
        if any("LOOKALIKE" in i for i in ids):
            break
        assert time.monotonic() < deadline, "the new directory was never used"
        time.sleep(0.5)
    readers = snapshots_read(svc)
    assert len(readers) == 2 and readers[1] != master_pid(svc)  # the worker, this time
