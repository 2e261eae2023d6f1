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
    lines = out.splitlines()
    assert len(lines) == 5 + 2  # one line per message, a blank line, the summary
    assert lines[-1].startswith("5 messages: ")
    assert lines[-1].endswith("; 0 analysed in part; 0 could not be analysed")
    assert "danger" in out


def test_human_lines_name_partial_and_failed_inputs_and_the_summary_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "crowd.eml").write_bytes(many_recipients(888))
    (tmp_path / "junk.eml").write_bytes(b"\x00 no headers")
    shutil.copy(SEED / "05-real-reply-partner-b.eml", tmp_path / "ok.eml")
    code = main(["scan", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3 + 2
    by_name = {Path(line.split()[1]).name: line for line in lines[:3]}
    assert by_name["crowd.eml"].endswith("[analysed in part: recipients cut to 500 of 888]")
    assert by_name["junk.eml"].startswith("error    ")
    assert "could not be analysed: no header could be read" in by_name["junk.eml"]
    assert "analysed in part" not in by_name["ok.eml"]
    assert lines[-1].startswith("2 messages: ")
    assert lines[-1].endswith("; 1 analysed in part; 1 could not be analysed")


def test_unreadable_input_gives_non_zero_an_error_line_and_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.eml"
    code, records, err = run([str(missing), str(SEED / "05-real-reply-partner-b.eml")], capsys)
    assert code == 1
    assert "missing.eml: no such file or folder" in err
    # the readable message is still analysed; the missing one has its line, last (no Date)
    assert records[0]["level"] in ("none", "info")
    assert records[1] == {
        "source": str(missing),
        "error": {"code": "not_found", "message": "no such file or folder"},
    }


def test_a_message_over_the_size_limits_gets_an_error_line_and_the_rest_is_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.eml"
    big.write_text("From: a@b.example\nX-Filler: " + "x" * 300_000 + "\n\nbody\n")
    shutil.copy(SEED / "05-real-reply-partner-b.eml", tmp_path / "ok.eml")
    code, records, err = run([str(tmp_path)], capsys)
    assert code == 1
    assert "big.eml" in err and "larger than" in err
    assert [Path(r["source"]).name for r in records] == ["ok.eml", "big.eml"]
    assert "level" in records[0] and "error" not in records[0]
    assert records[1]["source"] == str(big)
    assert records[1]["error"]["code"] == "headers_too_large"
    assert "larger than" in records[1]["error"]["message"]
    assert set(records[1]) == {"source", "error"}


def test_garbage_file_gets_an_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x00\xff\xfe garbage without headers \x00")
    code, records, err = run([str(junk)], capsys)
    assert code == 1
    assert "junk.eml" in err
    assert records == [
        {
            "source": str(junk),
            "error": {
                "code": "invalid_message",
                "message": "no header could be read from the message",
            },
        }
    ]


def test_a_folder_without_messages_and_a_dangling_link_get_error_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    links = tmp_path / "links"
    links.mkdir()
    (links / "gone.eml").symlink_to(tmp_path / "nowhere.eml")
    code, records, _ = run([str(empty), str(links)], capsys)
    assert code == 1
    assert [(r["source"], r["error"]["code"]) for r in records] == [
        (str(empty), "no_messages"),
        (str(links / "gone.eml"), "unreadable"),
    ]


def many_recipients(n: int, *, body: str = "Please find the minutes attached.") -> bytes:
    to = ", ".join(f"Person {i} <p{i}@staff.example>" for i in range(n - n // 3))
    cc = ", ".join(f"p{i}@staff.example" for i in range(n - n // 3, n))
    return (
        "From: Ann Organiser <ann@staff.example>\n"
        f"To: {to}\nCc: {cc}\n"
        "Subject: All-hands minutes\n"
        "Date: Mon, 04 Nov 2024 09:00:00 +0000\n"
        "Message-ID: <all-hands@staff.example>\n\n"
        f"{body}\n"
    ).encode()


def test_a_message_over_the_recipient_limit_is_analysed_in_part_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crowd = tmp_path / "crowd.eml"
    crowd.write_bytes(many_recipients(888))
    shutil.copy(SEED / "05-real-reply-partner-b.eml", tmp_path / "ok.eml")
    code, records, err = run([str(tmp_path)], capsys)
    assert code == 0, err  # analysed (in part) is not "could not be read"
    by_name = {Path(r["source"]).name: r for r in records}
    assert len(records) == 2
    crowd_line = by_name["crowd.eml"]
    assert crowd_line["level"] in ("none", "info", "caution", "danger")
    assert crowd_line["message_id"] == "all-hands@staff.example"
    assert crowd_line["partial"] == ["recipients cut to 500 of 888"]
    assert "partial" not in by_name["ok.eml"]  # absent when the whole message was read


def test_a_long_body_is_analysed_in_part_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = tmp_path / "long.eml"
    long.write_bytes(many_recipients(3, body="word " * 20_000))
    code, records, _ = run([str(long)], capsys)
    assert code == 0
    assert records[0]["partial"] == ["body text cut to 65536 of 100001 bytes"]


def write_mbox(path: Path, entries: list[bytes]) -> None:
    with path.open("wb") as fh:
        for entry in entries:
            fh.write(b"From MAILER-DAEMON Mon Nov  4 09:00:00 2024\n" + entry.rstrip(b"\n"))
            fh.write(b"\n\n")


def test_an_mbox_with_one_broken_entry_names_it_and_analyses_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = tmp_path / "box.mbox"
    seed = sorted(SEED.glob("*.eml"))
    write_mbox(box, [seed[0].read_bytes(), b"not a message, just words\n", seed[4].read_bytes()])
    code, records, err = run([str(box)], capsys)
    assert code == 1
    assert f"{box}#1" in err
    assert [r["source"] for r in records] == [f"{box}#0", f"{box}#2", f"{box}#1"]
    assert all("level" in r for r in records[:2])
    assert records[2] == {
        "source": f"{box}#1",
        "error": {"code": "invalid_message", "message": "no header could be read from the message"},
    }


def test_every_input_gets_exactly_one_parseable_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for p in SEED.glob("*.eml"):
        shutil.copy(p, mixed / p.name)
    (mixed / "junk.eml").write_bytes(b"\x00\x01\x02")
    (mixed / "crowd.eml").write_bytes(many_recipients(600))
    box = tmp_path / "box.mbox"
    write_mbox(box, [b"", many_recipients(2)])
    inputs = [str(mixed), str(box), str(tmp_path / "missing")]
    code = main(["scan", "--json", *inputs])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    records = [json.loads(line) for line in lines]  # every line parses
    expected = {str(p) for p in mixed.glob("*.eml")} | {f"{box}#0", f"{box}#1"}
    expected.add(str(tmp_path / "missing"))
    assert sorted(r["source"] for r in records) == sorted(expected)
    for r in records:
        assert ("error" in r) != ("level" in r), r
        if "error" in r:
            assert set(r) == {"source", "error"}
            assert set(r["error"]) == {"code", "message"}


def test_directory_option_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "partners.csv"
    csv.write_text(
        "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    )
    code, records, _ = run(["--directory", str(csv), str(SEED)], capsys)
    assert code == 0 and records
    code = main(["scan", "--directory", str(tmp_path / "nope.csv"), str(SEED)])
    assert code == 2
