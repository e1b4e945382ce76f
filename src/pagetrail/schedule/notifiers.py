"""Where notifications go: a registry of notifier kinds, each built from a seed's fields.

A subclass of :class:`Notifier` with a ``kind`` and a ``for_seed`` is found by that kind. Built
in: ``apprise`` (each URL of ``seed.notify``: mail, Slack, Discord, Matrix, ntfy, Telegram, JSON
and form posts... through the apprise library), ``webhook`` (POST the JSON payload to
``seed.webhook``, with the seed's headers and an HMAC signature) and ``jsonl`` (append it to
``seed.notify_file``). ``send`` raises on failure; :mod:`pagetrail.schedule.notify` retries.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import ClassVar

from pagetrail import __version__
from pagetrail.schedule.message import message_for
from pagetrail.seeds import Seed

NOTIFIERS: dict[str, type[Notifier]] = {}

SIGNATURE_HEADER = "X-Pagetrail-Signature"


class Notifier:
    """One destination for notifications."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            NOTIFIERS[cls.kind] = cls

    @classmethod
    def for_seed(cls, seed: Seed) -> list[Notifier]:
        """The notifiers of this kind the seed asks for (none when it configures none)."""
        raise NotImplementedError

    def send(self, payload: dict) -> None:
        """Deliver one payload; raise on failure (it will be retried)."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


def signature(body: bytes, secret: str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of the exact request body, keyed with the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookNotifier(Notifier):
    kind = "webhook"
    timeout = 10.0

    def __init__(self, url: str, headers: dict[str, str] | None = None, secret: str | None = None):
        self.url = url
        self.headers = dict(headers or {})
        self.secret = secret

    @classmethod
    def for_seed(cls, seed: Seed) -> list[Notifier]:
        if not seed.webhook:
            return []
        return [cls(seed.webhook, dict(seed.webhook_headers), seed.webhook_secret)]

    def send(self, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"pagetrail/{__version__}",
            "X-Pagetrail-Seed": str(payload.get("seed", "")),
            "X-Pagetrail-Event": str(payload.get("event", "change")),
            **self.headers,
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(body, self.secret)
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(65536)
        except urllib.error.HTTPError as exc:
            raise OSError(f"HTTP {exc.code} from {self.url}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OSError(f"{self.url}: {reason}") from None

    def describe(self) -> str:
        return f"webhook {self.url}"


class JsonlNotifier(Notifier):
    kind = "jsonl"

    def __init__(self, path: str):
        self.path = Path(path)

    @classmethod
    def for_seed(cls, seed: Seed) -> list[Notifier]:
        return [cls(seed.notify_file)] if seed.notify_file else []

    def send(self, payload: dict) -> None:
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as out:
            # Whole lines even when several daemons append to one file.
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(line)

    def describe(self) -> str:
        return f"file {self.path}"


class AppriseNotifier(Notifier):
    """One apprise URL: a short readable message, and the JSON payload as an attachment for the
    services that take one (mail, JSON and form posts, Slack, Discord, Telegram...)."""

    kind = "apprise"

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def for_seed(cls, seed: Seed) -> list[Notifier]:
        return [cls(url) for url in seed.notify]

    def send(self, payload: dict) -> None:
        import apprise

        message = message_for(payload)
        notifier = apprise.Apprise()
        if not notifier.add(self.url):
            raise OSError(f"{self.describe()}: not a notification URL apprise can use")
        with tempfile.TemporaryDirectory(prefix="pagetrail-notify-") as folder:
            # A file, not an in-memory attachment: every apprise service can read a file.
            report = Path(folder) / "pagetrail-report.json"
            report.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
            result = notifier.notify(body=message.body, title=message.title,
                                     notify_type=message.severity, attach=[str(report)],
                                     body_format=apprise.NotifyFormat.TEXT)
        if not result:
            # apprise 2 says why (result.logs()); apprise 1 returns a plain False.
            logs = result.logs() if hasattr(result, "logs") else []
            reasons = [str(entry).split(" - ")[-1] for entry in logs]
            raise OSError(f"{self.describe()}: {'; '.join(reasons) or 'not delivered'}")

    def describe(self) -> str:
        return describe_url(self.url)


def describe_url(url: str) -> str:
    """An apprise URL with its secrets masked, for logs and the dead-letter file."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return f"{url.split('://', 1)[0]}://..."
    return plugin.url(privacy=True).split("?", 1)[0]


def notifiers_for(seed: Seed) -> list[Notifier]:
    return [n for cls in NOTIFIERS.values() for n in cls.for_seed(seed)]
