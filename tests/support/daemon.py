"""Helpers for the scheduler, daemon, notification and demo tests (no tests here).

A local site that records how many requests per path are in flight at once, a webhook sink, and a
handle on a ``python -m pagetrail run`` subprocess whose log can be polled.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARCIO = Path(sys.executable).with_name("warcio")
TIMEOUT = 60.0  # generous: the machine is shared; nothing here measures time


def wait_for(predicate, timeout: float = TIMEOUT, what: str = "condition", interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def children_of(pid: int) -> list[int]:
    """The pids of ``pid``'s live children (from /proc: a daemon's launcher, a launcher's crawls)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


class RecordingSite:
    """Serves a different small HTML page on every GET of any path, slowly, and records per path
    the requests in flight, the most ever in flight at once, and the responses completed. A path
    that is ``hold()``-en is answered only once it is ``release()``-d: a crawl stays busy for as
    long as a test needs, whatever the machine's speed."""

    def __init__(self, delay: float = 0.5):
        self.delay = delay
        self.held: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.active: dict[str, int] = defaultdict(int)
        self.max_active: dict[str, int] = defaultdict(int)
        self.completed: dict[str, int] = defaultdict(int)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # noqa: ANN002
                pass

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                with site.lock:
                    site.active[path] += 1
                    site.max_active[path] = max(site.max_active[path], site.active[path])
                    serial = site.completed[path] + site.active[path]
                try:
                    gate = site.held.get(path)
                    if gate is not None:
                        gate.wait(TIMEOUT)
                    else:
                        time.sleep(site.delay)
                    body = (f"<html><head><title>{path}</title></head><body><article><p>Page {path} "
                            f"version {serial}.</p></article></body></html>").encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    with site.lock:
                        site.completed[path] += 1
                finally:
                    with site.lock:
                        site.active[path] -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hold(self, path: str) -> None:
        self.held[path] = threading.Event()

    def release(self, path: str) -> None:
        self.held.pop(path).set()

    def in_flight(self) -> int:
        with self.lock:
            return sum(self.active.values())

    def count(self, path: str) -> int:
        with self.lock:
            return self.completed[path]

    def close(self) -> None:
        for gate in self.held.values():
            gate.set()
        self.server.shutdown()
        self.server.server_close()


class WebhookSink:
    """Records the JSON bodies POSTed to it. It answers ``status``, or 500 to the first
    ``fail_first`` requests; ``attempts`` counts every request."""

    def __init__(self, status: int = 200, fail_first: int = 0):
        self.status = status
        self.fail_first = fail_first
        self.attempts = 0
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.raw: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # noqa: ANN002
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.attempts += 1
                status = 500 if sink.attempts <= sink.fail_first else sink.status
                if status == 200:
                    sink.raw.append(body)
                    sink.headers.append(dict(self.headers))
                    sink.received.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port_url(path: str = "/hook") -> str:
    """A loopback URL where nothing listens."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def seed_toml(seeds: list[dict]) -> str:
    out = []
    for seed in seeds:
        out.append("[[seed]]")
        for key, value in seed.items():
            out.append(f"{key} = {json.dumps(value)}")
        out.append("")
    return "\n".join(out)


def write_seeds(path: Path, seeds: list[dict]) -> None:
    """Write a seed file so that its mtime surely changes (editors replace files the same way)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(seed_toml(seeds), encoding="utf-8")
    before = path.stat().st_mtime_ns if path.exists() else 0
    os.replace(tmp, path)
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


class Daemon:
    """``python -m pagetrail run ...`` as a subprocess, its log in a file."""

    def __init__(self, tmp: Path, *args: str, tag: str = "daemon"):
        self.log_path = tmp / f"{tag}.log"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pagetrail", "run", *args],
            cwd=tmp, stdout=self.log_file, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, count: int = 1, timeout: float = TIMEOUT) -> str:
        def seen() -> bool:
            if self.proc.poll() is not None and self.log().count(text) < count:
                raise AssertionError(f"daemon exited ({self.proc.returncode}):\n{self.log()}")
            return self.log().count(text) >= count

        try:
            wait_for(seen, timeout, f"{text!r} x{count} in the daemon log")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- daemon log ---\n{self.log()}") from None
        return self.log()

    def send(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = TIMEOUT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log_file.close()


def check_archive(archive: Path, catalog: str | None = None) -> list:
    """Every WARC closed and valid (``warcio check``), and every catalog row readable from its
    WARC file (``catalog``: a --catalog URL, else the archive's SQLite catalog). Returns the
    catalog's captures."""
    from pagetrail.archive import Archive

    assert not list(archive.glob("*.open")), f"left open: {list(archive.glob('*.open'))}"
    warcs = sorted(archive.glob("*.warc.gz"))
    assert warcs
    # One `warcio check` for all files (it names each file it finds a problem in), not a Python
    # start (~0.1 s CPU) per file.
    result = subprocess.run([str(WARCIO), "check", *map(str, warcs)], capture_output=True, text=True)
    assert result.returncode == 0, f"warcio check: {result.stdout}{result.stderr}"
    store = Archive(archive, catalog=catalog)
    try:
        captures = store.captures()
        for capture in captures:
            if capture.kind == "failed":
                continue
            assert capture.warc_file and (archive / capture.warc_file).exists(), capture
            store.read_payload(capture)
    finally:
        store.close()
    return captures


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 with a free port; ``messages`` holds each mail
    as an ``email.message.EmailMessage``."""

    def __init__(self):
        import asyncio
        import email
        import email.policy

        from aiosmtpd.smtp import SMTP

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
                sink.messages.append(email.message_from_bytes(envelope.content,
                                                              policy=email.policy.default))
                return "250 OK"

        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: SMTP(Handler()), "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def url(self, to: str = "team@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=pagetrail@example.org&to={to}"

    def close(self) -> None:
        import asyncio

        async def shut() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
