"""The two optional policy columns of the partner CSV: bank_change_procedure and
pay_only_on_file (after the contract's seven; a file without them loads as before)."""

from __future__ import annotations

import pytest

from caveat.knowledge.partners_csv import (
    COLUMNS,
    CONTRACT_COLUMNS,
    PROCEDURE_MAX,
    ParseResult,
    Partner,
    parse_partners_csv,
    write_partners_csv,
)

NINE = ",".join(COLUMNS)
SEVEN = ",".join(CONTRACT_COLUMNS)


def parse(*rows: str, header: str = NINE) -> ParseResult:
    return parse_partners_csv("\n".join([header, *rows]) + "\n")


def errors(result: ParseResult) -> dict[int, str]:
    return {e.line: e.message for e in result.errors}


def only(result: ParseResult) -> Partner:
    assert result.errors == (), result.errors
    [p] = result.partners
    return p


def test_the_contract_is_the_first_seven_columns() -> None:
    assert SEVEN == (
        "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"
    )
    assert COLUMNS[7:] == ("bank_change_procedure", "pay_only_on_file")


def test_a_seven_column_file_says_nothing_of_the_policies() -> None:
    p = only(parse("Acme,acme.example,,,,,spf", header=SEVEN))
    assert (p.bank_change_procedure, p.pay_only_on_file) == (None, None)
    # one of the two columns only: the other is unsaid
    p = only(parse("Acme,acme.example,,,,,,yes", header=SEVEN + ",pay_only_on_file"))
    assert (p.bank_change_procedure, p.pay_only_on_file) == (None, True)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("YES", True), ("true", True), ("no", False), ("FALSE", False), ("", False)],
)
def test_pay_only_on_file_reads_yes_and_no(cell: str, expected: bool) -> None:
    assert only(parse(f"Acme,acme.example,,,,,,,{cell}")).pay_only_on_file is expected


def test_the_procedure_is_kept_on_one_line() -> None:
    row = 'Acme,acme.example,,,,,,"Only by letter,\n  signed by  two directors.",yes'
    p = only(parse(row))
    assert p.bank_change_procedure == "Only by letter, signed by two directors."
    assert p.pay_only_on_file is True


def test_header_names_of_the_policy_columns_are_matched_loosely() -> None:
    header = SEVEN + ",Bank Change Procedure,Pay-Only-On-File"
    p = only(parse("Acme,acme.example,,,,,,Call the CFO.,yes", header=header))
    assert (p.bank_change_procedure, p.pay_only_on_file) == ("Call the CFO.", True)


def test_bad_policy_cells_are_row_errors_and_good_rows_still_load() -> None:
    long = "x" * (PROCEDURE_MAX + 1)
    result = parse(
        "Acme,acme.example,,,,,,,maybe",
        f"Beta,beta.example,,,,,,{long},",
        "Gamma,gamma.example,,,,,,Call us.,no",
    )
    assert errors(result) == {
        2: "pay_only_on_file 'maybe' is not yes or no (or empty for no)",
        3: f"bank_change_procedure is {PROCEDURE_MAX + 1} characters long (at most "
        f"{PROCEDURE_MAX}: say how bank changes are made, in a sentence or two)",
    }
    assert [p.organization for p in result.partners] == ["Gamma"]
    assert result.incomplete == frozenset({"acme", "beta"})


def test_rows_of_one_organisation_merge_their_policies() -> None:
    p = only(
        parse(
            "Acme,acme.example,Ann,ann@acme.example,,,,,",
            "Acme,acme.example,Bob,bob@acme.example,,,,Call the CFO.,yes",
            "Acme,acme.example,Cy,cy@acme.example,,,,Call  the CFO.,",
        )
    )
    assert (p.bank_change_procedure, p.pay_only_on_file) == ("Call the CFO.", True)
    assert len(p.contacts) == 3


def test_rows_of_one_organisation_that_disagree_are_errors() -> None:
    result = parse(
        "Acme,acme.example,Ann,ann@acme.example,,,,Call the CFO.,yes",
        "Acme,acme.example,Bob,bob@acme.example,,,,Write to us.,",
        "Acme,acme.example,Cy,cy@acme.example,,,,,no",
    )
    assert errors(result) == {
        3: "bank_change_procedure 'Write to us.' differs from the one given on line 2; write "
        "the same procedure on every row of an organisation, or leave it empty",
        4: "pay_only_on_file says no but line 2 says yes for the same organisation",
    }
    [p] = result.partners
    assert (p.bank_change_procedure, p.pay_only_on_file) == ("Call the CFO.", True)


def test_the_writer_puts_out_nine_columns_that_read_back() -> None:
    partners = [
        Partner(
            "Acme, Inc.",
            ("acme.example",),
            (),
            (),
            frozenset({"spf"}),
            'Only by letter, "signed"; call back.',
            True,
        ),
        Partner("Beta", ("beta.example",), (), (), frozenset()),
    ]
    text = write_partners_csv(partners)
    lines = text.split("\r\n")
    assert lines[0] == NINE
    assert (
        lines[1] == '"Acme, Inc.",acme.example,,,,,spf,"Only by letter, ""signed""; call back.",yes'
    )
    assert lines[2] == "Beta,beta.example,,,,,,,no"
    assert parse_partners_csv(text).partners == tuple(partners)
