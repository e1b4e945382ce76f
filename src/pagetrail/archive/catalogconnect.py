"""Which catalog an archive uses: ``catalog.sqlite3`` in its folder, or a PostgreSQL catalog named
by URL. The one place that knows both back ends, so that each of them imports only the shared
connection layer (``catalogdb.py``) and neither imports the other."""

from __future__ import annotations

from pathlib import Path

from pagetrail.archive.catalogdb import CATALOG_NAME, CatalogDB, SQLiteDB, check_url
from pagetrail.archive.catalogpg import PostgresDB
from pagetrail.dburl import redact


def connect(root: Path, url: str | None, *, read_only: bool = False) -> CatalogDB:
    """The catalog of the archive in ``root``: ``catalog.sqlite3`` there, or the PostgreSQL
    catalog at ``url`` (see catalogpg.py)."""
    if url:
        check_url(url)
        return PostgresDB(url, read_only=read_only)
    return SQLiteDB(root / CATALOG_NAME, read_only=read_only)


def connect_name(root: Path, url: str | None) -> str:
    """The catalog as messages name it (a URL without its password)."""
    return redact(url) if url else str(root / CATALOG_NAME)


def exists(root: Path, url: str | None) -> bool:
    """Is there a catalog already (without creating one)?"""
    if not url:
        return (root / CATALOG_NAME).exists()
    check_url(url)
    db = PostgresDB(url, read_only=True)
    try:
        return "captures" in db.names()
    finally:
        db.close()
