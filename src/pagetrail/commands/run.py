"""``pagetrail run``: keep capturing every seed on its schedule until stopped."""

from __future__ import annotations

import argparse
import logging
import os
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

With --broker, the daemon only schedules: each due batch is sent as a Celery task and crawled by a
`pagetrail worker` (any number, on any machine mounting the archive folder). A batch whose worker
died is delivered again to another worker after --visibility-timeout. Workers on other machines
need the catalog in PostgreSQL (--catalog, the same URL for the daemon and every worker): SQLite
must not be shared over a network file system.

On SIGTERM/SIGINT: no new crawls; running crawls get --stop-timeout seconds to close their WARC
files (a second signal kills them; the archive repairs a half-written file at its next open).

examples:
  pagetrail run                                   seeds/*.toml into archive/
  pagetrail run seeds/news.toml --archive /srv/pagetrail
  pagetrail run --jobstore postgresql://pagetrail@db/pagetrail --misfire-grace 6h
  pagetrail run --once-per-seed                   capture every seed once, then exit
  pagetrail run --broker redis://localhost:6379/0 --jobstore postgresql://pagetrail@db/pagetrail \
      --catalog postgresql://pagetrail@db/pagetrail
                                                  schedule here, crawl on `pagetrail worker`s
  pagetrail run -s DOWNLOAD_TIMEOUT=20 -s AUTOTHROTTLE_ENABLED=1   Scrapy settings for each crawl
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("seed_files", nargs="*", metavar="SEED_FILE",
                        help="seed files (default: every seeds/*.toml, new files picked up)")
    from pagetrail.commands.args import add_archive_argument

    add_archive_argument(parser)
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
                        help="due seeds share one crawl until none has come due for this long, "
                        "the batch is full or its first seed has waited 5 windows (default: 1s)")
    parser.add_argument("--parallel", type=int, metavar="N",
                        help="crawls at once (default: 1; with --broker: batches queued at once, "
                        "default 32)")
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help="seeds per crawl at most (default: every seed due together; with "
                        "--broker: 10, so that several workers share the work)")
    parser.add_argument("--broker", metavar="URL",
                        help="send each crawl batch to `pagetrail worker` processes through this "
                        "Celery broker (redis://host:6379/0) instead of crawling here; the "
                        "password is never printed")
    parser.add_argument("--visibility-timeout", default="1h", metavar="DURATION",
                        help="with a Redis broker: a batch not acknowledged this long after a "
                        "worker took it (the worker died) goes to another worker; must exceed "
                        "the longest batch (default: 1h; give workers the same)")
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


def use_catalog(url: str | None) -> None:
    """``--catalog`` for the whole process and its children: the daemon and worker open the
    archive in many places (repair, change summaries, parked files) and start crawls that open it
    again, and all of them read $PAGETRAIL_CATALOG; the URL stays off every command line (where
    `ps` would show its password)."""
    if url:
        from pagetrail.archive.catalogdb import CATALOG_ENV, check_url

        check_url(url)
        os.environ[CATALOG_ENV] = url


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

    grace, window, stop_timeout, backoff, visibility = durations(
        args, "misfire_grace", "batch_window", "stop_timeout", "notify_backoff",
        "visibility_timeout")
    for name in ("parallel", "batch_size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')}: must be at least 1, got {getattr(args, name)}")
    if args.broker:
        from pagetrail.schedule.queue import celery_app

        celery_app(args.broker)  # no Celery or a bad URL: one line now, not at the first batch
    options = crawl_options(args)
    use_catalog(args.catalog)
    setup_logging()
    config = DaemonConfig(
        archive=Path(args.archive),
        seed_paths=list(args.seed_files),
        jobstore=args.jobstore,
        namespace=check_namespace(args.namespace),
        misfire_grace=grace,
        batch_window=window,
        max_parallel=args.parallel or (32 if args.broker else 1),
        batch_size=args.batch_size or (10 if args.broker else 0),
        broker=args.broker,
        visibility_timeout=visibility,
        stop_timeout=stop_timeout,
        crawl_base=tuple(shlex.split(args.crawl_command)) if args.crawl_command else DEFAULT_COMMAND,
        crawl_options=options,
        once_per_seed=args.once_per_seed,
        notify_retries=max(0, args.notify_retries),
        notify_backoff=backoff,
    )
    return Daemon(config).run()
