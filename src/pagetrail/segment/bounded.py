"""A hard bound on segmentation time: ``segment_bounded`` segments a page in a worker process and
kills it when the page takes longer than the bound.

The pipeline's own time budget is checked between steps, so one slow step (trafilatura's
extraction, a metadata XPath over 15,000 comments) could still run for minutes, and a crawl's
change step, and with it every seed the daemon has queued behind it, waited. A worker process is
the only way to stop a C-level call (libxml2, lxml XPath) part-way. The worker is forked once and
reused; a page over the bound raises :class:`SegmentTooLarge` and the next page gets a new worker.

Bounds: PAGETRAIL_SEGMENT_TIMEOUT (seconds, default :data:`TIMEOUT`; 0 segments in-process
without a bound) and PAGETRAIL_SEGMENT_MAX_ELEMENTS (segment/parse.py).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection

from pagetrail.segment.decode import SegmentError, SegmentTooLarge
from pagetrail.segment.model import Snapshot

__all__ = ["TIMEOUT", "SegmentTooLarge", "segment_bounded", "timeout", "use_forkserver"]

_BOUNDS = "PAGETRAIL_SEGMENT_"

#: Seconds one page may take to segment (a page of ordinary size takes well under one).
TIMEOUT = 20.0


def timeout() -> float:
    """The bound in force: PAGETRAIL_SEGMENT_TIMEOUT when set to a number, else TIMEOUT."""
    try:
        return max(0.0, float(os.environ.get("PAGETRAIL_SEGMENT_TIMEOUT", TIMEOUT)))
    except ValueError:
        return TIMEOUT


def _serve(conn: Connection, parents_end: Connection) -> None:
    """The worker: segment each page sent, answer ("ok", Snapshot) or ("error", exception).
    ``parents_end``: the parent's end of the pipe, closed here at once (a fork copies it): while
    the worker held a copy, a parent killed by SIGKILL never gave it end-of-file, and the worker
    lived on for good, holding what it inherited (the flock of the WARC file the change step had
    open, so that no later writer could repair, resume or close that file)."""
    parents_end.close()
    from pagetrail.segment import segment

    # A forked worker inherits the parent's Python signal handlers (Scrapy's shutdown handler on
    # SIGTERM would keep it alive when the parent ends it). Ctrl-C is the parent's to handle.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            html, url, rules, content_type, bounds = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        for name in [n for n in os.environ if n.startswith(_BOUNDS) and n not in bounds]:
            del os.environ[name]
        os.environ.update(bounds)  # the parent's PAGETRAIL_SEGMENT_* now, not at the fork
        try:
            answer = ("ok", segment(html, url, rules, content_type=content_type))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent as it is
            answer = ("error", exc if isinstance(exc, SegmentError) else
                      SegmentError(f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]))
        conn.send(answer)


_method: str | None = None  # how workers start; None: fork where there is fork


def use_forkserver() -> None:
    """From now on, start workers from a clean single-threaded process (``forkserver``): for a
    process whose threads work at the same time, as the web app's request threads do. A fork
    copies each lock as it is at that instant, and one that another thread held (the allocator's,
    logging's) is never released in the child, which then hangs until the bound (seen as
    "too large to segment" for an ordinary page in ``pagetrail serve`` under load)."""
    global _method
    if "forkserver" in multiprocessing.get_all_start_methods():
        _method = "forkserver"


class _NoWorker(Exception):
    """The worker process could not be started."""


class _Worker:
    def __init__(self) -> None:
        self.proc: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.lock = threading.Lock()

    def _start(self) -> None:
        # fork: the worker starts at once with the segmenter already imported (spawn would
        # import lxml, trafilatura and EasyList again, a second or more per new worker)
        import pagetrail.segment.pipeline  # noqa: F401 - imported once, here, for every worker

        method = _method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":  # the server imports the segmenter once; workers fork from it
            ctx.set_forkserver_preload(["pagetrail.segment.pipeline"])
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(theirs, ours), name="pagetrail-segment", daemon=True)
        proc.start()
        theirs.close()
        self.proc, self.conn = proc, ours

    @staticmethod
    def _send(conn: Connection, args: tuple) -> None:
        try:
            conn.send(args)
        except (OSError, ValueError):
            pass  # the worker was killed: the caller has already given up on it

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def segment(self, args: tuple, limit: float) -> Snapshot:
        with self.lock:
            if self.proc is not None and os.getpid() != self._owner:
                self.proc = self.conn = None  # a forked copy of us: that worker is not ours
            if self.proc is None or not self.proc.is_alive():
                self.stop()
                self._owner = os.getpid()
                try:
                    self._start()
                except OSError as exc:  # no process to be had (EAGAIN, ENOMEM): not the page's fault
                    raise _NoWorker(str(exc)) from None
            assert self.conn is not None
            # Sent from a thread: a big page fills the pipe, and a worker that does not read
            # must not hold the caller past the bound either.
            deadline = time.monotonic() + limit
            sender = threading.Thread(target=self._send, args=(self.conn, args), daemon=True)
            sender.start()
            sender.join(limit)
            try:
                ready = not sender.is_alive() and self.conn.poll(max(0.0, deadline - time.monotonic()))
            except (OSError, EOFError):
                ready = False
            if not ready:
                died = self.proc is not None and not self.proc.is_alive()
                self.stop()
                if died:
                    raise SegmentError("the segmenter's worker process died on this page")
                raise SegmentTooLarge(f"too large to segment: took more than {limit:g} s "
                                      "(bound PAGETRAIL_SEGMENT_TIMEOUT)")
            try:
                status, value = self.conn.recv()
            except (OSError, EOFError):
                self.stop()
                raise SegmentError("the segmenter's worker process died on this page") from None
        if status == "ok":
            return value
        raise value

    _owner = -1


_WORKER = _Worker()
# Ended before multiprocessing's own exit handler, which would wait for it to finish its page.
atexit.register(lambda: _WORKER.stop() if os.getpid() == _WORKER._owner else None)


def segment_bounded(html: bytes, url: str, rules=None, content_type: str | None = None,  # noqa: ANN001
                    limit: float | None = None) -> Snapshot:
    """``segment(html, url, rules, content_type)`` under a hard time bound (``limit`` seconds,
    :func:`timeout` when not given). Raises SegmentTooLarge for a page over the time or element
    bound, SegmentError for a body that is not text; never hangs past the bound."""
    limit = timeout() if limit is None else limit
    if not limit:
        from pagetrail.segment import segment

        return segment(html, url, rules, content_type=content_type)
    bounds = {k: v for k, v in os.environ.items() if k.startswith(_BOUNDS)}
    try:
        return _WORKER.segment((html, url, rules, content_type, bounds), limit)
    except _NoWorker:
        from pagetrail.segment import segment

        return segment(html, url, rules, content_type=content_type)  # bounded by its steps' checks only
