"""Folding text for matching, and reading HTML bodies as text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from caveat.mail.htmltext import html_to_text
from caveat.mail.textfold import canonical, fold, original_span


def test_ascii_is_only_lower_cased() -> None:
    assert fold("Our Bank Details") == ("our bank details", None)


def test_accents_full_width_and_sharp_s() -> None:
    assert fold("Bankverbindung GEÄNDERT")[0] == "bankverbindung geandert"
    assert fold("Straße")[0] == "strasse"
    assert fold("ＩＢＡＮ")[0] == "iban"
    assert fold("coordonnées")[0] == "coordonnees"


def test_invisible_characters_vanish_and_positions_map_back() -> None:
    text = "our ba\u200bnk de\u00adtails changed"
    folded, offsets = fold(text)
    assert folded == "our bank details changed"
    start = folded.index("bank")
    s, e = original_span(offsets, start, start + len("bank details"))
    assert text[s:e] == "ba\u200bnk de\u00adtails"


def test_non_breaking_space_is_a_space() -> None:
    assert fold("IBAN\u00a0DE89")[0] == "iban de89"
    assert canonical("IBAN\u00a0DE89\u200b") == "IBAN DE89"


def test_canonical_keeps_case_and_accents() -> None:
    assert canonical("Änderung ＤＥ８９") == "Änderung DE89"


@given(st.text(max_size=200))
def test_offsets_always_point_into_the_original(text: str) -> None:
    folded, offsets = fold(text)
    if offsets is None:
        assert len(folded) == len(text)
    else:
        assert len(offsets) == len(folded)
        assert all(0 <= o < len(text) for o in offsets)
        assert offsets == sorted(offsets)


@given(st.text(alphabet="ab ßﬁ\u200b\u00adé\u0301Ｄ８½㎏\n", max_size=80))
def test_each_folded_character_maps_to_the_character_it_came_from(text: str) -> None:
    # the map is built by runs; character by character, it must say the same
    from caveat.mail.textfold import _FOLD

    folded, offsets = fold(text)
    expected = [i for i, ch in enumerate(text) for _ in _FOLD[ord(ch)]]
    if offsets is None:
        assert expected == list(range(len(folded)))
    else:
        assert offsets == expected


def test_html_blocks_become_lines_and_scripts_vanish() -> None:
    html = """<html><head><title>t</title><style>p{color:red}</style></head><body>
    <p>Dear customer,</p><div>our bank details have&nbsp;changed.</div>
    <table><tr><td>IBAN</td><td>GB29&nbsp;NWBK&#160;6016 1331 9268 19</td></tr></table>
    <script>document.write('hidden')</script><!-- comment --><br>Regards</body></html>"""
    text = html_to_text(html)
    assert [line for line in text.splitlines() if line] == [
        "Dear customer,",
        "our bank details have changed.",
        "IBAN GB29 NWBK 6016 1331 9268 19",
        "Regards",
    ]
    assert "\n\n\n" not in text
    assert "hidden" not in text and "color" not in text and "comment" not in text


def test_broken_html_still_gives_text() -> None:
    text = html_to_text("<p>unclosed <b>bold <div>text")
    assert [line for line in text.splitlines() if line] == ["unclosed bold", "text"]
    assert html_to_text("") == ""


@given(st.text(max_size=300))
def test_html_never_raises(text: str) -> None:
    html_to_text(text)
