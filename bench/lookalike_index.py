"""Look-alike index: build time, time per match, and memory, at 1k, 10k and 100k domains.

Builds indexes of random but plausible company domains (seeded: made-up and dictionary
words, joined plainly or with a hyphen, under a realistic mix of suffixes), then times
``match`` over one fixed mix of about 2,000 queries per size: half unrelated domains that
are not in the index, half look-alikes of indexed domains made with every technique.

    .venv/bin/python bench/lookalike_index.py [--sizes 1000 10000 100000] [--queries 2000]
        [--repeat 5] [--seed 7] [--baseline DIR] [--quick] [--json]

Each query is timed --repeat times and its fastest run kept; percentiles are over queries.
The ratio p50(largest) / p50(smallest) is the scaling figure: a lookup must not scan the
protected domains, so it should stay close to 1. Memory is what tracemalloc sees allocated
by a second, traced build of the same index, "blocks" the allocations it holds (about one
per Python object). "dirtied MiB": the parent freezes its objects (``gc.freeze()``) and
forks, as the service's master does before its workers; the child answers every query
once and reports how much private memory it dirtied (refcounts written into pages it
shared with the parent are what turn shared pages into private ones). "unrelated hits"
counts unrelated queries that matched anyway: the chance look-alikes a directory of that
size produces.

Each size runs in a fresh process per side. ``--baseline DIR`` (a checkout of older code:
``git worktree add /tmp/base <commit>``) runs that code's side too, size by size, in turn
with the current code's. ``--quick``: 1k and 100k, 600 queries, 2 repeats.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from caveat.reference.lookalike import LookalikeIndex

SYLLABLES = [
    onset + vowel + coda
    for onset in "b c d f g h k l m n p r s t v z br tr st kr pl".split()
    for vowel in "aeiou"
    for coda in ("", "", "n", "r", "s", "l")
]
WORDS = (
    "alpha anchor apex arrow atlas aurora beacon birch bridge bright cascade cedar cobalt "
    "condor coral crest delta ember falcon fjord forge granite harbor helix horizon indigo "
    "iron jasper kestrel lumen maple meridian nimbus nova oak onyx orbit osprey pacific "
    "pillar pioneer polar prism quartz raven ridge river sable sierra silver solar sterling "
    "summit tango tidal timber titan vector velvet vertex vista willow zenith"
).split()
TRADES = (
    "logistics foods metal steel bau tech consulting freight pharma textil medical "
    "chemie marine motors print plastics energie elektro paper glass"
).split()
SUFFIXES = (
    ["com"] * 40
    + ["de"] * 12
    + ["co.uk"] * 6
    + ["fr"] * 5
    + ["nl"] * 4
    + ["it", "es", "ch", "at", "be", "se", "pl", "dk", "eu", "io"] * 2
    + ["net", "org", "com.au", "co.jp", "com.br", "ca", "ie", "pt", "fi", "cz"]
)
ADDED = ("invoices", "billing", "payments", "secure", "mail", "group", "accounts", "pay")
CONFUSE = {"o": "0", "l": "1", "i": "1", "m": "rn", "w": "vv", "a": "\u0430", "e": "\u0435"}


def made_up(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def company(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.35:
        label = made_up(rng)
    elif shape < 0.55:
        label = rng.choice(WORDS) + made_up(rng)
    elif shape < 0.75:
        label = f"{rng.choice(WORDS)}-{rng.choice(TRADES)}"
    elif shape < 0.9:
        label = made_up(rng) + rng.choice(TRADES)
    else:
        label = f"{made_up(rng)}-{made_up(rng)}"
    return f"{label}.{rng.choice(SUFFIXES)}"


def domains(n: int, rng: random.Random) -> list[str]:
    out: dict[str, None] = {}
    while len(out) < n:
        out[company(rng)] = None
    return list(out)


def elsewhere(rng: random.Random, indexed: set[str]) -> str:
    """An attacker's registrable domain: plausible, and not one of the indexed ones."""
    while True:
        d = company(rng)
        if d not in indexed:
            return d


