"""The rendering's last resort: past its deadline, the watchdog kills the processes started with
this run's browser profile folder, and only those."""

from __future__ import annotations

import subprocess
import sys
import time

from pagetrail.crawl.render.browser import Watchdog

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]  # + the folder, as an argument


def test_the_watchdog_kills_only_the_processes_of_its_profile_past_the_deadline(tmp_path):
    ours = tmp_path / "pagetrail-chromium-test"
    ours.mkdir()
    # stand-ins for browser processes: the profile folder on their command line, as Chromium's
    browser = subprocess.Popen([*SLEEPER, str(ours)])
    other = subprocess.Popen([*SLEEPER, str(tmp_path / "another-profile")])
    watchdog = Watchdog(str(ours))
    try:
        watchdog.arm(60)
        watchdog.arm(0.2)  # re-armed for the next page: the later deadline is what counts
        assert browser.wait(timeout=60) == -9
        assert watchdog.fired
        assert other.poll() is None
        watchdog.arm(None)
    finally:
        watchdog.stop()
        other.kill()
        other.wait()


def test_a_disarmed_watchdog_kills_nothing(tmp_path):
    ours = tmp_path / "pagetrail-chromium-test"
    browser = subprocess.Popen([*SLEEPER, str(ours)])
    watchdog = Watchdog(str(ours))
    try:
        watchdog.arm(0.3)
        watchdog.arm(None)  # the page finished in time
        time.sleep(0.6)
        assert browser.poll() is None and not watchdog.fired
    finally:
        watchdog.stop()
        browser.kill()
        browser.wait()
