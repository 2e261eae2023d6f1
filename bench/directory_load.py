"""The partner directory at scale: import, worker memory, first request, full GC.

Figures (issue 15, rows 4-6), each for both sides of a comparison, run alternately:

``import``  CPU seconds of a partner import (parse and store in one process, on a fresh
            SQLite file, migration and interpreter start left out) of a synthetic CSV of
            1k, 10k and 100k organisations (one row each: a domain, a contact with a
            phone, an IBAN for every third), per size and per 1,000 partners, against the
            code of ``--base`` (a git commit, checked out in a throw-away worktree). A size
            the old code does not finish within ``--limit`` seconds is "did not finish in
            N s", and larger sizes are not tried on that side.
``service`` a real gunicorn (the service's own configuration, 2 workers) on a SQLite file
            holding the 100k directory, for each side: seconds until /healthz answers,
            the slowest of the first 8 analyze requests (two at a time; a look-alike of a
            directory domain, so the look-alike index is used), each worker's PSS, RSS and
            private memory from /proc/PID/smaps_rollup after 40 requests, and a full
            ``gc.collect()`` timed inside each worker (a probe thread added by this
            bench's gunicorn configuration, :mod:`_directory_probe_conf`).

    .venv/bin/python bench/directory_load.py [--sizes 1000,10000,100000] [--base c832f94]
        [--limit 60] [--service-size 100000] [--json] [--quick]

``--quick`` (under a minute): imports of 1k and 10k (the old side at 1k only) and the
service with a 10k directory, new code only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _company_names import SUFFIXES, WORDS  # noqa: E402 - after the path

BASE = "c832f94"

HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"


def _iban(rnd: random.Random) -> str:
    """A German IBAN with a valid checksum."""
    bban = f"{rnd.randint(10000000, 99999999)}{rnd.randint(0, 9999999999):010d}"
    digits = bban + "131400"  # D=13 E=14 00
    check = 98 - int(digits) % 97
    return f"DE{check:02d}{bban}"


def synthetic_csv(n: int, seed: int = 7) -> str:
    """``n`` organisations, one row each: seeded company-like domains (distinct), a contact
    with a name, address and phone, an IBAN for every third, require_auth for every tenth."""
    rnd = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    seen: set[str] = set()
    lines = [HEADER]
    i = 0
    while i < n:
        words = rnd.sample(WORDS, rnd.choice((1, 2, 2, 3)))
        label = rnd.choice(("", "", "-")).join(words) + str(rnd.randint(1, 9999))
        domain = f"{label}.{rnd.choice(SUFFIXES)}"
        if domain in seen:
            continue
        seen.add(domain)
        first = rnd.choice(("Anna", "Ben", "Clara", "Dan", "Eva", "Femi", "Goran", "Hana"))
        last = rnd.choice(WORDS).title() + "son"
        account = _iban(rnd) if i % 3 == 0 else ""
        auth = "spf;dmarc" if i % 10 == 0 else ""
        lines.append(
            f"Company {i} {words[0].title()},{domain},{first} {last},"
            f"{first.lower()}.{last.lower()}@{domain},+49 30 {rnd.randint(100000, 999999)},"
            f"{account},{auth}"
        )
        i += 1
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- import

#: Run in a child process with the side's code first on the path: parse and store a CSV.
IMPORT_DRIVER = """
import json, sys, time
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.storage.directory_store import import_parsed
from caveat.storage.store import Store
path, url = sys.argv[1:3]
store = Store.from_url(url)
store.upgrade()
data = open(path, "rb").read()
t0 = time.process_time()
result = parse_partners_csv(data)
t1 = time.process_time()
report, _ = import_parsed(store, result)
t2 = time.process_time()
store.dispose()
print(json.dumps({"parse": t1 - t0, "store": t2 - t1, "cpu": t2 - t0, "created": report.created}))
"""


def side_env(server: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAVEAT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(server), str(ROOT / "bench")])
    return env


def import_cpu(server: Path, csv_path: Path, folder: Path, limit: float) -> dict[str, float] | None:
    """CPU seconds of one import on a fresh SQLite file; None if it took over ``limit``."""
    db = folder / "import.db"
    for f in folder.glob("import.db*"):
        f.unlink()
    env = side_env(server)
    env["CAVEAT_INSTANCE_PATH"] = str(folder / "instance")
    try:
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_DRIVER, str(csv_path), f"sqlite:///{db}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=limit,
            env=env,
            cwd=folder,
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


# --------------------------------------------------------------------------- service


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def memory_of(pid: int) -> dict[str, float]:
    """PSS, RSS and private memory of a process in MiB (smaps_rollup)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-1] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {
        "pss": fields.get("Pss", 0.0),
        "rss": fields.get("Rss", 0.0),
        "private": fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0),
    }


def post(url: str, key: str, body: dict[str, object], timeout: float = 300) -> tuple[float, int]:
    """Seconds and status of one request."""
    data = json.dumps(body).encode()
    req = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - t, status


def _timed_post(out: list[tuple[float, int]], url: str, key: str, body: dict[str, object]) -> None:
    out.append(post(url, key, body))


