"""DISPLAY_NAME_CONTROLS (freemail_impersonation family): a From or Reply-To name that hides
characters, and the real names that carry some of them (issue 14). Fixtures in
tests/fixtures/display_names."""

from __future__ import annotations

import pytest

from caveat.checks.display_name_controls import display_name_controls, hidden_characters
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context
from caveat.mail.bidi import FSI, PDI
from caveat.mail.normalise import from_payload

CTX = Context()
ZWSP, ZWNJ, ZWJ, RLM, LRM, RLO, LRO = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200f",
    "\u200e",
    "\u202e",
    "\u202d",
)


def fire(name: str, *, reply_to: str | None = None) -> list[str]:
    payload: dict = {"from": {"name": name, "address": "someone@gmail.com"}}
    if reply_to is not None:
        payload["headers"] = f"From: x <someone@gmail.com>\nReply-To: {reply_to}\n"
        del payload["from"]
    return [h.id for h in display_name_controls(from_payload(payload), CTX)]


@pytest.mark.parametrize(
    "name",
    [
        f"anna.keller@{RLO}elpmaxe.slatem-dniwhtron",  # an override reversing an address
        f"Anna Keller{LRO}",
        f"Anna{ZWSP}Keller",  # zero-width space inside a name
        f"Anna Keller{ZWSP}",
        f"Anna{ZWJ}Keller",  # a joiner between Latin letters
        f"Anna{ZWNJ}Keller",
        f"Anna{RLM}Keller",  # a direction mark inside a Latin name
        f"Anna Keller{RLM} (Northwind)",
        "Anna\u202bKeller\u202c",  # an embedding in a Latin name
        "Anna\u2067Keller\u2069",  # an isolate in a Latin name
        "Anna Kel\u00adler",  # soft hyphen
        "Anna\u2060Keller",  # word joiner
        "Anna\ufeffKeller",  # a byte-order mark inside the name
        "A\ufe0fnna Keller",  # a variation selector on a Latin letter
        "Anna\U000e0041\U000e0042 Keller",  # tag characters outside a flag
        "Anna\u3164Keller",  # Hangul filler (draws nothing)
        "\u0410nna\u200bK\u0435ller",  # Cyrillic look-alikes with a zero-width space
        f"\u05e9\u05e8\u05d4 {RLO}Cohen",  # an override is never excused, even in Hebrew
    ],
)
def test_a_name_that_hides_characters_is_reported(name: str) -> None:
    assert fire(name) == ["DISPLAY_NAME_CONTROLS"]


@pytest.mark.parametrize(
    "name",
    [
        "Anna Keller",
        "J\u00f6rg M\u00fcller",
        "\u0414\u043c\u0438\u0442\u0440\u0438\u0439 \u0412\u043e\u043b\u043a\u043e\u0432",
        # Persian: a zero-width non-joiner inside a word, as the spelling wants
        "\u0645\u0647\u0631\u062f\u0627\u062f "
        "\u0635\u0627\u062f\u0642\u06cc\u200c\u0646\u0698\u0627\u062f",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        # Hebrew and Arabic names with marks, embeddings and isolates around a Latin part
        f"\u05e9\u05e8\u05d4 \u05db\u05d4\u05df{RLM} {LRM}(Cohen Trading Ltd){LRM}",
        "\u202b\u0634\u0631\u0643\u0629 \u0627\u0644\u0646\u0648\u0631\u202c",
        "\u0634\u0631\u0643\u0629 \u2066ACME\u2069 \u0644\u0644\u062a\u062c\u0627\u0631\u0629",
        "\u0645\u062d\u0645\u062f\u061c 2026",
        # Indic half forms with a joiner after a virama
        "\u0930\u093e\u0939\u0941\u0932 \u0936\u0930\u094d\u200d\u092e\u093e",
        # emoji sequences: joiners, skin tones, variation selectors, keycaps, a flag
        "Sofia Rossi \U0001f469\U0001f3fd\u200d\U0001f4bb",
        "Sofia \u2764\ufe0f\u200d\U0001f525",
        "Team 1\ufe0f\u20e3",
        "Anna \u2122\ufe0f",
        "Ian Scott \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        # a CJK ideographic variation selector
        "\u845b\U000e0100\u57ce",
        # a byte-order mark written at the very start
        "\ufeffMaria Santos",
        # direction marks at either end, as software in right-to-left locales writes them
        f"{RLM}John Smith{RLM}",
        f"Anna Keller{LRM}",
        f"\ufeff{LRM}Anna Keller",
        # private-use and unassigned code points draw a glyph or a box: nothing hidden
        "Anna \uf8ff",
    ],
)
def test_real_names_carrying_such_characters_are_quiet(name: str) -> None:
    assert fire(name) == []


def test_the_reply_to_name_is_read_too() -> None:
    rt = f"=?utf-8?b?{_b64('Anna' + ZWSP + 'Keller')}?= <anna@gmail.com>"
    (hit,) = display_name_controls(
        from_payload({"headers": f"From: Anna Keller <anna@gmail.com>\nReply-To: {rt}\n"}), CTX
    )
    assert hit.params["where"] == "Reply-To"
    assert [e.header for e in hit.evidence] == ["Reply-To", "Name as written", "Hidden characters"]


def test_evidence_shows_where_the_characters_are_and_what_they_are() -> None:
    facts = from_payload({"from": {"name": f"Anna{ZWSP}Kel{RLO}ler", "address": "a@gmail.com"}})
    (hit,) = display_name_controls(facts, CTX)
    ev = {e.header: e.value for e in hit.evidence}
    assert ev["From"] == f"{FSI}Anna{ZWSP}Keller{PDI} <a@gmail.com>"
    assert ev["Name as written"] == "Anna[U+200B]Kel[U+202E]ler"  # nothing left to isolate
    assert ev["Hidden characters"] == "U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE"
    assert hit.params["what"] == (
        "a zero width space (U+200B) and a right-to-left override (U+202E)"
    )


def test_many_hidden_characters_are_counted_not_listed_one_by_one() -> None:
    name = "Anna" + "".join(chr(0xE0000 + ord(c)) for c in "abcdefghijkl") + ZWSP * 3
    (hit,) = display_name_controls(
        from_payload({"from": {"name": name, "address": "a@gmail.com"}}), CTX
    )
    ev = {e.header: e.value for e in hit.evidence}
    assert ev["Hidden characters"].endswith("and 5 others")
    assert (
        hit.params["what"]
        == "12 tag characters (U+E0000 to U+E007F) and 3 zero width spaces (U+200B)"
    )


def test_the_finding_is_a_caution_in_the_display_name_family() -> None:
    v = Engine().analyze(
        from_payload({"from": {"name": f"Anna Keller{RLO}", "address": "a@partner.example"}}), CTX
    )
    (f,) = [f for f in v.findings if f.id == "DISPLAY_NAME_CONTROLS"]
    assert (f.check, f.severity, v.level) == ("freemail_impersonation", "caution", "caution")
    assert f.explanation.startswith("The From name shown with a@partner.example holds characters")
    assert RLO not in f.explanation


@pytest.mark.parametrize(
    ("name", "positions"),
    [
        (f"a{ZWSP}b{RLO}c", [1, 3]),
        ("\ufeffa\ufeffb", [2]),
        (f"\u05d0{RLM}\u05d1{RLO}", [3]),
    ],
)
def test_hidden_characters_are_found_where_they_are(name: str, positions: list[int]) -> None:
    assert hidden_characters(name) == positions


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()
