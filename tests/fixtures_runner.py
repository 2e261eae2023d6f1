"""Loads the .eml fixtures and their expectations (an expect.toml per folder)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import parse_people_csv
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


def analyse(case: Case, engine: Engine | None = None) -> Verdict:
    config = EngineConfig.build(
        internal_domains=case.config.get("internal_domains", ()),
        trusted_authserv_ids=case.config.get("trusted_authserv_ids", ()),
        trust_microsoft=case.config.get("trust_microsoft", False),
    )
    facts = from_raw(case.path.read_bytes())
    ctx = Context(config=config, directory=directory_of(case, config), people=people_of(case))
    return (engine or Engine()).analyze(facts, ctx)
