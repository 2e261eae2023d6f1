"""lookalike_domain: what list marks may excuse (issue 13, kind 5). The techniques
themselves are tested with the index in tests/reference/."""

from __future__ import annotations

import pytest

from caveat.checks.lookalike_domain import lookalike_domain
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
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
