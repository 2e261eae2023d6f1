"""What the normaliser reads only in part is named in ``Facts.cuts``.

A body longer than the body limit is always cut (its start is read); recipients over their
limit are refused unless the caller asks for a cut (``caveat scan`` does; the HTTP API
answers 413). Every cut is named, so that a verdict on part of a message says so.
"""

from __future__ import annotations

import pytest

from caveat.mail.errors import InputError
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw

LIMITS = Limits(max_recipients=5, max_body_bytes=100)


def message(to: int, cc: int = 0, body: str = "Hello.", ctype: str = "text/plain") -> bytes:
    head = "From: ann@partner.example\nSubject: minutes\n"
    if to:
        head += "To: " + ", ".join(f"t{i}@x.example" for i in range(to)) + "\n"
    if cc:
        head += "Cc: " + ", ".join(f"c{i}@x.example" for i in range(cc)) + "\n"
    head += f"Content-Type: {ctype}; charset=utf-8\n"
    return (head + "\n" + body).encode()


def test_a_whole_message_has_no_cuts() -> None:
    f = from_raw(message(to=3, cc=2), LIMITS, cut_recipients=True)
    assert f.cuts == ()
    assert len(f.recipients) == 5


def test_recipients_over_the_limit_are_refused_unless_a_cut_is_asked_for() -> None:
    with pytest.raises(InputError) as info:
        from_raw(message(to=4, cc=4), LIMITS)
    assert (info.value.code, info.value.status) == ("too_many_recipients", 413)


def test_the_cut_keeps_to_before_cc_and_names_the_count() -> None:
    f = from_raw(message(to=4, cc=4), LIMITS, cut_recipients=True)
    assert [a.address for a in f.to] == [f"t{i}@x.example" for i in range(4)]
    assert [a.address for a in f.cc] == ["c0@x.example"]
    assert f.cuts == ("recipients cut to 5 of 8",)


def test_a_to_line_over_the_limit_leaves_no_cc() -> None:
    f = from_raw(message(to=7, cc=2), LIMITS, cut_recipients=True)
    assert len(f.to) == 5 and f.cc == ()
    assert f.cuts == ("recipients cut to 5 of 9",)


def test_a_long_plain_body_is_cut_and_named() -> None:
    f = from_raw(message(to=1, body="a" * 150), LIMITS)
    assert f.body == "a" * 100
    assert f.cuts == ("body text cut to 100 of 150 bytes",)


def test_a_plain_body_cut_on_reading_is_counted_whole() -> None:
    f = from_raw(message(to=1, body="a" * 1000), LIMITS)
    assert f.cuts == ("body text cut to 100 of 1000 bytes",)


def test_a_body_at_the_limit_is_whole() -> None:
    assert from_raw(message(to=1, body="a" * 100), LIMITS).cuts == ()


def test_a_long_html_body_names_both_cuts() -> None:
    html = "<p>" + "b" * 2000 + "</p>"
    limits = Limits(max_recipients=5, max_body_bytes=100, max_html_bytes=800)
    f = from_raw(message(to=1, body=html, ctype="text/html"), limits)
    assert len(f.body) == 100
    assert f.body_html == html[:800]
    assert f.cuts == ("HTML body read to 800 of 2007 bytes", "body text cut to 100 of 797 bytes")


def test_recipient_and_body_cuts_are_both_named() -> None:
    f = from_raw(message(to=6, body="a" * 150), LIMITS, cut_recipients=True)
    assert f.cuts == ("recipients cut to 5 of 6", "body text cut to 100 of 150 bytes")


def test_the_payload_path_still_refuses_what_it_cannot_take_whole() -> None:
    to = [{"address": f"t{i}@x.example"} for i in range(6)]
    with pytest.raises(InputError):
        from_payload({"from": {"address": "ann@partner.example"}, "to": to}, LIMITS)
    f = from_payload({"from": {"address": "ann@partner.example"}, "body": "short"}, LIMITS)
    assert f.cuts == ()


def _declaring(count: int, spelling: str) -> bytes:
    head = "From: a@b.example\nTo: c@d.example\nSubject: x\nMIME-Version: 1.0\n"
    head += 'Content-Type: multipart/mixed; boundary="top"\n\n--top\nContent-Type: text/plain\n\n'
    # parameters the body spells, in any case: each counts as a declared boundary
    body = "".join(f"X; {spelling} = b{i}\n" for i in range(count))
    return (head + "hello\n" + body + "--top--\n").encode()


@pytest.mark.parametrize("spelling", ["boundary", "BOUNDARY", "BoUnDaRy"])
def test_more_declared_boundaries_than_the_limit_in_any_case(spelling: str) -> None:
    from caveat.mail.normalise import MAX_MIME_BOUNDARIES

    # the header's own declaration and the body's
    cut = from_raw(_declaring(MAX_MIME_BOUNDARIES, spelling))
    assert any("multipart boundaries" in c for c in cut.cuts) and cut.body == ""
    read = from_raw(_declaring(MAX_MIME_BOUNDARIES - 1, spelling))
    assert not read.cuts and read.body.startswith("hello")


def test_the_word_alone_is_no_declaration() -> None:
    raw = _declaring(0, "") + b"boundary " * 500
    assert not from_raw(raw).cuts