def lookalike_payload(domain: str) -> dict[str, object]:
    label, _, suffix = domain.partition(".")
    fake = f"{label}-invoices.{suffix}"
    return {
        "headers": (
            f"From: Accounts <accounts@{fake}>\r\nTo: Anna <anna@partnera.example>\r\n"
            "Subject: Invoice 4411\r\nMessage-ID: <b1@example.net>\r\n"
        ),
        "body": "Please find the invoice attached.",
    }


def run_service(server: Path, db: Path, folder: Path, domain: str) -> dict[str, float]:
    """Start gunicorn with 2 workers on ``db``; the figures of one run."""
    sys.path.insert(0, str(ROOT))
    from tests.live_service import free_port, migrated_key

    key = migrated_key(f"sqlite:///{db}", f"bench-{time.monotonic_ns()}")
    instance = folder / "instance"
    instance.mkdir(exist_ok=True)
    probe = folder / "probe"
    shutil.rmtree(probe, ignore_errors=True)
    probe.mkdir()
    env = side_env(server)
    env.update(
        CAVEAT_INSTANCE_PATH=str(instance),
        CAVEAT_DATABASE_URL=f"sqlite:///{db}",
        CAVEAT_INTERNAL_DOMAINS="partnera.example",
        CAVEAT_GC_PROBE=str(probe),
    )
    port = free_port()
    log = (folder / "service.log").open("wb")
    started = time.perf_counter()
    master = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:_directory_probe_conf",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "caveat.web.asgi:app",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if master.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError((folder / "service.log").read_text("utf-8", "replace"))
            time.sleep(0.1)
        ready = time.perf_counter() - started
        payload = lookalike_payload(domain)
        first: list[tuple[float, int]] = []
        for _ in range(4):  # two at a time, so that both workers get early requests
            pair: list[tuple[float, int]] = []
            threads = [
                threading.Thread(
                    target=_timed_post, args=(pair, f"{url}/api/v1/analyze", key, payload)
                )
                for _ in range(2)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            first += pair
        # then until 32 answers in a row are 200 (a worker still building answers 503)
        ok, deadline = 0, time.monotonic() + 600
        while ok < 32 and time.monotonic() < deadline:
            ok = ok + 1 if post(f"{url}/api/v1/analyze", key, payload)[1] == 200 else 0
        workers = children(master.pid)
        memory = [memory_of(pid) for pid in workers]
        pauses = [gc_pause(probe, pid) for pid in workers]
        return {
            "ready_s": ready,
            "first_request_s": max(t for t, _ in first),
            "first_failed": sum(1 for _, status in first if status != 200),
            "pss_mib": max(m["pss"] for m in memory),
            "rss_mib": max(m["rss"] for m in memory),
            "private_mib": max(m["private"] for m in memory),
            "master_pss_mib": memory_of(master.pid)["pss"],
            "gc_ms": max(pauses),
        }
    finally:
        workers = children(master.pid)
        master.terminate()
        try:
            master.wait(timeout=40)
        except subprocess.TimeoutExpired:
            for pid in workers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            master.kill()
            master.wait()


def gc_pause(probe: Path, pid: int) -> float:
    """Ask worker ``pid``'s probe thread for a timed full collection (milliseconds)."""
    (probe / f"{pid}.go").touch()
    answer = probe / f"{pid}.json"
    deadline = time.monotonic() + 60
    while not answer.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker {pid} did not answer the collection probe")
        time.sleep(0.05)
    time.sleep(0.05)
    result: dict[str, float] = json.loads(answer.read_text())
    return result["ms"]


# --------------------------------------------------------------------------- driver


def worktree(base: str, folder: Path) -> Path:
    path = folder / "base"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-f", "--detach", str(path), base],
        check=True,
        capture_output=True,
    )
    return path


def remove_worktree(path: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
        check=False,
        capture_output=True,
    )


