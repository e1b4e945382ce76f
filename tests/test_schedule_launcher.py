"""Daemon and worker crawls are forked from a launcher that has imported the crawl code once
(schedule/launcher.py): they archive, end, report and die with the daemon as crawls started as
new processes do, and anything wrong with the launcher falls back to new processes, said once."""

from __future__ import annotations

import fcntl
import logging
import os
import select
import shlex
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from pagetrail.schedule.child import DEFAULT_COMMAND, ChildCrawl, crawl_command
from pagetrail.schedule.launched import Launcher
from tests.support.daemon import (
    Daemon,
    RecordingSite,
    check_archive,
    children_of,
    wait_for,
    write_seeds,
)

LAUNCHER = b"pagetrail.schedule.launcher"


@pytest.fixture
def site():
    s = RecordingSite(delay=0.05)
    yield s
    s.close()


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def ended(pid: int) -> bool:
    """The process has exited (a zombie nobody reaped yet counts)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], 0)[0])
    finally:
        os.close(fd)


def launcher_and_crawl(daemon: Daemon) -> tuple[int, int]:
    """The daemon's launcher (its only child) and the crawl the launcher forked."""
    def found() -> tuple[int, int] | None:
        kids = children_of(daemon.proc.pid)
        if len(kids) == 1 and LAUNCHER in cmdline(kids[0]):
            crawls = children_of(kids[0])
            if len(crawls) == 1:
                return kids[0], crawls[0]
        return None

    return wait_for(found, what="the launcher and its crawl")


def capture_lines(log: str) -> list[str]:
    """The daemon's per-capture lines, without their time stamps."""
    return [line.split(" ", 2)[2] for line in log.splitlines() if " a: http://" in line]


def test_a_daemon_crawl_forked_by_the_launcher_archives_and_reports_as_a_new_process_does(
        tmp_path, site):
    write_seeds(tmp_path / "seeds.toml", [
        {"name": "a", "url": site.url("/a"), "schedule": "1h", "robots": False}])
    site.hold("/a")
    forked = Daemon(tmp_path, "seeds.toml", "--archive", "forked", "--once-per-seed", tag="forked")
    launcher, crawl = launcher_and_crawl(forked)
    assert os.getsid(crawl) == crawl and os.getsid(launcher) == launcher
    site.release("/a")
    assert forked.proc.wait(120) == 0
    forked.stop()
    assert ended(launcher)
    # The same crawl started as a new process: a --crawl-command runs as given (here a shell that
    # leaves its pid, then execs the default command).
    marker = tmp_path / "plain.pid"
    wrapper = ["sh", "-c", f'echo $$ > {marker}; exec "$@"', "sh", *DEFAULT_COMMAND]
    plain = Daemon(tmp_path, "seeds.toml", "--archive", "plain", "--once-per-seed",
                   "--crawl-command", shlex.join(wrapper), tag="plain")
    assert plain.proc.wait(120) == 0
    plain.stop()
    assert marker.exists()
    assert LAUNCHER not in (tmp_path / "plain.log").read_bytes()
    lines = {tag: capture_lines(daemon.log()) for tag, daemon in (("forked", forked), ("plain", plain))}
    assert lines["forked"] == [f"a: {site.url('/a')} 200 new — first capture"]
    assert lines["forked"] == lines["plain"]
    assert "crawl of a done" in forked.log() and "crawl launcher" not in forked.log()
    crawl_logs = {}
    for archive in ("forked", "plain"):
        check_archive(tmp_path / archive)
        text = (tmp_path / archive / "schedule" / "crawl.log").read_text(encoding="utf-8")
        crawl_logs[archive] = [line.split(" ", 3)[3] if line.startswith("---") else line
                               for line in text.replace(f"-> {archive}/", "-> ARCHIVE/").splitlines()]
    assert crawl_logs["forked"] == crawl_logs["plain"]
    assert crawl_logs["forked"][0] == "crawl a: ok"
    assert f"[1/1] 200 new     {site.url('/a')}" in crawl_logs["forked"]


