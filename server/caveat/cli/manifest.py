"""``caveat manifest``: the Outlook add-in manifest of this deployment, ready to upload.

With sign-in configured (``IDENTITY_CLIENT_ID``, the app registration's client id), the
manifest names the app registration (``<WebApplicationInfo>``: the client id, the
application ID URI ``api://<host>/<client id>`` or ``--resource``, the scopes) and carries no
key: each person's calls carry their own token. ``--key`` and ``--new-key`` are refused then.

Without it (the local demo), the manifest carries an analyze-only API key in its page URLs
(see :mod:`caveat.clients.outlook_manifest`) and a comment that it is for a local demo only.
The key comes from ``--key``, else ``CAVEAT_ADDIN_KEY``; ``--new-key`` creates one named
``outlook-addin`` instead. A given key must be an active, non-admin key of that store: a
manifest that every mailbox receives must not carry a key that can change the partner
directory.

The add-in's id and version are kept in the instance folder. Writing the manifest to a file
(``--out``) is what records them: the first time it creates the id, and later a changed
content raises the version, which is what Microsoft 365 needs to accept the upload as an
update; the same input writes the same file. Printing it (no ``--out``) is a preview: it
creates nothing, neither a key nor an id nor a version.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from caveat.clients.outlook_manifest import (
    IDENTITY_FILE,
    ManifestError,
    SignIn,
    check_manifest,
    content_fingerprint,
    has_identity,
    load_identity,
    normalise_base_url,
    render_manifest,
    sign_in_for,
    write_atomically,
)
from caveat.service.settings import SettingsError, load_settings
from caveat.storage.store import StorageError, Store

from .common import add_db_option, addin_key_problem, open_store

PROG = "caveat manifest"
KEY_ENV = "CAVEAT_ADDIN_KEY"
KEY_NAME = "outlook-addin"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "manifest",
        help="write the Outlook add-in manifest for this deployment",
        description="Write the Outlook add-in manifest (XML) that administrators upload to "
        "the Microsoft 365 admin center. Its id and version are kept in the instance "
        "folder and recorded only when the manifest is written with --out: the same input "
        "gives the same file, any change a higher version. Without --out the manifest is "
        "printed as a preview and nothing is created or recorded.",
    )
    p.add_argument(
        "--base-url",
        required=True,
        metavar="URL",
        help="the https address at which Outlook reaches this service, "
        "e.g. https://caveat.example.com",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--key",
        metavar="KEY",
        default=None,
        help=f"the analyze-only API key to embed (default: ${KEY_ENV})",
    )
    which.add_argument(
        "--new-key",
        action="store_true",
        help=f"create a new analyze-only API key named {KEY_NAME} and embed it",
    )
    p.add_argument(
        "--resource",
        metavar="URI",
        default=None,
        help="with sign-in configured: the application ID URI the app registration exposes "
        "(default: api://<host of --base-url>/<IDENTITY_CLIENT_ID>)",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        default=None,
        help="write the manifest to FILE (replaced atomically) and record its id and version; "
        "without it, print a preview to stdout",
    )
    add_db_option(p, _DB_HELP)
    p.set_defaults(func=run)


def _fail(err: TextIO, message: str) -> int:
    print(f"{PROG}: {message}", file=err)
    return 2


def _write_stdout(xml: bytes) -> None:
    stream = sys.stdout
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(xml)
        buffer.flush()
    else:
        stream.write(xml.decode("utf-8"))
        stream.flush()


NO_KEY = (
    f"no key to embed: pass --key KEY or set {KEY_ENV} (an analyze-only key of this store, "
    f"see `caveat keys list`), or give --new-key to create one"
)


def _key_for(store: Store, given: str | None, source: str) -> tuple[str | None, str]:
    """The key to embed and what to tell the administrator about it; (None, message) when
    the given key cannot be used. ``given`` None means --new-key."""
    if given is None:
        record, key = store.create_key(KEY_NAME, admin=False)
        return key, (
            f"Created API key {record.id} ({record.name}, prefix {record.prefix}) and "
            "embedded it in the manifest. Pass the same key with --key or "
            f"{KEY_ENV} when you regenerate the manifest; revoke it with "
            f"`caveat keys revoke {record.id}` once this manifest is retired."
        )
    if not given:
        return None, f"{source} is empty"
    found, problem = addin_key_problem(
        store,
        given,
        source,
        f"create one with `caveat keys create {KEY_NAME}`, or give --new-key instead",
    )
    if found is None:
        return None, problem
    return given, f"Embedded API key {found.id} ({found.name}, prefix {found.prefix})."


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        base = normalise_base_url(args.base_url)
    except ManifestError as exc:
        return _fail(err, str(exc))
    out: Path | None = args.out
    if out is not None and (out.is_dir() or not out.absolute().parent.is_dir()):
        return _fail(err, f"cannot write {out}: not a file in an existing folder")
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(err, str(exc))
    instance = Path(settings["INSTANCE_PATH"])
    client_id = settings.get("IDENTITY_CLIENT_ID")
    if client_id:
        if args.new_key or args.key is not None:
            return _fail(
                err,
                "sign-in is configured (IDENTITY_CLIENT_ID): the manifest carries no key, "
                "each person's calls carry their own token; leave out --key and --new-key",
            )
        try:
            sign_in = sign_in_for(base, str(client_id), args.resource)
        except ManifestError as exc:
            return _fail(err, f"IDENTITY_CLIENT_ID or --resource: {exc}")
        return _emit(err, instance, base, None, sign_in, out)
    if args.resource is not None:
        return _fail(err, "--resource needs sign-in configured (IDENTITY_CLIENT_ID)")

    if args.new_key:
        given, source = None, "--new-key"
    elif args.key is not None:
        given, source = args.key, "--key"
    elif KEY_ENV in os.environ:
        given, source = os.environ[KEY_ENV].strip(), KEY_ENV
    else:
        return _fail(err, NO_KEY)
    recording = out is not None
    try:
        store = open_store(args.db)
    except (SettingsError, StorageError) as exc:
        return _fail(err, str(exc))
    try:
        if given is not None:  # a given key is checked first: it is the likelier mistake
            key, note = _key_for(store, given, source)
            if key is None:
                return _fail(err, note)
        if not recording and not has_identity(instance):
            return _fail(
                err,
                f"this deployment's add-in has no id yet ({instance / IDENTITY_FILE}): write "
                "the first manifest with --out FILE, which creates it (nothing was created)",
            )
        if given is None:
            key, note = _key_for(store, None, source)
    except (StorageError, ValueError, ManifestError) as exc:
        return _fail(err, str(exc))
    finally:
        store.dispose()
    assert key is not None
    print(note, file=err)
    print(
        "This manifest is for a local demo only: every mailbox it reaches can read and use "
        "its key. Configure sign-in for a deployment (docs/identity.md).",
        file=err,
    )
    return _emit(err, instance, base, key, None, out)


def _emit(
    err: TextIO,
    instance: Path,
    base: str,
    key: str | None,
    sign_in: SignIn | None,
    out: Path | None,
) -> int:
    """Render, check and write (or preview) the manifest."""
    recording = out is not None
    try:
        known = has_identity(instance)
    except ManifestError as exc:
        return _fail(err, str(exc))
    if not recording and not known:
        return _fail(
            err,
            f"this deployment's add-in has no id yet ({instance / IDENTITY_FILE}): write "
            "the first manifest with --out FILE, which creates it (nothing was created)",
        )
    try:
        fingerprint = content_fingerprint(base, key, sign_in)
        identity = load_identity(instance, fingerprint, record=recording)
        xml = render_manifest(base, key, identity, sign_in)
    except ManifestError as exc:
        return _fail(err, str(exc))
    problems = check_manifest(xml)
    if problems:  # a defect of this program, not of the input
        print(f"{PROG}: the generated manifest is invalid:", file=err)
        for problem in problems:
            print(f"  {problem}", file=err)
        return 1

    if out is not None:
        try:
            write_atomically(out, xml)
        except OSError as exc:
            return _fail(err, f"cannot write {out}: {exc.strerror or exc}")
        print(
            f"Wrote {out}: add-in id {identity.id}, version {identity.version}, for {base}"
            + (f", signing people in as {sign_in.client_id}." if sign_in else "."),
            file=err,
        )
    else:
        _write_stdout(xml)
        print(
            f"Preview: add-in id {identity.id}, version {identity.version}, for {base}. "
            "Nothing was recorded; --out FILE writes it and records the version.",
            file=err,
        )
    return 0
