"""Seed files are re-read when they change; a broken edit keeps the last good version."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagetrail.schedule.seedwatch import SeedWatcher
from pagetrail.seeds import SeedError
from tests.support.daemon import write_seeds


def seed(name: str, schedule: str = "1h") -> dict:
    return {"name": name, "url": f"http://127.0.0.1:9/{name}", "schedule": schedule}


def test_changes_are_seen_and_broken_edits_keep_the_last_good_version(tmp_path):
    path = tmp_path / "seeds.toml"
    write_seeds(path, [seed("a"), seed("b")])
    watcher = SeedWatcher([str(path)], tmp_path / "snapshots")
    entries = watcher.load_initial()
    assert sorted(entries) == ["a", "b"]
    assert watcher.poll() is None  # unchanged

    write_seeds(path, [seed("a", "2h"), seed("c")])
    entries = watcher.poll()
    assert sorted(entries) == ["a", "c"] and entries["a"].seed.schedule.interval == 7200
    good = Path(entries["a"].snapshot).read_text()

    write_seeds(path, [seed("a"), dict(seed("c"), schedule="whenever")])
    assert watcher.poll() is None  # reported, nothing changes
    kept = watcher.current()
    assert sorted(kept) == ["a", "c"]
    assert Path(kept["a"].snapshot).read_text() == good  # crawls still read the good copy
    assert kept["a"].seed.source.startswith(str(path))


def test_a_name_used_in_two_files_is_refused(tmp_path):
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    write_seeds(one, [seed("a")])
    write_seeds(two, [dict(seed("a"), url="http://127.0.0.1:9/other")])
    with pytest.raises(SeedError, match="duplicate name"):
        SeedWatcher([str(one), str(two)], tmp_path / "snap").load_initial()


def test_folder_mode_picks_up_new_and_removed_files(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    write_seeds(folder / "one.toml", [seed("a")])
    watcher = SeedWatcher(None, tmp_path / "snap", folder=folder)
    assert sorted(watcher.load_initial()) == ["a"]
    write_seeds(folder / "two.toml", [seed("b")])
    assert sorted(watcher.poll()) == ["a", "b"]
    (folder / "one.toml").unlink()
    assert sorted(watcher.poll()) == ["b"]


def test_a_snapshot_is_written_beside_another_writers_temporary_file(tmp_path):
    # Two daemons (a leader and its standby) share the snapshot folder and may snapshot the same
    # seed file at once: neither may take or clobber the other's temporary file.
    path = tmp_path / "seeds.toml"
    write_seeds(path, [seed("a")])
    snapshots = tmp_path / "snapshots"
    first = SeedWatcher([str(path)], snapshots).load_initial()["a"].snapshot
    Path(first).unlink()
    others = Path(first).with_suffix(".tmp")
    others.write_text("half-written by the other daemon")
    again = SeedWatcher([str(path)], snapshots).load_initial()["a"].snapshot
    assert again == first and Path(again).read_text() == path.read_text()
    assert others.read_text() == "half-written by the other daemon"
