"""Seed fields a wrong or hostile seed file could push past what the scheduler and crawler can
take: each is a one-line error naming the file, the seed's line and the field (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pagetrail import seedbounds
from pagetrail.schedule.triggers import trigger_for
from pagetrail.seeds import Schedule, SeedError, load_seed_file

CASES = [
    ('jitter = "9999999999d"', "jitter", "at most 1h"),          # killed APScheduler's thread
    ('schedule = "99999999999d"', "schedule", "out of range"),   # crashed the daemon at start
    ('schedule = "1ms"', "schedule", "from 1s to 366d"),         # burnt a core
    ('schedule = "0 6 * * *"\njitter = "3d"', "jitter", "at most 1d"),
    ("notify_file = true", "notify_file", "must be a file path"),  # raised after every capture
    ('notify_file = "a\\nb"', "notify_file", "one line"),
    ('url = "http://[::1/x"', "url", "Invalid IPv6 URL"),
    ('url = "http://example.org:99999/"', "url", "Port out of range"),
    ('url = "http://example.org/' + "a" * 100_000 + '"', "url", "100,019 characters long (at most 4,096)"),
    ('url = "http://exa mple.org/"', "url", "space"),
    ('url = "http://exa_mple..org/"', "url", "not a valid host name"),
    ('name = "heparin\\n"', "name", "must be letters"),
    ('delay = "9999d"', "delay", "more than 1h"),
    ('timeout = "9999d"', "timeout", "more than 1h"),
    ("user_agent = 5", "user_agent", "must be a string"),
    ('max_size = "2TB"', "max_size", "not a size"),
    ('max_size = "2GB"', "max_size", "from 1KB to 1GB"),
    ("max_size = true", "max_size", "must be a size"),
]


@pytest.mark.parametrize("line, field, says", CASES)
def test_out_of_bounds_field_is_a_one_line_error(tmp_path, line, field, says):
    path = tmp_path / "seeds.toml"
    key = line.split(" = ")[0]
    base = {"url": 'url = "http://example.org/a"', "schedule": 'schedule = "1h"'}
    base.pop(key, None)
    path.write_text("[[seed]]\n" + "\n".join([*base.values(), line]) + "\n", encoding="utf-8")
    with pytest.raises(SeedError) as err:
        load_seed_file(path)
    message = str(err.value)
    assert "\n" not in message and len(message) < 400, message
    assert message.startswith(f"{path}:1: seed ") and f"field {field!r}" in message, message
    assert says in message, message


def test_the_bounds_themselves_schedule_fine():
    now = datetime(2026, 12, 6, tzinfo=UTC)
    for schedule in (Schedule(interval=seedbounds.MAX_INTERVAL, jitter=seedbounds.MAX_JITTER),
                     Schedule(interval=seedbounds.MIN_INTERVAL, jitter=seedbounds.MIN_INTERVAL),
                     Schedule(cron="0 6 * * *", jitter=seedbounds.MAX_JITTER)):
        assert trigger_for(schedule).get_next_fire_time(None, now) >= now


def test_ordinary_seeds_still_pass(tmp_path):
    path = tmp_path / "seeds.toml"
    path.write_text('[[seed]]\nurl = "http://[::1]:8080/x"\nschedule = "1s"\njitter = "1s"\n'
                    '[[seed]]\nurl = "https://bücher.example/ä?q=1"\nschedule = "366d"\n'
                    'notify_file = "changes.jsonl"\nmax_size = "50MB"\n', encoding="utf-8")
    seeds = load_seed_file(path)
    assert [s.schedule.interval for s in seeds] == [1.0, 366 * 86400.0]
    assert [s.max_size for s in seeds] == [None, 50 * 1024 * 1024]
