"""What the report commands (diff, history, report, feed, reprocess, serve) share on the command
line: the ``--archive``, ``--seeds`` and output options, and opening what they name."""

from __future__ import annotations

import argparse
from pathlib import Path

from pagetrail.errors import ArchiveError


def add_archive_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")
    add_catalog_argument(parser)


def add_catalog_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="URL", default=None,
                        help="the archive's catalog in PostgreSQL, postgresql://user:pass@host/db"
                        "[?namespace=NAME] (default: $PAGETRAIL_CATALOG, else catalog.sqlite3 in "
                        "the archive folder); the password is never printed")


def add_seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", nargs="+", metavar="SEEDFILE", default=None,
                        help="seed files whose site rules apply (default: seeds/*.toml when present)")


def add_tag_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="only pages whose seed has this tag (repeatable: any of them)")


def add_output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0],
                        help=f"output format (default: {formats[0]})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--replay-base", metavar="URL", default=None,
                        help="replay server and collection for links, as BASE/TIMESTAMP/URL "
                        "(default: $PAGETRAIL_REPLAY_BASE or http://localhost:8080/pagetrail)")


def open_archive(path: str, catalog: str | None = None):  # noqa: ANN201 - pagetrail.archive.Archive
    """The archive at ``path`` for reading (``catalog``: ``--catalog``); a missing folder is a
    one-line error, not a new archive."""
    from pagetrail.archive import Archive
    from pagetrail.archive.catalogdb import CATALOG_NAME, catalog_url

    root = Path(path)
    if not catalog_url(catalog) and not (root / CATALOG_NAME).exists():
        raise ArchiveError(f"{root}: no pagetrail archive here (run 'pagetrail crawl' first, or pass --archive DIR)")
    return Archive.existing(root, catalog=catalog)


def load_seed_list(files: list[str] | None):  # noqa: ANN201 - list[Seed]
    from pagetrail.seeds import load_seeds

    if files is None and not Path("seeds").is_dir():
        return []
    return load_seeds(files)
