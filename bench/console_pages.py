"""How fast the admin console's pages answer, and how heavy they are.

Builds the application in this process on a throw-away SQLite file holding a synthetic
partner directory (``--partners``, default 2,000 organisations, the same generator as
``bench/directory_load.py``), a few hundred audit rows and a month of warning counts, signs
an administrator in (a session made in the store, as the tests do), and asks for each page
``--rounds`` times through Flask's test client: no network, TLS or gunicorn, so the figures
are the console's own work (queries, template). Prints, per page, the median and the 95th
percentile in milliseconds and the answer's size in bytes (HTML only; the stylesheets and
scripts are static files the browser caches).

    .venv/bin/python bench/console_pages.py [--partners 2000] [--rounds 30] [--json]

A measurement, not a test: exit code 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.console_app import console_app, signed_in  # noqa: E402

from caveat.cli import main as caveat_main  # noqa: E402
from caveat.storage import stats  # noqa: E402
from caveat.storage.audit import Actor, AuditLog  # noqa: E402
from directory_load import synthetic_csv  # noqa: E402

PAGES = (
    "/admin/",
    "/admin/?days=90",
    "/admin/partners",
    "/admin/partners?q=gmbh",
    "/admin/partners/export",
    "/admin/reports",
    "/admin/indicators",
    "/admin/verifications",
    "/admin/approvals",
    "/admin/deployment",
    "/admin/keys",
    "/admin/audit",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'caveat.db'}"
        csv_path = folder / "partners.csv"
        csv_path.write_text(synthetic_csv(args.partners), "utf-8")
        assert caveat_main(["partners", "import", "--db", db, str(csv_path)]) == 0
        app = console_app(folder, DATABASE_URL=db, PUBLIC_URL="https://caveat.example")
        _fill(app)
        client = signed_in(app, "admin")
        figures = {}
        for path in PAGES:
            client.get(path)  # first answer: templates compiled, caches warm
            times = []
            size = 0
            for _ in range(args.rounds):
                start = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
                size = len(answer.data)
            times.sort()
            figures[path] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
                "bytes": size,
            }
    if args.json:
        print(json.dumps({"partners": args.partners, "pages": figures}, indent=2))
        return 0
    print(f"console pages, {args.partners} partners, {args.rounds} rounds each (in-process)")
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    for path, f in figures.items():
        print(f"{path:32} {f['p50_ms']:8.2f} {f['p95_ms']:8.2f} {f['bytes']:9d}")
    return 0


def _fill(app: object) -> None:
    """A few hundred audit rows and thirty days of warning counts."""
    services = app.extensions["caveat"]  # type: ignore[attr-defined]
    store = services.store
    actor = Actor(subject="bench", label="bench")
    with store.session() as session:
        for i in range(300):
            AuditLog.append(
                session, actor, "partner.update", f"Org {i}", before={"a": i}, after={"a": i + 1}
            )
    today = datetime.now(UTC).date()
    counts: dict[tuple[date, str, str], int] = {}
    for back in range(30):
        day = today - timedelta(days=back)
        counts[(day, "level", "danger")] = back % 4
        counts[(day, "level", "caution")] = back % 7
        counts[(day, "family", "reply_to_mismatch")] = back % 5
        counts[(day, "family", "bank_details_change")] = back % 3
        counts[(day, "recipient", f"clerk{back % 12}@buyer.example")] = 2
        counts[(day, "partner", f"Org {back % 15}")] = 1
    stats.add(store, counts)


if __name__ == "__main__":
    sys.exit(main())
