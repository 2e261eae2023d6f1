"""The seed's thread, scanned in one run: the swaps are caught, message by message.

tests/fixtures/thread reproduces the timeline from Partner A's side: the reminder (T+0), a
colleague's real reply-all (T+1h), the fake reply with one Cc swapped to free mail
(T+4:30), Partner B's real reply that already goes to five swapped addresses (T+15h), and
Partner A's answer into the swapped thread (T+5 days).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
THREAD = FIXTURES / "thread"
PARTNERS = FIXTURES / "directory" / "seed-partners.csv"


def scan(*extra: str) -> dict[str, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    from caveat.cli import scan as scan_module

    parser_args = [
        "scan",
        "--json",
        "--internal-domain",
        "partnera.example",
        "--trust-microsoft",
        *extra,
        str(THREAD),
    ]
    from caveat.cli import build_parser

    args = build_parser().parse_args(parser_args)
    assert scan_module.run(args, out, err) == 0, err.getvalue()
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return {Path(r["source"]).name: r for r in records}


def ids(record: dict[str, Any]) -> set[str]:
    return {f["id"] for f in record["findings"]}


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    return scan("--directory", str(PARTNERS))


def test_messages_come_out_oldest_first(results: dict[str, dict[str, Any]]) -> None:
    names = list(results)
    assert names == sorted(names)


def test_the_reminder_and_the_real_reply_all_are_quiet(results: dict[str, dict[str, Any]]) -> None:
    for name in ("01-reminder.eml", "02-real-reply-all-from-partner-a.eml"):
        assert results[name]["level"] in ("none", "info"), results[name]
        assert not {f["check"] for f in results[name]["findings"]} & {
            "recipient_swap",
            "freemail_impersonation",
            "lookalike_domain",
        }


def test_the_fake_reply_names_the_one_swapped_cc(results: dict[str, dict[str, Any]]) -> None:
    r = results["03-fake-reply-one-cc-swapped.eml"]
    assert r["level"] == "danger"
    swap = next(f for f in r["findings"] if f["id"] == "RECIPIENT_SWAP_FREEMAIL")
    values = [e["value"] for e in swap["evidence"]]
    assert values == [
        "Felix Brandt: was felix.brandt@partnerb.example, now "
        "felix.brandt.partnerb@gmail.com (free mail)"
    ]
    assert swap["evidence"][0]["header"] == "Cc"


def test_five_of_six_swapped_are_each_named(results: dict[str, dict[str, Any]]) -> None:
    for name in (
        "04-partner-b-reply-five-of-six-swapped.eml",
        "05-partner-a-reply-to-swapped-thread.eml",
    ):
        r = results[name]
        assert r["level"] == "danger", name
        swap = next(f for f in r["findings"] if f["id"] == "RECIPIENT_SWAP_FREEMAIL")
        named = {e["value"].split(":", 1)[0] for e in swap["evidence"]}
        expected = {"Finance Team", "Clara Novak", "Dan Weiss", "Eva Lind", "Felix Brandt"}
        if name.startswith("05"):
            expected.add("Ben Ortiz")
        assert named == expected, swap["evidence"]
        assert "Anna Keller" not in named


def test_the_free_mail_names_are_known_partner_contacts(
    results: dict[str, dict[str, Any]],
) -> None:
    r = results["04-partner-b-reply-five-of-six-swapped.eml"]
    known = next(f for f in r["findings"] if f["id"] == "FREEMAIL_KNOWN_NAME")
    assert "partner directory" in " ".join(e["value"] for e in known["evidence"])


def test_without_the_directory_a_partner_one_letter_from_us_is_a_lookalike() -> None:
    """partnerb.example is one letter from partnera.example: only the directory says it is
    a known partner and not an imitation of us."""
    r = scan()["01-reminder.eml"]
    assert "LOOKALIKE_DOMAIN" in ids(r)
