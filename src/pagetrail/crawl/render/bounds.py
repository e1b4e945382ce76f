"""How far a rendering may go: time, subresources, DOM and screenshot size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class RenderBounds:
    """Each bound has a Scrapy setting ``PAGETRAIL_RENDER_<NAME>`` (e.g. ``PAGETRAIL_RENDER_TOTAL_SECONDS``)."""

    total_seconds: float = 30.0  # from navigation to the frozen page, per page
    settle_seconds: float = 10.0  # longest wait for network idle (500 ms without requests) after load
    max_requests: int = 500  # subresource requests let through; later ones are blocked
    max_resource_bytes: int = 10 * 1024 * 1024  # one body archived up to this (WARC-Truncated)
    max_total_bytes: int = 50 * 1024 * 1024  # all bodies of one page; past it, headers only
    max_dom_bytes: int = 5 * 1024 * 1024  # the serialised DOM is cut here
    max_screenshot_height: int = 16384  # CSS pixels of a full-page screenshot
    viewport_width: int = 1280
    viewport_height: int = 900

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any) -> RenderBounds:
        values = {}
        for f in fields(cls):
            value = settings.get(f"PAGETRAIL_RENDER_{f.name.upper()}")
            if value is not None:
                values[f.name] = float(value) if f.type == "float" else int(value)
        return cls(**values)
