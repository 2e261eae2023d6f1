"""``caveat serve``: run the HTTP service under gunicorn, over HTTPS by default.

Before handing over to gunicorn it checks everything a worker would need (settings, the
catalogue, the database, which it migrates), so a mistake is reported here, once, instead
of by every worker that fails to boot. It then replaces itself with gunicorn (exec), passing
the settings on as ``CAVEAT_`` environment variables.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from caveat.engine.catalogue import CatalogueError
from caveat.service.alerts import is_loopback
from caveat.service.settings import SettingsError, environment, load_settings
from caveat.storage.store import StorageError, Store
from caveat.web.api.services import EXTENSION
from caveat.web.app import create_app
from caveat.web.metrics import MULTIPROC_ENV
from caveat.web.tls import ensure_self_signed

from .common import ADDIN_KEY_SCOPES, add_db_option, count
from .console import DEFAULT_MINUTES, make_link

PROG = "caveat serve"
DEMO_KEY_NAME = "demo"
#: What the demo key may do: what a mail client asks of the service.
DEMO_KEY_SCOPES = ADDIN_KEY_SCOPES
#: How long a demo key works; the next ``--demo`` start after that makes a new one.
DEMO_KEY_DAYS = 30
#: The demo key in clear, readable by its owner only, so that restarts keep it.
DEMO_KEY_FILE = "demo-key"
EXAMPLE_BODY = (
    '{"headers": "From: A <a@example.com>\\r\\nTo: b@example.org\\r\\nSubject: hello\\r\\n", '
    '"from": {"name": "A", "address": "a@example.com"}}'
)


def default_workers() -> int:
    """One worker per CPU this process may use (the work is CPU-bound), at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 1 and 65535, not {value}")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one worker")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "serve",
        help="run the HTTP service (gunicorn, HTTPS)",
        description="Migrate the database, then run the service under gunicorn. Without "
        "--certfile, a self-signed certificate for localhost is generated once into the "
        "instance folder.",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument("--port", type=_port, default=8443, help="port (default: %(default)s)")
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        metavar="N",
        help=f"worker processes (default: one per CPU, at most 8; here {default_workers()})",
    )
    add_db_option(p, "default: DATABASE_URL, by default the SQLite file in the instance folder")
    p.add_argument(
        "--demo",
        action="store_true",
        help=f"print a demo API key named {DEMO_KEY_NAME!r} (what a mail client may do: "
        f"{', '.join(sorted(DEMO_KEY_SCOPES))}; for {DEMO_KEY_DAYS} days) with an example "
        f"request: the one kept in the instance folder ({DEMO_KEY_FILE}), else a new one",
    )
    p.add_argument(
        "--new-demo-key",
        action="store_true",
        help="with --demo: revoke the demo key and make a new one",
    )
    tls = p.add_mutually_exclusive_group()
    tls.add_argument(
        "--no-tls",
        action="store_true",
        help="serve plain HTTP (Office add-ins will not load over it)",
    )
    tls.add_argument(
        "--certfile",
        type=Path,
        metavar="PEM",
        help="serve with this certificate (chain) instead of the generated one",
    )
    p.add_argument("--keyfile", type=Path, metavar="PEM", help="the private key of --certfile")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if (args.certfile is None) != (args.keyfile is None):
        print(f"{PROG}: --certfile and --keyfile go together", file=err)
        return 2
    try:
        plan = prepare(args, out)
    except (SettingsError, CatalogueError, StorageError, OSError) as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    argv, env = plan
    os.environ.update(env)
    out.flush()
    err.flush()
    os.execvp(argv[0], argv)  # noqa: S606 - fixed argv, no shell
    return 0  # not reached


def prepare(args: argparse.Namespace, out: TextIO) -> tuple[list[str], dict[str, str]]:
    """Check and migrate, make the demo key and the certificate, print what to do next, and
    return gunicorn's argv and the environment to add."""
    overrides = {"DATABASE_URL": args.db} if args.db else {}
    settings = load_settings(overrides)
    if not settings["PUBLIC_URL"] and not is_loopback(args.host):
        # Without it the service would take its own URL from the Host header of requests.
        raise SettingsError(
            f"listening on {args.host} needs PUBLIC_URL, the https URL clients reach the "
            "service at: caveat configure --public-url https://caveat.example.com "
            "(or CAVEAT_PUBLIC_URL); without it the service answers on loopback only"
        )
    # create_app logs the set-up notices; here they are printed below, once and plainly,
    # and gunicorn's master logs them again as it loads the app.
    app_log = logging.getLogger("caveat.web.app")
    level = app_log.level
    app_log.setLevel(logging.ERROR)
    try:
        app = create_app(overrides)  # validates the catalogue and migrates the database
    finally:
        app_log.setLevel(level)
    store: Store = app.extensions[EXTENSION].store
    notices = app.extensions[EXTENSION].notices
    instance = Path(settings["INSTANCE_PATH"])
    scheme = "http" if args.no_tls else "https"
    url = f"{scheme}://{_url_host(args.host)}:{args.port}/"
    try:
        demo_key = _demo_key(store, instance, out, renew=args.new_demo_key) if args.demo else None
        # The admin console's first-run way in: a one-time link for an administrator.
        link = make_link(store, settings["PUBLIC_URL"] or url)[0] if args.demo else None
    finally:
        store.dispose()

    tls_args: list[str] = []
    if not args.no_tls:
        if args.certfile is not None:
            cert, key = args.certfile.absolute(), args.keyfile.absolute()
            for path in (cert, key):
                if not path.is_file():
                    raise OSError(f"no such file: {path}")
        else:
            pair = ensure_self_signed(Path(settings["INSTANCE_PATH"]))
            cert, key = pair.cert, pair.key
            verb = "Generated" if pair.created else "Using"
            out.write(
                f"{verb} the self-signed certificate {cert} (localhost, 127.0.0.1, ::1; "
                f"valid until {pair.not_after:%Y-%m-%d}).\n"
            )
        tls_args = ["--certfile", str(cert), "--keyfile", str(key)]

    workers = args.workers or default_workers()
    out.write(f"Serving Caveat on {url} with {count(workers, 'worker')}; stop with Ctrl-C.\n")
    if args.host in ("0.0.0.0", "::"):  # noqa: S104 - reporting, not binding
        out.write(f"Listening on every interface of this machine ({args.host}).\n")
    if args.no_tls:
        out.write("Plain HTTP: Office add-ins load only over HTTPS.\n")
    curl = _curl_example(url, demo_key, insecure=scheme == "https" and args.certfile is None)
    out.write(f"Try it:\n  {curl}\n")
    if link is not None:
        console = (settings["PUBLIC_URL"] or url).rstrip("/") + "/admin/"
        out.write(
            f"Admin console: {console}\n"
            f"  one-time sign-in link (an administrator, {DEFAULT_MINUTES} minutes; "
            f"caveat console link makes another):\n  {link}\n"
        )
    for notice in notices:
        out.write(f"\nNOT SET UP: {notice.message}\n")

    argv = [
        *_gunicorn(),
        "--config",
        "python:caveat.web.gunicorn_conf",
        "--workers",
        str(workers),
        "--bind",
        _bind(args.host, args.port),
        *tls_args,
        *_control_socket(instance),
        "caveat.web.asgi:app",
    ]
    env = environment(settings)
    env[MULTIPROC_ENV] = str(metrics_folder(instance, args.port))
    return argv, env


