"""The folder where pagetrail keeps what it can always make again (the EasyList ad engine, pywb's
virtualenv for replay): ``$PAGETRAIL_CACHE_DIR``, else ``$XDG_CACHE_HOME/pagetrail``, else
``~/.cache/pagetrail``."""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable naming the cache folder (default: the user's cache folder).
ENV = "PAGETRAIL_CACHE_DIR"


def cache_dir() -> Path:
    """Where the cache is kept: $PAGETRAIL_CACHE_DIR, else $XDG_CACHE_HOME/pagetrail, else
    ~/.cache/pagetrail. May raise RuntimeError when there is no home folder to find ``~`` in."""
    given = os.environ.get(ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pagetrail"
