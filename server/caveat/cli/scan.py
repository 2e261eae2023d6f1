"""``caveat scan``: analyse .eml files, mbox files and folders, oldest message first.

Two passes keep memory flat on large inputs: the first reads only each message's Date to
put them in order, the second analyses them one at a time through one context, so that a
conversation's later messages are judged with what its earlier ones showed. Without
``--db``, that conversation memory is :class:`~caveat.knowledge.process_memory.
ProcessMemory`, kept in this process and gone when it ends; with ``--db URL`` it is the
database's, as the service's. On a terminal,
stderr shows a progress bar for each pass; nothing of it is written anywhere else.

Every input gets exactly one line on stdout, in the order analysed (oldest Date first;
messages without a readable Date, and inputs that could not be read, last in the order
found):

- a message analysed: its verdict (``--json``: ``source``, ``message_id``, ``date``,
  ``level``, ``findings``, ...);
- a message analysed in part, because it is over a limit that can be met by reading less
  (more recipients than the limit: the first ones are kept; a body longer than the body
  limit: its start is read): its verdict, with ``partial``, a list naming each cut in plain
  words. ``partial`` is absent when the whole message was read;
- an input that cannot be analysed (missing or unreadable file, a folder without .eml
  files, an mbox entry or file that is not a message, a message over a size limit):
  ``{"source": ..., "error": {"code": ..., "message": ...}}``. Such an input counts as input
  that could not be read: the exit code is then 1, and every other input is still analysed.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from tqdm import tqdm

from caveat.checks.findings import LEVELS
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.errors import InputError
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw, split_headers
from caveat.service.analysis import Analyzer
from caveat.service.settings import SettingsError
from caveat.storage.store import StorageError

from .common import add_db_option, count, open_store
from .partners import load_directory
from .people import load_people

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
#: The date pass reads a file up to its blank line, in chunks of this many bytes, and
#: never more than the header block :func:`_date_of` reads.
_HEAD_CHUNK = 16 * 1024
_HEAD_BYTES = 256 * 1024
_T = TypeVar("_T")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scan",
        help="analyse .eml files, mbox files or folders",
        description="Analyse messages oldest first by their Date header; one line per input "
        "on stdout (a verdict, a verdict analysed in part, or an error), progress on stderr "
        "when it is a terminal. Exit code 0 whatever the verdicts; 1 when an input could not "
        "be read or analysed (missing, unreadable, not a message, over a size limit).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml file, mbox file or folder")
    p.add_argument(
        "--directory",
        metavar="PARTNERS.csv",
        type=Path,
        help="partner directory to load into the store",
    )
    p.add_argument(
        "--people",
        metavar="PEOPLE.csv",
        type=Path,
        help="people directory (employees, executives) to load into the store",
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
    p.add_argument("--json", action="store_true", help="one JSON object per input per line")
    add_db_option(p, "default for scan: a throw-away in-memory store")
    p.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an input cannot be analysed: a stable code and a sentence."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Located:
    """Where one message lives (a file, or a message inside an mbox), or an input that
    turned out not to be readable, with why."""

    path: Path
    index: int | None  # position in an mbox, None for a single-message file
    key: str | None = None
    problem: Problem | None = None

    @property
    def source(self) -> str:
        return str(self.path) if self.index is None else f"{self.path}#{self.index}"


class Reader:
    """Finds messages under the given paths and reads them back by location. An input that
    cannot be read is located too, carrying its problem, so that it gets its line."""

    def __init__(self) -> None:
        self._mboxes: dict[Path, mailbox.mbox] = {}

    def locate(self, paths: list[str]) -> Iterator[Located]:
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                # A dangling link named .eml is an input that cannot be read, and says so
                # rather than vanishing; other special files (a FIFO would block) are not mail.
                found = sorted(p for p in path.rglob("*.eml") if p.is_file() or _dangling(p))
                if not found:
                    yield Located(
                        path, None, problem=Problem("no_messages", "no .eml files in this folder")
                    )
                for p in found:
                    yield Located(p, None)
            elif path.is_file():
                yield from self._locate_file(path)
            else:
                yield Located(path, None, problem=Problem("not_found", "no such file or folder"))

    def _locate_file(self, path: Path) -> Iterator[Located]:
        try:
            with path.open("rb") as fh:
                head = fh.read(5)
        except OSError as exc:
            yield Located(path, None, problem=_unreadable(exc))
            return
        if head != b"From ":
            yield Located(path, None)
            return
        try:
            box = mailbox.mbox(path, create=False)
            keys = list(box.iterkeys())
        except (OSError, mailbox.Error) as exc:
            yield Located(path, None, problem=Problem("unreadable", f"cannot read as mbox: {exc}"))
            return
        self._mboxes[path] = box
        for i, key in enumerate(keys):
            yield Located(path, i, key)

    def read(self, loc: Located) -> bytes | Problem:
        try:
            if loc.key is None:
                return loc.path.read_bytes()
            return self._mboxes[loc.path].get_bytes(loc.key)
        except OSError as exc:
            return _unreadable(exc)
        except (KeyError, mailbox.Error) as exc:
            return Problem("unreadable", f"cannot read: {exc}")

    def head(self, loc: Located) -> bytes | Problem:
        """The start of a message, all :func:`_date_of` reads of it: a file is read up to
        the end of its header block or a little past :data:`_HEAD_BYTES`; an mbox entry
        whole."""
        if loc.key is not None:
            return self.read(loc)
        try:
            with loc.path.open("rb") as fh:
                data = b""
                # 4 bytes past the limit: a blank line that starts before it is seen whole
                while len(data) < _HEAD_BYTES + 4:
                    chunk = fh.read(_HEAD_CHUNK)
                    if not chunk:
                        break
                    # the blank line may straddle two chunks: look back a few bytes
                    seen = max(0, len(data) - 3)
                    data += chunk
                    if data.find(b"\n\n", seen) >= 0 or data.find(b"\r\n\r\n", seen) >= 0:
                        break
                return data
        except OSError as exc:
            return _unreadable(exc)

    def close(self) -> None:
        for box in self._mboxes.values():
            box.close()


def _dangling(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def _unreadable(exc: OSError) -> Problem:
    return Problem("unreadable", f"cannot read: {exc.strerror or exc}")


def _date_of(data: bytes) -> datetime:
    from email.utils import parsedate_to_datetime

    end = data.find(b"\n\n")
    end2 = data.find(b"\r\n\r\n")
    cut = min(x for x in (end, end2, len(data)) if x >= 0)
    headers = split_headers(data[: min(cut, _HEAD_BYTES)].decode("utf-8", "replace"))
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
        if args.people is not None:
            if not load_people(store, args.people, err, prog="caveat scan"):
                return 2
        # Without --db the conversation memory lives in this process's dictionaries (the
        # same answers as the database's, at a fraction of the cost); the in-memory store
        # then holds only the partner directory.
        memory = ProcessMemory() if args.db is None else None
        analyzer = Analyzer(Engine(), config, store, memory=memory)
        return _scan(args, analyzer, out, err)
    except StorageError as exc:
        print(f"caveat scan: {exc}", file=err)
        return 2
    finally:
        store.dispose()


def _scan(args: argparse.Namespace, analyzer: Analyzer, out: TextIO, err: TextIO) -> int:
    config = analyzer.config
    progress = Progress(err, enabled=_is_terminal(err))
    # Each error is also named on stderr, unless stdout is a terminal that already shows it.
    tell = None if _is_terminal(out) else err
    report: Report = JsonReport(out, progress) if args.json else HumanReport(out, progress)
    reader = Reader()
    try:
        located = list(reader.locate(args.paths))
        order: list[tuple[datetime, int, Located]] = []
        for seq, loc in enumerate(progress.over(located, "reading dates")):
            date = _FAR_FUTURE
            if loc.problem is None:
                data = reader.head(loc)
                if isinstance(data, Problem):
                    loc = replace(loc, problem=data)
                else:
                    date = _date_of(data)
            order.append((date, seq, loc))
        order.sort(key=lambda t: (t[0], t[1]))
        for loc in progress.over([entry[2] for entry in order], "analysing"):
            problem = loc.problem
            if problem is None:
                data = reader.read(loc)
                if isinstance(data, Problem):
                    problem = data
                else:
                    try:
                        facts = from_raw(data, config.limits, cut_recipients=True)
                    except InputError as exc:
                        problem = Problem(exc.code, exc.message)
                    else:
                        # Memory timestamps follow the messages' own order (oldest first).
                        verdict = analyzer.analyze(facts, now=_clock(facts))
                        report.verdict(loc.source, facts, verdict.to_dict())
                        continue
            report.error(loc.source, problem)
            if tell is not None:
                progress.write(tell, f"caveat scan: {loc.source}: {problem.message}\n")
    finally:
        reader.close()
    report.finish()
    return 1 if report.errors else 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _clock(facts: object) -> datetime:
    """When the scan "sees" a message: its Date when plausible, else now."""
    now = datetime.now(UTC)
    date = getattr(facts, "date", None)
    if isinstance(date, datetime) and date <= now:
        return date.astimezone(UTC)
    return now


class _Bar(tqdm):  # type: ignore[misc]
    monitor_interval = 0  # no background thread: the bar is redrawn as items pass


class Progress:
    """A tqdm bar on ``err`` for each pass when ``enabled`` (stderr is a terminal); when not,
    nothing at all is written. Lines written through :meth:`write` clear the bar first."""

    def __init__(self, err: TextIO, *, enabled: bool) -> None:
        self.err = err
        self.enabled = enabled
        self._bar: Any = None

    def over(self, items: list[_T], what: str) -> Iterator[_T]:
        if not self.enabled:
            yield from items
            return
        # A terminal that reports no width (some pseudo-terminals) gets 80 columns, not none.
        sized = _width(self.err) > 0
        bar = _Bar(
            items,
            desc=what,
            unit="msg",
            file=self.err,
            leave=False,
            dynamic_ncols=sized,
            ncols=None if sized else 80,
            nrows=None if sized else 24,
        )
        self._bar = bar
        try:
            yield from bar
        finally:
            self._bar = None
            bar.close()

    def write(self, stream: TextIO, text: str) -> None:
        bar = self._bar
        if bar is None or not _is_terminal(stream):
            stream.write(text)
            return
        bar.clear()
        stream.write(text)
        stream.flush()
        bar.refresh()


class Report:
    """Writes one line per input to stdout and counts them."""

    def __init__(self, out: TextIO, progress: Progress) -> None:
        self.out = out
        self.progress = progress
        self.levels: Counter[str] = Counter()
        self.partial = 0
        self.errors = 0

    def verdict(self, source: str, facts: Facts, result: dict[str, Any]) -> None:
        """A message analysed; ``result`` is its verdict as a dict (level, findings, ...)."""
        self.levels[result["level"]] += 1
        self.partial += bool(facts.cuts)
        self.progress.write(self.out, self._verdict_line(source, facts, result))

    def error(self, source: str, problem: Problem) -> None:
        """An input that could not be analysed."""
        self.errors += 1
        self.progress.write(self.out, self._error_line(source, problem))

    def _verdict_line(self, source: str, facts: Facts, result: dict[str, Any]) -> str:
        raise NotImplementedError

    def _error_line(self, source: str, problem: Problem) -> str:
        raise NotImplementedError

    def finish(self) -> None:
        """Anything written after the last input."""


class JsonReport(Report):
    """One JSON object per line: the verdict (with ``partial`` when cut) or ``error``."""

    def _verdict_line(self, source: str, facts: Facts, result: dict[str, Any]) -> str:
        record = {
            "source": source,
            "message_id": facts.message_id,
            "date": facts.date.isoformat() if facts.date else None,
            **result,
        }
        if facts.cuts:
            record["partial"] = list(facts.cuts)
        return json.dumps(record, ensure_ascii=False) + "\n"

    def _error_line(self, source: str, problem: Problem) -> str:
        record = {"source": source, "error": {"code": problem.code, "message": problem.message}}
        return json.dumps(record, ensure_ascii=False) + "\n"


class HumanReport(Report):
    """A line per input (level, source, finding ids, what was cut; or the error), then a
    summary that counts the levels, the messages analysed in part and the errors."""

    def _verdict_line(self, source: str, facts: Facts, result: dict[str, Any]) -> str:
        line = f"{result['level']:<8} {source}"
        ids = [f["id"] for f in result.get("findings", ())]
        if ids:
            line += f"  {', '.join(ids)}"
        if facts.cuts:
            line += f"  [analysed in part: {'; '.join(facts.cuts)}]"
        return line + "\n"

    def _error_line(self, source: str, problem: Problem) -> str:
        return f"{'error':<8} {source}  could not be analysed: {problem.message} ({problem.code})\n"

    def finish(self) -> None:
        analysed = sum(self.levels.values())
        parts = ", ".join(f"{self.levels[lv]} {lv}" for lv in LEVELS)
        gap = "\n" if analysed or self.errors else ""
        self.out.write(
            f"{gap}{count(analysed, 'message')}: {parts}; {self.partial} analysed in part; "
            f"{self.errors} could not be analysed\n"
        )
