"""lookalike_domain: what list marks may excuse (issue 13, kind 5), and what a long
authenticated history of the sender may excuse (issue 15). The techniques themselves are
tested with the index in tests/reference/."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from caveat.checks.lookalike_domain import lookalike_domain
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.memory import MemorySnapshot, SenderView
from caveat.mail.normalise import from_payload

CONFIG = EngineConfig.build(internal_domains=["harbourline.example"])
CTX = Context(
    config=CONFIG,
    directory=Directory(
        [
            PartnerEntry(
                "Fabrikam Componentes SL",
                ("fabrikam-componentes.example",),
                (
                    DirectoryContact(
                        "Mar\u00eda Ortega", "m.ortega@fabrikam-componentes.example", "+34"
                    ),
                ),
                (),
                frozenset(),
            )
        ],
        internal_domains=["harbourline.example"],
        freemail=CONFIG.freemail,
    ),
)
VARIANT = "fabrikam-componentes-pagos.example"
BULK = "List-Unsubscribe: <mailto:u@{d}>\nPrecedence: bulk\n"
SIGNED = "Authentication-Results: mx.harbourline.example; dkim=pass header.d={d}\n"


def ids(headers: str) -> list[str]:
    return [h.id for h in lookalike_domain(from_payload({"headers": headers}), CTX)]


@pytest.mark.parametrize(
    "extra",
    [
        BULK.format(d=VARIANT),  # nothing vouches for the marks
        BULK.format(d=VARIANT) + SIGNED.format(d=VARIANT),  # the variant signs its own mail
        f"List-Id: <news.{VARIANT}>\n" + SIGNED.format(d=VARIANT),
    ],
    ids=["unsigned", "signed-by-the-variant", "its-own-list-signed"],
)
def test_a_variant_sender_is_reported_whatever_its_list_marks(extra: str) -> None:
    assert ids(f"From: Fabrikam <facturas@{VARIANT}>\n" + extra) == ["LOOKALIKE_DOMAIN_VARIANT"]


def test_a_variant_among_the_recipients_of_a_signed_newsletter_is_excused() -> None:
    """The From domain vouches for its own bulk marks; the variant is someone it wrote to."""
    d = "metaltrade-weekly.example"
    headers = f"From: News <n@{d}>\nCc: x@{VARIANT}\n" + BULK.format(d=d) + SIGNED.format(d=d)
    assert ids(headers) == []
    assert ids(headers.replace(SIGNED.format(d=d), "")) == ["LOOKALIKE_DOMAIN_VARIANT"]


def test_a_variant_on_a_partners_own_list_is_excused() -> None:
    headers = (
        "From: Fabrikam News <news@fabrikam-componentes.example>\n"
        "List-Id: <clientes.fabrikam-componentes.example>\n"
        f"Cc: x@{VARIANT}\n"
    )
    assert ids(headers) == []


# --------------------------------------------------------------------------- history

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PASS = (
    "Authentication-Results: mx.harbourline.example; spf=pass smtp.mailfrom={d};"
    " dkim=pass header.d={d}\n"
)
STRONG_FAKE = "fabrikam-componentez.example"  # one letter changed: made to deceive


def history(days: int = 400, messages: int = 40, authenticated: bool = True) -> Context:
    seen = SenderView(NOW - timedelta(days=days), messages, authenticated)
    return dataclasses.replace(CTX, memory=MemorySnapshot(available=True, sender=seen), now=NOW)


def with_history(headers: str, ctx: Context) -> list[str]:
    return [h.id for h in lookalike_domain(from_payload({"headers": headers}), ctx)]


def test_an_established_authenticated_sender_at_a_variant_is_not_warned_about() -> None:
    headers = f"From: Fabrikam <facturas@{VARIANT}>\n" + PASS.format(d=VARIANT)
    assert with_history(headers, history()) == []
    # the same message from a sender the memory does not know is warned about
    assert with_history(headers, CTX) == ["LOOKALIKE_DOMAIN_VARIANT"]


@pytest.mark.parametrize(
    ("ctx", "auth"),
    [
        (history(days=30), True),  # a new domain: too young
        (history(messages=3), True),  # too few messages
        (history(authenticated=False), True),  # never authenticated before
        (history(), False),  # this message is not authenticated for the variant
    ],
    ids=["young", "few", "never-authenticated", "unauthenticated-now"],
)
def test_a_history_short_of_established_excuses_nothing(ctx: Context, auth: bool) -> None:
    headers = f"From: Fabrikam <facturas@{VARIANT}>\n" + (PASS.format(d=VARIANT) if auth else "")
    assert with_history(headers, ctx) == ["LOOKALIKE_DOMAIN_VARIANT"]


def test_a_history_never_excuses_a_domain_made_to_deceive() -> None:
    headers = f"From: Fabrikam <facturas@{STRONG_FAKE}>\n" + PASS.format(d=STRONG_FAKE)
    assert with_history(headers, history()) == ["LOOKALIKE_DOMAIN"]


def test_a_history_excuses_only_the_senders_own_domain() -> None:
    d = "metaltrade.example"
    headers = f"From: Ana <ana@{d}>\nReply-To: <facturas@{VARIANT}>\n" + PASS.format(d=d)
    assert with_history(headers, history()) == ["LOOKALIKE_DOMAIN_VARIANT"]
