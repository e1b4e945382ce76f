"""Change reports. Each format is one module in this package that sets ``FORMAT`` (its name)
and ``render(doc: ReportDoc) -> str``; adding a format is adding a module.

>>> from pagetrail.report import render, ReportDoc
>>> render("text", ReportDoc(mode="diff", title="...", items=[pagediff]))  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from pagetrail.errors import UsageError
from pagetrail.report.common import (
    SCHEMA,
    ReportDoc,
    ReportOptions,
    replay_base_default,
    replay_url,
    summary_line,
)

__all__ = ["SCHEMA", "ReportDoc", "ReportOptions", "formats", "get_format", "render",
           "replay_base_default", "replay_url", "summary_line"]

_HELPERS = {"common"}
_registry: dict[str, ModuleType] | None = None


def formats() -> dict[str, ModuleType]:
    """Every report format found in this package, by name."""
    global _registry
    if _registry is None:
        found = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name in _HELPERS:
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            name = getattr(module, "FORMAT", None)
            if name and callable(getattr(module, "render", None)):
                found[name] = module
        _registry = found
    return _registry


def get_format(name: str) -> ModuleType:
    try:
        return formats()[name]
    except KeyError:
        raise UsageError(f"unknown report format {name!r} (use {', '.join(sorted(formats()))})") from None


def render(name: str, doc: ReportDoc) -> str:
    return get_format(name).render(doc)
