"""What ``caveat scan`` costs per message, against a bare standard-library parse of the same
files: CPU seconds on one core, both sides measured in turn in the same run.

    .venv/bin/python bench/scan_cost.py [--files N | --all] [--rounds R] [--baseline DIR]
        [--code DIR] [--quick] [--json]

The two sides, each in a fresh child process, over the same N files of
../shared/corpus/ham (every k-th file of the sorted list, so that each dataset is in it):

* **scan**: ``caveat scan --json FILE ...`` (output thrown away), run by the child through
  ``caveat.cli.main``, and its CPU read with ``time.process_time()``: reading each file
  twice, the facts, the engine, the conversation memory, the JSON lines. The child runs
  the scan over the first file alone, then over all N files, then over the first file
  alone again; the cost per message is (CPU of the N-file scan - CPU of a one-file scan)
  / (N - 1), so that what every scan pays once (opening the store, building the engine)
  does not count per message. Start-up (interpreter, imports, the first one-file scan) is
  reported on its own. PDF, Word and image attachments are read in the attachment
  reader's own processes (its fork server), whose CPU is not in these figures:
  ``bench/attachments.py`` measures them; the wall time of the N-file scan, which
  includes waiting for them, is printed.
* **stdlib**: for each file, ``open(...).read()``, ``email.message_from_bytes(data,
  policy=email.policy.default)``, then ``msg.walk()`` over every part and, for each part
  whose main type is ``text`` and that is not an attachment, ``part.get_content()`` (a
  charset Python does not know counts as read). ``time.process_time()`` around that loop.

``--code DIR`` measures another checkout's scan instead of this one's (a commit without the
uncommitted changes of a shared working tree). ``--baseline DIR`` (a checkout of older code,
``git worktree add /tmp/base <commit>``) adds its ``caveat scan`` as a third side, so the
ratio before and after comes from one run. Each side is run ``--rounds`` times, in an order
that turns each round; the lowest cost per message of each is kept (the others measure the
machine, not the code). ``--quick``: 150 files, one round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HAM = ROOT.parent / "shared" / "corpus" / "ham"
GOAL = 1.5

_SCAN = """
import json, os, sys, time
files = open(sys.argv[1], encoding="utf-8").read().splitlines()
from caveat.cli import main

def scan(names):
    real = sys.stdout
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        code = main(["scan", "--json", *names])
        return time.process_time() - cpu, time.perf_counter() - wall, code
    finally:
        sys.stdout.close()
        sys.stdout = real

scan(files[:1])
startup = time.process_time()
one = min(scan(files[:1])[0] for _ in range(3))
cpu, wall, code = scan(files)
one = min(one, *(scan(files[:1])[0] for _ in range(3)))
print(json.dumps({"startup": startup, "one": one, "cpu": cpu, "wall": wall, "code": code}))
"""

_STDLIB = """
import email, email.policy, json, sys, time
files = open(sys.argv[1], encoding="utf-8").read().splitlines()
started = time.process_time()
for name in files:
    with open(name, "rb") as fh:
        data = fh.read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.is_attachment():
            try:
                part.get_content()
            except (LookupError, UnicodeError, ValueError, AssertionError):
                pass
