"""caveat people import|list|export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caveat.cli import main

CSV = (
    "name,email,personal_email,title,department,group,executive\n"
    "Margaret Holloway,margaret.holloway@buyer.example,,CEO,Management,,yes\n"
    "Tom Becker,tom.becker@buyer.example,,Payroll Administrator,HR,,\n"
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
    src = tmp_path / "people.csv"
    src.write_text(CSV, "utf-8")
    code, out, err = run(["people", "import", str(src), "--db", db], capsys)
    assert code == 1 and "line 4" in err and "2 new" in out
    code, out, _ = run(["people", "list", "--json", "--db", db], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["name"], r["group"], r["executive"]) for r in records] == [
        ("Margaret Holloway", "", True),
        ("Tom Becker", "hr", False),
    ]
    code, out, _ = run(["people", "list", "--db", db], capsys)
    assert "2 people." in out and "executive" in out
    dest = tmp_path / "out.csv"
    code, _, _ = run(["people", "export", str(dest), "--db", db], capsys)
    assert code == 0
    code, out, _ = run(["people", "import", str(dest), "--db", db], capsys)
    assert code == 0 and "0 new, 0 updated" in out


def test_bad_files_are_clear_errors(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["people", "import", "/no/such.csv", "--db", db], capsys)
    assert code == 2 and "/no/such.csv" in err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("organization,domain\nA,b.example\n", "utf-8")
    code, _, err = run(["people", "import", str(wrong), "--db", db], capsys)
    assert code == 2 and "name, email" in err


def test_an_empty_directory_says_so(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["people", "list", "--db", db], capsys)
    assert code == 0 and "empty" in out


def test_scan_loads_people_and_judges_a_second_message_like_the_first(
    tmp_path: Path, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(CSV, "utf-8")
    for n in range(2):
        (tmp_path / f"m{n}.eml").write_text(
            "From: Margaret Holloway <ceo.mholloway@outlook.com>\n"
            "To: tom.becker@buyer.example\n"
            f"Subject: {'RE: ' * n}Quick request\n"
            f"Date: Tue, 03 Nov 2026 09:1{n}:00 +0100\n"
            f"Message-ID: <m{n}@outlook.com>\n"
            + (f"In-Reply-To: <m{n - 1}@outlook.com>\n" if n else "")
            + "\nI need you to buy some Apple gift cards for a client today.\n",
            "utf-8",
        )
    args = ["scan", "--json", "--people", str(people), "--internal-domain", "buyer.example"]
    code, out, _ = run([*args, str(tmp_path / "m0.eml"), str(tmp_path / "m1.eml")], capsys)
    assert code == 0
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["level"] for v in verdicts] == ["danger", "danger"]
    assert all("PERSON_GIFT_CARDS" in {f["id"] for f in v["findings"]} for v in verdicts)
    code, _, err = run([*args[:2], "--people", "/no/such.csv", str(tmp_path / "m0.eml")], capsys)
    assert code == 2 and "/no/such.csv" in err
