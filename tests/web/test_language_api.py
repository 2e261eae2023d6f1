"""The API answers in the client's language: the body's ``language``, else Accept-Language,
else English. Only the wording changes: the level, the findings, their evidence and the
score are the same in every language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.checks.hits import LABELS, PHRASES
from caveat.engine.catalogue import Catalogue, render
from caveat.i18n import LANGUAGES, translator
from caveat.web.app import create_app

from .conftest import NO_RATE_LIMITS
from .test_contract import check_response
from .test_recipients_api import THREAD, USER

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
ATTACK = (SEED / "02-fake-reply-via-relay.eml").read_text("utf-8")
CATALOGUE = Catalogue.load()


@pytest.fixture
def app(caveat_env: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "INTERNAL_DOMAINS": ["partnera.example", "ours.example"],
            "TRUST_MICROSOFT": True,
            **NO_RATE_LIMITS,
        }
    )


def analyze(
    client: FlaskClient, auth: dict[str, str], headers: dict[str, str] | None = None, **more: Any
) -> tuple[dict[str, Any], Any]:
    rv = client.post(
        "/api/v1/analyze",
        headers={**auth, **(headers or {})},
        json={"raw": ATTACK, "headers": None, "to": [], **more},
    )
    assert rv.status_code == 200, rv.get_json()
    check_response("/api/v1/analyze", "post", rv)
    return rv.get_json(), rv


def _same_verdict(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["level"] == b["level"]
    assert a["score"] == b["score"]
    assert [f["id"] for f in a["findings"]] == [f["id"] for f in b["findings"]]
    # evidence: the same values (Caveat's own words, such as "(absent)", worded); header
    # names as they are, Caveat's own labels worded
    own = {w.text for w in PHRASES.values()}
    for fa, fb in zip(a["findings"], b["findings"], strict=True):
        assert len(fa["evidence"]) == len(fb["evidence"])
        for ea, eb in zip(fa["evidence"], fb["evidence"], strict=True):
            assert ea["value"] in own or ea["value"] == eb["value"]
            assert ea["header"] in LABELS or ea["header"] == eb["header"]


def test_english_without_a_language(client: FlaskClient, auth: dict[str, str]) -> None:
    body, rv = analyze(client, auth)
    assert body["language"] == "en"
    assert rv.headers["Content-Language"] == "en"
    assert body["level"] == "danger"
    assert body["banner"]["title"] == CATALOGUE.levels["danger"].title


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_words_the_same_verdict(
    client: FlaskClient, auth: dict[str, str], lang: str
) -> None:
    analyze(client, auth)  # the memory has seen it: the next answers are about the same
    english, _ = analyze(client, auth)
    worded, rv = analyze(client, auth, language=f"{lang}-XX" if lang != "zh" else "zh-Hans-CN")
    assert worded["language"] == lang
    assert rv.headers["Content-Language"] == lang
    _same_verdict(english, worded)
    t = translator(lang)
    level = CATALOGUE.levels["danger"]
    assert worded["banner"]["title"] == t.text("level.danger.title", level.title)
    assert worded["banner"]["title"] != english["banner"]["title"]
    assert len(worded["banner"]["text"]) <= 150
    for en_f, f in zip(english["findings"], worded["findings"], strict=True):
        entry = next(e for e in CATALOGUE.entries() if e.id == f["id"])
        assert f["title"] != en_f["title"] or entry.title_one, f["id"]
        assert f["explanation"] != en_f["explanation"], f["id"]


def test_accept_language_decides_when_the_body_names_none(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body, rv = analyze(client, auth, {"Accept-Language": "xx, fr-CH;q=0.9, de;q=0.8"})
    assert body["language"] == "fr"
    assert "Accept-Language" in rv.headers["Vary"]
    body, _ = analyze(client, auth, {"Accept-Language": "fr;q=0.5, de;q=0.8"})
    assert body["language"] == "de"
    body, _ = analyze(client, auth, {"Accept-Language": "fr"}, language="nl-BE")
    assert body["language"] == "nl"
    # a language Caveat does not speak in the body: the header decides, then English
    body, _ = analyze(client, auth, {"Accept-Language": "it"}, language="xx")
    assert body["language"] == "it"
    body, _ = analyze(client, auth, {"Accept-Language": "*;q=0.1, xx"})
    assert body["language"] == "en"


@pytest.mark.parametrize("bad", [5, ["de"], {"de": 1}, "d" * 36])
def test_a_language_of_the_wrong_shape_is_a_400(
    client: FlaskClient, auth: dict[str, str], bad: object
) -> None:
    rv = client.post(
        "/api/v1/analyze", headers=auth, json={"raw": ATTACK, "headers": None, "language": bad}
    )
    assert rv.status_code == 400
    assert "language" in rv.get_json()["error"]["message"]


def test_a_hostile_accept_language_is_english(client: FlaskClient, auth: dict[str, str]) -> None:
    for header in ("de;q=abc", ";;;", "x" * 5000, "de;q=1e999", "\u00e9\u00e9"):
        sent = header.encode("utf-8").decode("latin-1")
        body, _ = analyze(client, auth, {"Accept-Language": sent})
        assert body["language"] in ("en", "de")


def test_the_send_time_guard_speaks_the_language_and_names_the_address(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    rv = client.post(
        "/api/v1/analyze",
        headers=auth,
        json={
            "headers": (
                "From: Jane Roe <jane@partner.example>\r\nTo: Bo Lind <bo@ours.example>\r\n"
                "Subject: Invoice 1042\r\nMessage-ID: <m1@partner.example>\r\n"
            ),
            "conversation_id": THREAD,
        },
    )
    assert rv.status_code == 200
    body = {
        "from": USER,
        "to": [{"name": "Jane Roe", "address": "jane.roe@gmail.com"}],
        "conversation_id": THREAD,
        "subject": "RE: Invoice 1042",
    }
    english = client.post("/api/v1/recipients", headers=auth, json=body).get_json()
    for lang in LANGUAGES:
        rv = client.post("/api/v1/recipients", headers=auth, json={**body, "language": lang})
        assert rv.status_code == 200
        check_response("/api/v1/recipients", "post", rv)
        worded = rv.get_json()
        assert worded["language"] == lang
        assert worded["level"] == english["level"] == "danger"
        assert worded["recipients"] == english["recipients"]
        assert "jane.roe@gmail.com" in worded["banner"]["text"]
        assert len(worded["banner"]["text"]) <= 150
        if lang != "en":
            assert worded["banner"]["text"] != english["banner"]["text"]
            assert worded["banner"]["title"] != english["banner"]["title"]


def test_plural_forms_follow_the_language() -> None:
    """Polish has three forms for counts: 1, 2-4 and 5+; the finding about switched people
    takes the one for its count."""
    entry = CATALOGUE.findings["RECIPIENT_SWAP_FREEMAIL"]
    t = translator("pl")
    forms = {
        n: t.plural("finding.RECIPIENT_SWAP_FREEMAIL.title", entry.title_one, entry.title, n)
        for n in (1, 2, 5)
    }
    assert len(set(forms.values())) >= 2
    assert forms[1] != forms[5]
    assert render(forms[2], {}) == forms[2]
