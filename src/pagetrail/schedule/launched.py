"""The daemon's and the workers' side of the crawl launcher (:mod:`pagetrail.schedule.launcher`):
start it once, hand it each crawl, and give :class:`~pagetrail.schedule.child.ChildCrawl` a
process handle with the part of Popen's interface it uses.

Any failure of the launcher (it cannot start, dies, or stops answering) is logged once and every
later crawl is started the plain way, as a new ``python -m pagetrail crawl`` process.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import weakref

from pagetrail.forking import die_with_parent
from pagetrail.schedule.launcher import MAX_FDS, MAX_MESSAGE

log = logging.getLogger("pagetrail.schedule")

COMMAND = (sys.executable, "-m", "pagetrail.schedule.launcher")
# Importing the crawl modules takes ~0.6 s of CPU; a machine loaded many times over can take far
# longer, and a launcher that is that slow is not worth waiting for.
READY_TIMEOUT = 120.0


class Launcher:
    """One launcher process for a daemon or a worker, started on its first crawl; ``close()`` ends
    it. Thread-safe: crawls are started from several threads."""

    def __init__(self, command: tuple[str, ...] = COMMAND):
        self.command = command
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen | None = None
        self._state = "new"  # -> ready -> closed; failed: crawls start the plain way
        self._env: dict[str, str] = {}
        self._cwd = ""
        self._mismatch_told = False
        _OWNED.add(self)

    def spawn(self, argv: list[str], env: dict[str, str], stderr: int,
              pass_fds: tuple[int, ...] = ()) -> LaunchedProcess | None:
        """Fork ``argv`` (``python -m pagetrail ...``) from the launcher with stdin /dev/null,
        stdout a pipe and ``stderr``; None: start it the plain way. Raises OSError when the fork
        itself failed, as Popen would."""
        try:
            cwd = os.getcwd()
        except OSError:  # the folder was removed: a new process copes (it inherits it as it is)
            return None
        with self._lock:
            if self._state == "new" and not hasattr(os, "pidfd_open"):
                self._state = "unsupported"  # not Linux: crawls are new processes, as ever
            if self._state == "new":
                self._start(env, cwd)
            if self._state != "ready" or len(pass_fds) > MAX_FDS - 4:
                return None
            if env != self._env or cwd != self._cwd:
                # What modules read from the environment when imported is the launcher's.
                if not self._mismatch_told:
                    self._mismatch_told = True
                    log.info("crawl environment or folder changed since the crawl launcher "
                             "started: such crawls start as new processes")
                return None
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            out_read, out_write = os.pipe()
            devnull = os.open(os.devnull, os.O_RDONLY)
            request = json.dumps({"argv": list(argv), "env": env, "cwd": cwd}).encode()
            try:
                assert self._sock is not None
                socket.send_fds(self._sock, [request],
                                [theirs.fileno(), devnull, out_write, stderr, *pass_fds])
            except OSError as exc:
                mine.close()
                os.close(out_read)
                self._fail(f"cannot be reached ({exc})")
                return None
            finally:
                theirs.close()
                os.close(devnull)
                os.close(out_write)
        try:
            data, fds, _, _ = socket.recv_fds(mine, MAX_MESSAGE, 1)
        except OSError:
            data, fds = b"", []
        answer = json.loads(data) if data else {}
        if "pid" not in answer or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            mine.close()
            os.close(out_read)
            if "error" in answer:
                raise OSError(f"crawl launcher: {answer['error']}")
            with self._lock:
                self._fail("died")
            return None
        return LaunchedProcess(argv, answer["pid"], fds[0], mine, out_read)

    def close(self) -> None:
        """End the launcher (crawls it started are over by then; any left get SIGTERM)."""
        with self._lock:
            if self._state in ("ready", "new"):
                self._state = "closed"
            if self._sock is not None:
                self._sock.close()
                self._sock = None
        if self._proc is not None:
            self._proc.wait()

    def _forget(self) -> None:
        """In a child forked from the owner: close this copy of the socket, use no launcher."""
        self._lock = threading.Lock()  # another thread may have held it at the fork
        self._state = "closed"
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _start(self, env: dict[str, str], cwd: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock, self._env, self._cwd = ours, dict(env), cwd
        started, ended = threading.Event(), threading.Event()

        def keep() -> None:
            # The launcher gets SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG
            # follows threads), so this thread lives as long as it does.
            try:
                self._proc = subprocess.Popen(
                    [*self.command, str(theirs.fileno()), str(os.getpid())], env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    pass_fds=(theirs.fileno(),), start_new_session=True,
                    preexec_fn=die_with_parent)
            except OSError as exc:
                self._start_error = exc
                return
            finally:
                started.set()
            self._told = self._proc.stderr.read() if self._proc.stderr else b""
            self._proc.wait()
            ended.set()
            with self._lock:
                if self._state == "ready":
                    self._fail(f"died ({_status(self._proc.returncode)}{_last_line(self._told)})")

        self._start_error: OSError | None = None
        self._told = b""
        threading.Thread(target=keep, name="pagetrail-launcher", daemon=True).start()
        started.wait()
        theirs.close()
        if self._start_error is not None:
            self._fail(f"could not start ({self._start_error})")
            return
        ours.settimeout(READY_TIMEOUT)
        try:
            ready = ours.recv(MAX_MESSAGE)
        except OSError as exc:  # socket.timeout included
            ready = b""
            if self._proc is not None:
                self._proc.kill()
            reason = f"did not get ready ({exc or 'timed out'})"
        else:
            reason = ""
        ours.settimeout(None)
        if not ready:
            ended.wait()
            assert self._proc is not None
            self._fail(reason or f"could not start ({_status(self._proc.returncode)}"
                                 f"{_last_line(self._told)})")
            return
        self._state = "ready"
        log.debug("crawl launcher ready (pid %s)", json.loads(ready).get("ready"))

    def _fail(self, why: str) -> None:
        """Called with the lock held: log once, start later crawls the plain way."""
        if self._state in ("failed", "closed"):
            return
        self._state = "failed"
        log.warning("crawl launcher %s: crawls start as new processes from now on", why)
        if self._sock is not None:
            self._sock.close()
            self._sock = None


# The launchers of this process, for _forget_in_forks.
_OWNED: weakref.WeakSet[Launcher] = weakref.WeakSet()


def _forget_in_forks() -> None:
    """A child forked from a launcher's owner (multiprocessing's fork workers, such as the
    segmenter's) closes its copies of the launchers' sockets at once: a launcher exits when the
    last copy of its socket closes, and one held by such a child kept it, and the owner's
    ``close()`` waiting for it, alive as long as that child."""
    for launcher in list(_OWNED):
        launcher._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_forks)


def killed_by(code: int) -> str:
    """"killed by SIGKILL" for a process that a signal ended (Popen's negative return code)."""
    try:
        return f"killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _status(code: int | None) -> str:
    return killed_by(code) if code is not None and code < 0 else f"exit {code}"


def _last_line(text: bytes) -> str:
    lines = [line for line in text.decode("utf-8", "replace").splitlines() if line.strip()]
    return f": {lines[-1].strip()[:300]}" if lines else ""


class LaunchedProcess:
    """A crawl forked by the launcher, with the part of :class:`subprocess.Popen` ChildCrawl uses.
    Signals go through a pidfd: they can never reach another process that reused the pid."""

    def __init__(self, argv: list[str], pid: int, pidfd: int, reply: socket.socket, stdout: int):
        self.args = argv
        self.pid = pid
        self.returncode: int | None = None
        self.lost = False  # the launcher died before it could tell how the crawl ended
        self._pidfd: int | None = pidfd
        self._reply = reply
        self._stdout = stdout
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        with self._lock:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, sig)

    def communicate(self) -> tuple[bytes, None]:
        """Read stdout to its end, then wait for the exit status."""
        chunks = []
        while chunk := os.read(self._stdout, 65536):
            chunks.append(chunk)
        os.close(self._stdout)
        try:
            data = self._reply.recv(MAX_MESSAGE)
        except OSError:
            data = b""
        self._reply.close()
        if data:
            self.returncode = int(json.loads(data)["returncode"])
        else:
            self.lost = True  # it got SIGTERM with the launcher's death: wait until it is gone
            assert self._pidfd is not None
            select.select([self._pidfd], [], [])
        with self._lock:
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return b"".join(chunks), None
