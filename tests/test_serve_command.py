"""`pagetrail serve` as a user runs it: help, one-line errors, the printed address, a token on a
non-loopback address, and a clean stop on SIGTERM (its pywb stopped with it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.serve_pages import build_archive

# The whole module in one test process (--dist loadgroup): its archive, made once.
pytestmark = pytest.mark.xdist_group("serve_command")

ROOT = Path(__file__).resolve().parents[1]


def start(*args: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """``pagetrail serve ARGS`` in a child process; returns it and the address it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})})
    line = proc.stdout.readline()
    if " at http" not in line:
        proc.kill()
        raise AssertionError(f"no address printed: {line!r} {proc.stderr.read()}")
    return proc, line.split(" at ", 1)[1].strip()


def stop(proc: subprocess.Popen) -> int:
    """SIGTERM, then the exit status; what it wrote to stderr is kept as ``proc.err``."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    finally:
        proc.err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-cmd") / "archive"
    build_archive(root)
    return root


def test_help_explains_the_command():
    done = subprocess.run([sys.executable, "-m", "pagetrail", "serve", "--help"],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0
    for words in ("--archive", "--host", "--port", "pywb", "token", "read-only"):
        assert words in done.stdout


def test_a_missing_archive_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pagetrail", "serve", "--archive",
                           str(tmp_path / "none"), "--no-replay"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pagetrail: error:") and "none" in lines[0]


def test_serves_on_loopback_and_stops_on_sigterm(archive):
    proc, address = start("--archive", str(archive), "--no-replay")
    try:
        assert address.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(address) as resp:
            assert resp.status == 200 and b"heparin" in resp.read()
    finally:
        assert stop(proc) == 0


def test_another_host_needs_the_token_it_prints(archive):
    proc, address = start("--archive", str(archive), "--no-replay", "--host", "0.0.0.0",
                          env={"PAGETRAIL_SERVE_TOKEN": ""})
    try:
        assert "?token=" in address
        base, token = address.split("?token=")
        local = base.replace("0.0.0.0", "127.0.0.1")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(local)
        assert refused.value.code == 401
        request = urllib.request.Request(local, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request) as resp:
            assert resp.status == 200
    finally:
        stop(proc)


def test_replay_runs_beside_the_app_and_stops_with_it(archive):
    import socket

    from tests.support.validators import build_venv

    bin_dir, why = build_venv()
    if bin_dir is None:
        pytest.skip(f"pywb not available ({why})")
    proc, address = start("--archive", str(archive), env={"PAGETRAIL_PYWB": str(bin_dir / "wayback")})
    try:
        line = proc.stdout.readline()
        assert "replay (pywb) at http://127.0.0.1:" in line, line
        replay = line.split(" at ", 1)[1].strip()
        port = int(replay.split(":")[2].split("/")[0])
        assert port != int(address.rstrip("/").rsplit(":", 1)[1])
        timeline = address + "page?url=" + quote("http://127.0.0.1:8000/2011/05/heparin/")
        with urllib.request.urlopen(timeline) as resp:
            assert replay.encode() in resp.read()  # replay links point there
        with urllib.request.urlopen(replay + "/") as resp:
            assert resp.status == 200  # pywb answers
    finally:
        assert stop(proc) == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_replay_ends_with_a_serve_killed_outright(archive):
    import socket

    from tests.support.daemon import children_of, wait_for
    from tests.support.validators import build_venv

    bin_dir, why = build_venv()
    if bin_dir is None:
        pytest.skip(f"pywb not available ({why})")
    proc, _address = start("--archive", str(archive), env={"PAGETRAIL_PYWB": str(bin_dir / "wayback")})
    line = proc.stdout.readline()
    port = int(line.split(" at ", 1)[1].split(":")[2].split("/")[0])
    helpers = children_of(proc.pid)
    proc.kill()  # SIGKILL: serve's own clean-up never runs
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()

    def refused() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return False
        except OSError:
            return True

    try:
        wait_for(refused, what="pywb to end with the serve that started it")
    except AssertionError:
        for pid in helpers:
            os.kill(pid, signal.SIGKILL)  # not left running
        raise


def test_without_pywb_the_app_runs_and_says_why(archive, tmp_path):
    proc, address = start("--archive", str(archive), env={"PAGETRAIL_PYWB": str(tmp_path / "none")})
    try:
        with urllib.request.urlopen(address) as resp:
            assert resp.status == 200 and b"replay is off" in resp.read()
    finally:
        stop(proc)
    assert "replay is off" in proc.err and "none: no such file" in proc.err


def test_a_busy_port_is_one_line_and_exit_2(archive):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "pagetrail", "serve", "--archive", str(archive),
                               "--no-replay", "--port", str(port)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot listen" in lines[0] and str(port) in lines[0]


def test_beyond_loopback_replay_needs_the_token_too(archive):
    from tests.support.validators import build_venv

    bin_dir, why = build_venv()
    if bin_dir is None:
        pytest.skip(f"pywb not available ({why})")
    proc, address = start("--archive", str(archive), "--host", "0.0.0.0",
                          env={"PAGETRAIL_PYWB": str(bin_dir / "wayback"), "PAGETRAIL_SERVE_TOKEN": ""})
    try:
        line = proc.stdout.readline()
        assert "replay (pywb) at http://0.0.0.0:" in line, line
        token = address.split("?token=")[1]
        gate = line.split(" at ", 1)[1].strip().replace("0.0.0.0", "127.0.0.1")
        app = address.split("?")[0].replace("0.0.0.0", "127.0.0.1")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(gate)
        assert refused.value.code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        with urllib.request.urlopen(urllib.request.Request(gate, headers=bearer)) as resp:
            assert resp.status == 200  # pywb's collection page, through the gate
        timeline = app + "page?url=" + quote("http://127.0.0.1:8000/2011/05/heparin/")
        with urllib.request.urlopen(urllib.request.Request(timeline, headers=bearer)) as resp:
            assert gate.encode() in resp.read()  # links name the host the browser used
    finally:
        assert stop(proc) == 0


def test_concurrent_requests_all_answer(archive):
    from concurrent.futures import ThreadPoolExecutor

    proc, address = start("--archive", str(archive), "--no-replay")
    page = quote("http://127.0.0.1:8000/2011/05/heparin/")
    paths = ["", f"page?url={page}", "compare?a=1&b=4", "compare?b=3", "thread?id=3",
             f"feed.atom?url={page}", f"report.json?url={page}", f"export.wacz?url={page}",
             "?channel=ads", "compare?a=2&b=5"] * 4

    def get(path: str) -> tuple[str, int, str]:
        try:
            with urllib.request.urlopen(address + path, timeout=120) as resp:
                resp.read()
                return path, resp.status, ""
        except urllib.error.HTTPError as exc:
            return path, exc.code, exc.read().decode("utf-8", "replace")[-600:]

    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(get, paths))
        assert [a for a in answers if a[1] != 200] == []
    finally:
        assert stop(proc) == 0