print(json.dumps({"cpu": time.process_time() - started, "code": 0}))
"""


def corpus(count: int | None) -> list[Path]:
    files = sorted(HAM.glob("*/*.eml"))
    if count is None or count >= len(files):
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def child(code: str, listing: Path, server: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if server is not None:
        env["PYTHONPATH"] = str(server)
    done = subprocess.run(
        [sys.executable, "-c", code, str(listing)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(server.parent if server is not None else ROOT),
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"a measuring child failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--files", type=int, default=600, help="files of the corpus (default 600)")
    ap.add_argument("--all", action="store_true", help="every file of the corpus")
    ap.add_argument("--rounds", type=int, default=2, help="runs of each side (default 2)")
    ap.add_argument("--baseline", type=Path, help="another checkout, measured in turn")
    ap.add_argument(
        "--code", type=Path, help="the checkout whose scan is measured (default: this one)"
    )
    ap.add_argument("--quick", action="store_true", help="150 files, one round (under a minute)")
    ap.add_argument("--json", action="store_true", help="one JSON object with the rows")
    args = ap.parse_args()
    if not HAM.is_dir():
        print(f"skipped: no corpus at {HAM} (see ../shared/corpus/README.md)", file=sys.stderr)
        return 0
    for name, where in (("--baseline", args.baseline), ("--code", args.code)):
        if where is not None and not (where / "server" / "caveat").is_dir():
            ap.error(f"{name} {where}: no server/caveat there")
    count = 150 if args.quick else None if args.all else args.files
    rounds = 1 if args.quick else max(1, args.rounds)
    files = corpus(count)
    n = len(files)
    measured = (args.code.resolve() if args.code is not None else ROOT) / "server"
    codes: list[tuple[str, Path | None]] = [("scan", measured)]
    if args.baseline is not None:
        codes.append(("baseline", args.baseline.resolve() / "server"))

    with tempfile.TemporaryDirectory() as tmp:
        every = Path(tmp) / "files.txt"
        every.write_text("\n".join(str(f) for f in files) + "\n", encoding="utf-8")
        runs: list[tuple[str, str, Path, Path | None]] = [("stdlib", _STDLIB, every, None)]
        runs += [(name, _SCAN, every, server) for name, server in codes]
        best: dict[str, dict[str, Any]] = {}
        for r in range(rounds):
            turn = runs[r % len(runs) :] + runs[: r % len(runs)]
            for label, code, listing, server in turn:
                got = child(code, listing, server)
                if got["code"] not in (0, 1):
                    raise SystemExit(f"{label}: exit code {got['code']}")
                got["per"] = (
                    (got["cpu"] - got.get("one", 0.0)) / max(1, n - 1)
                    if label != "stdlib"
                    else got["cpu"] / n
                )
                if label not in best or got["per"] < best[label]["per"]:
                    best[label] = got
                print(
                    f"round {r + 1}: {label:10} {got['per'] * 1000:8.3f} ms CPU/message",
                    file=sys.stderr,
                )

    reference = best["stdlib"]["per"]
    sides: dict[str, dict[str, float]] = {}
    for name, _server in codes:
        start = best[name]["startup"]
        per = best[name]["per"]
        sides[name] = {
            "per_message_ms": per * 1000,
            "ratio": per / reference,
            "rate": 1 / per,
            "startup_s": start,
            "whole_s": best[name]["cpu"],
            "wall_s": best[name]["wall"],
        }
    now = sides["scan"]
    base = sides.get("baseline")
    rows = [
        {
            "figure": "caveat scan CPU per message / a bare stdlib parse",
            "before": round(base["ratio"], 2) if base else None,
            "after": round(now["ratio"], 2),
            "goal": f"<= {GOAL}",
            "met": now["ratio"] <= GOAL,
            "unit": "ratio",
        },
        {
            "figure": "messages/s per core: stdlib parse (before), caveat scan (after)",
            "before": round(1 / reference, 1),
            "after": round(now["rate"], 1),
            "goal": f">= {1 / reference / GOAL:.0f} (stdlib / {GOAL})",
            "met": now["rate"] >= 1 / reference / GOAL,
            "unit": "msg/s",
        },
        {
            "figure": "caveat scan start-up CPU (imports, engine; one message)",
            "before": round(base["startup_s"], 2) if base else None,
            "after": round(now["startup_s"], 2),
            "goal": "reported, not a goal",
            "met": None,
            "unit": "s",
        },
    ]
    if args.json:
        print(json.dumps({"files": n, "rounds": rounds, "sides": sides, "rows": rows}))
        return 0
    print(f"{n} files of {HAM}, {rounds} round(s), fastest run of each side kept")
    print(f"stdlib parse      {reference * 1000:7.3f} ms/message  {1 / reference:7.1f} msg/s")
    for name, s in sides.items():
        print(
            f"{name:17} {s['per_message_ms']:7.3f} ms/message  {s['rate']:7.1f} msg/s  "
            f"ratio {s['ratio']:.2f}  (start-up {s['startup_s']:.2f} s CPU; whole run "
            f"{s['whole_s']:.2f} s CPU, {s['wall_s']:.1f} s wall with attachments)"
        )
    print(f"goal: ratio <= {GOAL}: {'met' if now['ratio'] <= GOAL else 'not met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
