"""The authentication-results parser against real and third-party header values.

``../shared/corpus/authres_vectors`` holds the values real mail carried (one JSON object per
line) and the test messages of other projects' authentication suites. Every value must
parse without raising, and what the parser reads must agree with the plain ``method=result``
pairs that can be seen in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.mail.authres import parse_authres, parse_received_spf, trusted_auth
from caveat.mail.errors import InputError
from caveat.mail.normalise import from_raw

from ..corpus import CORPUS

ROOT = CORPUS / "authres_vectors"
JSONL = ROOT / "real_world_headers.jsonl"

# "method=result" where the method is one the product reads; comments removed first.
_PAIR_RE = re.compile(r"(?:^|[;\s])(spf|dkim|dmarc|compauth)\s*=\s*([A-Za-z]+)", re.IGNORECASE)
_COMMENT_RE = re.compile(r"\([^()]*\)")
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_AUTHRES_HEADERS = (
    "authentication-results",
    "arc-authentication-results",
    "x-original-authentication-results",
    "x-ms-exchange-authentication-results",
)


def _records() -> Iterator[dict[str, str]]:
    if not JSONL.is_file():
        pytest.skip(f"corpus vectors not found at {JSONL} (only beside ../shared)")
    with JSONL.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _visible_pairs(value: str) -> list[tuple[str, str]]:
    text = _QUOTED_RE.sub('""', value)
    while True:
        stripped = _COMMENT_RE.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return [(m.lower(), r.lower()) for m, r in _PAIR_RE.findall(text)]


@pytest.mark.corpus
def test_every_real_value_parses_to_the_pairs_it_shows() -> None:
    seen = 0
    for rec in _records():
        header, value = rec["header"].lower(), rec["value"]
        if header == "received-spf":
            parsed = parse_received_spf(value)
            first = value.strip().split(None, 1)[0].lower() if value.strip() else ""
            if first in {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}:
                assert parsed is not None and parsed.result == first, value
            seen += 1
            continue
        assert header in _AUTHRES_HEADERS, header
        got = [(r.method, r.result) for r in parse_authres(value, rec["header"]).results]
        for pair in _visible_pairs(value):
            assert pair in got, (rec["file"], value, got)
        seen += 1
    assert seen >= 300


@pytest.mark.corpus
def test_real_arc_values_carry_their_instance() -> None:
    for rec in _records():
        if rec["header"].lower() == "arc-authentication-results":
            parsed = parse_authres(rec["value"], "ARC-Authentication-Results")
            assert parsed.instance is not None and parsed.instance >= 1, rec["value"]


def _vector_messages() -> list[bytes]:
    if not ROOT.is_dir():
        pytest.skip(f"corpus vectors not found at {ROOT} (only beside ../shared)")
    out = [p.read_bytes() for p in sorted(ROOT.rglob("*.eml"))]
    assert len(out) >= 100
    return out


@pytest.mark.corpus
def test_every_header_of_the_third_party_suites_parses() -> None:
    parsed = 0
    for data in _vector_messages():
        try:
            facts = from_raw(data)
        except InputError:
            continue
        for name in _AUTHRES_HEADERS:
            for value in facts.header(name):
                parse_authres(value, name)
                parsed += 1
        for value in facts.header("received-spf"):
            parse_received_spf(value)
            parsed += 1
    assert parsed >= 100


@pytest.mark.corpus
@pytest.mark.parametrize(
    "config",
    [
        EngineConfig.build(),
        EngineConfig.build(trust_microsoft=True),
        # Every authserv-id these suites use, so that the trusted path runs on all of them.
        EngineConfig.build(
            trusted_authserv_ids=[
                "example.com",
                "example.org",
                "mx.google.com",
                "mail.example.com",
                "mx.example.com",
                "test.local",
            ],
            trust_microsoft=True,
        ),
    ],
    ids=["nothing", "microsoft", "many"],
)
def test_whole_analysis_of_every_vector_message_never_raises(config: EngineConfig) -> None:
    engine = Engine()
    ctx = Context(config=config)
    for data in _vector_messages():
        try:
            facts = from_raw(data)
        except InputError:
            continue
        trusted_auth(facts, config)
        verdict = engine.analyze(facts, ctx)
        assert verdict.level in ("none", "info", "caution", "danger")
