"""Engine time per message, p50 and p99, on one core.

Measures what one API request costs the engine: building the facts from the add-in payload
(header block, From/To/Cc, subject, body snippet) and analysing them, over the seed fixtures
and ../shared/corpus/ham. The raw-message path (the CLI's) is reported separately.

    .venv/bin/python bench/engine_time.py [--repeat 5] [--no-corpus]

Each message is timed --repeat times and its fastest run kept (the others measure the
machine, not the code); percentiles are over messages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _messages import payload_of, sources
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.mail.normalise import from_payload, from_raw


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-corpus", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    engine = Engine()
    ctx = Context(
        config=EngineConfig.build(internal_domains=["partnera.example"], trust_microsoft=True)
    )
    payload_times: dict[str, list[float]] = defaultdict(list)
    raw_times: dict[str, list[float]] = defaultdict(list)
    for name, path in sources(not args.no_corpus):
        raw = path.read_bytes()
        payload = payload_of(raw)
        engine.analyze(from_payload(payload), ctx)  # warm the caches as a service would be
        best_p = best_r = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter_ns()
            engine.analyze(from_payload(payload), ctx)
            t1 = time.perf_counter_ns()
            engine.analyze(from_raw(raw), ctx)
            t2 = time.perf_counter_ns()
            best_p = min(best_p, t1 - t0)
            best_r = min(best_r, t2 - t1)
        payload_times[name].append(best_p / 1e6)
        raw_times[name].append(best_r / 1e6)
    print(
        f"{'dataset':24} {'messages':>8} {'payload p50':>12} {'p99':>8} "
        f"{'raw p50':>9} {'p99':>8}   (ms per message, one core)"
    )
    every_p: list[float] = []
    every_r: list[float] = []
    for name in payload_times:
        p, r = payload_times[name], raw_times[name]
        every_p += p
        every_r += r
        print(
            f"{name:24} {len(p):8} {pct(p, 0.5):12.3f} {pct(p, 0.99):8.3f} "
            f"{pct(r, 0.5):9.3f} {pct(r, 0.99):8.3f}"
        )
    print(
        f"{'all':24} {len(every_p):8} {pct(every_p, 0.5):12.3f} {pct(every_p, 0.99):8.3f} "
        f"{pct(every_r, 0.5):9.3f} {pct(every_r, 0.99):8.3f}"
    )
    print(f"mean payload {statistics.fmean(every_p):.3f} ms; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
