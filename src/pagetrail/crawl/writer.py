"""Where the crawl's archive runs (``PAGETRAIL_ARCHIVE_WRITER``): in a process of its own (the
default), in a thread of its own, or inline in the reactor's thread.

All three take the same calls, by Archive method name, and answer them in the order they were
made, so records land in the WARC file in the order the responses arrived, and a conditional
request always sees the captures recorded before it.

- ``process``: ``pagetrail.archive.worker`` in a child process. Gzip, digests, the WARC write and
  the catalog's SQLite work run on another core while the reactor keeps downloading; the crawl
  only pickles each Exchange into a pipe (see bench/archive_overhead.py for what that saves). A
  crawl killed mid-way closes the pipe and the worker still writes and closes what it received.
  The worker is forked from the crawl when the crawl has a single thread (on spider_opened it
  has: the reactor starts its thread pool at the first DNS lookup), so it starts with the archive
  code imported instead of importing it again (~0.2 s of CPU per crawl); with another thread
  running, a fork could copy a lock that thread holds, so it is started with exec instead.
  Forking at that moment, not before the reactor starts, keeps it where the archive is opened
  and lets the same check guard every caller (a crawl run from ``scrapy crawl`` too).
- ``thread``: one thread; helps only when the disk is slow (the archive's Python work holds
  the GIL).
- ``inline``: the simplest, and what a custom ``PAGETRAIL_ARCHIVE_CLASS`` that cannot be imported
  by name in another process needs.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool

from pagetrail import forking
from pagetrail.archive import worker as protocol
from pagetrail.errors import ArchiveError

T = TypeVar("T")
MODES = ("process", "thread", "inline")


class InlineArchive:
    """The archive object itself, called in the reactor's thread."""

    def __init__(self, class_path: str, root: Path, options: dict[str, Any]) -> None:
        self.class_path, self.root, self.options = class_path, root, options
        self.archive = None

    def open(self) -> None:
        if self.archive is None:
            archive = load_object(self.class_path)(self.root, **self.options)
            self.archive = archive.__enter__()

    def call_and_wait(self, name: str, *args: Any) -> Any:
        self.open()
        return getattr(self.archive, name)(*args)

    async def call(self, name: str, *args: Any) -> Any:
        return self.call_and_wait(name, *args)

    def close(self) -> None:
        if self.archive is not None:
            archive, self.archive = self.archive, None
            archive.__exit__(None, None, None)


class ThreadArchive:
    """The archive object in one thread of its own."""

    def __init__(self, class_path: str, root: Path, options: dict[str, Any]) -> None:
        self.inline = InlineArchive(class_path, root, options)
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="pagetrail-archive")
        self.pool.start()

    def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        done = threading.Event()
        outcome: list = []

        def finished(ok: bool, result: Any) -> None:
            outcome.append((ok, result))
            done.set()

        self.pool.callInThreadWithCallback(finished, fn, *args)
        done.wait()
        ok, result = outcome[0]
        if not ok:
            result.raiseException()  # a twisted Failure
        return result

    def open(self) -> None:
        self._in_thread(self.inline.open)

    def call_and_wait(self, name: str, *args: Any) -> Any:
        return self._in_thread(self.inline.call_and_wait, name, *args)

    async def call(self, name: str, *args: Any) -> Any:
        from twisted.internet import reactor

        return await maybe_deferred_to_future(
            threads.deferToThreadPool(reactor, self.pool, self.inline.call_and_wait, name, *args))

    def close(self) -> None:
        try:
            self._in_thread(self.inline.close)
        finally:
            self.pool.stop()


