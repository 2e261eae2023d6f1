"""recipient_swap, freemail_impersonation and first_contact through the real memory.

Each test runs messages through one Analyzer on a throw-away store, as `caveat scan` and
the API do, and looks at what the last message produced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw
from caveat.service.analysis import Analyzer
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store

from ..corpus import HAM, dataset

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PARTNERS = """\
organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth
Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,
Acme,acme.example,Felix Brandt,felix.brandt@acme.example,+49 2,,
Solo Supplier,,Sam Solo,sam.solo@gmail.com,+49 3,,
"""


def run(*messages: str, directory: bool = True) -> list[Verdict]:
    store = Store.from_url("sqlite://")
    store.upgrade()
    if directory:
        DirectoryStore(store).import_partners(parse_partners_csv(PARTNERS).partners)
    analyzer = Analyzer(Engine(), EngineConfig.build(internal_domains=["ours.example"]), store)
    out = []
    for i, m in enumerate(messages):
        raw = (m.strip() + "\n\nhello\n").encode()
        out.append(analyzer.analyze(from_raw(raw), now=T0 + timedelta(hours=i)))
    store.dispose()
    return out


def ids(v: Verdict) -> set[str]:
    return {f.id for f in v.findings}


START = """
From: Anna Keller <anna.keller@ours.example>
To: Ben Ortiz <ben.ortiz@acme.example>
Cc: Felix Brandt <felix.brandt@acme.example>, Finance Team <finance@acme.example>
Subject: Invoice 88 - reminder
Message-ID: <m1@ours.example>
"""


def reply(cc: str, sender: str = "Ben Ortiz <ben.ortiz@acme.example>", extra: str = "") -> str:
    return f"""
