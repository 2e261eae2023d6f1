"""caveat intel import|list|remove: a bad file refused whole with its lines named, a good
one stored with who imported it, removal kept on record, every change audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.storage.audit import AuditLog
from caveat.storage.store import Store

GOOD = (
    "kind,value,note\n"
    "address,Billing@Fraud-Example.com,ISAC bulletin 7\n"
    "domain,fraud-examp1e.com,\n"
    "account,GB29 NWBK 6016 1331 9268 19,mule account\n"
    "phone,+44 20 7946 0958,\n"
)


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'i.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def listed(db: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, object]]:
    code, out, _ = run(["intel", "list", "--json", "--db", db, *extra], capsys)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("ip,192.0.2.1,", "unknown kind 'ip'"),
        ("address,not-an-address,", "not a valid email address"),
        ("domain,co.uk,", "public suffix"),
        ("account,DE00 3704 0044 0532 0130 00,", "check digits are wrong"),
        ("phone,0207946 0958,", "international form"),
        ("address,a@b.example,x,y", "4 cells where the header has 3"),
    ],
)
def test_a_bad_line_refuses_the_whole_file(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, says: str
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(GOOD + row + "\n", "utf-8")
    code, out, err = run(["intel", "import", str(src), "--db", db], capsys)
    assert code == 1 and out == ""
    [line] = [x for x in err.splitlines() if "bad.csv, line 6: " in x]
    assert says in line
    assert "nothing was imported" in err
    assert listed(db, capsys) == []


def test_a_wrong_header_or_an_empty_file_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "x.csv"
    src.write_text("organization,domain\nAcme,acme.example\n", "utf-8")
    code, _, err = run(["intel", "import", str(src), "--db", db], capsys)
    assert code == 1 and "line 1: the header row must be kind,value,note" in err
    src.write_text("", "utf-8")
    code, _, err = run(["intel", "import", str(src), "--db", db], capsys)
    assert code == 1 and "empty" in err
    code, _, err = run(["intel", "import", str(tmp_path / "none.csv"), "--db", db], capsys)
    assert code == 2 and "none.csv" in err


def test_import_list_remove(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "isac.csv"
    src.write_text(GOOD, "utf-8")
    code, out, err = run(["intel", "import", str(src), "--db", db], capsys)
    assert code == 0, err
    assert out == "Read 4 indicators: 4 added.\n"
    code, out, _ = run(["intel", "import", str(src), "--db", db], capsys)
    assert out == "Read 4 indicators: 0 added, 4 already known.\n"
    records = listed(db, capsys)
    assert [(r["kind"], r["value"]) for r in records] == [
        ("address", "billing@fraud-example.com"),
        ("domain", "fraud-examp1e.com"),
        ("account", "GB29 **** 6819"),
        ("phone", "+442079460958"),
    ]
    assert {r["source"] for r in records} == {"import"}
    assert all(str(r["created_by"]).endswith(" at the command line") for r in records)
    code, out, _ = run(["intel", "list", "--db", db, "--kind", "account"], capsys)
    assert "GB29 **** 6819 — mule account" in out and "1 indicator." in out
    assert "6016" not in out

    first = records[0]["id"]
    code, out, _ = run(["intel", "remove", str(first), "--db", db], capsys)
    assert code == 0 and "address billing@fraud-example.com" in out
    code, _, err = run(["intel", "remove", str(first), "--db", db], capsys)
    assert code == 1 and f"no indicator {first} in force" in err
    assert len(listed(db, capsys)) == 3
    everything = listed(db, capsys, "--all")
    assert everything[0]["state"] == "removed" and everything[0]["removed_by"]

    store = Store.from_url(db)
    try:
        actions = [e.action for e in AuditLog(store).entries()]
    finally:
        store.dispose()
    assert actions == ["indicator.import", "indicator.import", "indicator.remove"]


def test_an_expiry_is_in_the_future(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "isac.csv"
    src.write_text(GOOD, "utf-8")
    code, _, err = run(["intel", "import", str(src), "--expires", "2001-01-01", "--db", db], capsys)
    assert code == 2 and "has begun or passed" in err
    code, _, err = run(["intel", "import", str(src), "--expires", "soon", "--db", db], capsys)
    assert code == 2 and "a number of days (90d), a date (YYYY-MM-DD, UTC) or never" in err
    assert err.startswith("caveat intel import: --expires soon:")
    code, _, _ = run(["intel", "import", str(src), "--expires", "2999-01-01", "--db", db], capsys)
    assert code == 0
    assert {r["expires_at"] for r in listed(db, capsys)} == {"2999-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0d", "at least 1d"),
        ("2027-02-30", "no such date"),
        ("2001-01-01T10:00Z", "has passed"),
        ("90", "a number of days"),
    ],
)
def test_a_bad_expiry_is_a_clear_error(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, words: str
) -> None:
    src = tmp_path / "isac.csv"
    src.write_text(GOOD, "utf-8")
    code, out, err = run(["intel", "import", str(src), f"--expires={value}", "--db", db], capsys)
    assert code == 2 and out == "" and words in err and "Traceback" not in err
    assert listed(db, capsys, "--all") == []


def test_an_expiry_in_days_as_a_time_or_never(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The grammar of ``caveat keys create --expires``, with ISO 8601 times besides."""
    before = datetime.now(UTC)
    for n, value in enumerate(("30d", "2999-01-01T12:30:00+02:00", "2999-03-01 08:00", "never")):
        src = tmp_path / f"isac{n}.csv"
        src.write_text(f"kind,value,note\ndomain,fraud-{n}.example,\n", "utf-8")
        code, _, err = run(["intel", "import", str(src), "--expires", value, "--db", db], capsys)
        assert code == 0, err
    got = {r["value"]: r["expires_at"] for r in listed(db, capsys)}
    in_30 = datetime.fromisoformat(str(got["fraud-0.example"]))
    assert (
        timedelta(days=30) <= in_30 - before.replace(microsecond=0) < timedelta(days=30, minutes=1)
    )
    assert got["fraud-1.example"] == "2999-01-01T10:30:00Z"
    assert got["fraud-2.example"] == "2999-03-01T08:00:00Z"  # no offset: UTC
    assert got["fraud-3.example"] is None


def test_intel_and_keys_explain_expires_alike(capsys: pytest.CaptureFixture[str]) -> None:
    helps = []
    for argv in (["intel", "import", "--help"], ["keys", "create", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        helps.append(" ".join(capsys.readouterr().out.split()))
    for text in helps:
        assert "a number of days (90d), a date (YYYY-MM-DD: at its start, 00:00 UTC)" in text
        assert "a time (ISO 8601, UTC unless it says otherwise) or never" in text
    assert "(default: never)" in helps[0] and "(default: 365d)" in helps[1]
