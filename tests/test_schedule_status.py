"""`pagetrail schedule` shows each seed's last run, last result, failure streak and next run (in
local time) and filters by tag; schedules read as the seed says them; a page that goes down is
notified once after N failures in a row, and once when it is back."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pytest

from pagetrail.cli import main
from pagetrail.schedule.notify import Notifications
from pagetrail.schedule.status import StatusBook, read_status
from pagetrail.schedule.triggers import schedule_key, schedule_label
from pagetrail.seedref import page_url, seed_named
from pagetrail.seeds import Schedule, build_seed
from tests.support.daemon import Daemon, wait_for, write_seeds
from tests.support.servers import LocalSite, page
from tests.test_schedule_store import store_with_jobs


def seed(name="news", **extra):
    return build_seed({"url": f"http://127.0.0.1/{name}", "name": name, "schedule": "6h", **extra})


def test_schedules_read_as_the_seed_says_them_and_keys_stay_stable():
    six = Schedule.parse("6h")
    assert six.describe() == "every 6h" and schedule_label(six) == "every 6h"
    assert schedule_key(six) == "every 21600s"  # the stored key: no job rescheduled by the wording
    assert Schedule.parse("90").describe() == "every 1m30s"
    assert schedule_label(Schedule.parse("1h30m", jitter=300)) == "every 1h30m jitter 5m"


def test_failing_is_told_once_after_n_failures_and_back_once(tmp_path):
    book = StatusBook(tmp_path)
    s = seed(notify_failures=3)
    events = [book.record(s, False, "FAILED: connection refused", "connection refused")
              for _ in range(4)]
    assert events[:2] == [None, None] and events[3] is None
    assert events[2]["event"] == "down" and events[2]["failures"] == 3
    book.save()
    again = StatusBook(tmp_path)  # a restarted daemon remembers the streak and the notice
    assert again.seeds["news"].failures == 4 and again.seeds["news"].failing_notified
    up = again.record(s, True, "200 new — first capture")
    assert up["event"] == "up" and up["failures"] == 4
    assert again.record(s, True, "200 revisit — no change") is None
    assert again.seeds["news"].failures == 0


def test_fetch_state_notices_follow_notify_on(tmp_path):
    out = tmp_path / "n.jsonl"
    notes = Notifications(retries=0)
    event = {"event": "down", "failures": 3, "since": "x", "error": "HTTP 503", "timestamp": "y"}
    assert notes.notify_fetch_state(seed("a", notify_on=["ads"], notify_file=str(out)), event) == 0
    assert notes.notify_fetch_state(seed("b", notify_file=str(out)), event) == 1
    wait_for(lambda: out.exists(), what="the JSON line")
    notes.close()
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["seed"] == "b" and line["event"] == "down" and line["url"] == "http://127.0.0.1/b"


def test_a_page_that_goes_down_and_comes_back_notifies_once_each(tmp_path):
    with LocalSite() as site:
        site.add("/p", page("<p>down</p>", status=503))
        write_seeds(tmp_path / "seeds.toml", [
            {"name": "p", "url": site.url("/p"), "schedule": "1s", "robots": False,
             "notify_failures": 2, "notify_file": "events.jsonl", "notify_on": ["fetch"]}])
        daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.1s",
                        "-s", "RETRY_ENABLED=0")
        events = tmp_path / "events.jsonl"

        def kinds() -> list[str]:
            if not events.exists():
                return []
            return [json.loads(x)["event"] for x in events.read_text().splitlines()]

        try:
            wait_for(lambda: "down" in kinds(), what="the 'failing' notice")
            daemon.wait_log(f"p: {site.url('/p')} FAILED", count=3)  # a third failure: no new notice
            site.add("/p", page("<p>up</p>"))
            wait_for(lambda: "up" in kinds(), what="the 'back' notice")
            daemon.wait_log(f"p: {site.url('/p')} 200", count=2)  # and a capture after it
        finally:
            assert daemon.stop() == 0
    assert kinds() == ["down", "up"]
    log = daemon.log()
    assert "p: failing: 2 captures in a row failed" in log and "p: back:" in log
    assert "p: scheduled every 1s" in log
    status = read_status(tmp_path / "archive")["p"]
    assert status.last_ok is True and status.failures == 0


def test_schedule_lists_last_run_result_failures_and_next_run_in_local_time(tmp_path, capsys,
                                                                              monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        archive = tmp_path / "archive"
        archive.mkdir()
        store_with_jobs(archive)
        book = StatusBook(archive)
        when = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
        for _ in range(2):
            book.record(seed("news"), False, "FAILED: HTTP 503", "HTTP 503", when=when)
        book.record(seed("blog"), True, "200 new — ads: 1 added", when=when)
        book.save()
        assert main(["schedule", "--archive", str(archive)]) == 0
        out = capsys.readouterr().out.splitlines()
    finally:
        os.environ.pop("TZ", None)
        time.tzset()
    assert out[0] == "daemon: not running; 2 jobs; times in CET"
    assert out[1].split() == ["NAME", "SCHEDULE", "NEXT", "RUN", "LAST", "RUN", "FAILED", "LAST",
                              "RESULT"]
    blog = next(line for line in out if line.strip().startswith("blog"))
    news = next(line for line in out if line.strip().startswith("news"))
    assert "2026-11-26 06:00" in blog and "200 new — ads: 1 added" in blog  # 05:00 UTC in Paris
    assert "2 in a row" in news and "FAILED: HTTP 503" in news


def test_schedule_filters_by_tag_and_takes_a_url_for_pause(tmp_path, capsys):
    from pagetrail.schedule import jobs
    from tests.test_schedule_store import BackgroundScheduler, trigger_for

    archive = tmp_path / "archive"
    archive.mkdir()
    seeds = tmp_path / "s.toml"
    seeds.write_text('[[seed]]\nname = "a"\nurl = "http://127.0.0.1/a"\nschedule = "1h"\n'
                     'tags = ["health"]\n[[seed]]\nname = "b"\nurl = "http://127.0.0.1/b"\n'
                     'schedule = "1h"\n', encoding="utf-8")
    scheduler = BackgroundScheduler(
        jobstores={"default": jobs.make_jobstore(jobs.jobstore_url(archive))}, timezone=UTC)
    scheduler.start(paused=True)
    for name in ("a", "b"):
        scheduler.add_job(jobs.crawl_seed, trigger_for(Schedule.parse("1h")), id=name,
                          args=(name, str(seeds), str(archive), "every 3600s", "every 1h"))
    scheduler.shutdown(wait=False)
    assert main(["schedule", "--archive", str(archive), "--tag", "health", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["jobs"]
    assert [j["name"] for j in listed] == ["a"] and listed[0]["schedule"] == "every 1h"
    assert main(["schedule", "pause", "http://127.0.0.1/b", "--archive", str(archive)]) == 0
    assert capsys.readouterr().out.strip() == "b: paused"


def test_a_seed_name_where_a_url_is_taken(tmp_path):
    seeds = [seed("heparin"), seed("news")]
    assert page_url("heparin", seeds) == "http://127.0.0.1/heparin"
    assert page_url("https://example.org/x", seeds) == "https://example.org/x"
    assert seed_named("http://127.0.0.1/news/", seeds).name == "news"
    from pagetrail.errors import UsageError

    with pytest.raises(UsageError, match="nope: not a URL, and no seed of that name"):
        page_url("nope", seeds)
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.toml").write_text('[[seed]]\nname = "heparin"\nurl = "https://e.org/h"\n'
                                   'schedule = "6h"\n', encoding="utf-8")
    assert page_url("heparin", folder=folder) == "https://e.org/h"


def test_crawl_only_takes_a_seed_url_too_and_tags_select_seeds(tmp_path):
    from pagetrail.crawl.seedlist import choose_seeds
    from pagetrail.seedref import with_tags

    path = tmp_path / "s.toml"
    path.write_text('[defaults]\nschedule = "1h"\n[[seed]]\nname = "a"\nurl = "http://127.0.0.1/a"\n'
                    'tags = ["health"]\n[[seed]]\nname = "b"\nurl = "http://127.0.0.1/b"\n',
                    encoding="utf-8")
    assert [s.name for s in choose_seeds([path], only=["http://127.0.0.1/b"])] == ["b"]
    assert [s.name for s in choose_seeds([path], only=["a"])] == ["a"]
    seeds = choose_seeds([path])
    assert [s.name for s in with_tags(seeds, ["health"])] == ["a"]
    assert with_tags(seeds, []) == seeds


def test_no_scaffolding_fallbacks_in_the_operator_modules():
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "src" / "pagetrail"
    files = [src / "cli.py", src / "commands" / "demo.py", *sorted((src / "schedule").glob("*.py"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "except ImportError" not in text and "not built yet" not in text, path
        assert "ModuleNotFoundError" not in text, path
    assert "cli import main" not in (src / "commands" / "demo.py").read_text(encoding="utf-8")


def test_saving_leaves_another_writers_temporary_file_alone(tmp_path):
    # A standby daemon on the same archive writes the same status file: each writer has a
    # temporary file of its own, so neither renames or overwrites the other's half-written one.
    book = StatusBook(tmp_path)
    book.record(seed(), True, "ok")
    others = book.path.with_suffix(".tmp")
    others.parent.mkdir(parents=True)
    others.write_text("another writer's half-written status", encoding="utf-8")
    book.save()
    assert others.read_text(encoding="utf-8") == "another writer's half-written status"
    assert "news" in read_status(tmp_path)
    assert sorted(p.name for p in book.path.parent.iterdir()) == sorted([book.path.name, others.name])
