"""Look-alike index: build time, time per match, and memory, at 1k, 10k and 100k domains.

Builds indexes of random but plausible company domains (seeded: made-up and dictionary
words, joined plainly or with a hyphen, under a realistic mix of suffixes), then times
``match`` over one fixed mix of about 2,000 queries per size: half unrelated domains that
are not in the index, half look-alikes of indexed domains made with every technique.

    .venv/bin/python bench/lookalike_index.py [--sizes 1000 10000 100000] [--queries 2000]
        [--repeat 5] [--seed 7]

Each query is timed --repeat times and its fastest run kept; percentiles are over queries.
The ratio p50(largest) / p50(smallest) is the scaling figure: a lookup must not scan the
protected domains, so it should stay close to 1. Memory is what tracemalloc sees allocated
by a second, traced build of the same index. "unrelated hits" counts unrelated queries that
matched anyway: the chance look-alikes a directory of that size produces.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc

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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(
        f"{'domains':>8} {'build s':>8} {'memory MiB':>10} {'p50 us':>8} {'p99 us':>8} "
        f"{'max us':>8} {'look-alikes found':>17} {'unrelated hits':>14}"
    )
    p50s: dict[int, float] = {}
    for size in args.sizes:
        rng = random.Random(f"{args.seed}-{size}")  # noqa: S311 - synthetic data
        protected = domains(size, rng)
        owners = [(d, f"Partner {i}") for i, d in enumerate(protected)]
        qrng = random.Random(f"{args.seed}-queries")  # noqa: S311 - synthetic data
        indexed = set(protected)
        unrelated = [d for d in domains(args.queries, qrng) if d not in indexed]
        unrelated = unrelated[: args.queries // 2]
        fakes = [lookalike(qrng.choice(protected), qrng, indexed) for _ in range(args.queries // 2)]

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
        tracemalloc.stop()

        times: list[float] = []
        found = hits = 0
        for q in unrelated + fakes:
            m = index.match(q)  # warm the per-domain caches, as a running service has them
            if q in fakes:
                found += m is not None
            else:
                hits += m is not None
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter_ns()
                index.match(q)
                best = min(best, time.perf_counter_ns() - t)
            times.append(best / 1000)
        p50s[size] = pct(times, 0.5)
        print(
            f"{size:8} {build:8.2f} {memory:10.1f} {pct(times, 0.5):8.1f} "
            f"{pct(times, 0.99):8.1f} {max(times):8.1f} "
            f"{found:>9}/{len(fakes):<7} {hits:>6}/{len(unrelated):<7}"
        )
        del index
    small, large = min(p50s), max(p50s)
    print(
        f"p50 ratio {large // 1000}k/{small // 1000}k: {p50s[large] / p50s[small]:.2f}; "
        f"python {sys.version.split()[0]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
