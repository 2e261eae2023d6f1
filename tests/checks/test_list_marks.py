"""checks._common.list_info: list marks are written by the sender; what vouches for them."""

from __future__ import annotations

import pytest

from caveat.checks._common import list_info
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.mail.normalise import from_payload

CONFIG = EngineConfig.build(internal_domains=["ours.example"])
DIRECTORY = Directory(
    [
        PartnerEntry(
            "Acme",
            ("acme.example",),
            (DirectoryContact("Ben Ortiz", "ben.ortiz@acme.example", "+49 1"),),
            (),
            frozenset(),
        )
    ],
    internal_domains=["ours.example"],
    freemail=CONFIG.freemail,
)
CTX = Context(config=CONFIG, directory=DIRECTORY)
AR = "Authentication-Results: mx.ours.example;"


def info(headers: str, ctx: Context | None = CTX):  # type: ignore[no-untyped-def]
    return list_info(from_payload({"headers": headers}), ctx)


def test_no_marks_no_list() -> None:
    i = info("From: a@news.example\n")
    assert not i.marked and not i.trusted and i.refused() == ()


@pytest.mark.parametrize(
    "marks",
    [
        "List-Unsubscribe: <mailto:u@news.example>\n",
        "Precedence: bulk\n",
        "List-Id: <n.news.example>\n",
        "Mailing-List: contact n-help@news.example; run by ezmlm\n",
    ],
)
def test_marks_alone_are_not_vouched_for(marks: str) -> None:
    i = info("From: a@news.example\n" + marks)
    assert i.marked and not i.trusted
    (note,) = i.refused()
    assert note.header == "List marks" and note.value.startswith("not accepted:")


def test_without_a_context_nothing_is_vouched_for() -> None:
    headers = f"From: a@news.example\nPrecedence: bulk\n{AR} dkim=pass header.d=news.example\n"
    assert not info(headers, None).trusted
    assert info(headers).trusted


def test_aligned_dkim_of_the_from_domain_vouches() -> None:
    i = info(
        "From: a@mail.news.example\nList-Unsubscribe: <mailto:u@news.example>\n"
        f"{AR} spf=pass smtp.mailfrom=news.example; dkim=pass header.d=news.example\n"
    )
    assert (i.trusted, i.trust) == (True, "dkim_from")
    assert i.refused() == ()


def test_dkim_of_the_lists_own_domain_vouches() -> None:
    i = info(
        "From: Ann <ann@uni.example>\nList-Id: <devs.lists.proj.example>\n"
        f"{AR} dkim=pass header.d=proj.example; dkim=fail header.d=uni.example\n"
    )
    assert (i.trusted, i.trust) == (True, "dkim_list")


@pytest.mark.parametrize(
    "results",
    [
        "dkim=pass header.d=other.example",  # someone else's signature
        "spf=pass smtp.mailfrom=news.example",  # SPF says nothing about the headers
        "dkim=fail header.d=news.example",
    ],
)
def test_other_results_do_not_vouch(results: str) -> None:
    i = info(f"From: a@news.example\nPrecedence: bulk\n{AR} {results}\n")
    assert not i.trusted
    assert "no DKIM signature" in i.refused()[0].value


def test_results_from_outside_our_boundary_do_not_vouch() -> None:
    i = info(
        "From: a@news.example\nPrecedence: bulk\n"
        "Authentication-Results: mx.news.example; dkim=pass header.d=news.example\n"
    )
    assert not i.trusted


def test_a_partners_own_list_under_its_own_from_is_known() -> None:
    i = info(
        "From: Acme News <news@acme.example>\nList-Id: <customers.lists.acme.example>\n"
        "To: customers@lists.acme.example\n"
    )
    assert (i.trusted, i.trust) == (True, "known_list")


@pytest.mark.parametrize(
    "headers",
    [
        # a partner's List-Id on somebody else's From
        "From: x@elsewhere.example\nList-Id: <customers.lists.acme.example>\n",
        # the partner's From, which our boundary saw fail DMARC
        "From: news@acme.example\nList-Id: <customers.lists.acme.example>\n"
        f"{AR} dmarc=fail header.from=acme.example\n",
    ],
    ids=["foreign-from", "dmarc-fail"],
)
def test_a_known_list_name_is_not_enough(headers: str) -> None:
    assert not info(headers).trusted


def test_the_from_rewrite_must_be_the_lists_own() -> None:
    """'Name via List' with the list's address in From counts; a person's own From under a
    List-Id of their own organisation, or a "via" at another organisation, does not."""
    rewritten = info(
        'From: "Ann Lee via Devs" <devs@lists.proj.example>\n'
        "List-Id: <devs.lists.proj.example>\nList-Post: <mailto:devs@lists.proj.example>\n"
    )
    assert rewritten.from_rewritten and rewritten.addressed
    person = info("From: Ben Ortiz <ben.ortiz@acme.example>\nList-Id: <clients.acme.example>\n")
    assert not person.from_rewritten
    elsewhere = info(
        'From: "Ann Lee via Devs" <devs@other.example>\nList-Id: <devs.proj.example>\n'
    )
    assert not elsewhere.from_rewritten


@pytest.mark.parametrize(
    ("recipients", "addressed"),
    [
        ("To: devs@lists.proj.example\n", True),
        ("Cc: Devs <devs@proj-mirror.example>\n", True),  # the list's own name
        ("To: ap@ours.example\n", False),
    ],
)
def test_addressed_to_the_list(recipients: str, addressed: bool) -> None:
    i = info("From: ann@uni.example\nList-Id: <devs.lists.proj.example>\n" + recipients)
    assert i.addressed is addressed
