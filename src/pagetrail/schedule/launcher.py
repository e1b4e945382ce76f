"""The crawl launcher: forks the daemon's and the workers' crawls from a process that has already
imported what ``pagetrail crawl`` needs.

A fresh ``python -m pagetrail crawl`` spends ~0.55 s of CPU importing Scrapy, Twisted, tldextract
and pagetrail's crawl and archive code, out of ~0.83 s for a one-page crawl, and the segment worker
it forks imports trafilatura; a daemon pays it on every crawl. The launcher pays it once (bench/daemon_crawl_cpu.py: each further
daemon crawl 1.05 s -> 0.39 s of CPU, whole process tree): :class:`~pagetrail.schedule.launched.Launcher`
starts it as ``python -m pagetrail.schedule.launcher FD PARENT_PID`` with the environment the
crawls get, and each crawl is a fork of it that then runs ``python -m pagetrail ARGS`` (runpy) and
ends as that process would (the interpreter's own exit: SystemExit codes, 1 and a traceback for
an uncaught exception, a fatal signal stays a signal).

The launcher imports modules only: no Twisted reactor (Scrapy installs it when a crawl starts),
no thread, no signal handler, so a fork copies no lock held by another thread and the child
starts with a fresh interpreter's signal dispositions. Python re-seeds ``random`` and re-creates
logging's locks in a forked child itself. Messages on the SOCK_SEQPACKET socket FD are JSON:

- launcher -> client, once: ``{"ready": PID}`` after the imports, or it exits with the reason on
  stderr;
- client -> launcher: ``{"argv": [...], "env": {...}, "cwd": "..."}`` with the file descriptors
  ``reply, stdin, stdout, stderr, *pass_fds`` (SCM_RIGHTS);
- launcher -> reply: ``{"pid": N}`` with a pidfd of the child (or ``{"error": "..."}``), then
  ``{"returncode": N}`` when it has ended (Popen's convention: ``-SIG`` when a signal ended it).

The launcher dies with the process that started it (SIGTERM, PR_SET_PDEATHSIG) and exits when its
socket closes; its crawls get SIGTERM when it dies, as a crawl started directly by the daemon does
when the daemon dies.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import selectors
import socket
import sys
import threading
import traceback
from types import TracebackType

from pagetrail.forking import close_fds_except, die_with, single_threaded

# What a `pagetrail crawl` process has imported when it ends (sys.modules after a one-page crawl),
# less the reactor: pagetrail's command line (with every sub-command: the parser is built from
# them all), crawl and archive code; Scrapy's engine and the components its settings name (loaded
# by name as the crawl starts); and trafilatura, which the segment worker a crawl forks imports.
# Importing them installs no reactor and starts no thread (checked by preload()).
PRELOAD = (
    "pagetrail.cli", "pagetrail.commands.args", "pagetrail.crawl.settings", "pagetrail.crawl.usersettings",
    "pagetrail.crawl.runner", "pagetrail.crawl.spider", "pagetrail.crawl.middleware",
    "pagetrail.crawl.wire.handler", "pagetrail.crawl.wire.pool", "pagetrail.crawl.wire.request",
    "pagetrail.archive", "pagetrail.archive.worker", "pagetrail.changes",
    "pagetrail.schedule.outcome", "pagetrail.segment.bounded", "pagetrail.segment.pipeline",
    "trafilatura", "tldextract", "protego", "queuelib", "ftplib", "zoneinfo",
    "multiprocessing.popen_fork", "twisted.conch.telnet",
    "scrapy.crawler", "scrapy.responsetypes", "scrapy.dupefilters", "scrapy.logformatter",
    "scrapy.pqueues", "scrapy.squeues", "scrapy.statscollectors", "scrapy.robotstxt",
    "scrapy.resolver", "scrapy.http.cookies", "scrapy.utils.engine", "scrapy.utils.request",
    *(f"scrapy.core.downloader.{name}" for name in (
        "middleware", "handlers.datauri", "handlers.file", "handlers.ftp", "handlers.s3")),
    *(f"scrapy.downloadermiddlewares.{name}" for name in (
        "cookies", "defaultheaders", "downloadtimeout", "httpauth", "httpcache",
        "httpcompression", "httpproxy", "offsite", "redirect", "retry", "robotstxt", "stats",
        "useragent")),
    *(f"scrapy.extensions.{name}" for name in (
        "closespider", "corestats", "feedexport", "logcount", "logstats", "memdebug", "memusage",
        "postprocessing", "spiderstate", "telnet", "throttle")),
    *(f"scrapy.spidermiddlewares.{name}" for name in (
        "depth", "httperror", "metacopy", "referer", "start", "urllength")),
)
MAX_MESSAGE = 1 << 20
MAX_FDS = 32  # reply, stdin, stdout, stderr and the crawl's pass_fds
def preload() -> None:
    """Import what crawls use, then keep those objects out of every child's garbage collections:
    after gc.freeze a collection in a child neither walks them nor writes to (and so copies) their
    memory pages (10 daemon crawls: 7.6 s -> 5.4 s of CPU with it)."""
    for name in PRELOAD:
        importlib.import_module(name)
    for name in importlib.import_module("pagetrail.cli").COMMANDS:
        importlib.import_module(f"pagetrail.commands.{name}")
    if "twisted.internet.reactor" in sys.modules:
        raise RuntimeError("importing the crawl modules installed a Twisted reactor")
    if not single_threaded():
        raise RuntimeError(f"importing the crawl modules started threads: {threading.enumerate()}")
    gc.collect()
    gc.freeze()


class _Running:
    """A forked crawl the launcher waits for."""

    def __init__(self, pid: int, pidfd: int, reply: socket.socket):
        self.pid, self.pidfd, self.reply = pid, pidfd, reply


class Server:
    def __init__(self, control: socket.socket):
        self.control = control
        self.pid = os.getpid()
        self.selector = selectors.DefaultSelector()
        self.running: dict[int, _Running] = {}  # by pidfd

    def serve(self) -> dict | None:
        """Fork a crawl per request until the socket closes (None). In a forked child, return its
        request, to be run by :func:`run_crawl`."""
        self.selector.register(self.control, selectors.EVENT_READ)
        while True:
            for key, _ in self.selector.select():
                if key.fileobj is self.control:
                    try:
                        data, fds, _, _ = socket.recv_fds(self.control, MAX_MESSAGE, MAX_FDS)
                    except OSError:
                        return None
                    if not data:  # the daemon closed the socket, or died
                        return None
                    request = self._fork(data, fds)
                    if request is not None:
                        return request
                else:
                    self._ended(self.running.pop(key.fd))

    def _fork(self, data: bytes, fds: list[int]) -> dict | None:
        reply = None
        stdio, keep = fds[1:4], fds[4:]
        try:
            reply = socket.socket(fileno=fds[0]) if fds else None
            request = json.loads(data)
            if reply is None or reply.type != socket.SOCK_SEQPACKET or len(stdio) != 3:
                raise ValueError("a request carries a reply socket, stdin, stdout and stderr")
            pid = os.fork()
        except Exception as exc:  # noqa: BLE001 - the client reports it as Popen's OSError
            self._send(reply, {"error": f"{type(exc).__name__}: {exc}"})
            for fd in fds[1:]:
                os.close(fd)
            if reply is not None:
                reply.close()
            return None
        if pid == 0:
            self._become_child(reply, stdio, keep, request)
            return request
        for fd in fds[1:]:  # the child has them now; a pipe's EOF must not wait for our copy
            os.close(fd)
        pidfd = os.pidfd_open(pid)  # our child: its pid cannot be reused before we reap it
        self.running[pidfd] = _Running(pid, pidfd, reply)
        self.selector.register(pidfd, selectors.EVENT_READ)
        try:
            socket.send_fds(reply, [json.dumps({"pid": pid}).encode()], [pidfd])
        except OSError:
            pass  # the client is gone: the crawl runs on; it is reaped when it ends
        return None

    def _ended(self, child: _Running) -> None:
        self.selector.unregister(child.pidfd)
        _, status = os.waitpid(child.pid, 0)
        os.close(child.pidfd)
        self._send(child.reply, {"returncode": os.waitstatus_to_exitcode(status)})
        child.reply.close()

    @staticmethod
    def _send(reply: socket.socket | None, message: dict) -> None:
        if reply is not None:
            try:
                reply.send(json.dumps(message).encode())
            except OSError:
                pass

    def _become_child(self, reply: socket.socket, stdio: list[int], keep: list[int],
                      request: dict) -> None:
        """In the forked child: a session of its own, the request's stdio, its pass_fds and no
        other descriptor of the launcher's, SIGTERM when the launcher dies."""
        try:
            os.setsid()
            die_with(self.pid)
            for target, fd in enumerate(stdio):
                os.dup2(fd, target)
            # Through their owners, so that no object is left to close a number reused later.
            self.selector.close()
            self.control.close()
            reply.close()
            for child in self.running.values():
                os.close(child.pidfd)
                child.reply.close()
            self.running.clear()
            close_fds_except(keep)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
        except BaseException:  # noqa: BLE001 - nothing may return into the launcher's loop
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)


