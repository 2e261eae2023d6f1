"""Organisational domains and address normalisation.

``same_org`` decides whether a Reply-To or a relay account belongs to the sender's own
organisation: a wrong answer is either a missed diversion or a banner on normal mail.
"""

from __future__ import annotations

import pytest

from caveat.mail.domains import (
    is_subdomain_or_equal,
    normalise_domain,
    org_domain,
    parse_address,
    readable,
    same_org,
    to_unicode,
    written_org,
)


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("example.com", "example.com"),
        ("mail.eu.example.com", "example.com"),
        ("example.co.uk", "example.co.uk"),
        ("invoices.example.co.uk", "example.co.uk"),
        ("a.b.example.com.au", "example.com.au"),
        # a public suffix is its own organisation, not "nothing"
        ("co.uk", "co.uk"),
        ("com", "com"),
        # private section of the list: every customer is an organisation of its own
        ("alice.github.io", "alice.github.io"),
        # a name the list does not know still has a registrable part
        ("a.b.acme.internal-tld", "acme.internal-tld"),
        ("localhost", "localhost"),
        ("", ""),
        ("Mail.Example.COM", "example.com"),
        ("mail.example.com.", "example.com"),
        ("mail.bücher.de", "xn--bcher-kva.de"),
        ("MAIL.XN--BCHER-KVA.DE", "xn--bcher-kva.de"),
    ],
)
def test_org_domain(domain: str, org: str) -> None:
    assert org_domain(domain) == org


@pytest.mark.parametrize(
    "literal", ["192.0.2.1", "[192.0.2.1]", "2001:db8::1", "[ipv6:2001:db8::1]"]
)
def test_ip_literal_is_its_own_organisation(literal: str) -> None:
    assert org_domain(literal) == literal


def test_ip_addresses_sharing_their_last_octets_are_not_one_organisation() -> None:
    # The Public Suffix List knows nothing of IPs: read as names, 192.0.2.1 and 10.9.2.1
    # would both "belong" to 2.1.
    assert not same_org("192.0.2.1", "10.9.2.1")
    assert not same_org("[192.0.2.1]", "[10.9.2.1]")
    assert same_org("192.0.2.1", "192.0.2.1")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("example.com", "example.com", True),
        ("mail.example.com", "billing.example.com", True),
        ("shop.example.co.uk", "example.co.uk", True),
        ("EXAMPLE.com.", "example.COM", True),
        ("bücher.de", "mail.xn--bcher-kva.de", True),
        ("example.com", "example.net", False),
        ("example.co.uk", "other.co.uk", False),  # siblings under a public suffix
        ("alice.github.io", "bob.github.io", False),
        ("example.com", "examp1e.com", False),
        ("", "", False),
        ("example.com", "", False),
    ],
)
def test_same_org(a: str, b: str, same: bool) -> None:
    assert same_org(a, b) is same
    assert same_org(b, a) is same


@pytest.mark.parametrize(
    ("domain", "parent", "inside"),
    [
        ("example.com", "example.com", True),
        ("mail.example.com", "example.com", True),
        ("a.b.example.com", "example.com", True),
        ("Mail.Example.com.", "EXAMPLE.COM", True),
        ("mail.bücher.de", "xn--bcher-kva.de", True),
        ("example.com", "mail.example.com", False),
        ("badexample.com", "example.com", False),  # a suffix of the text, not of the labels
        ("example.com.evil.example", "example.com", False),
        ("example.com", "", False),
        ("", "", False),
    ],
)
def test_is_subdomain_or_equal(domain: str, parent: str, inside: bool) -> None:
    assert is_subdomain_or_equal(domain, parent) is inside


