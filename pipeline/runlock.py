"""One writer per output folder: an exclusive ``flock`` on ``OUT/.lock`` held for the whole run.

The operating system releases an ``flock`` when its holder dies, however it dies (even SIGKILL), so a crashed
run never leaves a lock that blocks the next one; the file itself may stay and means nothing by itself.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pipeline.errors import RunLocked

LOCK_NAME = ".lock"


def _holder(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"


@contextmanager
def hold(out_dir: Path, wait: bool = False, on_wait=None) -> Iterator[Path]:
    """Hold the output folder's lock; raise :class:`RunLocked` at once if it is taken, unless ``wait``.

    ``on_wait(message)`` is called once before blocking, so the caller can say why nothing happens.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"{out_dir} is being written by {_holder(lock_path)}"
            if not wait:
                raise RunLocked(f"{message}; wait for it to finish or pass --wait") from None
            if on_wait:
                on_wait(f"{message}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"run pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
