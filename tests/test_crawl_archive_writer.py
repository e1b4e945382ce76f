"""PAGETRAIL_ARCHIVE_WRITER: the archive in a worker process (default), a thread or inline gives
the same archive; a worker that dies stops the crawl with one line and keeps what it wrote."""

from __future__ import annotations

import os

import pytest

from pagetrail.archive import Archive
from tests.support.crawl_runs import crawl, read_records, warcio_check, write_seeds
from tests.support.servers import many_pages, standard_site


class DyingArchive(Archive):
    """The real archive, until the fourth page: then its process dies without a word."""

    def record(self, exchange):  # noqa: ANN001, ANN201
        if len(self.catalog.select()) >= 3 and exchange.role == "page":
            os._exit(3)
        return super().record(exchange)


def _archived(archive):  # noqa: ANN001, ANN202
    with Archive(archive) as arch:
        return sorted((c.url, c.kind, c.status) for c in arch.captures())


@pytest.mark.parametrize("writer", ["process", "thread", "inline"])
def test_every_writer_archives_the_same_captures(tmp_path, writer):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml",
                            many_pages(site, 6)
                            + [{"name": "missing", "url": site.url("/no-such-page")}])
        first = crawl(seeds, "--archive", archive, "--set", f"PAGETRAIL_ARCHIVE_WRITER={writer}")
        again = crawl(seeds, "--archive", archive, "--set", f"PAGETRAIL_ARCHIVE_WRITER={writer}")
    assert first.returncode in (0, 1), first.stderr
    assert again.returncode in (0, 1), again.stderr
    assert not list(archive.glob("*.open"))
    assert warcio_check(archive).returncode == 0
    captures = _archived(archive)
    pages = [c for c in captures if "/many/" in c[0]]
    assert len(pages) == 12
    assert sorted(kind for _url, kind, _status in pages) == ["response"] * 6 + ["revisit"] * 6
    # what the catalog says is what the files hold
    in_files = {r.warc["WARC-Record-ID"] for r in read_records(archive)
                if r.type in ("response", "revisit")}
    with Archive(archive) as arch:
        assert {c.record_id for c in arch.captures() if c.kind in ("response", "revisit")} == in_files


def test_unknown_writer_is_a_one_line_error(tmp_path):
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "home", "url": site.url("/")}])
        run = crawl(seeds, "--archive", tmp_path / "a", "--set", "PAGETRAIL_ARCHIVE_WRITER=carrier-pigeon")
    assert "PAGETRAIL_ARCHIVE_WRITER" in run.one_error(), run.stderr


def test_a_dead_writer_process_stops_the_crawl_and_keeps_its_records(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", many_pages(site, 30))
        run = crawl(seeds, "--archive", archive,
                    "--set", f"PAGETRAIL_ARCHIVE_CLASS={__name__}.DyingArchive")
    assert "archive writer process exited" in run.one_error(), run.stderr
    # Opening the archive repairs the file the dead writer left open; nothing it wrote is lost.
    with Archive(archive) as arch:
        kept = [c for c in arch.captures() if c.kind == "response"]
    assert not list(archive.glob("*.open"))
    assert len(kept) >= 3
    assert warcio_check(archive).returncode == 0


def test_an_archive_the_worker_cannot_open_is_a_one_line_error(tmp_path):
    archive = tmp_path / "archive"
    (archive / "catalog.sqlite3").mkdir(parents=True)  # a folder where the catalog file goes
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "home", "url": site.url("/")}])
        run = crawl(seeds, "--archive", archive)
    assert "cannot open the catalog" in run.one_error(), run.stderr
    assert not list(archive.glob("*.warc.gz*"))
