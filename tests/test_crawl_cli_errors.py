"""Bad arguments and bad seed files stop `pagetrail crawl` before any fetch: exit 2, one line."""

from __future__ import annotations

import os

import pytest

from pagetrail.cli import main


def run_cli(capsys, *args):
    code = main(["crawl", *map(str, args)])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def test_missing_seed_file(capsys, tmp_path):
    code, err = run_cli(capsys, tmp_path / "nope.toml", "--archive", tmp_path / "a")
    assert code == 2 and len(err) == 1
    assert err[0].startswith("pagetrail: error: ") and "nope.toml" in err[0]


def test_bad_seed_file_names_the_field(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[seed]]\nurl = "ftp://example.com/"\nschedule = "1h"\n')
    code, err = run_cli(capsys, bad, "--archive", tmp_path / "a")
    assert code == 2 and len(err) == 1
    assert "bad.toml:1" in err[0] and "'url'" in err[0]


def test_only_unknown_name(capsys, tmp_path):
    code, err = run_cli(capsys, "--url", "http://127.0.0.1:9/x", "--only", "ghost",
                        "--archive", tmp_path / "a")
    assert code == 2 and len(err) == 1 and "--only ghost" in err[0]


def test_bad_url(capsys, tmp_path):
    code, err = run_cli(capsys, "--url", "file:///etc/passwd", "--archive", tmp_path / "a")
    assert code == 2 and len(err) == 1 and "scheme" in err[0]


def test_bad_set_option(capsys, tmp_path):
    code, err = run_cli(capsys, "--url", "http://127.0.0.1:9/", "--set", "oops",
                        "--archive", tmp_path / "a")
    assert code == 2 and len(err) == 1 and "--set" in err[0]


def test_no_seed_files_found(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(capsys)
    assert code == 2 and len(err) == 1 and "seeds" in err[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_archive(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = run_cli(capsys, "--url", "http://127.0.0.1:9/", "--archive", locked / "a")
    assert code == 2 and len(err) == 1 and "archive" in err[0]


def test_archive_path_is_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, err = run_cli(capsys, "--url", "http://127.0.0.1:9/", "--archive", tmp_path / "file")
    assert code == 2 and len(err) == 1 and str(tmp_path / "file") in err[0]


def test_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["crawl", "--bogus"])
    assert exc.value.code == 2
