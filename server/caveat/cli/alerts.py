"""``caveat alerts test``: send a test event (``alert.test``) to every configured alert
destination (ALERT_WEBHOOK_URL, ALERT_SYSLOG) and say what each answered.

Each destination gets one attempt, without the retries real events have, so the answer is
quick and says what is wrong: ``webhook: HTTP 401`` (the receiver refused the signature?),
``syslog: ConnectionRefusedError``. Exit code 0 when every destination took the event, 1
when one did not, 2 when none is configured or a setting is wrong. A syslog receiver over
UDP answers nothing: ``sent`` means the line left this machine.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO
from urllib.parse import urlsplit

from caveat.service.alerts import AlertConfigError, from_settings
from caveat.service.settings import SettingsError, load_settings
from caveat.storage.audit import Actor

PROG = "caveat alerts"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "alerts",
        help="check the alert destinations (webhook, syslog)",
        description="Alerts out: confirmed fraud, denied verifications and policy "
        "violations at danger go to the configured webhook and syslog (docs/alerts.md).",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = actions.add_parser("test", help="send a test event to every destination")
    t.set_defaults(func=run_test)


def run_test(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        settings = load_settings()
        alerts = from_settings(settings)
    except (SettingsError, AlertConfigError) as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    if not alerts.configured:
        print(
            f"{PROG}: no destination is configured (set ALERT_WEBHOOK_URL with "
            "ALERT_WEBHOOK_SECRET, or ALERT_SYSLOG)",
            file=err,
        )
        return 2
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = "unknown"
    failed = 0
    for name, answer in alerts.send_test(Actor.command_line(login)):
        url = getattr(next(d for d in alerts.destinations if d.name == name), "url", "")
        parts = urlsplit(url)
        where = f"{parts.scheme}://{parts.netloc}"  # a webhook's path may hold a token
        state = "ok" if answer.ok else "FAILED"
        out.write(f"{name} {where}: {state} ({answer.detail})\n")
        failed += not answer.ok
    alerts.close(0)
    return 1 if failed else 0
