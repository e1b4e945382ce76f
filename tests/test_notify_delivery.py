"""Notifications: the JSON change report reaches a webhook and a JSONL file when a channel the seed
cares about changed; failed deliveries are retried, then kept in a dead-letter file."""

from __future__ import annotations

import json

import pytest

from pagetrail.schedule.notify import NOTIFIERS, Notifications, notifiers_for, wants
from pagetrail.seeds import build_seed
from tests.support.daemon import WebhookSink, free_port_url, wait_for


def report(**changed: bool) -> dict:
    return {
        "url": "http://127.0.0.1/page", "from": {"timestamp": "20260101000000000"},
        "to": {"timestamp": "20260102000000000"}, "changed": any(changed.values()),
        "fetch_problem": None, "notes": [],
        "channels": {name: {"changed": changed.get(name, False),
                            "changes": [{"op": "edited"}] if changed.get(name) else []}
                     for name in ("article", "ads", "comments")},
    }


def seed(**extra):
    return build_seed({"url": "http://127.0.0.1/page", "name": "page", "schedule": "1h", **extra})


@pytest.fixture
def sink():
    s = WebhookSink()
    yield s
    s.close()


def test_registry_has_webhook_and_jsonl():
    assert {"webhook", "jsonl"} <= set(NOTIFIERS)
    kinds = [n.kind for n in notifiers_for(seed(webhook="http://127.0.0.1:1/h", notify_file="n.jsonl"))]
    assert sorted(kinds) == ["jsonl", "webhook"]


def test_only_channels_the_seed_cares_about_notify():
    s = seed(notify_on=["ads"])
    assert not wants(s, report(article=True))
    assert wants(s, report(ads=True))


def test_webhook_and_file_get_the_change_report(tmp_path, sink):
    out = tmp_path / "changes.jsonl"
    notes = Notifications(retries=0)
    queued = notes.notify(seed(webhook=sink.url, notify_file=str(out)), report(article=True))
    assert queued == 2
    wait_for(lambda: sink.received and out.exists(), what="deliveries")
    notes.close()
    body = sink.received[0]
    assert body["seed"] == "page" and body["url"] == "http://127.0.0.1/page"
    assert body["channels"]["article"]["changed"] is True
    assert sink.headers[0]["X-Pagetrail-Seed"] == "page"
    assert json.loads(out.read_text().splitlines()[0]) == body


def test_failing_webhook_is_retried_then_dead_lettered(tmp_path, sink):
    sink.status = 503
    dead = tmp_path / "notify-failed.jsonl"
    notes = Notifications(retries=2, backoff=0.05, dead_letter=dead)
    notes.notify(seed(webhook=sink.url), report(comments=True))
    wait_for(lambda: notes.failed == 1, what="retries exhausted")
    notes.close()
    kept = json.loads(dead.read_text())
    assert kept["notifier"] == "webhook" and "HTTP 503" in kept["error"]
    assert kept["report"]["channels"]["comments"]["changed"] is True


def test_webhook_recovering_during_retries_is_delivered(sink):
    sink.fail_first = 2  # the third attempt succeeds, however long the retries take
    notes = Notifications(retries=5, backoff=0.01)
    notes.notify(seed(webhook=sink.url), report(article=True))
    wait_for(lambda: notes.delivered or notes.failed, what="delivery after retries")
    notes.close()
    assert notes.delivered == 1 and notes.failed == 0
    assert sink.attempts == 3 and len(sink.received) == 1


def test_dead_webhook_does_not_block_other_deliveries(tmp_path, sink):
    notes = Notifications(retries=3, backoff=0.01, dead_letter=tmp_path / "dead.jsonl")
    notes.notify(seed(webhook=free_port_url()), report(article=True))
    notes.notify(seed(webhook=sink.url), report(article=True))
    wait_for(lambda: sink.received, what="the live webhook")
    wait_for(lambda: notes.failed == 1, what="the dead webhook given up")
    notes.close()
    assert notes.delivered == 1
    assert json.loads((tmp_path / "dead.jsonl").read_text())["notifier"] == "webhook"
