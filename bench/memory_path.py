"""The conversation memory on the analyze path: SQL statements, transactions and time per
analyze, this code against an older one, alternately, in-process (Flask's test client, a
SQLite file, as /tmp/work-style profiles do).

Two kinds of request, each with a 3-person message (From, To, Cc) as the add-in sends it:

  reply   every request a new message (its own Message-ID), a reply in one of 20 threads
          in turn: the memory has something to write each time;
  again   one message analysed again and again (a user opening it, the pane re-analysing):
          the common case under load.

For each: statements per analyze on the request thread and in all (the write-behind
thread's included; counted with a ``before_cursor_execute`` listener, and where the
snapshot runs its own on the driver's cursor, after the queue is written), transactions
per analyze (``begin`` events), milliseconds per request, and the share of a request
spent in the memory's snapshot and record against the engine (the background writer's
CPU time reported apart).

The older side is ``--baseline DIR`` (a checkout, e.g. ``git worktree add /tmp/base
c832f94``) or, by default, commit c832f94 exported with ``git archive`` into a temporary
folder. Each side runs in a child process of its own; the sides take turns, round after
round, and the medians are reported with their ratio.

    python bench/memory_path.py [--rounds 5] [--requests 200] [--baseline DIR | --commit C]
        [--json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_COMMIT = "c832f94"

FIRST = """\
From: Felix Brandt <felix.brandt@acme.example>
To: Anna Keller <anna.keller@ours.example>
Cc: Eva Lind <eva.lind@ours.example>
Subject: Invoice 2026-118 for the March deliveries
Message-ID: <m0@acme.example>
Date: Mon, 2 Mar 2026 09:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello Anna,

the invoice for the March deliveries is attached. Payment terms as agreed.

