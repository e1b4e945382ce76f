"""The work queue's set-up errors and what it prints, without a broker running."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pagetrail.errors import UsageError
from pagetrail.schedule.queue import BatchQueue, celery_app


def test_a_missing_celery_names_the_extra_to_install_in_one_line():
    code = ("import sys; sys.modules['celery'] = None\n"
            "from pagetrail.cli import main\n"
            "sys.exit(main(['worker', '--broker', 'redis://:sekret@127.0.0.1:1/0']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install 'pagetrail[cluster]'" in lines[0]
    assert "sekret" not in lines[0] and "redis://:***@127.0.0.1:1/0" in lines[0]


def test_a_broker_that_is_not_a_url_is_refused():
    with pytest.raises(UsageError, match="not a broker URL"):
        celery_app("localhost:6379")


def test_the_broker_password_is_never_shown():
    queue = BatchQueue("redis://:sekret@127.0.0.1:1/0")
    assert "sekret" not in queue.shown and queue.shown.startswith("redis://")


def test_batches_are_acknowledged_late_and_one_at_a_time():
    conf = celery_app("redis://127.0.0.1:1/0", 30).conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 30


def test_a_worker_killed_mid_sweep_holds_up_the_others_for_seconds_not_minutes():
    # kombu's sweep for batches past their visibility timeout runs under a lock in Redis that
    # expires after unacked_mutex_expire (300 s by default) if its holder dies
    for visibility, most in ((15, 5), (30, 7), (3600, 60)):
        options = celery_app("redis://127.0.0.1:1/0", visibility).conf.broker_transport_options
        assert 5 <= options["unacked_mutex_expire"] <= most
        assert options["unacked_mutex_expire"] < max(visibility, 20)
