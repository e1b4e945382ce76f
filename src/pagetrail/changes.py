"""After each capture: segment it, diff it against the previous capture of the same page, and store
the change summary with the evidence (catalog + WARC metadata record). Stub until built."""

from __future__ import annotations


def process_captures(archive, seeds, captures) -> list:  # noqa: ANN001
    """Summarise each new capture against its predecessor; returns the PageDiffs computed."""
    return []
