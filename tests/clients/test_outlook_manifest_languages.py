"""The Outlook manifest names and describes the add-in in every language Caveat speaks:
Override elements for Office's display language, from the add-ins' message files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from caveat.clients.outlook_manifest import (
    BUTTON_TOOLTIP,
    CULTURES,
    DESCRIPTION,
    DISPLAY_NAME,
    LOCALES,
    MESSAGE_IDS,
    NS_APP,
    NS_BT,
    ManifestIdentity,
    check_manifest,
    render_manifest,
)
from caveat.i18n import LANGUAGES

IDENTITY = ManifestIdentity("6f1c1f38-2c0e-4d4b-9c55-0d6f2a8e2b11", "0.1.0.7")


def messages(lang: str) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((LOCALES / lang / "messages.json").read_text())
    return data


def overrides(element: ET.Element, ns: str) -> dict[str, str]:
    return {o.get("Locale", ""): o.get("Value", "") for o in element.findall(f"{{{ns}}}Override")}


def test_the_english_defaults_are_the_english_messages() -> None:
    en = messages("en")
    assert en[MESSAGE_IDS["DisplayName"]]["message"] == DISPLAY_NAME
    assert en[MESSAGE_IDS["Description"]]["message"] == DESCRIPTION
    assert en[MESSAGE_IDS["Button.Tooltip"]]["message"] == BUTTON_TOOLTIP


def test_every_language_has_its_cultures_and_a_message_file() -> None:
    assert set(CULTURES) == set(LANGUAGES) - {"en"}
    for lang in CULTURES:
        assert (LOCALES / lang / "messages.json").is_file(), lang


def test_name_description_and_tooltip_are_given_for_every_culture() -> None:
    xml = render_manifest("https://caveat.example.com", None, IDENTITY)
    assert check_manifest(xml) == []
    root = ET.fromstring(xml)  # noqa: S314 (our own output)
    description = overrides(root.find(f"{{{NS_APP}}}Description"), NS_APP)  # type: ignore[arg-type]
    name = overrides(root.find(f"{{{NS_APP}}}DisplayName"), NS_APP)  # type: ignore[arg-type]
    tooltip_el = next(
        e for e in root.iter(f"{{{NS_BT}}}String") if e.get("id") == "Button.Tooltip"
    )
    tooltip = overrides(tooltip_el, NS_BT)
    for lang, cultures in CULTURES.items():
        own = messages(lang)
        for culture in cultures:
            assert description[culture] == own[MESSAGE_IDS["Description"]]["message"]
            assert description[culture] != DESCRIPTION, (lang, "description not translated")
            assert name[culture] == own[MESSAGE_IDS["DisplayName"]]["message"]
            assert tooltip[culture] == own[MESSAGE_IDS["Button.Tooltip"]]["message"]
            assert tooltip[culture] != BUTTON_TOOLTIP, (lang, "tooltip not translated")
            assert 1 <= len(description[culture]) <= 250 and 1 <= len(tooltip[culture]) <= 250
