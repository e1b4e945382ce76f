"""The bundled example's seed, written for wherever the example site is being served.

The example lives with the demo, not in ``seeds/``: a seed there would be part of every default
``pagetrail crawl`` and ``pagetrail run`` and fail whenever the example site is not being served.
"""

from __future__ import annotations

from pathlib import Path

SEED_NAME = "example"


def seed_text(page_url: str, schedule: str = "10s") -> str:
    """A seed file with one ``[[seed]]``: the example page at ``page_url`` every ``schedule``."""
    return (
        "# The bundled example page, served on loopback by `pagetrail demo` or by\n"
        "# `python -m pagetrail.example`; each GET serves its next version.\n"
        "[[seed]]\n"
        f'name = "{SEED_NAME}"\n'
        f'url = "{page_url}"\n'
        f'schedule = "{schedule}"\n'
    )


def write_seed_file(path: str | Path, page_url: str, schedule: str = "10s") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seed_text(page_url, schedule), encoding="utf-8")
    return path