@pytest.mark.parametrize(
    ("domain", "normal"),
    [
        (" Example.COM. ", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.DE", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        (".", ""),
    ],
)
def test_normalise_domain(domain: str, normal: str) -> None:
    assert normalise_domain(domain) == normal


@pytest.mark.parametrize(
    ("ascii_domain", "shown"),
    [
        ("xn--bcher-kva.de", "bücher.de"),
        ("mail.xn--bcher-kva.de", "mail.bücher.de"),
        ("xn--80ak6aa92e.com", "аррӏе.com"),  # Cyrillic look-alike of apple.com, shown as such
        ("example.com", "example.com"),
    ],
)
def test_to_unicode(ascii_domain: str, shown: str) -> None:
    assert to_unicode(ascii_domain) == shown


@pytest.mark.parametrize(
    "bogus",
    [
        "xn--example-.com",  # bare punycode would show this as "example.com"
        "xn--.example.com",  # ... and this as ".example.com"
        "xn--zz.example",  # not punycode at all
    ],
)
def test_to_unicode_keeps_labels_that_are_not_valid_idna(bogus: str) -> None:
    assert to_unicode(bogus) == bogus


# ---------------------------------------------------------------- parse_address


@pytest.mark.parametrize(
    ("raw", "address", "local", "domain"),
    [
        ("Ann.Lee@Partner.Example", "ann.lee@partner.example", "ann.lee", "partner.example"),
        ("<ann@partner.example>", "ann@partner.example", "ann", "partner.example"),
        ("  ann@partner.example  ", "ann@partner.example", "ann", "partner.example"),
        (
            "ann+invoices@partner.example",
            "ann+invoices@partner.example",
            "ann+invoices",
            "partner.example",
        ),
        ('"ann lee"@partner.example', '"ann lee"@partner.example', '"ann lee"', "partner.example"),
        (
            '"doe,john"@partner.example',
            '"doe,john"@partner.example',
            '"doe,john"',
            "partner.example",
        ),
        ("j@bücher.de", "j@xn--bcher-kva.de", "j", "xn--bcher-kva.de"),
        ("j@XN--BCHER-KVA.DE", "j@xn--bcher-kva.de", "j", "xn--bcher-kva.de"),
        ("jöhn@bücher.de", "jöhn@xn--bcher-kva.de", "jöhn", "xn--bcher-kva.de"),
        ("j@[192.0.2.1]", "j@[192.0.2.1]", "j", "[192.0.2.1]"),
    ],
)
def test_parse_valid_address(raw: str, address: str, local: str, domain: str) -> None:
    parsed = parse_address(raw)
    assert (parsed.address, parsed.local, parsed.domain, parsed.valid) == (
        address,
        local,
        domain,
        True,
    )


@pytest.mark.parametrize(
    ("raw", "address", "domain"),
    [
        ("not an address", "not an address", ""),
        ("ann@", "ann", ""),
        ("a@b@partner.example", "a@b@partner.example", "partner.example"),
        ("ann@-bad-.example", "ann@-bad-.example", "-bad-.example"),
        ("Ann@Partner..Example", "ann@partner..example", "partner..example"),
        ("", "", ""),
    ],
)
def test_parse_invalid_address_keeps_what_it_can(raw: str, address: str, domain: str) -> None:
    parsed = parse_address(raw)
    assert not parsed.valid
    assert (parsed.address, parsed.domain) == (address, domain)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("northwind-metaIs.de", "northwind-metaIs.de"),  # case kept
        ("northwind-met\u0430ls.de", "northwind-met\u0430ls.de"),  # script kept
        ("bücher.de", "bücher.de"),
        # punycode as written, its Unicode form beside it
        ("xn--bcher-kva.de", "xn--bcher-kva.de (bücher.de)"),
        ("Mail.XN--BCHER-KVA.DE", "Mail.XN--BCHER-KVA.DE (mail.bücher.de)"),
        ("xn--example-.de", "xn--example-.de"),  # bad punycode: nothing to add
    ],
)
def test_readable_keeps_the_domain_as_written(written: str, shown: str) -> None:
    assert readable(written) == shown


@pytest.mark.parametrize(
    ("written", "org"),
    [
        ("Mail.NorthWind-MetaIs.de", "NorthWind-MetaIs.de"),
        ("Invoices.Example.CO.UK", "Example.CO.UK"),
        ("mail.BÜCHER.de", "BÜCHER.de"),
        ("example.com", "example.com"),
        # the labels do not fold to the organisation: the folded one is kept
        ("mail\uff0eexample\uff0ecom", "example.com"),
        ("", ""),
    ],
)
def test_written_org_is_the_organisation_as_written(written: str, org: str) -> None:
    assert written_org(written, org_domain(written)) == org
