"""The bank-details pre-check is exact: where it says a text can neither ask for a change nor
hold a strong identifier, the full path finds neither, and the check's findings are the same
with and without it. Held on every fixture and on the public corpus (ham and spam), with and
without a conversation memory that has seen part of each quote."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

from caveat.checks.bank_details_change import _may_matter, _unseen, decide
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.memory import MemorySnapshot
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.mail.textfold import fold
from caveat.reference import bank_identifiers as ids
from caveat.reference.bank_identifiers import extract, may_name_strong
from caveat.reference.bank_language import (
    language_cues,
    may_ask,
    phrase_book,
    reading,
    sources,
    split_quoted,
    text_units,
    words_of,
)

from ..corpus import HAM, messages
from ..fixtures_runner import directory_of, load_cases

ASKING = ("change", "hold", "records")
SPAM = ("nazario_2004_2005", "spamassassin_spam", "spamassassin_spam_2")
CTX = Context(config=EngineConfig.build(internal_domains=["buyer.example"]))


def _half_seen(facts: Facts) -> frozenset[str]:
    """Every other sentence of every quote: what a memory may have seen before."""
    seen: set[str] = set()
    for s in sources(facts):
        units = [u for u, _, _ in text_units(reading(s).quoted)]
        seen.update(units[::2])
    return frozenset(seen)


def _asks(text: str) -> bool:
    cues = language_cues(text)
    return any(cues.found(c) for c in ASKING)


def _gates_hold(facts: Facts, seen: frozenset[str], tally: Counter[str]) -> None:
    for s in sources(facts):
        words = words_of(s.text)
        r = reading(s)
        parts = [t for t in (r.own, r.quoted, _unseen(r.quoted, seen)) if t.strip()]
        whole_says_no = not _may_matter(s.text, words)
        tally["sources"] += 1
        tally["sources ruled out"] += whole_says_no
        for t in parts:
            w = words_of(t)
            assert w <= words, "a part has a word its whole text has not"
            asks, strong = _asks(t), bool(extract(t).strong)
            if whole_says_no:
                assert not asks and not strong, t[:200]
            if not may_ask(w):
                tally["parts ruled out (phrases)"] += 1
                assert not asks, t[:200]
            if not may_name_strong(t, w):
                tally["parts ruled out (identifiers)"] += 1
                assert not strong, t[:200]


def _same_findings(facts: Facts, ctx: Context) -> None:
    assert decide(facts, ctx) == decide(facts, ctx, precheck=False)
    seen = _half_seen(facts)
    if seen:
        with_memory = Context(
            config=ctx.config, directory=ctx.directory, memory=MemorySnapshot(seen_text=seen)
        )
        assert decide(facts, with_memory) == decide(facts, with_memory, precheck=False)


def test_precheck_is_exact_on_every_fixture() -> None:
    tally: Counter[str] = Counter()
    cases = load_cases()
    for case in cases:
        config = EngineConfig.build(
            internal_domains=case.config.get("internal_domains", ()),
            trusted_authserv_ids=case.config.get("trusted_authserv_ids", ()),
            trust_microsoft=case.config.get("trust_microsoft", False),
        )
        facts = from_raw(case.path.read_bytes())
        ctx = Context(config=config, directory=directory_of(case, config))
        _same_findings(facts, ctx)
        _gates_hold(facts, _half_seen(facts), tally)
    # Both sides are exercised: texts ruled out, and texts read in full.
    assert 0 < tally["sources ruled out"] < tally["sources"], tally


@pytest.mark.corpus
@pytest.mark.parametrize(("kind", "name"), [("ham", n) for n in HAM] + [("spam", n) for n in SPAM])
def test_precheck_is_exact_on_the_corpus(kind: str, name: str) -> None:
    tally: Counter[str] = Counter()
    for _source, facts in messages(name, kind):
        _same_findings(facts, CTX)
        _gates_hold(facts, _half_seen(facts), tally)
    assert tally["sources ruled out"] > 0, tally


# ------------------------------------------------------------------ the gates, one by one


def test_request_words_let_a_request_through_and_plain_text_not() -> None:
    assert may_ask(words_of("Please note our bank details have changed."))
    assert may_ask(words_of("Unsere Bankverbindung hat sich geändert."))
    assert not may_ask(words_of("The meeting moved to Thursday; see you there."))


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("IBAN DE89 3704 0044 0532 0130 00", True),
        ("de89370400440532013000", True),
        ("DE89\n3704 0044 0532 0130 00", True),  # the rest on the next line
        ("See you at 10 am", False),  # AT is a country; its BBAN starts with a digit
        ("See you at 10:30", True),  # could be: a digit follows
        ("zz12 3456 7890 1234 56", False),  # no such country
        ("route 66 is long", False),
        ("Sort code 12-34-56, account number 12345678", True),
        ("routing number 021000021 account 123456789", True),
        ("account number 12345678", False),  # a bare account number is never strong
        ("sort code 12-34", False),  # no run of six digits
    ],
)
def test_identifier_gate(text: str, may: bool) -> None:
    assert may_name_strong(text, words_of(text)) is may
    if not may:
        assert not extract(text).strong


def test_an_iban_split_around_a_quoted_line_is_still_read() -> None:
    """The sender's own lines of a reply join across a quoted line: the gate on the whole
    text reads the IBAN's start on its own line, so it lets the text through."""
    body = "Hello,\n\nthe reference is DE89\n> earlier text\n3704 0044 0532 0130 00\nThanks\n"
    assert not may_ask(words_of(body))  # only the identifier can let it through
    own, _quoted = split_quoted(body)
    assert "DE89370400440532013000" in {a.key for a in extract(own).accounts}
    raw = (
        "From: A <a@supplier.example>\nTo: b@buyer.example\nSubject: invoice\n"
        "Message-ID: <1@supplier.example>\nDate: Mon, 1 Dec 2025 10:00:00 +0000\n\n" + body
    ).encode()
    facts = from_raw(raw)
    hits = decide(facts, CTX)
    assert hits and hits == decide(facts, CTX, precheck=False)


