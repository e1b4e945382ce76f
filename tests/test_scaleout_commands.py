"""The README's scale-out commands, run exactly as written (with this test's servers' addresses) on
one machine with a real Redis and a real PostgreSQL: `pagetrail run --broker ... --jobstore ...
--catalog ...`, the `pagetrail worker ... --catalog ...` line twice as two machines would (each its
own PAGETRAIL_HOSTNAME), then `pagetrail report ... --catalog ...`.
They must capture and report as the single-machine `pagetrail run` does on the same site."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from tests.support.daemon import Daemon, RecordingSite, check_archive, write_seeds
from tests.support.redis import start_redis

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-readme-pw"
NAMES = ("alpha", "beta", "gamma")
README_REDIS = "redis://localhost:6379/0"
README_PG = "postgresql://pt:secret@localhost/pagetrail"


class Command(Daemon):
    """``python -m pagetrail ARGS`` as a subprocess with its log in a file (Daemon's helpers)."""

    def __init__(self, tmp: Path, argv: list[str], tag: str, **env: str):  # noqa: D107
        self.log_path = tmp / f"{tag}.log"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "pagetrail", *argv], cwd=tmp,
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, PYTHONUNBUFFERED="1", **env),
                                     start_new_session=True)


def readme_commands() -> dict[str, list[str]]:
    """The `pagetrail run/worker/report` lines of the README's scale-out block, by sub-command."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running as a service, and scaling out", 1)[1].split("\n## ", 1)[0]
    block = next(b for b in section.split("```")[1::2] if "--catalog" in b and "pagetrail worker" in b)
    found = {}
    for line in block.splitlines():
        words = shlex.split(line)
        if words[:1] == ["pagetrail"] and words[1] in ("run", "worker", "report"):
            found[words[1]] = words[1:]
    assert set(found) == {"run", "worker", "report"}, block
    return found


def localised(argv: list[str], redis: str, pg: str, seeds: str) -> list[str]:
    swap = {README_REDIS: redis, README_PG: pg, "/srv/archive": "archive", "seeds/*.toml": seeds}
    return [swap.get(word, word) for word in argv]


@pytest.fixture
def redis():
    yield from start_redis()


def capture_twice(tmp: Path, daemon_argv: list[str], worker_argv: list[str] | None) -> RecordingSite:
    """Run the daemon (and a worker) until every seed was captured twice, then stop them."""
    site = RecordingSite(delay=0.05)
    (tmp / "seeds").mkdir()
    write_seeds(tmp / "seeds" / "sites.toml", [
        {"name": n, "url": site.url(f"/{n}"), "schedule": "3s", "robots": False} for n in NAMES])
    daemon = Command(tmp, daemon_argv, "daemon")
    # The worker command "on each machine": two of them, each with a host name of its own.
    workers = [Command(tmp, worker_argv, f"worker-{host}", PAGETRAIL_HOSTNAME=host)
               for host in ("machine1", "machine2")] if worker_argv else []
    try:
        for name in NAMES:
            daemon.wait_log(f"{name}: {site.url('/' + name)} 200", count=2, timeout=120)
    finally:
        for proc in (daemon, *workers):
            proc.stop(timeout=60)
        site.close()
    return site


def report_lines(text: str, site: RecordingSite) -> list[str]:
    """The report without what differs between two runs: ports, times, timestamps, and where in
    which WARC file a record landed."""
    text = text.replace(str(site.port), "PORT")
    text = re.sub(r"[\w.-]+\.warc\.gz:\d+", "WARC", text)
    text = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( UTC)?", "TIME", text)
    return [re.sub(r"\b\d{14,17}\b", "TS", line) for line in text.splitlines()]


def first_two(folder: Path, catalog: str | None, site: RecordingSite) -> dict[str, list]:
    """What each seed's first two captures are and what their stored summaries say."""
    out = {}
    with Archive.existing(folder / "archive", catalog=catalog) as archive:
        for name in NAMES:
            pages = [c for c in archive.captures(site.url(f"/{name}"))
                     if c.kind in ("response", "revisit")][:2]
            summaries = [archive.get_summary(c.id) or {} for c in pages]
            out[name] = [(c.status, c.kind, s.get("summary"), s.get("changed"))
                         for c, s in zip(pages, summaries, strict=True)]
    return out


def test_the_readme_scale_out_commands_capture_and_report_as_one_machine_does(
        tmp_path, redis, pg_server, monkeypatch):
    commands = readme_commands()
    url = pg_server.fresh_database(PASSWORD)
    seeds = "seeds/sites.toml"
    cluster, single = tmp_path / "cluster", tmp_path / "single"
    cluster.mkdir(), single.mkdir()

    site = capture_twice(cluster, localised(commands["run"], redis.url, url, seeds),
                         localised(commands["worker"], redis.url, url, seeds))
    report = subprocess.run([sys.executable, "-m", "pagetrail",
                             *localised(commands["report"], redis.url, url, seeds)],
                            cwd=cluster, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    local_site = capture_twice(single, ["run", seeds, "--archive", "archive"], None)
    local = subprocess.run([sys.executable, "-m", "pagetrail", "report", "--archive", "archive"],
                           cwd=single, capture_output=True, text=True)
    assert local.returncode == 0, local.stderr

    # Pages are listed in first-capture order, and a seed may have had a third capture before its
    # daemon stopped: the same lines, in whatever order and number.
    assert set(report_lines(report.stdout, site)) == set(report_lines(local.stdout, local_site))
    for name in NAMES:
        assert f"/{name}" in report.stdout
    seen = first_two(cluster, url, site)
    assert all(len(pair) == 2 and pair[1][3] for pair in seen.values()), seen  # 2nd: a change
    assert seen == first_two(single, None, local_site)
    # The catalog is in PostgreSQL, one row per WARC record, every summary stored.
    assert not (cluster / "archive" / "catalog.sqlite3").exists()
    monkeypatch.setenv("PAGETRAIL_CATALOG", url)  # check_archive opens Archive(folder)
    captures = check_archive(cluster / "archive")
    pages = [c for c in captures if c.kind in ("response", "revisit")]
    assert len({c.record_id for c in pages}) == len(pages) >= 2 * len(NAMES)
    with Archive.existing(cluster / "archive", catalog=url) as archive:
        assert all(archive.get_summary(c.id) is not None for c in pages)
    hosts = {path.name.split("-")[-1].split(".")[0] for path in (cluster / "archive").glob("*.warc.gz")}
    assert hosts and hosts <= {"machine1", "machine2"}
    for log in ("daemon.log", "worker-machine1.log", "worker-machine2.log"):
        assert PASSWORD not in (cluster / log).read_text()
    assert PASSWORD not in report.stdout + report.stderr
