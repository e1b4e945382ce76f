"""Database URLs as users give them: shown without their password, and opened with an error that
says which extra to install when the driver is missing."""

from __future__ import annotations

import hashlib
import importlib
import re
from types import ModuleType
from typing import TYPE_CHECKING

from pagetrail.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# SQLAlchemy is imported where a URL is parsed or opened, not with this module: importing it costs
# ~0.3 s of CPU, and every crawl process and its archive writer import this module (through the
# catalog) while only a PostgreSQL catalog or a job store needs SQLAlchemy.

CLUSTER_EXTRA = "pip install 'pagetrail[cluster]'"
DEFAULT_NAMESPACE = "default"
_NAMESPACE = re.compile(r"[a-z0-9_]{1,40}")


def check_namespace(name: str, option: str = "--namespace") -> str:
    """A namespace (a daemon's jobs, an archive's catalog) usable in table and schema names."""
    if not _NAMESPACE.fullmatch(name):
        raise UsageError(f"{option} {name!r}: use 1 to 40 lower-case letters, digits or _")
    return name


def lock_key(purpose: str, namespace: str) -> int:
    """A stable signed 64-bit PostgreSQL advisory-lock key for ``purpose`` in ``namespace``."""
    digest = hashlib.sha256(f"{purpose}:{namespace}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (unparseable text is hidden whole past ``@``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        head, at, tail = url.rpartition("@")
        return f"***@{tail}" if at else url


def engine_for(url: str, what: str) -> Engine:
    """A SQLAlchemy engine; a missing driver or a bad URL is one line naming ``what`` and the fix."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        # Plain postgresql:// means psycopg2 to SQLAlchemy; the cluster extra installs psycopg 3.
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        driver = getattr(exc, "name", None) or str(exc)
        raise UsageError(f"{what} {redact(url)}: the database driver is not installed ({driver}); "
                         f"install it with: {CLUSTER_EXTRA}") from None
    except ArgumentError as exc:
        raise UsageError(f"{what} {redact(url)}: not a database URL: {exc}") from None


def cluster_module(name: str, what: str, url: str) -> ModuleType:
    """Import a module of the cluster extra (e.g. ``celery``); missing, it is one line naming
    ``what``, the URL (redacted) and the fix."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        raise UsageError(f"{what} {redact(url)}: {name} is not installed; install it with: "
                         f"{CLUSTER_EXTRA}") from None
