"""The daemon POSTs the change report to a seed's webhook after a capture that changed; a webhook
that is down is retried and logged, and captures go on."""

from __future__ import annotations

import json

import pytest

from tests.support.daemon import (
    Daemon,
    RecordingSite,
    WebhookSink,
    check_archive,
    free_port_url,
    wait_for,
    write_seeds,
)


@pytest.fixture
def site():
    s = RecordingSite(delay=0.05)
    yield s
    s.close()


@pytest.fixture
def sink():
    s = WebhookSink()
    yield s
    s.close()


def test_webhook_gets_change_report_and_dead_webhook_does_not_stop_captures(tmp_path, site, sink):
    dead = free_port_url()
    write_seeds(tmp_path / "seeds.toml", [
        {"name": "a", "url": site.url("/a"), "schedule": "1s", "robots": False,
         "notify_on": ["article"], "webhook": sink.url},
        {"name": "b", "url": site.url("/b"), "schedule": "1s", "robots": False,
         "webhook": dead, "notify_file": "changes-b.jsonl"},
    ])
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.2s",
                    "--notify-retries", "1", "--notify-backoff", "0.2s")
    try:
        wait_for(lambda: sink.received, what="a webhook POST")
        daemon.wait_log(f"notify webhook {dead} failed")
        daemon.wait_log("giving up after 2 attempts")
        daemon.wait_log(f"b: {site.url('/b')} 200", count=4)
    finally:
        assert daemon.stop() == 0
    body = sink.received[0]
    assert body["seed"] == "a" and body["url"] == site.url("/a")
    assert body["channels"]["article"]["changed"] is True
    assert body["from"]["timestamp"] < body["to"]["timestamp"]
    captures = check_archive(tmp_path / "archive")
    assert body["to"]["timestamp"] in {c.timestamp for c in captures if c.url == site.url("/a")}
    # The file notifier of b worked although b's webhook was down.
    lines = [json.loads(ln) for ln in (tmp_path / "changes-b.jsonl").read_text().splitlines()]
    assert lines and all(ln["seed"] == "b" for ln in lines)
    failed = [json.loads(ln) for ln in
              (tmp_path / "archive/schedule/notify-failed.jsonl").read_text().splitlines()]
    assert failed and failed[0]["target"] == f"webhook {dead}"
