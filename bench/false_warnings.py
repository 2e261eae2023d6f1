"""False-warning rate: `caveat scan --json` over ../shared/corpus/ham, per dataset.

    .venv/bin/python bench/false_warnings.py [--show] [extra scan options ...]

Prints, per dataset, how many messages reached each level and the share at `caution` or
above; with --show, every such message with its finding ids, so each can be explained.
Inputs that `caveat scan` could not analyse (its error lines) are counted apart, by code,
and never as a level; messages analysed in part are counted too.
Also runs the spam and phishing sets for contrast (they are not BEC, so low numbers there
are expected). Exit code 0; the regression test with the same threshold is
tests/test_corpus_rates.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LOUD = ("caution", "danger")


def scan_all(folder: Path, extra: list[str]) -> tuple[list[dict], list[dict]]:
    """The verdict lines and the error lines of `caveat scan --json` over ``folder``."""
    exe = shutil.which("caveat", path=str(Path(sys.executable).parent)) or "caveat"
    done = subprocess.run(
        [exe, "scan", "--json", *extra, str(folder)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):
        sys.exit(f"caveat scan failed on {folder}: {done.stderr}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [r for r in lines if "error" not in r], [r for r in lines if "error" in r]


def scan(folder: Path, extra: list[str]) -> list[dict]:
    """The verdicts only; inputs that could not be analysed are counted on stderr."""
    records, errors = scan_all(folder, extra)
    if errors:
        print(f"{folder.name}: {describe(errors)}", file=sys.stderr)
    return records


def describe(errors: list[dict]) -> str:
    """How many inputs could not be analysed, by error code."""
    codes = Counter(r["error"]["code"] for r in errors)
    by_code = ", ".join(f"{code} {n}" for code, n in sorted(codes.items()))
    return f"{len(errors)} could not be analysed" + (f" ({by_code})" if by_code else "")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="list every message at caution+")
    args, extra = ap.parse_known_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    total = loud_total = 0
    print(
        f"{'dataset':32} {'messages':>8} {'none':>6} {'info':>6} {'caution':>8} "
        f"{'danger':>7} {'caution+':>9}"
    )
    for kind in ("ham", "spam"):
        for folder in sorted((CORPUS / kind).iterdir()):
            if not folder.is_dir():
                continue
            records, errors = scan_all(folder, extra)
            levels = Counter(r["level"] for r in records)
            loud = [r for r in records if r["level"] in LOUD]
            share = 100 * len(loud) / max(1, len(records))
            if kind == "ham":
                total += len(records)
                loud_total += len(loud)
            print(
                f"{kind + '/' + folder.name:32} {len(records):8} {levels['none']:6} "
                f"{levels['info']:6} {levels['caution']:8} {levels['danger']:7} "
                f"{share:8.2f}%"
            )
            partial = sum(1 for r in records if r.get("partial"))
            if errors or partial:
                print(f"    {describe(errors)}; {partial} analysed in part")
            if args.show and kind == "ham":
                for r in loud:
                    ids = ", ".join(f["id"] for f in r["findings"])
                    print(f"    {r['level']:8} {Path(r['source']).name}  {ids}")
    print(
        f"{'ham overall':32} {total:8} {'':6} {'':6} {'':8} {'':7} "
        f"{100 * loud_total / max(1, total):8.2f}%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
