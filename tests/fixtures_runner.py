"""Loads the .eml fixtures and their expectations (an expect.toml per folder)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.memory import EMPTY, MemorySnapshot, observe, participants
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import parse_people_csv
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.authres import trusted_auth
from caveat.mail.normalise import from_raw

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Case:
    path: Path
    expect: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def load_cases() -> list[Case]:
    cases = []
    for expect_file in sorted(FIXTURES.glob("*/expect.toml")):
        data = tomllib.loads(expect_file.read_text("utf-8"))
        config = data.pop("config", {})
        listed = set(data)
        present = {p.name for p in expect_file.parent.glob("*.eml")}
        if listed != present:
            raise AssertionError(
                f"{expect_file}: expectations and .eml files differ: {sorted(listed ^ present)}"
            )
        for name, expect in data.items():
            cases.append(Case(expect_file.parent / name, expect, config))
    return cases


def directory_of(case: Case, config: EngineConfig) -> Directory:
    """The folder's partner directory (``directory = "file.csv"`` in its [config], a path
    relative to the folder), with the configured internal domains."""
    name = case.config.get("directory")
    partners = ()
    if name:
        partners = parse_partners_csv((case.path.parent / name).read_bytes()).partners
    return Directory(partners, internal_domains=config.internal_domains, freemail=config.freemail)


def people_of(case: Case) -> People:
    """The folder's people directory (``people = "file.csv"`` in its [config])."""
    name = case.config.get("people")
    if not name:
        return People()
    return People(parse_people_csv((case.path.parent / name).read_bytes()).people)


#: a folder's history (``history = "sub-folder"`` in its [config]) is received this long
#: before its cases, one message a minute
HISTORY_DAYS = 30
_HISTORIES: dict[Path, ProcessMemory] = {}


def history_of(
    case: Case, config: EngineConfig, directory: Directory, now: datetime
) -> MemorySnapshot:
    """The conversation memory after the folder's history, as the service would have built
    it (each message analysed, then recorded: authenticated or not, unremarkable or not),
    and its snapshot for ``case``; no history: nothing remembered."""
    name = case.config.get("history")
    if not name:
        return EMPTY
    folder = (case.path.parent / name).resolve()
    memory = _HISTORIES.get(folder)
    if memory is None:
        memory = ProcessMemory()
        engine = Engine()
        at = now - timedelta(days=HISTORY_DAYS)
        for i, path in enumerate(sorted(folder.glob("*.eml"))):
            facts = from_raw(path.read_bytes())
            when = at + timedelta(minutes=i)
            snap = memory.snapshot(facts)
            ctx = Context(config=config, directory=directory, memory=snap, now=when)
            verdict = engine.analyze(facts, ctx)
            a = facts.author
            auth = trusted_auth(facts, config)
            authenticated = bool(
                a is not None
                and a.domain
                and auth is not None
                and (auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass(a.domain))
            )
            internal = [
                p.address
                for p in participants(facts)
                if config.is_internal(p.address.rpartition("@")[2])
            ]
            memory.record(
                observe(
                    facts,
                    at=when,
                    authenticated=authenticated,
                    internal=internal,
                    unremarkable=verdict.level in ("none", "info"),
                ),
                snap,
            )
        _HISTORIES[folder] = memory
    return memory.snapshot(from_raw(case.path.read_bytes()))


def analyse(case: Case, engine: Engine | None = None) -> Verdict:
    config = EngineConfig.build(
        internal_domains=case.config.get("internal_domains", ()),
        trusted_authserv_ids=case.config.get("trusted_authserv_ids", ()),
        trust_microsoft=case.config.get("trust_microsoft", False),
    )
    facts = from_raw(case.path.read_bytes())
    directory = directory_of(case, config)
    now = datetime.now(UTC)
    memory = history_of(case, config, directory, now)
    ctx = Context(
        config=config, directory=directory, people=people_of(case), memory=memory, now=now
    )
    return (engine or Engine()).analyze(facts, ctx)
