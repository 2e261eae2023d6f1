"""``caveat thunderbird-xpi``: the Thunderbird extension as an XPI to install or push.

Without ``--base-url`` the XPI is generic: each user enters the service's address in the
extension's options. With it, the XPI names the service (and asks Thunderbird for that
origin only).

When this service signs people in (``IDENTITY_ISSUER`` is set), each person signs in from
the extension with the organisation's identity provider, the XPI carries no key (``--key``
and ``CAVEAT_ADDIN_KEY`` are refused), a deployment build also asks for the provider's
origin, and the command prints the redirect URI to register with the provider. Without
sign-in (the local demo), ``--key`` (or ``CAVEAT_ADDIN_KEY``) puts a key in the XPI, which
must be an active, non-admin key of the store, as for the Outlook manifest.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from caveat.clients.outlook_manifest import write_atomically
from caveat.clients.thunderbird_xpi import (
    Deployment,
    XpiError,
    build_xpi,
    redirect_url,
    service_url,
    sign_in_origins,
)
from caveat.service.settings import SettingsError, load_settings
from caveat.storage.store import StorageError

from .common import add_db_option, addin_key_problem, open_store

PROG = "caveat thunderbird-xpi"
KEY_ENV = "CAVEAT_ADDIN_KEY"
DEFAULT_OUT = Path("dist") / "caveat-thunderbird.xpi"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "thunderbird-xpi",
        help="build the Thunderbird extension (XPI), generic or for this deployment",
        description="Build the Thunderbird extension as an XPI file. Without --base-url "
        "users enter the service's address and key in the extension's options; with it "
        "the extension is preconfigured for this deployment.",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help="the https address at which Thunderbird reaches this service, "
        "e.g. https://caveat.example.com (http only on loopback)",
    )
    p.add_argument(
        "--key",
        metavar="KEY",
        default=None,
        help=f"for a service without sign-in (the local demo) only: an analyze-only API key "
        f"to embed (default: ${KEY_ENV} when set; otherwise users enter their key in the "
        "options); refused when IDENTITY_ISSUER is set, as each person signs in then",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write the XPI (default: {DEFAULT_OUT})",
    )
    add_db_option(p, "where --key is checked; default: DATABASE_URL")
    p.set_defaults(func=run)


def _fail(err: TextIO, message: str) -> int:
    print(f"{PROG}: {message}", file=err)
    return 2


def _check_key(db: str | None, key: str, source: str) -> str | None:
    """None when ``key`` may be embedded, else why not."""
    try:
        store = open_store(db)
    except (SettingsError, StorageError) as exc:
        return str(exc)
    try:
        found, problem = addin_key_problem(
            store, key, source, "create one with `caveat keys create thunderbird-addin`"
        )
    except StorageError as exc:
        return str(exc)
    finally:
        store.dispose()
    return problem if found is None else None


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    out: Path = args.out
    if out.is_dir():
        return _fail(err, f"cannot write {out}: it is a folder")
    base: str | None = None
    if args.base_url is not None:
        try:
            base = service_url(args.base_url)
        except XpiError as exc:
            return _fail(err, str(exc))

    try:
        origins = sign_in_origins(dict(load_settings()))
    except SettingsError as exc:
        return _fail(err, str(exc))

    if args.key is not None:
        key, source = args.key.strip(), "--key"
    elif os.environ.get(KEY_ENV, "").strip():
        key, source = os.environ[KEY_ENV].strip(), KEY_ENV
    else:
        key, source = "", ""
    if origins is not None and (key or args.key is not None):
        return _fail(
            err,
            f"this service signs people in (IDENTITY_ISSUER is set): the XPI carries no key "
            f"and each person signs in from the extension; drop {source or '--key'} (a key in "
            "the XPI is for the local demo without sign-in only)",
        )
    if key:
        if base is None:
            return _fail(err, f"a key ({source}) needs --base-url: it is for one deployment")
        problem = _check_key(args.db, key, source)
        if problem:
            return _fail(err, problem)
    elif args.key is not None:
        return _fail(err, "--key is empty")

    try:
        data = build_xpi(
            Deployment(
                base_url=base,
                api_key=key or None,
                sign_in_origins=origins if base is not None and origins else (),
            )
        )
    except XpiError as exc:
        return _fail(err, str(exc))
    try:
        write_atomically(out, data)
    except OSError as exc:
        return _fail(err, f"cannot write {out}: {exc.strerror or exc}")
    if origins is not None:
        where = "generic: users enter the address in its options" if base is None else f"for {base}"
        print(f"Wrote {out} ({len(data)} bytes), {where}; each person signs in.", file=err)
        print(
            f"Register this redirect URI with the identity provider (Entra ID: as a "
            f"single-page application redirect URI): {redirect_url()}",
            file=err,
        )
        return 0
    if base is None:
        what = "generic: users enter the address and key in its options"
    else:
        what = f"for {base}" + (", with its key" if key else ", users enter their key")
    print(f"Wrote {out} ({len(data)} bytes), {what}.", file=err)
    return 0
