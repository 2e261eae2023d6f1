"""Reading PDF, Word and image attachments in a child process, one per attachment.

A hostile file (a decompression bomb, a PDF whose page tree loops or counts a million
pages, a ZIP bomb dressed as a Word document, a 20000 x 20000 pixel PNG) must cost bounded
time and memory and never hurt the worker that serves requests. So the readers of
:mod:`.extract` never run in the worker. Each attachment is read in a child process with
an address-space limit (``RLIMIT_AS``), a CPU-time limit (``RLIMIT_CPU``), no file writing
(``RLIMIT_FSIZE``) and no core dumps, killed when it passes its wall-clock time. A crash,
a limit or a timeout becomes the attachment's note (``unreadable: took too long``); the
request never sees an exception.

The children are forked by a small server process (:mod:`.zygote`) that has the readers'
libraries imported already, so a child starts in a millisecond or two instead of the
third of a second a fresh interpreter takes. The server is started the first time there is
something to read, and only then: a message without PDF, Word or image attachments starts
no process at all. It ends when its parent does (its standard input closes).

Tesseract, the OCR program, is looked for once, when the first image is to be read;
without it images get the note ``not read: no OCR``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import IO

from caveat.mail.limits import Limits

#: Seconds the server may take to start (importing the readers' libraries), and the
#: margin given to it over a child's own time before it is taken for stuck.
_START_SECONDS = 30.0
_MARGIN_SECONDS = 3.0

_lock = threading.Lock()


@cache
def _tesseract() -> tuple[str, frozenset[str]]:
    """Tesseract's path and its installed language models, or ("", {})."""
    path = shutil.which("tesseract")
    if not path:
        return "", frozenset()
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command, no shell
            [path, "--list-langs"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "", frozenset()
    return path, frozenset(done.stdout.decode("utf-8", "replace").split())


def ocr_command(languages: str = "eng") -> tuple[str, str]:
    """(tesseract's path, those of ``languages`` it has, joined by '+'), or ("", "")
    when it or all of those models are missing."""
    path, have = _tesseract()
    wanted = [lang for lang in languages.split("+") if lang in have]
    return (path, "+".join(wanted)) if path and wanted else ("", "")


def read_isolated(items: Sequence[tuple[str, bytes]], limits: Limits) -> list[tuple[str, str]]:
    """``(text, note)`` for each ``(kind, data)``, each read in its own child process.

    Attachments are read one after the other, each within ``limits.attachment_seconds``,
    all within ``limits.attachments_seconds``; those left when the time is spent get the
    note ``not read: time limit``.
    """
    out: list[tuple[str, str]] = []
    wants_ocr = any(kind in ("image", "pdf") for kind, _ in items)
    ocr = ocr_command(limits.ocr_languages) if wants_ocr else ("", "")
    deadline = time.monotonic() + limits.attachments_seconds
    with _lock:
        for kind, data in items:
            left = deadline - time.monotonic()
            if left <= 0.05:
                out.append(("", "not read: time limit"))
            elif kind == "image" and not ocr[0]:
                out.append(("", "not read: no OCR"))
            else:
                seconds = min(left, limits.attachment_seconds)
                out.append(_SERVER.read(kind, data, limits, ocr, seconds))
    return out


# ------------------------------------------------------------------ framing


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)
    stream.flush()


def read_exact(fd: int, size: int, deadline: float | None = None) -> bytes | None:
    """``size`` bytes from a file descriptor, or None at its end or at the deadline."""
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                return None
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, most: int, deadline: float | None = None) -> bytes | None:
    head = read_exact(fd, 4, deadline)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > most:
        return None
    return read_exact(fd, size, deadline)


# ------------------------------------------------------------------ the server, seen from here


class _Server:
    """The fork server, started on first use and again after it died or was stopped."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.owner = 0  # the pid that started it: a forked copy of us must start its own

    def _start(self) -> subprocess.Popen[bytes]:
        # The same caveat package as ours (not whatever the working directory holds: -P).
        package_root = str(Path(__file__).resolve().parents[3])
        env = {**os.environ, "PYTHONPATH": package_root}
        env.pop("PYTHONSTARTUP", None)
        proc = subprocess.Popen(  # our own interpreter and module, no shell
            [sys.executable, "-P", "-m", "caveat.mail.attachments.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        assert proc.stdout is not None
        ready = read_frame(proc.stdout.fileno(), 64, time.monotonic() + _START_SECONDS)
        if ready != b"ready":
            proc.kill()
            proc.wait()
            raise OSError("the attachment reader did not start")
        self.proc, self.owner = proc, os.getpid()
        return proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and self.owner == os.getpid():
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    def read(
        self, kind: str, data: bytes, limits: Limits, ocr: tuple[str, str], seconds: float
    ) -> tuple[str, str]:
        try:
            proc = self.proc
            if proc is None or proc.poll() is not None or self.owner != os.getpid():
                proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            request = {
                "kind": kind,
                "size": len(data),
                "seconds": seconds,
                "ocr": list(ocr),
                "limits": dataclasses.asdict(limits),
            }
            write_frame(proc.stdin, json.dumps(request).encode())
            proc.stdin.write(data)
            proc.stdin.flush()
            most = 8 * limits.max_attachment_chars + 4096
            answer = read_frame(
                proc.stdout.fileno(), most, time.monotonic() + seconds + _MARGIN_SECONDS
            )
        except (OSError, ValueError):
            self.stop()
            return "", "unreadable: the reader could not run"
        if answer is None:
            self.stop()  # stuck: a new one is started for the next attachment
            return "", "unreadable: took too long"
        text, note = json.loads(answer)
        return str(text), str(note)


_SERVER = _Server()
