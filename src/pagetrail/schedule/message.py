"""The readable side of a notification: a title and a few lines of text, for people (mail, chat).

A payload is the JSON a notification carries: a change report (``PageDiff.to_dict()`` with the
seed's name and ``"event": "change"``) or a fetch-state event (``"event": "down"`` or ``"up"``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    severity: str = "info"  # "info" | "success" | "warning" | "failure", as apprise's NotifyType


def message_for(payload: dict) -> Message:
    event = payload.get("event", "change")
    if event in ("down", "up"):
        return _fetch_state(payload)
    return _change(payload)


def _change(payload: dict) -> Message:
    # Imported here: the report package brings the diff and segmenter modules (~50 ms), which
    # the daemon, importing this module at start, needs only once a page has changed.
    from pagetrail.report import replay_base_default, replay_url
    from pagetrail.schedule.outcome import change_line

    name, url = payload.get("seed", "?"), payload.get("url", "")
    channels = [n for n, ch in (payload.get("channels") or {}).items()
                if isinstance(ch, dict) and ch.get("changed")]
    title = f"pagetrail: {name} changed ({', '.join(channels) or 'no channel'})"
    lines = [f"Page: {url}", f"Changed: {', '.join(channels) or '-'}", change_line(payload)]
    stamp = (payload.get("to") or {}).get("timestamp")
    if stamp:
        lines.append(f"Capture: {replay_url(replay_base_default(), stamp, url)}")
        lines.append(f"Report: pagetrail diff {url} --to {stamp[:14]}")
    lines.append("The JSON change report is attached where the service takes attachments.")
    return Message(title, "\n".join(lines), "info")


def _fetch_state(payload: dict) -> Message:
    name, url = payload.get("seed", "?"), payload.get("url", "")
    if payload["event"] == "down":
        title = f"pagetrail: {name} is failing"
        lines = [f"Page: {url}",
                 f"{payload.get('failures')} captures in a row failed; the last: "
                 f"{payload.get('error') or 'unknown error'}",
                 f"Failing since {payload.get('since') or '?'}; you will be told when it is back."]
        return Message(title, "\n".join(lines), "failure")
    title = f"pagetrail: {name} is back"
    lines = [f"Page: {url}", f"Captured again at {payload.get('timestamp') or '?'} after "
             f"{payload.get('failures')} failed captures."]
    return Message(title, "\n".join(lines), "success")
