"""Read commands open the archive read-only (Archive.existing): they repair nothing and open no
WARC file, and a summary they cannot store (full disk, read-only folder) is one warning line."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from pagetrail.archive import Archive
from pagetrail.archive.writing import CaptureWriter
from pagetrail.cli import main
from pagetrail.errors import ArchiveError
from pagetrail.example import PAGE_PATH, render
from tests.support.warcs import exchange, later

URL = "http://example.test" + PAGE_PATH


@pytest.fixture
def folder(tmp_path):
    """Two captures of the example page, no change summaries yet."""
    with Archive(tmp_path / "archive") as archive:
        for n, version in enumerate((1, 2)):
            body = render(version)
            archive.record(exchange(URL, body=body, at=later(60 * n), headers=[
                ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]))
    return tmp_path / "archive"


def test_history_on_a_full_disk_is_one_warning_not_a_traceback(folder, capsys, monkeypatch):
    def full(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ArchiveError(f"{folder}/x.warc.gz.open: no space left for WARC data (No space left on device)")

    monkeypatch.setattr(CaptureWriter, "write_summary", full)
    before = sorted(p.name for p in folder.iterdir())
    assert main(["history", URL, "--archive", str(folder)]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "no space left" in warnings[0]
    assert "Traceback" not in captured.err
    assert "first capture" in captured.out
    after = sorted(p.name for p in folder.iterdir())
    assert [n for n in after if n.endswith(".warc.gz")] == [n for n in before if n.endswith(".warc.gz")]


def test_reading_opens_no_writer_and_repairs_nothing(folder):
    leftover = folder / "pagetrail-20260101000000000-00000abcdef-host.warc.gz.open"
    leftover.write_bytes(b"")  # looks like a crashed writer's file: only a writer repairs it
    with Archive.existing(folder) as archive:
        assert len(archive.captures(URL)) == 2
        assert archive._writer is None
        with pytest.raises(ArchiveError, match="reading only"):
            archive.record(exchange(URL))
    assert leftover.exists()


def set_read_only(folder, on: bool) -> None:
    """Read-only for everyone: root ignores file modes, so it gets the immutable attribute."""
    paths = [*folder.iterdir(), folder] if on else [folder, *folder.iterdir()]
    for path in paths:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)
        else:
            path.chmod((0o555 if path.is_dir() else 0o444) if on else
                       (0o755 if path.is_dir() else 0o644))


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("chattr"), reason="needs chattr as root")
def test_a_read_only_archive_still_answers_captures_and_history(folder, capsys):
    set_read_only(folder, True)
    try:
        assert not os.access(folder, os.W_OK)
        assert main(["captures", URL, "--archive", str(folder)]) == 0
        assert main(["history", URL, "--archive", str(folder)]) == 0
        captured = capsys.readouterr()
        assert "first capture" in captured.out and "Traceback" not in captured.err
        assert "read-only" in captured.err
    finally:
        set_read_only(folder, False)
