"""BANK_DETAILS_VERIFIED: an account colleagues confirmed by telephone for this partner
replaces the unknown-account warning for that account only, and only for the partner's own
mail; whatever else is wrong with the message keeps it at danger.

Positive cases, then what must stay loud, then real legitimate mail (the public corpus):
verified accounts in the shared knowledge change nothing for messages that do not name
them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from types import MappingProxyType

import pytest

from caveat.checks.bank_details_change import bank_details_change
from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import organization_key, parse_partners_csv
from caveat.knowledge.shared import Confirmation, SharedKnowledge, account_ref, verified_key
from caveat.mail.normalise import from_raw
from caveat.reference.bank_identifiers import account_key

from ..corpus import HAM, messages
from .test_bank_details_change import (
    CHANGE,
    CONFIG,
    DIRECTORY,
    GB_NEW,
    GB_OTHER,
    PARTNERS,
    SUPPLIER,
    bank,
    ids,
)

ENGINE = Engine()
KEY = bytes(range(32))
CONFIRMED = (
    Confirmation("Finn Ledger <fin@buyer.example>", datetime(2026, 2, 26, 10, 0, tzinfo=UTC)),
    Confirmation("Ana Example <ana@buyer.example>", datetime(2026, 2, 27, 15, 30, tzinfo=UTC)),
)


def knowing(*verified: tuple[str, str]) -> SharedKnowledge:
    """Shared knowledge in which each (organisation, account) was verified by two people."""
    return SharedKnowledge(
        version=1,
        verified_accounts=MappingProxyType(
            {
                verified_key(organization_key(org), account_ref(KEY, account_key(acct))): CONFIRMED
                for org, acct in verified
            }
        ),
        account_key=KEY,
    )


VERIFIED_NEW = knowing(("Supplier Ltd", GB_NEW))


def analyse(
    body: str,
    knowledge: SharedKnowledge = VERIFIED_NEW,
    sender: str = SUPPLIER,
    extra: str = "",
    directory: Directory = DIRECTORY,
) -> Verdict:
    raw = (
        f"From: {sender}\nTo: AP <ap@buyer.example>\nSubject: Invoice 2026-118\n"
        f"Message-ID: <m1@x.example>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n{extra}"
        f'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n{body}\n'
    )
    ctx = Context(config=CONFIG, directory=directory, knowledge=knowledge)
    return ENGINE.analyze(from_raw(raw.encode()), ctx)


def finding(v: Verdict, fid: str):  # type: ignore[no-untyped-def]
    return next(f for f in v.findings if f.id == fid)


# ------------------------------------------------------------------ verified


def test_a_verified_account_from_the_partner_says_who_confirmed_it_and_when() -> None:
    body = f"{CHANGE} Please pay invoice 2026-118 to IBAN {GB_NEW}."
    assert analyse(body, knowledge=SharedKnowledge()).level == "danger"  # unverified
    v = analyse(body)
    assert bank(v) == {"BANK_DETAILS_VERIFIED"}
    assert v.level == "info"
    assert v.banner is not None and "by 2 colleagues" in v.banner.text
    f = finding(v, "BANK_DETAILS_VERIFIED")
    assert f.severity == "info"
    assert "GB60 **** 9911" in f.title
    assert "Finn Ledger" in f.explanation and "2026-02-27" in f.explanation
    [account] = [e for e in f.evidence if e.header == "Account"]
    assert "verified for" in account.value and "Supplier Ltd" in account.value
    assert "Finn Ledger <fin@buyer.example>" in account.value and "(2026-02-26)" in account.value
    assert account.ref == account_ref(KEY, account_key(GB_NEW))
    assert account.to_dict()["ref"] == account.ref
    assert GB_NEW.replace(" ", "") not in str(v.to_dict())  # masked, never in clear


def test_the_unverified_account_finding_carries_the_ref_a_verification_names() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_OTHER}")
    f = finding(v, "BANK_DETAILS_CHANGED")
    [account] = [e for e in f.evidence if e.header == "Account"]
    assert account.ref == account_ref(KEY, account_key(GB_OTHER))
    # without a key (a scan with no store) there is no ref, and the evidence is as before
    v = analyse(f"{CHANGE} IBAN {GB_OTHER}", knowledge=SharedKnowledge())
    [account] = [e for e in finding(v, "BANK_DETAILS_CHANGED").evidence if e.header == "Account"]
    assert account.ref == "" and "ref" not in account.to_dict()


def test_an_invoice_naming_a_verified_account_without_asking_is_a_note_too() -> None:
    v = analyse(f"Invoice 2026-118 attached. IBAN {GB_NEW}.")
    assert bank(v) == {"BANK_DETAILS_VERIFIED"} and v.level == "info"


# ------------------------------------------------------------------ stays loud


def test_another_new_account_beside_a_verified_one_is_still_new() -> None:
    v = analyse(f"{CHANGE} Pay IBAN {GB_NEW} or IBAN {GB_OTHER}.")
    assert "BANK_DETAILS_CHANGED" in bank(v) and v.level == "danger"
    f = finding(v, "BANK_DETAILS_CHANGED")
    assert "GB82 **** 5432" in f.banner  # the account nobody verified
    assert any("verified for" in e.value for e in f.evidence)


def test_verified_for_another_partner_is_not_verified_for_this_one() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", knowledge=knowing(("New Partner", GB_NEW)))
    assert "BANK_DETAILS_CHANGED" in bank(v) and v.level == "danger"


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ("Reply-To: Oliver <oliver.uk@gmail.com>\n", "REPLYTO_FREEMAIL"),
        (
            "Received: by webmail.relay.example (Authenticated sender:\n"
            " someone@compromised.example, from: oliver.hughes@supplier-uk.example)\n"
            " with HTTP; Mon, 2 Mar 2026 08:59:00 +0000\n",
            "RELAY_AUTH_SENDER_MISMATCH",
        ),
        (
            "Authentication-Results: mx.buyer.example; spf=fail "
            "smtp.mailfrom=supplier-uk.example; dkim=none; dmarc=fail (p=none) "
            "header.from=supplier-uk.example\n",
            "AUTH_DMARC_FAIL_POLICY_NONE",
        ),
    ],
)
def test_a_diverted_relayed_or_unauthenticated_message_stays_danger(extra: str, why: str) -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", extra=extra)
    assert why in ids(v), ids(v)
    assert "BANK_DETAILS_VERIFIED" in ids(v)
    assert "BEC_BANK_VERIFIED_UNTRUSTED" in ids(v)
    assert v.level == "danger"
    assert v.banner is not None and "verified" in v.banner.text
    # and the verified account never makes such a message quieter than before
    before = analyse(f"{CHANGE} IBAN {GB_NEW}", extra=extra, knowledge=SharedKnowledge())
    assert before.level == "danger"


@pytest.mark.parametrize(
    "sender",
    [
        # a look-alike of the partner's domain
        "Oliver Hughes <oliver.hughes@supplier-uk.example.co>",
        "Oliver Hughes <oliver.hughes@suppl1er-uk.example>",
        # the partner's contact's name on free mail
        "Oliver Hughes <oliver.hughes.supplier@gmail.com>",
    ],
)
def test_an_impostor_of_the_partner_gets_no_credit_from_its_verified_account(
    sender: str,
) -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", sender=sender)
    assert "BANK_DETAILS_VERIFIED" not in ids(v)
    assert v.level == "danger", ids(v)


def test_an_unknown_sender_naming_the_account_gets_no_credit() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", sender="Pay Desk <pay@unknown-corp.example>")
    assert "BANK_DETAILS_VERIFIED" not in ids(v)
    assert "BANK_DETAILS_CHANGE_REQUEST" in ids(v)


# ------------------------------------------------------------------ real legitimate mail


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_verified_accounts_change_nothing_for_real_mail_that_does_not_name_them(
    name: str,
) -> None:
    """Each dataset's frequent sender domains become partners, each with a verified
    account no message names: the bank check's findings stay exactly what they were."""
    msgs = list(messages(name))
    top = Counter(f.author.domain for _, f in msgs if f.author and f.author.domain)
    orgs = [(f"Org {i}", d) for i, (d, _) in enumerate(top.most_common(30))]
    rows = [f"{org},{d},,,,," for org, d in orgs if d not in CONFIG.freemail]
    csv = PARTNERS.splitlines()[0] + "\n" + "\n".join(rows) + "\n"
    directory = Directory(parse_partners_csv(csv).partners, freemail=CONFIG.freemail)
    plain = Context(config=CONFIG, directory=directory)
    verified = Context(
        config=CONFIG,
        directory=directory,
        knowledge=knowing(*[(org, GB_NEW) for org, _ in orgs]),
    )
    changed = []
    for file, facts in msgs:
        before = [h.id for h in bank_details_change(facts, plain)]
        after = [h.id for h in bank_details_change(facts, verified)]
        if before != after:
            changed.append((file, before, after))
    assert changed == []
