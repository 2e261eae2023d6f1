"""Access to ../shared/corpus (public legitimate mail), read in place, never copied."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HAM = ("list_usrp_users", "spamassassin_easy_ham", "spamassassin_hard_ham")


def dataset(name: str, kind: str = "ham") -> Path:
    path = CORPUS / kind / name
    if not path.is_dir():
        pytest.skip(f"corpus {kind}/{name} not found at {path} (only beside ../shared)")
    return path


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[tuple[str, Facts], ...]:
    return tuple((p.name, from_raw(p.read_bytes())) for p in sorted(path.glob("*.eml")))


def messages(name: str, kind: str = "ham") -> Iterator[tuple[str, Facts]]:
    yield from _load(dataset(name, kind))
