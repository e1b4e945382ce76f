"""A crawl process and its archive writer load what a crawl uses, and not the toolkits only other
commands need: the daemon starts one crawl process (and one writer) per scheduled crawl, so every
module imported at their start is paid again on every crawl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# What `pagetrail crawl` imports before its first request, what its archive writer imports, and
# the segmenter its change step forks.
CRAWL_PATH = ("pagetrail.cli", "pagetrail.commands.crawl", "pagetrail.crawl.runner",
              "pagetrail.crawl.settings", "pagetrail.archive.worker", "pagetrail.segment.pipeline",
              "pagetrail.changes")


def _loaded_after(modules: tuple[str, ...], wanted: tuple[str, ...]) -> list[str]:
    code = (f"import importlib, sys\nfor m in {list(modules)!r}: importlib.import_module(m)\n"
            f"print(' '.join(w for w in {list(wanted)!r} if w in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": ""}, check=True)
    return done.stdout.split()


def test_a_crawl_does_not_load_sqlalchemy_which_only_databases_need():
    # ~0.3 s of CPU per process: only a PostgreSQL catalog or the scheduler's job store use it
    assert _loaded_after(CRAWL_PATH, ("sqlalchemy",)) == []


def test_opening_a_database_url_still_loads_it():
    assert _loaded_after(("pagetrail.dburl",), ("sqlalchemy",)) == []
    code = ("import sys; from pagetrail.dburl import redact; "
            "print(redact('postgresql://u:secret@h/db'), 'sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": ""}, check=True)
    assert done.stdout.split() == ["postgresql://u:***@h/db", "True"]
