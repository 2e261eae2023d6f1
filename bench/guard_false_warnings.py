"""Send-time recipient guard on legitimate mail: how often does answering it warn?

    .venv/bin/python bench/guard_false_warnings.py [--limit N] [--addresses]

For each dataset under ../shared/corpus/ham (and, reported apart, ../shared/corpus/spam),
the messages go oldest first through one :class:`Analyzer` with a throw-away in-memory
store, as ``caveat scan`` does for bench/false_warnings.py. Right after each message is
analysed (and remembered), the user answers it with Reply-all, and the draft goes through
``Analyzer.check_recipients`` as the add-in would send it:

  * the user (the draft's From) is the message's first To address, the mailbox owner;
    messages without a To are skipped. When that first To is where the reply goes (a
    list post sent To the list with Reply-To the list), it is the list, not the owner:
    the owner is then the mailbox the message was delivered to (Delivered-To, else
    X-Original-To), so that the list stays in the draft as a real Reply-all keeps it;
  * the draft is addressed to the Reply-To if the message has one (that is where Reply
    goes, a mailing list's address included), else to the From, plus the other To and
    Cc addresses; the user's own address is left out;
  * the conversation id is the one the analysis used (raw files carry none, so the
    guard finds the thread by its subject, "RE: " and the original subject).

The guard sees the draft at the message's own Date, so the memory is what it was then.
Prints drafts per level and the share at caution or above per dataset, an overall line
for ham, and every finding id seen in a caution+ verdict with up to five example sources
and their evidence. Addresses in the evidence are shortened to their first letter and
domain (real people's addresses: nothing here is to be copied or logged), unless
``--addresses`` is given. Exit code 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from caveat.cli.database import open_store
from caveat.engine.engine import Engine
from caveat.engine.guard import GuardVerdict, Outgoing
from caveat.knowledge.context import EngineConfig
from caveat.mail.errors import InputError
from caveat.mail.facts import Address, Facts
from caveat.mail.normalise import addresses_from_header, from_raw
from caveat.service.analysis import Analyzer

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LOUD = ("caution", "danger")
EXAMPLES = 5
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
_ADDRESS = re.compile(r"([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")


@dataclass
class Tally:
    """Guard verdicts over one dataset."""

    name: str
    kind: str
    messages: int = 0
    skipped: int = 0
    unreadable: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    owner_delivered: int = 0  # drafts whose user came from Delivered-To / X-Original-To
    #: finding id -> drafts at caution+ whose verdict carried it
    loud_ids: Counter[str] = field(default_factory=Counter)
    severity: dict[str, str] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def drafts(self) -> int:
        return sum(self.levels.values())

    @property
    def loud(self) -> int:
        return sum(self.levels[lv] for lv in LOUD)


def mailbox_owner(facts: Facts) -> tuple[Address, bool] | None:
    """Who answers: the first To, or the delivery address when the first To is where the
    reply goes; and whether the delivery address was used. None without a To."""
    if not facts.to:
        return None
    first = facts.to[0]
    targets = {a.address for a in facts.reply_to or facts.from_}
    if first.address not in targets:
        return first, False
    for value in (*facts.header("delivered-to"), *facts.header("x-original-to")):
        m = _ADDRESS.search(value)
        found = addresses_from_header([m.group(0)]) if m else ()
        if found and found[0].domain and found[0].address not in targets:
            return found[0], True
    return first, False


def reply_all(facts: Facts, user: Address) -> Outgoing:
    """The draft a Reply-all to this message by ``user`` starts as."""
    target = facts.reply_to or facts.from_

    def others(addresses: tuple[Address, ...]) -> list[Address]:
        return [a for a in addresses if a.address != user.address]

    subject = facts.subject.strip()
    return Outgoing.build(
        user=user,
        to=[*others(target), *others(facts.to)],
        cc=others(facts.cc),
        subject=f"RE: {subject}" if subject else "RE:",
        conversation_id=facts.conversation_id,
    )


def clock(facts: Facts) -> datetime:
    """When the message is "seen" (and answered): its Date when plausible, else now."""
    now = datetime.now(UTC)
    if facts.date is not None and facts.date <= now:
        return facts.date.astimezone(UTC)
    return now


def in_date_order(folder: Path, tally: Tally) -> list[tuple[str, Facts]]:
    """The folder's messages as facts, oldest first (undated ones last, in name order)."""
    found = []
    for seq, path in enumerate(sorted(folder.glob("*.eml"))):
        try:
            facts = from_raw(path.read_bytes())
        except (OSError, InputError):
            tally.unreadable += 1
            continue
        date = facts.date if facts.date is not None else _FAR_FUTURE
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        found.append((date, seq, path.name, facts))
    found.sort(key=lambda t: (t[0], t[1]))
    return [(name, facts) for _, _, name, facts in found]


