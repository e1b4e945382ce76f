"""``pagetrail run``: keep capturing every seed on its schedule until stopped."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from pagetrail.seeds import parse_duration

HELP = "keep capturing each seed on its schedule until stopped (the daemon)"
DESCRIPTION = """\
Run the scheduling daemon: every seed is captured on its own schedule (interval or cron, with
jitter) until SIGINT or SIGTERM. Each crawl runs as a child `pagetrail crawl` process; seeds due
together are crawled together, and a seed is never crawled twice at once. The job store is
persistent (archive/jobs.sqlite3 by default), so after a restart each seed continues on its
schedule and runs missed during downtime are coalesced into one.

Seed files are re-read when they change: added seeds are captured at once and then scheduled,
removed seeds stop, changed schedules take effect. A broken edit is reported and the previous
version of the file keeps running. Use `pagetrail schedule` to list jobs and to pause or resume
one while the daemon runs. Notifications (apprise URLs such as mailto:// or slack://, a webhook,
a JSONL file) follow each seed's notify_on: a change in a channel, and "fetch": the page failing
notify_failures times in a row, then working again (once each).

Scrapy settings reach every crawl as with `pagetrail crawl`: -s NAME=VALUE, --settings-module (or
SCRAPY_SETTINGS_MODULE in the environment), and the seeds' delay, timeout, proxy, user_agent.

On SIGTERM/SIGINT: no new crawls; running crawls get --stop-timeout seconds to close their WARC
files (a second signal kills them; the archive repairs a half-written file at its next open).

examples:
  pagetrail run                                   seeds/*.toml into archive/
  pagetrail run seeds/news.toml --archive /srv/pagetrail
  pagetrail run --jobstore postgresql://pagetrail@db/pagetrail --misfire-grace 6h
  pagetrail run --once-per-seed                   capture every seed once, then exit
  pagetrail run -s DOWNLOAD_TIMEOUT=20 -s AUTOTHROTTLE_ENABLED=1   Scrapy settings for each crawl
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("seed_files", nargs="*", metavar="SEED_FILE",
                        help="seed files (default: every seeds/*.toml, new files picked up)")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")
    parser.add_argument("--jobstore", metavar="URL",
                        help="SQLAlchemy URL of the job store, e.g. postgresql://user@host/db "
                        "(default: sqlite in the archive folder); the password is never printed")
    parser.add_argument("--namespace", default="default", metavar="NAME",
                        help="this daemon's part of a shared job store: daemons with their own seed "
                        "files each take their own; a second daemon on the same namespace waits as "
                        "standby and takes over when the first dies (default: default)")
    parser.add_argument("--misfire-grace", default="1h", metavar="DURATION",
                        help="skip a run later than this after its time, e.g. 30m (default: 1h; "
                        "0: run however late)")
    parser.add_argument("--batch-window", default="1s", metavar="DURATION",
                        help="seeds due within this window share one crawl (default: 1s)")
    parser.add_argument("--parallel", type=int, default=1, metavar="N",
                        help="child crawls at once (default: 1)")
    parser.add_argument("--stop-timeout", default="30s", metavar="DURATION",
                        help="on stop, how long running crawls get to finish (default: 30s)")
    parser.add_argument("--notify-retries", type=int, default=4, metavar="N",
                        help="retries of a failed notification before it goes to "
                        "schedule/notify-failed.jsonl in the archive (default: 4)")
    parser.add_argument("--notify-backoff", default="2s", metavar="DURATION",
                        help="wait before the first retry, doubled each time (default: 2s)")
    parser.add_argument("--once-per-seed", action="store_true",
                        help="stop once every seed has been crawled once")
    from pagetrail.commands.crawl import add_settings_arguments

    add_settings_arguments(parser)
    # For tests and odd set-ups: the command that crawls (seed files and options are appended).
    parser.add_argument("--crawl-command", help=argparse.SUPPRESS)


def durations(args: argparse.Namespace, *names: str) -> list[float]:
    from pagetrail.errors import UsageError

    out = []
    for name in names:
        value = getattr(args, name)
        try:
            out.append(parse_duration(value))
        except ValueError as exc:
            raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    return out


def crawl_options(args: argparse.Namespace) -> tuple[str, ...]:
    """The `pagetrail crawl` options every child gets; checked here, before the daemon starts."""
    from pagetrail.crawl.usersettings import module_settings, parse_pairs

    parse_pairs(args.settings)
    out: list[str] = []
    for pair in args.settings:
        out += ["-s", pair]
    if args.settings_module:
        module_settings(args.settings_module)  # a typo fails now, not in every crawl
        out += ["--settings-module", args.settings_module]
    return tuple(out)


def setup_logging(quiet: bool = False) -> None:
    """Daemon log lines on stderr; ``quiet`` keeps only warnings (the demo prints its own)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    for name in ("pagetrail.schedule", "pagetrail.notify"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False
    # APScheduler's own INFO lines ("Added job", "Running job") drown the capture lines.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # apprise logs each failed delivery itself; pagetrail.notify logs it once, with retries.
    logging.getLogger("apprise").setLevel(logging.CRITICAL)


def run(args: argparse.Namespace) -> int:
    from pagetrail.errors import UsageError
    from pagetrail.schedule.child import DEFAULT_COMMAND
    from pagetrail.schedule.daemon import Daemon, DaemonConfig
    from pagetrail.schedule.leadership import check_namespace

    grace, window, stop_timeout, backoff = durations(
        args, "misfire_grace", "batch_window", "stop_timeout", "notify_backoff")
    if args.parallel < 1:
        raise UsageError(f"--parallel: must be at least 1, got {args.parallel}")
    options = crawl_options(args)
    setup_logging()
    config = DaemonConfig(
        archive=Path(args.archive),
        seed_paths=list(args.seed_files),
        jobstore=args.jobstore,
        namespace=check_namespace(args.namespace),
        misfire_grace=grace,
        batch_window=window,
        max_parallel=args.parallel,
        stop_timeout=stop_timeout,
        crawl_base=tuple(shlex.split(args.crawl_command)) if args.crawl_command else DEFAULT_COMMAND,
        crawl_options=options,
        once_per_seed=args.once_per_seed,
        notify_retries=max(0, args.notify_retries),
        notify_backoff=backoff,
    )
    return Daemon(config).run()
