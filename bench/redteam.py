"""The red-team measurement: how many attacks of bench/redteam/ Caveat catches at the level
they deserve, and how many legitimate look-alikes it warns on more than they deserve.

    .venv/bin/python bench/redteam.py [--show] [--jobs N]

Each message is scanned on its own (`caveat scan --json` with the set's partner directory,
internal domain and trusted authserv-id, one throw-away memory per run); a thread-* folder is
one run, its messages oldest first, so that the conversation memory sees the real messages
before the attack. Every message has an expect file beside it (<name>.toml): `class`
(attack or legit), `kind` (1-7 or classic), `deserved` and `why`; earlier messages of a
thread carry `context = true` and are counted apart.

Prints attacks caught at or above their deserved level and legitimate messages above
theirs, overall and per kind; --show lists each miss and each over-warning with its
finding ids. A measurement, not a test: exit code 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

SET = Path(__file__).resolve().parent / "redteam"
RANK = {"none": 0, "info": 1, "caution": 2, "danger": 3}
KINDS = ["1", "2", "3", "4", "5", "6", "7", "classic"]
KIND_NAMES = {
    "1": "attachments and images",
    "2": "HTML tricks",
    "3": "sender-written quotes",
    "4": "display names",
    "5": "sender-controlled headers",
    "6": "known people, other domains",
    "7": "payment advice, address changes, reports",
    "classic": "seed patterns",
}


@dataclass
class Case:
    eml: Path
    cls: str
    kind: str
    deserved: str
    why: str
    context: bool
    level: str = ""
    ids: list[str] = field(default_factory=list)
    error: str = ""
    partial: bool = False

    @property
    def name(self) -> str:
        return str(self.eml.relative_to(SET).with_suffix(""))

    @property
    def good(self) -> bool:
        if self.error:
            return False
        if self.cls == "attack":
            return RANK[self.level] >= RANK[self.deserved]
        return RANK[self.level] <= RANK[self.deserved]


def load_cases() -> list[Case]:
    cases = []
    for eml in sorted(SET.rglob("*.eml")):
        meta = tomllib.loads(eml.with_suffix(".toml").read_text(encoding="utf-8"))
        cases.append(
            Case(
                eml,
                meta["class"],
                str(meta["kind"]),
                meta["deserved"],
                meta["why"],
                bool(meta.get("context", False)),
            )
        )
    return cases


def units(cases: list[Case]) -> list[list[Case]]:
    """One scan run per thread folder, one per other message."""
    threads: dict[Path, list[Case]] = defaultdict(list)
    out: list[list[Case]] = []
    for c in cases:
        folder = next((p for p in c.eml.parents if p.name.startswith("thread-")), None)
        if folder is None:
            out.append([c])
        else:
            threads[folder].append(c)
    out.extend(threads.values())
    return out


def scan_options() -> list[str]:
    cfg = tomllib.loads((SET / "config.toml").read_text(encoding="utf-8"))
    opts = ["--directory", str(SET / cfg["directory"])]
    for d in cfg["internal_domains"]:
        opts += ["--internal-domain", d]
    for a in cfg["trusted_authserv_ids"]:
        opts += ["--trust-authserv-id", a]
    return opts


def run(unit: list[Case], exe: str, opts: list[str]) -> None:
    target = (
        unit[0].eml.parent
        if len(unit) > 1 or unit[0].eml.parent.name.startswith("thread-")
        else unit[0].eml
    )
    done = subprocess.run(
        [exe, "scan", "--json", *opts, str(target)], check=False, capture_output=True, text=True
    )
    by_path = {c.eml.resolve(): c for c in unit}
    for line in done.stdout.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        src = Path(rec["source"].split("#", 1)[0]).resolve()
        case = by_path.get(src)
        if case is None:
            continue
        if "error" in rec:
            case.error = f"{rec['error'].get('code')}: {rec['error'].get('message')}"
            continue
        case.level = rec["level"]
        case.ids = [f["id"] for f in rec["findings"]]
        case.partial = bool(rec.get("partial"))
    for c in unit:
        if not c.level and not c.error:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            c.error = f"no verdict (exit {done.returncode}): {tail}"


def pct(n: int, total: int) -> str:
    return f"{100 * n / total:5.1f} %" if total else "    - "


def table(title: str, cases: list[Case], good_label: str) -> None:
    total = len(cases)
    hit = sum(1 for c in cases if (c.good if c.cls == "attack" else not c.good))
    print(f"{title}: {hit}/{total} ({pct(hit, total).strip()})")
    print(f"  {'kind':<8} {'what':<42} {good_label:>8} {'of':>4} {'share':>8}")
    for k in KINDS:
        sub = [c for c in cases if c.kind == k]
        if not sub:
            continue
        n = sum(1 for c in sub if (c.good if c.cls == "attack" else not c.good))
        print(f"  {k:<8} {KIND_NAMES[k]:<42} {n:>8} {len(sub):>4} {pct(n, len(sub)):>8}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--show", action="store_true", help="list every miss and over-warning with its finding ids"
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="scan runs in parallel (default: CPUs)",
    )
    args = ap.parse_args()
    exe = shutil.which("caveat", path=str(Path(sys.executable).parent)) or "caveat"
    cases = load_cases()
    opts = scan_options()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(lambda u: run(u, exe, opts), units(cases)))
    attacks = [c for c in cases if c.cls == "attack" and not c.context]
    legit = [c for c in cases if c.cls == "legit" and not c.context]
    context = [c for c in cases if c.context]
    errors = [c for c in cases if c.error]
    print(
        f"Red-team set {SET.relative_to(Path.cwd()) if SET.is_relative_to(Path.cwd()) else SET}: "
        f"{len(attacks)} attacks, {len(legit)} legitimate look-alikes, "
        f"{len(context)} earlier thread messages\n"
    )
    table("Attacks caught at or above their deserved level", attacks, "caught")
    print()
    table("Legitimate messages over-warned (above their deserved level)", legit, "over")
    over_ctx = sum(1 for c in context if not c.good)
    print(f"\nEarlier thread messages over-warned: {over_ctx}/{len(context)}")
    levels = Counter(c.level or "error" for c in attacks)
    print(
        "Attack levels: "
        + ", ".join(
            f"{lv} {levels[lv]}"
            for lv in ("danger", "caution", "info", "none", "error")
            if levels[lv]
        )
    )
    levels = Counter(c.level or "error" for c in legit)
    print(
        "Legitimate levels: "
        + ", ".join(
            f"{lv} {levels[lv]}"
            for lv in ("danger", "caution", "info", "none", "error")
            if levels[lv]
        )
    )
    partial = sum(1 for c in cases if c.partial)
    print(f"Scan errors: {len(errors)}; analysed in part: {partial}")
    for c in errors:
        print(f"  ERROR {c.name}: {c.error}")
    if args.show:
        print("\nMisses (attack below its deserved level):")
        for c in attacks:
            if not c.good and not c.error:
                print(
                    f"  [{c.kind}] {c.name}: deserved {c.deserved}, got {c.level} {c.ids}"
                    f"\n        {c.why}"
                )
        print("\nOver-warnings (legitimate above its deserved level):")
        for c in legit + context:
            if not c.good and not c.error:
                tag = " (thread context)" if c.context else ""
                print(
                    f"  [{c.kind}] {c.name}{tag}: deserved at most {c.deserved}, "
                    f"got {c.level} {c.ids}\n        {c.why}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