def lookalike(domain: str, rng: random.Random, indexed: set[str]) -> str:
    label, _, suffix = domain.partition(".")
    trick = rng.randrange(7)
    if trick == 0:
        spots = [i for i, c in enumerate(label) if c in CONFUSE]
        if spots:
            i = rng.choice(spots)
            label = label[:i] + CONFUSE[label[i]] + label[i + 1 :]
    elif trick == 1 and len(label) > 2:
        i = rng.randrange(1, len(label) - 1)
        op = rng.randrange(4)
        if op == 0:
            label = label[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + label[i + 1 :]
        elif op == 1:
            label = label[:i] + label[i + 1 :]
        elif op == 2:
            label = label[:i] + label[i] + label[i:]
        else:
            label = label[: i - 1] + label[i] + label[i - 1] + label[i + 1 :]
    elif trick == 2:
        label = label.replace("-", "") if "-" in label else label[:3] + "-" + label[3:]
    elif trick == 3:
        word = rng.choice(ADDED)
        label = f"{label}-{word}" if rng.random() < 0.5 else f"{word}{label}"
    elif trick == 4:
        suffix = rng.choice([s for s in ("com", "net", "co", "de", "eu") if s != suffix])
    elif trick == 5:
        return f"{domain}.{elsewhere(rng, indexed)}"
    else:
        return f"{label}-{suffix.replace('.', '-')}.{elsewhere(rng, indexed)}"
    return f"{label}.{suffix}"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def private_dirty_kib() -> int:
    """This process's private dirty memory (Linux), in KiB; 0 where it cannot be read."""
    try:
        with open("/proc/self/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def dirtied_after_fork(index: LookalikeIndex, queries: list[str]) -> float:
    """MiB of private memory a forked child dirties while answering ``queries`` once with
    the parent's index, after ``gc.freeze()`` (what a gunicorn worker pays per copy)."""
    if not hasattr(os, "fork"):
        return float("nan")
    gc.collect()
    gc.freeze()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        start = private_dirty_kib()
        for q in queries:
            index.match(q)
        gc.collect()
        os.write(write, str(private_dirty_kib() - start).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        kib = int(fh.read() or 0)
    os.waitpid(pid, 0)
    gc.unfreeze()
    return kib / 1024


def one(size: int, queries: int, repeat: int, seed: int) -> dict[str, float]:
    """Every figure for one size, with whatever ``caveat`` this process imports."""
    rng = random.Random(f"{seed}-{size}")  # noqa: S311 - synthetic data
    protected = domains(size, rng)
    owners = [(d, f"Partner {i}") for i, d in enumerate(protected)]
    qrng = random.Random(f"{seed}-queries")  # noqa: S311 - synthetic data
    indexed = set(protected)
    unrelated = [d for d in domains(queries, qrng) if d not in indexed]
    unrelated = unrelated[: queries // 2]
    fakes = [lookalike(qrng.choice(protected), qrng, indexed) for _ in range(queries // 2)]

    gc.collect()
    t0 = time.perf_counter()
    index = LookalikeIndex(owners)
    build = time.perf_counter() - t0

    del index
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = LookalikeIndex(owners)
    memory = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    blocks = sum(stat.count for stat in tracemalloc.take_snapshot().statistics("filename"))
    tracemalloc.stop()

    times: list[float] = []
    found = hits = 0
    fake_set = set(fakes)
    for q in unrelated + fakes:
        m = index.match(q)  # warm the per-domain caches, as a running service has them
        if q in fake_set:
            found += m is not None
        else:
            hits += m is not None
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter_ns()
            index.match(q)
            best = min(best, time.perf_counter_ns() - t)
        times.append(best / 1000)
    dirtied = dirtied_after_fork(index, [f"x{q}" for q in unrelated + fakes])
    return {
        "size": size,
        "build_s": build,
        "memory_mib": memory,
        "blocks": blocks,
        "p50_us": pct(times, 0.5),
        "p99_us": pct(times, 0.99),
        "max_us": max(times),
        "found": found,
        "fakes": len(fakes),
        "hits": hits,
        "unrelated": len(unrelated),
        "dirtied_mib": dirtied,
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline", type=Path, help="a checkout of older code: its side too")
    ap.add_argument("--quick", action="store_true", help="1k and 100k, 600 queries, 2 repeats")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if args.one:
        print(json.dumps(one(args.one, args.queries, args.repeat, args.seed)))
        return 0
    if args.quick:
        args.sizes, args.queries, args.repeat = [1000, 100000], 600, 2
    sides: dict[str, Path | None] = {}
    if args.baseline is not None:
        sides["before"] = args.baseline.resolve() / "server"
    sides["after"] = None
    results: dict[tuple[str, int], dict[str, float]] = {}
    for size in args.sizes:  # the sides in turn, each in a fresh process
        for side, server in sides.items():
            env = dict(os.environ)
            if server is not None:
                env["PYTHONPATH"] = str(server)
            cmd = [sys.executable, __file__, "--one", str(size), "--queries", str(args.queries)]
            cmd += ["--repeat", str(args.repeat), "--seed", str(args.seed)]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"{side} {size} failed:\n{done.stderr}")
            results[side, size] = json.loads(done.stdout.splitlines()[-1])
    small, large = min(args.sizes), max(args.sizes)
    rows = []
    ref = "before" if args.baseline is not None else None
    for figure, key, unit, goal in (
        (f"look-alike index memory, {large // 1000}k domains", "memory_mib", "MiB", "smaller"),
        (f"look-alike index allocations, {large // 1000}k domains", "blocks", "blocks", "fewer"),
        (f"look-alike index build, {large // 1000}k domains", "build_s", "s", "not slower"),
        (
            f"memory a forked worker dirties answering {args.queries} queries, "
            f"{large // 1000}k domains",
            "dirtied_mib",
            "MiB",
            "smaller",
        ),
    ):
        before = results[ref, large][key] if ref else None
        after = results["after", large][key]
        met = before is None or after <= before * (1.2 if key == "build_s" else 1.0)
        rows.append(
            {
                "figure": figure,
                "before": before,
                "after": after,
                "goal": goal,
                "met": met,
                "unit": unit,
            }
        )
    p50 = {side: results[side, large]["p50_us"] / results[side, small]["p50_us"] for side in sides}
    rows.append(
        {
            "figure": f"look-alike match p50, {large // 1000}k / {small // 1000}k domains",
            "before": p50.get("before"),
            "after": p50["after"],
            "goal": "<= 1.5",
            "met": p50["after"] <= 1.5,
            "unit": "ratio",
        }
    )
    if args.json:
        print(json.dumps({"rows": rows}))
        return 0
    print(
        f"{'side':6} {'domains':>8} {'build s':>8} {'memory MiB':>10} {'blocks':>9} "
        f"{'dirtied MiB':>11} {'p50 us':>8} {'p99 us':>8} {'max us':>8} "
        f"{'look-alikes found':>17} {'unrelated hits':>14}"
    )
    for (side, size), r in results.items():
        print(
            f"{side:6} {size:8} {r['build_s']:8.2f} {r['memory_mib']:10.1f} {r['blocks']:9.0f} "
            f"{r['dirtied_mib']:11.2f} {r['p50_us']:8.1f} {r['p99_us']:8.1f} {r['max_us']:8.1f} "
            f"{r['found']:>9.0f}/{r['fakes']:<7.0f} {r['hits']:>6.0f}/{r['unrelated']:<7.0f}"
        )
    for row in rows:
        ratio = ""
        if row["before"]:
            ratio = f" (x{row['after'] / row['before']:.2f})"
        before = "-" if row["before"] is None else f"{row['before']:.2f}"
        print(
            f"{row['figure']}: {before} -> {row['after']:.2f} {row['unit']}{ratio}; "
            f"goal {row['goal']}: {'met' if row['met'] else 'NOT met'}"
        )
    print(f"python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
