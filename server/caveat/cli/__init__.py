"""The ``caveat`` command line: one sub-command module each, sharing ``--db``."""

from __future__ import annotations

import argparse
import sys

from caveat import __version__

from . import (
    alerts,
    audit,
    configure,
    console,
    database,
    intel,
    keys,
    manifest,
    partners,
    people,
    reports,
    scan,
    serve,
    thunderbird,
    verifications,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caveat", description="Business email compromise warnings for mail clients."
    )
    parser.add_argument("--version", action="version", version=f"caveat {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        configure,
        scan,
        partners,
        people,
        intel,
        reports,
        verifications,
        audit,
        alerts,
        serve,
        keys,
        console,
        database,
        manifest,
        thunderbird,
    ):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
