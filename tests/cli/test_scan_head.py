"""The date pass of ``caveat scan`` reads a file up to its header block's end, and orders
messages exactly as reading them whole would."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.cli.scan import _HEAD_BYTES, _HEAD_CHUNK, Located, Reader, _date_of

DATE = b"Date: Tue, 3 Mar 2026 10:00:00 +0000\n"


def eml(tmp_path: Path, headers: bytes, body: bytes = b"body\n", sep: bytes = b"\n\n") -> Path:
    path = tmp_path / "m.eml"
    path.write_bytes(headers.rstrip(b"\n") + sep + body)
    return path


def head_and_whole(path: Path) -> tuple[bytes, bytes]:
    reader = Reader()
    head = reader.head(Located(path, None))
    assert isinstance(head, bytes)
    return head, path.read_bytes()


def test_the_body_is_not_read(tmp_path: Path) -> None:
    path = eml(tmp_path, b"From: a@b.example\n" + DATE, body=b"x" * (4 * _HEAD_CHUNK))
    head, whole = head_and_whole(path)
    assert len(head) <= _HEAD_CHUNK < len(whole)
    assert _date_of(head) == _date_of(whole)


@pytest.mark.parametrize("sep", [b"\n\n", b"\r\n\r\n"])
@pytest.mark.parametrize("shift", range(-5, 6))
@pytest.mark.parametrize("edge", [_HEAD_CHUNK, 2 * _HEAD_CHUNK, _HEAD_BYTES])
def test_a_blank_line_at_a_chunk_edge_or_at_the_limit(
    tmp_path: Path, sep: bytes, shift: int, edge: int
) -> None:
    # a long header block, its Date last, whose blank line falls just before, on or after
    # an edge
    pad = edge + shift - len(DATE) - len(b"X-Pad: \n")
    path = eml(tmp_path, b"X-Pad: " + b"a" * pad + b"\n" + DATE, sep=sep, body=b"x" * edge)
    head, whole = head_and_whole(path)
    assert _date_of(head) == _date_of(whole)
    if edge < _HEAD_BYTES - 8:
        assert _date_of(whole).year == 2026


def test_a_header_block_over_the_limit(tmp_path: Path) -> None:
    # the Date beyond what the date pass reads is not seen, whole or not
    pad = b"X-Pad: " + b"a" * (_HEAD_BYTES + 10) + b"\n"
    path = eml(tmp_path, pad + DATE, body=b"x" * (2 * _HEAD_CHUNK))
    head, whole = head_and_whole(path)
    assert len(head) < len(whole)
    assert _date_of(head) == _date_of(whole) == _date_of(b"")


def test_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    got = Reader().head(Located(tmp_path / "missing.eml", None))
    assert not isinstance(got, bytes) and got.code == "unreadable"
