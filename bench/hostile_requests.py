"""What each hostile request of the issue-14 fuzz run costs now: its answer and time.

Runs the application in-process (Flask's test client, an in-memory database, one key) and
sends each reproducer a few times, printing the status, the error code or level, the
size of the answer and the median time. Every one should answer with a 4xx or a verdict
(never a 5xx) in well under 100 ms; the regression tests in tests/web/test_hostile_input.py
hold the answers, this script the times (timed unit tests flake on shared machines).

    python bench/hostile_requests.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from caveat.web.app import create_app

Send = Callable[[Any, dict[str, str]], Any]


def analyze_headers(headers: str) -> Send:
    return lambda c, h: c.post("/api/v1/analyze", json={"headers": headers}, headers=h)


def analyze_json(payload: dict[str, Any]) -> Send:
    return lambda c, h: c.post("/api/v1/analyze", json=payload, headers=h)


def analyze_raw(raw: str) -> Send:
    return lambda c, h: c.post("/api/v1/analyze", json={"raw": raw}, headers=h)


def nested_multipart(depth: int) -> str:
    head = "From: a@b.example\r\nTo: c@d.example\r\nMIME-Version: 1.0\r\n"
    parts = []
    for i in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n')
    return head + "".join(parts) + "Content-Type: text/plain\r\n\r\nhello\r\n"


def nested_rfc822(depth: int) -> str:
    one = "From: a@b.example\r\nTo: c@d.example\r\nContent-Type: message/rfc822\r\n\r\n"
    return one * depth + "From: a@b.example\r\n\r\nhello\r\n"


def cases() -> dict[str, Send]:
    frm = "From: a@b.example\r\nTo: c@d.example\r\n"
    big_reply_to = ", ".join(f"p{i}@x{i}.example" for i in range(12_000))
    references = " ".join(f"<{i}@r.example>" for i in range(18_000))
    many_to = ", ".join(f"t{i}@y.example" for i in range(5_000))
    surrogate_report = (
        '{"from": {"name": "\\ud800x", "address": "a@b.example"}, "reporter": "\\udfff"}'
    )
    return {
        "Reply-To of 250 KB (12k addresses)": analyze_headers(
            f"From: a@b.example\r\nReply-To: {big_reply_to}\r\n"
        ),
        "References of 18k ids (250 KB)": analyze_headers(f"{frm}References: {references}\r\n"),
        "References of 9k ids (125 KB)": analyze_headers(
            f"{frm}References: {' '.join(references.split()[:9000])}\r\n"
        ),
        "To of 5k addresses in the header": analyze_headers(
            f"From: a@b.example\r\nTo: {many_to}\r\n"
        ),
        "to of 18k addresses in JSON": analyze_json(
            {"headers": frm, "to": [{"address": f"t{i}@y.example"} for i in range(18_000)]}
        ),
        "From of 525 bytes of nested parentheses": analyze_headers(
            "From: " + "(" * 260 + ")" * 260 + " <a@b.example>\r\n"
        ),
        "Reply-To of 1,000 colons": analyze_headers(f"{frm}Reply-To: {':' * 1000}\r\n"),
        "multipart nested 1,000 deep": analyze_raw(nested_multipart(1000)),
        "message/rfc822 nested 1,000 deep": analyze_raw(nested_rfc822(1000)),
        "subject of 1 MB": analyze_json({"headers": frm, "subject": "x" * 1_000_000}),
        "Message-ID header of 200 KB": analyze_headers(
            f"{frm}Message-ID: <{'x' * 200_000}@a.example>\r\n"
        ),
        "Subject header of 250 KB": analyze_headers(f"{frm}Subject: {'x' * 250_000}\r\n"),
        "report with lone surrogates": lambda c, h: c.post(
            "/api/v1/reports", data=surrogate_report, content_type="application/json", headers=h
        ),
        "JSON of 25 MB (one string)": lambda c, h: c.post(
            "/api/v1/analyze",
            data=json.dumps({"headers": frm, "body": "y" * 25_000_000}),
            content_type="application/json",
            headers=h,
        ),
        "guard with a 2 MB body": lambda c, h: c.post(
            "/api/v1/recipients",
            data=json.dumps({"to": [{"address": "a@b.example"}], "subject": "z" * 2_000_000}),
            content_type="application/json",
            headers=h,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"TESTING": True, "DATABASE_URL": "sqlite://", "INSTANCE_PATH": folder}
        )
        client = app.test_client()
        _, key = app.extensions["caveat"].store.create_key("bench")
        auth = {"Authorization": f"Bearer {key}"}
        print(f"{'request':42} {'status':>6}  {'answer':28} {'bytes':>7} {'median ms':>9}")
        worst = 0.0
        for name, send in cases().items():
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = send(client, auth)
                times.append((time.perf_counter() - start) * 1000)
            body = response.get_json(silent=True) or {}
            what = body.get("error", {}).get("code") or body.get("level") or ""
            if body.get("partial"):
                what += " (partial)"
            median = statistics.median(times)
            worst = max(worst, median)
            print(f"{name:42} {response.status_code:>6}  {what:28} {len(response.data):>7} "
                  f"{median:>9.1f}")
        print(f"slowest median: {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
