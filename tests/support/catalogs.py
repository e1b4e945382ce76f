"""The catalog back ends the catalog tests run against: SQLite in the archive folder, and a real
PostgreSQL database (a fresh one per test on the session's server, see conftest.pg_server)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from tests.support.postgres import Postgres

# Trust authentication accepts any password: enough to check that none is ever printed.
PASSWORD = "s3cret-catalog-pw"


@dataclass
class Backend:
    name: str
    url: str | None = None
    server: Postgres | None = None

    def archive(self, folder: Path, **options) -> Archive:
        return Archive(folder, catalog=self.url, **options)

    def existing(self, folder: Path) -> Archive:
        return Archive.existing(folder, catalog=self.url)

    def cli(self) -> list[str]:
        return ["--catalog", self.url] if self.url else []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PAGETRAIL_CATALOG"}
        if self.url:
            env["PAGETRAIL_CATALOG"] = self.url
        return env

    def drop_catalog(self, folder: Path, namespace: str = "default") -> None:
        """Lose the catalog (the WARC files stay)."""
        if self.server is None:
            for path in folder.glob("catalog.sqlite3*"):
                path.unlink()
            return
        assert self.url is not None
        schema = "pagetrail" if namespace == "default" else f"pagetrail_{namespace}"
        self.server.execute(self.url.split("?")[0], f"DROP SCHEMA {schema} CASCADE")


def backend_for(request: pytest.FixtureRequest) -> Backend:
    """Use as ``@pytest.fixture(params=BACKENDS)`` ... ``return backend_for(request)``."""
    if request.param == "sqlite":
        return Backend("sqlite")
    server = request.getfixturevalue("pg_server")
    return Backend("postgresql", server.fresh_database(PASSWORD), server)


BACKENDS = ["sqlite", "postgresql"]
