"""The revisit policy: is a fetch a new response, an identical-payload revisit or a
server-not-modified revisit, and which capture holds its body?

Pure decisions over catalog rows; the writer turns the answer into records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pagetrail.archive import records
from pagetrail.archive.model import Capture, Exchange


@dataclass
class Decision:
    """``profile`` None: a full response; else a revisit of ``holder`` with that profile."""

    profile: str | None
    holder: Capture | None

    def original(self) -> records.Original:
        assert self.holder is not None
        holder = self.holder
        return records.Original(holder.url, holder.timestamp, holder.record_id or "",
                                holder.digest or "")


def decide(exchange: Exchange, digest: str, latest: Capture | None,
           body_holder: Callable[[Capture | None], Capture | None],
           latest_with_validators: Callable[[], Capture | None]) -> Decision:
    """``latest``: the URL's latest response or revisit; ``body_holder`` resolves a capture to
    the one holding its body; ``latest_with_validators`` is only called for a 304."""
    original = body_holder(latest)
    if exchange.status == 304:
        # A 304 confirms the capture whose validators were sent (conditional_headers).
        if latest is None or latest.etag or latest.last_modified:
            validated = original
        else:
            validated = body_holder(latest_with_validators())
        holder = validated or original
        if holder is not None and holder.digest:
            return Decision(records.PROFILE_NOT_MODIFIED, holder)
    if (original is not None and original.digest == digest and exchange.body
            and not exchange.truncated):
        return Decision(records.PROFILE_IDENTICAL, original)
    return Decision(None, None)


def validator_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The conditional request headers for a capture's validators."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
