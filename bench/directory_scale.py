"""Engine time per message and memory against partner directories of 1k, 10k and 100k.

Builds synthetic directories (seeded random company-like domains, two contacts each, plus
the seed's own partners), then analyses the seed fixtures and a sample of
../shared/corpus/ham through the payload path (what an API request costs) with every
check on. Each size runs in its own process so that resident memory is its own.

    .venv/bin/python bench/directory_scale.py [--sizes 1000,10000,100000] [--messages 400]

Target: p50 per message with 100k partner domains within 1.5x of the p50 with 1k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _company_names import SUFFIXES, WORDS
from _messages import payload_of, sources

SEED_PARTNERS = [("Partner B", "partnerb.example"), ("Partner C", "partnerc.example")]


def synthetic(n: int, seed: int = 7) -> list[object]:
    from caveat.knowledge.partners_csv import Contact, Partner

    rnd = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    seen: set[str] = set()
    out: list[object] = [
        Partner(org, (dom,), (Contact("Ben Ortiz", f"ben.ortiz@{dom}", "+1"),), (), frozenset())
        for org, dom in SEED_PARTNERS
    ]
    while len(out) < n:
        words = rnd.sample(WORDS, rnd.choice((1, 2, 2, 3)))
        sep = rnd.choice(("", "", "-"))
        label = sep.join(words) + (str(rnd.randint(1, 99)) if rnd.random() < 0.1 else "")
        domain = f"{label}.{rnd.choice(SUFFIXES)}"
        if domain in seen:
            continue
        seen.add(domain)
        first, last = rnd.choice(("Anna", "Ben", "Clara", "Dan")), rnd.choice(WORDS).title()
        contacts = (Contact(f"{first} {last}{len(out)}", f"{first.lower()}@{domain}", "+1"),)
        out.append(Partner(f"Company {len(out)}", (domain,), contacts, (), frozenset()))
    return out


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def one(size: int, messages: int) -> dict[str, float]:
    from caveat.engine.engine import Engine
    from caveat.knowledge.context import Context, EngineConfig
    from caveat.knowledge.directory import Directory
    from caveat.mail.normalise import from_payload

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    config = EngineConfig.build(internal_domains=["partnera.example"], trust_microsoft=True)
    engine = Engine()
    payloads = [payload_of(p.read_bytes()) for _, p in list(sources())[:messages]]
    for p in payloads:
        engine.analyze(from_payload(p), Context(config=config))
    before = rss_mib()
    t0 = time.perf_counter()
    directory = Directory(synthetic(size), internal_domains=config.internal_domains)
    len(directory.lookalikes)
    _ = directory.labels
    build = time.perf_counter() - t0
    after = rss_mib()
    ctx = Context(config=config, directory=directory)
    times = []
    for p in payloads:
        engine.analyze(from_payload(p), ctx)  # warm
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter_ns()
            engine.analyze(from_payload(p), ctx)
            best = min(best, time.perf_counter_ns() - t)
        times.append(best / 1e6)
    times.sort()
    return {
        "size": size,
        "messages": len(times),
        "build_s": build,
        "p50": times[len(times) // 2],
        "p99": times[min(len(times) - 1, int(0.99 * len(times)))],
        "directory_mib": after - before,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.messages)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--messages", str(args.messages)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.append(json.loads(out.splitlines()[-1]))
    print(
        f"{'partners':>9} {'messages':>8} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'directory MiB':>14} {'max RSS MiB':>12}"
    )
    for r in rows:
        print(
            f"{r['size']:9d} {r['messages']:8d} {r['build_s']:8.2f} {r['p50']:8.3f} "
            f"{r['p99']:8.3f} {r['directory_mib']:14.1f} {r['max_rss_mib']:12.1f}"
        )
    ratio = rows[-1]["p50"] / rows[0]["p50"]
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    print(f"p50 {rows[-1]['size']} / {rows[0]['size']} = {ratio:.2f} ({verdict} the target of 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
