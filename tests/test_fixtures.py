"""Every .eml under tests/fixtures against its expect.toml: drop in a file to add a case."""

from __future__ import annotations

import pytest

from caveat.engine.engine import Engine

from .fixtures_runner import Case, analyse, load_cases

CASES = load_cases()
ENGINE = Engine()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture(case: Case) -> None:
    verdict = analyse(case, ENGINE)
    ids = {f.id for f in verdict.findings}
    checks = {f.check for f in verdict.findings}
    summary = f"{verdict.level}: {sorted(ids)}"
    if "level" in case.expect:
        assert verdict.level in case.expect["level"], summary
    for fid in case.expect.get("ids", []):
        assert fid in ids, summary
    for fid in case.expect.get("absent", []):
        assert fid not in ids, summary
    for family in case.expect.get("checks", []):
        assert family in checks, summary
    for family in case.expect.get("absent_checks", []):
        assert family not in checks, summary
    by_id = {f.id: f for f in verdict.findings}
    for f in verdict.findings:
        if f.parts:
            # A composite names the findings that made it; they carry its evidence.
            assert not f.evidence, f"{f.id} repeats its parts' evidence"
            assert all(by_id[p].evidence and not by_id[p].parts for p in f.parts), f.id
        else:
            assert f.evidence, f"{f.id} has no evidence"
        assert "?" not in f.explanation.replace("?)", ""), f"{f.id}: unfilled field"
    # Addresses and domains as the message wrote them, character for character.
    values = [e.value for f in verdict.findings for e in f.evidence]
    for shown in case.expect.get("evidence_shows", []):
        assert any(shown in v for v in values), f"{shown!r} not in evidence {values}"
    texts = [t for f in verdict.findings for t in (f.title, f.explanation, f.banner)]
    if verdict.banner is not None:
        texts.append(verdict.banner.text)
    for shown in case.expect.get("text_shows", []):
        assert any(shown in t for t in texts), f"{shown!r} not in {texts}"


def test_every_family_folder_has_positive_and_negative_cases() -> None:
    by_folder: dict[str, list[Case]] = {}
    for case in CASES:
        by_folder.setdefault(case.path.parent.name, []).append(case)
    for folder, cases in by_folder.items():
        if folder == "benign":
            continue
        assert any(c.expect.get("ids") or c.expect.get("checks") for c in cases), folder
        assert any(
            c.expect.get("level") == ["none"] or "absent_checks" in c.expect or "absent" in c.expect
            for c in cases
        ), folder
