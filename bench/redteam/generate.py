"""Write the red-team set: every .eml, its expect file, partners.csv.

    .venv/bin/python bench/redteam/generate.py

Needs the dev tools fpdf2, python-docx and Pillow (pyproject's dev extras) for the
attachments. Removes the .eml and .toml files it wrote before under attack/ and legit/,
then writes them again; the output is the same bytes on every run.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _attacks_1_2  # noqa: E402
import _attacks_3_4  # noqa: E402
import _attacks_5_c  # noqa: E402
import _legit_1_3  # noqa: E402
import _legit_4_7  # noqa: E402
from _build import ENTRIES  # noqa: E402
from _mail import render  # noqa: E402
from _world import partners_csv  # noqa: E402


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def main() -> int:
    for mod in (_attacks_1_2, _attacks_3_4, _attacks_5_c, _legit_1_3, _legit_4_7):
        mod.build()
    for top in ("attack", "legit"):
        shutil.rmtree(HERE / top, ignore_errors=True)
    seen: set[str] = set()
    for e in ENTRIES:
        if e.path in seen:
            raise SystemExit(f"duplicate path {e.path}")
        seen.add(e.path)
        eml = HERE / f"{e.path}.eml"
        eml.parent.mkdir(parents=True, exist_ok=True)
        eml.write_text(render(e.mail, e.path), encoding="utf-8", newline="\n")
        lines = [
            f"class = {toml_str(e.cls)}",
            f"kind = {toml_str(e.kind)}",
            f"deserved = {toml_str(e.deserved)}",
            f"why = {toml_str(e.why)}",
        ]
        if e.context:
            lines.append("context = true")
        (HERE / f"{e.path}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "partners.csv").write_text(partners_csv(), encoding="utf-8")
    counts = Counter((e.cls, e.kind) for e in ENTRIES if not e.context)
    ctx = sum(1 for e in ENTRIES if e.context)
    for cls in ("attack", "legit"):
        per = ", ".join(f"{k} {n}" for (c, k), n in sorted(counts.items()) if c == cls)
        total = sum(n for (c, _), n in counts.items() if c == cls)
        print(f"{cls}: {total} ({per})")
    print(f"thread context messages: {ctx}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
