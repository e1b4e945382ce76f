"""How a crawl starts its archive writer process: forked from the crawl (whose imports are done)
when the crawl has one thread, started with exec (``python -m pagetrail.archive.worker``) when it
has more; either way the writer holds nothing of the crawl's but its two pipes and stdio, and
none of the crawl's signal handlers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from scrapy import signals

from pagetrail.archive import Archive
from tests.support.crawl_runs import ROOT, warcio_check, write_seeds
from tests.support.daemon import children_of
from tests.support.servers import LocalSite, page


class ThreadAtStart:
    """A Scrapy extension with a thread of its own from the crawl's start to its end."""

    def __init__(self) -> None:
        self.done = threading.Event()
        threading.Thread(target=self.done.wait, name="extension", daemon=True).start()

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        extension = cls()
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def closed(self) -> None:
        self.done.set()


def _process(pid: int) -> dict:
    proc = Path(f"/proc/{pid}")
    fds = {}
    for fd in (proc / "fd").iterdir():
        try:
            fds[int(fd.name)] = os.readlink(fd)
        except OSError:
            pass  # closed while listed
    status = dict(line.split(":\t", 1) for line in (proc / "status").read_text().splitlines()
                  if ":\t" in line)
    return {"cmdline": (proc / "cmdline").read_bytes().split(b"\0")[:-1], "fds": fds,
            "ignored": int(status["SigIgn"], 16), "caught": int(status["SigCgt"], 16)}


def _bit(sig: int) -> int:
    return 1 << (sig - 1)


@pytest.mark.parametrize("thread", [False, True], ids=["one-thread-forks", "threads-exec"])
def test_the_writer_is_forked_from_a_single_threaded_crawl_else_started_with_exec(tmp_path, thread):
    archive = tmp_path / "archive"
    command = [sys.executable, "-m", "pagetrail", "crawl", str(tmp_path / "s.toml"),
               "--archive", str(archive), "--json"]
    if thread:
        command += ["-s", f'EXTENSIONS={{"{__name__}.ThreadAtStart": 100}}']
    children: list[dict[int, dict]] = []
    crawl: subprocess.Popen | None = None

    def look(req) -> None:  # noqa: ANN001 - the crawl is fetching: its writer is open
        children.append({pid: _process(pid) for pid in children_of(crawl.pid)})
        page("<html><body><p>looked at</p></body></html>")(req)

    with LocalSite() as site:
        site.add("/look", look)
        write_seeds(tmp_path / "s.toml", [{"name": "look", "url": site.url("/look")}])
        crawl = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        out, err = crawl.communicate()
    assert crawl.returncode == 0, err
    catalog = str(archive / "catalog.sqlite3")
    writers = [facts for seen in children for facts in seen.values()
               if catalog in facts["fds"].values()]
    assert len(writers) == 1, children
    writer = writers[0]
    if thread:
        assert b"pagetrail.archive.worker" in writer["cmdline"]
    else:  # the crawl's own command line: a fork, no exec
        assert writer["cmdline"] == [os.fsencode(sys.executable), b"-m", b"pagetrail", b"crawl",
                                     *map(os.fsencode, command[4:])]
    # Its pipes, stdio and the archive's files; none of the crawl's sockets, pipes or epoll.
    others = {fd: target for fd, target in writer["fds"].items()
              if fd > 2 and not target.startswith(str(archive))}
    assert sorted(target.split(":")[0] for target in others.values()) == ["pipe", "pipe"], others
    assert writer["ignored"] & _bit(signal.SIGINT) and writer["ignored"] & _bit(signal.SIGTERM)
    assert writer["ignored"] & _bit(signal.SIGPIPE)  # a vanished crawl is a BrokenPipeError
    assert writer["caught"] & ((1 << 31) - 1) == 0, hex(writer["caught"])  # no crawl handler
    # ... and the archive is what any crawl leaves.
    assert not list(archive.glob("*.open"))
    assert warcio_check(archive).returncode == 0
    with Archive(archive) as arch:
        assert site.url("/look") in [c.url for c in arch.captures() if c.kind == "response"]
