from __future__ import annotations

import json
import mailbox
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from caveat.cli import main


def instants(records: list[dict]) -> list[datetime]:
    return [datetime.fromisoformat(r["date"]) for r in records]


SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
PARTNERS = SEED.parent / "directory" / "seed-partners.csv"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict], str]:
    code = main(["scan", "--json", *args])
    cap = capsys.readouterr()
    return code, [json.loads(line) for line in cap.out.splitlines()], cap.err


def test_folder_oldest_first_with_the_contract_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, records, _ = run(
        [
            "--internal-domain",
            "partnera.example",
            "--trust-microsoft",
            "--directory",
            str(PARTNERS),
            str(SEED),
        ],
        capsys,
    )
    assert code == 0
    assert len(records) == len(list(SEED.glob("*.eml")))
    assert instants(records) == sorted(instants(records))
    for r in records:
        assert {"source", "message_id", "level", "findings"} <= set(r)
        assert r["level"] in ("none", "info", "caution", "danger")
        for f in r["findings"]:
            assert {"id", "check", "severity", "title", "evidence"} <= set(f)
    by_name = {Path(r["source"]).name: r for r in records}
    assert by_name["03-compromised-server.eml"]["level"] == "danger"
    assert by_name["05-real-reply-partner-b.eml"]["level"] in ("none", "info")


def test_mbox_sources_carry_their_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box_path = tmp_path / "thread.mbox"
    box = mailbox.mbox(box_path)
    for p in sorted(SEED.glob("*.eml"), reverse=True):
        box.add(mailbox.mboxMessage(p.read_bytes()))
    box.flush()
    box.close()
    code, records, _ = run([str(box_path)], capsys)
    assert code == 0
    assert all(r["source"].startswith(f"{box_path}#") for r in records)
    assert instants(records) == sorted(instants(records))
    # stored newest first, analysed oldest first
    assert records[0]["source"] == f"{box_path}#{len(records) - 1}"


def test_messages_from_several_paths_are_merged_by_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    files = sorted(SEED.glob("*.eml"))
    for i, p in enumerate(files):
        shutil.copy(p, (a if i % 2 else b) / p.name)
    code, records, _ = run([str(a), str(b)], capsys)
    assert code == 0
    assert [Path(r["source"]).name for r in records] == [p.name for p in files]


def test_human_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(SEED)])
    out = capsys.readouterr().out
    assert code == 0
    assert "5 messages:" in out
    assert "danger" in out


def test_unreadable_input_gives_non_zero_and_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, records, err = run(
        [str(tmp_path / "missing.eml"), str(SEED / "05-real-reply-partner-b.eml")], capsys
    )
    assert code == 1
    assert "missing.eml: no such file or folder" in err
    assert len(records) == 1  # the readable message is still analysed


def test_a_message_over_the_limits_is_reported_and_the_rest_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.eml"
    big.write_text("From: a@b.example\nX-Filler: " + "x" * 300_000 + "\n\nbody\n")
    shutil.copy(SEED / "05-real-reply-partner-b.eml", tmp_path / "ok.eml")
    code, records, err = run([str(tmp_path)], capsys)
    assert code == 1
    assert "big.eml" in err and "larger than" in err
    assert [Path(r["source"]).name for r in records] == ["ok.eml"]


def test_garbage_file_does_not_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x00\xff\xfe garbage without headers \x00")
    code, records, err = run([str(junk)], capsys)
    assert code == 1
    assert "junk.eml" in err
    assert records == []


def test_directory_option_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "partners.csv"
    csv.write_text(
        "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    )
    code, records, _ = run(["--directory", str(csv), str(SEED)], capsys)
    assert code == 0 and records
    code = main(["scan", "--directory", str(tmp_path / "nope.csv"), str(SEED)])
    assert code == 2
