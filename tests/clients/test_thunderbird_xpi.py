"""The Thunderbird XPI as built from the source tree: layout, manifest, permissions, the
deployment file, and what never goes in."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from caveat import __version__
from caveat.clients import thunderbird_xpi
from caveat.clients.thunderbird_xpi import (
    EXTENSION_ID,
    LOCALES,
    SHARED,
    SOURCE,
    Deployment,
    XpiError,
    build_xpi,
    origin_pattern,
    redirect_url,
    service_url,
)

BASE = "https://caveat.example.com"
PERMISSIONS = {"identity", "messagesRead", "scripting", "sensitiveDataUpload", "storage"}


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as xpi:
        assert xpi.testzip() is None
        return {name: xpi.read(name) for name in xpi.namelist()}


def manifest_of(files: dict[str, bytes]) -> dict[str, object]:
    value: dict[str, object] = json.loads(files["manifest.json"])
    return value


def test_a_generic_build_asks_for_no_host_and_names_no_service() -> None:
    files = unpack(build_xpi())
    manifest = manifest_of(files)
    assert manifest["manifest_version"] == 3
    assert manifest["version"] == __version__
    gecko = manifest["browser_specific_settings"]["gecko"]  # type: ignore[index]
    assert gecko["id"] == EXTENSION_ID
    assert gecko["strict_min_version"] == "128.0"
    assert set(manifest["permissions"]) == PERMISSIONS  # type: ignore[arg-type]
    assert "host_permissions" not in manifest
    assert json.loads(files["thunderbird/deployment.json"]) == {}


def test_a_deployment_build_asks_for_its_service_only() -> None:
    files = unpack(build_xpi(Deployment(base_url=BASE + "/caveat/", api_key="k-123")))
    manifest = manifest_of(files)
    assert manifest["host_permissions"] == ["https://caveat.example.com/*"]
    assert "optional_host_permissions" not in manifest
    assert set(manifest["permissions"]) == PERMISSIONS  # type: ignore[arg-type]
    assert json.loads(files["thunderbird/deployment.json"]) == {
        "base_url": "https://caveat.example.com/caveat",
        "api_key": "k-123",
    }


def test_every_file_the_manifest_names_is_in_the_xpi() -> None:
    files = unpack(build_xpi())
    manifest = manifest_of(files)
    named: list[str] = []
    named += manifest["background"]["scripts"]  # type: ignore[index]
    action = manifest["message_display_action"]
    named.append(action["default_popup"])  # type: ignore[index]
    named += action["default_icon"].values()  # type: ignore[index]
    named.append(manifest["options_ui"]["page"])  # type: ignore[index]
    named += manifest["icons"].values()  # type: ignore[union-attr]
    for name in named:
        assert name in files, name


def test_the_source_layout_is_kept_so_relative_imports_hold() -> None:
    files = unpack(build_xpi())
    for path in SOURCE.iterdir():
        if path.is_file() and path.suffix in {".js", ".html", ".css"}:
            assert files[f"thunderbird/{path.name}"] == path.read_bytes()
    for path in (*SHARED.glob("*.js"), *SHARED.glob("*.css")):
        assert files[f"shared/{path.name}"] == path.read_bytes()
    assert "shared/render.css" in files  # the popup's page links it
    assert {n for n in files if n.startswith("icons/")} == {
        f"icons/icon-{s}.png" for s in (16, 32, 64, 128)
    }


def test_no_tests_type_declarations_or_package_files_are_shipped() -> None:
    names = set(unpack(build_xpi()))
    assert not [n for n in names if "/test/" in n or n.endswith((".d.ts", ".json.lock"))]
    assert not [n for n in names if "node_modules" in n or n.endswith("package.json")]
    allowed = {"manifest.json", "thunderbird/deployment.json"}
    allowed |= {f"_locales/{p.parent.name}/messages.json" for p in LOCALES.glob("*/messages.json")}
    assert {n for n in names if n.endswith(".json")} == allowed


def test_every_language_s_messages_are_shipped_as_thunderbird_s_locales() -> None:
    files = unpack(build_xpi())
    languages = sorted(p.parent.name for p in LOCALES.glob("*/messages.json"))
    assert "en" in languages
    shipped = sorted(n.split("/")[1] for n in files if n.startswith("_locales/"))
    assert shipped == languages
    assert {n for n in files if n.startswith("_locales/")} == {
        f"_locales/{lang}/messages.json" for lang in languages
    }
    for lang in languages:
        source = (LOCALES / lang / "messages.json").read_bytes()
        assert files[f"_locales/{lang}/messages.json"] == source
    manifest = manifest_of(files)
    assert manifest["default_locale"] == "en"
    assert manifest["name"] == "__MSG_extensionName__"
    assert manifest["description"] == "__MSG_extensionDescription__"
    english = json.loads(files["_locales/en/messages.json"])
    assert english["extensionName"]["message"] == "Caveat"


def test_only_message_files_that_are_json_objects_are_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "en").mkdir()
    english = '{"extensionName": {"message": "Caveat"}}'
    (tmp_path / "en" / "messages.json").write_text(english, "utf-8")
    (tmp_path / "en" / "notes.txt").write_text("not shipped", "utf-8")
    (tmp_path / "de").mkdir()  # no messages.json yet: left out
    (tmp_path / "README.md").write_text("not a language", "utf-8")
    monkeypatch.setattr(thunderbird_xpi, "LOCALES", tmp_path)
    names = {n for n in unpack(build_xpi()) if n.startswith("_locales/")}
    assert names == {"_locales/en/messages.json"}

    (tmp_path / "de" / "messages.json").write_text("{not json", "utf-8")
    with pytest.raises(XpiError, match="not valid JSON"):
        build_xpi()
    (tmp_path / "de" / "messages.json").write_text("[]", "utf-8")
    with pytest.raises(XpiError, match="not a JSON object"):
        build_xpi()
    (tmp_path / "de" / "messages.json").unlink()
    (tmp_path / "en" / "messages.json").unlink()
    with pytest.raises(XpiError, match="default locale"):
        build_xpi()


def test_the_build_is_reproducible() -> None:
    assert build_xpi(Deployment(base_url=BASE)) == build_xpi(Deployment(base_url=BASE))


def test_a_test_build_may_report_to_a_second_loopback_port() -> None:
    files = unpack(
        build_xpi(
            Deployment(
                base_url="http://127.0.0.1:9",
                display_report_url="http://127.0.0.1:8000/test/display-events",
            )
        )
    )
    # One pattern: match patterns take no port, so the host covers both.
    assert manifest_of(files)["host_permissions"] == ["http://127.0.0.1/*"]


@pytest.mark.parametrize(
    "url",
    [
        "http://caveat.example.com",
        "ftp://caveat.example.com",
        "https://user:pw@caveat.example.com",
        "https://caveat.example.com/?x=1",
        "http://127.0.0.1:8443/?x=1",
        "https://caveat.example.com:99999",
        "",
    ],
)
def test_bad_service_addresses_are_refused(url: str) -> None:
    with pytest.raises(XpiError):
        service_url(url)


def test_plain_http_is_accepted_on_loopback_only() -> None:
    assert service_url("http://127.0.0.1:8443/") == "http://127.0.0.1:8443"
    assert service_url("http://localhost:8443") == "http://localhost:8443"
    assert origin_pattern("https://caveat.example.com:8443/caveat") == (
        "https://caveat.example.com/*"
    )
    assert origin_pattern("http://[::1]:8443") == "http://[::1]/*"


def test_a_key_without_a_service_is_refused() -> None:
    with pytest.raises(XpiError, match="base URL"):
        build_xpi(Deployment(api_key="k"))


def test_the_redirect_uri_is_the_one_thunderbird_makes_from_the_extension_id() -> None:
    # identity.getRedirectURL(): https://<SHA-1 of the id, hex>.extensions.allizom.org/
    assert redirect_url() == (
        "https://f4573a0bd9b998243775d4579bb44b4b7782a4b8.extensions.allizom.org/"
    )
    assert redirect_url("other@example.org") != redirect_url()


def test_a_build_for_a_service_that_signs_people_in_asks_for_the_provider_and_has_no_key() -> None:
    files = unpack(
        build_xpi(
            Deployment(
                base_url=BASE,
                sign_in_origins=("https://login.microsoftonline.com", BASE),
            )
        )
    )
    manifest = manifest_of(files)
    assert manifest["host_permissions"] == [
        "https://caveat.example.com/*",
        "https://login.microsoftonline.com/*",
    ]
    assert "identity" in manifest["permissions"]  # type: ignore[operator]
    assert json.loads(files["thunderbird/deployment.json"]) == {"base_url": BASE}


def test_a_key_is_refused_in_a_build_that_signs_people_in() -> None:
    with pytest.raises(XpiError, match="carries no key"):
        build_xpi(
            Deployment(base_url=BASE, api_key="k", sign_in_origins=("https://kc.example.com",))
        )
    with pytest.raises(XpiError):
        build_xpi(Deployment(base_url=BASE, sign_in_origins=("http://kc.example.com",)))


def test_test_actions_ride_only_with_the_read_back_url() -> None:
    actions = (("m1@example.org", ("report", "sign_out")),)
    plain = unpack(build_xpi(Deployment(base_url=BASE, test_actions=actions)))
    assert json.loads(plain["thunderbird/deployment.json"]) == {"base_url": BASE}
    test_build = unpack(
        build_xpi(
            Deployment(
                base_url="http://127.0.0.1:9",
                display_report_url="http://127.0.0.1:9/test/display-events",
                test_actions=actions,
            )
        )
    )
    assert json.loads(test_build["thunderbird/deployment.json"])["test_actions"] == {
        "m1@example.org": ["report", "sign_out"]
    }
    with pytest.raises(XpiError, match="unknown test actions: rm"):
        build_xpi(Deployment(base_url=BASE, test_actions=(("m", ("rm",)),)))
