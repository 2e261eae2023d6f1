"""caveat partners import|list|export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caveat.cli import main

CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,DE89 3704 0044 0532 0130 00,dkim\n"
    "Beta,beta.example;gmail.com,,,,,\n"
    "Bad,,,,,,\n"
)


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'p.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_import_list_export_round_trip(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "partners.csv"
    src.write_text(CSV, "utf-8")
    code, out, err = run(["partners", "import", str(src), "--db", db], capsys)
    assert code == 1  # a bad row was skipped; the good ones are stored
    assert "line 4" in err and "gmail.com is a free-mail provider" in err
    assert "2 new" in out
    code, out, _ = run(["partners", "import", str(src), "--db", db], capsys)
    assert "0 new, 2 updated" in out
    code, out, _ = run(["partners", "list", "--json", "--db", db], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["organization"] for r in records] == ["Acme", "Beta"]
    assert records[0]["bank_accounts"] == ["DE89370400440532013000"]
    dest = tmp_path / "out.csv"
    code, _, _ = run(["partners", "export", str(dest), "--db", db], capsys)
    assert code == 0
    code, out, _ = run(["partners", "import", str(dest), "--db", db], capsys)
    assert code == 0 and "0 new, 2 updated" in out


def test_an_unreadable_file_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["partners", "import", "/no/such.csv", "--db", db], capsys)
    assert code == 2 and "/no/such.csv" in err


def test_an_empty_directory_says_so(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["partners", "list", "--db", db], capsys)
    assert code == 0 and "empty" in out
