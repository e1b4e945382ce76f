"""Run the archive in one thread of its own, so WARC writing and catalog updates do not hold up
Twisted's reactor (which keeps downloading while a record is written).

All calls into the archive go through this one thread, in the order they are made: the archive and
its SQLite connection are created, used and closed there, and records land in the WARC file in
the order the responses arrived.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.python.threadpool import ThreadPool

T = TypeVar("T")


class ArchiveThread:
    def __init__(self) -> None:
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="pagetrail-archive")
        self.pool.start()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the archive thread; the reactor stays free meanwhile."""
        from twisted.internet import reactor

        return await maybe_deferred_to_future(threads.deferToThreadPool(reactor, self.pool, fn, *args))

    def call_and_wait(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the archive thread and block until it is done (open and close)."""
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

    def stop(self) -> None:
        self.pool.stop()
