"""The fork server of :mod:`.isolated`: ``python -m caveat.mail.attachments.zygote``.

It imports the readers once, says ``ready``, then for each request on its standard input
(a length-prefixed JSON header, then the attachment's bytes) forks a child that limits
itself and reads, waits for it at most the request's seconds, kills it when over, and
answers ``[text, note]`` on its standard output. Nothing is logged; the child's standard
output and error go nowhere.
"""

from __future__ import annotations

import json
import math
import os
import resource
import select
import signal
import sys
import time


def main() -> int:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)  # a reader's log line may quote the file
    warnings.simplefilter("ignore")
    from caveat.mail.attachments import extract  # noqa: F401 - imported once, for every child
    from caveat.mail.attachments.isolated import read_exact, read_frame, write_frame
    from caveat.mail.limits import Limits

    # The protocol's own output: nothing else may write to it (a library that prints).
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    inp = sys.stdin.fileno()
    _preload()
    write_frame(out, b"ready")
    while True:
        header = read_frame(inp, 1 << 16)
        if header is None:
            return 0  # our parent is gone
        request = json.loads(header)
        limits = Limits(**request["limits"])
        if request["size"] > limits.max_attachment_bytes:
            return 1
        data = read_exact(inp, request["size"])
        if data is None:
            return 0
        result = _read_in_child(
            request["kind"], data, limits, tuple(request["ocr"]), float(request["seconds"]), devnull
        )
        del data
        write_frame(out, json.dumps(result).encode())


def _preload() -> None:
    """Import what the readers import lazily, so that no child pays for it."""
    import lxml.etree  # noqa: F401
    import pypdf  # noqa: F401
    from PIL import Image, PngImagePlugin  # noqa: F401


def _read_in_child(
    kind: str, data: bytes, limits: object, ocr: tuple[str, ...], seconds: float, devnull: int
) -> list[str]:
    from caveat.mail.attachments.extract import read_one

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(r)
            os.dup2(devnull, 2)
            memory = limits.attachment_memory_bytes  # type: ignore[attr-defined]
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            cpu = math.ceil(seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
            text, note = read_one(kind, data, limits, (ocr[0], ocr[1]))  # type: ignore[arg-type]
            payload = json.dumps([text, note]).encode()
            view = memoryview(payload)
            while view:
                view = view[os.write(w, view) :]
        finally:
            os._exit(0)
    os.close(w)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    timed_out = False
    while True:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([r], [], [], wait)[0]:
            timed_out = True
            break
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return ["", "unreadable: took too long"]
    try:
        text, note = json.loads(b"".join(chunks))
    except ValueError:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            return ["", "unreadable: took too long"]
        return ["", "unreadable: too large or too complex to read"]
    return [str(text), str(note)]


if __name__ == "__main__":
    sys.exit(main())
