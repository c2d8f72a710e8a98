"""Guards around reading one file: size, page, memory and unzip limits, retries of transient I/O errors, and a
time limit.

A pathological PDF can make pdfminer loop for hours, and pdfium cannot be interrupted from another thread, so
the time limit runs the read stage in a persistent child process (one per worker) that is killed and replaced
when a file takes too long. The child also shields the worker from a reader that crashes the interpreter, and
carries the memory ceiling (``RLIMIT_AS``): a file that would need more fails alone, the worker keeps its memory.
What a file claims about itself is not trusted: pages are counted by walking the PDF's page tree (its ``/Count``
can lie) and a Word file's zip directory is checked before anything is inflated.
"""

from __future__ import annotations

import atexit
import errno
import itertools
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from pipeline.document import Document
from pipeline.errors import ReadError
from pipeline.hygiene import one_line
from pipeline.read import detect_format, read_document
from pipeline.vocabulary import DocumentStatus

MB = 1024 * 1024
READER_STARTUP_TIMEOUT_S = 120.0
"""How long a new reader process may take to import the readers (not counted in a file's time limit)."""
PERMANENT_ERRNOS = {errno.ENOENT, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG}
"""I/O errors that another attempt cannot fix; every other ``OSError`` (EIO, ESTALE, ETIMEDOUT…) is retried."""
PAGE_COUNT_CAP_FACTOR = 10
"""Pages are counted up to this many times the page limit; past that the message says "more than"."""
ZIP_BOMB_RATIO = 100
"""A zip member inflating to more than this many times its compressed size is refused (Word's XML packs 5–20×,
images barely), once it would inflate past ``ZIP_BOMB_FROM_MB``."""
ZIP_BOMB_FROM_MB = 10
OUT_OF_MEMORY_SIGNS = ("MemoryError", "Unable to allocate", "Cannot allocate memory", "out of memory", "bad_alloc")
"""How libraries word an allocation that the memory ceiling refused (zlib, numpy, C++ code)."""


@dataclass(frozen=True, slots=True)
class ReadLimits:
    timeout_s: float | None = 120.0
    """Longest time reading one file may take; ``None`` reads in the calling process without a limit."""
    max_mb: float | None = 50.0
    max_pages: int | None = 500
    max_memory_mb: float | None = 1536.0
    """Address space the reader process may use (``RLIMIT_AS``); only with a time limit, which runs the reader."""
    max_unzipped_mb: float | None = 200.0
    """Most a Word file may inflate to, with ``ZIP_BOMB_RATIO`` (``None`` checks neither)."""
    io_attempts: int = 3
    io_backoff_s: float = 0.5
    """Wait before the second attempt; doubled before each further one."""


