"""A helper started with ``forking.parent_death_signal`` ends with its parent, however the parent
ends; the hook is refused where running it between fork and exec would not be safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

from pagetrail.forking import parent_death_signal
from tests.support.daemon import ROOT, wait_for

_PARENT = textwrap.dedent("""
    import os, signal, subprocess, sys
    from pagetrail.forking import parent_death_signal
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                             preexec_fn=parent_death_signal())
    print(child.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_a_child_started_with_it_ends_when_its_parent_is_killed(tmp_path):
    out = tmp_path / "out.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent / "src")}
    with out.open("w") as sink:
        done = subprocess.run([sys.executable, "-c", _PARENT], stdout=sink, env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    child = int(out.read_text())
    try:
        wait_for(lambda: not _alive(child), what="the child to end with its parent")
    except AssertionError:
        os.kill(child, signal.SIGKILL)  # not left running
        raise


def test_it_is_refused_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parent_death_signal() is None
    finally:
        stop.set()
        thread.join()
