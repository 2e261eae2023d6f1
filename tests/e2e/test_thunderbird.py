"""The Thunderbird extension in a real Thunderbird: Debian's ESR, headless, with a throw-away
profile that has the XPI installed, opening the seed's messages as .eml files.

What is asserted is what a user would see, read back from the running programs: the
service's test endpoints (``caveat.web.testing``, on only for this service) record each
analyze call it answered and what the extension's display script actually inserted at the
top of the message, read back from the message's page. The test build of the XPI names
that read-back URL; a normal build has none.

Thunderbird comes from ``scripts/ensure-thunderbird`` (run by ``make test``). Without it
the tests skip, unless ``CAVEAT_TEST_THUNDERBIRD=required`` (as ``make test`` sets), which
makes them fail. Thunderbird is always stopped by its process id (its whole process group),
whatever happens in the test. Its output goes to ``test-artifacts/thunderbird/``.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest

from caveat.clients.thunderbird_xpi import EXTENSION_ID, Deployment, build_xpi
from tests.live_service import free_port as _free_port

from .conftest import FIXTURES, ROOT, Service, start_service

SEED = FIXTURES / "seed"
FAKE_REPLY = SEED / "02-fake-reply-via-relay.eml"
REAL_REPLY = SEED / "05-real-reply-partner-b.eml"
REQUIRED = os.environ.get("CAVEAT_TEST_THUNDERBIRD", "").strip().lower() == "required"
#: How long one Thunderbird run may take to show its verdict (a cold profile starts slowly
#: on a busy 2-core machine); the run ends as soon as the verdict is in.
RUN_SECONDS = 150

#: A profile that starts straight into the message: no account wizard, no default-client
#: question, no start page, no updates or telemetry, and the XPI in the profile enabled
#: without asking (autoDisableScopes=0). Signing and host permissions are left at
#: Thunderbird's defaults, as on a user's machine: an unsigned XPI loads, and the
#: deployment build's host permission is granted at installation.
PREFS = {
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "extensions.update.enabled": False,
    "app.update.disabledForTesting": True,
    "mail.shell.checkDefaultClient": False,
    "mailnews.start_page.enabled": False,
    "mail.provider.suppress_dialog_on_startup": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "devtools.console.stdout.chrome": True,
    "devtools.console.stdout.content": True,
}


def thunderbird_path() -> str | None:
    for candidate in (os.environ.get("CAVEAT_THUNDERBIRD"), "/usr/bin/thunderbird"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("thunderbird")


@pytest.fixture(scope="module")
def thunderbird() -> str:
    path = thunderbird_path()
    if path is None:
        why = "Thunderbird is not installed (scripts/ensure-thunderbird installs it)"
        if REQUIRED:
            pytest.fail(f"Thunderbird tests required but {why}", pytrace=False)
        pytest.skip(why)
    return path


@pytest.fixture(scope="module")
def artifacts() -> Path:
    base = Path(os.environ.get("CAVEAT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    folder = base / "thunderbird"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("tb-service"), extra_env={"CAVEAT_TEST_ENDPOINTS": "true"}
    )
    yield svc
    svc.stop()


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback
        return json.load(r)


def message_id(path: Path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return str(msg["Message-ID"]).strip().strip("<>").lower()


def make_profile(folder: Path, xpi: bytes) -> Path:
    profile = folder / "profile"
    (profile / "extensions").mkdir(parents=True)
    (profile / "extensions" / f"{EXTENSION_ID}.xpi").write_bytes(xpi)
    lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in PREFS.items()]
    (profile / "user.js").write_text("\n".join(lines) + "\n", "utf-8")
    return profile


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Thunderbird and its child processes by their process group id, always."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived the main process
    except ProcessLookupError:
        pass
    process.wait(timeout=20)


def open_in_thunderbird(
    binary: str, profile: Path, eml: Path, log: Path, done: Callable[[], bool]
) -> bool:
    """Start Thunderbird on ``eml``; True once ``done()`` holds, False if it never did."""
    env = dict(os.environ, MOZ_HEADLESS="1", HOME=str(profile.parent))
    with log.open("ab") as out:
        out.write(f"\n=== {eml.name}\n".encode())
        out.flush()
        process = subprocess.Popen(
            [binary, "--headless", "--no-remote", "--profile", str(profile), "-file", str(eml)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    try:
        deadline = time.monotonic() + RUN_SECONDS
        while time.monotonic() < deadline:
            if done():
                return True
            if process.poll() is not None:
                return done()
            time.sleep(0.5)
        return done()
    finally:
        stop(process)


def events_for(service: Service, mid: str) -> list[dict[str, Any]]:
    events = _get(f"{service.url}/test/display-events")["events"]
    return [e for e in events if e["internet_message_id"].strip("<>").lower() == mid]


def calls_for(service: Service, mid: str) -> list[dict[str, Any]]:
    return [c for c in _get(f"{service.url}/test/analyze-calls")["calls"] if c["message_id"] == mid]


@pytest.fixture(scope="module")
def profile(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Path:
    xpi = build_xpi(
        Deployment(
            base_url=service.url,
            api_key=service.key,
            display_report_url=f"{service.url}/test/display-events",
        )
    )
    return make_profile(tmp_path_factory.mktemp("tb"), xpi)


def display_of(
    thunderbird: str, profile: Path, eml: Path, service: Service, artifacts: Path, name: str
) -> dict[str, Any]:
    """Open ``eml`` in Thunderbird until its display script reports; that last report, also
    saved as ``<name>-display.json`` beside Thunderbird's log."""
    mid = message_id(eml)
    log = artifacts / "thunderbird.log"
    shown = open_in_thunderbird(
        thunderbird, profile, eml, log, lambda: bool(events_for(service, mid))
    )
    assert shown, f"no display report for {eml.name}; see {log}"
    event = events_for(service, mid)[-1]
    (artifacts / f"{name}-display.json").write_text(json.dumps(event, indent=2), "utf-8")
    return event


