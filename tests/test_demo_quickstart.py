"""`pagetrail demo` runs the whole service on the bundled example offline and ends by itself."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

from pagetrail.cli import build_parser
from pagetrail.crawl.render.browser import missing
from pagetrail.example import VERSIONS
from tests.support.daemon import check_archive

REPO = Path(__file__).resolve().parent.parent


def demo(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pagetrail", "demo", "--interval", "1", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_demo_captures_the_timeline_and_writes_report_and_wacz(tmp_path):
    with socket.socket() as s:  # the same port twice: the second run adds to the same page
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    result = demo(tmp_path, "--port", port)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"[{len(VERSIONS)}/{len(VERSIONS)}]" in out
    assert "earlier" not in out
    # Each change is printed as it is found, per channel.
    for channel in ("article:", "ads:", "comments:"):
        assert channel in out, out
    html = (tmp_path / "demo-output/history.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    with zipfile.ZipFile(tmp_path / "demo-output/example.wacz") as wacz:
        names = wacz.namelist()
    assert "datapackage.json" in names and any(n.endswith(".warc.gz") for n in names)
    captures = check_archive(tmp_path / "archive")
    assert len([c for c in captures if c.kind == "response"]) >= len(VERSIONS)
    # The hints name a command the user can run from here, not a bare name off PATH.
    hints = [line.split()[0] for line in out.splitlines() if " history http://127.0.0.1:" in line]
    assert hints, out
    on_path = shutil.which(hints[0], path=os.environ.get("PATH", ""))
    assert on_path or (tmp_path / hints[0]).exists() or Path(hints[0]).exists(), hints[0]
    assert f"{hints[0]} serve --archive archive" in out  # the app over the demo's archive
    # The scripted page: only the rendered captures see its promo and comment change
    if missing() is None:
        assert "ads: 1 edited; comments: 1 added" in out, out
        shots = (tmp_path / "demo-output/scripted-history.html").read_text(encoding="utf-8")
        assert shots.count("data:image/png;base64,") == 2
    else:
        assert "skipped the scripted page" in out, out

    # The second run has only to say what it makes of the first: it keeps capturing
    # (--keep-running) until Ctrl-C, sent once its first capture is printed, and it runs without
    # Chromium, which it says (the scripted page was checked above). The whole timeline and the
    # rendered captures again would cost ~20 s CPU and prove nothing new.
    with (tmp_path / "again.err").open("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pagetrail", "demo", "--interval", "1", "--port", port,
             "--keep-running"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=err, text=True,
            env=dict(os.environ, PAGETRAIL_CHROMIUM=str(tmp_path / "no-chromium")))
        lines = []
        # Until the first capture is printed; a failed capture is tried again on the schedule, as
        # in the first run, but --keep-running would try for ever: five failures end the wait.
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "[1/" in line or sum("capture failed" in seen for seen in lines) >= 5:
                break
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=300)
        err.seek(0)
        again = lines + rest.splitlines()
        assert proc.returncode == 0, "\n".join(again) + err.read()
    # Before the first capture it says why that capture is compared with the earlier run's last.
    first = next(i for i, line in enumerate(again) if "[1/" in line)
    assert any(f"already holds {len(VERSIONS)} captures" in line for line in again[:first]), again
    assert "against the last capture of the earlier run" in again[first]
    assert any("skipped the scripted page" in line for line in again), again

def test_demo_help_and_readme_agree_on_how_long_it_takes():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    help_text = sub.choices["demo"].format_help()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    said = re.search(r"ends by itself in (about [a-z ]+?minute)", " ".join(readme.split()))
    assert said, "README says how long the demo takes"
    assert said.group(1) in " ".join(help_text.split())
    assert "about a minute" not in help_text


def test_default_seeds_folder_holds_no_seed_and_the_example_seed_ships_with_the_demo(tmp_path):
    from pagetrail.example.seedfile import write_seed_file
    from pagetrail.seeds import load_seed_file, seed_files

    assert seed_files(folder=REPO / "seeds") == []  # a new user's seeds are theirs alone
    path = write_seed_file(tmp_path / "example.toml", "http://127.0.0.1:9/page/")
    (seed,) = load_seed_file(path)
    assert seed.name == "example" and seed.url == "http://127.0.0.1:9/page/"
