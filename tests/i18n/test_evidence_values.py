"""An evidence value in Caveat's own words ("(absent)") is worded in the reader's language;
values quoted from the message stay as written."""

from __future__ import annotations

from caveat.engine.engine import Engine
from caveat.engine.guard import GuardTexts
from caveat.engine.localise import Localiser
from caveat.mail.normalise import from_raw

ENGINE = Engine()
LOCALISER = Localiser(ENGINE.catalogue, GuardTexts.load())
FAKE = (
    b"From: Anna Berg <anna@partner.example>\r\nTo: bo@ours.example\r\n"
    b"Subject: RE: Invoice 1042\r\nMessage-ID: <x1@partner.example>\r\n\r\nSee attached.\r\n"
)


def test_a_missing_header_is_said_in_the_readers_language() -> None:
    verdict = ENGINE.analyze(from_raw(FAKE))
    fake = next(f for f in verdict.findings if f.id == "FAKE_REPLY")
    english = {e.header: e.value for e in fake.evidence}
    assert english["In-Reply-To"] == english["References"] == "(absent)"
    for lang, absent in (("de", "(fehlt)"), ("ja", "(なし)"), ("ar", "(غير موجود)")):
        worded = LOCALISER.verdict(verdict, lang)
        found = next(f for f in worded.findings if f.id == "FAKE_REPLY")
        values = {e.header: e.value for e in found.evidence}
        assert values["In-Reply-To"] == values["References"] == absent
        assert values["Subject"] == english["Subject"] == "RE: Invoice 1042"
