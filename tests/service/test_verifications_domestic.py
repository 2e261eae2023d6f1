"""An account verified by telephone is "on file already" when the directory holds it in
another of its forms."""

from __future__ import annotations

import pytest

from caveat.service.verifications import _same_account


@pytest.mark.parametrize(
    ("key", "on_file"),
    [
        ("DE89370400440532013000", "37040044/532013000"),
        ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
        ("CZ6508000000192000145399", "19-2000145399/0800"),
        ("50501055", "Bankgiro 5050-1055"),
    ],
)
def test_the_same_account_in_another_form(key: str, on_file: str) -> None:
    assert _same_account(key, on_file)


@pytest.mark.parametrize(
    ("key", "on_file"),
    [
        ("DE62370400440532013001", "37040044/532013000"),
        ("CZ6508000000192000145399", "2000145399/0100"),
    ],
)
def test_another_account(key: str, on_file: str) -> None:
    assert not _same_account(key, on_file)
