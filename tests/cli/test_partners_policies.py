"""caveat partners: the policy columns through import, list and export, and
``caveat partners policy`` to show or change one partner's; audit rows name the operator."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.knowledge.partners_csv import COLUMNS
from caveat.storage.audit import AuditLog
from caveat.storage.store import Store

PROCEDURE = "Bank changes only by signed letter; we call back on the number on file."
NINE = (
    ",".join(COLUMNS) + "\n"
    f'Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,dkim,"{PROCEDURE}",yes\n'
    "Beta,beta.example,,,,,,,\n"
)
SEVEN = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,dkim\n"
)


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'p.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def listed(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    code, out, _ = run(["partners", "list", "--json", "--db", db], capsys)
    assert code == 0
    return {r["organization"]: r for r in map(json.loads, out.splitlines())}


def audit(db: str) -> AuditLog:
    return AuditLog(Store.from_url(db))


def test_the_policy_columns_round_trip(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(NINE, "utf-8")
    code, out, err = run(["partners", "import", str(src), "--db", db], capsys)
    assert code == 0, err
    acme = listed(db, capsys)["Acme"]
    assert acme["bank_change_procedure"] == PROCEDURE and acme["pay_only_on_file"] is True
    code, out, _ = run(["partners", "list", "--db", db], capsys)
    assert "Acme: acme.example  [1 contact; requires dkim; pay only accounts on file; " in out
    dest = tmp_path / "out.csv"
    assert run(["partners", "export", str(dest), "--db", db], capsys)[0] == 0
    exported = dest.read_text("utf-8")
    assert exported.splitlines()[0] == ",".join(COLUMNS)
    assert f"dkim,{PROCEDURE},yes" in exported and "Beta,beta.example,,,,,,,no" in exported
    # a seven-column file keeps the policies on file; the export imports back unchanged
    seven = tmp_path / "seven.csv"
    seven.write_text(SEVEN, "utf-8")
    assert run(["partners", "import", str(seven), "--db", db], capsys)[0] == 0
    assert listed(db, capsys)["Acme"]["pay_only_on_file"] is True
    assert run(["partners", "import", str(dest), "--db", db], capsys)[0] == 0
    assert listed(db, capsys)["Acme"]["bank_change_procedure"] == PROCEDURE


def test_import_writes_an_audit_row_naming_the_operator(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(NINE + "Bad,,,,,,,,\n", "utf-8")
    run(["partners", "import", str(src), "--db", db], capsys)
    [row] = audit(db).entries(action="partner.import")
    assert row.actor_subject == f"cli:{getpass.getuser()}"
    assert row.after["source"] == str(src)
    assert row.after["bad_rows"] == [4]
    assert row.after["policies"]["Acme"]["bank_change_procedure"] == PROCEDURE


def test_a_bad_policy_cell_is_a_row_error(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(NINE.replace(",yes\n", ",maybe\n"), "utf-8")
    code, _, err = run(["partners", "import", str(src), "--db", db], capsys)
    assert code == 1
    assert "line 2: pay_only_on_file 'maybe' is not yes or no" in err


def test_policy_shows_and_changes_one_partner(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(NINE, "utf-8")
    run(["partners", "import", str(src), "--db", db], capsys)
    code, out, _ = run(["partners", "policy", "beta", "--db", db], capsys)
    assert code == 0
    assert out.splitlines() == [
        "Beta",
        "  require_auth:          none",
        "  pay only on file:      no",
        "  bank-change procedure: (none)",
    ]
    code, out, err = run(
        [
            "partners",
            "policy",
            "Beta",
            "--require-auth",
            "spf;DMARC",
            "--procedure",
            "Call the CFO.",
            "--pay-only-on-file",
            "yes",
            "--json",
            "--db",
            db,
        ],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out) == {
        "organization": "Beta",
        "policy": {
            "require_auth": ["spf", "dmarc"],
            "bank_change_procedure": "Call the CFO.",
            "pay_only_on_file": True,
        },
    }
    code, _, err = run(["partners", "policy", "Beta", "--procedure", "", "--db", db], capsys)
    assert code == 0 and "Changed." in err
    assert listed(db, capsys)["Beta"]["bank_change_procedure"] == ""
    rows = audit(db).entries(action="partner.policy")
    assert [r.target for r in rows] == ["Beta", "Beta"]
    assert rows[0].before["pay_only_on_file"] is False and rows[0].after["pay_only_on_file"]
    assert rows[1].actor == f"{getpass.getuser()} at the command line"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--require-auth", "spf;arc"], "not one of spf, dkim, dmarc"),
        (["--procedure", "x" * 301], "at most 300"),
    ],
)
def test_policy_refuses_bad_values_and_unknown_partners(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(NINE, "utf-8")
    run(["partners", "import", str(src), "--db", db], capsys)
    code, _, err = run(["partners", "policy", "Acme", *args, "--db", db], capsys)
    assert code == 2 and said in err
    code, _, err = run(["partners", "policy", "Nobody", "--db", db], capsys)
    assert code == 1 and "'Nobody' is not in the directory" in err
    assert audit(db).entries(action="partner.policy") == []
