"""The snapshot cache: each payload segmented once per segmenter and site rules, kept in memory
for one run and on disk under ``ARCHIVE/snapshots/`` across runs.

The key is the payload digest, the seed's rules and ``segmenter_key()`` (the segmenter's source
and ``segment.segmenter_version()``: trafilatura, the ad engine, the EasyList rules), so a changed
segmenter or an upgraded dependency never reads a stale snapshot.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from pagetrail.archive.httpblock import header_value
from pagetrail.archive.model import Capture
from pagetrail.archive.rendered import page_url
from pagetrail.atomicfile import replaced
from pagetrail.seeds import SiteRules
from pagetrail.segment.model import Snapshot

SNAPSHOT_DIR = "snapshots"


def rules_key(rules: SiteRules | None) -> str:
    if not rules:
        return "none"
    return hashlib.sha1(repr(rules).encode("utf-8")).hexdigest()[:12]


@functools.cache
def segmenter_key() -> str:
    """A fingerprint of the segmenter's source and of the libraries and ad list it depends on
    (``segmenter_version()``). Computed once per process (``segmenter_key.cache_clear()``
    forgets it)."""
    import pagetrail.segment as segment_pkg

    h = hashlib.sha1(segment_pkg.segmenter_version().encode())
    for path in sorted(Path(segment_pkg.__file__).parent.rglob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


class SnapshotCache:
    """Snapshots of one archive's captures. ``force`` ignores what is on disk (and rewrites it)."""

    def __init__(self, root: str | os.PathLike | None, force: bool = False) -> None:
        self.root = Path(root) if root else None
        self.force = force
        self._memory: dict[str, Snapshot] = {}
        self.segment_calls = 0

    def _path(self, key: str) -> Path | None:
        return self.root / SNAPSHOT_DIR / key[:2] / f"{key}.json" if self.root else None

    def get(self, capture: Capture, rules: SiteRules | None,
            read: Callable[[], tuple[object, bytes]]) -> Snapshot:
        """The capture segmented with ``rules``; ``read()`` gives (HTTP headers, decoded payload)
        when it has to be segmented."""
        digest = capture.digest or f"id:{capture.id}"
        key = hashlib.sha1(f"{digest} {rules_key(rules)} {segmenter_key()}".encode()).hexdigest()
        if key in self._memory:
            return self._memory[key]
        path = self._path(key)
        if path is not None and path.exists() and not self.force:
            try:
                snap = Snapshot.from_dict(json.loads(path.read_text(encoding="utf-8")))
                self._memory[key] = snap
                return snap
            except (ValueError, TypeError, OSError):
                pass  # a damaged cache entry is simply recomputed
        from pagetrail.segment.bounded import segment_bounded as segment  # hard time bound

        headers, body = read()
        self.segment_calls += 1
        # The HTTP charset matters for pages without a <meta charset>.
        snap = segment(body, page_url(capture), rules, content_type=header_value(headers, "content-type"))
        self._memory[key] = snap
        if path is not None:
            _write(path, snap)
        return snap


def _write(path: Path, snap: Snapshot) -> None:
    """Write a cache entry whole or not at all (``atomicfile.replaced``: two threads of one
    process, ``pagetrail serve``'s requests, may write the same entry at once)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replaced(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(snap.to_dict(), ensure_ascii=False))
    except OSError:
        pass  # the cache is an optimisation: a full disk or read-only archive only costs time
