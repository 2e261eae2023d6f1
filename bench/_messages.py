"""Messages for the benchmarks: the seed fixtures and, when present, ../shared/corpus/ham."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from caveat.mail.normalise import from_raw

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed"
HAM = ROOT.parent / "shared" / "corpus" / "ham"
_BLANK = re.compile(rb"\r?\n\r?\n")


def sources(include_corpus: bool = True) -> Iterator[tuple[str, Path]]:
    for p in sorted(SEED.glob("*.eml")):
        yield "seed", p
    if include_corpus and HAM.is_dir():
        for ds in sorted(HAM.iterdir()):
            for p in sorted(ds.glob("*.eml")):
                yield ds.name, p


def payload_of(raw: bytes) -> dict[str, Any]:
    """What the add-in sends for a message: its header block and the client's own fields."""
    facts = from_raw(raw)
    m = _BLANK.search(raw)
    headers = raw[: m.start()] if m else raw

    def addr(a: Any) -> dict[str, str]:
        return {"name": a.name, "address": a.address}

    payload: dict[str, Any] = {
        "headers": headers.decode("utf-8", "replace"),
        "to": [addr(a) for a in facts.to],
        "cc": [addr(a) for a in facts.cc],
        "subject": facts.subject,
        "body": facts.body[:4000],
        "internet_message_id": facts.message_id,
    }
    if facts.author:
        payload["from"] = addr(facts.author)
    return payload
