"""EasyList's engine and rule names are kept on disk (segment/easylist_cache.py) for the next
process to load instead of build; a missing, unreadable, damaged or foreign entry, or a folder
that cannot be written, falls back to building in memory, with the same answers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import adblock
import pytest

from pagetrail import cachedir
from pagetrail.segment import easylist, easylist_cache, easylist_names

NAMES = (["ad", "ads", "advert", "banner-ad", "sidebar", "grid", "-partners"], ["ads", "header", "ad"])
HOSTS = ("localhost", "example.com", "www.theguardian.com", "forum.example.org")
URLS = (("http://doubleclick.net/ad.js", "http://example.com/", "script"),
        ("http://example.com/style.css", "http://example.com/", "stylesheet"),
        ("https://pagead2.googlesyndication.com/pagead/show_ads.js", "https://a.org/", "script"))


def _answers(engine) -> list:  # noqa: ANN001 - adblock.Engine
    """What the segmenter asks an engine, for a few pages, in a comparable form."""
    out = []
    for host in HOSTS:
        res = engine.url_cosmetic_resources(f"http://{host}/")
        out.append((sorted(res.hide_selectors), sorted(res.exceptions), res.generichide,
                    res.injected_script))
    out.append(engine.hidden_class_id_selectors(*NAMES, set()))
    out.extend(engine.check_network_urls(*url).matched for url in URLS)
    return out


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cachedir.ENV, str(folder))
    return folder


@pytest.fixture(scope="module")
def built() -> list:
    """The answers of an engine built from the list, no cache involved."""
    rules = gzip.open(easylist.list_path(), "rt", encoding="utf-8").read()
    filters = adblock.FilterSet()
    filters.add_filter_list(rules)
    return _answers(adblock.Engine(filters))


def _entries(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"{kind}-*.bin"))


def _load() -> adblock.Engine | None:
    return easylist_cache.engine(easylist.list_path(), easylist.list_fingerprint())


def _loaded_only() -> adblock.Engine | None:
    """The engine for the list's key when the list itself cannot be read: only a cache entry
    gives one."""
    return easylist_cache.engine("/nonexistent/easylist.txt.gz", easylist.list_fingerprint())


def test_a_built_engine_is_stored_and_the_next_process_loads_it_with_the_same_answers(cache, built):
    assert _loaded_only() is None  # nothing stored yet: nothing to load
    assert _answers(_load()) == built
    [entry] = _entries(cache, "easylist-engine")
    assert not list(cache.glob(".*.tmp"))  # written whole, then renamed
    loaded = _loaded_only()
    assert loaded is not None and _answers(loaded) == built


def test_the_cached_engine_is_what_easylist_engine_returns(cache, built):
    easylist.engine.cache_clear()
    try:
        assert _answers(easylist.engine()) == built
        assert _entries(cache, "easylist-engine")
        easylist.engine.cache_clear()
        assert _answers(easylist.engine()) == built
    finally:
        easylist.engine.cache_clear()


def _store(cache: Path) -> Path:
    _load()
    [entry] = _entries(cache, "easylist-engine")
    return entry


def test_a_damaged_entry_is_rebuilt(cache, built):
    entry = _store(cache)
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit in the engine's bytes
    entry.write_bytes(bytes(data))
    assert _loaded_only() is None
    assert _answers(_load()) == built
    assert _loaded_only() is not None  # and stored again


def test_a_truncated_or_empty_entry_is_rebuilt(cache, built):
    entry = _store(cache)
    for damaged in (entry.read_bytes()[:100_000], b"", b"pagetrail-cache"):
        entry.write_bytes(damaged)
        assert _loaded_only() is None
        assert _answers(_load()) == built


def test_an_entry_written_for_another_key_is_not_loaded(cache, built):
    """A file in the entry's place written by another version of the engine (its header names
    another key), or one whose whole bytes the engine rejects, is never used."""
    entry = _store(cache)
    payload = entry.read_bytes().partition(b"\n")[2]
    key = easylist_cache.list_key(easylist.list_fingerprint())
    foreign = key.replace("adblock=", "adblock=0.0.1-")
    entry.write_bytes(easylist_cache._header(foreign, payload) + payload)  # noqa: SLF001
    assert _loaded_only() is None
    garbage = b"\x93not an adblock engine" * 100
    entry.write_bytes(easylist_cache._header(key, garbage) + garbage)  # noqa: SLF001
    assert _loaded_only() is None
    assert _answers(_load()) == built


def test_an_unreadable_entry_falls_back_to_building(cache, built):
    entry = _store(cache)
    entry.unlink()
    entry.mkdir()  # a folder where the file should be: reading it fails whoever we are
    assert _loaded_only() is None
    assert _answers(_load()) == built  # and storing it fails quietly
    assert entry.is_dir()


def test_a_cache_folder_that_cannot_be_written_falls_back_to_building(tmp_path, monkeypatch, built):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cachedir.ENV, str(blocker / "cache"))
    assert _answers(_load()) == built
    assert not easylist_cache.write("easylist-engine", "k", b"x")
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)  # (root writes there all the same: the case above covers it)
    monkeypatch.setenv(cachedir.ENV, str(read_only))
    try:
        assert _answers(_load()) == built
        assert not list(read_only.glob(".*.tmp"))
    finally:
        read_only.chmod(0o755)


def test_the_rule_names_are_stored_and_loaded_the_same(cache, tmp_path):
    easylist_names.rule_names.cache_clear()
    try:
        computed = easylist_names.rule_names()
        [entry] = _entries(cache, "easylist-names")
        easylist_names.rule_names.cache_clear()
        assert easylist_names.rule_names() == computed
        # damaged or not a list of names: computed again
        for damaged in (entry.read_bytes()[:-5], easylist_cache._header(  # noqa: SLF001
                easylist_cache.list_key(easylist.list_fingerprint()), b'{"a": 1}') + b'{"a": 1}'):
            entry.write_bytes(damaged)
            easylist_names.rule_names.cache_clear()
            assert easylist_names.rule_names() == computed
        assert json.loads(entry.read_bytes().partition(b"\n")[2]) == sorted(computed)
    finally:
        easylist_names.rule_names.cache_clear()


def test_the_key_changes_with_the_list_and_the_engine_version():
    key = easylist_cache.list_key(easylist.list_fingerprint())
    assert easylist.list_fingerprint() in key and f"adblock={adblock.__version__}" in key
    assert easylist_cache.list_key("0123456789abcdef") != key
