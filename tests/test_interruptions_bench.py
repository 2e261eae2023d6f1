"""bench/interruptions.py counts what a client pushes in front of its user: caution and
danger as banners (a repeated caution as a summary), info in the pane only."""

from __future__ import annotations

from tests.bench_scripts import bench_module

bench = bench_module("interruptions")


def raw(n: int, reply_to: str | None) -> bytes:
    extra = f"Reply-To: {reply_to}\r\n" if reply_to else ""
    return (
        f"From: Anna Berg <anna@partner.example>\r\n{extra}To: bo@ours.example\r\n"
        f"Subject: Invoice {n}\r\nMessage-ID: <m{n}@partner.example>\r\n"
        f"Date: Mon, 5 Jan 2026 0{n % 10}:00:00 +0000\r\n\r\nPlease see the invoice.\r\n"
    ).encode()


def test_a_mailbox_day_counts_banners_summaries_and_pane_notes() -> None:
    messages = [raw(0, None)] + [raw(n, "anna.berg.partner@gmail.com") for n in range(1, 5)]
    result = bench.replay("example", messages, per_day=3, show=False)
    days = result["days"]
    assert len(days) == 2
    total = {key: sum(d[key] for d in days) for key in ("before", "now", "summary")}
    levels = result["levels"]
    loud = levels["caution"] + levels["danger"]
    assert total["now"] == loud >= 3
    assert total["before"] == loud + levels["info"]
    # the same caution from the same sender: said in full once, then summarised
    assert total["summary"] >= 1
    assert total["summary"] < total["now"]
