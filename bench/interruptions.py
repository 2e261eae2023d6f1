"""Interruptions per person per day: the legitimate corpus replayed as mailboxes, counting
what a mail client pushes in front of its user.

Each dataset of ../shared/corpus/ham is one person's mailbox. Its messages are analysed in
the order they were sent, on the service's path (the conversation memory, the repeated-
warning record and a signed-in reader), and laid out in working days of ``--per-day``
messages (120 by default: a busy inbox; the corpus's own dates are too sparse to make days
of). For every message the client's rule decides what the person sees:

  before   the rule until issue 20: a notification banner for every level but none, info
           notes included;
  now      a notification banner for caution and danger only; info is shown in the pane
           when the person opens it, never as a banner;
  summary  of the banners now, those that said "the same signs as on N earlier messages"
           instead of the level's text (the same caution from the same sender this week).

The level of every message is the same under every rule: only what interrupts changes. The
goal: at most 0.2 interruptions per person per working day on average (one a week), and
never more than 2 on one day, on legitimate mail.

    .venv/bin/python bench/interruptions.py [--per-day 120] [--limit N] [--show]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from caveat.cli.common import open_store
from caveat.cli.scan import _clock, _date_of
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.errors import InputError
from caveat.mail.normalise import from_raw
from caveat.service.analysis import Analyzer

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOAL_MEAN = 0.2
GOAL_MAX = 2


def mailbox(folder: Path, limit: int | None) -> list[bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    dated = []
    for i, p in enumerate(files):
        data = p.read_bytes()
        dated.append((_date_of(data[:65536]), i, data))
    dated.sort(key=lambda t: (t[0], t[1]))
    return [d for _, _, d in dated][:limit]


def replay(name: str, messages: list[bytes], per_day: int, show: bool) -> dict[str, object]:
    config = EngineConfig.build()
    store = open_store("sqlite://")
    try:
        analyzer = Analyzer(Engine(), config, store, memory=ProcessMemory())
        reader = f"reader@{name}"
        days: list[Counter[str]] = []
        levels: Counter[str] = Counter()
        for i, raw in enumerate(messages):
            if i % per_day == 0:
                days.append(Counter())
            day = days[-1]
            try:
                facts = from_raw(raw, config.limits, cut_recipients=True)
            except InputError:
                day["unreadable"] += 1
                continue
            verdict = analyzer.analyze(facts, now=_clock(facts), viewer=reader)
            levels[verdict.level] += 1
            if verdict.level != "none":
                day["before"] += 1
            if verdict.level in ("caution", "danger"):
                day["now"] += 1
                if verdict.repeat is not None:
                    day["summary"] += 1
                if show:
                    ids = ",".join(f.id for f in verdict.findings)
                    print(f"  {name} day {len(days)}: {verdict.level} {ids}", file=sys.stderr)
            elif verdict.level == "info":
                day["pane_only"] += 1
    finally:
        store.dispose()
    return {"name": name, "days": days, "levels": levels, "messages": len(messages)}


def summary(days: list[Counter[str]], key: str) -> tuple[float, int, int]:
    values = [d[key] for d in days] or [0]
    return statistics.fmean(values), max(values), sum(1 for v in values if v)


def row(name: str, messages: int, days: list[Counter[str]]) -> None:
    """One mailbox's line: mean / worst day / days with any, for each count."""
    cells = []
    for key in ("before", "now", "summary", "pane_only"):
        mean, worst, some = summary(days, key)
        cells.append(f"{mean:6.2f} / {worst:3d} / {some:3d}")
    print(f"{name:28} {messages:5d} {len(days):4d}  " + "  ".join(f"{c:>16}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-day", type=int, default=120, help="messages per working day")
    ap.add_argument("--limit", type=int, default=None, help="messages per mailbox at most")
    ap.add_argument("--show", action="store_true", help="name each interruption on stderr")
    args = ap.parse_args(argv)
    if not (CORPUS / "ham").is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    started = datetime.now(UTC)
    results = [
        replay(folder.name, mailbox(folder, args.limit), args.per_day, args.show)
        for folder in sorted((CORPUS / "ham").iterdir())
        if folder.is_dir()
    ]
    print(
        f"{args.per_day} messages per working day; "
        "per person per day: mean / worst day / days with any"
    )
    print(
        f"{'mailbox':28} {'msgs':>5} {'days':>4}  {'before (info too)':>20}  "
        f"{'now (caution+)':>16}  {'of which summary':>16}  {'info, pane only':>16}"
    )
    every: list[Counter[str]] = []
    for r in results:
        days = r["days"]
        assert isinstance(days, list)
        every.extend(days)
        row(str(r["name"]), int(str(r["messages"])), days)
    row("all", sum(int(str(r["messages"])) for r in results), every)
    mean, worst, _ = summary(every, "now")
    met = mean <= GOAL_MEAN and worst <= GOAL_MAX
    print(
        f"goal: mean <= {GOAL_MEAN} and worst day <= {GOAL_MAX} interruptions: "
        f"{'met' if met else 'NOT met'} (mean {mean:.3f}, worst {worst}); "
        f"{(datetime.now(UTC) - started).total_seconds():.0f} s"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
