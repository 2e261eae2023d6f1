"""Every figure of the service's speed and scale in one run: each bench below in turn, each
comparing its two sides (the code before and after, or this code and a reference) itself,
alternately, on this machine; then one table of the figures, their goals and whether they
are met.

    .venv/bin/python bench/load_figures.py [--baseline DIR] [--quick] [--only NAME ...]
        [--json]

``--baseline DIR`` is another checkout of the project (``git worktree add /tmp/base
<commit>``), handed to every bench as the older side (as its commit to the one that
exports the commit itself); without it each bench uses its own default older side or
reference (a bare standard-library parse, a 1k directory). ``--quick``
asks every bench for its short mode (each under a minute or so); the full run takes about
half an hour on two CPUs.

The benches, each runnable on its own (see its docstring):

  http        bench/http_throughput.py   analyze req/s / healthz req/s over HTTP
  memory      bench/memory_path.py       SQL statements and time of the memory per analyze
  engine      bench/engine_time.py       engine p50 / p99 per message on the corpus
  scan        bench/scan_cost.py         caveat scan CPU / a bare stdlib parse
  directory   bench/directory_load.py    partner import, worker memory, GC pause at 100k
  lookalike   bench/lookalike_precision.py  look-alike warnings with a dense 100k directory

A bench that fails or is missing is reported as such; the others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: name -> (script, how it is told the older code: "dir" for ``--baseline DIR``, "commit"
#: for ``--base COMMIT``)
BENCHES: dict[str, tuple[str, str]] = {
    "http": ("http_throughput.py", "dir"),
    "memory": ("memory_path.py", "dir"),
    "engine": ("engine_time.py", "dir"),
    "scan": ("scan_cost.py", "dir"),
    "directory": ("directory_load.py", "commit"),
    "lookalike": ("lookalike_precision.py", "dir"),
}


def run_bench(name: str, args: argparse.Namespace) -> dict[str, Any]:
    script, baseline_as = BENCHES[name]
    path = HERE / script
    if not path.is_file():
        return {"name": name, "error": f"{script} is missing"}
    argv = [sys.executable, str(path), "--json"]
    if args.quick:
        argv.append("--quick")
    if args.baseline is not None:
        if baseline_as == "dir":
            argv += ["--baseline", str(args.baseline)]
        else:
            commit = subprocess.run(
                ["git", "-C", str(args.baseline), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            argv += ["--base", commit]
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"name": name, "error": f"did not finish within {args.timeout} s"}
    seconds = time.monotonic() - started
    if done.returncode != 0 and not done.stdout.strip():
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return {"name": name, "error": f"exit {done.returncode}: {tail}", "seconds": seconds}
    try:
        # the JSON object is the last line that parses (a bench may print progress first)
        found = None
        for line in reversed(done.stdout.strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                found = json.loads(line)
                break
        if found is None:
            found = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"name": name, "error": "its output is not JSON", "seconds": seconds}
    return {"name": name, "rows": found.get("rows", []), "seconds": seconds}


def _show(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and unit != "ratio" else text


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--baseline", type=Path, help="a checkout of the code to compare against")
    ap.add_argument("--quick", action="store_true", help="every bench in its short mode")
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per bench (default 1800)")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = ap.parse_args()
    if args.baseline is not None and not (args.baseline / "server" / "caveat").is_dir():
        ap.error(f"--baseline {args.baseline}: no server/caveat there")
    names = args.only or list(BENCHES)
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run_bench(name, args))
    if args.json:
        print(json.dumps({"benches": results}))
        return 0
    print("| bench | figure | before | after | goal | met |")
    print("|---|---|---:|---:|---|---|")
    missed = 0
    for r in results:
        if "error" in r:
            print(f"| {r['name']} | (not measured: {r['error']}) | | | | |")
            missed += 1
            continue
        for row in r["rows"]:
            unit = row.get("unit", "")
            met = row.get("met")
            missed += met is False
            print(
                f"| {r['name']} | {row.get('figure', '?')} | {_show(row.get('before'), unit)} "
                f"| {_show(row.get('after'), unit)} | {row.get('goal', '')} "
                f"| {'yes' if met else 'no' if met is False else '?'} |"
            )
    took = ", ".join(f"{r['name']} {r.get('seconds', 0):.0f} s" for r in results)
    print(f"\n({took})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
