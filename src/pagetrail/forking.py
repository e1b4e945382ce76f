"""What a process forked without exec does first, so that it starts as clean as a new process:
used by the crawl launcher (``schedule/launcher.py``, a crawl per fork) and the crawl's archive
writer (``crawl/writer.py``, forked from the crawl). Also how a child asks to end with its parent
(:func:`die_with_parent`: the daemon's crawls and launcher; :func:`parent_death_signal`:
``pagetrail serve``'s pywb).

A fork copies every lock as it is at that instant, and a lock another thread held (the allocator's,
logging's, the import lock) stays held in the child forever: fork only where
:func:`single_threaded` says so. Imports nothing from pagetrail.
"""

from __future__ import annotations

import ctypes
import functools
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


def _load_libc():  # noqa: ANN202 - ctypes.CDLL or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except Exception:  # noqa: BLE001
        return None


# Loaded before any fork: importing or loading libraries between fork and exec can deadlock.
LIBC = _load_libc()


def die_with_parent() -> None:
    """Ask for SIGTERM when the thread that started this process ends (even by SIGKILL), so that
    an orphaned crawl cannot overlap the next daemon's crawl of the same seed. Called in a new
    child, before exec (Popen's preexec_fn) or right after fork."""
    if LIBC is not None:
        LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def die_with(parent: int) -> None:
    """:func:`die_with_parent`, and SIGTERM at once if ``parent`` (the pid that forked this
    process) ended before the request took effect."""
    die_with_parent()
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def parent_death_signal() -> Callable[[], None] | None:
    """:func:`die_with` this process, as a ``preexec_fn`` for ``subprocess.Popen``, for a helper
    that nothing else tells that its parent has ended (pywb's stdin is /dev/null). None where
    that is not possible (no prctl) or not safe: a preexec_fn runs between fork and exec, where
    a lock another thread held would stay held, so only a single-threaded process gets one. The
    signal comes when the thread that started the child ends: call this from the main thread."""
    if LIBC is None or not single_threaded():
        return None
    return functools.partial(die_with, os.getpid())


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

