"""``caveat scan``: analyse .eml files, mbox files and folders, oldest message first.

Two passes keep memory flat on large inputs: the first reads only each message's Date to
put them in order, the second analyses them one at a time through one context, so that a
conversation's later messages are judged with what its earlier ones showed.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from caveat.checks.findings import LEVELS
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.mail.errors import InputError
from caveat.mail.normalise import from_raw, split_headers
from caveat.service.analysis import Analyzer
from caveat.service.settings import SettingsError
from caveat.storage.store import StorageError

from .common import add_db_option
from .database import open_store
from .partners import load_directory

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scan",
        help="analyse .eml files, mbox files or folders",
        description="Analyse messages oldest first by their Date header. Exit code 0 "
        "whatever the verdicts; non-zero only when input could not be read.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml file, mbox file or folder")
    p.add_argument(
        "--directory",
        metavar="PARTNERS.csv",
        type=Path,
        help="partner directory to load into the store",
    )
    p.add_argument(
        "--internal-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="the organisation's own mail domain (repeatable)",
    )
    p.add_argument(
        "--trust-authserv-id",
        action="append",
        default=[],
        metavar="ID",
        help="trust Authentication-Results written by this authserv-id (repeatable)",
    )
    p.add_argument(
        "--trust-microsoft",
        action="store_true",
        help="trust Exchange Online's unlabelled Authentication-Results",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per message per line")
    add_db_option(p, "default for scan: a throw-away in-memory store")
    p.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Located:
    """Where one message lives: a file, or a message inside an mbox."""

    path: Path
    index: int | None  # position in an mbox, None for a single-message file
    key: str | None = None

    @property
    def source(self) -> str:
        return str(self.path) if self.index is None else f"{self.path}#{self.index}"


class Reader:
    """Finds messages under the given paths and reads them back by location."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.failures = 0
        self._mboxes: dict[Path, mailbox.mbox] = {}

    def fail(self, where: str, why: str) -> None:
        self.failures += 1
        print(f"caveat scan: {where}: {why}", file=self.err)

    def locate(self, paths: list[str]) -> Iterator[Located]:
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                found = sorted(p for p in path.rglob("*.eml") if p.is_file())
                if not found:
                    self.fail(raw, "no .eml files in this folder")
                for p in found:
                    yield Located(p, None)
            elif path.is_file():
                yield from self._locate_file(path)
            else:
                self.fail(raw, "no such file or folder")

    def _locate_file(self, path: Path) -> Iterator[Located]:
        try:
            with path.open("rb") as fh:
                head = fh.read(5)
        except OSError as exc:
            self.fail(str(path), exc.strerror or str(exc))
            return
        if head != b"From ":
            yield Located(path, None)
            return
        try:
            box = mailbox.mbox(path, create=False)
            keys = list(box.iterkeys())
        except (OSError, mailbox.Error) as exc:
            self.fail(str(path), f"cannot read as mbox: {exc}")
            return
        self._mboxes[path] = box
        for i, key in enumerate(keys):
            yield Located(path, i, key)

    def read(self, loc: Located) -> bytes | None:
        try:
            if loc.key is None:
                return loc.path.read_bytes()
            return self._mboxes[loc.path].get_bytes(loc.key)
        except (OSError, KeyError, mailbox.Error) as exc:
            self.fail(loc.source, f"cannot read: {exc}")
            return None

    def close(self) -> None:
        for box in self._mboxes.values():
            box.close()


