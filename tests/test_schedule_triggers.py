"""Seeds' schedules become APScheduler triggers; crontab weekdays keep their crontab meaning."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pagetrail.schedule.triggers import crontab_weekdays, schedule_key, trigger_for
from pagetrail.seeds import Schedule


def test_interval_with_jitter():
    trigger = trigger_for(Schedule.parse("90s", jitter=5))
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval.total_seconds() == 90 and trigger.jitter == 5


def test_cron_in_the_seed_time_zone_with_jitter():
    trigger = trigger_for(Schedule.parse("0 6 * * *", timezone="Europe/Paris", jitter=30))
    assert isinstance(trigger, CronTrigger)
    assert str(trigger.timezone) == "Europe/Paris" and trigger.jitter == 30
    fire = trigger.get_next_fire_time(None, datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert fire.astimezone(UTC).hour == 4  # 06:00 in Paris, summer time


def test_crontab_sunday_is_zero_and_seven():
    assert crontab_weekdays("0 6 * * 0") == "0 6 * * sun"
    assert crontab_weekdays("0 6 * * 1-5") == "0 6 * * mon-fri"
    assert crontab_weekdays("0 6 * * 7") == "0 6 * * sun"
    assert crontab_weekdays("0 6 * * */2") == "0 6 * * */2"
    trigger = trigger_for(Schedule.parse("0 6 * * 0"))
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 26, tzinfo=UTC))  # a Thursday
    assert fire.weekday() == 6  # Sunday


def test_schedule_key_changes_with_the_schedule():
    assert schedule_key(Schedule.parse("1h")) == schedule_key(Schedule.parse("60m"))
    assert schedule_key(Schedule.parse("1h")) != schedule_key(Schedule.parse("2h"))
    assert schedule_key(Schedule.parse("1h")) != schedule_key(Schedule.parse("1h", jitter=10))
