"""`pagetrail schedule` reads, pauses and resumes jobs in the job store with no daemon running."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from pagetrail.cli import main
from pagetrail.schedule import jobs
from pagetrail.schedule.triggers import trigger_for
from pagetrail.seeds import Schedule


def store_with_jobs(archive):
    scheduler = BackgroundScheduler(
        jobstores={"default": jobs.make_jobstore(jobs.jobstore_url(archive))}, timezone=UTC)
    scheduler.start(paused=True)
    for name, text in (("news", "6h"), ("blog", "0 6 * * *")):
        schedule = Schedule.parse(text)
        scheduler.add_job(jobs.crawl_seed, trigger_for(schedule), id=name, name=name,
                          args=(name, "seeds/x.toml", str(archive), text))
    scheduler.shutdown(wait=False)


def test_list_pause_resume_without_daemon(tmp_path, capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    store_with_jobs(archive)
    assert main(["schedule", "--archive", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "daemon: not running; 2 jobs" in out
    assert "news" in out and "6h" in out and "blog" in out

    assert main(["schedule", "pause", "news", "--archive", str(archive)]) == 0
    assert capsys.readouterr().out.strip() == "news: paused"
    reader = jobs.StoreReader(jobs.jobstore_url(archive))
    state = {j.name: j for j in reader.jobs()}
    assert state["news"].paused and not state["blog"].paused
    assert main(["schedule", "resume", "news", "--archive", str(archive)]) == 0
    state = {j.name: j for j in reader.jobs()}
    reader.close()
    assert state["news"].next_run > datetime.now(UTC)


def test_unknown_job_and_missing_store_are_one_line_errors(tmp_path, capsys):
    archive = tmp_path / "archive"
    assert main(["schedule", "--archive", str(archive)]) == 2
    assert "no job store here" in capsys.readouterr().err
    archive.mkdir()
    store_with_jobs(archive)
    assert main(["schedule", "pause", "nope", "--archive", str(archive)]) == 2
    err = capsys.readouterr().err
    assert "no scheduled job named 'nope'" in err and len(err.strip().splitlines()) == 1


def test_job_function_outside_a_daemon_is_logged_and_ignored(caplog):
    jobs.set_submitter(None)
    logger = logging.getLogger("pagetrail.schedule")  # `run` may have stopped its propagation
    logger.addHandler(caplog.handler)
    try:
        assert jobs.crawl_seed("x") is None
    finally:
        logger.removeHandler(caplog.handler)
    assert "job x fired outside a pagetrail daemon; ignored" in caplog.text

    submitted = []
    jobs.set_submitter(submitted.append)
    try:
        jobs.crawl_seed("y")
    finally:
        jobs.set_submitter(None)
    assert submitted == ["y"]