def fmt(value: float | None, unit: str = "s", limit: float | None = None) -> str:
    if value is None:
        return f"did not finish in {limit:g} {unit}" if limit is not None else "-"
    return f"{value:.2f} {unit}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--base", default=BASE, help="commit of the code to compare against")
    ap.add_argument("--limit", type=float, default=60, help="seconds per old-side import")
    ap.add_argument("--service-size", type=int, default=100_000)
    ap.add_argument("--no-service", action="store_true")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="1k and 10k; service at 10k, new code")
    args = ap.parse_args()
    sizes = [1000, 10000] if args.quick else [int(x) for x in args.sizes.split(",")]
    service_size = 10_000 if args.quick else args.service_size
    rows: list[dict[str, object]] = []
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="caveat-dirload-") as tmp:
        folder = Path(tmp)
        base = worktree(args.base, folder)
        try:
            after_server, before_server = ROOT / "server", base / "server"
            before_done = True
            per_k: dict[int, float] = {}
            for n in sizes:
                csv_path = folder / f"partners-{n}.csv"
                csv_path.write_text(synthetic_csv(n), "utf-8")
                before = None
                tried = before_done and not (args.quick and n > 1000)
                if tried:
                    b = import_cpu(before_server, csv_path, folder, args.limit)
                    before = b["cpu"] if b else None
                    before_done = b is not None
                a = import_cpu(after_server, csv_path, folder, 600)
                assert a is not None
                after = a["cpu"]
                per_k[n] = after / n * 1000
                ratio = f"{before / after:.1f}x faster" if before else ""
                shown = (
                    fmt(before, limit=args.limit)
                    if tried
                    else "not run (smaller size did not finish)"
                )
                if args.quick and n > 1000:
                    shown = "not run (--quick)"
                lines.append(
                    f"import {n:>7,}: before {shown}; after {after:.2f} s "
                    f"(parse {a['parse']:.2f} + store {a['store']:.2f}; "
                    f"{per_k[n] * 1000:.0f} ms per 1k partners) {ratio}"
                )
                rows.append(
                    {
                        "figure": f"partners import CPU, {n:,} organisations",
                        "before": before,
                        "after": round(after, 3),
                        "goal": "100k under 60 s" if n >= 100_000 else "linear",
                        "met": after < 60,
                        "unit": "s",
                        **(
                            {}
                            if before is not None
                            else {"note": f"did not finish in {args.limit:g} s"}
                            if tried
                            else {"note": "not run in --quick"}
                            if args.quick
                            else {"note": "not run: a smaller size did not finish"}
                        ),
                    }
                )
            if len(per_k) > 1:
                lo, hi = min(per_k), max(per_k)
                growth = per_k[hi] / per_k[lo]
                lines.append(
                    f"import time per partner, {hi:,} / {lo:,}: {growth:.2f} "
                    "(1.0 is linear; the old code's grows with the size)"
                )
                rows.append(
                    {
                        "figure": f"import CPU per partner, {hi:,} vs {lo:,}",
                        "before": None,
                        "after": round(growth, 2),
                        "goal": "flat (<= 1.5)",
                        "met": growth <= 1.5,
                        "unit": "ratio",
                    }
                )
            if not args.no_service:
                service_rows(args, folder, service_size, after_server, before_server, rows, lines)
        finally:
            remove_worktree(base)
    if args.json:
        print(json.dumps({"rows": rows}))
    else:
        print("\n".join(lines))
    return 0


def service_rows(
    args: argparse.Namespace,
    folder: Path,
    size: int,
    after_server: Path,
    before_server: Path,
    rows: list[dict[str, object]],
    lines: list[str],
) -> None:
    csv_text = synthetic_csv(size)
    csv_path = folder / f"service-{size}.csv"
    csv_path.write_text(csv_text, "utf-8")
    db = folder / "service.db"
    env = side_env(after_server)
    env["CAVEAT_INSTANCE_PATH"] = str(folder / "instance")
    subprocess.run(
        [sys.executable, "-c", IMPORT_DRIVER, str(csv_path), f"sqlite:///{db}"],
        check=True,
        capture_output=True,
        env=env,
        cwd=folder,
    )
    domain = csv_text.splitlines()[size // 2].split(",")[1]
    sides = (
        [("after", after_server)]
        if args.quick
        else [("before", before_server), ("after", after_server)]
    )
    got: dict[str, dict[str, float]] = {}
    for name, server in sides:
        got[name] = run_service(server, db, folder, domain)
    after = got["after"]
    before = got.get("before")
    for key, figure, unit, goal, met in (
        (
            "pss_mib",
            f"worker PSS, {size:,}-partner directory",
            "MiB",
            "<= 150",
            after["pss_mib"] <= 150,
        ),
        ("private_mib", "worker private memory", "MiB", "(see PSS)", True),
        ("rss_mib", "worker RSS", "MiB", "(see PSS)", True),
        (
            "first_request_s",
            "slowest of the first 8 requests after start",
            "s",
            "no request waits for a build",
            after["first_request_s"] < 1.0,
        ),
        ("ready_s", "start until /healthz answers", "s", "(the build moved here)", True),
        (
            "gc_ms",
            "full gc.collect() in a worker",
            "ms",
            "no visible pause (< 50 ms)",
            after["gc_ms"] < 50,
        ),
    ):
        b = before[key] if before else None
        rows.append(
            {
                "figure": figure,
                "before": None if b is None else round(b, 3),
                "after": round(after[key], 3),
                "goal": goal,
                "met": met,
                "unit": unit,
            }
        )
        ratio = f"  ratio {after[key] / b:.2f}" if b else ""
        shown = f"{b:.1f}" if b is not None else "-"
        if key == "first_request_s":
            for name, side in (("before", before), ("after", after)):
                if side and side["first_failed"]:
                    note = f" ({side['first_failed']:.0f} of 8 answered 503 on the {name} side)"
                    ratio += note
        lines.append(f"{figure}: before {shown} {unit}; after {after[key]:.1f} {unit}{ratio}")
    lines.append(f"(master PSS after: {after['master_pss_mib']:.0f} MiB)")


if __name__ == "__main__":
    sys.exit(main())