def test_a_killed_crawl_is_reported_and_a_dead_launcher_leaves_crawls_to_new_processes(
        tmp_path, site):
    write_seeds(tmp_path / "seeds.toml", [
        {"name": "a", "url": site.url("/a"), "schedule": "1s", "robots": False}])
    site.hold("/a")
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.1s")
    try:
        # 1. The crawl's process group SIGKILLed: reported as a crawl started directly would be.
        launcher, crawl = launcher_and_crawl(daemon)
        wait_for(lambda: site.active["/a"] > 0, what="the crawl fetching the held page")
        os.killpg(crawl, signal.SIGKILL)
        daemon.wait_log("crawl of a killed by SIGKILL after")
        # 2. The launcher killed during the next crawl: that crawl gets SIGTERM (it finishes its
        #    page once released), its status is unknown, and later crawls are new processes.
        launcher_and_crawl(daemon)
        # (the killed crawl's request is still held open by the site: this one is the second)
        wait_for(lambda: site.active["/a"] > 1, what="the next crawl fetching the held page")
        os.kill(launcher, signal.SIGKILL)
        daemon.wait_log("crawl launcher died (killed by SIGKILL): crawls start as new processes")
        site.release("/a")
        daemon.wait_log("crawl of a ended with its crawl launcher (sent SIGTERM; exit status unknown)")
        site.hold("/a")

        def plain_crawl() -> int | None:
            kids = children_of(daemon.proc.pid)
            return kids[0] if len(kids) == 1 and b"pagetrail\0crawl" in cmdline(kids[0]) else None

        wait_for(plain_crawl, what="a crawl started as a new process")
        site.release("/a")
        done = daemon.log().count("crawl of a done")
        daemon.wait_log("crawl of a done", count=done + 1)
    finally:
        if "/a" in site.held:
            site.release("/a")
        assert daemon.stop() == 0
    log = (tmp_path / "archive" / "schedule" / "crawl.log").read_text(encoding="utf-8")
    assert "crawl a: killed by SIGKILL" in log
    check_archive(tmp_path / "archive")


def test_a_killed_daemon_takes_its_launcher_and_crawl_down_and_the_lock_goes_with_them(
        tmp_path, site):
    write_seeds(tmp_path / "seeds.toml", [
        {"name": "a", "url": site.url("/a"), "schedule": "1h", "robots": False}])
    site.hold("/a")
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive")
    launcher, crawl = launcher_and_crawl(daemon)
    wait_for(lambda: site.active["/a"] > 0, what="the crawl fetching the held page")
    daemon.stop(signal.SIGKILL)
    wait_for(lambda: ended(launcher), what="the launcher ending with the daemon")
    lock = os.open(tmp_path / "archive" / "schedule" / "daemon.lock", os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):  # the orphaned crawl holds it until it has ended
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        site.release("/a")  # it got SIGTERM: it finishes its page, closes its files and exits
        wait_for(lambda: ended(crawl), what="the orphaned crawl ending")
        wait_for(lambda: _locked(lock), what="the daemon lock released")
    finally:
        os.close(lock)
    assert site.count("/a") == 1  # (its WARC file is left parked for the next daemon to close)


def _locked(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def test_a_launcher_that_cannot_start_is_logged_and_the_crawl_runs_as_a_new_process(
        tmp_path, site, caplog):
    (tmp_path / "seeds.toml").write_text(
        f'[[seed]]\nname = "a"\nurl = "{site.url("/a")}"\nschedule = "1h"\nrobots = false\n')
    broken = Launcher((sys.executable, "-c", "import sys; sys.exit('no crawl modules here')"))
    command = crawl_command([str(tmp_path / "seeds.toml")], ["a"], str(tmp_path / "archive"))
    child = ChildCrawl(command, ["a"], tmp_path / "crawl.log", launcher=broken)
    with caplog.at_level(logging.WARNING, logger="pagetrail.schedule"):
        child.start()
        run = child.wait()
    broken.close()
    assert run.ok, run.stderr_tail
    assert run.summary["pages"] == 1 and run.summary["new"] == 1
    assert [r.getMessage() for r in caplog.records] == [
        "crawl launcher could not start (exit 1: no crawl modules here): crawls start as new "
        "processes from now on"]
    check_archive(tmp_path / "archive")


def _open_sockets() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the listing's own descriptor, closed by now
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_a_fork_of_the_launchers_owner_leaves_it_the_launcher():
    # multiprocessing's fork workers (the segmenter's) are forks of the owner: a copy of the
    # launcher's socket in one kept the launcher, and the owner's close(), waiting for it.
    before = _open_sockets()
    launcher = Launcher()
    report_r, report_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = 0
    try:
        with tempfile.TemporaryFile() as stderr:
            forked = launcher.spawn([sys.executable, "-m", "this"], dict(os.environ),
                                    stderr.fileno())
            assert forked is not None
            forked.communicate()
        ours = _open_sockets() - before
        assert ours  # the launcher's socket
        pid = os.fork()
        if pid == 0:  # the fork says which of them it holds, and lives until the owner is done
            os.close(done_w)
            os.write(report_w, " ".join(sorted(_open_sockets() & ours)).encode() or b"-")
            os.read(done_r, 1)
            os._exit(0)
        assert os.read(report_r, 65536) == b"-"
        launcher.close()  # the launcher ends with the fork still running
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)
    finally:
        for fd in (report_r, report_w, done_r, done_w):
            os.close(fd)
        if pid:
            os.waitpid(pid, 0)
        launcher.close()