def run_crawl(request: dict) -> None:
    """In the forked child: what ``python -m pagetrail ARGS`` runs, as its ``__main__``. Its
    SystemExit (or exception) ends this process through the interpreter's normal exit."""
    import runpy

    _, flag, module, *args = request["argv"]
    if flag != "-m":
        raise ValueError(f"the launcher runs `python -m MODULE ...` commands, not {flag!r}")
    sys.argv = ["-m", *args]  # runpy puts the module's path in argv[0]
    sys.path[0] = request["cwd"]  # `python -m` puts the working folder first on the path
    sys.excepthook = _hide_launcher_frames
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _hide_launcher_frames(kind: type[BaseException], value: BaseException,
                          tb: TracebackType | None) -> None:
    """An uncaught exception's traceback starts at the module run, as a new process's would."""
    while tb is not None and tb.tb_frame.f_code.co_filename in (__file__, "<frozen runpy>"):
        tb = tb.tb_next
    sys.__excepthook__(kind, value.with_traceback(tb), tb)  # the display reads __traceback__


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(args[0]))
    if os.getppid() != int(args[1]):  # its parent died before the preexec prctl
        return 1
    os.close(os.pidfd_open(os.getpid()))  # Linux 5.3 or later, else no launcher: said at once
    preload()
    control.send(json.dumps({"ready": os.getpid()}).encode())
    request = Server(control).serve()
    if request is None:
        return 0
    run_crawl(request)
    return 0


if __name__ == "__main__":
    sys.exit(main())
