"""caveat audit list|export: the rows real changes wrote, filtered; CSV with formula-leading
cells inert; clear messages for bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import Store

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'a.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def fill(db: str, texts: list[str] | None = None) -> None:
    store = Store.from_url(db)
    store.upgrade()
    try:
        with store.session() as s:
            for i in range(6):
                who = Actor.command_line("root") if i % 2 else Actor("oid-1", "Ana <ana@ours>")
                action = "indicator.add" if i % 2 else "partner.import"
                AuditLog.append(s, who, action, f"t{i}", after={"n": i}, at=T0 + timedelta(hours=i))
            for text in texts or []:
                AuditLog.append(s, Actor("oid-2", text), "indicator.remove", text,
                                before={"note": text}, at=T0 + timedelta(days=1))  # fmt: skip
    finally:
        store.dispose()


def test_list_with_filters(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["audit", "list", "--db", db], capsys)
    assert code == 0 and out == "No audit rows match.\n"
    fill(db)
    code, out, _ = run(["audit", "list", "--db", db], capsys)
    assert code == 0 and out.endswith("6 rows.\n")
    assert "partner.import  t0  by Ana <ana@ours> [oid-1]" in out
    assert '-> {"n": 1}' in out

    def targets(*extra: str) -> list[str]:
        code, out, _ = run(["audit", "list", "--json", "--db", db, *extra], capsys)
        assert code == 0
        return [json.loads(line)["target"] for line in out.splitlines()]

    assert targets("--action", "indicator.") == ["t1", "t3", "t5"]
    assert targets("--actor", "cli:root", "--limit", "2") == ["t3", "t5"]  # the newest two
    assert targets("--since", "2026-11-01T02:00:00Z", "--until", "2026-11-01T04:00") == ["t2", "t3"]


def test_a_line_break_in_a_value_cannot_forge_a_row(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db, ["evil\n    99  2026-01-01 00:00:00Z  partner.remove  all"])
    code, out, _ = run(["audit", "list", "--action", "indicator.remove", "--db", db], capsys)
    assert code == 0
    assert len(out.splitlines()) == 2 and "evil\\n" in out


def test_export_to_a_file_and_to_stdout(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = ["=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(A1)", "\t=1", "fine"]
    fill(db, hostile)
    target = tmp_path / "audit.csv"
    code, out, err = run(["audit", "export", "--db", db, "-o", str(target)], capsys)
    assert code == 0 and out == "" and f"Wrote 12 rows to {target}." in err
    table = list(csv.reader(io.StringIO(target.read_text("utf-8"))))
    assert table[0][:5] == ["id", "at", "actor_subject", "actor", "action"]
    assert len(table) == 13
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {r[5] for r in table[7:]} == {"'" + h for h in hostile[:5]} | {"fine"}
    code, out, _ = run(["audit", "export", "--action", "partner.", "--db", db], capsys)
    assert code == 0 and len(list(csv.reader(io.StringIO(out)))) == 4


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["list", "--since", "2026-11-02", "--until", "2026-11-01"], "--until must be later"),
        (["list", "--limit", "0"], "--limit must be from 1"),
        (["export", "--since", "2026-11-02", "--until", "2026-11-01"], "--until must be later"),
    ],
)
def test_bad_input_is_a_clear_message(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    code, _, err = run(["audit", *args, "--db", db], capsys)
    assert code == 2 and says in err


def test_a_bad_date_is_named(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "list", "--since", "last week", "--db", db])
    assert exit_.value.code == 2
    assert "'last week' is not a date" in capsys.readouterr().err


def test_an_unwritable_output_or_store_is_a_clear_message(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["audit", "export", "--db", db, "-o", str(tmp_path / "no" / "x.csv")],
                       capsys)  # fmt: skip
    assert code == 2 and "x.csv" in err
    code, _, err = run(["audit", "list", "--db", "nosuchdb://x"], capsys)
    assert code == 2 and err.startswith("caveat audit:")