MODULES = {
    "raises": "print('before')\nraise ValueError('boom')\n",
    "exits_with_text": "import sys\nsys.exit('bye')\n",
    "exits_3_after_its_thread_and_atexit": (
        "import atexit, sys, threading\n"
        "atexit.register(print, 'atexit ran')\n"
        "threading.Thread(target=print, args=('thread ran',)).start()\n"
        "sys.exit(3)\n"),
    "segfaults": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
    "interrupted": "raise KeyboardInterrupt\n",
    "shows_its_argv_and_env": (
        "import os, sys\nprint(sys.argv[1:], os.environ['LAUNCHED_VALUE'], os.getcwd())\n"),
}


def test_a_forked_run_ends_as_the_same_run_in_a_new_process_would(tmp_path, monkeypatch):
    import subprocess

    for name, code in MODULES.items():
        (tmp_path / f"{name}.py").write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = dict(os.environ, LAUNCHED_VALUE="42", PYTHONUNBUFFERED="1")
    launcher = Launcher()
    try:
        for name in MODULES:
            argv = [sys.executable, "-m", name, "one", "two"]
            with tempfile.TemporaryFile() as stderr:
                forked = launcher.spawn(argv, env, stderr.fileno())
                assert forked is not None
                out, _ = forked.communicate()
                stderr.seek(0)
                said = stderr.read().decode()
            new = subprocess.run(argv, env=env, capture_output=True, text=True)
            assert (name, forked.returncode, out.decode()) == (name, new.returncode, new.stdout)
            # The traceback starts at the module run, as a new process's (less runpy's frames).
            assert said.splitlines()[-3:] == new.stderr.splitlines()[-3:], name
    finally:
        launcher.close()


def test_the_launcher_has_imported_every_module_a_crawl_imports(tmp_path, site):
    # What a crawl imports beyond the launcher's PRELOAD is imported again by every forked crawl:
    # run the launcher's preload, then a crawl in the same process, and list what it added.
    import subprocess

    (tmp_path / "seeds.toml").write_text(
        f'[[seed]]\nname = "a"\nurl = "{site.url("/a")}"\nschedule = "1h"\nrobots = false\n')
    added = tmp_path / "added.txt"
    code = "\n".join([
        "import atexit, runpy, sys",
        "from pagetrail.schedule.launcher import preload",
        "preload()",
        "before = set(sys.modules)",
        f"atexit.register(lambda: open({str(added)!r}, 'w').write(' '.join(set(sys.modules) - before)))",
        "sys.argv = ['-m', 'crawl', 'seeds.toml', '--archive', 'archive', '--json']",
        "runpy.run_module('pagetrail', run_name='__main__', alter_sys=True)",
    ])
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"new": 1' in done.stdout
    # Scrapy installs the reactor as the crawl starts: the one module the launcher must not import.
    missing = set(added.read_text().split()) - {"twisted.internet.reactor"}
    assert not {m for m in missing if not m.startswith("encodings.")}, (
        f"imported by every crawl but not by the launcher (add them to launcher.PRELOAD): {missing}")
