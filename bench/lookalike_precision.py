"""Look-alike precision at scale: warnings on legitimate mail, and look-alikes still caught,
with a dense synthetic partner directory of 1k and of 100k domains.

    .venv/bin/python bench/lookalike_precision.py [--sizes 1000,100000] [--attacks 1500]
        [--every 1] [--seed 7] [--baseline DIR] [--quick] [--json]

The directory: seeded company-like domains from three generators in equal shares (words of
trade joined plainly or with a hyphen, as in bench/directory_scale.py; made-up and
dictionary words with a trade, as in bench/lookalike_index.py; short made-up names of two
to five syllables, the shape that collides most), a realistic mix of suffixes, plus the
seed's partners. The same generator and seed make the 1k and the 100k directory.

Two figures per directory size, each from a fresh child process:

* **legitimate mail**: every message of ../shared/corpus/ham (or every ``--every``-th)
  through the engine with that directory: how many get a ``lookalike_domain`` finding, and
  how many of those reach caution or danger *because* of it (their level without the
  look-alike check would be below caution). No conversation memory: each message is the
  first of its sender, as a new correspondent's is.
* **look-alikes caught**: ``--attacks`` domains made from directory domains the way
  look-alikes are made (below), each looked up in the index; caught means a match that
  names the directory domain imitated (a match naming another partner is counted apart,
  as "any match": in a dense directory it is often chance). Per technique, so that a
  gain in precision is not a hidden loss of recall:

  confusable     one letter for a confusable character (Cyrillic, digit, ``rn`` for ``m``)
  like_shape     one letter for a letter of like shape (``l``/``i``, ``c``/``e``, ``n``/``h``)
  doubled        one letter doubled
  swapped        two neighbours swapped, after the first letter
  dropped        one inner letter left out
  any_letter     one inner letter replaced by any other (a typing slip more than a disguise)
  added_word     a fraudster's word or a number added, with or without a hyphen
  other_suffix   the same name under com, net, co, de or eu
  hyphen         a hyphen added, or the hyphens removed
  subdomain      the whole domain in front of an attacker's domain

``--baseline DIR`` (a checkout of older code: ``git worktree add /tmp/base <commit>``) runs
both figures with that code too, in the same run, so before and after are side by side.
Without it, the "before" of the warning rows is the 1k directory (the goal: 100k no worse),
and that of the catch rows the figures measured at 4e3546b with the default ``--attacks``
and ``--seed`` (with others, give ``--baseline``).
``--quick``: every 5th message, the same look-alikes (under a minute without a baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HAM = ROOT.parent / "shared" / "corpus" / "ham"
LOUD = ("caution", "danger")
GOAL_SHARE = 0.1  # per cent of legitimate messages with a look-alike warning, at 100k
#: Deceiving look-alikes caught at 4e3546b (before issue 15), same seed and default
#: arguments: the reference when no --baseline is given. The goal is to lose at most one
#: point of it for the precision gained.
BASELINE_CATCH = {1000: 92.8, 100000: 91.2}
CATCH_SLACK = 1.0

SEED_PARTNERS = [("Partner B", "partnerb.example"), ("Partner C", "partnerc.example")]
TECHNIQUES = (
    "confusable",
    "like_shape",
    "doubled",
    "swapped",
    "dropped",
    "any_letter",
    "added_word",
    "other_suffix",
    "hyphen",
    "subdomain",
)
#: The techniques a look-alike made to deceive a reader uses (the catch-rate goal).
DECEIVING = tuple(t for t in TECHNIQUES if t not in ("dropped", "any_letter"))
CONFUSABLE = {
    "a": "\u0430",
    "e": "\u0435",
    "o": "0",
    "l": "1",
    "i": "\u0456",
    "m": "rn",
    "w": "vv",
    "p": "\u0440",
    "c": "\u0441",
}
LIKE_SHAPE = {"l": "i", "i": "l", "c": "e", "e": "c", "n": "h", "h": "n", "u": "v", "g": "q"}
ADDED = ("invoices", "billing", "payments", "secure", "pay", "accounts", "group", "gmbh", "24")
SHORT_SYLLABLES = [c + v for c in "bcdfgklmnprstvz" for v in "aeiou"]


def directory_domains(n: int, seed: int) -> list[str]:
    """``n`` distinct company-like domains (the seed's partners among them)."""
    sys.path.insert(0, str(BENCH))
    from directory_scale import SUFFIXES as SCALE_SUFFIXES
    from directory_scale import WORDS as TRADE_WORDS
    from lookalike_index import company

    rnd = random.Random(f"precision-{seed}")  # noqa: S311 - reproducible test data
    out: dict[str, None] = {d: None for _, d in SEED_PARTNERS}
    while len(out) < n:
        shape = len(out) % 3
        if shape == 0:
            words = rnd.sample(TRADE_WORDS, rnd.choice((1, 2, 2, 3)))
            label = rnd.choice(("", "", "-")).join(words)
            if rnd.random() < 0.1:
                label += str(rnd.randint(1, 99))
            domain = f"{label}.{rnd.choice(SCALE_SUFFIXES)}"
        elif shape == 1:
            domain = company(rnd)
        else:
            label = "".join(rnd.choice(SHORT_SYLLABLES) for _ in range(rnd.randint(2, 5)))
            domain = f"{label}.{rnd.choice(('com', 'de', 'co.uk', 'fr', 'nl'))}"
        out[domain] = None
    return list(out)


def attack(domain: str, technique: str, rnd: random.Random) -> str | None:
    """A look-alike of ``domain`` made with ``technique``; None when the name has no place
    for it (no confusable letter, say)."""
    label, _, suffix = domain.partition(".")
    inner = range(1, len(label) - 1)
    letters = [i for i in inner if label[i].isalpha()]
    if technique == "confusable":
        spots = [i for i, c in enumerate(label) if c in CONFUSABLE]
        if not spots:
            return None
        i = rnd.choice(spots)
        label = label[:i] + CONFUSABLE[label[i]] + label[i + 1 :]
    elif technique == "like_shape":
        spots = [i for i in inner if label[i] in LIKE_SHAPE]
        if not spots:
            return None
        i = rnd.choice(spots)
        label = label[:i] + LIKE_SHAPE[label[i]] + label[i + 1 :]
    elif technique == "doubled":
        if not letters:
            return None
        i = rnd.choice(letters)
        label = label[:i] + label[i] + label[i:]
    elif technique == "swapped":
        spots = [i for i in letters if label[i + 1].isalpha() and label[i] != label[i + 1]]
        if not spots:
            return None
        i = rnd.choice(spots)
        label = label[:i] + label[i + 1] + label[i] + label[i + 2 :]
    elif technique == "dropped":
        if not letters:
            return None
        i = rnd.choice(letters)
        label = label[:i] + label[i + 1 :]
    elif technique == "any_letter":
        if not letters:
            return None
        i = rnd.choice(letters)
        label = label[:i] + rnd.choice("abcdefghijklmnopqrstuvwxyz") + label[i + 1 :]
    elif technique == "added_word":
        word = rnd.choice(ADDED)
        shapes = (f"{label}-{word}", f"{word}-{label}", f"{label}{word}", f"{word}{label}")
        label = rnd.choice(shapes)
    elif technique == "other_suffix":
        choices = [s for s in ("com", "net", "co", "de", "eu") if s != suffix]
        suffix = rnd.choice(choices)
    elif technique == "hyphen":
        if "-" in label:
            label = label.replace("-", "")
        elif len(label) > 5:
            i = rnd.randrange(3, len(label) - 2)
            label = label[:i] + "-" + label[i:]
        else:
            return None
    elif technique == "subdomain":
        return f"{domain}.mail-relay{rnd.randint(10, 99)}.net"
    return f"{label}.{suffix}"


# --------------------------------------------------------------------------- child


def one(size: int, seed: int, every: int, attacks: int) -> dict[str, Any]:
    """Both figures for one directory size, with whatever ``caveat`` this process imports."""
    from caveat.checks import ALL_CHECKS
    from caveat.engine.engine import Engine
    from caveat.knowledge.context import Context, EngineConfig
    from caveat.knowledge.directory import Directory
    from caveat.knowledge.partners_csv import Contact, Partner
    from caveat.mail.normalise import from_raw

    domains = directory_domains(size, seed)
    owners = dict((d, o) for o, d in SEED_PARTNERS)
    partners = [
        Partner(
            owners.get(d, f"Company {i}"),
            (d,),
            (Contact(f"Contact {i}", f"office@{d}", "+1"),),
            (),
            frozenset(),
        )
        for i, d in enumerate(domains)
    ]
    config = EngineConfig.build(internal_domains=["partnera.example"])
    directory = Directory(partners, internal_domains=config.internal_domains)
    index = directory.lookalikes
    ctx = Context(config=config, directory=directory)
    engine = Engine()
    quiet = Engine(checks=[c for c in ALL_CHECKS if c.family != "lookalike_domain"])
    rank = {"none": 0, "info": 1, "caution": 2, "danger": 3}
    files = sorted(HAM.rglob("*.eml"))[::every] if HAM.is_dir() else []
    warned = caused = 0
    examples: list[str] = []
    for path in files:
        facts = from_raw(path.read_bytes())
        verdict = engine.analyze(facts, ctx)
        if not any(f.check == "lookalike_domain" for f in verdict.findings):
            continue
        warned += 1
        if verdict.level in LOUD and rank[quiet.analyze(facts, ctx).level] < rank["caution"]:
            caused += 1
        for f in verdict.findings:
            if f.check == "lookalike_domain" and len(examples) < 40:
                examples.append(f"{f.id}: {f.evidence[1].value}")
    rnd = random.Random(f"attacks-{seed}")  # noqa: S311 - reproducible test data
    caught: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    anything: Counter[str] = Counter()
    while sum(tried.values()) < attacks:
        technique = TECHNIQUES[sum(tried.values()) % len(TECHNIQUES)]
        target = rnd.choice(domains)
        fake = attack(target, technique, rnd)
        if fake is None or index.is_protected(fake):
            continue
        tried[technique] += 1
        m = index.match(fake)
        caught[technique] += m is not None and m.imitates == target
        anything[technique] += m is not None
    return {
        "size": size,
        "messages": len(files),
        "warned": warned,
        "caused": caused,
        "examples": examples,
        "tried": dict(tried),
        "caught": dict(caught),
        "anything": dict(anything),
    }


# --------------------------------------------------------------------------- parent


def run_side(server: Path | None, args: argparse.Namespace, size: int) -> dict[str, Any]:
    env = dict(os.environ)
    if server is not None:
        env["PYTHONPATH"] = str(server)
    cmd = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
    cmd += ["--every", str(args.every), "--attacks", str(args.attacks)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the child for {size} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def share(r: dict[str, Any], key: str) -> float:
    return 100 * r[key] / max(1, r["messages"])


def catch_rate(r: dict[str, Any], key: str = "caught") -> float:
    """Share of the deceiving look-alikes caught (``key="anything"``: matched at all)."""
    tried = sum(r["tried"].get(t, 0) for t in DECEIVING)
    return 100 * sum(r.get(key, {}).get(t, 0) for t in DECEIVING) / max(1, tried)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--attacks", type=int, default=1500)
    ap.add_argument("--every", type=int, default=1, help="every N-th corpus message")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline", type=Path, help="a checkout of older code: its side too")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="list the warnings on legitimate mail")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seed, args.every, args.attacks)))
        return 0
    if args.quick:  # the same look-alikes (cheap), a fifth of the corpus
        args.every = 5
    if not HAM.is_dir():
        print(f"no corpus at {HAM}: only the look-alikes are measured", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    sides: dict[str, Path | None] = {}
    if args.baseline is not None:
        sides["before"] = args.baseline.resolve() / "server"
    sides["after"] = None
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for size in sizes:  # the sides in turn for each size
        for side, server in sides.items():
            results[side, size] = run_side(server, args, size)
    if not args.json:
        head = f"{'side':7} {'partners':>9} {'messages':>8} {'warned':>7} {'share':>7} "
        head += f"{'caused caution+':>16} " + " ".join(f"{t[:10]:>10}" for t in TECHNIQUES)
        print(head + f" {'deceiving':>9} {'any match':>9}")
        for (side, size), r in results.items():
            rates = " ".join(
                f"{r['caught'].get(t, 0):>4}/{r['tried'].get(t, 0):<5}" for t in TECHNIQUES
            )
            print(
                f"{side:7} {size:9} {r['messages']:8} {r['warned']:7} "
                f"{share(r, 'warned'):6.2f}% {r['caused']:>7} ({share(r, 'caused'):.2f}%) "
                f"{rates} {catch_rate(r):8.1f}% {catch_rate(r, 'anything'):8.1f}%"
            )
            if args.show:
                for line in r["examples"]:
                    print(f"        {line}")
    small, large = min(sizes), max(sizes)
    rows = []
    after_large, after_small = results["after", large], results["after", small]
    ref = results.get(("before", large))
    for key, what in (("warned", "look-alike findings"), ("caused", "caution+ caused by them")):
        before = share(ref, key) if ref else share(after_small, key)
        after = share(after_large, key)
        rows.append(
            {
                "figure": f"legitimate messages with {what}, {large // 1000}k-domain directory"
                + ("" if ref else f" (before: the {small // 1000}k directory)"),
                "before": round(before, 3),
                "after": round(after, 3),
                "goal": f"<= {GOAL_SHARE} %",
                "met": after <= GOAL_SHARE,
                "unit": "%",
            }
        )
    for size in sizes:
        r = results["after", size]
        before_r = results.get(("before", size))
        recorded = args.attacks == 1500 and args.seed == 7
        before = (
            catch_rate(before_r) if before_r else BASELINE_CATCH.get(size) if recorded else None
        )
        rows.append(
            {
                "figure": f"look-alikes caught (deceiving techniques), {size // 1000}k directory"
                + ("" if before_r else " (before: as measured at 4e3546b)"),
                "before": None if before is None else round(before, 1),
                "after": round(catch_rate(r), 1),
                "goal": f">= before - {CATCH_SLACK:g} point",
                "met": before is None or catch_rate(r) >= before - CATCH_SLACK,
                "unit": "%",
            }
        )
    if args.json:
        print(json.dumps({"rows": rows}))
        return 0
    for row in rows:
        ratio = f" (x{row['after'] / row['before']:.2f})" if row["before"] not in (None, 0) else ""
        print(
            f"{row['figure']}: {row['before']} -> {row['after']} {row['unit']}{ratio}; "
            f"goal {row['goal']}: {'met' if row['met'] else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
