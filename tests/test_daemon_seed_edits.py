"""A running daemon follows its seed file (added, removed seeds; a broken edit keeps the previous
seeds running) and obeys `pagetrail schedule pause|resume` sent from another process."""

from __future__ import annotations

import json
import subprocess

import pytest

from pagetrail.cli import main
from tests.support.daemon import Daemon, RecordingSite, check_archive, wait_for, write_seeds


@pytest.fixture
def site():
    s = RecordingSite(delay=0.1)
    yield s
    s.close()


def schedule(tmp_path, capsys, *args: str) -> subprocess.CompletedProcess:
    """`pagetrail schedule ARGS` run in the test process: another process than the daemon's, as a
    user's shell is (tests/test_schedule_shared_jobstore.py runs the command as a child process)."""
    capsys.readouterr()
    code = main(["schedule", *args, "--archive", str(tmp_path / "archive")])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["pagetrail", "schedule", *args], code, out, err)


def test_running_daemon_follows_edits_and_pause_resume(tmp_path, site, capsys):
    seeds = tmp_path / "seeds.toml"
    seed_a = {"name": "a", "url": site.url("/a"), "schedule": "1s", "robots": False}
    seed_b = {"name": "b", "url": site.url("/b"), "schedule": "1s", "robots": False}
    seed_c = {"name": "c", "url": site.url("/c"), "schedule": "1s", "robots": False}
    write_seeds(seeds, [seed_a, seed_b])
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.2s")

    def captured(name: str) -> int:
        return daemon.log().count(f"{name}: {site.url('/' + name)} 200")

    def more(name: str, n: int = 1) -> None:
        start = captured(name)
        daemon.wait_log(f"{name}: {site.url('/' + name)} 200", count=start + n)

    try:
        wait_for(lambda: captured("a") and captured("b"), what="a and b captured")

        # Pause reaches the running daemon through the archive; the store shows it.
        paused = schedule(tmp_path, capsys, "pause", "b")
        assert paused.returncode == 0, paused.stderr
        assert paused.stdout.strip() == "b: paused"
        listed = json.loads(schedule(tmp_path, capsys, "--json").stdout)
        assert listed["daemon_pid"] == daemon.proc.pid
        assert {j["name"]: j["paused"] for j in listed["jobs"]} == {"a": False, "b": True}
        daemon.wait_log("b: paused")
        more("a")  # a crawl of b that was already running has ended by now
        b_paused = site.count("/b")
        more("a")
        assert site.count("/b") == b_paused

        resumed = schedule(tmp_path, capsys, "resume", "b")
        assert resumed.returncode == 0 and resumed.stdout.startswith("b: resumed"), resumed.stderr
        more("b")

        # Edit: b removed, c added. c is captured at once; b is no longer scheduled.
        write_seeds(seeds, [seed_a, seed_c])
        daemon.wait_log("b: removed from the schedule")
        more("c")  # one crawl at a time (--parallel 1): b's last one ended before c's began
        b_removed = site.count("/b")

        # A broken edit is reported in one line naming file, line and field; a and c keep going.
        write_seeds(seeds, [seed_a, dict(seed_c, schedule="whenever")])
        log = daemon.wait_log("keeping the previous seeds")
        line = next(ln for ln in log.splitlines() if "keeping the previous seeds" in ln)
        assert "seeds.toml:7" in line and "field 'schedule'" in line, line
        more("c")
        more("a")
    finally:
        assert daemon.stop() == 0
    assert site.count("/b") == b_removed
    assert site.max_active["/a"] == site.max_active["/b"] == site.max_active["/c"] == 1
    listing = schedule(tmp_path, capsys)
    assert listing.returncode == 0
    assert "daemon: not running; 2 jobs" in listing.stdout
    assert [ln.split()[0] for ln in listing.stdout.splitlines()[2:]] == ["a", "c"]
    check_archive(tmp_path / "archive")
