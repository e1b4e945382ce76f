"""The user's Scrapy settings for a crawl, the Scrapy way: a settings module, ``-s NAME=VALUE``
and a few per-seed fields, layered over pagetrail's own settings (``pagetrail.crawl.settings``).

Priority, lowest first: pagetrail's settings, the settings module (``--settings-module`` or
``SCRAPY_SETTINGS_MODULE``), the seeds' fields (``delay`` becomes a download slot per host;
``timeout`` and ``proxy`` are set per request by the spider), ``-s``. Component dictionaries
(middlewares, extensions, pipelines) from the module are merged into pagetrail's, so a project's
own middleware never turns archiving off.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pagetrail.errors import UsageError
from pagetrail.seeds import Seed

ENV_MODULE = "SCRAPY_SETTINGS_MODULE"
OWN_MODULE = "pagetrail.crawl.settings"
# Where the spider comes from is pagetrail's business: a project's spider list is not loaded.
IGNORED = ("SPIDER_MODULES", "NEWSPIDER_MODULE")
MERGED = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES",
          "DOWNLOAD_HANDLERS", "DOWNLOAD_SLOTS")


def parse_pairs(pairs: Iterable[str], option: str = "-s/--set") -> dict[str, str]:
    """``["DOWNLOAD_TIMEOUT=5", ...]`` -> ``{"DOWNLOAD_TIMEOUT": "5"}``; Scrapy converts the text
    (``getint``, ``getbool``...) where the setting is read, as with ``scrapy crawl -s``."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not name.strip().isupper():
            raise UsageError(f"{option} {pair!r}: expected NAME=VALUE with an upper-case setting name")
        out[name.strip()] = value
    return out


def settings_module_name(option: str | None) -> str | None:
    """The settings module to use: the option, else ``$SCRAPY_SETTINGS_MODULE``, else none."""
    name = option or os.environ.get(ENV_MODULE) or None
    return None if name == OWN_MODULE else name


def module_settings(name: str) -> dict[str, Any]:
    """The upper-case names of a settings module (importable, or found in the current folder)."""
    where = f"--settings-module {name}" if name != os.environ.get(ENV_MODULE) else f"{ENV_MODULE}={name}"
    try:
        module = _import(name)
    except ImportError as exc:
        raise UsageError(f"{where}: cannot import the settings module: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any error in the user's module is one line
        raise UsageError(f"{where}: the settings module failed: {type(exc).__name__}: {exc}") from None
    return {key: getattr(module, key) for key in dir(module) if key.isupper()}


def _import(name: str):  # noqa: ANN202 - a module
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name.split(".")[0]:
            raise
    # As `scrapy crawl` finds a project's settings next to scrapy.cfg: the current folder.
    sys.path.insert(0, str(Path.cwd()))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(Path.cwd()))


def seed_slots(seeds: Sequence[Seed]) -> dict[str, dict]:
    """``DOWNLOAD_SLOTS`` for seeds with a ``delay``: Scrapy's download slot is the host, so the
    delay applies to every request to that host (the longest delay wins when seeds share one)."""
    slots: dict[str, dict] = {}
    for seed in seeds:
        if seed.delay is None:
            continue
        host = urlsplit(seed.url).hostname or ""
        delay = max(seed.delay, slots.get(host, {}).get("delay", 0.0))
        slots[host] = {"delay": delay}
    return slots


def layered(module: str | None, seeds: Sequence[Seed], options: dict[str, Any],
            pairs: dict[str, str]) -> dict[str, Any]:
    """The overrides for ``run_crawl``: the settings module, the seeds' download slots, the
    command's own options (``--user-agent``...) and ``-s``, each on top of the one before."""
    from scrapy.settings import Settings

    own = Settings()
    own.setmodule(OWN_MODULE)
    out: dict[str, Any] = {}
    layers = [module_settings(module) if module else {}, {"DOWNLOAD_SLOTS": seed_slots(seeds)},
              options, pairs]
    for layer in layers:
        for key, value in layer.items():
            if key in IGNORED:
                continue
            if key in MERGED and isinstance(value, dict):
                value = {**out.get(key, own.getdict(key)), **value}
            out[key] = value
    if not out.get("DOWNLOAD_SLOTS"):
        out.pop("DOWNLOAD_SLOTS", None)
    return out
