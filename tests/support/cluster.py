"""Helpers for the scale-out tests (no tests here): `pagetrail worker` and `pagetrail run --broker`
processes, seeds on a local site, and the checks every scenario ends with.

The servers themselves come from tests/support/redis.py and postgres.py; the processes log to
files in the test's folder, as tests/support/daemon.py's :class:`Daemon` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pagetrail.schedule.queue import QUEUE
from tests.support.daemon import (
    TIMEOUT,
    Daemon,
    RecordingSite,
    check_archive,
    wait_for,
    write_seeds,
)

# Short, so that a killed worker's batch comes back within seconds. A batch still crawling past it
# is handed out a second time (harmless, but a second fetch): the batches here take 3-11 s on a
# loaded 2-core machine, so scenarios that count fetches pass an hour instead.
VISIBILITY = "15s"


class Worker(Daemon):
    """``python -m pagetrail worker ...`` as a subprocess (its own process group, so that a test can
    kill it with its crawls, as a machine dies), its log in a file."""

    def __init__(self, tmp: Path, broker: str, name: str, *args: str):  # noqa: D107 - Daemon's log helpers
        self.log_path = tmp / f"worker-{name}.log"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pagetrail", "worker", "--broker", broker, "--archive",
             "archive", "--visibility-timeout", VISIBILITY, "--name", name, *args],
            cwd=tmp, stdout=self.log_file, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True,
        )


def scheduler(tmp: Path, broker: str, *args: str, tag: str = "daemon") -> Daemon:
    """``pagetrail run seeds.toml --broker URL`` with the short timings the scenarios need."""
    return Daemon(tmp, "seeds.toml", "--archive", "archive", "--broker", broker,
                  "--batch-window", "0.2s", "--visibility-timeout", VISIBILITY,
                  "--stop-timeout", "5s", *args, tag=tag)


def seed_names(count: int, prefix: str = "s") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(count)]


def seeds_on(site: RecordingSite, tmp: Path, names: Iterable[str], schedule: str,
             more: dict[str, str] | None = None) -> None:
    """seeds.toml: one seed per name at ``site``/NAME; ``more`` maps other names to their schedule."""
    wanted = {name: schedule for name in names} | (more or {})
    write_seeds(tmp / "seeds.toml", [{"name": n, "url": site.url(f"/{n}"), "schedule": s,
                                      "robots": False} for n, s in wanted.items()])


def fetches(site: RecordingSite, names: Iterable[str]) -> dict[str, int]:
    """Completed responses per seed so far."""
    return {name: site.count(f"/{name}") for name in names}


def wait_round(site: RecordingSite, names: Iterable[str], since: dict[str, int] | None = None,
               rounds: int = 1, timeout: float = 4 * TIMEOUT, what: str = "") -> dict[str, int]:
    """Wait until every seed was fetched ``rounds`` more times than in ``since``; the counts then."""
    names = list(names)
    since = since or dict.fromkeys(names, 0)

    def behind() -> list[str]:
        now = fetches(site, names)
        return [n for n in names if now[n] < since[n] + rounds]

    try:
        wait_for(lambda: not behind(), timeout, what or f"every seed fetched {rounds} more time(s)",
                 interval=0.25)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; behind: {behind()[:10]}") from None
    return fetches(site, names)


def check_catalog(archive: Path, names: Iterable[str] = (), site: RecordingSite | None = None,
                  at_least: int = 1, repair: bool = False, catalog: str | None = None) -> list:
    """The end-of-scenario checks: every WARC valid and every row readable (check_archive), one
    catalog row per WARC response/revisit record (none cataloged twice, none left out), a stored
    change summary for every capture, and every seed in ``names`` captured ``at_least`` times.

    ``repair``: a process was killed mid-write, so first open the archive for writing as the next
    daemon start does (it closes and indexes what the dead crawl left open). ``catalog``: the
    --catalog URL the processes used (default: SQLite in the archive folder)."""
    from warcio.archiveiterator import ArchiveIterator

    from pagetrail.archive import Archive

    if repair:
        Archive(archive, catalog=catalog).open().close()
    captures = check_archive(archive, catalog)
    ids = [c.record_id for c in captures if c.record_id]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    in_warcs = set()
    for warc in archive.glob("*.warc.gz"):
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    in_warcs.add(record.rec_headers.get_header("WARC-Record-ID"))
    cataloged = {c.record_id for c in captures if c.kind in ("response", "revisit")}
    assert cataloged == in_warcs, (len(cataloged), len(in_warcs))
    store = Archive.existing(archive, catalog=catalog)
    try:  # the crawl that archived a capture also stored its change summary
        missing = [c.url for c in captures if c.kind in ("response", "revisit")
                   and store.get_summary(c.id) is None]
    finally:
        store.close()
    assert not missing, missing
    if site is not None:
        per_url = Counter(c.url for c in captures if c.kind in ("response", "revisit"))
        short = {n: per_url[site.url(f"/{n}")] for n in names if per_url[site.url(f"/{n}")] < at_least}
        assert not short, f"captured fewer than {at_least} times: {short}"
    return captures


def queued_with(broker: str, seed: str) -> bool:
    """Whether a batch holding ``seed`` waits in the broker's queue (Redis): sent and not yet taken,
    or handed back by a visibility sweep. Read from Redis itself (each queued message is a JSON
    list entry whose headers name its seeds), so a test can act on the moment it is queued."""
    import redis

    client = redis.Redis.from_url(broker)
    try:
        wanted = f"'{seed}'".encode()
        return any(wanted in message for key in client.scan_iter(f"{QUEUE}*")
                   if client.type(key) == b"list" for message in client.lrange(key, 0, -1))
    finally:
        client.close()


def never_overlapped(site: RecordingSite, names: Iterable[str]) -> None:
    """No seed was ever fetched twice at once: coalescing and hand-overs never doubled a run."""
    doubled = {n: site.max_active[f"/{n}"] for n in names if site.max_active[f"/{n}"] > 1}
    assert not doubled, f"fetched more than once at a time: {doubled}"


def stop_all(*procs: Daemon | None) -> None:
    """SIGTERM each at once (a warm shutdown), then wait for each; one that does not stop is
    killed. One signal only: a second one tells the daemon and the workers to kill their crawls."""
    live = [p for p in procs if p is not None]
    for proc in live:
        if proc.proc.poll() is None:
            proc.send()
    for proc in live:
        try:
            proc.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.proc.kill()
            proc.proc.wait()
        finally:
            proc.log_file.close()
