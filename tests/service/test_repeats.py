"""Repeated warnings are summarised, never silenced: the same caution for the same reader
from the same sender says "the same signs as on N earlier messages"; the level, findings
and evidence stay; a danger, a different set of findings, another reader or sender, a
shared key (no reader) and a week's pause all get the warning in full."""

from __future__ import annotations

import pytest

from caveat.engine.catalogue import Catalogue
from caveat.engine.engine import Engine
from caveat.i18n import translator
from caveat.knowledge.context import EngineConfig
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.service.analysis import Analyzer
from caveat.storage.repeats import Earlier, WarningRepeatRow, note, signature
from caveat.storage.retention import Retention, sweep
from caveat.storage.store import Store
from tests.conftest import FakeClock
from tests.web.test_language_api import ATTACK

CAUTION = Catalogue.load().levels["caution"]
CONFIG = EngineConfig(internal_domains=frozenset({"ours.example"}))


def message(n: int, sender: str = "anna@partner.example", *, bank: bool = False) -> Facts:
    body = "Please see the invoice attached.\r\n"
    if bank:
        body = "Please pay to our new account IBAN DE89 3704 0044 0532 0130 00 from today.\r\n"
    return from_raw(
        f"From: Anna Berg <{sender}>\r\nReply-To: anna.berg.partner@gmail.com\r\n"
        f"To: bo@ours.example\r\nSubject: Invoice {n}\r\nMessage-ID: <m{n}.{sender}>\r\n"
        f"\r\n{body}"
    )


@pytest.fixture
def analyzer(store: Store) -> Analyzer:
    return Analyzer(Engine(), CONFIG, store)


def test_the_same_caution_again_is_summarised(analyzer: Analyzer, clock: FakeClock) -> None:
    # the very first message is also a first contact: another warning than the next ones
    assert "FIRST_CONTACT" in {f.id for f in analyzer.analyze(message(0), clock()).findings}
    first = analyzer.analyze(message(1), clock(), viewer="bo")
    assert first.level == "caution" and first.repeat is None
    assert first.banner is not None and first.banner.text == CAUTION.text
    clock.advance(hours=2)
    second = analyzer.analyze(message(2), clock(), viewer="bo")
    assert second.level == "caution"
    assert [f.id for f in second.findings] == [f.id for f in first.findings]
    assert "anna.berg.partner@gmail.com" in str(second.findings[0].evidence)
    assert second.repeat is not None and second.repeat.count == 1
    assert second.repeat.since == "2026-01-05T09:00:00Z"
    assert second.banner is not None
    assert second.banner.title == CAUTION.title
    assert second.banner.text == CAUTION.repeat_one
    clock.advance(hours=1)
    third = analyzer.analyze(message(3), clock(), viewer="bo")
    assert third.repeat is not None and third.repeat.count == 2
    assert third.banner is not None and third.banner.text == CAUTION.repeat.replace("{count}", "2")
    assert third.to_dict()["repeat"] == {"count": 2, "since": "2026-01-05T09:00:00Z"}


def test_opening_a_message_again_keeps_its_place(store: Store, clock: FakeClock) -> None:
    sig = signature("caution", ["REPLYTO_FREEMAIL"])
    assert note(store, "bo", "anna@partner.example", sig, "m:1", clock()) is None
    assert note(store, "bo", "anna@partner.example", sig, "m:2", clock()) == Earlier(1, clock())
    assert note(store, "bo", "anna@partner.example", sig, "m:1", clock()) is None
    assert note(store, "bo", "anna@partner.example", sig, "m:2", clock()) == Earlier(1, clock())
    assert note(store, "bo", "anna@partner.example", sig, "m:3", clock()) == Earlier(2, clock())


def test_what_is_never_summarised(analyzer: Analyzer, clock: FakeClock) -> None:
    analyzer.analyze(message(0), clock())
    analyzer.analyze(message(1), clock(), viewer="bo")
    # another reader, another sender, no reader (a shared key)
    assert analyzer.analyze(message(2), clock(), viewer="cleo").repeat is None
    assert analyzer.analyze(message(3, "anna@other.example"), clock(), viewer="bo").repeat is None
    assert analyzer.analyze(message(4), clock(), viewer=None).repeat is None
    # one finding more (new bank details): a new warning, said in full
    more = analyzer.analyze(message(5, bank=True), clock(), viewer="bo")
    assert more.level in ("caution", "danger") and more.repeat is None
    # a danger, however often
    for _ in range(3):
        danger = analyzer.analyze(from_raw(ATTACK), clock(), viewer="bo")
        assert danger.level == "danger" and danger.repeat is None
    # a week without the warning ends the run
    clock.advance(days=8)
    assert analyzer.analyze(message(6), clock(), viewer="bo").repeat is None


def test_the_summary_is_worded_in_the_readers_language(
    analyzer: Analyzer, clock: FakeClock
) -> None:
    analyzer.analyze(message(0), clock())
    analyzer.analyze(message(1), clock(), viewer="bo")
    analyzer.analyze(message(2), clock(), viewer="bo")
    third = analyzer.analyze(message(3), clock(), viewer="bo")
    for lang in ("de", "pl", "ja", "ar"):
        worded = analyzer.localiser().verdict(third, lang)
        t = translator(lang)
        expected = t.plural("level.caution.repeat", CAUTION.repeat_one, CAUTION.repeat, 2)
        assert worded.banner is not None
        assert worded.banner.text == expected.replace("{count}", "2")
        assert worded.banner.text != third.banner.text  # type: ignore[union-attr]
        assert worded.repeat == third.repeat


def test_the_record_keeps_no_reader_id_and_is_swept_after_a_week(
    analyzer: Analyzer, store: Store, clock: FakeClock
) -> None:
    analyzer.analyze(message(0), clock())
    analyzer.analyze(message(1), clock(), viewer="bo@ours.example")
    with store.session() as s:
        row = s.query(WarningRepeatRow).one()
        assert "bo@ours.example" not in row.viewer and len(row.viewer) == 64
        assert "Invoice" not in row.messages
    clock.advance(days=6)
    assert sweep(store, Retention()).deleted.get("warning_repeats", 0) == 0
    clock.advance(days=2)
    assert sweep(store, Retention()).deleted.get("warning_repeats") == 1
