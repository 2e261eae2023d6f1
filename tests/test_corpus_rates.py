"""The false-warning budget on real legitimate mail: under 1 % at caution or above."""

from __future__ import annotations

import io
import json

import pytest

from caveat.cli import main

from .corpus import HAM, dataset

pytestmark = pytest.mark.corpus


def scan(folder: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code = main(["scan", "--json", folder])
    out = capsys.readouterr().out
    assert code == 0
    return [json.loads(line) for line in io.StringIO(out)]


def test_ham_overall_share_at_caution_or_above_is_under_one_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    total = 0
    loud: list[str] = []
    for name in HAM:
        records = scan(str(dataset(name)), capsys)
        assert records, name
        total += len(records)
        loud += [r["source"] for r in records if r["level"] in ("caution", "danger")]
    assert len(loud) / total < 0.01, loud


def test_list_mail_with_modern_authentication_is_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Mailman's DMARC mitigation and footer-broken DKIM must not warn, even when trusted."""
    records = scan(str(dataset("list_usrp_users")), capsys)
    loud = [r["source"] for r in records if r["level"] in ("caution", "danger")]
    assert loud == []