def test_only_the_length_of_the_country_format_can_be_valid() -> None:
    """_ibans validates a candidate at one length, 4 + the country's BBAN length: at any
    other length python-stdnum's format test refuses it, check digits right or not."""
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            classes = ids._bban_classes(a + b)
            if classes is None:
                continue
            for n in range(15, 35):
                bban = "".join("A" if k == "a" else "1" for k in classes)
                bban = (bban * 3)[: n - 4]
                digits = mod_97_10.calc_check_digits(bban + a + b + "00")
                number = a + b + digits + bban
                if n != 4 + len(classes):
                    assert not stdnum_iban.is_valid(number), number


# ------------------------------------------------------------------ cutting quotes


_OLD_CANDIDATE = re.compile(r"^(?![ \t]*>)[^\n]*?(?::[^\w\n]*|[-_=]{3,}[^\n]*)$", re.MULTILINE)


def _old_split_quoted(text: str) -> tuple[str, str]:
    """The line-by-line cut split_quoted made before it used regular expressions."""
    book = phrase_book()
    folded, _ = fold(text)
    cut = len(folded)
    for candidate in _OLD_CANDIDATE.finditer(folded):
        above = folded.rfind("\n", 0, max(0, candidate.start() - 1)) + 1
        begins = book._attribution_in(folded, above, candidate.start(), candidate.end())
        if begins is not None:
            cut = begins
            break
    for m in book.from_label.finditer(folded, 0, cut):
        line_end = folded.find("\n", m.end())
        if line_end < 0:
            break
        following = folded[line_end + 1 :].split("\n", 3)[:3]
        if any(book.sent_label.match(f) for f in following):
            cut = m.start()
            break
    lines = text.split("\n")
    head = folded.count("\n", 0, cut) + (cut == len(folded))
    own: list[str] = []
    quoted: list[str] = []
    for line in lines[:head]:
        (quoted if line.lstrip().startswith(">") else own).append(line)
    quoted.extend(lines[head:])

    def unquote(line: str) -> str:
        stripped = line.lstrip()
        while stripped.startswith(">"):
            stripped = stripped[1:].lstrip()
        return stripped

    return "\n".join(own).rstrip(), "\n".join(unquote(q) for q in quoted).strip()


_LINES = st.sampled_from(
    [
        "Hello,",
        "",
        "  ",
        "> quoted line",
        " >> twice quoted",
        ">",
        "\t> tab then quote",
        "\u00a0> after a no-break space",
        "\u200b> after a zero-width space",
        "On Mon, 1 Dec 2025, Ann Smith <ann@x.example> wrote:",
        "Ann Smith wrote:",
        "-----Original Message-----",
        "From: Ann Smith",
        "Sent: Monday",
        "Subject: invoice",
        "Von: Ann",
        "Gesendet: Montag",
        "ｆｕｌｌ width ＤＥ８９",
        "Please update your records:",
        "Note: ___",
        "line with trailing spaces   ",
        "crlf line\r",
        "\x1c file separator",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=12))
def test_split_quoted_cuts_as_the_line_by_line_version(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert split_quoted(text) == _old_split_quoted(text)
