"""The Outlook add-in manifest: what it contains, the offline check, and its identity file."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from caveat import __version__
from caveat.clients.outlook_manifest import (
    BUTTON_ICON_SIZES,
    ICON_SIZES,
    IDENTITY_FILE,
    MAX_MANIFEST_BYTES,
    NS_APP,
    NS_BT,
    NS_VO_1_0,
    NS_VO_1_1,
    OFFICE_APP_ORDER,
    XSI_TYPE,
    ManifestError,
    ManifestIdentity,
    check_manifest,
    content_fingerprint,
    load_identity,
    manifest_version,
    normalise_base_url,
    render_manifest,
    sign_in_for,
)

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "static" / "icons"
SCHEMAS = ROOT.parent / "shared" / "schemas" / "office-addin-manifest"

BASE = "https://caveat.example.com"
KEY = "cav_0123456789abcdefABCDEF"
IDENTITY = ManifestIdentity("6f1c1f38-2c0e-4d4b-9c55-0d6f2a8e2b11", "0.1.0.7")


def render(base: str = BASE, key: str | None = KEY) -> bytes:
    return render_manifest(base, key, IDENTITY)


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (our own output)


def q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def urls_in(root: ET.Element) -> list[str]:
    """Every attribute value and text in the manifest that is a URL."""
    found = []
    for element in root.iter():
        values = [*element.attrib.values(), (element.text or "").strip()]
        found += [v for v in values if "://" in v]
    return found


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def v11(root: ET.Element) -> ET.Element:
    outer = root.find(q(NS_VO_1_0, "VersionOverrides"))
    assert outer is not None
    inner = outer.find(q(NS_VO_1_1, "VersionOverrides"))
    assert inner is not None
    return inner


# ----------------------------------------------------------------- contents


@pytest.mark.parametrize("key", [KEY, None])
@pytest.mark.parametrize("base", [BASE, "https://mail.example.org:8443/caveat/"])
def test_the_rendered_manifest_passes_the_offline_check(base: str, key: str | None) -> None:
    assert check_manifest(render(base, key)) == []


def test_officeapp_children_follow_the_schema_order() -> None:
    root = parse(render())
    names = [local(child.tag) for child in root]
    assert names == [
        "Id",
        "Version",
        "ProviderName",
        "DefaultLocale",
        "DisplayName",
        "Description",
        "IconUrl",
        "HighResolutionIconUrl",
        "SupportUrl",
        "AppDomains",
        "Hosts",
        "Requirements",
        "FormSettings",
        "Permissions",
        "Rule",
        "VersionOverrides",
    ]
    ranks = [OFFICE_APP_ORDER.index(n) for n in names]
    assert ranks == sorted(ranks)


def test_the_root_is_a_mail_app_with_this_identity() -> None:
    root = parse(render())
    assert root.tag == q(NS_APP, "OfficeApp")
    assert root.get(XSI_TYPE) == "MailApp"
    assert root.findtext(q(NS_APP, "Id")) == IDENTITY.id
    assert root.findtext(q(NS_APP, "Version")) == IDENTITY.version
    assert root.findtext(q(NS_APP, "ProviderName")) == "Caveat"
    display = root.find(q(NS_APP, "DisplayName"))
    assert display is not None and display.get("DefaultValue") == "Caveat"
    rule = root.find(q(NS_APP, "Rule"))
    assert rule is not None
    assert (rule.get(XSI_TYPE), rule.get("ItemType"), rule.get("FormType")) == (
        "ItemIs",
        "Message",
        "Read",
    )


def test_it_asks_for_read_item_and_nothing_more() -> None:
    xml = render()
    root = parse(xml)
    assert root.findtext(q(NS_APP, "Permissions")) == "ReadItem"
    assert len(root.findall(q(NS_APP, "Permissions"))) == 1
    assert b"ReadWrite" not in xml


@pytest.mark.parametrize("base", [BASE, "https://mail.example.org:8443/caveat"])
def test_every_url_is_https_and_under_the_base(base: str) -> None:
    root = parse(render(base))
    urls = urls_in(root)
    assert len(urls) > 10
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    for url in urls:
        assert url.startswith("https://")
        assert url == origin or url.startswith(base + "/"), url
    domains = [e.text for e in root.iter(q(NS_APP, "AppDomain"))]
    assert domains == [origin]
    support = root.find(q(NS_APP, "SupportUrl"))
    assert support is not None and support.get("DefaultValue") == base + "/"


def test_the_pages_carry_the_key_and_the_icons_do_not() -> None:
    root = parse(render())
    pages = [u for u in urls_in(root) if "/addin/outlook/" in u]
    assert {urlsplit(u).path for u in pages} == {
        "/addin/outlook/taskpane.html",
        "/addin/outlook/commands.html",
        "/addin/outlook/launchevent.js",
    }
    assert all(parse_qs(urlsplit(u).query) == {"key": [KEY]} for u in pages)
    others = [u for u in urls_in(root) if "/addin/outlook/" not in u]
    assert others and not any("key" in u for u in others)


def test_without_a_key_the_pages_have_no_query() -> None:
    root = parse(render(key=None))
    assert not any(urlsplit(u).query for u in urls_in(root))


def test_the_key_is_url_encoded_and_xml_escaped() -> None:
    key = "cav_&<>\"' %/?#=x"
    xml = render(key=key)
    root = parse(xml)  # well-formed whatever the key holds
    encoded = quote(key, safe="")
    pane = root.find(f"{q(NS_APP, 'FormSettings')}//{q(NS_APP, 'SourceLocation')}")
    assert pane is not None
    url = pane.get("DefaultValue", "")
    assert url == f"{BASE}/addin/outlook/taskpane.html?key={encoded}"
    assert parse_qs(urlsplit(url).query) == {"key": [key]}
    for raw in (b"&<", b"<>", b"\"'", b"' ", b"?#"):
        assert raw not in xml
    assert check_manifest(xml) == []


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ManifestError, match="empty"):
        render(key=" ")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://caveat.example.com", "must use https"),
        ("ftp://caveat.example.com", "must use https"),
        ("caveat.example.com", "must use https"),
        ("", "empty"),
        ("https://", "no host"),
        ("https://user:secret@caveat.example.com", "user name or password"),
        ("https://caveat.example.com/?key=1", "query or a fragment"),
        ("https://caveat.example.com/#top", "query or a fragment"),
        ("https://caveat.example.com/a/../b", "plain path prefix"),
        ("https://caveat.example.com/a b", "plain path prefix"),
        ("https://caveat.example.com:99999", "not a URL"),
        ("https://exämple.com", "ASCII"),
    ],
)
def test_bad_base_urls_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        render_manifest(raw, KEY, IDENTITY)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("https://Caveat.Example.com/", "https://caveat.example.com"),
        (" https://caveat.example.com ", "https://caveat.example.com"),
        ("HTTPS://caveat.example.com:8443/caveat/", "https://caveat.example.com:8443/caveat"),
        ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
    ],
)
def test_base_urls_are_normalised(raw: str, normal: str) -> None:
    assert normalise_base_url(raw) == normal


def test_the_manifest_stays_far_below_office_s_size_limit() -> None:
    # the description and tooltip in 13 languages for their Office cultures take most of it
    assert len(render()) < MAX_MANIFEST_BYTES // 4


def test_a_url_longer_than_the_schema_allows_is_refused() -> None:
    with pytest.raises(ManifestError, match="longer than 2048"):
        render(key="cav_" + "x" * 2100)


def test_resource_ids_are_short_and_every_resid_is_defined() -> None:
    root = parse(render())
    for element in root.iter():
        for name in ("id", "resid"):
            value = element.get(name)
            if value is not None and local(element.tag) != "OfficeTab":
                assert 1 <= len(value) <= 32, value


def test_the_send_guard_and_the_pinnable_pane() -> None:
    inner = v11(parse(render()))
    sets = inner.find(f"{q(NS_VO_1_1, 'Requirements')}/{q(NS_BT, 'Sets')}")
    assert sets is not None and sets.get("DefaultMinVersion") == "1.12"
    events = {e.get("Type"): e for e in inner.iter(q(NS_VO_1_1, "LaunchEvent")) if e.get("Type")}
    assert set(events) == {"OnMessageRecipientsChanged", "OnMessageSend"}
    assert events["OnMessageSend"].get("FunctionName") == "onMessageSendHandler"
    assert events["OnMessageSend"].get("SendMode") == "SoftBlock"
    recipients = events["OnMessageRecipientsChanged"]
    assert recipients.get("FunctionName") == "onMessageRecipientsChangedHandler"
    assert [e.text for e in inner.iter(q(NS_VO_1_1, "SupportsPinning"))] == ["true"]

    urls = {u.get("id"): u.get("DefaultValue", "") for u in inner.iter(q(NS_BT, "Url"))}
    runtime = inner.find(f".//{q(NS_VO_1_1, 'Runtime')}")
    assert runtime is not None
    override = runtime.find(q(NS_VO_1_1, "Override"))
    assert override is not None and override.get("type") == "javascript"
    assert urlsplit(urls[runtime.get("resid")]).path == "/addin/outlook/commands.html"
    assert urlsplit(urls[override.get("resid")]).path == "/addin/outlook/launchevent.js"


def test_the_classic_pane_has_no_pinning_and_needs_mailbox_1_3() -> None:
    outer = parse(render()).find(q(NS_VO_1_0, "VersionOverrides"))
    assert outer is not None
    assert outer.get(XSI_TYPE) == "VersionOverridesV1_0"
    sets = outer.find(f"{q(NS_VO_1_0, 'Requirements')}/{q(NS_BT, 'Sets')}")
    assert sets is not None and sets.get("DefaultMinVersion") == "1.3"
    assert outer.find(f".//{q(NS_VO_1_0, 'SupportsPinning')}") is None


# ----------------------------------------------------------------- icons


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_icon_exists_with_its_size(size: int) -> None:
    path = ICONS / f"icon-{size}.png"
    assert png_size(path) == (size, size)
    assert path.stat().st_size < 16 * 1024


def test_every_icon_the_manifest_names_exists_at_the_right_size() -> None:
    root = parse(render())
    prefix = f"{BASE}/static/icons/"
    named = [u for u in urls_in(root) if u.startswith(prefix)]
    assert len(named) >= 5
    for url in named:
        name = url.removeprefix(prefix)
        size = int(re.fullmatch(r"icon-(\d+)\.png", name).group(1))  # type: ignore[union-attr]
        assert png_size(ICONS / name) == (size, size)
    icon = root.find(q(NS_APP, "IconUrl"))
    high = root.find(q(NS_APP, "HighResolutionIconUrl"))
    assert icon is not None and icon.get("DefaultValue") == prefix + "icon-64.png"
    assert high is not None and high.get("DefaultValue") == prefix + "icon-128.png"


def test_each_button_image_resolves_to_a_png_of_its_declared_size() -> None:
    root = parse(render())
    checked = 0
    outer = root.find(q(NS_VO_1_0, "VersionOverrides"))
    for overrides, ns in ((outer, NS_VO_1_0), (v11(root), NS_VO_1_1)):
        assert overrides is not None
        images = {
            image.get("id"): image.get("DefaultValue", "")
            for image in overrides.findall(f"./*/{q(NS_BT, 'Images')}/{q(NS_BT, 'Image')}")
        }
        for icon in overrides.iter(q(ns, "Icon")):
            sizes = []
            for ref in icon.findall(q(NS_BT, "Image")):
                size = int(ref.get("size", "0"))
                name = urlsplit(images[ref.get("resid")]).path.rsplit("/", 1)[-1]
                assert png_size(ICONS / name) == (size, size)
                sizes.append(size)
                checked += 1
            assert tuple(sizes) == BUTTON_ICON_SIZES
    assert checked == 6


# ----------------------------------------------------------------- the check


def _mutate(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert old in xml, f"{old!r} is not in the manifest any more"
    return xml.replace(old, new, 1)


def _move_permissions_up(xml: bytes) -> bytes:
    line = b"  <Permissions>ReadItem</Permissions>\n"
    xml = _mutate(xml, line, b"")
    return _mutate(xml, b"  <FormSettings>", line + b"  <FormSettings>")


BROKEN = {
    "no Permissions": (
        lambda x: _mutate(x, b"<Permissions>ReadItem</Permissions>", b""),
        "Permissions",
    ),
    "ReadWriteMailbox": (
        lambda x: _mutate(x, b">ReadItem<", b">ReadWriteMailbox<"),
        "must be ReadItem",
    ),
    "an http icon": (
        lambda x: _mutate(
            x, b'"https://caveat.example.com/static', b'"http://caveat.example.com/static'
        ),
        "not an https URL",
    ),
    "an http page in the resources": (
        lambda x: _mutate(
            x,
            b'DefaultValue="https://caveat.example.com/addin',
            b'DefaultValue="http://caveat.example.com/addin',
        ),
        "not an https URL",
    ),
    "a javascript: support URL": (
        lambda x: _mutate(
            x,
            b'<SupportUrl DefaultValue="https://caveat.example.com/"',
            b'<SupportUrl DefaultValue="javascript:alert(1)"',
        ),
        "not an https URL",
    ),
    "a resid naming nothing": (
        lambda x: _mutate(
            x, b'<SourceLocation resid="Taskpane.Url"', b'<SourceLocation resid="Pane.Url"'
        ),
        "names no resource",
    ),
    "a resid naming the wrong kind": (
        lambda x: _mutate(x, b'<Label resid="Group.Label"', b'<Label resid="Button.Tooltip"'),
        "in ShortStrings",
    ),
    "a resource id over 32 characters": (
        lambda x: x.replace(b'"Icon.16"', b'"Icon.16.' + b"x" * 30 + b'"'),
        "32 characters",
    ),
    "an Icon without its 80 px image": (
        lambda x: _mutate(x, b'<bt:Image size="80" resid="Icon.80" />', b""),
        "lacks the sizes [80]",
    ),
    "no SupportsPinning": (
        lambda x: _mutate(x, b"<SupportsPinning>true</SupportsPinning>", b""),
        "SupportsPinning",
    ),
    "SendMode Block": (
        lambda x: _mutate(x, b'SendMode="SoftBlock"', b'SendMode="Block"'),
        "SoftBlock",
    ),
    "no OnMessageRecipientsChanged": (
        lambda x: _mutate(x, b'Type="OnMessageRecipientsChanged"', b'Type="OnNewMessageCompose"'),
        "no OnMessageRecipientsChanged",
    ),
    "no javascript runtime for classic Outlook": (
        lambda x: _mutate(x, b'<Override type="javascript" resid="Runtime.Js.Url" />', b""),
        "javascript",
    ),
    "Mailbox 1.11 for the send guard": (
        lambda x: _mutate(x, b'DefaultMinVersion="1.12"', b'DefaultMinVersion="1.11"'),
        "Mailbox 1.12",
    ),
    "Permissions before FormSettings": (_move_permissions_up, "schema order"),
    "an Id that is not a GUID": (
        lambda x: _mutate(x, IDENTITY.id.encode(), b"caveat-addin"),
        "not a GUID",
    ),
    "a five-part version": (
        lambda x: _mutate(x, b"<Version>0.1.0.7<", b"<Version>0.1.0.7.1<"),
        "Version",
    ),
    "a task pane app": (
        lambda x: _mutate(x, b'xsi:type="MailApp"', b'xsi:type="TaskPaneApp"'),
        "MailApp",
    ),
    "a DOCTYPE": (
        lambda x: _mutate(x, b"<OfficeApp", b"<!DOCTYPE OfficeApp []>\n<OfficeApp"),
        "DOCTYPE",
    ),
    "not XML": (lambda x: x[: len(x) // 2], "not well-formed"),
    "256 KB": (
        lambda x: x + b"<!-- " + b"x" * MAX_MANIFEST_BYTES + b" -->\n",
        "256 KB",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_check_catches_a_broken_manifest(case: str) -> None:
    mutate, expected = BROKEN[case]
    problems = check_manifest(mutate(render()))
    assert problems, f"{case}: no problem found"
    assert any(expected in p for p in problems), problems


def test_the_check_also_sees_the_missing_element_by_name() -> None:
    xml = render().replace(b"<Permissions>ReadItem</Permissions>", b"")
    assert "OfficeApp: <Permissions> is missing" in check_manifest(xml)


def test_the_manifest_validates_against_microsoft_s_schemas_when_they_are_present() -> None:
    xsds = sorted(SCHEMAS.rglob("*.xsd")) if SCHEMAS.is_dir() else []
    if not xsds:
        pytest.skip(f"no Office add-in manifest XSD files in {SCHEMAS}")
    try:
        from lxml import etree
    except ImportError:
        pytest.skip("lxml is not installed (it is not a dependency of this project)")
    entries = [p for p in xsds if p.name.lower().startswith("officeappmanifest")]
    if not entries:
        pytest.skip(f"no OfficeAppManifest*.xsd among {[p.name for p in xsds]}")
    schema = etree.XMLSchema(etree.parse(str(entries[-1])))
    signed = render_manifest(BASE, None, IDENTITY, sign_in_for(BASE, CLIENT_ID))
    for xml in (render(), signed):
        document = etree.fromstring(xml)
        assert schema.validate(document), str(schema.error_log)


# ----------------------------------------------------------------- identity

FINGERPRINT_A = "a" * 64
FINGERPRINT_B = "b" * 64


def test_the_first_call_creates_a_guid_and_revision_one(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    identity = load_identity(instance, FINGERPRINT_A)
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", identity.id)
    major, minor, patch = (int(p) for p in re.findall(r"\d+", __version__)[:3])
    assert identity.version == f"{major}.{minor}.{patch}.1"
    assert (instance / IDENTITY_FILE).is_file()


def test_the_same_content_gives_the_same_identity(tmp_path: Path) -> None:
    first = load_identity(tmp_path, FINGERPRINT_A)
    before = (tmp_path / IDENTITY_FILE).read_bytes()
    assert load_identity(tmp_path, FINGERPRINT_A) == first
    assert load_identity(tmp_path, FINGERPRINT_A) == first
    assert (tmp_path / IDENTITY_FILE).read_bytes() == before


def test_new_content_keeps_the_guid_and_raises_the_version_by_one(tmp_path: Path) -> None:
    first = load_identity(tmp_path, FINGERPRINT_A)
    second = load_identity(tmp_path, FINGERPRINT_B)
    assert second.id == first.id
    assert second.version.rsplit(".", 1) == [first.version.rsplit(".", 1)[0], "2"]
    # going back to earlier content is still a change: versions never go down
    third = load_identity(tmp_path, FINGERPRINT_A)
    assert third.id == first.id and third.version.endswith(".3")
    assert load_identity(tmp_path, FINGERPRINT_A) == third


def test_the_identity_file_is_written_atomically(tmp_path: Path) -> None:
    load_identity(tmp_path, FINGERPRINT_A)
    load_identity(tmp_path, FINGERPRINT_B)
    assert [p.name for p in tmp_path.iterdir()] == [IDENTITY_FILE]


def test_the_fingerprint_follows_the_content_not_the_identity() -> None:
    assert content_fingerprint(BASE, KEY) == content_fingerprint(BASE + "/", KEY)
    assert content_fingerprint(BASE, KEY) != content_fingerprint(BASE, KEY + "x")
    assert content_fingerprint(BASE, KEY) != content_fingerprint("https://other.example", KEY)
    assert re.fullmatch(r"[0-9a-f]{64}", content_fingerprint(BASE, None))


CORRUPT = {
    "not TOML": "id = [\n",
    "no id": f'revision = 1\nfingerprint = "{FINGERPRINT_A}"\n',
    "an id that is not a GUID": f'id = "abc"\nrevision = 1\nfingerprint = "{FINGERPRINT_A}"\n',
    "a text revision": (
        f'id = "{IDENTITY.id}"\nrevision = "one"\nfingerprint = "{FINGERPRINT_A}"\n'
    ),
    "revision zero": f'id = "{IDENTITY.id}"\nrevision = 0\nfingerprint = "{FINGERPRINT_A}"\n',
    "a boolean revision": (
        f'id = "{IDENTITY.id}"\nrevision = true\nfingerprint = "{FINGERPRINT_A}"\n'
    ),
    "a short fingerprint": f'id = "{IDENTITY.id}"\nrevision = 3\nfingerprint = "abc"\n',
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_identity_file_is_reported_by_name(tmp_path: Path, case: str) -> None:
    path = tmp_path / IDENTITY_FILE
    path.write_text(CORRUPT[case], "utf-8")
    with pytest.raises(ManifestError) as caught:
        load_identity(tmp_path, FINGERPRINT_A)
    assert str(path) in str(caught.value)
    assert path.read_text("utf-8") == CORRUPT[case]  # left as it was


def test_a_fingerprint_that_is_not_a_digest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="SHA-256"):
        load_identity(tmp_path, "not a digest")
    assert not (tmp_path / IDENTITY_FILE).exists()


def test_versions_are_four_numbers_within_sixteen_bits() -> None:
    assert manifest_version(7, "2.3.4") == "2.3.4.7"
    assert manifest_version(1, "1.0") == "1.0.0.1"
    assert manifest_version(1, "0.2.0rc1") == "0.2.0.1"
    with pytest.raises(ManifestError):
        manifest_version(65536, "0.1.0")
    with pytest.raises(ManifestError):
        render_manifest(BASE, KEY, ManifestIdentity(IDENTITY.id, "1.2.3.4.5"))
    with pytest.raises(ManifestError):
        render_manifest(BASE, KEY, ManifestIdentity("not-a-guid", "1.0.0.1"))


@pytest.mark.parametrize(
    ("script", "constant"),
    [
        ("addin/outlook/outlook.js", "NOTIFICATION_ICON"),
        ("addin/outlook/launchevent.js", "ICON_ID"),
    ],
)
def test_notification_icons_of_the_add_in_are_defined_in_the_manifest(
    script: str, constant: str
) -> None:
    """Outlook refuses an informational notification whose icon is not a manifest image."""
    found = re.search(rf'\b{constant} = "([^"]+)"', (ROOT / script).read_text("utf-8"))
    assert found, f"{constant} not found in {script}"
    root = ET.fromstring(render())  # noqa: S314 - our own output
    image_ids = {
        e.get("id") for e in root.iter() if e.tag.endswith("}Image") and e.get("id") is not None
    }
    assert found.group(1) in image_ids


def test_without_recording_nothing_is_written_and_the_version_is_the_next_one(
    tmp_path: Path,
) -> None:
    with pytest.raises(ManifestError, match="no id yet"):
        load_identity(tmp_path, FINGERPRINT_A, record=False)
    assert not (tmp_path / IDENTITY_FILE).exists()
    first = load_identity(tmp_path, FINGERPRINT_A)
    saved = (tmp_path / IDENTITY_FILE).read_bytes()
    assert load_identity(tmp_path, FINGERPRINT_A, record=False) == first
    preview = load_identity(tmp_path, FINGERPRINT_B, record=False)
    assert preview.id == first.id and preview.version.endswith(".2")
    assert load_identity(tmp_path, FINGERPRINT_B, record=False) == preview
    assert (tmp_path / IDENTITY_FILE).read_bytes() == saved
    assert load_identity(tmp_path, FINGERPRINT_B) == preview  # what recording then gives


# ----------------------------------------------------------------- sign-in

CLIENT_ID = "0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36"


def test_with_sign_in_the_manifest_names_the_app_registration_and_carries_no_key() -> None:
    sign_in = sign_in_for(BASE, CLIENT_ID)
    xml = render_manifest(BASE, None, IDENTITY, sign_in)
    assert check_manifest(xml) == []
    root = parse(xml)
    info = v11(root).find(q(NS_VO_1_1, "WebApplicationInfo"))
    assert info is not None
    # After <Resources>, as the schema orders VersionOverrides' children.
    names = [local(c.tag) for c in v11(root)]
    assert names.index("WebApplicationInfo") == names.index("Resources") + 1
    assert info.findtext(q(NS_VO_1_1, "Id")) == CLIENT_ID
    assert info.findtext(q(NS_VO_1_1, "Resource")) == f"api://caveat.example.com/{CLIENT_ID}"
    scopes = [e.text for e in info.iter(q(NS_VO_1_1, "Scope"))]
    assert scopes == ["openid", "profile"]
    assert not any("key=" in url for url in urls_in(root))
    assert b"local demo only" not in xml


def test_the_resource_keeps_a_port_and_may_be_given() -> None:
    assert sign_in_for("https://mail.example.org:8443/caveat", CLIENT_ID).resource == (
        f"api://mail.example.org:8443/{CLIENT_ID}"
    )
    assert sign_in_for(BASE, CLIENT_ID.upper(), f"api://{CLIENT_ID}").resource == (
        f"api://{CLIENT_ID}"
    )


@pytest.mark.parametrize(
    ("client_id", "resource"),
    [
        ("not-a-guid", None),
        ("", None),
        (CLIENT_ID, "https://caveat.example.com/" + CLIENT_ID),
        (CLIENT_ID, "api://caveat.example.com/11111111-2222-3333-4444-555555555555"),
        (CLIENT_ID, "api://caveat.example.com/x/" + CLIENT_ID),
    ],
)
def test_an_unusable_client_id_or_resource_is_refused(client_id: str, resource: str | None) -> None:
    with pytest.raises(ManifestError):
        sign_in_for(BASE, client_id, resource)


def test_sign_in_and_a_key_together_are_refused() -> None:
    with pytest.raises(ManifestError, match="no key"):
        render_manifest(BASE, KEY, IDENTITY, sign_in_for(BASE, CLIENT_ID))


def test_the_demo_manifest_says_it_is_for_a_local_demo_only() -> None:
    xml = render(BASE, KEY)
    assert xml.index(b"local demo only") < xml.index(b"<OfficeApp")
    assert check_manifest(xml) == []


def test_the_check_refuses_a_broken_web_application_info_and_a_key_beside_it() -> None:
    good = render_manifest(BASE, None, IDENTITY, sign_in_for(BASE, CLIENT_ID))
    bad_id = good.replace(f"<Id>{CLIENT_ID}</Id>".encode(), b"<Id>someone</Id>")
    assert any("Id is not a GUID" in p for p in check_manifest(bad_id))
    bad_resource = good.replace(f"api://caveat.example.com/{CLIENT_ID}".encode(), b"api://x/y")
    assert any("Resource must be" in p for p in check_manifest(bad_resource))
    no_scope = re.sub(rb"<Scopes>.*?</Scopes>", b"<Scopes />", good, flags=re.S)
    assert any("no <Scopes><Scope>" in p for p in check_manifest(no_scope))
    keyed = good.replace(b"/addin/outlook/taskpane.html", b"/addin/outlook/taskpane.html?key=k")
    assert any("must carry no key" in p for p in check_manifest(keyed))


def test_the_sign_in_manifest_is_another_content_than_the_demo() -> None:
    sign_in = sign_in_for(BASE, CLIENT_ID)
    assert content_fingerprint(BASE, None, sign_in) != content_fingerprint(BASE, None)
    assert content_fingerprint(BASE, None, sign_in) == content_fingerprint(BASE, None, sign_in)
