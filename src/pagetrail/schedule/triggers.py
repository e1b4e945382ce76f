"""APScheduler triggers from a seed's :class:`~pagetrail.seeds.Schedule`."""

from __future__ import annotations

import re

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pagetrail.durations import format_duration
from pagetrail.seeds import Schedule

# APScheduler 3.x counts cron weekdays from Monday = 0 (its issue 286); crontab counts from
# Sunday = 0 (and 7). Day numbers are rewritten as names, which both agree on.
_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBER = re.compile(r"(?<![/\d])(\d+)")


def crontab_weekdays(expr: str) -> str:
    """Rewrite the day-of-week field of a 5-field crontab so numbers mean what crontab means."""
    fields = expr.split()
    if len(fields) != 5:
        return expr

    def name(match: re.Match) -> str:
        number = int(match.group(1))
        return _CRONTAB_DAYS[number] if number < len(_CRONTAB_DAYS) else match.group(1)

    fields[4] = _DAY_NUMBER.sub(name, fields[4])
    return " ".join(fields)


def trigger_for(schedule: Schedule) -> BaseTrigger:
    """An interval trigger, or a cron trigger in the seed's time zone; both with the seed's jitter."""
    jitter = schedule.jitter or None
    if schedule.cron:
        trigger = CronTrigger.from_crontab(crontab_weekdays(schedule.cron), timezone=schedule.timezone)
        trigger.jitter = jitter
        return trigger
    return IntervalTrigger(seconds=schedule.interval, jitter=jitter, timezone=schedule.timezone)


def schedule_key(schedule: Schedule) -> str:
    """A short text that changes exactly when the schedule does; stored with the job. (In
    seconds, as in earlier versions: a new wording must not reschedule every stored job.)"""
    key = schedule.describe() if schedule.cron else f"every {schedule.interval:g}s"
    if schedule.jitter:
        key += f" jitter {schedule.jitter:g}s"
    return key


def schedule_label(schedule: Schedule) -> str:
    """The schedule as the seed says it, for logs and `pagetrail schedule`: ``every 6h``."""
    label = schedule.describe()
    if schedule.jitter:
        label += f" jitter {format_duration(schedule.jitter)}"
    return label