Regards,
Felix
"""


#: Threads the "reply" requests go round: a reply comes long after its parent was written,
#: as in a mailbox, not within the write-behind queue's few milliseconds.
THREADS = 20


def message(thread: int, n: int) -> bytes:
    """The n-th message (0: the first) of a thread."""
    raw = FIRST.replace("<m0@acme.example>", f"<m{thread}-{n}@acme.example>")
    raw = raw.replace("Invoice 2026-118", f"Invoice 2026-{thread}")
    if n:
        parent = f"<m{thread}-{n - 1}@acme.example>"
        raw = raw.replace("Subject: ", "Subject: RE: ").replace(
            "Date:",
            f"In-Reply-To: {parent}\nReferences: <m{thread}-0@acme.example> {parent}\nDate:",
        )
        raw = raw.replace("is attached.", f"is attached (reminder {n}).")
    return raw.encode()


# ----------------------------------------------------------------- one side, in a child


def child(requests: int, warmup: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from _messages import payload_of
    from caveat.web.app import create_app

    folder = tempfile.mkdtemp(prefix="caveat-memory-bench-")
    try:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{folder}/c.db",
                "INSTANCE_PATH": folder,
                "INTERNAL_DOMAINS": ["ours.example"],
                "RATE_LIMIT_PER_KEY": "off",
                "RATE_LIMIT_PER_ADDRESS": "off",
            }
        )
        services = app.extensions["caveat"]
        _, key = services.store.create_key("bench")
        headers = {"Authorization": f"Bearer {key}"}
        client = app.test_client()
        analyzer = services.analyzer
        memory = analyzer.memory
        engine = services.store.engine
        main = threading.get_ident()
        counts = {"stmt_main": 0, "stmt_all": 0, "tx_main": 0, "tx_all": 0}
        spent = {"snapshot": 0.0, "record": 0.0, "engine": 0.0, "background_cpu": 0.0}

        def on_statement(*_a: Any) -> None:
            counts["stmt_all"] += 1
            if threading.get_ident() == main:
                counts["stmt_main"] += 1

        def on_begin(*_a: Any) -> None:
            counts["tx_all"] += 1
            if threading.get_ident() == main:
                counts["tx_main"] += 1

        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", on_statement)
        event.listen(engine, "begin", on_begin)
        # The snapshot's statements run on the driver's cursor, past SQLAlchemy's events
        # (since 3d1a524): counted where they are run.
        import caveat.storage.memory_store as store_module

        fetch = getattr(store_module, "_fetch", None)
        if fetch is not None:

            def counted_fetch(*a: Any) -> Any:
                on_statement()
                return fetch(*a)

            store_module._fetch = counted_fetch  # type: ignore[attr-defined]

        def timed(obj: Any, name: str, bucket: str, clock: Any = time.perf_counter) -> None:
            inner = getattr(obj, name)

            def wrapper(*a: Any, **kw: Any) -> Any:
                t = clock()
                try:
                    return inner(*a, **kw)
                finally:
                    spent[bucket] += clock() - t

            setattr(obj, name, wrapper)

        timed(memory, "snapshot", "snapshot")
        timed(memory, "record", "record")
        timed(analyzer.engine, "analyze", "engine")
        writer = getattr(memory, "writer", None)
        if writer is not None:  # the background thread's work, as CPU time of that thread
            timed(writer, "_write", "background_cpu", time.thread_time)

        def flush() -> None:
            if hasattr(analyzer, "flush"):
                analyzer.flush()

        out: dict[str, Any] = {}
        for kind in ("reply", "again"):
            if kind == "again":  # analysed once in the warm-up, then again and again
                bodies = [json.dumps(payload_of(message(0, 0)))] * (warmup + requests)
            else:  # round the threads: the warm-up starts them
                bodies = [
                    json.dumps(payload_of(message(i % THREADS, i // THREADS)))
                    for i in range(max(warmup, THREADS) + requests)
                ]
                warmup = max(warmup, THREADS)
            for body in bodies[:warmup]:
                client.post(
                    "/api/v1/analyze", data=body, content_type="application/json", headers=headers
                )
            flush()
            for k in counts:
                counts[k] = 0
            for k in spent:
                spent[k] = 0.0
            started = time.perf_counter()
            for body in bodies[warmup:]:
                rv = client.post(
                    "/api/v1/analyze", data=body, content_type="application/json", headers=headers
                )
                assert rv.status_code == 200, rv.get_data(as_text=True)
            elapsed = time.perf_counter() - started
            flush()
            n = requests
            out[kind] = {
                "statements_request_thread": counts["stmt_main"] / n,
                "statements_all": counts["stmt_all"] / n,
                "transactions_request_thread": counts["tx_main"] / n,
                "transactions_all": counts["tx_all"] / n,
                "ms_per_request": elapsed / n * 1000,
                "memory_ms": (spent["snapshot"] + spent["record"]) / n * 1000,
                "engine_ms": spent["engine"] / n * 1000,
                "background_cpu_ms": spent["background_cpu"] / n * 1000,
            }
        services.store.dispose()
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------- the comparison


def run_side(server: Path, requests: int, warmup: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(server)}
    env = {k: v for k, v in env.items() if not k.startswith("CAVEAT_")}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(requests), "--warmup", str(warmup)],
        env=env,
        cwd=server.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the side at {server} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def export(commit: str) -> Path:
    """The commit's tree in a temporary folder (``git archive``: the repository is left as
    it is)."""
    folder = Path(tempfile.mkdtemp(prefix="caveat-base-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--baseline", type=Path, help="a checkout of the older code")
    parser.add_argument("--commit", default=DEFAULT_COMMIT, help="older code without --baseline")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 80 requests")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.requests, args.warmup)))
        return 0
    if args.quick:
        args.rounds, args.requests, args.warmup = 2, 80, 10
    exported = None
    if args.baseline is not None:
        base = args.baseline.resolve()
    else:
        base = exported = export(args.commit)
    try:
        sides: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            for side, root in (("before", base), ("after", ROOT)):
                sides[side].append(run_side(root / "server", args.requests, args.warmup))
    finally:
        if exported is not None:
            shutil.rmtree(exported, ignore_errors=True)

    def median(side: str, kind: str, figure: str) -> float:
        return statistics.median(r[kind][figure] for r in sides[side])

    rows: list[dict[str, Any]] = []

    def row(figure: str, kind: str, name: str, goal: str, met: Any, unit: str) -> None:
        before, after = median("before", kind, name), median("after", kind, name)
        rows.append(
            {
                "figure": figure,
                "before": round(before, 3),
                "after": round(after, 3),
                "goal": goal,
                "met": bool(met(after)),
                "unit": unit,
            }
        )

    for kind, what in (("reply", "a new 3-person message"), ("again", "the same message again")):
        row(
            f"SQL statements per analyze on the request thread, {what}",
            kind,
            "statements_request_thread",
            "a handful (<= 6)",
            lambda v: v <= 6,
            "statements",
        )
        row(
            f"SQL statements per analyze in all (background writes included), {what}",
            kind,
            "statements_all",
            "<= 17 (the issue's count)",
            lambda v: v <= 17,
            "statements",
        )
        row(
            f"transactions per analyze on the request thread, {what}",
            kind,
            "transactions_request_thread",
            "one (<= 1.05: the API key's and the directory's checks add one now and then)",
            lambda v: v <= 1.05,
            "transactions",
        )
        row(
            f"in-process analyze, {what}",
            kind,
            "ms_per_request",
            "lower than before",
            lambda v, k=kind: v < median("before", k, "ms_per_request"),
            "ms",
        )
        row(
            f"memory snapshot + record on the request thread, {what}",
            kind,
            "memory_ms",
            "< 1 ms and below the engine's",
            lambda v, k=kind: v < 1.0 and v < median("after", k, "engine_ms"),
            "ms",
        )
        row(f"engine, {what}", kind, "engine_ms", "(reference)", lambda v: True, "ms")
        shares = {
            side: [
                (
                    r[kind]["memory_ms"] / r[kind]["ms_per_request"],
                    r[kind]["engine_ms"] / r[kind]["ms_per_request"],
                )
                for r in sides[side]
            ]
            for side in sides
        }
        memory_share = {s: statistics.median(m for m, _ in v) for s, v in shares.items()}
        engine_share = {s: statistics.median(e for _, e in v) for s, v in shares.items()}
        rows.append(
            {
                "figure": f"share of an in-process analyze in memory snapshot + record, {what}",
                "before": round(100 * memory_share["before"], 1),
                "after": round(100 * memory_share["after"], 1),
                "goal": f"engine-dominated (engine after: {100 * engine_share['after']:.0f} %)",
                "met": memory_share["after"] < engine_share["after"],
                "unit": "%",
            }
        )
        row(
            f"memory writes on the background thread (CPU), {what}",
            kind,
            "background_cpu_ms",
            "(off the request path)",
            lambda v: True,
            "ms",
        )
    if args.json:
        print(json.dumps({"rows": rows}))
        return 0
    print(
        f"memory on the analyze path: {args.rounds} rounds of {args.requests} requests, "
        f"before = {args.baseline or args.commit}, medians"
    )
    width = max(len(r["figure"]) for r in rows)
    print(f"{'figure':<{width}}  {'before':>9}  {'after':>9}  {'after/before':>12}  goal")
    for r in rows:
        ratio = f"{r['after'] / r['before']:.2f}" if r["before"] else "-"
        mark = "met" if r["met"] else "NOT met"
        print(
            f"{r['figure']:<{width}}  {r['before']:>9.3f}  {r['after']:>9.3f}  {ratio:>12}  "
            f"{r['goal']} ({mark})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
