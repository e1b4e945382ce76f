"""Shared pytest set-up. Fixtures that start servers or build venvs live in tests/support/."""

from __future__ import annotations

import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def pytest_configure(config):
    """The suite starts over 200 `python -m pagetrail` children (crawls, daemons, workers, serve),
    each of which imports most of pagetrail. Where bytecode writing is off (PYTHONDONTWRITEBYTECODE,
    usual in containers) every child would compile pagetrail's modules from source again: compile
    them once here, before the test processes start (a no-op for modules already compiled).

    The test modules too: each test process (pytest -n 4: four) imports every test module to
    collect the suite, and rewriting their asserts from source costs ~1.5 s CPU per process; with
    bytecode writing on in the test processes (their children keep PYTHONDONTWRITEBYTECODE),
    pytest keeps the rewritten modules in tests/__pycache__ for the next run."""
    if sys.flags.dont_write_bytecode:
        if not hasattr(config, "workerinput"):
            compileall.compile_dir(SRC / "pagetrail", quiet=1)
        sys.dont_write_bytecode = False
    if not hasattr(config, "workerinput"):
        # The segmenter's on-disk EasyList cache (segment/easylist_cache.py): the suite's own
        # folder, shared by its test processes and every child they start (they inherit the
        # environment), so a test run never writes the user's ~/.cache and always starts cold.
        config._pagetrail_cache = tempfile.mkdtemp(prefix="pagetrail-test-cache-")
        os.environ["PAGETRAIL_CACHE_DIR"] = config._pagetrail_cache


def pytest_unconfigure(config):
    folder = getattr(config, "_pagetrail_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _browser_available(request):
    """Tests marked ``browser`` need Debian's Chromium: skipped with the reason on a machine
    without it, but failed in CI (CI=true), where .ci/run installs it and none may be skipped."""
    if request.node.get_closest_marker("browser") is None:
        return
    from pagetrail.crawl.render.browser import missing

    why = missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser test in CI, but {why}")
        pytest.skip(f"needs headless Chromium: {why}")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole session (tests/support/postgres.py); take a fresh
    database per test with ``pg_server.fresh_database()``. Skipped without the server binaries,
    failed in CI."""
    from tests.support.postgres import start_postgres

    yield from start_postgres()


# The rendered crawls of /article/ that test_render_captures.py and test_render_replay.py both read:
# session fixtures, made once in the test process that runs both modules' tests (their
# xdist_group "render-article"). A rendered crawl costs ~4 s CPU (Chromium's start, the crawl).
@pytest.fixture(scope="session")
def render_pages():
    """The rendering tests' local site (tests/support/render_site.py)."""
    from tests.support.render_site import render_site

    with render_site() as site:
        yield site


@pytest.fixture(scope="session")
def rendered_article(tmp_path_factory, render_pages):
    """One rendered crawl of /article/ with the default bounds into a fresh archive: (its folder,
    holding the seed file and the archive; the crawl's run). Tests only read it."""
    from tests.support.render_site import render_crawl

    folder = tmp_path_factory.mktemp("article")
    return folder, render_crawl(folder, render_pages, "/article/")


@pytest.fixture(scope="session")
def rendered_article_again(tmp_path_factory, rendered_article, render_pages):
    """A copy of rendered_article's archive (which stays as it was) and a second rendered crawl of
    /article/ into it: the page and its subresources revisits, the script's promo new. (Its
    folder; the second crawl's run.) Tests only read it."""
    from tests.support.render_site import render_crawl

    folder = tmp_path_factory.mktemp("article-again")
    shutil.copytree(rendered_article[0] / "archive", folder / "archive")
    return folder, render_crawl(folder, render_pages, "/article/")
