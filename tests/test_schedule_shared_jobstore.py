"""Daemons sharing one PostgreSQL job store: independent daemons keep their own jobs (one namespace
each), a second daemon on the same namespace waits as standby and takes over when the leader dies,
and the job store's password is never printed. A real PostgreSQL server runs on loopback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pagetrail.schedule.jobs import StoreReader
from tests.support.daemon import Daemon, RecordingSite, write_seeds

PASSWORD = "s3cret-never-shown"


@pytest.fixture
def site():
    s = RecordingSite(delay=0.0)
    yield s
    s.close()


@pytest.fixture
def db(pg_server):
    # Trust authentication accepts any password: enough to check that none is ever printed.
    return pg_server.fresh_database(PASSWORD)


def job_names(url: str, namespace: str) -> set[str]:
    reader = StoreReader(url, namespace)
    try:
        return {j.name for j in reader.jobs()}
    finally:
        reader.close()


def schedule_json(tmp_path, url: str, namespace: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pagetrail", "schedule", "--archive", "archive",
                           "--jobstore", url, "--namespace", namespace, "--json"],
                          cwd=tmp_path, capture_output=True, text=True)


def test_independent_daemons_on_one_database_keep_their_own_jobs(tmp_path, site, db):
    # The reported failure: a second daemon on other seed files removed the first one's jobs.
    write_seeds(tmp_path / "one.toml", [{"name": f"one{i}", "url": site.url(f"/one{i}"),
                                         "schedule": "1h", "robots": False} for i in range(3)])
    write_seeds(tmp_path / "two.toml", [{"name": f"two{i}", "url": site.url(f"/two{i}"),
                                         "schedule": "1h", "robots": False} for i in range(2)])
    common = ("--jobstore", db, "--batch-window", "0.2s", "--once-per-seed")
    first = Daemon(tmp_path, "one.toml", "--archive", "a1", "--namespace", "one", *common, tag="one")
    first.wait_log("every seed crawled once")
    assert first.proc.wait(120) == 0  # --once-per-seed: it stops by itself (no signal race)
    first.stop()
    second = Daemon(tmp_path, "two.toml", "--archive", "a2", "--namespace", "two", *common, tag="two")
    second.wait_log("every seed crawled once")
    assert second.proc.wait(120) == 0
    second.stop()

    assert job_names(db, "one") == {"one0", "one1", "one2"}
    assert job_names(db, "two") == {"two0", "two1"}
    assert "removed from the schedule" not in first.log() + second.log()
    listed = schedule_json(tmp_path, db, "one")
    assert listed.returncode == 0, listed.stderr
    assert {j["name"] for j in json.loads(listed.stdout)["jobs"]} == {"one0", "one1", "one2"}
    for text in (first.log(), second.log(), listed.stdout, listed.stderr):
        assert PASSWORD not in text


def test_a_standby_takes_over_when_the_leader_is_killed(tmp_path, site, db):
    write_seeds(tmp_path / "seeds.toml", [{"name": "page", "url": site.url("/page"),
                                           "schedule": "1s", "robots": False}])
    common = ("seeds.toml", "--jobstore", db, "--batch-window", "0.2s")
    leader = Daemon(tmp_path, *common, "--archive", "leader", tag="leader")
    leader.wait_log("crawl of page done")
    standby = Daemon(tmp_path, *common, "--archive", "standby", tag="standby")
    standby.wait_log("waiting as standby")
    # While the leader lives, the standby neither schedules nor touches the jobs.
    leader.wait_log("crawl of page done", count=3)
    assert "crawling" not in standby.log()
    assert job_names(db, "default") == {"page"}

    leader.proc.kill()  # SIGKILL: no goodbye to the database; the server ends the session
    leader.proc.wait(60)
    standby.wait_log("taking over the schedule", timeout=120)
    standby.wait_log("crawl of page done", timeout=120)
    assert standby.stop(timeout=120) == 0
    assert job_names(db, "default") == {"page"}
    for text in (leader.log(), standby.log()):
        assert PASSWORD not in text


def test_a_missing_database_driver_names_the_extra_to_install(tmp_path):
    (tmp_path / "s.toml").write_text('[[seed]]\nurl = "http://127.0.0.1:9/"\nschedule = "1h"\n')
    url = "postgresql+pg8000://pagetrail:hunter2@127.0.0.1:9/pagetrail"
    result = subprocess.run([sys.executable, "-m", "pagetrail", "run", "s.toml", "--jobstore", url],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "pip install 'pagetrail[cluster]'" in lines[0]
    assert "hunter2" not in result.stderr + result.stdout
