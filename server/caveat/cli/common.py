"""Options shared by every sub-command."""

from __future__ import annotations

import argparse


def add_db_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"the store: sqlite:///PATH, sqlite:// (throw-away), postgresql://... "
        f"({default_help})",
    )
