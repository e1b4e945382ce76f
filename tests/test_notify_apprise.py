"""Notifications people use: apprise URLs per seed and in [defaults] (a JSON post to a local
receiver, a mail to a local SMTP server), with a short readable message and the JSON report
attached; webhooks with custom headers and an HMAC-SHA256 signature of the body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from pagetrail.schedule.notify import Notifications, notifiers_for
from pagetrail.seeds import SeedError, build_seed, load_seed_file
from tests.support.daemon import SmtpSink, WebhookSink, free_port_url, wait_for
from tests.test_notify_delivery import report, seed


@pytest.fixture
def sink():
    s = WebhookSink()
    yield s
    s.close()


@pytest.fixture
def smtp():
    s = SmtpSink()
    yield s
    s.close()


def json_url(sink: WebhookSink) -> str:
    return sink.url.replace("http://", "json://", 1)


def test_apprise_json_post_has_a_readable_message_and_the_report_attached(sink):
    notes = Notifications(retries=0)
    assert notes.notify(seed(notify=[json_url(sink)]), report(ads=True)) == 1
    wait_for(lambda: sink.received, what="the apprise JSON post")
    notes.close()
    post = sink.received[0]
    assert post["title"] == "pagetrail: page changed (ads)"
    lines = post["message"].splitlines()
    assert lines[0] == "Page: http://127.0.0.1/page" and "Changed: ads" in lines
    assert any(line.startswith("Capture: http") and "/20260102000000/" in line for line in lines)
    assert "pagetrail diff http://127.0.0.1/page --to 20260102000000" in post["message"]
    (attached,) = post["attachments"]
    assert attached["filename"] == "pagetrail-report.json"
    sent = json.loads(base64.b64decode(attached["base64"]))
    assert sent["seed"] == "page" and sent["channels"]["ads"]["changed"] is True


def test_mail_through_a_local_smtp_server(smtp):
    notes = Notifications(retries=0)
    notes.notify(seed(notify=smtp.url()), report(comments=True))
    wait_for(lambda: smtp.messages, what="the mail")
    notes.close()
    mail = smtp.messages[0]
    assert mail["Subject"] == "pagetrail: page changed (comments)"
    assert mail["To"] == "team@example.org"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Page: http://127.0.0.1/page" in text and "Changed: comments" in text
    (part,) = list(mail.iter_attachments())
    assert part.get_filename() == "pagetrail-report.json"
    assert json.loads(part.get_content())["channels"]["comments"]["changed"] is True


def test_defaults_notify_applies_to_every_seed_of_the_file(tmp_path, sink, smtp):
    path = tmp_path / "s.toml"
    path.write_text(f'[defaults]\nschedule = "1h"\nnotify = ["{json_url(sink)}", "{smtp.url()}"]\n'
                    '[[seed]]\nurl = "http://127.0.0.1/a"\n[[seed]]\nurl = "http://127.0.0.1/b"\n',
                    encoding="utf-8")
    seeds = load_seed_file(path)
    assert [len(notifiers_for(s)) for s in seeds] == [2, 2]


def test_a_notification_url_apprise_cannot_use_is_a_one_line_seed_error_without_the_password():
    with pytest.raises(SeedError) as err:
        build_seed({"url": "http://127.0.0.1/a", "schedule": "1h",
                    "notify": ["nosuchservice://user:s3cret@host"]}, "s.toml:3")
    message = str(err.value)
    assert message.startswith("s.toml:3: seed ") and "field 'notify'" in message
    assert "nosuchservice://" in message and "s3cret" not in message
    with pytest.raises(SeedError, match="field 'notify'"):
        build_seed({"url": "http://127.0.0.1/a", "schedule": "1h", "notify": "not a url"})


def test_undeliverable_apprise_url_is_dead_lettered_with_its_password_masked(tmp_path):
    url = free_port_url().replace("http://", "json://user:s3cret@", 1)
    dead = tmp_path / "dead.jsonl"
    notes = Notifications(retries=1, backoff=0.01, dead_letter=dead)
    notes.notify(seed(notify=[url]), report(article=True))
    wait_for(lambda: notes.failed == 1, what="the apprise delivery given up")
    notes.close()
    kept = json.loads(dead.read_text())
    assert kept["notifier"] == "apprise" and "s3cret" not in kept["target"]
    assert kept["report"]["channels"]["article"]["changed"] is True


def test_webhook_headers_and_hmac_signature_of_the_body(sink):
    notes = Notifications(retries=0)
    notes.notify(seed(webhook=sink.url, webhook_headers={"Authorization": "Bearer t0ken"},
                      webhook_secret="shh"), report(article=True))
    wait_for(lambda: sink.received, what="the webhook POST")
    notes.close()
    headers, body = sink.headers[0], sink.raw[0]
    assert headers["Authorization"] == "Bearer t0ken"
    expected = "sha256=" + hmac.new(b"shh", body, hashlib.sha256).hexdigest()
    assert headers["X-Pagetrail-Signature"] == expected
    assert headers["X-Pagetrail-Event"] == "change"


@pytest.mark.parametrize("bad", [{"webhook_headers": {"X": "a\nb"}}, {"webhook_headers": "x"},
                                 {"webhook_secret": ""}, {"notify_failures": 0},
                                 {"notify_on": ["weather"]}])
def test_bad_notification_fields_name_the_field(bad):
    with pytest.raises(SeedError, match=f"field '{next(iter(bad))}'"):
        build_seed({"url": "http://127.0.0.1/a", "schedule": "1h", **bad})
