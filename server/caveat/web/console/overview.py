"""The console's overview (``GET /admin/``; permission ``reports.read``: security staff
and administrators).

For the last 30 days (``?days=7``, ``30`` or ``90``): warnings per day by level and by
check family, as charts with the numbers under each (:mod:`caveat.service.stats` counts
them), the most-targeted internal recipients and the most-imitated partners (top ten
each), and what waits for someone: open reports, denied accounts that block payments until
cleared, account approvals pending, each with a link to its page for those who may see it.

The charts are drawn by ``static/console-charts.js`` with uPlot (``static/vendor/``) from
the JSON the page carries in a ``<script type="application/json">`` block (data, never
run); the tables under them are what a screen reader reads and what a browser without
script shows.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from caveat.service.stats import PERIODS, Overview, overview, period_days

from ..api.services import services
from .kit import bad_input, bp, page, render

TITLE = "Overview"


@bp.get("/")
@page("reports.read")
def overview_page() -> Response:
    days = period_days(request.args.get("days"))
    if days is None:
        bad_input("days: choose 7, 30 or 90.")
    s = services()
    if s.analyzer.tally is not None:
        # what this process counted and has not written yet, so the page is current
        s.analyzer.tally.flush()
    o = overview(s.store, days, today=s.clock().date())
    return render(
        "console/overview.html",
        title=TITLE,
        o=o,
        periods=PERIODS,
        chart_data=chart_data(o),
    )


def chart_data(o: Overview) -> dict[str, Any]:
    """What the charts draw: the days (ISO dates, UTC) and one series per level and per
    family. Keys are levels and family names, never text from a message."""
    return {
        "levels": o.levels.to_json(),
        "families": o.families.to_json(),
    }
