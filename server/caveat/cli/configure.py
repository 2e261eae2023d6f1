"""``caveat configure``: write the settings a deployment cannot do without into the
instance file (``caveat.toml`` in the instance folder), or show them.

Without its own mail domains the service believes no Authentication-Results header and
takes colleagues for strangers (:mod:`caveat.service.notices`), so this is the first
thing an administrator runs. The file keeps everything else it holds, comments included;
only the settings named on the command line change. The running service reads the file at
start: restart it afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from caveat.service.notices import setup_notices
from caveat.service.settings import (
    ENV_PREFIX,
    INSTANCE_FILE,
    SettingsError,
    check_setting,
    engine_config,
    instance_path,
    load_settings,
    setting_sources,
)

PROG = "caveat configure"
#: What this command sets, in the order it shows them.
SHOWN = ("INTERNAL_DOMAINS", "TRUSTED_AUTHSERV_IDS", "TRUST_MICROSOFT", "PUBLIC_URL")

HEADER = """\
Caveat's settings for this deployment (see the README's Configuration section).
Written by `caveat configure`; edit by hand or run it again. CAVEAT_ environment
variables override what is here.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "configure",
        help="set the organisation's mail domains and trusted authserv-ids (or show them)",
        description="Write the settings a deployment needs into the instance file "
        f"({INSTANCE_FILE} in the instance folder), keeping the rest of the file. Without "
        "options, show what is set and where it comes from. Restart the service afterwards.",
    )
    p.add_argument(
        "--internal-domain",
        action="append",
        metavar="DOMAIN",
        help="one of the organisation's own mail domains (repeatable; replaces the list)",
    )
    p.add_argument(
        "--trust-authserv-id",
        action="append",
        metavar="ID",
        help="an authserv-id whose Authentication-Results are ours: the first word of the "
        "header your own mail servers add (repeatable; replaces the list; those under an "
        "internal domain are trusted anyway)",
    )
    ms = p.add_mutually_exclusive_group()
    ms.add_argument(
        "--trust-microsoft",
        dest="trust_microsoft",
        action="store_const",
        const=True,
        help="trust Exchange Online's unlabelled Authentication-Results (Microsoft 365 tenants)",
    )
    ms.add_argument(
        "--no-trust-microsoft",
        dest="trust_microsoft",
        action="store_const",
        const=False,
        help="stop trusting them",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the https address clients reach the service at, when a proxy hides it",
    )
    p.set_defaults(func=run)


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line sets, checked as the service will read them."""
    given: dict[str, Any] = {}
    if args.internal_domain is not None:
        given["INTERNAL_DOMAINS"] = [d.strip().lower().rstrip(".") for d in args.internal_domain]
    if args.trust_authserv_id is not None:
        given["TRUSTED_AUTHSERV_IDS"] = [a.strip().lower() for a in args.trust_authserv_id]
    if args.trust_microsoft is not None:
        given["TRUST_MICROSOFT"] = args.trust_microsoft
    if args.public_url is not None:
        given["PUBLIC_URL"] = args.public_url
    flags = {
        "INTERNAL_DOMAINS": "--internal-domain",
        "TRUSTED_AUTHSERV_IDS": "--trust-authserv-id",
        "PUBLIC_URL": "--public-url",
    }
    out = {}
    for name, value in given.items():
        out[name] = check_setting(name, value, flags.get(name, name))
    if out.get("INTERNAL_DOMAINS") == []:
        raise SettingsError("--internal-domain: give at least one domain")
    return out


def _read(path: Path) -> tomlkit.TOMLDocument:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        doc = tomlkit.document()
        for line in HEADER.splitlines():
            doc.add(tomlkit.comment(line))
        doc.add(tomlkit.nl())
        return doc
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the instance file: {exc}") from None
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None


def _set(doc: tomlkit.TOMLDocument, name: str, value: Any) -> None:
    """Set ``name`` at the top of the document, replacing it whatever its case."""
    for key in list(doc.keys()):
        if key.upper() == name and not isinstance(doc[key], Table):
            del doc[key]
    if value is None:
        return
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(value)
        value = array
    # Top-level keys must come before the first table to stay top-level.
    tables = [k for k in doc.keys() if isinstance(doc[k], Table)]
    if tables:
        raise SettingsError(
            f"the instance file has a [{tables[0]}] table; Caveat's settings are top-level "
            "keys only: remove the table"
        )
    doc[name] = value


def _write(path: Path, text: str) -> None:
    """Replace ``path`` atomically (readers see the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return "(not set)" if value is None else str(value)


def _report(out: TextIO) -> None:
    settings = load_settings()
    sources = setting_sources()
    width = max(len(n) for n in SHOWN)
    shown = {name: _show(settings[name]) for name in SHOWN}
    value_width = max(len(v) for v in shown.values())
    for name in SHOWN:
        out.write(f"  {name:<{width}}  {shown[name]:<{value_width}}  [{sources[name]}]\n")
    notices = setup_notices(engine_config(settings))
    for notice in notices:
        out.write(f"\nNot yet set up: {notice.message}\n")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        changes = _changes(args)
        path = instance_path() / INSTANCE_FILE
        if changes:
            doc = _read(path)
            for name, value in changes.items():
                _set(doc, name, value)
            text = tomlkit.dumps(doc).rstrip("\n") + "\n"
            # What the service will read back must load: check before replacing the file.
            with tempfile.TemporaryDirectory() as probe:
                Path(probe, INSTANCE_FILE).write_text(text, "utf-8")
                load_settings({"INSTANCE_PATH": probe})
            _write(path, text)
            out.write(f"Wrote {path}.\n")
        else:
            out.write(f"Settings of {instance_path()} (instance file {INSTANCE_FILE}):\n")
        _report(out)
    except SettingsError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    except OSError as exc:
        print(f"{PROG}: cannot write {path}: {exc.strerror or exc}", file=err)
        return 2
    overridden = [n for n in changes if ENV_PREFIX + n in os.environ]
    if overridden:
        names = ", ".join(ENV_PREFIX + n for n in overridden)
        out.write(f"Note: {names} in the environment override the file.\n")
    if changes:
        out.write("Restart the service (`make run`, or your gunicorn unit) to use them.\n")
    return 0
