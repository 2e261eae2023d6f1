"""The free-mail provider list: package data, plus local additions from configuration.

``python -m caveat.reference.freemail update`` refreshes ``data/freemail.txt`` from the npm package
``free-email-domains`` (it needs ``npm`` and the npm registry); see docs/freemail.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from caveat.mail.domains import normalise_domain, org_domain

NPM_PACKAGE = "free-email-domains"
DATA_FILE = "freemail.txt"


class FreemailList:
    """Membership test for free-mail domains, by exact domain and by organisational domain."""

    def __init__(self, domains: Iterable[str], *, exclude: Iterable[str] = ()) -> None:
        removed = {normalise_domain(d) for d in exclude}
        self._domains = frozenset(normalise_domain(d) for d in domains) - removed

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str) or not domain:
            return False
        d = normalise_domain(domain)
        return d in self._domains or org_domain(d) in self._domains

    def __len__(self) -> int:
        return len(self._domains)

    @classmethod
    def packaged(cls, extra: Iterable[str] = (), exclude: Iterable[str] = ()) -> FreemailList:
        return cls([*read_packaged(), *extra], exclude=exclude)


def read_packaged() -> list[str]:
    text = resources.files("caveat.data").joinpath(DATA_FILE).read_text("utf-8")
    return parse_list(text)


def parse_list(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.lower())
    return out


def _fetch_npm(version: str) -> tuple[list[str], str]:
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"{NPM_PACKAGE}@{version}"
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["npm", "pack", spec, "--json", "--pack-destination", tmp],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(done.stdout)[0]
        with tarfile.open(Path(tmp) / info["filename"]) as tar:
            member = tar.extractfile("package/domains.json")
            if member is None:
                raise SystemExit("the package has no domains.json")
            domains = json.load(member)
        return [str(d) for d in domains], info["version"]


def write_list(domains: Iterable[str], version: str, target: Path) -> int:
    clean = sorted({normalise_domain(d) for d in domains if d and d.strip()})
    header = (
        "# Free-mail and disposable mailbox providers, one registrable domain per line.\n"
        f"# Source: npm package {NPM_PACKAGE} {version} (MIT licence, see "
        "THIRD_PARTY_NOTICES.md).\n"
        "# Update: make freemail   (runs python -m caveat.reference.freemail update; see "
        "docs/freemail.md)\n"
        "# Local additions and removals belong in the service configuration, not here.\n"
    )
    target.write_text(header + "".join(d + "\n" for d in clean), "utf-8")
    return len(clean)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caveat.reference.freemail")
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("update", help=f"refresh {DATA_FILE} from the npm package")
    up.add_argument("--version", default="latest")
    up.add_argument("--from-json", type=Path, help="use this domains.json instead of fetching")
    args = parser.parse_args(argv)
    target = Path(__file__).parent / "data" / DATA_FILE
    if args.from_json:
        domains, version = json.loads(args.from_json.read_text("utf-8")), args.version
    else:
        domains, version = _fetch_npm(args.version)
    count = write_list(domains, version, target)
    print(f"wrote {count} domains from {NPM_PACKAGE} {version} to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
