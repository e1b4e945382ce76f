"""``pagetrail worker``: crawl the batches a ``pagetrail run --broker`` daemon queues."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

HELP = "crawl the batches queued by `pagetrail run --broker` (a Celery worker)"
DESCRIPTION = """\
Run a Celery worker that takes crawl batches from the broker a `pagetrail run --broker URL` daemon
sends them to, and crawls each as the daemon would: a child `pagetrail crawl` process that writes
WARC files (named with this machine's host name) into --archive, indexes them and stores each
capture's change summary. Run any number of workers, on this machine or others mounting the same
archive folder; --concurrency batches at a time each. Workers on several machines need the
catalog in PostgreSQL: give every worker and the daemon the same --catalog URL (or
$PAGETRAIL_CATALOG).

A batch is acknowledged only once its crawl ended: a worker killed mid-batch has its batch
delivered again to another worker once --visibility-timeout has passed (give every worker and the
daemon the same value, longer than your longest batch). Pages of that batch may be fetched twice;
each fetch is its own capture.

SIGTERM/SIGINT: take no new batches, finish the running ones, then exit (a second signal stops at
once; unfinished batches go back to the queue).

examples:
  pagetrail worker --broker redis://localhost:6379/0
  pagetrail worker --broker redis://:PASSWORD@queue.example.org:6379/0 --archive /srv/archive \
      --catalog postgresql://pagetrail:PASSWORD@db.example.org/pagetrail --concurrency 2
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", required=True, metavar="URL",
                        help="the Celery broker of the daemon (redis://host:6379/0); the password "
                        "is never printed")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder, the same folder as the daemon's (default: archive/)")
    from pagetrail.commands.args import add_catalog_argument

    add_catalog_argument(parser)
    parser.add_argument("--concurrency", type=int, default=1, metavar="N",
                        help="batches crawled at once, each in its own process (default: 1)")
    parser.add_argument("--visibility-timeout", default="1h", metavar="DURATION",
                        help="a batch a dead worker took is delivered again after this (default: 1h)")
    parser.add_argument("--name", metavar="NAME",
                        help="worker name in logs (default: pagetrail-HOST-PID)")
    # For tests and odd set-ups: the command that crawls (seed files and options are appended).
    parser.add_argument("--crawl-command", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from pagetrail.commands.run import durations, setup_logging, use_catalog
    from pagetrail.errors import UsageError
    from pagetrail.schedule.child import DEFAULT_COMMAND
    from pagetrail.schedule.queue import WorkerConfig, celery_app, run_worker

    (visibility,) = durations(args, "visibility_timeout")
    if args.concurrency < 1:
        raise UsageError(f"--concurrency: must be at least 1, got {args.concurrency}")
    celery_app(args.broker, visibility)  # no Celery or a bad URL: one line, before anything starts
    use_catalog(args.catalog)
    from pagetrail.archive import Archive

    # Before taking batches: the catalog answers (else one line now, not a failure per batch), and
    # this machine's WARC files a killed worker left open are repaired.
    Archive(args.archive).open().close()
    setup_logging()
    config = WorkerConfig(
        archive=Path(args.archive),
        crawl_base=tuple(shlex.split(args.crawl_command)) if args.crawl_command else DEFAULT_COMMAND,
        hostname=args.name or "",
    )
    return run_worker(args.broker, config, args.concurrency, visibility)