From: {sender}
To: Anna Keller <anna.keller@ours.example>
Cc: {cc}
Subject: RE: Invoice 88 - reminder
Message-ID: <m2@acme.example>
In-Reply-To: <m1@ours.example>
References: <m1@ours.example>
{extra}
"""


@pytest.mark.parametrize(
    ("cc", "fid"),
    [
        ("Felix Brandt <felix.brandt.acme@gmail.com>", "RECIPIENT_SWAP_FREEMAIL"),
        ("Felix Brandt <felix.brandt@acme-example.com>", "RECIPIENT_SWAP_LOOKALIKE"),
        ("Felix Brandt <felix.brandt@acrne.example>", "RECIPIENT_SWAP_LOOKALIKE"),
        ("Felix Brandt <felix@unrelated-firm.example>", "RECIPIENT_SWAP"),
        ("Finance Team <finance.acme@gmail.com>", "RECIPIENT_SWAP_FREEMAIL"),
    ],
)
def test_swaps(cc: str, fid: str) -> None:
    v = run(START, reply(cc))[-1]
    assert fid in ids(v)
    swap = next(f for f in v.findings if f.id == fid)
    assert swap.evidence[0].header == "Cc"


@pytest.mark.parametrize(
    "cc",
    [
        # the same people at the same addresses
        "Felix Brandt <felix.brandt@acme.example>, Finance Team <finance@acme.example>",
        # a colleague's alias or sub-domain of the same organisation
        "Felix Brandt <f.brandt@mail.acme.example>",
        # both the old and a new address: two people who share a name
        "Felix Brandt <felix.brandt@acme.example>, Felix Brandt <felix@other.example>",
        # a role name at another company is another mailbox
        "Finance Team <finance@beta-industries.example>",
        # the same addresses written in capitals: matching folds
        "Felix Brandt <Felix.Brandt@ACME.example>, Finance Team <FINANCE@Acme.Example>",
    ],
)
def test_no_swap(cc: str) -> None:
    v = run(START, reply(cc))[-1]
    assert not {f.check for f in v.findings} & {"recipient_swap"}, ids(v)


def test_a_swap_shows_the_new_address_as_written() -> None:
    v = run(START, reply("Felix Brandt <Felix.Brandt@Acrne.Example>"))[-1]
    swap = next(f for f in v.findings if f.id == "RECIPIENT_SWAP_LOOKALIKE")
    assert swap.evidence[0].value == (
        "Felix Brandt: was felix.brandt@acme.example, now Felix.Brandt@Acrne.Example "
        "(look-alike of acme.example)"
    )
    assert "felix.brandt@acme.example → Felix.Brandt@Acrne.Example" in swap.explanation


def test_list_mail_is_not_judged_for_swaps() -> None:
    """A post sent to the list it names: one person posts from several addresses."""
    v = run(
        START,
        reply(
            "Felix Brandt <felix.brandt.acme@gmail.com>, x@lists.example",
            extra="List-Id: <x.lists.example>",
        ),
    )
    assert not {f.check for f in v[-1].findings} & {"recipient_swap"}


def test_a_list_id_added_to_a_swap_excuses_nothing() -> None:
    """The same swap with a List-Id line but no list among the recipients, and nothing at
    our boundary vouching for the line: the swap is reported, and why the marks did not
    count is said."""
    v = run(
        START,
        reply("Felix Brandt <felix.brandt.acme@gmail.com>", extra="List-Id: <x.lists.example>"),
    )
    assert "RECIPIENT_SWAP_FREEMAIL" in ids(v[-1])


def test_a_free_mail_address_with_a_directory_contacts_name() -> None:
    v = run(
        "From: Ben Ortiz <ben.ortiz.work@gmail.com>\nTo: anna.keller@ours.example\nSubject: hi\n"
    )
    assert "FREEMAIL_KNOWN_NAME" in ids(v[-1])


def test_a_free_mail_impostor_is_shown_as_written() -> None:
    v = run(
        "From: Ben Ortiz <Ben.Ortiz.Work@GMail.com>\nTo: anna.keller@ours.example\nSubject: hi\n"
    )
    f = next(f for f in v[-1].findings if f.id == "FREEMAIL_KNOWN_NAME")
    assert f.evidence[0].value == "Ben Ortiz <Ben.Ortiz.Work@GMail.com>"
    assert f.explanation.startswith("Ben.Ortiz.Work@GMail.com is a free-mail mailbox")
    # what the directory knows is shown as the directory has it
    assert f.evidence[1].value == "Ben Ortiz <ben.ortiz@acme.example> (partner directory)"


def test_a_free_mail_user_name_spelling_a_partner() -> None:
    v = run("From: Accounts <acme.payments@gmail.com>\nTo: anna.keller@ours.example\nSubject: x\n")
    assert "FREEMAIL_LOCALPART_IMPERSONATION" in ids(v[-1])


def test_a_user_name_spelling_a_name_this_conversation_knows_at_that_very_address() -> None:
    """known_here, for user names as for display names: a list post addressed a person at
    work and at free mail together; his next post from the free-mail address is him."""
    first = (
        "From: Lee Park <lee.park@uni.example>\nTo: Jeff Cole <jeff.cole@uni.example>\n"
        "Cc: Jeff Cole <jeff.cole@gmail.com>\nSubject: radio\nMessage-ID: <p1@uni.example>\n"
    )
    second = (
        "From: jeff.cole@gmail.com\nTo: Lee Park <lee.park@uni.example>\nSubject: RE: radio\n"
        "Message-ID: <p2@gmail.com>\nIn-Reply-To: <p1@uni.example>\n"
        "References: <p1@uni.example>\n"
    )
    v = run(first, second, directory=False)[-1]
    assert "FREEMAIL_LOCALPART_IMPERSONATION" not in ids(v), ids(v)
    # The same user name from another free-mail address still spells his name.
    other = second.replace("jeff.cole@gmail.com", "jeff.cole@outlook.com")
    assert "FREEMAIL_LOCALPART_IMPERSONATION" in ids(run(first, other, directory=False)[-1])


@pytest.mark.parametrize(
    "sender",
    [
        "Sam Solo <sam.solo@gmail.com>",  # the directory lists this free-mail address
        "Sam Solo <Sam.Solo@GMail.COM>",  # the same, written in capitals
        "Ben Ortiz <Ben.Ortiz@ACME.example>",  # the real address, in capitals
        "Ben Ortiz <ben.ortiz@acme.example>",  # the real address
        "Maria Garcia <maria.garcia@gmail.com>",  # nobody we know
        "Ben <ben@gmail.com>",  # one word is not a person's name
    ],
)
def test_no_freemail_impersonation(sender: str) -> None:
    v = run(f"From: {sender}\nTo: anna.keller@ours.example\nSubject: hi\n")
    assert not {f.check for f in v[-1].findings} & {"freemail_impersonation"}


def test_first_contact_once_and_never_for_partners_or_colleagues() -> None:
    new = "From: Nia Nowak <nia@newco.example>\nTo: anna.keller@ours.example\nSubject: hi\n"
    first, second, third = run(new, new, new.replace("nia@newco", "NIA@NewCo"))
    assert "FIRST_CONTACT" in ids(first) and first.level == "info"
    assert "FIRST_CONTACT" not in ids(second)
    assert "FIRST_CONTACT" not in ids(third)  # the same sender, written in capitals
    for sender in (
        "ben.ortiz@acme.example",
        "eva@ours.example",
        "sam.solo@gmail.com",
        "Sam.Solo@GMail.com",  # a directory contact written in capitals is still one
    ):
        v = run(f"From: {sender}\nTo: anna.keller@ours.example\nSubject: hi\n")[-1]
        assert "FIRST_CONTACT" not in ids(v), sender


def test_first_contact_names_the_sender_as_written() -> None:
    v = run(
        "From: Nia Nowak <Nia.Nowak@NewCo.example>\nTo: anna.keller@ours.example\nSubject: hi\n"
    )
    f = next(f for f in v[-1].findings if f.id == "FIRST_CONTACT")
    assert f.title == "First message from Nia.Nowak@NewCo.example"
    assert [e.value for e in f.evidence] == ["Nia Nowak <Nia.Nowak@NewCo.example>"]


def test_no_first_contact_for_list_mail() -> None:
    v = run("From: x@newco.example\nTo: l@lists.example\nList-Id: <l.lists.example>\nSubject: s\n")
    assert "FIRST_CONTACT" not in ids(v[-1])


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_real_threads_scanned_in_order_never_report_a_swap_to_free_mail(name: str) -> None:
    """Legitimate mail, oldest first through one memory: no swap to free mail or look-alikes."""
    from caveat.cli.scan import _date_of

    store = Store.from_url("sqlite://")
    store.upgrade()
    analyzer = Analyzer(Engine(), EngineConfig.build(), store)
    paths = sorted(dataset(name).glob("*.eml"), key=lambda p: (_date_of(p.read_bytes()), p.name))
    loud = []
    for p in paths:
        v = analyzer.analyze(from_raw(p.read_bytes()))
        if ids(v) & {"RECIPIENT_SWAP_FREEMAIL", "RECIPIENT_SWAP_LOOKALIKE", "FREEMAIL_KNOWN_NAME"}:
            loud.append((p.name, sorted(ids(v))))
    store.dispose()
    assert loud == []


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_real_mail_with_its_own_correspondents_as_partners_shows_no_lookalike(name: str) -> None:
    """A directory made of the dataset's 30 most frequent sender domains (an organisation's
    partners are the people who write to it): none of its real mail imitates them."""
    from collections import Counter

    from caveat.knowledge.context import Context
    from caveat.knowledge.directory import Directory
    from caveat.knowledge.partners_csv import Partner

    config = EngineConfig.build()
    messages = [from_raw(p.read_bytes()) for p in sorted(dataset(name).glob("*.eml"))]
    senders = Counter(
        m.author.org
        for m in messages
        if m.author and m.author.org and m.author.org not in config.freemail
    )
    partners = [Partner(f"Org {d}", (d,), (), (), frozenset()) for d, _ in senders.most_common(30)]
    ctx = Context(config=config, directory=Directory(partners, freemail=config.freemail))
    engine = Engine()
    found = [(m.author.address if m.author else "", ids(engine.analyze(m, ctx))) for m in messages]
    # Nothing made to deceive the eye (confusables, one edit, hyphens, sub-domain trick).
    assert [a for a, f in found if "LOOKALIKE_DOMAIN" in f] == []
    # The same name under another suffix is the documented false positive of the caution
    # variant (python.net and python.ca next to python.org in easy_ham): rare.
    variants = [a for a, f in found if "LOOKALIKE_DOMAIN_VARIANT" in f]
    assert len(variants) <= len(messages) // 100, variants


# ------------------------------------------------------------------ issue 13: names folded


def test_a_colleagues_name_at_an_unrelated_domain() -> None:
    """CEO fraud from the attacker's own domain: the colleague's name, learned from our own
    mail, on a company domain that is not ours."""
    v = run(
        "From: Tobias Lindqvist <tobias.lindqvist@ours.example>\nTo: ap@ours.example\n"
        "Subject: Team lunch\n",
        "From: Tobias Lindqvist <office@tl-holding.example>\nTo: ap@ours.example\n"
        "Subject: Urgent transfer\n",
    )
    assert "KNOWN_NAME_OTHER_DOMAIN" in ids(v[-1])


def test_a_contact_at_a_new_domain_in_a_known_thread_is_danger() -> None:
    v = run(
        START,
        reply(
            "Felix Brandt <felix.brandt@acme.example>",
            sender="Ben Ortiz <ben@ortiz-trading.example>",
        ),
    )
    assert {"KNOWN_NAME_NEW_IN_THREAD", "RECIPIENT_SWAP"} <= ids(v[-1])
    assert v[-1].level == "danger"


def test_a_list_rewrite_is_not_learned_as_the_posters_address() -> None:
    """A list post 'EJ Kreinar via Devs' comes from the list's address; the poster writing
    later from a private mailbox in the same thread is not a free-mail impostor of the list."""
    v = run(
        'From: "EJ Kreinar via Devs" <devs@lists.proj.example>\nTo: devs@lists.proj.example\n'
        "Reply-To: EJ Kreinar <ej.kreinar@gmail.com>\nList-Id: <devs.lists.proj.example>\n"
        "List-Post: <mailto:devs@lists.proj.example>\nSubject: Build broken on arm64\n"
        "Message-ID: <l1@lists.proj.example>\n",
        "From: EJ Kreinar <ej.kreinar@gmail.com>\nTo: Anna Keller <anna.keller@ours.example>\n"
        "Subject: Re: Build broken on arm64\nIn-Reply-To: <l1@lists.proj.example>\n",
    )
    assert not ids(v[-1]) & {"FREEMAIL_KNOWN_NAME", "RECIPIENT_SWAP_FREEMAIL"}