def retry_io(function: Callable[..., Any], *args: Any, attempts: int = 3, backoff_s: float = 0.5) -> Any:
    """Call ``function``, retrying transient I/O errors (raised as ``OSError`` or as a ``ReadError`` caused by one)."""
    for attempt in range(1, attempts + 1):
        try:
            return function(*args)
        except (OSError, ReadError) as exc:
            cause = exc if isinstance(exc, OSError) else exc.__cause__
            transient = isinstance(cause, OSError) and cause.errno not in PERMANENT_ERRNOS
            if not transient or attempt == attempts:
                raise
        time.sleep(backoff_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def check_size(path: Path, max_mb: float | None) -> None:
    if max_mb is None:
        return
    size = path.stat().st_size
    if size > max_mb * MB:
        raise ReadError(f"file too large: {size / MB:.1f} MB > {max_mb:g} MB limit")


def pdf_page_count(path: Path, stop_after: int | None = None) -> int | None:
    """Pages of a PDF, counted by walking its page tree (not trusting ``/Count``) without parsing any page, up to
    ``stop_after``; ``None`` when the file cannot be opened (encrypted or damaged: the reader says why)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        with path.open("rb") as file:
            pages = PDFPage.create_pages(PDFDocument(PDFParser(file)))
            return sum(1 for _ in itertools.islice(pages, stop_after))
    except MemoryError:
        raise
    except Exception:  # left to the PDF reader's clearer message
        return None


def check_pages(path: Path, max_pages: int) -> None:
    cap = max_pages * PAGE_COUNT_CAP_FACTOR
    pages = pdf_page_count(path, stop_after=cap + 1)
    if pages is not None and pages > cap:
        raise ReadError(f"too many pages: more than {cap} > {max_pages} page limit")
    if pages is not None and pages > max_pages:
        raise ReadError(f"too many pages: {pages} > {max_pages} page limit")


def check_unzipped_size(path: Path, max_mb: float) -> None:
    """Refuse a zip bomb from its directory, before anything is inflated. The declared sizes can be trusted that
    far: ``zipfile`` stops a member at its declared size and fails its checksum if more would come out."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so
    total = sum(member.file_size for member in members)
    size_mb = path.stat().st_size / MB
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_BOMB_FROM_MB * MB and ratio > ZIP_BOMB_RATIO:
            raise ReadError(
                f"the file would unpack to {total / MB:,.0f} MB from {size_mb:.1f} MB ({ratio:,.0f} times the size "
                "of its part): a zip bomb, not read"
            )
    if total > max_mb * MB:
        raise ReadError(f"the file would unpack to {total / MB:,.0f} MB, over the {max_mb:g} MB limit")


def memory_message(limits: ReadLimits) -> str:
    if limits.max_memory_mb is None or limits.timeout_s is None:
        return "the file needs more memory than this machine could give the reader"
    return f"the file needs more memory than the reader may use ({limits.max_memory_mb:g} MB limit)"


def read_file(path: str, source_file: str, limits: ReadLimits) -> Document:
    """The read stage with its page and unzip limits and I/O retries; any failure becomes a ``ReadError``."""
    file = Path(path)
    try:
        fmt = detect_format(file)
        if limits.max_pages is not None and fmt == "pdf":
            check_pages(file, limits.max_pages)
        if limits.max_unzipped_mb is not None and fmt == "docx":
            check_unzipped_size(file, limits.max_unzipped_mb)
        return retry_io(read_document, file, source_file, attempts=limits.io_attempts, backoff_s=limits.io_backoff_s)
    except MemoryError:
        raise ReadError(memory_message(limits)) from None
    except ReadError as exc:
        if any(sign in str(exc) for sign in OUT_OF_MEMORY_SIGNS):
            raise ReadError(memory_message(limits)) from exc
        raise
    except Exception as exc:  # a reader bug must not stop the run: record it like any unreadable file
        raise ReadError(unexpected_message(exc, "reading")) from exc


def unexpected_message(exc: BaseException, stage: str) -> str:
    """A reader or stage bug, said plainly: the error's kind stays for whoever fixes it."""
    detail = one_line(str(exc), 160)
    return f"an internal error while {stage} this file ({type(exc).__name__}{': ' + detail if detail else ''})"


def read_with_ceiling(read: Callable[..., Document], path: str, source_file: str, limits: ReadLimits) -> Document:
    """``read`` (``read_file``) in the reader process, under the memory ceiling (the soft limit, so the next file
    can set its own). Never called in the worker itself: the ceiling would bind the whole worker."""
    ceiling = resource.RLIM_INFINITY if limits.max_memory_mb is None else int(limits.max_memory_mb * MB)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and (ceiling == resource.RLIM_INFINITY or ceiling > hard):
        ceiling = hard
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    return read(path, source_file, limits)


class ReaderProcess:
    """A child Python process that runs functions sent to it, one at a time, and can be killed on a deadline.

    Functions travel by reference (module and name), arguments and results by pickle. It is started with
    ``subprocess`` rather than ``multiprocessing`` so it also works inside daemonic workers (Dask's). Calls from
    several threads take turns, which also keeps pdfium (not thread-safe) to one file at a time.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._connection: _DuplexPipe | None = None
        self._turn = threading.Lock()

    def call(self, function: Callable[..., Any], *args: Any, timeout_s: float) -> Any:
        """``function(*args)`` in the child; ``TimeoutError`` if it takes longer than ``timeout_s`` seconds."""
        with self._turn:
            return self._call(function, args, timeout_s)

    def _call(self, function: Callable[..., Any], args: tuple, timeout_s: float) -> Any:
        connection = self.start()
        try:
            connection.send((function, args))
            reply: tuple[bool, Any] | None = connection.recv() if connection.poll(timeout_s) else None
        except (EOFError, OSError):
            code = self.stop()
            raise ChildProcessError(
                f"the file crashed the reader (exit code {code}): it is probably damaged; open it and save it again",
                code,
            ) from None
        if reply is None:  # no reply in time (a reply is always a pair)
            self.stop()
            raise TimeoutError(timeout_s)
        ok, value = reply
        if ok:
            return value
        kind, message, status = value
        if kind == "read_error":
            raise ReadError(message, DocumentStatus(status))
        raise RuntimeError(message)

    def start(self) -> _DuplexPipe:
        """The running child, started (or restarted after it died) if need be."""
        if self._process is None or self._connection is None or self._process.poll() is not None:
            self.stop()
            to_child_r, to_child_w = os.pipe()
            from_child_r, from_child_w = os.pipe()
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
            self._process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.guard", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                env=env,
                stdin=subprocess.DEVNULL,
            )
            os.close(to_child_r)
            os.close(from_child_w)
            self._connection = _DuplexPipe(from_child_r, to_child_w)
            try:
                ready = self._connection.poll(READER_STARTUP_TIMEOUT_S) and self._connection.recv() == "ready"
            except (EOFError, OSError):
                ready = False
            if not ready:
                code = self.stop()
                raise ChildProcessError(f"the reader process did not start (exit code {code})")
        return self._connection

    def stop(self) -> int | None:
        """Kill the child (if any) and return its exit code."""
        process, self._process = self._process, None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        return process.wait()


class _DuplexPipe:
    """Two one-way pipes used as one connection (``multiprocessing.Connection`` wraps one descriptor each)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._reader = Connection(read_fd, writable=False)
        self._writer = Connection(write_fd, readable=False)

    def send(self, value: Any) -> None:
        self._writer.send(value)

    def poll(self, timeout: float) -> bool:
        return self._reader.poll(timeout)

    def recv(self) -> Any:
        return self._reader.recv()

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


_reader_process: ReaderProcess | None = None


def _shared_reader() -> ReaderProcess:
    """This process's reader child, started on first use and reused for every document after that."""
    global _reader_process
    if _reader_process is None:
        _reader_process = ReaderProcess()
        atexit.register(_reader_process.stop)
    return _reader_process


def stop_reader() -> None:
    """Stop this process's reader child, if it has one, and wait for it (its CPU time then counts as ours)."""
    if _reader_process is not None:
        _reader_process.stop()


def start_reader() -> None:
    """Start this process's reader child now (it imports the readers), so the first file does not wait for it."""
    _shared_reader().start()


def guarded_read(path: Path, source_file: str, limits: ReadLimits) -> Document:
    """Read ``path`` within ``limits``; every way of failing ends as a ``ReadError`` with a one-line reason."""
    try:
        check_size(path, limits.max_mb)
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    if limits.timeout_s is None:
        return read_file(str(path), source_file, limits)
    reader = _shared_reader()
    try:
        return reader.call(read_with_ceiling, read_file, str(path), source_file, limits, timeout_s=limits.timeout_s)
    except TimeoutError:
        raise ReadError(f"timeout: reading took longer than {limits.timeout_s:g} s") from None
    except ChildProcessError as exc:
        message, *code = exc.args
        if code == [-signal.SIGABRT] and limits.max_memory_mb is not None:
            # pdfium (C++) cannot raise MemoryError: an allocation the memory ceiling refuses aborts the process
            raise ReadError(memory_message(limits)) from None
        raise ReadError(message) from None
    except ReadError as exc:
        if str(exc) == memory_message(limits):
            reader.stop()  # a fresh reader for the next file, not one whose heap the failed file left fragmented
        raise


def _serve(read_fd: int, write_fd: int) -> None:
    """The child's loop: run each function received until the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; the child ends with it
    import pipeline.read.docx  # noqa: F401 -- the readers' imports must not count against a file's time limit
    import pipeline.read.pdf  # noqa: F401
    import pipeline.read.pdf_pdfium  # noqa: F401
    import pipeline.read.text  # noqa: F401

    connection = _DuplexPipe(read_fd, write_fd)
    try:
        connection.send("ready")
        while True:
            connection.send(_run(connection.recv))
    except (EOFError, OSError):  # the parent is gone (finished, killed, or it killed us)
        return


def _run(receive: Callable[[], tuple]) -> tuple:
    """Receive one call, run it, and return the reply to send back."""
    try:
        function, args = receive()
    except (EOFError, OSError):
        raise
    except Exception as exc:  # a function that cannot be imported here
        return False, ("error", f"{type(exc).__name__}: {exc}", None)
    try:
        return True, function(*args)
    except ReadError as exc:
        return False, ("read_error", str(exc), exc.status.value)
    except Exception as exc:
        return False, ("error", f"{type(exc).__name__}: {exc}", None)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
