"""bank_details_change over the public corpus: false warnings on ham, detections on spam.

    .venv/bin/python bench/bank_details.py [--show] [extra scan options ...]

Runs `caveat scan --json` over every dataset of ../shared/corpus/ham and ../shared/corpus/spam
and counts, per dataset, the messages with a bank_details_change finding: at caution or
above (a false warning on ham), and at info. With --show, every ham message with a
caution-or-above bank finding, and every spam detection, with the request passages quoted
(the corpus is public; nothing of it is written anywhere).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from false_warnings import CORPUS, scan

FAMILY = "bank_details_change"
LOUD = ("caution", "danger")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="list each loud ham and each spam hit")
    args, extra = ap.parse_known_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    print(f"{'dataset':32} {'messages':>8} {'caution+':>9} {'info':>6}  ids")
    totals: dict[str, Counter[str]] = {"ham": Counter(), "spam": Counter()}
    for kind in ("ham", "spam"):
        for folder in sorted((CORPUS / kind).iterdir()):
            if not folder.is_dir():
                continue
            records = scan(folder, extra)
            loud = info = 0
            ids: Counter[str] = Counter()
            for r in records:
                mine = [f for f in r["findings"] if f["check"] == FAMILY]
                if not mine:
                    continue
                ids.update(f["id"] for f in mine)
                if any(f["severity"] in LOUD for f in mine):
                    loud += 1
                    if args.show:
                        print(f"  {r['source']}: {r['level']} {[f['id'] for f in mine]}")
                        for f in mine:
                            for e in f["evidence"]:
                                if e["header"] in ("Request", "Account", "Urgency", "Secrecy"):
                                    print(f"      {e['header']}: {e['value']}")
                else:
                    info += 1
            totals[kind].update(messages=len(records), loud=loud, info=info)
            share = 100 * loud / max(1, len(records))
            print(
                f"{folder.name:32} {len(records):8d} {loud:5d} {share:5.2f}% {info:4d}  "
                f"{dict(sorted(ids.items()))}"
            )
    for kind, t in totals.items():
        share = 100 * t["loud"] / max(1, t["messages"])
        what = "false warnings" if kind == "ham" else "detections"
        print(f"{kind}: {t['loud']} of {t['messages']} at caution or above ({share:.2f} %, {what})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