class ProcessArchive:
    """The archive in ``pagetrail.archive.worker``, in a child process."""

    def __init__(self, class_path: str, root: Path, options: dict[str, Any]) -> None:
        self.class_path, self.root, self.options = class_path, root, options
        self.proc: subprocess.Popen | _Forked | None = None
        self._pending: deque[list] = deque()  # [done, ok, value, deferred] per request, in order
        self._buffer = bytearray()
        self._reader = None
        self._dead: str | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def open(self) -> None:
        if self.proc is not None:
            return
        requests_in, self._out = os.pipe()
        self._in, replies_out = os.pipe()
        try:
            self.proc = _forked_worker(requests_in, replies_out)
            if self.proc is None:
                package_root = str(Path(protocol.__file__).resolve().parents[2])
                env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                    filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "pagetrail.archive.worker", str(requests_in),
                     str(replies_out)], pass_fds=(requests_in, replies_out), env=env)
        finally:
            os.close(requests_in)
            os.close(replies_out)
        os.set_blocking(self._in, False)
        try:
            self.call_and_wait("open", self.class_path, str(self.root), self.options,
                               list(sys.path))
        except Exception as exc:
            self._dead = str(exc)  # every later call fails with the same line
            raise
        self._watch()

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            if self._dead is None:
                self.call_and_wait("close")
        finally:
            self._unwatch()
            os.close(self._out)
            os.close(self._in)
            self.proc.wait()
            self.proc = None

    # -- calls ----------------------------------------------------------------------------------
    def _send(self, message: Any, deferred: defer.Deferred | None = None) -> list:
        if self._dead is not None:
            raise ArchiveError(self._dead)
        slot = [False, False, None, deferred]
        self._pending.append(slot)
        data = memoryview(protocol.encode(message))
        try:
            while data:
                data = data[os.write(self._out, data):]
        except BrokenPipeError:
            self._died()
        return slot

    def call_and_wait(self, name: str, *args: Any) -> Any:
        message = (name, *args) if name == "open" else (name, args)
        slot = self._send(message)
        while not slot[0]:
            select.select([self._in], [], [])
            self._drain()
        if not slot[1]:
            raise slot[2]
        return slot[2]

    async def call(self, name: str, *args: Any) -> Any:
        d = defer.Deferred()
        self._watch()
        self._send((name, args), d)
        return await maybe_deferred_to_future(d)

    # -- replies --------------------------------------------------------------------------------
    def _drain(self) -> None:
        """Read the replies that have arrived and settle their requests, oldest first."""
        ended = False
        while True:
            try:
                chunk = os.read(self._in, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                ended = True
                break
            self._buffer += chunk
        header = protocol.HEADER.size
        while len(self._buffer) >= header and self._pending:
            (size,) = protocol.HEADER.unpack_from(self._buffer)
            if len(self._buffer) < header + size:
                break
            status, value = pickle.loads(self._buffer[header:header + size])
            del self._buffer[:header + size]
            self._settle(self._pending.popleft(), status == "ok", value)
        if ended:
            self._died()

    def _settle(self, slot: list, ok: bool, value: Any) -> None:
        slot[0:3] = [True, ok, value]
        deferred = slot[3]
        if deferred is not None:
            if ok:
                deferred.callback(value)
            else:
                deferred.errback(value)

    def _died(self) -> None:
        code = self.proc.poll() if self.proc is not None else None
        self._dead = (f"{self.root}: the archive writer process exited"
                      + (f" (code {code})" if code is not None else ""))
        self._unwatch()
        while self._pending:
            self._settle(self._pending.popleft(), False, ArchiveError(self._dead))

    def _watch(self) -> None:
        from twisted.internet import reactor

        if self._reader is None and reactor.running:
            self._reader = _Readable(self._in, self._drain)
            reactor.addReader(self._reader)

    def _unwatch(self) -> None:
        from twisted.internet import reactor

        if self._reader is not None:
            reactor.removeReader(self._reader)
            self._reader = None


def _forked_worker(requests_in: int, replies_out: int) -> _Forked | None:
    """``pagetrail.archive.worker`` forked from this process, which has imported the archive code
    already (a crawl has; the worker started with exec spent ~0.2 s of CPU importing it again); None
    where fork is not safe: another thread exists (it may hold a lock the child would need), or no
    /proc to count them, and the caller starts it with exec. A crawl calls this on spider_opened,
    when the reactor has started no thread yet (DNS lookups start its pool later)."""
    if not forking.single_threaded():
        return None
    with forking.signals_blocked() as mask:
        pid = os.fork()
        if pid == 0:
            _become_worker(requests_in, replies_out, mask)  # never returns
    return _Forked(pid)


def _become_worker(requests_in: int, replies_out: int, mask: set[signal.Signals]) -> None:
    """The forked child: the exec'd worker's state (its two pipes and stdio, a new process's signal
    dispositions and logging), then the worker's own main; ended by os._exit, so that nothing of the
    crawl's runs here: no atexit handler, no flush of its buffered output, no reactor."""
    code = 1
    try:
        # The crawl's objects are never collected here: a collection would walk (and so copy)
        # every memory page they share with the crawl (one-page crawls: 1.06 s of CPU each
        # without this, 0.87 s with it; bench/daemon_crawl_cpu.py --plain), and the finalizer of
        # one left in a cycle (a socket) would close a descriptor number the archive may have
        # opened since.
        gc.freeze()
        forking.default_signals()
        # Before the mask is restored, not only in main() (which sets the same again): a SIGINT
        # or SIGTERM held back during the fork is delivered then and must find it ignored.
        protocol.ignore_stop_signals()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # the crawl's, as exec would keep it
        forking.fresh_logging()
        forking.close_fds_except((requests_in, replies_out))
        code = protocol.main([str(requests_in), str(replies_out)])
    except BaseException:  # noqa: BLE001 - reported as the exec'd worker's interpreter would
        os.write(2, traceback.format_exc().encode(errors="replace"))
    finally:
        os._exit(code)


class _Forked:
    """The forked worker, with the part of :class:`subprocess.Popen` used here."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def _reaped(self, flags: int) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:  # reaped by someone else: Popen says 0 then too
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self._reaped(os.WNOHANG)

    def wait(self) -> int:
        return self._reaped(0)


class _Readable:
    """The reply pipe as a Twisted read descriptor."""

    def __init__(self, fd: int, on_read: Callable[[], None]) -> None:
        self.fd, self.on_read = fd, on_read

    def fileno(self) -> int:
        return self.fd

    def doRead(self) -> None:  # noqa: N802 - Twisted's IReadDescriptor
        self.on_read()

    def connectionLost(self, reason: Any) -> None:  # noqa: N802
        pass

    def logPrefix(self) -> str:  # noqa: N802
        return "pagetrail-archive-worker"


def archive_options(settings) -> dict[str, Any]:  # noqa: ANN001 - scrapy Settings
    """The ``Archive`` options a crawl's settings ask for, the same for every archive object a
    crawl opens (the middleware's, the rendering step's, the change step's), so all of them
    write to one stream of WARC files. Options at their defaults are left out, so that a
    ``PAGETRAIL_ARCHIVE_CLASS`` without them still works."""
    options: dict[str, Any] = {
        "prefix": settings.get("PAGETRAIL_WARC_PREFIX", "pagetrail"),
        "max_file_size": settings.getint("PAGETRAIL_WARC_MAX_SIZE", 1024**3),
    }
    if settings.getbool("PAGETRAIL_ARCHIVE_DURABLE", False):
        options["durable"] = True
    max_age = settings.getfloat("PAGETRAIL_WARC_MAX_AGE", 0)
    if max_age > 0:
        options["max_file_age"] = max_age
    if settings.getbool("PAGETRAIL_WARC_APPEND", False):
        options["keep_open"] = True
    # The catalog's URL (`pagetrail crawl --catalog`); without it the Archive reads
    # $PAGETRAIL_CATALOG itself. A setting Scrapy does not define, so its "Overridden settings"
    # log line never shows it (nor the password in it).
    if settings.get("PAGETRAIL_CATALOG"):
        options["catalog"] = settings.get("PAGETRAIL_CATALOG")
    return options


def archive_writer(mode: str, class_path: str | type, root: Path, options: dict[str, Any]):  # noqa: ANN201
    """The writer for ``PAGETRAIL_ARCHIVE_WRITER``; a class defined in a ``__main__`` script
    cannot be imported by another process, so it is run inline."""
    if mode not in MODES:
        raise ArchiveError(f"PAGETRAIL_ARCHIVE_WRITER: {mode!r} is not one of {', '.join(MODES)}")
    if mode == "process" and (not isinstance(class_path, str) or class_path.startswith("__main__.")):
        mode = "inline"
    kind = {"process": ProcessArchive, "thread": ThreadArchive, "inline": InlineArchive}[mode]
    return kind(class_path, root, options)
