"""Everything pagetrail keeps outside the archive lives in one cache folder, which
$PAGETRAIL_CACHE_DIR moves: the EasyList ad engine and pywb's virtualenv for replay alike."""

from __future__ import annotations

import os

from pagetrail.cachedir import ENV, cache_dir
from pagetrail.segment import easylist_cache
from pagetrail.serve.replay import cache_venv


def test_the_ad_engine_and_pywbs_virtualenv_share_the_folder_the_variable_names(monkeypatch, tmp_path):
    monkeypatch.setenv("PAGETRAIL_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    assert easylist_cache.write("probe", "key", b"x")  # the ad engine's entries go there
    assert [p.parent for p in (tmp_path / "mine").iterdir()] == [tmp_path / "mine"]
    assert cache_venv() == tmp_path / "mine" / "pywb-venv"


def test_without_the_variable_it_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PAGETRAIL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_venv() == tmp_path / "xdg" / "pagetrail" / "pywb-venv"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_venv() == tmp_path / "home" / ".cache" / "pagetrail" / "pywb-venv"


def test_the_cache_folder_is_the_users_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "pagetrail"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "pagetrail"
    monkeypatch.setenv(ENV, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    assert os.fspath(cache_dir()) == str(tmp_path / "mine")
