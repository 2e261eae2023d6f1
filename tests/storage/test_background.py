"""The per-process background writer that the conversation memory's queue and the
overview's warning tally share: the thread's life (linger, batches, its end when idle, a
new one on the next item), close, a failed batch kept for later without a busy loop,
interpreter exit and fork."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from caveat.service.stats import WarningTally
from caveat.storage.background import BackgroundWriter
from caveat.storage.memory_writer import MemoryWriter


class ListWriter(BackgroundWriter):
    """Gathers strings; writes up to ``batch`` of them at a time into ``written``."""

    thread_name = "test-writer"

    def __init__(self, *, linger: float = 60.0, idle: float = 60.0, batch: int = 1000) -> None:
        self.batch = batch
        self.written: list[list[str]] = []
        self.fail = False
        self.tries = 0
        super().__init__(linger=linger, idle=idle)

    def _clear(self) -> None:
        self.items: list[str] = []

    def _gathered(self) -> bool:
        return bool(self.items)

    def _full(self) -> bool:
        return len(self.items) >= self.batch

    def add(self, item: str) -> None:
        self._check_process()
        with self._lock:
            self.items.append(item)
            closed = self._closed
            if not closed:
                self._signal()
        if closed:
            self.flush()

    def _write_batch(self) -> bool:
        with self._writing:
            with self._lock:
                taken, self.items = self.items[: self.batch], self.items[self.batch :]
            if not taken:
                return True
            self.tries += 1
            if self.fail:
                with self._lock:
                    self.items[:0] = taken  # kept for the next try
                return False
            self.written.append(taken)
            return True

    def flush(self) -> None:
        self._check_process()
        while True:
            with self._lock:
                if not self.items:
                    return
            if not self._write_batch():
                return


def wait_for(condition: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


def test_the_thread_waits_its_linger_then_writes_in_batches() -> None:
    w = ListWriter(linger=0.2, batch=3)
    w.add("a")
    time.sleep(0.05)
    assert w.written == []  # still lingering for more
    assert wait_for(lambda: w.written == [["a"]])
    for x in "bcdefg":  # two full batches: written without waiting out the linger
        w.add(x)
    assert wait_for(lambda: [x for b in w.written for x in b] == list("abcdefg"))
    assert all(len(b) <= 3 for b in w.written)
    w.close()


def test_an_idle_thread_ends_and_the_next_item_starts_another() -> None:
    w = ListWriter(linger=0, idle=0.05)
    w.add("a")
    assert wait_for(lambda: w.written == [["a"]] and w._thread is None)
    assert not any(t.name == "test-writer" and t.is_alive() for t in threading.enumerate()
                   if t is not threading.current_thread())  # fmt: skip
    w.add("b")
    assert wait_for(lambda: w.written == [["a"], ["b"]])
    w.close()


def test_close_writes_what_is_left_stops_the_thread_and_later_items_are_written_at_once() -> None:
    w = ListWriter()  # the thread would wait a minute
    w.add("a")
    thread = w._thread
    assert thread is not None and thread.is_alive()
    w.close()
    assert w.closed and w.written == [["a"]] and not thread.is_alive()
    w.add("b")
    assert w.written == [["a"], ["b"]] and not thread.is_alive()
    assert not any(t.name == "test-writer" and t.is_alive() for t in threading.enumerate())


def test_a_failed_batch_is_tried_again_after_the_linger_and_close_does_not_spin() -> None:
    w = ListWriter(linger=0.05)
    w.fail = True
    w.add("a")
    assert wait_for(lambda: w.tries >= 2)  # tried, kept, tried again
    time.sleep(0.2)
    assert w.tries < 20  # once per linger, not a busy loop
    w.close()  # the thread leaves it to close, which tries once more and returns
    tries = w.tries
    time.sleep(0.1)
    assert w.tries == tries and w.items == ["a"] and w._thread is not None
    assert not w._thread.is_alive()
    w.fail = False
    w.flush()
    assert w.written == [["a"]]


def test_without_background_nothing_is_written_until_a_flush() -> None:
    w = ListWriter(linger=0)
    w.background = False
    w.add("a")
    time.sleep(0.05)
    assert w._thread is None and w.written == []
    w.flush()
    assert w.written == [["a"]]


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        ListWriter(linger=-1)
    with pytest.raises(ValueError):
        ListWriter(idle=0)


def test_both_writers_of_the_service_are_background_writers() -> None:
    assert issubclass(MemoryWriter, BackgroundWriter)
    assert issubclass(WarningTally, BackgroundWriter)


def _in_child(w: ListWriter, out: multiprocessing.connection.Connection) -> None:
    # What the parent gathered is not the child's; the child gathers and writes its own.
    w.flush()
    out.send(("before", list(w.items), w.written, w._thread is not None))
    w.add("child")
    w.flush()
    out.send(("after", w.written, w._thread is not None and w._thread.is_alive()))
    w.close()


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_a_forked_child_starts_empty_with_a_thread_of_its_own() -> None:
    w = ListWriter()
    w.add("parent")
    ctx = multiprocessing.get_context("fork")
    mine, theirs = ctx.Pipe()
    child = ctx.Process(target=_in_child, args=(w, theirs))
    child.start()
    try:
        before = mine.recv()
        after = mine.recv()
    finally:
        child.join(timeout=30)
    assert child.exitcode == 0
    assert before == ("before", [], [], False)
    assert after[1] == [["child"]]
    # the parent's item is still the parent's, written by the parent
    assert w.items == ["parent"] and w.written == []
    w.close()
    assert w.written == [["parent"]]


def test_a_process_that_exits_writes_what_it_gathered(tmp_path: Path) -> None:
    out = tmp_path / "written.txt"
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from tests.storage.test_background import ListWriter

class FileWriter(ListWriter):
    def _write_batch(self):
        ok = super()._write_batch()
        with open({str(out)!r}, "w") as f:
            f.write(",".join(x for b in self.written for x in b))
        return ok

w = FileWriter()  # the thread would wait a minute
w.add("a")
w.add("b")
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert out.read_text() == "a,b"
