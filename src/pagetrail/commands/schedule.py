"""``pagetrail schedule``: list the daemon's jobs; pause or resume one, even while it runs."""

from __future__ import annotations

import argparse
import json
import time

HELP = "list scheduled jobs with their next run time; pause or resume one"
DESCRIPTION = """\
List the jobs in the daemon's job store (one per seed: schedule, next run time, paused), whether
or not `pagetrail run` is running. `pause NAME` and `resume NAME` stop and restart one seed's
captures: when a daemon runs on the archive the request is handed to it (and this command waits
until the job store shows it applied); otherwise the job store is changed directly. A paused job
stays paused across daemon restarts and seed file edits.

examples:
  pagetrail schedule
  pagetrail schedule --json
  pagetrail schedule pause example.com-news
  pagetrail schedule resume example.com-news --archive /srv/pagetrail
"""

WAIT_SECONDS = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("list", "pause", "resume"), default="list",
                        help="list (default), pause or resume")
    parser.add_argument("name", nargs="?", help="seed name, for pause and resume")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")
    parser.add_argument("--jobstore", metavar="URL",
                        help="SQLAlchemy URL of the job store (default: sqlite in the archive)")
    parser.add_argument("--json", action="store_true", help="print the jobs as JSON")


def run(args: argparse.Namespace) -> int:
    from pagetrail.errors import UsageError
    from pagetrail.schedule.control import ControlChannel, running_pid
    from pagetrail.schedule.jobs import StoreReader, jobstore_url

    if args.action == "list":
        if args.name:
            raise UsageError(f"schedule list takes no name (got {args.name!r})")
        return _list(args)
    if not args.name:
        raise UsageError(f"schedule {args.action}: give the seed name (see `pagetrail schedule`)")
    url = jobstore_url(args.archive, args.jobstore)
    _require_store(args, url)
    reader = StoreReader(url)
    try:
        if not any(j.name == args.name for j in reader.jobs()):
            raise UsageError(f"no scheduled job named {args.name!r} (see `pagetrail schedule`)")
        pid = running_pid(args.archive)
        want_paused = args.action == "pause"
        if pid is None:
            info = reader.set_paused(args.name, want_paused)
        else:
            ControlChannel(args.archive).send(args.action, args.name)
            info = _wait_applied(reader, args.name, want_paused)
            if info is None:
                raise UsageError(f"{args.action} {args.name}: sent to the daemon (pid {pid}) but not "
                                 f"applied within {WAIT_SECONDS:g}s; is it stuck? see its log")
    finally:
        reader.close()
    state = "paused" if info.paused else f"resumed; next run {_when(info.next_run)}"
    print(f"{info.name}: {state}")
    return 0


def _require_store(args: argparse.Namespace, url: str) -> None:
    from pathlib import Path

    from pagetrail.errors import UsageError

    if not args.jobstore and not (Path(args.archive) / "jobs.sqlite3").exists():
        raise UsageError(f"{args.archive}: no job store here (jobs.sqlite3); start `pagetrail run "
                         f"--archive {args.archive}` first")


def _wait_applied(reader, name: str, paused: bool):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        info = next((j for j in reader.jobs() if j.name == name), None)
        if info is not None and info.paused == paused:
            return info
        time.sleep(0.2)
    return None


def _when(moment) -> str:  # noqa: ANN001
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _list(args: argparse.Namespace) -> int:
    from pagetrail.schedule.control import running_pid
    from pagetrail.schedule.jobs import StoreReader, jobstore_url

    url = jobstore_url(args.archive, args.jobstore)
    _require_store(args, url)
    reader = StoreReader(url)
    try:
        jobs = reader.jobs()
    finally:
        reader.close()
    pid = running_pid(args.archive)
    if args.json:
        print(json.dumps({"daemon_pid": pid, "jobs": [j.to_dict() for j in jobs]}, indent=2))
        return 0
    print(f"daemon: {'running, pid ' + str(pid) if pid else 'not running'}; {len(jobs)} jobs")
    if not jobs:
        return 0
    width = max(len(j.name) for j in jobs)
    swidth = max(len(j.schedule) for j in jobs)
    for j in jobs:
        state = "PAUSED" if j.paused else f"next {_when(j.next_run)}"
        print(f"  {j.name:<{width}}  {j.schedule:<{swidth}}  {state}")
    return 0
