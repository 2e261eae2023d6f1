"""The service's sentences once laid out by Unicode's bidirectional algorithm (UAX #9, run
by python-bidi): what a sender writes into a name can turn only itself, never the sentence
around it or the address beside it (issue 14, text direction)."""

from __future__ import annotations

import string

import pytest
from bidi import get_display

from caveat.checks.hits import Hit, check
from caveat.engine.catalogue import BANNER_MAX, Catalogue, banner_length, render
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.mail.bidi import FSI, PDI
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_payload

RLO, PDF, LRE = "\u202e", "\u202c", "\u202a"

#: Values that try to turn what follows them: an override, a stray PDI that would close the
#: isolate before the override, an unclosed embedding, and a right-to-left name with digits.
HOSTILE = [
    f"Anna Keller{RLO}",
    f"Anna{PDI}{RLO} Keller",
    f"{LRE}Anna {RLO}Keller{PDF}{PDF}",
    "\u0645\u062d\u0645\u062f \u0639\u0644\u064a 2026",
]


def shown(text: str) -> str:
    """The text in display order, in a left-to-right paragraph (the service's English)."""
    return get_display(text, base_dir="L")


def test_an_override_in_a_plain_sentence_turns_the_rest_around() -> None:
    # the threat, shown with the same algorithm: no isolate, the address reads backwards
    plain = f"Reply-To shows Anna Keller{RLO} with the address evil@x.example instead."
    assert "evil@x.example" not in shown(plain)
    assert "elpmaxe.x@live" in shown(plain)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_filled_field_turns_nothing_after_it(name: str) -> None:
    text = render(
        "Reply-To shows the sender's own name, {name}, but with the address {reply_to}.",
        {"name": name, "reply_to": "anna.keller@gmail.com"},
    )
    assert RLO not in text and LRE not in text and PDF not in text
    out = shown(text)
    assert out.startswith("Reply-To shows the sender's own name, ")
    assert out.endswith(", but with the address anna.keller@gmail.com.")


def _catalogue_fields() -> list[tuple[str, str]]:
    cat = Catalogue.load()
    out = []
    for e in cat.entries():
        for template in (e.title, e.explanation, e.title_one, e.explanation_one, e.banner):
            if template and any(f for _, f, _, _ in string.Formatter().parse(template)):
                out.append((e.id, template))
    return out


@pytest.mark.parametrize("name", HOSTILE)
def test_every_shipped_text_keeps_its_own_words_in_order_whatever_fills_it(name: str) -> None:
    for fid, template in _catalogue_fields():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        text = render(template, dict.fromkeys(fields, name))
        out = shown(text)
        for literal, _, _, _ in string.Formatter().parse(template):
            words = literal.strip(" .")
            if words:
                assert words in out, (fid, words, out)


def test_the_evidence_from_line_keeps_the_address_in_order() -> None:
    facts = from_payload({"from": {"name": f"Anna Keller{RLO}", "address": "evil@gmail.com"}})
    assert facts.author is not None
    out = shown(facts.author.display())
    assert out.endswith("<evil@gmail.com>")


# ------------------------------------------------------------------ through the checks

CONFIG = EngineConfig.build(internal_domains=["harbourline.example"])
DIRECTORY = Directory(
    [
        PartnerEntry(
            "Northwind Metals GmbH",
            ("northwind-metals.example",),
            (DirectoryContact("Anna Keller", "anna.keller@northwind-metals.example", "+1"),),
            (),
            frozenset(),
        )
    ],
    internal_domains=["harbourline.example"],
    freemail=CONFIG.freemail,
)


def test_a_reply_to_name_with_an_override_reads_in_order_in_every_text() -> None:
    facts = from_payload(
        {
            "headers": (
                "From: Anna Keller <anna.keller@northwind-metals.example>\n"
                f"Reply-To: =?utf-8?b?{_b64('Anna Keller' + RLO)}?= <anna.keller@nwm-pay.example>\n"
                "Subject: Invoice\n"
            )
        }
    )
    v = Engine().analyze(facts, Context(config=CONFIG, directory=DIRECTORY))
    ids = {f.id for f in v.findings}
    assert {"REPLYTO_SAME_NAME_OTHER_ADDRESS", "DISPLAY_NAME_CONTROLS"} <= ids
    same = next(f for f in v.findings if f.id == "REPLYTO_SAME_NAME_OTHER_ADDRESS")
    assert f"{FSI}Anna Keller{PDI}" in same.explanation
    assert "with the address anna.keller@nwm-pay.example instead of" in shown(same.explanation)
    for f in v.findings:
        for text in (f.title, f.explanation, f.banner):
            assert RLO not in text
            assert text.count(FSI) == text.count(PDI)
        for e in f.evidence:
            if e.header in ("From", "Reply-To"):
                assert shown(e.value).endswith(">"), e.value


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


# ------------------------------------------------------------------ the banner's 150


def test_a_banner_is_measured_as_outlook_measures_it() -> None:
    assert banner_length("\U0001f600" * 3) == 6
    assert banner_length(f"{FSI}ab{PDI}") == 4


def _changed(params: dict[str, str]) -> Engine:
    """The shipped catalogue with one check that reports BANK_DETAILS_CHANGED (whose banner
    names the organisation and the account) with ``params``."""

    @check("bank_details_change", emits=["BANK_DETAILS_CHANGED"])
    def fake(facts: Facts, ctx: Context) -> list[Hit]:
        return [Hit("BANK_DETAILS_CHANGED", params=params)]

    return Engine(Catalogue.load(), [fake])


@pytest.mark.parametrize(
    ("organisation", "fits"),
    [
        ("Northwind Metals GmbH", True),
        # fits in code points, not in UTF-16 units with its isolate (as Outlook counts)
        ("\U0001f3ed" * 20 + "\u05d0" * 10, False),
    ],
)
def test_a_banner_that_does_not_fit_outlook_once_isolated_gives_way(
    organisation: str, fits: bool
) -> None:
    params = {"organisation": organisation, "account": "DE89 **** 3000"}
    cat = Catalogue.load()
    template = cat.findings["BANK_DETAILS_CHANGED"].banner
    raw = template.replace("{organisation}", organisation).replace("{account}", params["account"])
    v = _changed(params).analyze(from_payload({"headers": "From: a@b.example\n"}), Context())
    assert v.banner is not None
    assert banner_length(v.banner.text) <= BANNER_MAX
    if fits:
        assert v.banner.text == raw
    else:
        assert len(raw) <= BANNER_MAX < banner_length(render(template, params))
        assert v.banner.text == cat.levels["danger"].text


def test_a_text_that_opens_with_a_right_to_left_value_keeps_its_own_direction() -> None:
    # HTML's dir=auto (a bdi, a host's notification bar) takes the direction from the first
    # letter, isolates included: without the mark, this English banner would be set right
    # to left with the company's name on the right.
    text = render(
        "{organisation} asks you to pay {account}.",
        {
            "organisation": "\u05db\u05d4\u05df \u05d1\u05e2\u05f4\u05de",
            "account": "IL62 **** 0001",
        },
    )
    assert text.startswith("\u200e" + FSI)
    assert render("{organisation} asks you to pay.", {"organisation": "Acme"}) == (
        "Acme asks you to pay."
    )
