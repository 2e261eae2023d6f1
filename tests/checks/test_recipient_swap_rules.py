"""recipient_swap, two rules through the real memory:

* a bare address with the user name the conversation knew, under a domain that imitates
  the one it knew (``jane@partner-example.com`` for ``jane@partner.example``), and domains
  that spell another out, which the look-alike index leaves alone for generic words such as
  "partner";
* back_on_file: after a fake message put someone at a free-mail address, their real
  address (on file in the directory) is not a swap; the reverse still is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caveat.checks.findings import Verdict
from caveat.checks.recipient_swap import spells_out
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw
from caveat.service.analysis import Analyzer
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

START = """
From: Jane Roe <jane@partner.example>
To: Bo Lind <bo@ours.example>
Cc: accounts@partner.example
Subject: Invoice 1042
Message-ID: <m1@partner.example>
"""


def reply(cc: str) -> str:
    return f"""
From: Max Muster <max@partner.example>
To: Bo Lind <bo@ours.example>
Cc: {cc}
Subject: RE: Invoice 1042
Message-ID: <m2@partner.example>
In-Reply-To: <m1@partner.example>
"""


PARTNERS = """\
organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth
Partner B,partnerb.example,Felix Brandt,felix.brandt@partnerb.example,+49 2,,
"""


def run(*messages: str) -> list[Verdict]:
    store = Store.from_url("sqlite://")
    store.upgrade()
    DirectoryStore(store).import_partners(parse_partners_csv(PARTNERS).partners)
    analyzer = Analyzer(Engine(), EngineConfig.build(internal_domains=["ours.example"]), store)
    out = []
    for i, m in enumerate(messages):
        raw = (m.strip() + "\n\nhello\n").encode()
        out.append(analyzer.analyze(from_raw(raw), now=T0 + timedelta(hours=i)))
    store.dispose()
    return out


def swaps(v: Verdict) -> dict[str, list[str]]:
    return {f.id: [e.value for e in f.evidence] for f in v.findings if f.check == "recipient_swap"}


@pytest.mark.parametrize(
    "cc",
    [
        "jane@partner-example.com",
        "<jane@partnerexample.net>",
        "accounts@partner-example.com",
        "jane@partner.example.attacker.example",
        "Jane Roe <jane@partner-example.com>",
        "Jane Roe <j.roe@partner-example.com>",
    ],
)
def test_the_same_mailbox_under_a_look_alike_is_a_swap(cc: str) -> None:
    found = swaps(run(START, reply(cc))[-1])
    assert list(found) == ["RECIPIENT_SWAP_LOOKALIKE"], found
    assert found["RECIPIENT_SWAP_LOOKALIKE"][0].endswith("(look-alike of partner.example)")


@pytest.mark.parametrize(
    "cc",
    [
        "jane@gmail.com",  # a user name alone at free mail is somebody else
        "jane@other-firm.example",  # and at another company too
        "accounts@partner.example",  # the same address
        "jane@billing.partner.example",  # the same organisation
        "accounts@partnership.example",  # a longer word, not the domain written out
    ],
)
def test_a_user_name_alone_is_not_a_person(cc: str) -> None:
    assert swaps(run(START, reply(cc))[-1]) == {}


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        ("partner-example.com", "partner.example", True),
        ("partnerexample.net", "partner.example", True),
        ("pay-partner-example.com", "partner.example", True),
        ("partner-example.com", "mail.partner.example", True),
        ("acme-co-uk.com", "acme.co.uk", True),
        ("acmecompany.net", "acme.com", False),  # a longer word
        ("partner-examples.com", "partner.example", False),
        ("partner.example", "partner.example", False),  # the same domain
        ("mail.partner.example", "partner.example", False),  # its own sub-domain
        ("ab-de.com", "ab.de", False),  # too short to mean anything
        ("", "partner.example", False),
    ],
)
def test_spells_out(new: str, old: str, expected: bool) -> None:
    assert spells_out(new, old) is expected


FIRST = """
From: Anna Keller <anna.keller@ours.example>
To: Felix Brandt <felix.brandt@partnerb.example>
Subject: Invoice 2024-1187
Message-ID: <a1@ours.example>
"""
FAKE = """
From: Felix Brandt <felix.brandt.partnerb@gmail.com>
To: Anna Keller <anna.keller@ours.example>
Subject: RE: Invoice 2024-1187
Message-ID: <f1@gmail.com>
"""
REAL = """
From: Felix Brandt <felix.brandt@partnerb.example>
To: Anna Keller <anna.keller@ours.example>
Subject: RE: Invoice 2024-1187
Message-ID: <r1@partnerb.example>
In-Reply-To: <a1@ours.example>
"""


def test_the_real_address_after_a_fake_one_is_not_a_swap() -> None:
    """The fake reply came first in this thread's memory (a new thread it started)."""
    fake, real = run(
        FAKE, REAL.replace("In-Reply-To: <a1@ours.example>", "In-Reply-To: <f1@gmail.com>")
    )
    assert "FREEMAIL_KNOWN_NAME" in {f.id for f in fake.findings}
    assert swaps(real) == {}


def test_the_fake_address_after_the_real_one_still_is() -> None:
    fake = run(FIRST, FAKE.replace("Message-ID: <f1@gmail.com>", "In-Reply-To: <a1@ours.example>"))[
        -1
    ]
    assert list(swaps(fake)) == ["RECIPIENT_SWAP_FREEMAIL"]
