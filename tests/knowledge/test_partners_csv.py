"""The partner directory CSV (PRODUCT.md, "Partner directory CSV"): parser and writer.

Line numbers are physical lines of the file, header included: the first data row of a file
with a one-line header is line 2.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import caveat.knowledge.partners_csv as pc
from caveat.knowledge.partners_csv import (
    COLUMNS,
    CONTRACT_COLUMNS,
    MAX_ROWS,
    Contact,
    DirectoryFileError,
    ParseResult,
    Partner,
    RowError,
    organization_key,
    parse_partners_csv,
    write_partners_csv,
)
from caveat.mail.domains import parse_address

HEADER = ",".join(COLUMNS)
#: A file of the contract's seven columns (PRODUCT.md), without the optional policy columns.
SEVEN = ",".join(CONTRACT_COLUMNS)
#: What a partner of a seven-column file says of the policies: nothing.
UNSAID: dict[str, Any] = {"bank_change_procedure": None, "pay_only_on_file": None}

# Valid IBANs (check digits correct) from several countries.
IBAN_DE = "DE89370400440532013000"
IBAN_GB = "GB82WEST12345698765432"
IBAN_NL = "NL91ABNA0417164300"
IBAN_FR = "FR1420041010050500013M02606"
IBAN_CH = "CH9300762011623852957"


def parse(*rows: str, header: str = HEADER) -> ParseResult:
    return parse_partners_csv("\n".join([header, *rows]) + "\n")


def errors(result: ParseResult) -> dict[int, str]:
    lines = [e.line for e in result.errors]
    assert len(lines) == len(set(lines)), "one RowError per row"
    return {e.line: e.message for e in result.errors}


def only(result: ParseResult) -> Partner:
    assert result.errors == ()
    assert len(result.partners) == 1
    return result.partners[0]


# ------------------------------------------------------------------- the whole file


def test_minimal_file() -> None:
    result = parse("Acme GmbH,acme.example,Jane Doe,jane@acme.example,+49 30 1234,,")
    assert result == ParseResult(
        partners=(
            Partner(
                organization="Acme GmbH",
                domains=("acme.example",),
                contacts=(Contact("Jane Doe", "jane@acme.example", "+49 30 1234"),),
                bank_accounts=(),
                require_auth=frozenset(),
            ),
        ),
        errors=(),
        rows=1,
    )


def test_header_only_file_is_an_empty_directory() -> None:
    assert parse() == ParseResult((), (), 0)


@pytest.mark.parametrize("data", [b"", "", "\n\n", b"\xef\xbb\xbf", " ,  ,\r\n"])
def test_empty_file_is_refused(data: bytes | str) -> None:
    with pytest.raises(DirectoryFileError, match="empty; it needs a header row"):
        parse_partners_csv(data)


def test_size_is_checked_before_parsing() -> None:
    data = (HEADER + "\nAcme,acme.example,,,,,\n").encode()
    assert parse_partners_csv(data, max_bytes=len(data)).rows == 1
    with pytest.raises(DirectoryFileError, match="larger than"):
        parse_partners_csv(data, max_bytes=len(data) - 1)
    # text is measured in UTF-8 bytes, not characters
    text = HEADER + "\nMüller,mueller.example,,,,,\n"
    assert len(text) < len(text.encode())
    with pytest.raises(DirectoryFileError, match="larger than"):
        parse_partners_csv(text, max_bytes=len(text))
    # the check comes first: a huge file of garbage says "too large", not "not UTF-8"
    with pytest.raises(DirectoryFileError, match="larger than"):
        parse_partners_csv(b"\xff" * 100, max_bytes=99)


def test_default_limit_is_20_mib() -> None:
    assert pc.MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(DirectoryFileError, match="larger than"):
        parse_partners_csv(b"x" * (pc.MAX_BYTES + 1))


def test_excel_export_bom_crlf_and_quoted_cells() -> None:
    text = (
        "\ufefforganization,domain,contact_name,contact_email,contact_phone,bank_accounts,"
        "require_auth\r\n"
        '"Müller, Schmidt & Co. KG",bücher.example,"Müller, Hans",hans@bücher.example,'
        '"+49 (30) 123 456","DE89 3704 0044 0532 0130 00",spf;dkim;dmarc\r\n'
        '"ACME ""Best"" Ltd",acme.example,"Line one\r\nline two",,,,\r\n'
        "Third,third.example,,,,,\r\n"
    )
    result = parse_partners_csv(text.encode("utf-8"))
    assert result.errors == ()
    assert result.rows == 3
    first, second, third = result.partners
    assert first == Partner(
        organization="Müller, Schmidt & Co. KG",
        domains=("xn--bcher-kva.example",),
        contacts=(Contact("Müller, Hans", "hans@xn--bcher-kva.example", "+49 (30) 123 456"),),
        bank_accounts=(IBAN_DE,),
        require_auth=frozenset({"spf", "dkim", "dmarc"}),
        **UNSAID,
    )
    assert second.organization == 'ACME "Best" Ltd'
    # a contact name is whitespace-collapsed, line break included
    assert second.contacts == (Contact("Line one line two", "", ""),)
    assert third.organization == "Third"


def test_lf_crlf_and_bare_cr_line_ends_count_the_same() -> None:
    rows = [HEADER, "A,a.example,,,,,", "B,bad domain,,,,,", "C,c.example,,,,,"]
    for sep in ("\n", "\r\n", "\r"):
        result = parse_partners_csv(sep.join(rows) + sep)
        assert [p.organization for p in result.partners] == ["A", "C"]
        assert [e.line for e in result.errors] == [3]


def test_str_and_bytes_give_the_same_result() -> None:
    text = HEADER + "\nÆon AS,æon.example,Åse,åse@æon.example,,,\n"
    assert parse_partners_csv(text) == parse_partners_csv(text.encode())
    assert parse_partners_csv("\ufeff" + text) == parse_partners_csv(text)


def test_windows_1252_file_is_refused_with_the_line_and_what_to_do() -> None:
    data = (HEADER + "\nAcme,acme.example,,,,,\nMüller GmbH,mueller.example,,,,,\n").encode(
        "cp1252"
    )
    with pytest.raises(DirectoryFileError) as e:
        parse_partners_csv(data)
    assert "not UTF-8" in str(e.value)
    assert "line 3" in str(e.value)
    assert "CSV UTF-8" in str(e.value)


def test_utf16_file_is_refused() -> None:
    data = (HEADER + "\nAcme,acme.example,,,,,\n").encode("utf-16")
    with pytest.raises(DirectoryFileError, match=r"UTF-16.*CSV UTF-8"):
        parse_partners_csv(data)
    # without a byte-order mark it is full of NUL bytes
    with pytest.raises(DirectoryFileError, match="binary"):
        parse_partners_csv((HEADER + "\n").encode("utf-16-le"))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00rest of an xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old xls",
    ],
)
def test_spreadsheet_workbook_is_refused(data: bytes) -> None:
    with pytest.raises(DirectoryFileError, match=r"workbook.*CSV UTF-8"):
        parse_partners_csv(data)


def test_binary_file_is_refused() -> None:
    with pytest.raises(DirectoryFileError, match="binary"):
        parse_partners_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DirectoryFileError, match="binary"):
        parse_partners_csv(HEADER + "\nAcme\x00,acme.example,,,,,\n")


def test_lone_surrogates_in_text_are_refused() -> None:
    with pytest.raises(DirectoryFileError, match="not valid text"):
        parse_partners_csv(HEADER + "\nAcme\udcff,acme.example,,,,,\n")


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        (HEADER.replace(",", ";"), "semicolons"),
        (HEADER.replace(",", "\t"), "tabs"),
    ],
)
def test_semicolon_or_tab_separated_file_is_refused(header: str, separator: str) -> None:
    data = header + "\n" + "Acme;acme.example;;;;;\n"
    with pytest.raises(DirectoryFileError) as e:
        parse_partners_csv(data)
    assert separator in str(e.value)
    assert "comma-separated" in str(e.value)


def test_header_names_are_trimmed_case_insensitive_and_in_any_order() -> None:
    header = " Contact_Email ,REQUIRE_AUTH,Domain,contact name,Organization,contact-phone"
    result = parse("jane@acme.example,SPF,acme.example,Jane,Acme,+1 555", header=header)
    assert only(result) == Partner(
        "Acme",
        ("acme.example",),
        (Contact("Jane", "jane@acme.example", "+1 555"),),
        (),
        frozenset({"spf"}),
        **UNSAID,
    )


def test_optional_columns_may_be_missing() -> None:
    result = parse(
        "Acme,acme.example,Jane,jane@acme.example",
        header="organization,domain,contact_name,contact_email",
    )
    assert only(result).bank_accounts == ()
    assert only(result).require_auth == frozenset()
    assert only(result).contacts == (Contact("Jane", "jane@acme.example", ""),)


@pytest.mark.parametrize("missing", ["organization", "domain", "contact_name", "contact_email"])
def test_required_columns_must_be_there(missing: str) -> None:
    header = ",".join(c for c in COLUMNS if c != missing)
    with pytest.raises(DirectoryFileError) as e:
        parse(header=header)
    assert f"lacks the column {missing}" in str(e.value)


def test_unknown_columns_refuse_the_file_and_are_named() -> None:
    with pytest.raises(DirectoryFileError) as e:
        parse(header=HEADER + ",iban,notes")
    assert "'iban'" in str(e.value)
    assert "'notes'" in str(e.value)
    assert "right file" in str(e.value)


def test_a_misspelt_column_gets_a_suggestion() -> None:
    with pytest.raises(DirectoryFileError, match=r"'organisation' \(did you mean organization\?\)"):
        parse(header=HEADER.replace("organization", "organisation"))


def test_a_column_named_twice_is_refused() -> None:
    with pytest.raises(DirectoryFileError, match="names domain twice"):
        parse(header=HEADER + ",Domain")


def test_a_file_without_a_header_row_is_refused() -> None:
    with pytest.raises(DirectoryFileError, match="not the header row"):
        parse_partners_csv("Acme,acme.example,Jane,jane@acme.example,,,\n")


def test_blank_lines_before_the_header_are_skipped() -> None:
    result = parse_partners_csv("\n\n" + HEADER + "\nAcme,acme.example,,,,,\nBad,,,,,,\n")
    assert [p.organization for p in result.partners] == ["Acme"]
    assert errors(result).keys() == {5}


def test_unnamed_columns_must_stay_empty() -> None:
    # spreadsheets sometimes export a trailing comma on every line
    result = parse(
        "Acme,acme.example,,,,,,",
        "Beta,beta.example,,,,,,stray note",
        header=SEVEN + ",",
    )
    assert [p.organization for p in result.partners] == ["Acme"]
    assert errors(result) == {3: "column 8 has no name in the header but holds 'stray note'"}


def test_row_limit_refuses_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_ROWS == 100_000
    monkeypatch.setattr(pc, "MAX_ROWS", 3)
    rows = [f"Org {i},org{i}.example,,,,," for i in range(3)]
    assert parse(*rows).rows == 3
    with pytest.raises(DirectoryFileError, match="more than 3 rows"):
        parse(*rows, "Org 9,org9.example,,,,,")


def test_domain_limit_refuses_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pc.MAX_DOMAINS == 200_000
    monkeypatch.setattr(pc, "MAX_DOMAINS", 4)
    rows = ["A,a1.example;a2.example,,,,,", "B,b1.example;b2.example,,,,,"]
    assert len(parse(*rows).partners) == 2
    # the same domain again does not count twice
    assert len(parse(*rows, "A,a1.example,,,,,").partners) == 2
    with pytest.raises(DirectoryFileError, match="more than 4 domains"):
        parse(*rows, "C,c1.example,,,,,")


# ------------------------------------------------------------------- rows


def test_bad_rows_are_reported_with_their_line_and_good_rows_load() -> None:
    result = parse(
        "Acme,acme.example,Jane,jane@acme.example,,,",  # 2
        ",beta.example,Bob,bob@beta.example,,,",  # 3
        "Gamma,gamma.example,,,,,",  # 4
        "Delta,not a domain,,,,,",  # 5
    )
    assert [p.organization for p in result.partners] == ["Acme", "Gamma"]
    assert result.rows == 4
    assert errors(result) == {
        3: "organization is empty",
        5: "domain 'not a domain' is not a domain name (it contains a space)",
    }


def test_all_problems_of_a_row_are_in_one_message() -> None:
    result = parse(",bad..example,,not-an-address,,XX00,sms")
    assert result.partners == ()
    message = errors(result)[2]
    parts = message.split("; ")
    assert parts[0] == "organization is empty"
    assert parts[1].startswith("domain 'bad..example'")
    assert parts[2].startswith("contact_email 'not-an-address' is not a valid address")
    assert parts[3].startswith("bank_accounts 'XX00'")
    assert parts[4].startswith("require_auth 'sms' is not one of spf, dkim, dmarc")


def test_a_row_needs_a_domain_or_a_contact_email() -> None:
    result = parse(
        "Acme,,Jane Doe,,+49 30 1,,",  # 2: nothing identifies the partner
        "Small Supplier,,Bob Smith,bob.smith@gmail.com,+44 20 7946 0000,,",  # 3: free mail
        "Acme,acme.example,Jane Doe,,+49 30 1,,",  # 4
        "Only Semicolons,;;,,,,,",  # 5
    )
    assert errors(result) == {
        2: "domain and contact_email are both empty; one of them must identify the partner",
        5: "domain and contact_email are both empty; one of them must identify the partner",
    }
    small, acme = result.partners
    assert small == Partner(
        "Small Supplier",
        (),
        (Contact("Bob Smith", "bob.smith@gmail.com", "+44 20 7946 0000"),),
        (),
        frozenset(),
    )
    assert acme.domains == ("acme.example",)


def test_more_cells_than_columns_is_a_row_error() -> None:
    result = parse(
        "Acme, Inc.,acme.example,Jane,jane@acme.example,,,",  # unquoted comma: 8 cells
        '"Beta, Inc.",beta.example,Bob,bob@beta.example,,,',
        header=SEVEN,
    )
    assert [p.organization for p in result.partners] == ["Beta, Inc."]
    assert errors(result) == {
        2: "the row has 8 cells but the header has 7 columns "
        "(a value that contains a comma must be in double quotes)"
    }


def test_fewer_cells_than_columns_are_read_as_empty() -> None:
    result = parse("Acme,acme.example")
    assert only(result) == Partner("Acme", ("acme.example",), (), (), frozenset())


def test_rows_with_every_cell_empty_are_skipped_and_not_counted() -> None:
    result = parse("Acme,acme.example,,,,,", ",,,,,,", "", "  ,  ,,,,,", "Bad,,,,,,")
    assert result.rows == 2
    assert errors(result).keys() == {6}


def test_cells_over_1000_characters_are_row_errors_without_the_value() -> None:
    long_name = "N" * 1001
    result = parse(
        f"Acme,acme.example,{long_name},,,,",
        f"Beta,beta.example,{'M' * 1000},,,,",
    )
    assert [p.organization for p in result.partners] == ["Beta"]
    message = errors(result)[2]
    assert message == "contact_name is 1,001 characters long (at most 1,000)"
    assert "NNNN" not in message


def test_long_values_are_cut_short_in_messages() -> None:
    long_domain = "a" * 300 + ".example"
    result = parse(f"Acme,{long_domain},,,,,")
    message = errors(result)[2]
    quoted = re.search(r"'(a+…)'", message)
    assert quoted is not None
    assert len(quoted.group(1)) == pc.SHOW_CHARS
    assert long_domain not in message
    assert len(message) < 200


def test_a_row_with_many_problems_lists_five() -> None:
    domains = ";".join(f"bad{i}..example" for i in range(12))
    message = errors(parse(f"Acme,{domains},,,,,"))[2]
    assert message.count("is not a valid domain name") == 5
    assert message.endswith("and 7 more problems")


def test_control_characters_are_row_errors() -> None:
    result = parse("Acme\x07,acme.example,,,,,", "Beta,beta.example,Bob\x1b[31m,,,,")
    assert errors(result) == {
        2: "organization contains a control character",
        3: "contact_name contains a control character",
    }


def test_quoted_line_breaks_keep_physical_line_numbers() -> None:
    result = parse(
        '"Acme\nGmbH",acme.example,"Jane\nDoe",,"+49 30 1\n(switchboard)",,',  # lines 2-5
        "Bad One,,,,,,",  # line 6
        '"Beta",beta.example,"Bob',  # lines 7-8
        'Smith",,,,',
        "Bad Two,,,,,,",  # line 9
    )
    assert errors(result).keys() == {6, 9}
    acme, beta = result.partners
    assert acme.organization == "Acme GmbH"
    assert acme.contacts == (Contact("Jane Doe", "", "+49 30 1\n(switchboard)"),)
    assert beta.contacts == (Contact("Bob Smith", "", ""),)


def test_a_missing_closing_quote_is_hinted_at() -> None:
    result = parse(
        'Acme,acme.example,"Jane,jane@acme.example,,,',
        'Beta,beta.example,"Bob",bob@beta.example,,,',
        "Gamma,gamma.example,Carol,carol@gamma.example,,,",
    )
    # the quote opened on line 2 closes on line 3: one long contact name
    message = errors(result)[2]
    assert message == (
        "contact_name seems to hold further rows of the file (the row runs over lines 2-3; "
        "if it should not, check for a missing closing quote)"
    )
    assert [p.organization for p in result.partners] == ["Gamma"]


def test_an_unclosed_quote_that_eats_the_file_is_one_error_and_later_lines_load() -> None:
    # the csv module gives up on a cell over its field limit (131,072 characters)
    rest = "\n".join(f"x{i}" * 10 for i in range(20_000))
    result = parse(f'Acme,"acme.example{rest}', "Beta,beta.example,,,,,")
    assert result.errors[0].line == 2
    assert "missing" in result.errors[0].message
    assert "Beta" in [p.organization for p in result.partners]


# ------------------------------------------------------------------- organisation


def test_organization_key() -> None:
    assert organization_key("  Acme   GmbH ") == "acme gmbh"
    assert organization_key("ACME\tgmbh") == "acme gmbh"
    assert organization_key("Straße AG") == organization_key("STRASSE ag")
    # composed and decomposed accents are one organisation
    assert organization_key("Mu\u0308ller") == organization_key("Müller")
    assert organization_key("   ") == ""


def test_rows_of_the_same_organisation_merge() -> None:
    result = parse(
        "Acme GmbH,acme.example,Jane Doe,jane@acme.example,+49 30 1,"
        "DE89 3704 0044 0532 0130 00,spf",
        "Beta Ltd,beta.example,,,,,",
        f" ACME  gmbh ,acme.example;acme-invoices.example,Bob Roe,bob@acme.example,,{IBAN_GB},dkim",
        "acme gmbh,,Carol,carol@acme-invoices.example,,,",
    )
    assert result.errors == ()
    assert result.rows == 4
    acme, beta = result.partners
    assert acme == Partner(
        organization="Acme GmbH",  # as first written
        domains=("acme.example", "acme-invoices.example"),
        contacts=(
            Contact("Jane Doe", "jane@acme.example", "+49 30 1"),
            Contact("Bob Roe", "bob@acme.example", ""),
            Contact("Carol", "carol@acme-invoices.example", ""),
        ),
        bank_accounts=(IBAN_DE, IBAN_GB),
        require_auth=frozenset({"spf", "dkim"}),  # a later row adds to it
    )
    assert beta.organization == "Beta Ltd"


def test_organisation_name_is_trimmed_and_whitespace_collapsed() -> None:
    assert only(parse('"  Acme \n GmbH ",acme.example,,,,,')).organization == "Acme GmbH"


def test_a_domain_belongs_to_one_organisation() -> None:
    result = parse(
        "Acme GmbH,acme.example,,,,,",  # 2
        "Beta Ltd,beta.example,,,,,",  # 3
        "Acme Logistics,logistics.example;ACME.example,Dan,dan@logistics.example,,,",  # 4
        "acme gmbh,acme.example,Jane,jane@acme.example,,,",  # 5: same organisation, fine
    )
    assert errors(result) == {
        4: "domain acme.example already belongs to 'Acme GmbH' (line 2); "
        "a domain belongs to one organisation"
    }
    # the row is skipped whole: logistics.example did not load either
    assert [p.organization for p in result.partners] == ["Acme GmbH", "Beta Ltd"]
    assert result.partners[0].contacts == (Contact("Jane", "jane@acme.example", ""),)
    # so a later row may still claim logistics.example
    again = parse(
        "Acme GmbH,acme.example,,,,,",
        "Acme Logistics,logistics.example;acme.example,,,,,",
        "Other,logistics.example,,,,,",
    )
    assert errors(again).keys() == {3}
    assert [p.domains for p in again.partners] == [("acme.example",), ("logistics.example",)]


def test_a_contact_address_and_a_bank_account_may_be_shared() -> None:
    # a bookkeeper working for two sister companies, who share an account
    result = parse(
        f"Acme GmbH,acme.example,Kim,kim@books.example,,{IBAN_DE},",
        f"Acme Logistics,logistics.example,Kim,kim@books.example,,{IBAN_DE},",
    )
    assert result.errors == ()
    assert len(result.partners) == 2


# ------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("cell", "domains"),
    [
        ("acme.example", ("acme.example",)),
        ("ACME.Example.", ("acme.example",)),
        ("  acme.example  ", ("acme.example",)),
        ("bücher.example", ("xn--bcher-kva.example",)),
        ("BÜCHER.example", ("xn--bcher-kva.example",)),
        ("xn--bcher-kva.example", ("xn--bcher-kva.example",)),
        # IDNA 2008, as email_validator does: ß is kept, not mapped to "ss"
        ("straße.example", ("xn--strae-oqa.example",)),
        ("acme．example", ("acme.example",)),  # full-width dot
        ("acme.example;acme.example.com; ACME.example", ("acme.example", "acme.example.com")),
        ("acme.example, acme-mail.example", ("acme.example", "acme-mail.example")),
        ("acme.example;", ("acme.example",)),
        ("mail.eu.acme.co.uk", ("mail.eu.acme.co.uk",)),
        ("acme.internal", ("acme.internal",)),
        # tidied: a web address or an @-prefixed domain
        ("https://www.acme.example/", ("www.acme.example",)),
        ("http://Acme.Example:8080/contact?x=1", ("acme.example",)),
        ("@acme.example", ("acme.example",)),
    ],
)
def test_domains_are_normalised(cell: str, domains: tuple[str, ...]) -> None:
    assert only(parse(f'Acme,"{cell}",,,,,')).domains == domains


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("acme", "is not a domain name (it has no dot)"),
        ("acme..example", "is not a valid domain name"),
        ("-acme.example", "is not a valid domain name"),
        ("acme-.example", "is not a valid domain name"),
        ("acme_mail.example", "is not a valid domain name"),
        ("acme example.com", "is not a domain name (it contains a space)"),
        ("a" * 64 + ".example", "is not a valid domain name"),
        ("xn--example-.com", "is not a valid domain name"),
        ("xn--zz.example", "is not a valid domain name (bad punycode)"),
        ("ab--cd.example", "is not a valid domain name (only punycode labels have '--' there)"),
        ("acme.local", "is a special-use name that mail cannot be sent to"),
        ("mail.acme.test", "is a special-use name that mail cannot be sent to"),
        ("acme.123", "is not a valid domain name (no top-level domain ends in a digit)"),
        ("acme.example1", "is not a valid domain name (no top-level domain ends in a digit)"),
        ("192.0.2.1", "is an IP address, not a domain name"),
        ("[192.0.2.1]", "is an IP address, not a domain name"),
        ("2001:db8::1", "is an IP address, not a domain name"),
        ("co.uk", "is a public suffix, not an organisation's domain"),
        ("github.io", "is a public suffix, not an organisation's domain"),
        ("jane@acme.example", "is an email address, not a domain (addresses go in contact_email)"),
        ("ftp://acme.example/", "is not a domain name"),
        ("https://", "is not a domain name"),
        ("https://user@acme.example/", "is not a domain name"),
        ("https://[::1/", "is not a domain name"),
        ("@", "is not a domain name"),
        ("☃.example", "is not a valid internationalised domain name"),
    ],
)
def test_invalid_domains(cell: str, problem: str) -> None:
    result = parse(f'Acme,"{cell}",,,,,')
    assert result.partners == ()
    assert errors(result) == {2: f"domain {cell!r} {problem}"}


# ------------------------------------------------------------------- contacts


@pytest.mark.parametrize(
    ("name", "email", "contact"),
    [
        ("Jane Doe", "Jane.Doe@ACME.example", Contact("Jane Doe", "jane.doe@acme.example", "")),
        ("  Jane   Doe ", "jane@acme.example", Contact("Jane Doe", "jane@acme.example", "")),
        ("", "<jane@acme.example>", Contact("", "jane@acme.example", "")),
        ("", "mailto:jane@acme.example", Contact("", "jane@acme.example", "")),
        # pasted from a mail client: the name fills an empty contact_name
        ("", "Jane Doe <jane@acme.example>", Contact("Jane Doe", "jane@acme.example", "")),
        ("", '"Doe, Jane" <jane@acme.example>', Contact("Doe, Jane", "jane@acme.example", "")),
        ("J. Doe", "Jane Doe <jane@acme.example>", Contact("J. Doe", "jane@acme.example", "")),
        ("Jörg", "jörg@bücher.example", Contact("Jörg", "jörg@xn--bcher-kva.example", "")),
        ("", '"john smith"@acme.example', Contact("", '"john smith"@acme.example', "")),
        # free mail is allowed here: small suppliers use it
        ("Bob", "Bob.Smith@GMAIL.com", Contact("Bob", "bob.smith@gmail.com", "")),
    ],
)
def test_contacts_are_normalised(name: str, email: str, contact: Contact) -> None:
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, ["Acme", "acme.example", name, email]])
    assert only(parse_partners_csv(out.getvalue())).contacts == (contact,)


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("jane", "is not a valid address: An email address must have an @-sign."),
        ("jane@", "is not a valid address: There must be something after the @-sign."),
        ("jane@acme", "is not a valid address:"),
        ("jane..doe@acme.example", "is not a valid address:"),
        ("jane@acme..example", "is not a valid address:"),
        ("jane@[192.0.2.1]", "must have a domain name, not an IP address"),
        (
            "jane@acme.example; bob@acme.example",
            "holds more than one address; give each contact a row of their own",
        ),
    ],
)
def test_invalid_contact_emails(email: str, problem: str) -> None:
    result = parse(f'Acme,acme.example,Jane,"{email}",,,')
    assert result.partners == ()
    message = errors(result)[2]
    assert message.startswith(f"contact_email {email!r} {problem}")


@pytest.mark.parametrize(
    "address",
    [
        "jane@acme.example",
        "Jane.Doe+invoices@Acme.Example",
        "o'brien@acme.example",
        "a!#$%&'*+/=?^_`{|}~-@acme.example",
        "jane.@acme.example",
        ".jane@acme.example",
        "jane@acme.example.",
        "jane@localhost",
        "jane@acme.local",
        "jane@-acme.example",
        "jane@bücher.example",
        "jörg@acme.example",
        '"quoted"@acme.example',
        "x" * 64 + "@acme.example",
        "x" * 65 + "@acme.example",
        "x@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".example",
        "jane@acme.example@other.example",
        "jane@[192.0.2.1]",
    ],
)
def test_contact_email_agrees_with_parse_address(address: str) -> None:
    # the fast path for plain addresses must give parse_address's answers
    expected = parse_address(address)
    email, _name, problem = pc._check_email(address)
    if expected.valid and not expected.domain.startswith("["):
        assert (email, problem) == (expected.address, "")
    else:
        assert email == ""
        assert problem


_ldh_domain = st.from_regex(
    r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){0,2}\.(example|com|co\.uk|local|test|x1|xn--zz|"
    r"xn--bcher-kva|[a-z0-9-]{1,6})",
    fullmatch=True,
)


@settings(max_examples=300, deadline=None)
@given(_ldh_domain)
def test_domain_check_is_stricter_than_email_validator(domain: str) -> None:
    # the domain column's own checks never accept what parse_address would refuse
    ascii_domain, _problem = pc._domain_name(domain)
    if ascii_domain:
        assert pc._address_domain(domain) == ascii_domain
        assert parse_address(f"someone@{domain}").valid


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,70}", fullmatch=True),
    st.one_of(_ldh_domain, st.sampled_from(["bücher.example", "[192.0.2.1]", "gmail.com"])),
)
def test_plain_address_shortcut_agrees_with_parse_address(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    shortcut = pc._plain_address(address)
    if shortcut:
        expected = parse_address(address)
        assert expected.valid
        assert shortcut == expected.address


def test_repeated_contacts_merge_and_fill_in_the_blanks() -> None:
    result = parse(
        "Acme,acme.example,,jane@acme.example,,,",  # 2
        "Acme,acme.example,Jane Doe,JANE@acme.example,+49 30 1,,",  # 3
        "Acme,acme.example,J. Doe,jane@acme.example,+49 (30) 1,,",  # 4: same number, written
        "Acme,acme.example,Reception,,+49 30 0,,",  # 5: a name without an address
        "Acme,acme.example,RECEPTION,,,,",  # 6: the same name
        "Acme,acme.example,,,+49 30 9,,",  # 7: a phone number alone
        "Acme,acme.example,,,+49309,,",  # 8: the same number
    )
    assert result.errors == ()
    assert only(result).contacts == (
        Contact("Jane Doe", "jane@acme.example", "+49 30 1"),
        Contact("Reception", "", "+49 30 0"),
        Contact("", "", "+49 30 9"),
    )


def test_a_different_phone_for_the_same_contact_is_an_error() -> None:
    result = parse(
        "Acme,acme.example,Jane,jane@acme.example,,,",  # 2
        "Acme,acme.example,Jane,jane@acme.example,+49 30 1,,",  # 3
        "Acme,acme.example,Jane,jane@acme.example,+44 20 7946 0000,,",  # 4
        "Acme,acme.example,Reception,,+49 30 0,,",  # 5
        "Acme,acme.example,reception,,+49 30 5,,",  # 6
    )
    assert errors(result) == {
        4: "contact_phone '+44 20 7946 0000' differs from '+49 30 1' given for "
        "'jane@acme.example' on line 3; write the same number on every row of a contact, "
        "or leave it empty",
        6: "contact_phone '+49 30 5' differs from '+49 30 0' given for 'reception' on "
        "line 5; write the same number on every row of a contact, or leave it empty",
    }


def test_a_row_without_contact_cells_adds_no_contact() -> None:
    assert only(parse("Acme,acme.example,,,,,")).contacts == ()


# ------------------------------------------------------------------- bank accounts


@pytest.mark.parametrize(
    ("cell", "accounts"),
    [
        ("DE89 3704 0044 0532 0130 00", (IBAN_DE,)),
        ("de89370400440532013000", (IBAN_DE,)),
        ("GB82-WEST-1234-5698-7654-32", (IBAN_GB,)),
        (f"{IBAN_NL}; {IBAN_FR} ;{IBAN_CH};{IBAN_NL}", (IBAN_NL, IBAN_FR, IBAN_CH)),
        (f"{IBAN_NL},{IBAN_FR}", (IBAN_NL, IBAN_FR)),
        # other identifiers are kept as written, upper-cased, without spaces
        ("021000021 / 123456789", ("021000021/123456789",)),
        ("DEUTDEFF 500 123", ("DEUTDEFF500123",)),
        ("12-34-56 12345678", ("12-34-5612345678",)),
        ("acct.0042", ("ACCT.0042",)),
        ("1234", ("1234",)),
        ("9" * 64, ("9" * 64,)),
    ],
)
def test_bank_accounts_are_normalised(cell: str, accounts: tuple[str, ...]) -> None:
    assert only(parse(f'Acme,acme.example,,,,"{cell}",')).bank_accounts == accounts


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("DE89 3704 0044 0532 0130 01", "looks like an IBAN but its check digits are wrong"),
        ("DE00370400440532013000", "looks like an IBAN but its check digits are wrong"),
        ("DE8937040044053201300", "looks like an IBAN but"),
        ("ZZ12345678901234", "looks like an IBAN but"),
        ("123", "is not an account identifier (4 to 64 letters, digits, '-', '/' or '.')"),
        ("9" * 65, "is not an account identifier"),
        ("ACCT#42", "is not an account identifier"),
        ("Konto 1234 €", "is not an account identifier"),
    ],
)
def test_invalid_bank_accounts(cell: str, problem: str) -> None:
    result = parse(f'Acme,acme.example,,,,"{IBAN_GB};{cell}",')
    assert result.partners == ()
    assert errors(result)[2].startswith(f"bank_accounts {cell!r} {problem}")


# ------------------------------------------------------------------- require_auth


@pytest.mark.parametrize(
    ("cell", "values"),
    [
        ("", frozenset()),
        ("spf", {"spf"}),
        ("SPF; DKIM ;dmarc", {"spf", "dkim", "dmarc"}),
        ("dmarc;dmarc", {"dmarc"}),
        ("dkim,dmarc", {"dkim", "dmarc"}),
    ],
)
def test_require_auth(cell: str, values: set[str]) -> None:
    assert only(parse(f'Acme,acme.example,,,,,"{cell}"')).require_auth == frozenset(values)


def test_unknown_require_auth_values_are_named() -> None:
    result = parse("Acme,acme.example,,,,,spf;arc;tls")
    assert errors(result) == {
        2: "require_auth 'arc', 'tls' is not one of spf, dkim, dmarc "
        "(write them ;-separated, e.g. spf;dkim;dmarc)"
    }


# ------------------------------------------------------------------- a realistic file


SAMPLE = (
    "\ufeffOrganization,Domain,Contact_Name,Contact_Email,Contact_Phone,Bank_Accounts,"
    "Require_Auth\r\n"
    # 2: a supplier with two domains and a policy
    "Nordwind Logistik GmbH,nordwind-logistik.example;nordwind.example,Anna Berger,"
    "a.berger@nordwind-logistik.example,+49 40 123456-0,DE89 3704 0044 0532 0130 00,"
    "spf;dkim;dmarc\r\n"
    # 3: the same supplier, another contact
    "Nordwind Logistik GmbH,nordwind-logistik.example,Tom Krause,"
    "t.krause@nordwind-logistik.example,+49 40 123456-12,,\r\n"
    # 4: an invalid IBAN
    "Brightside Ltd,brightside.example,Olivia Hart,olivia@brightside.example,"
    "+44 20 7946 0958,GB82 WEST 1234 5698 7654 33,\r\n"
    # 5: a small supplier on free mail, no domain
    '"Smith, J. (Carpentry)",,John Smith,john.smith.carpentry@gmail.com,+44 7700 900123,'
    "12-34-56 87654321,\r\n"
    # 6: a quoted multi-line contact name; 7 is its second line
    'Studio Fjord AS,fjord.example,"Ingrid\r\nHansen",ingrid@fjord.example,,'
    "NO93 8601 1117 947,dkim\r\n"
    # 8: empty organisation
    ",orphan.example,Nobody,nobody@orphan.example,,,\r\n"
    # 9: claims a domain of Nordwind
    "Nordwind Freight,nordwind.example,Eve,eve@nordwind.example,,,\r\n"
    # 10: an IDN domain and address
    "Bücherstube Köln,bücherstube.example,Jörg Weiß,jörg@bücherstube.example,,,spf\r\n"
    # 11: a typo in require_auth
    "Acme Corp,acme.example,,,,,spf;dkmi\r\n"
    # 12: a US account number and a web address for the domain
    "Great Lakes Supply Inc.,https://www.greatlakes.example/,Dana Reed,"
    "dana.reed@greatlakes.example,+1 312 555 0142,021000021 9876543210,dmarc\r\n"
    # 13: later row of Studio Fjord adds a policy
    "studio fjord as,fjord.example,,,,,spf\r\n"
)


def test_realistic_sample() -> None:
    result = parse_partners_csv(SAMPLE.encode("utf-8"))
    assert result.rows == 11
    assert errors(result) == {
        4: "bank_accounts 'GB82 WEST 1234 5698 7654 33' looks like an IBAN but its check "
        "digits are wrong",
        8: "organization is empty",
        9: "domain nordwind.example already belongs to 'Nordwind Logistik GmbH' (line 2); "
        "a domain belongs to one organisation",
        11: "require_auth 'dkmi' is not one of spf, dkim, dmarc (write them ;-separated, "
        "e.g. spf;dkim;dmarc)",
    }
    assert [p.organization for p in result.partners] == [
        "Nordwind Logistik GmbH",
        "Smith, J. (Carpentry)",
        "Studio Fjord AS",
        "Bücherstube Köln",
        "Great Lakes Supply Inc.",
    ]
    nordwind, smith, fjord, buecher, lakes = result.partners
    assert nordwind == Partner(
        "Nordwind Logistik GmbH",
        ("nordwind-logistik.example", "nordwind.example"),
        (
            Contact("Anna Berger", "a.berger@nordwind-logistik.example", "+49 40 123456-0"),
            Contact("Tom Krause", "t.krause@nordwind-logistik.example", "+49 40 123456-12"),
        ),
        (IBAN_DE,),
        frozenset({"spf", "dkim", "dmarc"}),
        **UNSAID,
    )
    assert smith.domains == ()
    assert smith.bank_accounts == ("12-34-5687654321",)
    assert fjord.contacts == (Contact("Ingrid Hansen", "ingrid@fjord.example", ""),)
    assert fjord.bank_accounts == ("NO9386011117947",)
    assert fjord.require_auth == frozenset({"dkim", "spf"})
    assert buecher.domains == ("xn--bcherstube-9db.example",)
    assert buecher.contacts == (Contact("Jörg Weiß", "jörg@xn--bcherstube-9db.example", ""),)
    assert lakes.domains == ("www.greatlakes.example",)
    assert lakes.bank_accounts == ("0210000219876543210",)
    # and the loaded part writes and reads back unchanged (the policies it did not state
    # are written as none)
    said = tuple(
        replace(p, bank_change_procedure="", pay_only_on_file=False) for p in result.partners
    )
    assert parse_partners_csv(write_partners_csv(result.partners)).partners == said


# ------------------------------------------------------------------- writing


def test_writer_format() -> None:
    partners = [
        Partner(
            "Acme, Inc.",
            ("acme.example", "acme.example.com"),
            (
                Contact("Jane Doe", "jane@acme.example", "+1 555 0100"),
                Contact('Bob "Bobby" Roe', "", ""),
            ),
            (IBAN_DE, "021000021/123"),
            frozenset({"dmarc", "spf"}),
        ),
        Partner("Quiet Ltd", ("quiet.example",), (), (), frozenset()),
    ]
    assert write_partners_csv(partners) == (
        "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,"
        "require_auth,bank_change_procedure,pay_only_on_file\r\n"
        '"Acme, Inc.",acme.example;acme.example.com,Jane Doe,jane@acme.example,+1 555 0100,'
        f"{IBAN_DE};021000021/123,spf;dmarc,,no\r\n"
        '"Acme, Inc.",acme.example;acme.example.com,"Bob ""Bobby"" Roe",,,'
        f"{IBAN_DE};021000021/123,spf;dmarc,,no\r\n"
        "Quiet Ltd,quiet.example,,,,,,,no\r\n"
    )
    assert parse_partners_csv(write_partners_csv(partners)).partners == tuple(partners)


def test_writer_of_nothing_writes_the_header() -> None:
    assert write_partners_csv([]) == HEADER + "\r\n"


def test_writer_spreads_long_lists_over_rows() -> None:
    domains = tuple(f"subsidiary-number-{i:03d}.acme.example" for i in range(120))
    accounts = tuple(f"ACCT-{i:06d}-0000000000" for i in range(100))
    partner = Partner(
        "Acme",
        (),
        (Contact("Jane", "jane@gmail.com", ""), Contact("", "bob@gmail.com", "")),
        accounts,
        frozenset({"spf"}),
    )
    with_domains = Partner("Beta", domains, (), (), frozenset())
    text = write_partners_csv([partner, with_domains])
    cells = [c for line in text.split("\r\n") for c in line.split(",")]
    assert max(len(c) for c in cells) <= pc.MAX_CELL_CHARS
    assert parse_partners_csv(text) == ParseResult(
        (partner, with_domains), (), text.count("\r\n") - 1
    )


# Strategies for partners in the form the parser produces them.

_TEXT_CHARS = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85\u2028\u2029")
_words = st.lists(st.text(_TEXT_CHARS, min_size=1, max_size=8), min_size=1, max_size=4).map(
    " ".join
)
_label = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True).filter(
    lambda s: s[2:4] != "--"
)
_domain = st.one_of(
    st.builds(
        "{}.{}".format,
        _label,
        st.sampled_from(["example", "example.com", "acme.co.uk", "example.org"]),
    ),
    st.sampled_from(["xn--bcher-kva.example", "xn--strae-oqa.example", "xn--80akhbyknj4f.example"]),
)
_local = st.from_regex(r"[a-z0-9_+-]{1,10}(\.[a-z0-9_+-]{1,10}){0,2}", fullmatch=True)
_phone = st.one_of(
    st.just(""), st.from_regex(r"\+?[0-9]{1,4}( ?[0-9()/-]{1,6}){0,4}", fullmatch=True)
)
_account = st.one_of(
    st.sampled_from([IBAN_DE, IBAN_GB, IBAN_NL, IBAN_FR, IBAN_CH]),
    st.from_regex(r"[A-Z0-9./-]{4,64}", fullmatch=True).filter(
        lambda s: not re.match(r"[A-Z]{2}[0-9]{2}", s)
    ),
)


def _contact_key(c: Contact) -> object:
    if c.email:
        return ("email", c.email)
    if c.name:
        return ("name", organization_key(c.name))
    return ("phone", "".join(ch for ch in c.phone if ch.isdigit() or ch == "+"))


@st.composite
def _partners(draw: st.DrawFn) -> list[Partner]:
    organizations = draw(st.lists(_words, max_size=5, unique_by=organization_key))
    all_domains = draw(st.lists(_domain, unique=True, max_size=3 * len(organizations)))
    out = []
    for i, organization in enumerate(organizations):
        domains = tuple(all_domains[i :: len(organizations)]) if organizations else ()
        mail_domains = list(domains) or ["gmail.com", "outlook.example"]
        email = st.builds("{}@{}".format, _local, st.sampled_from(mail_domains))
        contact = st.builds(
            Contact,
            name=st.one_of(st.just(""), _words),
            email=email if not domains else st.one_of(st.just(""), email),
            phone=_phone,
        ).filter(lambda c: bool(c.name or c.email or c.phone))
        contacts = draw(
            st.lists(contact, min_size=0 if domains else 1, max_size=4, unique_by=_contact_key)
        )
        # unique_by keeps two phone-only contacts whose numbers differ only in spacing apart
        accounts = draw(st.lists(_account, unique=True, max_size=3))
        auth = draw(st.frozensets(st.sampled_from(["spf", "dkim", "dmarc"])))
        procedure = draw(st.one_of(st.just(""), _words.filter(lambda w: len(w) <= 300)))
        pay_only = draw(st.booleans())
        out.append(
            Partner(
                organization, domains, tuple(contacts), tuple(accounts), auth, procedure, pay_only
            )
        )
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_partners())
def test_round_trip(partners: list[Partner]) -> None:
    text = write_partners_csv(partners)
    result = parse_partners_csv(text)
    assert result.errors == ()
    assert result.partners == tuple(partners)
    # and as an Excel-style file
    assert parse_partners_csv(b"\xef\xbb\xbf" + text.encode()).partners == tuple(partners)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused(text: str) -> None:
    try:
        result = parse_partners_csv(HEADER + "\n" + text)
    except DirectoryFileError:
        return
    for error in result.errors:
        assert isinstance(error, RowError)
        assert error.line >= 2
        assert error.message


# ------------------------------------------------------------------- scale


def test_a_directory_of_100000_rows() -> None:
    """The largest file allowed; prints the time it took (not asserted)."""
    lines = [HEADER]
    for i in range(MAX_ROWS):
        org = i // 4
        lines.append(
            f"Supplier {org} Ltd,supplier{org}.example,Person {i},person.{i}@supplier{org}.example,"
            f"+1 555 {i:07d},GB82 WEST 1234 5698 7654 32;ACCT-{org},spf;dkim"
        )
    data = ("\r\n".join(lines) + "\r\n").encode()
    started = time.perf_counter()
    result = parse_partners_csv(data)
    elapsed = time.perf_counter() - started
    print(f"\nparsed {MAX_ROWS:,} rows ({len(data):,} bytes) in {elapsed:.2f} s")
    assert result.errors == ()
    assert result.rows == MAX_ROWS
    assert len(result.partners) == MAX_ROWS // 4
    assert result.partners[-1].contacts[-1].email == f"person.{MAX_ROWS - 1}@supplier24999.example"


def test_a_colon_between_bank_code_and_account_is_refused_with_the_way_to_write_it() -> None:
    header = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts"
    result = parse_partners_csv(f"{header}\nAcme,acme.example,,,,021000021:9876543210\n")
    (error,) = result.errors
    assert "it contains ':'" in error.message
    assert "021000021/9876543210" in error.message