def _date_of(data: bytes) -> datetime:
    from email.utils import parsedate_to_datetime

    end = data.find(b"\n\n")
    end2 = data.find(b"\r\n\r\n")
    cut = min(x for x in (end, end2, len(data)) if x >= 0)
    headers = split_headers(data[: min(cut, 256 * 1024)].decode("utf-8", "replace"))
    for name, value in headers:
        if name == "date":
            try:
                d = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError, OverflowError):
                return _FAR_FUTURE
            return d if d.tzinfo else d.replace(tzinfo=UTC)
    return _FAR_FUTURE


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.directory is not None and not os.access(args.directory, os.R_OK):
        print(f"caveat scan: {args.directory}: cannot read the partner directory", file=err)
        return 2
    config = EngineConfig.build(
        internal_domains=args.internal_domain,
        trusted_authserv_ids=args.trust_authserv_id,
        trust_microsoft=args.trust_microsoft,
    )
    try:
        store = open_store(args.db or "sqlite://")
    except (SettingsError, StorageError) as exc:
        print(f"caveat scan: {exc}", file=err)
        return 2
    try:
        if args.directory is not None:
            if not load_directory(store, args.directory, err, prog="caveat scan"):
                return 2
        analyzer = Analyzer(Engine(), config, store)
        return _scan(args, analyzer, out, err)
    except StorageError as exc:
        print(f"caveat scan: {exc}", file=err)
        return 2
    finally:
        store.dispose()


def _scan(args: argparse.Namespace, analyzer: Analyzer, out: TextIO, err: TextIO) -> int:
    config = analyzer.config
    reader = Reader(err)
    try:
        located = list(reader.locate(args.paths))
        order: list[tuple[datetime, int, Located]] = []
        for seq, loc in enumerate(located):
            data = reader.read(loc)
            if data is not None:
                order.append((_date_of(data), seq, loc))
        order.sort(key=lambda t: (t[0], t[1]))
        progress = _Progress(err, len(order), enabled=not args.json and err.isatty())
        levels: Counter[str] = Counter()
        flagged: list[tuple[str, str, list[str]]] = []
        for _, _, loc in order:
            progress.step()
            data = reader.read(loc)
            if data is None:
                continue
            try:
                facts = from_raw(data, config.limits)
            except InputError as exc:
                reader.fail(loc.source, exc.message)
                continue
            # Memory timestamps follow the messages' own order (they are read oldest first).
            verdict = analyzer.analyze(facts, now=_clock(facts))
            levels[verdict.level] += 1
            if args.json:
                record = {
                    "source": loc.source,
                    "message_id": facts.message_id,
                    "date": facts.date.isoformat() if facts.date else None,
                    **verdict.to_dict(),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif verdict.level in ("caution", "danger"):
                flagged.append((verdict.level, loc.source, [f.id for f in verdict.findings]))
        progress.done()
    finally:
        reader.close()
    if not args.json:
        _summary(out, levels, flagged)
    return 1 if reader.failures else 0


def _clock(facts: object) -> datetime:
    """When the scan "sees" a message: its Date when plausible, else now."""
    now = datetime.now(UTC)
    date = getattr(facts, "date", None)
    if isinstance(date, datetime) and date <= now:
        return date.astimezone(UTC)
    return now


def _summary(out: TextIO, levels: Counter[str], flagged: list[tuple[str, str, list[str]]]) -> None:
    total = sum(levels.values())
    for level, source, ids in flagged:
        out.write(f"{level:<8} {source}  {', '.join(ids)}\n")
    if flagged:
        out.write("\n")
    parts = [f"{levels[lv]} {lv}" for lv in LEVELS]
    out.write(f"{total} messages: {', '.join(parts)}\n")


class _Progress:
    def __init__(self, err: TextIO, total: int, *, enabled: bool) -> None:
        self.err = err
        self.total = total
        self.enabled = enabled and total >= 50
        self.count = 0

    def step(self) -> None:
        self.count += 1
        if self.enabled and (self.count % 25 == 0 or self.count == self.total):
            width = 30
            filled = width * self.count // max(self.total, 1)
            bar = "#" * filled + "-" * (width - filled)
            self.err.write(f"\r[{bar}] {self.count}/{self.total}")
            self.err.flush()

    def done(self) -> None:
        if self.enabled:
            self.err.write("\n")
