"""``caveat scan`` shows progress on stderr when, and only when, stderr is a terminal.

A bar for each pass (reading dates, analysing); stdout carries the verdict lines and
nothing else, so ``--json`` stays parseable line by line whatever stderr is.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caveat.cli import build_parser
from caveat.cli import scan as scan_module

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
MESSAGES = len(list(SEED.glob("*.eml")))


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def scan(*argv: str, err: io.StringIO) -> tuple[int, str]:
    out = io.StringIO()
    args = build_parser().parse_args(["scan", *argv])
    code = scan_module.run(args, out, err)
    return code, out.getvalue()


@pytest.mark.parametrize("mode", [["--json"], []], ids=["json", "human"])
def test_a_terminal_gets_a_bar_for_each_pass_and_stdout_none_of_it(mode: list[str]) -> None:
    err = Terminal()
    code, out = scan(*mode, str(SEED), err=err)
    assert code == 0
    shown = err.getvalue()
    assert "reading dates" in shown
    assert "analysing" in shown
    assert f"/{MESSAGES}" in shown  # tqdm's "n/total"
    assert "\r" not in out
    assert "analysing" not in out
    if mode:
        assert len([json.loads(line) for line in out.splitlines()]) == MESSAGES


@pytest.mark.parametrize("mode", [["--json"], []], ids=["json", "human"])
def test_no_terminal_no_progress(mode: list[str]) -> None:
    err = io.StringIO()
    code, out = scan(*mode, str(SEED), err=err)
    assert code == 0
    assert err.getvalue() == ""
    assert out


def test_an_error_told_on_a_terminal_clears_the_bar_first(tmp_path: Path) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x00 no headers")
    err = Terminal()
    code, out = scan("--json", str(SEED), str(junk), err=err)
    assert code == 1
    note = f"caveat scan: {junk}: no header could be read from the message\n"
    shown = err.getvalue()
    assert note in shown
    # the note starts on a cleared line, not after a half-drawn bar
    before = shown[: shown.index(note)]
    assert before.endswith("\r") and before.rstrip("\r").endswith(" ")
    assert [json.loads(line)["source"] for line in out.splitlines()][-1] == str(junk)


# ---------------------------------------------------------------- the real command


def command(*argv: str) -> list[str]:
    return [sys.executable, "-c", "from caveat.cli import main; raise SystemExit(main())", *argv]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("size", [(24, 100), (0, 0)], ids=["sized", "no-size-reported"])
def test_on_a_pseudo_terminal_the_command_draws_a_bar_and_stdout_stays_json(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    stdout = tmp_path / "stdout"
    with stdout.open("wb") as fh:
        proc = subprocess.Popen(
            command("scan", "--json", str(SEED)), stdout=fh, stderr=slave, stdin=subprocess.DEVNULL
        )
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    shown = seen.decode("utf-8", "replace")
    assert "reading dates" in shown and "analysing" in shown
    assert f"/{MESSAGES}" in shown
    lines = stdout.read_text().splitlines()
    assert len([json.loads(line) for line in lines]) == MESSAGES


def test_through_pipes_the_command_writes_nothing_to_stderr() -> None:
    done = subprocess.run(
        command("scan", "--json", str(SEED)), capture_output=True, check=False, timeout=60
    )
    assert done.returncode == 0
    assert done.stderr == b""
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == MESSAGES
