"""``pagetrail schedule``: list the daemon's jobs; pause or resume one, even while it runs."""

from __future__ import annotations

import argparse
import json
import time

HELP = "list scheduled jobs: next run, last run and result, failures; pause or resume one"
DESCRIPTION = """\
List the jobs in the daemon's job store, one per seed, whether or not `pagetrail run` is running:
its schedule as the seed file says it, the next run, the last run and its result, and how many
captures in a row have failed; times are in this machine's time zone. `pause NAME` and `resume
NAME` stop and restart one seed's captures (NAME may also be the seed's URL): when a daemon runs
on the archive the request is handed to it (and this command waits until the job store shows it
applied); otherwise the job store is changed directly. A paused job stays paused across daemon
restarts and seed file edits.

examples:
  pagetrail schedule
  pagetrail schedule --tag health --json
  pagetrail schedule pause example.com-news
  pagetrail schedule resume https://example.com/news --archive /srv/pagetrail
"""

WAIT_SECONDS = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("list", "pause", "resume"), default="list",
                        help="list (default), pause or resume")
    parser.add_argument("name", nargs="?", help="seed name (or URL), for pause and resume")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")
    parser.add_argument("--jobstore", metavar="URL",
                        help="SQLAlchemy URL of the job store (default: sqlite in the archive)")
    parser.add_argument("--namespace", default="default", metavar="NAME",
                        help="the daemon's namespace in a shared job store (default: default)")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="list only seeds with this tag (repeatable: any of them)")
    parser.add_argument("--json", action="store_true", help="print the jobs as JSON")


def run(args: argparse.Namespace) -> int:
    from pagetrail.errors import UsageError
    from pagetrail.schedule.control import ControlChannel, running_pid
    from pagetrail.schedule.jobs import StoreReader, jobstore_url
    from pagetrail.schedule.leadership import check_namespace
    from pagetrail.seedref import seed_named

    if args.action == "list":
        if args.name:
            raise UsageError(f"schedule list takes no name (got {args.name!r})")
        return _list(args)
    if not args.name:
        raise UsageError(f"schedule {args.action}: give the seed name (see `pagetrail schedule`)")
    url = jobstore_url(args.archive, args.jobstore)
    _require_store(args, url)
    reader = StoreReader(url, check_namespace(args.namespace))
    try:
        jobs = reader.jobs()
        if not any(j.name == args.name for j in jobs) and "://" in args.name:
            seed = seed_named(args.name, list(_job_seeds(jobs).values()))
            args.name = seed.name if seed is not None else args.name
        if not any(j.name == args.name for j in jobs):
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


def _when(moment, seconds: bool = True) -> str:  # noqa: ANN001 - datetime or ISO text
    """A time in this machine's time zone."""
    from datetime import datetime

    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M")


def _job_seeds(jobs) -> dict:  # noqa: ANN001 - list[JobInfo] -> {name: Seed}
    """The seeds of the jobs, read from their seed files (a file gone or broken: none from it)."""
    from pagetrail.seeds import SeedError, load_seed_file

    out = {}
    for path in sorted({j.seed_file for j in jobs if j.seed_file}):
        try:
            out.update({s.name: s for s in load_seed_file(path)})
        except SeedError:
            continue
    return out


def _list(args: argparse.Namespace) -> int:
    from datetime import datetime

    from pagetrail.schedule.control import running_pid
    from pagetrail.schedule.jobs import StoreReader, jobstore_url
    from pagetrail.schedule.leadership import check_namespace
    from pagetrail.schedule.status import read_status

    url = jobstore_url(args.archive, args.jobstore)
    _require_store(args, url)
    reader = StoreReader(url, check_namespace(args.namespace))
    try:
        jobs = reader.jobs()
    finally:
        reader.close()
    if args.tag:
        seeds = _job_seeds(jobs)
        jobs = [j for j in jobs if j.name in seeds and set(args.tag) & set(seeds[j.name].tags)]
    status = read_status(args.archive)
    pid = running_pid(args.archive)
    if args.json:
        rows = []
        for j in jobs:
            st = status.get(j.name)
            rows.append(j.to_dict() | {
                "last_run": st.last_run if st else None,
                "last_ok": st.last_ok if st else None,
                "last_result": st.last_result if st else None,
                "failures": st.failures if st else 0,
                "failing_since": st.failing_since if st else None,
            })
        print(json.dumps({"daemon_pid": pid, "jobs": rows}, indent=2))
        return 0
    zone = datetime.now().astimezone().strftime("%Z")
    print(f"daemon: {'running, pid ' + str(pid) if pid else 'not running'}; {len(jobs)} jobs"
          + (f"; times in {zone}" if jobs else ""))
    if not jobs:
        return 0
    rows = [("NAME", "SCHEDULE", "NEXT RUN", "LAST RUN", "FAILED", "LAST RESULT")]
    for j in jobs:
        st = status.get(j.name)
        rows.append((
            j.name, j.schedule, "PAUSED" if j.paused else _when(j.next_run, seconds=False),
            _when(st.last_run, seconds=False) if st else "-",
            f"{st.failures} in a row" if st and st.failures else "-",
            _shorten(st.last_result, 60) if st else "never run",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  " + "  ".join(f"{cell:<{w}}" for cell, w in zip(row[:5], widths, strict=True))
              + "  " + row[5])
    return 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