def shorten(text: str) -> str:
    return _ADDRESS.sub(lambda m: f"{m.group(1)[:1]}…@{m.group(2)}", text)


def describe(verdict: GuardVerdict, fid: str, show: bool) -> str:
    for f in verdict.verdict.findings:
        if f.id == fid:
            text = "; ".join(f"{e.header}: {e.value}" for e in f.evidence)
            return text if show else shorten(text)
    return ""


def run_dataset(folder: Path, kind: str, limit: int | None, show: bool) -> Tally:
    tally = Tally(folder.name, kind)
    messages = in_date_order(folder, tally)
    if limit is not None:
        messages = messages[:limit]
    store = open_store("sqlite://")
    try:
        analyzer = Analyzer(Engine(), EngineConfig.build(), store)
        for name, facts in messages:
            tally.messages += 1
            now = clock(facts)
            analyzer.analyze(facts, now=now)
            owner = mailbox_owner(facts)
            if owner is None:
                tally.skipped += 1
                continue
            user, delivered = owner
            draft = reply_all(facts, user)
            if not draft.recipients:
                tally.skipped += 1
                continue
            tally.owner_delivered += delivered
            verdict = analyzer.check_recipients(draft, now=now)
            tally.levels[verdict.level] += 1
            if verdict.level not in LOUD:
                continue
            for f in verdict.verdict.findings:
                tally.loud_ids[f.id] += 1
                tally.severity[f.id] = f.severity
                if len(tally.examples[f.id]) < EXAMPLES:
                    where = f"{kind}/{folder.name}/{name}"
                    why = describe(verdict, f.id, show)
                    tally.examples[f.id].append(f"{where}  [{verdict.level}] {why}")
    finally:
        store.dispose()
    return tally


def row(label: str, drafts: int, levels: Counter[str], loud: int) -> str:
    share = 100 * loud / max(1, drafts)
    return (
        f"{label:32} {drafts:7} {levels['none']:6} {levels['info']:6} "
        f"{levels['caution']:8} {levels['danger']:7} {share:8.2f}%"
    )


def report_causes(title: str, tallies: list[Tally]) -> None:
    counts: Counter[str] = Counter()
    severity: dict[str, str] = {}
    examples: dict[str, list[str]] = defaultdict(list)
    for t in tallies:
        counts.update(t.loud_ids)
        severity.update(t.severity)
        for fid, lines in t.examples.items():
            room = EXAMPLES - len(examples[fid])
            examples[fid].extend(lines[:room])
    print(f"\n{title}: finding ids in caution+ verdicts")
    if not counts:
        print("    (none)")
        return
    for fid, n in counts.most_common():
        print(f"  {fid} ({severity[fid]}): {n} draft(s)")
        for line in examples[fid]:
            print(f"      {line}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="only the N oldest messages of each dataset (default: all of them)",
    )
    ap.add_argument(
        "--addresses",
        action="store_true",
        help="print addresses in the evidence in full (default: first letter and domain)",
    )
    args = ap.parse_args()
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be at least 1")
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}: nothing to measure", file=sys.stderr)
        return 0
    started = time.monotonic()
    header = (
        f"{'dataset':32} {'drafts':>7} {'none':>6} {'info':>6} {'caution':>8} "
        f"{'danger':>7} {'caution+':>9}"
    )
    print(header)
    by_kind: dict[str, list[Tally]] = {"ham": [], "spam": []}
    for kind in by_kind:
        root = CORPUS / kind
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            t = run_dataset(folder, kind, args.limit, args.addresses)
            by_kind[kind].append(t)
            print(row(f"{kind}/{t.name}", t.drafts, t.levels, t.loud))
        tallies = by_kind[kind]
        if tallies:
            levels: Counter[str] = Counter()
            for t in tallies:
                levels.update(t.levels)
            label = "ham overall" if kind == "ham" else "spam overall (detection)"
            print(row(label, sum(t.drafts for t in tallies), levels, sum(t.loud for t in tallies)))
    print()
    for kind, tallies in by_kind.items():
        for t in tallies:
            notes = [
                f"{t.messages} messages",
                f"{t.skipped} skipped (no To, or nobody to answer)",
                f"{t.owner_delivered} drafts sent as the Delivered-To mailbox",
            ]
            if t.unreadable:
                notes.append(f"{t.unreadable} unreadable")
            print(f"{kind}/{t.name}: " + ", ".join(notes))
    report_causes("ham (false warnings)", by_kind["ham"])
    report_causes("spam (detection, not BEC)", by_kind["spam"])
    print(f"\n{time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
