"""policy_violation: require_auth enforced at our boundary, pay only accounts on file; and the
partner's bank-change procedure shown with a bank change from them.

Positive cases per mechanism, the named exclusions, the seed incident with Partner B's
policy set, and real legitimate mail (the public corpus) with its own senders as partners.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caveat.checks.findings import Verdict
from caveat.checks.policy_violation import (
    BANNER_ROOM,
    bank_change_procedure,
    policy_violation,
)
from caveat.engine.catalogue import BANNER_MAX, banner_length
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import COLUMNS, parse_partners_csv
from caveat.knowledge.shared import (
    Confirmation,
    Indicator,
    SharedKnowledge,
    account_ref,
    verified_key,
)
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import FSI, LRM, PDI
from caveat.mail.normalise import from_payload, from_raw
from caveat.reference.bank_identifiers import account_key

from ..corpus import HAM, messages

ENGINE = Engine()
CONFIG = EngineConfig.build(
    internal_domains=["buyer.example"], trusted_authserv_ids=["mx.buyer.example"]
)
HEADER = ",".join(COLUMNS)
GB_ON_FILE = "GB29 NWBK 6016 1331 9268 19"
GB_NEW = "GB60 BARC 2000 0055 7799 11"
PROCEDURE = (
    "Bank changes only by signed letter on letterhead, confirmed by a call to the treasury "
    "desk on the number on file."
)
PARTNERS = f"""\
{HEADER}
Strict Metals,strict.example,Sam Reed,sam.reed@strict.example,+44 1,{GB_ON_FILE},spf;dkim;dmarc,,
Spf Only,spfonly.example,,,,,spf,,
Dkim Only,dkimonly.example,,,,,dkim,,
Dmarc Only,dmarconly.example,,,,,dmarc,,
Relaxed Ltd,relaxed.example,,,,{GB_ON_FILE},,,
Payonly Ltd,payonly.example,Pia Lund,pia@payonly.example,+44 2,{GB_ON_FILE},,,yes
Procedure Ltd,procedure.example,Paul Roy,paul@procedure.example,+44 3,{GB_ON_FILE},,"{PROCEDURE}",
Both Ltd,both.example,Bo Berg,bo@both.example,+44 4,{GB_ON_FILE},,"{PROCEDURE}",yes
Noaccounts Ltd,noaccounts.example,,,,,,"{PROCEDURE}",
Newonly Ltd,newonly.example,,,,,,"{PROCEDURE}",yes
Contacts Only,,Cy Moss,cy@contactsonly.example,+44 5,,spf,,
Freemail Only,,Di Lane,di.lane@gmail.com,+44 6,,spf,,
"""
DIRECTORY = Directory(
    parse_partners_csv(PARTNERS).partners,
    internal_domains=CONFIG.internal_domains,
    freemail=CONFIG.freemail,
)
CTX = Context(config=CONFIG, directory=DIRECTORY)

ALIGNED = {
    "spf": "spf=pass smtp.mailfrom={d}",
    "dkim": "dkim=pass header.d={d}",
    "dmarc": "dmarc=pass header.from={d}",
}


def facts_of(results: str | None, sender: str, extra: str = "", body: str = ""):  # type: ignore[no-untyped-def]
    headers = extra
    if results is not None:
        headers = f"Authentication-Results: mx.buyer.example; {results}\n" + headers
    return from_payload(
        {
            "headers": headers,
            "from": {"name": "", "address": sender},
            "subject": "Invoice 2026-118",
            "body": body,
        }
    )


def policy_ids(results: str | None, sender: str, ctx: Context = CTX, extra: str = "") -> list[str]:
    return [h.id for h in policy_violation(facts_of(results, sender, extra), ctx)]


def verdict(body: str, sender: str, results: str | None = None) -> Verdict:
    d = sender.rsplit("@", 1)[1]
    if results is None:  # authentication passes: only the bank policies are at stake
        results = "; ".join(v.format(d=d) for v in ALIGNED.values())
    return ENGINE.analyze(facts_of(results, sender, body=body), CTX)


def strip_isolates(text: str) -> str:
    """A rendered text without the bidi isolates around its filled values."""
    return text.replace(FSI, "").replace(PDI, "").replace(LRM, "")


def ids(v: Verdict) -> set[str]:
    return {f.id for f in v.findings}


# ------------------------------------------------------------------ require_auth


def test_every_required_method_passing_aligned_is_quiet() -> None:
    results = "; ".join(v.format(d="strict.example") for v in ALIGNED.values())
    assert policy_ids(results, "sam.reed@strict.example") == []
    # a subdomain of the partner's passes for it (relaxed alignment), and mail from a
    # subdomain of the partner's domain is the partner's
    results = "; ".join(v.format(d="mail.strict.example") for v in ALIGNED.values())
    assert policy_ids(results, "billing@eu.strict.example") == []


@pytest.mark.parametrize(
    ("sender", "results", "missing"),
    [
        # spf: failed, soft-failed, passed for another domain, absent
        ("a@spfonly.example", "spf=fail smtp.mailfrom=spfonly.example", "SPF"),
        ("a@spfonly.example", "spf=softfail smtp.mailfrom=spfonly.example", "SPF"),
        ("a@spfonly.example", "spf=pass smtp.mailfrom=relay.example", "SPF"),
        ("a@spfonly.example", "dkim=pass header.d=spfonly.example", "SPF"),
        # dkim: not signed, broken, signed by someone else (an ESP's own domain)
        ("a@dkimonly.example", "dkim=none; spf=pass smtp.mailfrom=dkimonly.example", "DKIM"),
        ("a@dkimonly.example", "dkim=fail header.d=dkimonly.example", "DKIM"),
        ("a@dkimonly.example", "dkim=pass header.d=esp-mailer.example", "DKIM"),
        # dmarc: failed, none, passed for another From than this one
        ("a@dmarconly.example", "dmarc=fail header.from=dmarconly.example", "DMARC"),
        ("a@dmarconly.example", "dmarc=none header.from=dmarconly.example", "DMARC"),
        ("a@dmarconly.example", "spf=pass smtp.mailfrom=dmarconly.example", "DMARC"),
        ("a@dmarconly.example", "dmarc=pass header.from=elsewhere.example", "DMARC"),
        # all three required, one missing
        (
            "sam.reed@strict.example",
            "spf=pass smtp.mailfrom=strict.example; dkim=none; dmarc=pass "
            "header.from=strict.example",
            "DKIM",
        ),
        (
            "sam.reed@strict.example",
            "spf=softfail smtp.mailfrom=strict.example; dkim=none; dmarc=fail",
            "SPF, DKIM and DMARC",
        ),
    ],
)
def test_a_required_method_without_an_aligned_pass_is_a_violation(
    sender: str, results: str, missing: str
) -> None:
    [hit] = policy_violation(facts_of(results, sender), CTX)
    assert hit.id == "POLICY_AUTH_REQUIRED"
    assert hit.params["missing"] == missing
    values = [(e.header, e.value) for e in hit.evidence]
    assert ("Authentication-Results", f"mx.buyer.example; {results}") in values


@pytest.mark.parametrize(
    ("sender", "results"),
    [
        ("a@spfonly.example", "spf=pass smtp.mailfrom=spfonly.example"),
        ("a@spfonly.example", "spf=pass smtp.mailfrom=bounces.spfonly.example; dkim=none"),
        ("a@dkimonly.example", "dkim=pass header.d=dkimonly.example; spf=fail"),
        ("a@dkimonly.example", "dkim=fail header.d=x.example; dkim=pass header.d=dkimonly.example"),
        ("a@dmarconly.example", "dmarc=pass header.from=dmarconly.example; spf=softfail"),
        ("a@dmarconly.example", "dmarc=pass; dkim=none"),
    ],
)
def test_the_required_pass_being_there_is_quiet(sender: str, results: str) -> None:
    assert policy_ids(results, sender) == []


def test_no_results_from_our_boundary_cannot_prove_the_policy() -> None:
    # a header by someone else's server, claiming everything passed, is not ours
    forged = "Authentication-Results: mx.forger.example; spf=pass smtp.mailfrom=spfonly.example\n"
    [hit] = policy_violation(facts_of(None, "a@spfonly.example", forged), CTX)
    assert hit.id == "POLICY_AUTH_REQUIRED"
    assert ("Authentication-Results", "none written by our own mail boundary") in [
        (e.header, e.value) for e in hit.evidence
    ]
    # nothing configured at all: said so, still a violation
    bare = Context(directory=DIRECTORY)
    [hit] = policy_violation(facts_of(None, "a@spfonly.example", forged), bare)
    assert "no mail boundary is configured" in " ".join(e.value for e in hit.evidence)


def test_a_forged_pass_below_our_boundary_does_not_count() -> None:
    # The sender wrote a passing header of our authserv-id; ours is added on top of it.
    extra = "Authentication-Results: mx.buyer.example; spf=pass smtp.mailfrom=spfonly.example\n"
    found = policy_ids("spf=fail smtp.mailfrom=spfonly.example", "a@spfonly.example", extra=extra)
    assert found == ["POLICY_AUTH_REQUIRED"]


def test_partners_without_the_policy_and_our_own_mail_are_quiet() -> None:
    assert policy_ids("spf=fail; dkim=none; dmarc=fail", "a@relaxed.example") == []
    assert policy_ids("spf=fail; dkim=none; dmarc=fail", "a@unknown.example") == []
    assert policy_ids("spf=fail; dkim=none; dmarc=fail", "a@buyer.example") == []  # ours


def test_a_partner_listed_by_its_contacts_addresses_alone() -> None:
    # its own domain, not in the domain column: the listed contact's mail must pass
    assert policy_ids("spf=fail smtp.mailfrom=contactsonly.example", "cy@contactsonly.example") == [
        "POLICY_AUTH_REQUIRED"
    ]
    assert (
        policy_ids("spf=pass smtp.mailfrom=contactsonly.example", "cy@contactsonly.example") == []
    )
    # a free-mail contact: SPF for the provider says nothing about the partner
    assert policy_ids("spf=fail smtp.mailfrom=gmail.com", "di.lane@gmail.com") == []


def test_list_mail_relayed_by_a_known_lists_own_server_is_quiet() -> None:
    # our own list server relays a partner's post; its footer broke the partner's signature
    ours = "List-Id: Metals forum <forum.lists.buyer.example>\n"
    relayed = "spf=pass smtp.mailfrom=lists.buyer.example; dkim=fail header.d=strict.example"
    assert policy_ids(relayed, "sam.reed@strict.example", extra=ours) == []
    # list marks the sender wrote, with no pass for the list's server: not excused
    unvouched = "spf=fail smtp.mailfrom=strict.example; dkim=none"
    assert policy_ids(unvouched, "sam.reed@strict.example", extra=ours) == ["POLICY_AUTH_REQUIRED"]
    # a "list" of the impostor's own domain, which passes for itself: not excused either
    theirs = "List-Id: Forum <forum.impostor.example>\n"
    own_pass = "spf=pass smtp.mailfrom=impostor.example; dkim=pass header.d=impostor.example"
    assert policy_ids(own_pass, "sam.reed@strict.example", extra=theirs) == ["POLICY_AUTH_REQUIRED"]


def test_the_violation_is_danger_with_a_banner_naming_the_partner() -> None:
    v = ENGINE.analyze(
        facts_of("spf=softfail smtp.mailfrom=strict.example", "sam.reed@strict.example"), CTX
    )
    assert v.level == "danger"
    assert v.banner is not None and banner_length(v.banner.text) <= BANNER_MAX
    text = strip_isolates(v.banner.text)
    assert text.startswith("Strict Metals agreed its mail passes SPF, DKIM and DMARC")
    [f] = [f for f in v.findings if f.id == "POLICY_AUTH_REQUIRED"]
    assert f.check == "policy_violation" and f.severity == "danger"


# ---------------------------------------------------- the seed, with Partner B's policy


SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"


def seed_context(require_auth: str) -> Context:
    text = (SEED.parent / "directory" / "seed-partners.csv").read_text("utf-8")
    text = text.replace(
        "DE89 3704 0044 0532 0130 00,", f"DE89 3704 0044 0532 0130 00,{require_auth}"
    )
    config = EngineConfig.build(internal_domains=["partnera.example"], trust_microsoft=True)
    partners = parse_partners_csv(text).partners
    directory = Directory(
        partners, internal_domains=config.internal_domains, freemail=config.freemail
    )
    return Context(config=config, directory=directory)


@pytest.mark.parametrize("require", ["spf;dkim;dmarc", "dmarc", "dkim", "spf"])
def test_the_seeds_relayed_replies_break_partner_bs_policy(require: str) -> None:
    ctx = seed_context(require)
    for name in ("02-fake-reply-via-relay.eml", "03-compromised-server.eml"):
        v = ENGINE.analyze(from_raw((SEED / name).read_bytes()), ctx)
        assert "POLICY_AUTH_REQUIRED" in ids(v), (name, require)
        assert v.level == "danger"
    # Partner B's real reply passes everything at Partner A's boundary
    v = ENGINE.analyze(from_raw((SEED / "05-real-reply-partner-b.eml").read_bytes()), ctx)
    assert not ids(v) & {"POLICY_AUTH_REQUIRED", "POLICY_ACCOUNT_NOT_ON_FILE"}
    # Partner C requires all three; its hijacked account passes them (the seed's case 04):
    # the policy cannot catch that, the bank and Reply-To checks do
    v = ENGINE.analyze(from_raw((SEED / "04-compromised-account-partner-c.eml").read_bytes()), ctx)
    assert "POLICY_AUTH_REQUIRED" not in ids(v)


# ------------------------------------------------------------------ pay only accounts on file


NEW_ACCOUNT = f"Please note that our bank details have changed. New IBAN: {GB_NEW}."
INVOICE_NEW = f"Please find invoice 2026-118 attached. Payment to IBAN {GB_NEW}."
INVOICE_ON_FILE = f"Please find invoice 2026-118 attached. Payment to IBAN {GB_ON_FILE}."


@pytest.mark.parametrize("body", [NEW_ACCOUNT, INVOICE_NEW])
def test_pay_only_on_file_makes_another_account_danger(body: str) -> None:
    v = verdict(body, "pia@payonly.example")
    assert "POLICY_ACCOUNT_NOT_ON_FILE" in ids(v)
    assert v.level == "danger"
    [f] = [f for f in v.findings if f.id == "POLICY_ACCOUNT_NOT_ON_FILE"]
    shown = " ".join(strip_isolates(e.value) for e in f.evidence)
    assert "GB60" in shown and "7799 11" not in shown  # masked
    assert "agreed that only accounts on file are paid" in shown


def test_an_account_on_file_stays_quiet_under_pay_only() -> None:
    v = verdict(INVOICE_ON_FILE, "pia@payonly.example")
    assert not ids(v) & {"POLICY_ACCOUNT_NOT_ON_FILE", "BANK_DETAILS_CHANGED"}
    assert v.level in ("none", "info")


def test_without_the_policy_an_invoice_account_stays_a_note() -> None:
    v = verdict(INVOICE_NEW, "a@relaxed.example")
    assert "POLICY_ACCOUNT_NOT_ON_FILE" not in ids(v)
    assert "BANK_DETAILS_CHANGED" in ids(v)  # an account on file exists: the bank check's own


def test_a_lookalike_claiming_a_pay_only_partner_breaks_the_policy_too() -> None:
    v = verdict(
        NEW_ACCOUNT, "pia@pay0nly.example", results="spf=pass smtp.mailfrom=pay0nly.example"
    )
    assert {"POLICY_ACCOUNT_NOT_ON_FILE", "BANK_DETAILS_CHANGED"} <= ids(v)


def test_mail_without_bank_details_is_not_read_for_the_policy() -> None:
    v = verdict("Thanks for the call, see you on Monday.", "pia@payonly.example")
    assert not ids(v)


# ------------------------------------------------------------------ the bank-change procedure


def test_the_procedure_is_in_the_banner_of_a_bank_change() -> None:
    v = verdict(NEW_ACCOUNT, "paul@procedure.example")
    assert v.level == "danger"
    assert "BANK_CHANGE_PROCEDURE" in ids(v)
    assert v.banner is not None and banner_length(v.banner.text) <= BANNER_MAX
    text = strip_isolates(v.banner.text)
    assert text.startswith("Do not pay yet. Procedure Ltd's agreed procedure for bank changes:")
    assert "signed letter" in text
    [f] = [f for f in v.findings if f.id == "BANK_CHANGE_PROCEDURE"]
    assert PROCEDURE in strip_isolates(f.explanation)  # whole, one click away
    assert f.check == "bank_details_change"


def test_with_pay_only_the_procedure_speaks_for_the_message() -> None:
    v = verdict(INVOICE_NEW, "bo@both.example")
    assert {"BANK_CHANGE_PROCEDURE", "POLICY_ACCOUNT_NOT_ON_FILE"} <= ids(v)
    assert v.banner is not None
    assert "signed letter" in strip_isolates(v.banner.text)


def test_pay_only_makes_an_unverified_account_a_danger_with_the_procedure() -> None:
    # no account on file, no request: a note for the bank check, a violation of pay-only
    v = verdict(INVOICE_NEW, "a@newonly.example")
    assert {"BANK_DETAILS_UNVERIFIED", "POLICY_ACCOUNT_NOT_ON_FILE"} <= ids(v)
    assert "BANK_CHANGE_PROCEDURE" in ids(v) and "BANK_CHANGE_PROCEDURE_NOTE" not in ids(v)
    assert v.level == "danger"
    assert v.banner is not None
    assert strip_isolates(v.banner.text).startswith("Do not pay yet. Newonly Ltd's agreed")


def test_a_note_level_account_gets_the_procedure_as_a_note() -> None:
    # no account on file and no request: the bank check's note, with the procedure
    v = verdict(INVOICE_NEW, "a@noaccounts.example")
    assert "BANK_DETAILS_UNVERIFIED" in ids(v)
    assert "BANK_CHANGE_PROCEDURE_NOTE" in ids(v)
    assert v.level == "info"
    assert v.banner is not None
    assert strip_isolates(v.banner.text).startswith(
        "Noaccounts Ltd's agreed procedure for bank changes:"
    ) or "not on file" in strip_isolates(v.banner.text)


def test_no_procedure_without_a_bank_change() -> None:
    assert "BANK_CHANGE_PROCEDURE" not in ids(verdict(INVOICE_ON_FILE, "paul@procedure.example"))
    assert not ids(verdict("See you on Monday.", "paul@procedure.example"))


@pytest.mark.parametrize(
    "organisation", ["Ab", "Procedure Ltd", "Nordwind Logistik GmbH & Co. KG", "N" * 40]
)
def test_a_long_procedure_is_cut_to_fit_the_banner(organisation: str) -> None:
    procedure = ("Changes only in writing, signed by two directors, sent by post, " * 6)[:300]
    text = f'{HEADER}\n"{organisation}",cut.example,,,,{GB_ON_FILE},,"{procedure}",\n'
    directory = Directory(parse_partners_csv(text).partners, freemail=CONFIG.freemail)
    ctx = Context(config=CONFIG, directory=directory)
    results = "; ".join(v.format(d="cut.example") for v in ALIGNED.values())
    v = ENGINE.analyze(facts_of(results, "a@cut.example", body=NEW_ACCOUNT), ctx)
    assert v.banner is not None
    assert banner_length(v.banner.text) <= BANNER_MAX
    # the procedure's banner, not the bank finding's: BANNER_ROOM matches the catalogue
    assert strip_isolates(v.banner.text).startswith("Do not pay yet."), v.banner.text
    assert strip_isolates(v.banner.text).endswith("…")
    assert len(organisation) <= BANNER_ROOM


def test_the_procedure_check_is_quiet_without_bank_policies() -> None:
    plain = Directory(parse_partners_csv(f"{HEADER}\nA,a.example,,,,{GB_ON_FILE},,,\n").partners)
    ctx = Context(config=CONFIG, directory=plain)
    facts = facts_of(None, "x@a.example", body=NEW_ACCOUNT)
    assert bank_change_procedure(facts, ctx) == []
    assert policy_violation(facts, ctx) == []


# ------------------------------------------------------------------ real legitimate mail


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_real_mail_with_its_senders_paid_only_on_file_stays_quiet(name: str) -> None:
    """Each dataset's 30 most frequent sender domains become partners with an account on
    file that no message quotes, pay only on file and a procedure: no policy finding and no
    procedure may appear on real mail."""
    msgs = list(messages(name))
    top = Counter(f.author.domain for _, f in msgs if f.author and f.author.domain)
    rows = [
        f'Org {i},{d},,,,{GB_ON_FILE},,"{PROCEDURE}",yes'
        for i, (d, _) in enumerate(top.most_common(30))
        if d not in CONFIG.freemail
    ]
    directory = Directory(
        parse_partners_csv(HEADER + "\n" + "\n".join(rows) + "\n").partners,
        freemail=CONFIG.freemail,
    )
    ctx = Context(config=CONFIG, directory=directory)
    loud = [
        (file, h.id)
        for file, facts in msgs
        for h in (*policy_violation(facts, ctx), *bank_change_procedure(facts, ctx))
    ]
    assert loud == []


@pytest.mark.corpus
def test_real_list_mail_whose_senders_domain_signed_passes_a_dkim_policy() -> None:
    """list_usrp_users with the list host's boundary trusted (the one that wrote its
    results) and every frequent sender domain requiring DKIM: a message whose signature of
    its own domain verified there is quiet; the ones the list's footer broke are what the
    policy is about (counted, not asserted)."""
    config = EngineConfig.build(trusted_authserv_ids=["mm2.emwd.com"])
    msgs = list(messages("list_usrp_users"))
    top = Counter(f.author.domain for _, f in msgs if f.author and f.author.domain)
    rows = [
        f"Org {i},{d},,,,,dkim,,"
        for i, (d, _) in enumerate(top.most_common(30))
        if d not in config.freemail
    ]
    directory = Directory(
        parse_partners_csv(HEADER + "\n" + "\n".join(rows) + "\n").partners,
        freemail=config.freemail,
    )
    ctx = Context(config=config, directory=directory)
    signed = fired = 0
    for _file, facts in msgs:
        a = facts.author
        if a is None or directory.partner_of_domain(a.domain) is None:
            continue
        auth = trusted_auth(facts, config)
        hits = policy_violation(facts, ctx)
        if auth is not None and auth.dkim_aligned_pass(a.domain):
            signed += 1
            assert hits == [], _file
        elif hits:
            fired += 1
    assert signed >= 10


def test_an_account_verified_by_phone_is_still_not_on_file_for_pay_only() -> None:
    key = b"k" * 32
    ref = account_ref(key, account_key(GB_NEW))
    confirmations = (
        Confirmation("Finance One", datetime(2026, 12, 1, tzinfo=UTC)),
        Confirmation("Finance Two", datetime(2026, 12, 2, tzinfo=UTC)),
    )
    knowledge = SharedKnowledge(
        account_key=key,
        verified_accounts={
            verified_key("payonly ltd", ref): confirmations,
            verified_key("relaxed ltd", ref): confirmations,
        },
    )
    ctx = Context(config=CONFIG, directory=DIRECTORY, knowledge=knowledge)
    results = "; ".join(v.format(d="payonly.example") for v in ALIGNED.values())
    v = ENGINE.analyze(facts_of(results, "pia@payonly.example", body=NEW_ACCOUNT), ctx)
    assert {"BANK_DETAILS_VERIFIED", "POLICY_ACCOUNT_NOT_ON_FILE"} <= ids(v)
    assert v.level == "danger"
    [f] = [f for f in v.findings if f.id == "POLICY_ACCOUNT_NOT_ON_FILE"]
    assert "GB60" in strip_isolates(f.title + f.explanation)
    # without the policy, the verified account is the note it was
    results = "; ".join(v.format(d="relaxed.example") for v in ALIGNED.values())
    v = ENGINE.analyze(facts_of(results, "a@relaxed.example", body=NEW_ACCOUNT), ctx)
    assert "POLICY_ACCOUNT_NOT_ON_FILE" not in ids(v)
    assert "BANK_DETAILS_VERIFIED" in ids(v)


def test_with_a_known_fraud_account_the_procedure_is_a_note() -> None:
    key = b"k" * 32
    ref = account_ref(key, account_key(GB_NEW))
    mule = Indicator(
        1,
        "account",
        ref,
        "GB60 …7799 11",
        "",
        "import",
        "an ISAC list",
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    knowledge = SharedKnowledge(indicators={"account": {ref: (mule,)}}, account_key=key)
    ctx = Context(config=CONFIG, directory=DIRECTORY, knowledge=knowledge)
    results = "; ".join(v.format(d="procedure.example") for v in ALIGNED.values())
    v = ENGINE.analyze(facts_of(results, "paul@procedure.example", body=NEW_ACCOUNT), ctx)
    assert {"REPORTED_ACCOUNT", "BANK_CHANGE_PROCEDURE_NOTE"} <= ids(v)
    assert "BANK_CHANGE_PROCEDURE" not in ids(v)
    assert v.level == "danger"
    # the procedure does not speak for a message that carries known fraud
    assert v.banner is not None
    assert not strip_isolates(v.banner.text).startswith("Do not pay yet.")
