"""The add-ins' words as the service serves them: the message files under
``/addin/_locales/<lang>/messages.json`` (nothing else of that folder), revalidated like the
other add-in files, and the send-time guard's own messages written in front of
launchevent.js, for the runtime that cannot fetch them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from caveat.web import addin

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "addin" / "_locales" / "en" / "messages.json"


def test_a_message_file_is_served_revalidated(client: FlaskClient) -> None:
    r = client.get("/addin/_locales/en/messages.json")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.data == ENGLISH.read_bytes()
    assert r.json["could_not_check"]["message"]
    again = client.get(
        "/addin/_locales/en/messages.json", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/addin/_locales/xx/messages.json",
        "/addin/_locales/EN/messages.json",
        "/addin/_locales/../package.json",
        "/addin/_locales/%2e%2e/messages.json",
        "/addin/_locales/en/other.json",
        "/addin/_locales/en/",
        "/addin/_locales/en",
        "/addin/_locales/en%2fmessages.json/messages.json",
    ],
)
def test_nothing_else_of_the_locales_is_served(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def _messages_line(script: str) -> dict[str, dict[str, str]]:
    for line in script.split("\n", 3)[:2]:
        if line.startswith("var CAVEAT_MESSAGES = "):
            found: dict[str, dict[str, str]] = json.loads(
                line.removeprefix("var CAVEAT_MESSAGES = ").removesuffix(";")
            )
            return found
    raise AssertionError("no CAVEAT_MESSAGES line")


def test_the_event_script_carries_its_own_messages_in_every_language(
    client: FlaskClient, api_key: str
) -> None:
    english = json.loads(ENGLISH.read_text("utf-8"))
    wanted = {k: v["message"] for k, v in english.items() if k.startswith("outlook_event_")}
    assert wanted, "launchevent.js has messages of its own"
    for url in ("/addin/outlook/launchevent.js", f"/addin/outlook/launchevent.js?key={api_key}"):
        script = client.get(url).get_data(as_text=True)
        messages = _messages_line(script)
        assert messages["en"] == wanted
        languages = sorted(p.name for p in (ROOT / "addin" / "_locales").iterdir() if p.is_dir())
        assert sorted(messages) == languages
        for words in messages.values():
            assert all(key.startswith("outlook_event_") for key in words)
        # JSON in ASCII: no raw U+2028/9 line separators in the script
        assert script.split("\n", 2)[0].isascii()
    # With a key, the deployment comes first, as before.
    first = client.get(f"/addin/outlook/launchevent.js?key={api_key}").get_data(as_text=True)
    assert first.startswith("var CAVEAT_DEPLOYMENT = ")


def test_the_event_messages_leave_out_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "messages.json").write_text(
        json.dumps(
            {
                "outlook_event_x": {"message": "Hallo \u2028 W\u00f6rter"},
                "other": {"message": "not for the script"},
            }
        ),
        "utf-8",
    )
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "messages.json").write_text("{not json", "utf-8")
    (tmp_path / "not-a-language").mkdir()
    monkeypatch.setattr(addin, "LOCALES_ROOT", tmp_path)
    assert addin.launch_event_messages() == {"en": {"outlook_event_x": "Hallo \u2028 W\u00f6rter"}}
