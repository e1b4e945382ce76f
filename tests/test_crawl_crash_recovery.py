"""kill -9 in the middle of a crawl, crawl again: only closed, valid WARC files remain and the
catalog agrees with them. Killing the whole process group takes the archive writer process down
too (as a power cut or the OOM killer would); killing the crawl alone lets the writer finish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from pagetrail.archive import Archive
from tests.support.crawl_runs import ROOT, crawl, read_records, warcio_check, write_seeds
from tests.support.servers import many_pages, standard_site

PAGES = 1500


def kill_mid_crawl(seeds, archive, ready, *options: str, group: bool) -> None:  # noqa: ANN001
    """Start ``pagetrail crawl`` and SIGKILL it once ``ready()``: with its archive writer
    (``group``, as a power cut would) or the crawl process alone."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive", str(archive), *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        while proc.poll() is None and not ready():
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl finished before it could be killed"
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigkill_mid_crawl_then_restart(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        many = write_seeds(tmp_path / "many.toml", many_pages(site, PAGES))

        def rotated_and_writing() -> bool:
            opened = []
            for p in archive.glob("*.open"):
                try:
                    if p.stat().st_size > 2000:
                        opened.append(p)
                except FileNotFoundError:
                    pass  # closed (renamed) by a rotation between the listing and the stat
            return bool(opened) and len(list(archive.glob("*.warc.gz"))) >= 2

        kill_mid_crawl(many, archive, rotated_and_writing, "--set", "PAGETRAIL_WARC_MAX_SIZE=30000",
                       group=True)
        leftovers = list(archive.glob("*.open"))
        assert leftovers
        # make the last record torn, as if the kill had landed mid-write
        with leftovers[0].open("ab") as fh:
            fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03half a record")

        one = write_seeds(tmp_path / "one.toml", [{"name": "home", "url": site.url("/")}])
        # A new process, as a user's restart after a crash is.
        again = crawl(one, "--archive", archive, "--json", fresh=True)
        assert again.returncode == 0, again.stderr

    assert not list(archive.glob("*.open"))
    check = warcio_check(archive)
    assert check.returncode == 0, check.stdout + check.stderr

    records = read_records(archive)
    in_files = {r.warc["WARC-Record-ID"] for r in records if r.type in ("response", "revisit")}
    with Archive(archive) as arch:
        captures = [c for c in arch.captures() if c.kind in ("response", "revisit")]
        for capture in captures[:: max(1, len(captures) // 20)]:
            arch.read_payload(capture)  # offsets in the catalog point at readable records
    in_catalog = {c.record_id for c in captures}
    assert in_catalog == in_files
    assert {c.warc_file for c in captures} <= {p.name for p in archive.glob("*.warc.gz")}
    assert any(c.url == site.url("/") for c in captures)


def test_sigkill_of_the_crawl_alone_lets_the_writer_close_its_files(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        many = write_seeds(tmp_path / "many.toml", many_pages(site, PAGES))
        kill_mid_crawl(many, archive,
                       lambda: any(p.stat().st_size > 20000 for p in archive.glob("*.open")),
                       group=False)
        # The writer sees its pipe close, writes what it had received and closes the file.
        deadline = time.monotonic() + 120  # a guard against hanging, not a speed limit
        while list(archive.glob("*.open")) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not list(archive.glob("*.open"))
    assert warcio_check(archive).returncode == 0
    records = read_records(archive)
    in_files = {r.warc["WARC-Record-ID"] for r in records if r.type in ("response", "revisit")}
    assert in_files
    with Archive(archive) as arch:
        in_catalog = {c.record_id for c in arch.captures() if c.kind in ("response", "revisit")}
    assert in_catalog == in_files
