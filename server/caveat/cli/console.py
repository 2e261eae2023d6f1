"""``caveat console``: the admin console's first-run sign-in.

    caveat console link [--minutes 15] [--url BASE] [--db URL]

``link`` prints a one-time URL, ``<BASE>/admin/link/<token>``, that signs its opener in to
the console as an administrator, once, within ``--minutes`` (15 by default). It works with
or without an identity provider: the way in before one is set up, and when it fails.
BASE is ``--url``, else PUBLIC_URL, else ``https://localhost:8443`` (``caveat serve``'s
default). The store keeps only the token's hash; making and using a link are written to
the audit log.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from caveat.service.settings import SettingsError, load_settings
from caveat.storage.audit import Actor
from caveat.storage.console import ConsoleStore
from caveat.storage.store import Store

from .common import add_db_option, opened, operator, stops

PROG = "caveat console"
DEFAULT_BASE = "https://localhost:8443"
DEFAULT_MINUTES = 15
#: A link lasts a day at most: it is for the first sign-in, not a standing door.
MOST_MINUTES = 24 * 60


def _minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not 1 <= value <= MOST_MINUTES:
        raise argparse.ArgumentTypeError(f"between 1 and {MOST_MINUTES} minutes, not {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "console",
        help="the admin console: a one-time sign-in link",
        description="The admin console (/admin): make a one-time link that signs an "
        "administrator in, with or without an identity provider.",
    )
    actions = p.add_subparsers(dest="action_name", required=True, metavar="ACTION")
    ln = actions.add_parser("link", help="print a one-time sign-in link for an administrator")
    ln.add_argument(
        "--minutes",
        type=_minutes,
        default=DEFAULT_MINUTES,
        metavar="N",
        help=f"how long the link works (default {DEFAULT_MINUTES}, at most {MOST_MINUTES})",
    )
    ln.add_argument(
        "--url",
        metavar="BASE",
        help=f"the service's address (default: PUBLIC_URL, else {DEFAULT_BASE})",
    )
    add_db_option(ln, "default: DATABASE_URL, by default the SQLite file in the instance folder")
    ln.set_defaults(func=run_link)


def base_url(explicit: str | None, public_url: str | None) -> str:
    return (explicit or public_url or DEFAULT_BASE).rstrip("/")


def make_link(
    store: Store, base: str, *, minutes: int = DEFAULT_MINUTES, actor: Actor | None = None
) -> tuple[str, datetime]:
    """A new link's URL under ``base`` and when it lapses."""
    now = datetime.now(UTC)
    token = ConsoleStore(store).create_link(
        created_by=actor or operator(), now=now, lifetime=timedelta(minutes=minutes)
    )
    return f"{base.rstrip('/')}/admin/link/{token}", now + timedelta(minutes=minutes)


@stops
def run_link(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.url is not None and not args.url.startswith(("https://", "http://")):
        print(f"{PROG}: --url must start with https:// (or http://), got {args.url!r}", file=err)
        return 2
    try:
        settings = load_settings({"DATABASE_URL": args.db} if args.db else {})
    except SettingsError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    base = base_url(args.url, settings["PUBLIC_URL"])
    with opened(args.db, PROG, err) as store:
        url, until = make_link(store, base, minutes=args.minutes)
    out.write(
        f"One-time sign-in link for the admin console (an administrator's session; works "
        f"once, until {until:%Y-%m-%d %H:%M} UTC):\n  {url}\n"
    )
    return 0
