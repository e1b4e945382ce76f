"""The segmenter's version names the libraries and the ad list that decide its output, and the
snapshot cache key changes with it: an upgraded trafilatura or EasyList re-segments captures."""

from __future__ import annotations

from importlib import metadata

import pagetrail.segment as segment_pkg
from pagetrail import changes
from pagetrail.segment import easylist, segmenter_version


def test_version_names_trafilatura_the_ad_engine_and_the_easylist_rules():
    version = segmenter_version()
    assert f"trafilatura={metadata.version('trafilatura')}" in version.split()
    assert f"adblock={metadata.version('adblock')}" in version.split()
    assert f"braveblock={metadata.version('braveblock')}" in version.split()
    fingerprint = easylist.list_fingerprint()
    assert fingerprint != "none" and f"easylist={fingerprint}" in version.split()


def test_snapshot_cache_key_changes_with_the_segmenters_dependencies(monkeypatch):
    changes.segmenter_key.cache_clear()
    before = changes.segmenter_key()
    changes.segmenter_key.cache_clear()
    monkeypatch.setattr(segment_pkg, "segmenter_version",
                        lambda: segmenter_version().replace("trafilatura=", "trafilatura=9"))
    try:
        assert changes.segmenter_key() != before
    finally:
        changes.segmenter_key.cache_clear()
