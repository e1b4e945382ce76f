"""What a process forked without exec does first, so that it starts as clean as a new process:
used by the crawl launcher (``schedule/launcher.py``, a crawl per fork) and the crawl's archive
writer (``crawl/writer.py``, forked from the crawl). Also what a helper started with exec needs
so as not to outlive its parent (:func:`parent_death_signal`, for ``pagetrail serve``'s pywb).

A fork copies every lock as it is at that instant, and a lock another thread held (the allocator's,
logging's, the import lock) stays held in the child forever: fork only where
:func:`single_threaded` says so. Imports nothing from pagetrail.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

# The forked archive writer's copies of its parent's logging handlers: kept referenced, so that
# detaching them (fresh_logging) frees nothing, and no file object of the parent is flushed or
# closed in the child (its descriptor number may already name one of the child's files).
_DETACHED: list[list[logging.Handler]] = []


def single_threaded() -> bool:
    """This process has one thread (C-level threads included: the kernel's count) and it is the
    main thread, on Linux; elsewhere False (fork stays off where /proc cannot say)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


#: prctl(2)'s option that has the kernel signal a process when its parent ends.
_PR_SET_PDEATHSIG = 1


def parent_death_signal(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen`` that has Linux send ``sig`` to the child when
    this process ends, however it ends (SIGKILL included), for a helper that nothing else tells
    (pywb's stdin is /dev/null). None where that is not possible (not Linux, no prctl) or not
    safe: a preexec_fn runs between fork and exec, where a lock another thread held would stay
    held, so only a single-threaded process gets one. The signal comes when the thread that
    started the child ends: call this from the main thread."""
    if not sys.platform.startswith("linux") or not single_threaded():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the signal was armed
            os.kill(os.getpid(), sig)

    return arm


def close_fds_except(keep: Iterable[int]) -> None:
    """Close every descriptor above stdio but ``keep`` (marked inheritable), as Popen(close_fds=True)
    does; a pipe's reader sees EOF only once every copy of its write end is closed."""
    lowest = 3
    for fd in sorted(keep):
        os.closerange(lowest, fd)
        os.set_inheritable(fd, True)
        lowest = fd + 1
    os.closerange(lowest, os.sysconf("SC_OPEN_MAX"))


def default_signals() -> None:
    """The signal dispositions of a new interpreter: every handler the parent installed in Python
    (Scrapy's SIGINT/SIGTERM, the reactor's SIGCHLD and wake-up descriptor) back to the default,
    SIGPIPE and SIGXFSZ ignored (Python's start-up does so; the parent may have reset SIGPIPE), and
    what the parent ignored still ignored, as across exec. Call with signals blocked (see
    :func:`signals_blocked`), so that no parent handler runs in the child before this."""
    signal.set_wakeup_fd(-1)
    for sig in signal.valid_signals():
        try:
            if callable(signal.getsignal(sig)):
                signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # SIGKILL, SIGSTOP and the like
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


@contextmanager
def signals_blocked() -> Iterator[set[signal.Signals]]:
    """Every signal held back (and delivered at the end) around a fork, so that the child resets
    its handlers before any can run the parent's code; gives the mask to restore in the child."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        yield previous
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def fresh_logging() -> None:
    """No logging handler of the parent's in the child: records go where a new process sends them
    (logging's last-resort handler, to stderr), never through a handler whose file was closed."""
    loggers = [logging.root, *(logger for logger in logging.root.manager.loggerDict.values()
                               if isinstance(logger, logging.Logger))]
    for logger in loggers:
        if logger.handlers:
            _DETACHED.append(list(logger.handlers))
            for handler in _DETACHED[-1]:
                logger.removeHandler(handler)