def metrics_folder(instance: Path, port: int) -> Path:
    """The folder where gunicorn's workers keep their metrics for ``GET /metrics``
    (prometheus_client's multiprocess mode): one per port in the instance folder, readable
    by its owner only, and emptied at every start, since the files of an earlier run would
    add that run's counts to this one's."""
    folder = instance / f"metrics-{port}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def _demo_key(store: Store, instance: Path, out: TextIO, *, renew: bool = False) -> str:
    """The demo key: the one kept in the instance folder while it is still an active,
    unexpired demo key of this store with the demo's scopes (those of a mail client:
    analyze, report, contacts); otherwise (or with ``renew``) a new one, working for
    DEMO_KEY_DAYS, the earlier demo keys revoked. The store keeps keys only as hashes, so
    the demo key's clear text lives in a file of its own (mode 0600) for the next start to
    show again."""
    path = instance / DEMO_KEY_FILE
    if not renew:
        kept = _read_kept_key(path)
        record = store.verify_key(kept) if kept else None
        if (
            record is not None
            and record.name == DEMO_KEY_NAME
            and record.scopes == DEMO_KEY_SCOPES
            and record.expires_at is not None
        ):
            out.write(
                f"Demo API key (id {record.id}, expires {_utc(record.expires_at)}, kept in "
                f"{path}): {kept}\n"
            )
            return kept
    for earlier in store.active_keys_named(DEMO_KEY_NAME):
        store.revoke_key(earlier.id)
    record, key = store.create_key(
        DEMO_KEY_NAME,
        scopes=DEMO_KEY_SCOPES,
        expires_at=store.clock() + timedelta(days=DEMO_KEY_DAYS),
    )
    instance.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)
    out.write(
        f"New demo API key (id {record.id}; expires {_utc(record.expires_at)}; kept in "
        f"{path}, so restarts keep it; --new-demo-key replaces it): {key}\n"
    )
    return key


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _read_kept_key(path: Path) -> str:
    try:
        text = path.read_text("ascii", errors="replace").strip()
    except FileNotFoundError:
        return ""
    return text if 0 < len(text) <= 200 else ""


def _curl_example(url: str, key: str | None, *, insecure: bool) -> str:
    auth = f"Authorization: Bearer {key}" if key else "Authorization: Bearer $CAVEAT_KEY"
    parts = ["curl"]
    if insecure:
        parts.append("-k")
    parts += [
        f"{url}api/v1/analyze",
        "-H",
        shlex.quote(auth) if key else f'"{auth}"',
        "-H",
        shlex.quote("Content-Type: application/json"),
        "-d",
        shlex.quote(EXAMPLE_BODY),
    ]
    example = " ".join(parts)
    if key is None:
        example += "\n  (make a key first: caveat keys create NAME; then export CAVEAT_KEY=...)"
    return example


def _url_host(host: str) -> str:
    if host == "0.0.0.0":  # noqa: S104
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if _is_ipv6(host) else host


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if _is_ipv6(host) else f"{host}:{port}"


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


#: Unix socket paths longer than this do not fit in ``sockaddr_un`` on Linux.
_UNIX_PATH_MAX = 107


def _control_socket(instance: Path) -> list[str]:
    """gunicorn's control socket (``gunicornc``) inside the instance folder, so that two
    services on one host never share one (gunicorn's default is one per user); none when the
    folder's path is too long for a Unix socket."""
    path = instance.absolute() / "gunicorn.ctl"
    if len(os.fsencode(path)) > _UNIX_PATH_MAX:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


def _gunicorn() -> list[str]:
    """The gunicorn next to this Python (the virtualenv's), else ``python -m gunicorn``."""
    beside = Path(sys.executable).parent / "gunicorn"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    return [sys.executable, "-m", "gunicorn"]
