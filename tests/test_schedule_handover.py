"""The record of due runs (schedule/handover.py) on the default SQLite job store: a run stays
recorded until it is handed over, a run that came due again meanwhile keeps its record, and what
a daemon leaves behind is found by the next one. The daemon-level behaviour (a killed daemon's
waiting runs run once at the next start, a standby's takeover) is in test_daemon_restart.py and
test_cluster_scenarios.py."""

from __future__ import annotations

from pagetrail.schedule.jobs import due_book, jobstore_url


def test_a_run_stays_recorded_until_handed_over_and_a_later_one_survives_its_clear(tmp_path):
    book = due_book(jobstore_url(tmp_path))
    try:
        book.due("a", when=100.0)
        book.due("b", when=100.0)
        book.handed_over(["a"], since=150.0)  # a's batch went out at 150: its run is handed over
        assert book.pending() == ["b"]
        book.due("b", when=200.0)  # b came due again while its batch (sent at 150) was in flight
        book.handed_over(["b"], since=150.0)
        assert book.pending() == ["b"]  # the later run is still owed
        book.handed_over(["b"])  # paused or removed: cleared whatever its time
        assert book.pending() == []
    finally:
        book.close()


def test_the_next_daemon_finds_what_was_left_and_drops_inactive_seeds(tmp_path):
    first = due_book(jobstore_url(tmp_path))
    for name in ("gone", "paused", "waiting"):
        first.due(name)
    first.close()  # buffered records are written on close (and every 50 ms before)
    second = due_book(jobstore_url(tmp_path))
    try:
        assert second.left_over(lambda name: name == "waiting") == ["waiting"]
        assert second.pending() == ["waiting"]
    finally:
        second.close()


def test_an_in_memory_job_store_keeps_no_record():
    assert due_book("memory") is None