def test_the_fake_reply_is_analysed_and_gets_a_danger_banner(
    thunderbird: str, service: Service, profile: Path, artifacts: Path
) -> None:
    event = display_of(thunderbird, profile, FAKE_REPLY, service, artifacts, "fake-reply")
    calls = calls_for(service, message_id(FAKE_REPLY))
    assert len(calls) == 1, calls  # one analysis per displayed message
    call = calls[0]
    assert call["from"] == "finance-person@partnerb.example"
    # The extension sent the message's own header block, trace and authentication included.
    for name in ("received", "authentication-results", "reply-to", "from", "message-id"):
        assert name in call["header_names"], call["header_names"]
    assert call["level"] == "danger"
    assert event["level"] == "danger"
    assert event["shown"] is True
    assert event["text"].strip(), "the banner read back from the message page is empty"


def test_a_legitimate_reply_gets_no_banner(
    thunderbird: str, service: Service, profile: Path, artifacts: Path
) -> None:
    event = display_of(thunderbird, profile, REAL_REPLY, service, artifacts, "real-reply")
    assert len(calls_for(service, message_id(REAL_REPLY))) == 1
    assert event == {
        "internet_message_id": event["internet_message_id"],
        "level": "none",
        "shown": False,
        "text": "",
    }


def test_an_unreachable_service_shows_could_not_check(
    thunderbird: str, service: Service, tmp_path: Path, artifacts: Path
) -> None:
    """The extension's service is down (nothing listens on its port); the read-back still
    goes to the test service, which shows the reader was warned, not left with silence."""
    closed = f"http://127.0.0.1:{_free_port()}"
    xpi = build_xpi(
        Deployment(
            base_url=closed,
            api_key=service.key,
            display_report_url=f"{service.url}/test/display-events",
        )
    )
    eml = SEED / "01-reminder-from-colleague.eml"
    event = display_of(
        thunderbird, make_profile(tmp_path, xpi), eml, service, artifacts, "unreachable"
    )
    assert event["level"] == "unknown"
    assert event["shown"] is True
    assert "Caveat could not check this message" in event["text"]
    assert calls_for(service, message_id(eml)) == []


HOSTILE_HTML = """\
<html><head><style>
caveat-banner, body > :first-child, body > * {
  display: none !important; visibility: hidden !important; opacity: 0 !important;
}
</style></head><body>
<caveat-banner>Caveat checked this message: it is safe</caveat-banner>
<p>Hello Anna,</p>
<p>our bank details have changed; the updated account is attached.
Kindly use it for this and future payments.</p>
</body></html>
"""


def hostile_copy(folder: Path) -> Path:
    """The seed's fake reply as HTML whose style sheet hides the first element of the body
    and anything named like Caveat's banner, with a fake "safe" banner of its own."""
    head, _, _ = FAKE_REPLY.read_bytes().partition(b"\n\n")
    head = head.replace(
        b"<20241106123140.8f3a1c2b@relay.mailrelay-host.example>",
        b"<20241106123141.hostile-css@relay.mailrelay-host.example>",
    ).replace(
        b'Content-Type: text/plain; charset="utf-8"', b'Content-Type: text/html; charset="utf-8"'
    )
    path = folder / "hostile-css-fake-reply.eml"
    path.write_bytes(head + b"\n\n" + HOSTILE_HTML.encode())
    return path


def test_the_messages_own_styles_cannot_hide_the_banner_or_fake_one(
    thunderbird: str, service: Service, profile: Path, artifacts: Path, tmp_path: Path
) -> None:
    eml = hostile_copy(tmp_path)
    event = display_of(thunderbird, profile, eml, service, artifacts, "hostile-css")
    assert event["level"] == "danger"
    # Read back from the page: the banner's computed style is still visible.
    assert event["shown"] is True
    assert "safe" not in event["text"]
    assert calls_for(service, message_id(eml))[0]["level"] == "danger"
