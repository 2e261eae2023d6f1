"""The look-alike index with a large directory: short names collide with other companies'
names by chance, long names rarely do (issue 15), and the index stays compact.

Each rule has its attacks (still reported) and its chance neighbours (quiet). The chance
neighbours were all reported before the rule; the attacks are how look-alikes are made:
a letter of like shape, a letter doubled, neighbours swapped, a fraudster's word added.
"""

from __future__ import annotations

import random
from array import array

import pytest

from caveat.reference import lookalike
from caveat.reference.lookalike import LookalikeIndex, LookalikeMatch


def found(index: LookalikeIndex, domain: str) -> LookalikeMatch:
    m = index.match(domain)
    assert m is not None, f"{domain} should be reported"
    return m


# --------------------------------------------------------------------------- short labels


SHORT = LookalikeIndex(
    [
        ("trange.com", "Trange"),  # 6 letters
        ("dirbus.com", "Dirbus"),
        ("vetere.com", "Vetere"),
        ("pipes.com", "Pipes"),
        ("kortal.de", "Kortal"),
        ("paypal.com", "PayPal"),
        ("google.com", "Google"),
        ("walmart.com", "Walmart"),  # 7 letters
        ("northwind.com", "Northwind"),  # 9 letters: long
    ]
)


@pytest.mark.parametrize(
    ("domain", "imitates"),
    [
        ("paypai.com", "paypal.com"),  # a letter of like shape
        ("pavpal.com", "paypal.com"),
        ("wa1rnart.com", "walmart.com"),  # confusable, not an edit at all
        ("walrnant.com", "walmart.com"),  # rn for m, then r for n (like shape)
        ("gooogle.com", "google.com"),  # a letter doubled
        ("gogle.com", "google.com"),  # a double written once
        ("paypall.com", "paypal.com"),
        ("pyapal.com", "paypal.com"),  # neighbours swapped after the first letter
        ("walmrat.com", "walmart.com"),
        ("kcrtal.de", "kortal.de"),  # c and o
        ("vetcre.com", "vetere.com"),  # c and e
        # long labels: any one edit, as before
        ("northwinx.com", "northwind.com"),
        ("northwnd.com", "northwind.com"),
        ("xnorthwind.com", "northwind.com"),
    ],
)
def test_an_edit_the_eye_passes_over_is_reported_in_a_short_name(
    domain: str, imitates: str
) -> None:
    m = found(SHORT, domain)
    assert m.imitates == imitates
    assert m.technique in ("edit", "confusable")


@pytest.mark.parametrize(
    "domain",
    [
        "orange.com",  # the first letter replaced: another word
        "airbus.com",
        "vehere.com",  # h for t: letters of different shapes
        "pipex.com",  # x for s
        "kortax.de",
        "apypal.com",  # a swap that moves the first letter
        "kortol.de",  # one vowel for another: mostly another name
        "paypl.com",  # a letter left out that is not doubled
        "walmrt.com",
        "paypalx.com",  # a letter added that doubles nothing
    ],
)
def test_another_name_one_letter_from_a_short_one_is_quiet(domain: str) -> None:
    assert SHORT.match(domain) is None


def test_a_short_label_is_counted_without_its_hyphens() -> None:
    # 'ab-cdefg' is eight characters but seven letters: a short name
    idx = LookalikeIndex([("ab-cdefg.com", "A")])
    assert idx.match("ab-cdefx.com") is None
    assert found(idx, "ab-cdefgg.com").technique == "edit"


# --------------------------------------------------------------------------- common words


def test_a_short_label_the_directory_builds_names_from_takes_no_variant() -> None:
    pairs = [("freight.de", "Freight"), ("nordicfreight.com", "N"), ("freightlines.fr", "F")]
    idx = LookalikeIndex(pairs)
    assert idx.match("freight.com") is None  # same name under another suffix
    assert idx.match("freight-invoices.de") is None  # a word added
    assert idx.match("directfreight.com") is None
    # ... while what deceives the eye still does
    assert found(idx, "fr\u0435ight.de").technique == "confusable"
    assert found(idx, "frieght.de").technique == "edit"
    assert found(idx, "freight.de.example.net").technique == "subdomain"


def test_one_longer_name_does_not_make_a_word_common() -> None:
    idx = LookalikeIndex([("freight.de", "Freight"), ("nordicfreight.com", "N")])
    assert found(idx, "freight.com").technique == "other_suffix"
    assert found(idx, "freight-invoices.de").technique == "added_word"


def test_a_long_name_stays_protected_however_many_names_it_begins() -> None:
    # a group and its companies: the group's name is what a fraudster borrows
    pairs = [("northwind.com", "Northwind"), ("northwind-metals.de", "NM")]
    pairs += [("northwindfoods.fr", "NF"), ("northwind-logistics.com", "NL")]
    idx = LookalikeIndex(pairs)
    assert found(idx, "northwind.de").imitates == "northwind.com"
    assert found(idx, "northwind-invoices.com").imitates == "northwind.com"


# --------------------------------------------------------------------------- added words


