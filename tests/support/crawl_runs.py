"""Run `pagetrail crawl` in a child process (Twisted's reactor cannot restart inside pytest) and
read back what it wrote: the JSON summary and every WARC record."""

from __future__ import annotations

import atexit
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from pagetrail.schedule.launched import Launcher

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict:
        return json.loads(self.stdout)

    def result(self, seed: str) -> dict:
        return next(r for r in self.summary["results"] if r["seed"] == seed)

    @property
    def error_lines(self) -> list[str]:
        """The ``pagetrail: error: ...`` lines on stderr (a user error is exactly one)."""
        return [line for line in self.stderr.splitlines() if line.startswith("pagetrail: error:")]

    def one_error(self) -> str:
        """The run ended with exit status 2 and exactly one error line: that line."""
        assert self.returncode == 2, self.stderr
        assert len(self.error_lines) == 1, self.stderr
        return self.error_lines[0]


def _crawl_env() -> dict[str, str]:
    # Without PYTEST_CURRENT_TEST, which pytest changes for every test (pagetrail never reads
    # it): the crawls of every test then share the environment the launcher was started with.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return {**env, "PYTHONPATH": str(ROOT / "src")}


# The environment when the test modules are collected, before any test's monkeypatch: the one the
# test process's crawl launcher is started with.
_LAUNCH_ENV = _crawl_env()
_launcher: Launcher | None = None
_launcher_lock = threading.Lock()


def crawl(*args: str | Path, cwd: Path = ROOT, fresh: bool = False) -> CrawlRun:
    """``python -m pagetrail crawl ARGS...`` in a child process: forked from this test process's
    crawl launcher (pagetrail.schedule.launched, as ``pagetrail run`` starts its crawls), which
    saves the ~0.5 s of CPU a new process spends importing Scrapy, Twisted, tldextract and the
    crawl code (the 17 test files that crawl, serially: 52-53 s -> 32-34 s of CPU). A crawl that
    must be a new process (``fresh``: what it checks is the process itself, such as everything
    it prints from its start), or runs in another folder or environment (what modules read when
    imported would be the launcher's), is started as ``python -m pagetrail crawl`` from
    scratch."""
    argv = [sys.executable, "-m", "pagetrail", "crawl", *map(str, args)]
    env = _crawl_env()
    if not fresh and env == _LAUNCH_ENV and str(cwd) == os.getcwd():
        run = _launched(argv, env)
        if run is not None:
            return run
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env)
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr)


def _launched(argv: list[str], env: dict[str, str]) -> CrawlRun | None:
    """The crawl forked by the launcher (started on the first one, ended when the test process
    exits); None when it cannot (the caller starts a new process)."""
    global _launcher
    with _launcher_lock:
        if _launcher is None:
            _launcher = Launcher()
            atexit.register(_launcher.close)
    # stderr to a file: the crawl log can be large, and a pipe read only after stdout's end
    # would fill up and stall the crawl.
    with tempfile.TemporaryFile() as err:
        proc = _launcher.spawn(argv, env, err.fileno())
        if proc is None:
            return None
        out, _ = proc.communicate()
        if proc.returncode is None:
            raise RuntimeError("the crawl launcher died before the crawl ended")
        err.seek(0)
        return CrawlRun(proc.returncode, _text(out), _text(err.read()))


def _text(data: bytes) -> str:
    """What subprocess.run(text=True) makes of the bytes: the locale's encoding, universal
    newlines."""
    return io.TextIOWrapper(io.BytesIO(data)).read()


def write_seeds(path: Path, seeds: list[dict], schedule: str = "1h") -> Path:
    """A seed file with one [[seed]] table per dict (values: str or bool)."""
    lines = ["[defaults]", f'schedule = "{schedule}"', ""]
    for seed in seeds:
        lines.append("[[seed]]")
        for key, value in seed.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class Rec:
    """One WARC record, read with warcio: headers, HTTP status and headers, raw payload."""

    file: str
    type: str
    warc: dict[str, str]
    status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes
    request_line: str | None = None

    def http(self, name: str) -> list[str]:
        return [v for k, v in self.http_headers if k.lower() == name.lower()]


def read_records(folder: Path) -> list[Rec]:
    records = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=False):
                http = record.http_headers
                status = None
                request_line = None
                if http is not None and record.rec_type in ("response", "revisit"):
                    status = int(http.get_statuscode())
                elif http is not None and record.rec_type == "request":
                    request_line = f"{http.protocol} {http.statusline}"
                records.append(Rec(
                    file=path.name,
                    type=record.rec_type,
                    warc=dict(record.rec_headers.headers),
                    status=status,
                    http_headers=list(http.headers) if http is not None else [],
                    payload=record.raw_stream.read(),
                    request_line=request_line,
                ))
    return records


def warcio_check(folder: Path) -> subprocess.CompletedProcess:
    files = sorted(str(p) for p in folder.glob("*.warc.gz"))
    return subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v", *files],
                          capture_output=True, text=True)


def unexplained_warcio_failures(check: subprocess.CompletedProcess, folder: Path) -> list[str]:
    """The problems `warcio check -v` reports that are not warcio's known misreading of chunked
    records (webrecorder/warcio#74, #75: it digests the body with its chunk framing, while WARC
    1.1 and RFC 9112 define the payload without the transfer coding, which pagetrail digests).
    A failure is explained only when the record's block digest is right, its head says chunked
    and its stored payload digest is exactly the digest of the de-chunked body."""
    from pagetrail.archive.chunked import is_chunked, payload_of
    from pagetrail.archive.digest import sha1_digest
    from pagetrail.archive.reader import read_member, split_http

    unexplained: list[str] = []
    current: tuple[str, int] | None = None
    for line in check.stdout.splitlines():
        if not line.startswith(" "):
            current = (line.strip(), -1)
        elif line.strip().startswith("offset "):
            assert current is not None
            current = (current[0], int(line.split()[1]))
        elif "fail" in line or "problem" in line:
            if current is None or current[1] < 0 or "payload digest failed" not in line:
                unexplained.append(line.strip())
                continue
            member = read_member(Path(current[0]), current[1])
            _, headers, body = split_http(member.block)
            if not (is_chunked(headers)
                    and member.get("WARC-Block-Digest") == sha1_digest(member.block)
                    and member.get("WARC-Payload-Digest") == sha1_digest(payload_of(headers, body))):
                unexplained.append(f"{current}: {line.strip()}")
    if check.returncode != 0 and not any("fail" in line for line in check.stdout.splitlines()):
        unexplained.append(f"warcio check exited {check.returncode}: {check.stderr.strip()[:200]}")
    return unexplained
