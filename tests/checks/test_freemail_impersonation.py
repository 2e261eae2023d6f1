"""freemail_impersonation: known people and partners on addresses that are not theirs, with
display names folded (issue 13, kinds 4 and 6). The memory-backed cases are in
test_memory_checks.py; here the directory and the memory come in through a Context."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from caveat.checks.freemail_impersonation import freemail_impersonation
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.memory import (
    ConversationView,
    KnownPerson,
    MemorySnapshot,
    Seen,
    SenderView,
)
from caveat.mail.normalise import from_payload

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = EngineConfig.build(internal_domains=["harbourline.example"])


def partner(org: str, domains: tuple[str, ...], *contacts: tuple[str, str]) -> PartnerEntry:
    return PartnerEntry(
        org, domains, tuple(DirectoryContact(n, e, "+1") for n, e in contacts), (), frozenset()
    )


DIRECTORY = Directory(
    [
        partner(
            "Northwind Metals GmbH",
            ("northwind-metals.example", "nwm-group.example"),
            ("Anna Keller", "anna.keller@northwind-metals.example"),
            ("Jörg Brandt", ""),
        ),
        partner(
            "Contoso Logistique SARL",
            ("contoso-logistique.example",),
            ("Élodie Marchand", "elodie.marchand@contoso-logistique.example"),
        ),
        partner("Solo Supplier", (), ("Sam Solo", "sam.solo@gmail.com")),
        partner("Finance Ltd", ("finance-ltd.example",)),
    ],
    internal_domains=["harbourline.example"],
    freemail=CONFIG.freemail,
)
CTX = Context(config=CONFIG, directory=DIRECTORY)
SIGNED_BY = (
    "Authentication-Results: mx.harbourline.example; dkim=pass header.d={d};"
    " dmarc=pass header.from={d}\n"
)


def hits(headers: str, ctx: Context = CTX):  # type: ignore[no-untyped-def]
    return freemail_impersonation(from_payload({"headers": headers}), ctx)


def ids(headers: str, ctx: Context = CTX) -> list[str]:
    return sorted(h.id for h in hits(headers, ctx))


# ------------------------------------------------------------------ kind 4: names folded


@pytest.mark.parametrize(
    "name",
    [
        "\u0410nna K\u0435ller",  # Cyrillic letters (en)
        "Anna\u200bKeller",
        "Anna Keller | Northwind Metals",
        "Anna M. Keller (Northwind)",
        "Frau Dr. Anna Keller",
        "\u00c9lodie\u200b Marchand",  # fr
        "\u00c9lodie Marchand - Contoso Logistique SARL",
        "Marchand, \u00c9lodie [Externe]",
    ],
)
def test_a_disguised_contact_name_on_free_mail(name: str) -> None:
    assert ids(f'From: "{name}" <someone.else@gmail.com>\n') == ["FREEMAIL_KNOWN_NAME"]


def test_the_contacts_name_close_but_not_the_same_is_quiet() -> None:
    assert ids("From: Anna Kessler <anna.kessler@gmail.com>\n") == []


@pytest.mark.parametrize(
    "name",
    [
        "Northwind Metals GmbH",
        "NORTHWIND METALS",
        "Northwind Metals Billing",
        "Buchhaltung | Northwind Metals",
        "Northwind Metals (Accounts)",
        "northwind-metals",
        "Contoso Logistique - Comptabilit\u00e9",
    ],
)
def test_a_partners_company_name_on_free_mail(name: str) -> None:
    assert ids(f'From: "{name}" <billing.desk@gmail.com>\n') == ["FREEMAIL_PARTNER_NAME"]


@pytest.mark.parametrize(
    "headers",
    [
        "From: Northwind <nw.fan@gmail.com>\n",  # one word of the name
        "From: Metals Weekly <metals.weekly@gmail.com>\n",
        "From: Finance <f@gmail.com>\n",  # a partner named by a generic word only
        "From: Finance Ltd <f@gmail.com>\n",
        "From: Solo Supplier <sam.solo@gmail.com>\n",  # the directory lists this address
    ],
)
def test_no_partner_name_impersonated(headers: str) -> None:
    assert ids(headers) == []


@pytest.mark.parametrize(
    ("header", "name", "whose"),
    [
        ("From", "accounts@northwind-metals.example", "Northwind Metals GmbH"),
        ("From", "ap@harbourline.example", "your organisation"),
        ("Reply-To", "Anna anna.keller@northwind-metals.example", "Northwind Metals GmbH"),
        ("Cc", "Billing northwind-metals.example", "Northwind Metals GmbH"),
        ("From", "Billing northwind-metaIs.example", "Northwind Metals GmbH"),  # I for l
        ("From", "Billing northwind-metal.example", "imitating northwind-metals.example"),
    ],
)
def test_a_display_name_that_shows_an_address_or_domain_of_ours_or_a_partners(
    header: str, name: str, whose: str
) -> None:
    base = "" if header == "From" else "From: Someone <x@mailbox.example>\n"
    found = hits(f'{base}{header}: "{name}" <x@gmail.com>\n')
    h = next(h for h in found if h.id == "DISPLAY_NAME_ADDRESS")
    assert whose in h.params["whose"]


@pytest.mark.parametrize(
    "headers",
    [
        # the name shows the sender's own address or organisation
        '"anna.keller@northwind-metals.example" <anna.keller@northwind-metals.example>',
        '"Northwind northwind-metals.example" <news@nwm-group.example>',
        # a domain that is nobody's we know
        '"CNET News.com Daily" <online@newsletter.online.example>',
        # a list that rewrote From, the list marks naming it
        "\"'anna.keller@northwind-metals.example' via Forum\" <forum@googlegroups.com>\n"
        "List-Id: <forum.googlegroups.com>\nList-Post: <mailto:forum@googlegroups.com>",
        # a sending service, 'via' itself
        '"anna.keller@northwind-metals.example via DocuSign" <dse@docusign.net>',
    ],
)
def test_display_names_with_addresses_that_deceive_nobody(headers: str) -> None:
    assert "DISPLAY_NAME_ADDRESS" not in ids("From: " + headers + "\n")


def test_an_inconsistent_list_rewrite_is_no_excuse() -> None:
    assert "DISPLAY_NAME_ADDRESS" in ids(
        "From: \"'anna.keller@northwind-metals.example' via Forum\" <forum@forum-host.example>\n"
        "List-Id: <forum.lists.elsewhere.example>\n"
    )


# ------------------------------------------------------------------ kind 6: unrelated domains


@pytest.mark.parametrize(
    "headers",
    [
        "From: Anna Keller <anna.keller@metallhandel-nord.example>\n",
        "From: \u0410nna Keller <a.keller@metallhandel-nord.example>\n",  # folded
        "From: Anna Keller via Portal <portal@supplier-portal-pro.example>\n",
        "From: x@harbourline.example\nCc: Anna Keller <anna@metallhandel-nord.example>\n",
        "From: x@harbourline.example\nTo: \u00c9lodie Marchand <em@transports-em.example>\n",
        # the directory has no address for him, but his company's domains
        "From: J\u00f6rg Brandt <j.brandt@stahl-kontor.example>\n",
        # no person's name shown, the user name spells hers
        "From: Accounts <anna.keller@metallhandel-nord.example>\n",
        "From: anna_keller@metallhandel-nord.example\n",
    ],
)
def test_a_directory_contacts_name_at_an_unrelated_domain(headers: str) -> None:
    assert ids(headers) == ["KNOWN_NAME_OTHER_DOMAIN"]


@pytest.mark.parametrize(
    "headers",
    [
        # same_or_partner_organisation: the partner's second domain, ours, another partner's
        "From: Anna Keller <anna.keller@nwm-group.example>\n",
        "From: Anna Keller <anna.keller@harbourline.example>\n",
        "From: Anna Keller <anna.keller@contoso-logistique.example>\n",
        # lookalike: lookalike_domain reports it
        "From: Anna Keller <anna.keller@northwind-metal.example>\n",
        # replies_reach_them
        "From: Anna Keller <noreply@portal-pro.example>\n"
        "Reply-To: anna.keller@northwind-metals.example\n",
        # sending_service
        "From: Anna Keller via DocuSign <dse_na3@docusign.net>\n",
        # private_to_private: the contact's own address is free mail
        "From: Sam Solo <sam@solo-consulting.example>\n",
        # no person's name
        "From: Keller <keller@metallhandel-nord.example>\n",
        # another person's name shown: the user name is theirs to choose
        "From: Anna Kessler <anna.keller@metallhandel-nord.example>\n",
        # a user name spelling the name, among the recipients
        "From: x@harbourline.example\nTo: anna.keller@metallhandel-nord.example\n",
    ],
)
def test_quiet_where_the_name_at_that_domain_deceives_nobody(headers: str) -> None:
    assert ids(headers) == []


def test_a_service_whose_domain_our_boundary_saw_forged_is_no_excuse() -> None:
    headers = (
        "From: Anna Keller via DocuSign <dse_na3@docusign.net>\n"
        "Authentication-Results: mx.harbourline.example; spf=fail smtp.mailfrom=docusign.net;"
        " dkim=none; dmarc=fail header.from=docusign.net\n"
    )
    assert ids(headers) == ["KNOWN_NAME_OTHER_DOMAIN"]
    signed = headers.replace("spf=fail", "spf=pass").replace(
        "dkim=none", "dkim=pass header.d=docusign.net"
    )
    assert ids(signed) == []


def test_the_via_that_was_not_accepted_is_said() -> None:
    (h,) = hits("From: Anna Keller via Portal <portal@supplier-portal-pro.example>\n")
    assert ("Not excused", "the name says 'via', but replies would not reach the person") in [
        (e.header, e.value) for e in h.evidence
    ]


def _memory(*known: KnownPerson, thread: tuple[Seen, ...] | None = None) -> MemorySnapshot:
    by_key: dict[str, tuple[KnownPerson, ...]] = {}
    for k in known:
        key = " ".join(sorted(k.name.casefold().split()))
        by_key[key] = (*by_key.get(key, ()), k)
    conv = ConversationView(thread, 2) if thread is not None else None
    return MemorySnapshot(available=True, known=by_key, conversation=conv)


def test_a_colleagues_name_at_an_unrelated_domain() -> None:
    ctx = Context(
        config=CONFIG,
        directory=DIRECTORY,
        memory=_memory(
            KnownPerson("tobias.lindqvist@harbourline.example", "Tobias Lindqvist", "colleague")
        ),
    )
    assert ids("From: Tobias Lindqvist <ceo.office@tl-holding.example>\n", ctx) == [
        "KNOWN_NAME_OTHER_DOMAIN"
    ]
    # a colleague's name among the recipients is not judged (large organisations share
    # names with their correspondents every day)
    assert ids("From: a@b.example\nCc: Tobias Lindqvist <t.l@tl-holding.example>\n", ctx) == []


def test_an_authenticated_senders_other_known_address_is_quiet() -> None:
    ctx = Context(
        config=CONFIG,
        directory=DIRECTORY,
        memory=_memory(
            KnownPerson("ravi.shah@acme-labs.example", "Ravi Shah", "authenticated"),
            KnownPerson("ravi@shah-consulting.example", "Ravi Shah", "authenticated"),
        ),
    )
    assert ids("From: Ravi Shah <ravi@shah-consulting.example>\n", ctx) == []
    # same_or_partner_organisation: a sub-domain of an organisation he is known at
    assert ids("From: Ravi Shah <r.shah@eu.acme-labs.example>\n", ctx) == []
    assert ids("From: Ravi Shah <ravi@shah-advisory.example>\n", ctx) == ["KNOWN_NAME_OTHER_DOMAIN"]


def test_a_new_address_in_a_known_thread_is_danger() -> None:
    thread = (
        Seen("anna.keller@northwind-metals.example", "Anna Keller", "anna keller", "", T0),
        Seen("ap@harbourline.example", "AP", "", "", T0),
    )
    ctx = Context(config=CONFIG, directory=DIRECTORY, memory=_memory(thread=thread))
    assert ids("From: Anna Keller <anna.keller@metallhandel-nord.example>\n", ctx) == [
        "KNOWN_NAME_NEW_IN_THREAD"
    ]
    # having taken part in the thread (its own earlier message, our reply to it) does not
    # make the address less new while nothing it sent passed authentication unwarned
    seen = (
        *thread,
        Seen("anna.keller@metallhandel-nord.example", "Anna Keller", "anna keller", "", T0),
    )
    ctx = Context(config=CONFIG, directory=DIRECTORY, memory=_memory(thread=seen))
    assert ids("From: Anna Keller <anna.keller@metallhandel-nord.example>\n", ctx) == [
        "KNOWN_NAME_NEW_IN_THREAD"
    ]
    # once it did, it is not new to the thread
    vouched = replace(_memory(thread=seen), sender=SenderView(T0, 3, authenticated=True))
    ctx = Context(config=CONFIG, directory=DIRECTORY, memory=vouched)
    assert ids("From: Anna Keller <anna.keller@metallhandel-nord.example>\n", ctx) == [
        "KNOWN_NAME_OTHER_DOMAIN"
    ]


@pytest.mark.parametrize(
    "headers",
    [
        "From: Northwind Metals GmbH <invoices@metals-billing-hub.example>\n",
        "From: Northwind Metals Accounts <ar@metals-billing-hub.example>\n",
        'Reply-To: "Contoso Logistique" <compta@logistique-paiements.example>\n'
        "From: x@harbourline.example\n",
    ],
)
def test_a_partners_name_at_an_unrelated_domain(headers: str) -> None:
    assert ids(headers) == ["PARTNER_NAME_OTHER_DOMAIN"]


@pytest.mark.parametrize(
    "headers",
    [
        # partner_tenant: the partner's own tenant on a shared service
        "From: Northwind Metals Service <service@northwind-metals.helpdesk-cloud.example>\n",
        # replies_reach_them: an invoicing service, answers going to the partner
        "From: Northwind Metals GmbH <quickbooks@notification.intuit-like.example>\n"
        "Reply-To: billing@northwind-metals.example\n",
        # sending_service
        "From: Northwind Metals GmbH <quickbooks@notification.intuit.com>\n",
        # the partner's own domain
        "From: Northwind Metals GmbH <news@northwind-metals.example>\n",
    ],
)
def test_a_partners_name_where_it_belongs(headers: str) -> None:
    assert ids(headers) == []


def test_signed_bulk_marks_do_not_quiet_impersonation() -> None:
    """A domain that signs its own mail proves only that its owner sent it: list marks on it
    excuse no known name."""
    d = "metallhandel-nord.example"
    headers = (
        f"From: Anna Keller <anna.keller@{d}>\nList-Unsubscribe: <mailto:u@{d}>\n"
        "Precedence: bulk\n" + SIGNED_BY.format(d=d)
    )
    assert ids(headers) == ["KNOWN_NAME_OTHER_DOMAIN"]


def test_list_posters_seen_in_the_thread_count_unless_the_list_marks_hold() -> None:
    """list_conversation: a poster known in the list's thread at work writes from home; that
    is list life when the post went to the list (or its marks are vouched for), but a List-Id
    line on mail to a person is no list."""
    thread = (Seen("ravi.shah@acme-labs.example", "Ravi Shah", "ravi shah", "", T0),)
    ctx = Context(config=CONFIG, directory=DIRECTORY, memory=_memory(thread=thread))
    post = "From: Ravi Shah <ravi.shah.home@gmail.com>\nList-Id: <devs.lists.proj.example>\n"
    assert ids(post + "To: devs@lists.proj.example\n", ctx) == []
    (h,) = hits(post + "To: ap@harbourline.example\n", ctx)
    assert h.id == "FREEMAIL_KNOWN_NAME"
    assert any(e.header == "List marks" for e in h.evidence)


LIST_POST = (
    'From: "Anna Keller via Metals Forum" <metals-forum@lists.metals-forum.example>\n'
    "List-Id: <metals-forum.lists.metals-forum.example>\n"
    "List-Post: <mailto:metals-forum@lists.metals-forum.example>\n"
    "To: metals-forum@lists.metals-forum.example\n"
)


def test_a_signed_list_posting_for_a_known_person_is_quiet() -> None:
    signed = SIGNED_BY.format(d="lists.metals-forum.example")
    assert ids(LIST_POST + signed) == []


def test_an_unsigned_list_of_ones_own_posting_for_a_known_person_is_reported() -> None:
    (h,) = hits(LIST_POST)
    assert h.id == "KNOWN_NAME_OTHER_DOMAIN"
    notes = [e.value for e in h.evidence if e.header == "Not excused"]
    assert notes and notes[0].startswith("a list's rewrite of From, but nothing vouches")


def test_a_known_persons_company_tenant_on_a_shared_service_is_quiet() -> None:
    assert ids("From: Anna Keller (Jira) <jira@northwind-metals.tracker-cloud.example>\n") == []