@pytest.mark.parametrize(
    "domain",
    [
        "sabra-invoices.eu",
        "sabra-gmbh.com",
        "pay-sabra.eu",
        "sabra24.eu",
        "sabra-zahlungen.de",
    ],
)
def test_a_short_name_with_a_fraudsters_word_is_reported(domain: str) -> None:
    idx = LookalikeIndex([("sabra.eu", "Sabra")])
    m = found(idx, domain)
    assert (m.technique, m.imitates) == ("added_word", "sabra.eu")


@pytest.mark.parametrize(
    "domain", ["sabra-microsystems.com", "lab3-sabra.eu", "sabra-kitchen.eu", "mira-sabra.com"]
)
def test_a_short_name_beside_another_word_is_quiet(domain: str) -> None:
    idx = LookalikeIndex([("sabra.eu", "Sabra")])
    assert idx.match(domain) is None


def test_a_long_name_beside_any_word_is_reported() -> None:
    idx = LookalikeIndex([("northwind.com", "Northwind")])
    assert found(idx, "northwind-kitchen.com").technique == "added_word"


@pytest.mark.parametrize(
    ("protected", "domain"),
    [
        ("securi.de", "securityfocus.com"),  # the start of a longer word
        ("stanfor.com", "stanfordalumni.org"),
        ("techgroup.co.uk", "startechgroup.co.uk"),  # generic words run together
        ("datasystems.com", "bigdatasystems.com"),
    ],
)
def test_a_name_inside_a_longer_word_is_quiet_unless_a_word_is_added(
    protected: str, domain: str
) -> None:
    assert LookalikeIndex([(protected, "P")]).match(domain) is None


@pytest.mark.parametrize(
    ("protected", "domain"),
    [
        ("securi.de", "securiinvoices.de"),
        ("stanfor.com", "stanforpayments.com"),
        ("techgroup.co.uk", "techgroup-invoices.co.uk"),  # with a hyphen: a word of the name
        ("northwind.com", "northwindalumni.com"),  # long and not generic: any rest
    ],
)
def test_a_name_joined_to_a_fraudsters_word_is_reported(protected: str, domain: str) -> None:
    assert found(LookalikeIndex([(protected, "P")]), domain).technique == "added_word"


# --------------------------------------------------------------------------- density


def _dense(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - synthetic names
    syllables = [c + v for c in "bcdfgklmnprstvz" for v in "aeiou"]
    out: dict[str, None] = {}
    while len(out) < n:
        label = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        out[f"{label}.{rng.choice(['com', 'de', 'co.uk', 'fr', 'nl'])}"] = None
    return list(out)


def test_a_dense_directory_of_short_names_does_not_flag_unrelated_ones() -> None:
    """Made-up names of two to four syllables: among 20,000 of them, nearly every other
    such name is one letter from one of them. Unrelated names of the same shape must not
    turn into warnings; a letter doubled still must."""
    protected = _dense(20000, 5)
    idx = LookalikeIndex([(d, "P") for d in protected])
    others = [d for d in _dense(3000, 6) if not idx.is_protected(d)]
    hits = [d for d in others if (m := idx.match(d)) and m.technique == "edit"]
    assert len(hits) <= len(others) // 100, hits[:10]
    targets = [d for d in protected if len(d.partition(".")[0]) >= 6][:300]
    doubled = 0
    for d in targets:
        label, _, suffix = d.partition(".")
        m = idx.match(f"{label[:3]}{label[2:]}.{suffix}")
        doubled += m is not None and m.imitates == d
    assert doubled >= 0.95 * len(targets)


# --------------------------------------------------------------------------- compact


def test_the_index_keeps_no_python_object_per_domain() -> None:
    n = 3000
    idx = LookalikeIndex([(d, f"Owner {i}") for i, d in enumerate(_dense(n, 9))])
    for name, value in vars(idx).items():
        assert not isinstance(value, (list, dict, set, frozenset)), name
        if isinstance(value, tuple):
            assert len(value) < 100, name
        if isinstance(value, lookalike._Table):
            assert isinstance(value._keys, array), name
            assert isinstance(value._ids, array), name


def test_hash_collisions_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table is keyed by hashes: with every key colliding, answers stay the same."""
    pairs = [("partnerb.example", "Partner B"), ("paypal.com", "PayPal")]
    pairs += [("acme-corp.com", "Acme"), ("northwind.com", "Northwind")]
    queries = [
        "partnerb.example",
        "mail.paypal.com",
        "paypa1.com",
        "acmecorp.com",
        "partnerb-invoices.com",
        "northwind.de",
        "partnerb.example.attacker.net",
        "unrelated.com",
    ]
    expected = [
        (LookalikeIndex(pairs).match(q), LookalikeIndex(pairs).is_protected(q)) for q in queries
    ]
    monkeypatch.setattr(lookalike, "_key", lambda s: 7)
    idx = LookalikeIndex(pairs)
    assert [(idx.match(q), idx.is_protected(q)) for q in queries] == expected


def test_owners_keep_every_character() -> None:
    idx = LookalikeIndex([("partnerb.example", "Société Générale \u0416 \U0001f600 \ud800")])
    assert found(idx, "partnerd.example").owner == "Société Générale \u0416 \U0001f600 \ud800"
