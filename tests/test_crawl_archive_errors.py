"""An archive that stops accepting records (disk full) stops the crawl with one line, exit 2,
and leaves no half-written file behind."""

from __future__ import annotations

from pagetrail.archive import Archive
from pagetrail.errors import ArchiveError
from tests.support.crawl_runs import crawl, warcio_check, write_seeds
from tests.support.servers import many_pages, standard_site


class FullDiskArchive(Archive):
    """The real archive, until the third record: then the disk is full."""

    accepted = 0

    def record(self, exchange):  # noqa: ANN001, ANN201
        FullDiskArchive.accepted += 1
        if FullDiskArchive.accepted > 2:
            raise ArchiveError(f"{self.root}: no space left on device")
        return super().record(exchange)


def test_full_disk_stops_the_crawl_with_one_line(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", many_pages(site, 40))
        run = crawl(seeds, "--archive", archive,
                    "--set", f"PAGETRAIL_ARCHIVE_CLASS={__name__}.FullDiskArchive")
    assert "no space left on device" in run.one_error(), run.stderr
    assert not list(archive.glob("*.open"))
    assert warcio_check(archive).returncode == 0
