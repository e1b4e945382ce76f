"""``pagetrail reindex``: rebuild the catalog and index.cdxj from the WARC files alone."""

from __future__ import annotations

import argparse
import sys
import time

HELP = "rebuild the catalog and index.cdxj from the WARC files"
DESCRIPTION = """\
Read every WARC file in the archive folder and rebuild the catalog of captures
(catalog.sqlite3) and the sorted CDXJ index (index.cdxj) from them alone. Use it after copying
WARC files in or out, or if the catalog was lost. Leftover .open files of a killed crawl are
repaired first. Change summaries are kept (matched by WARC record id). Progress goes to stderr.

examples:
  pagetrail reindex
  pagetrail reindex --archive /srv/pagetrail/archive
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")


def run(args: argparse.Namespace) -> int:
    from pagetrail.archive import Archive

    started = time.monotonic()
    with Archive.existing(args.archive) as archive:
        for fixed in archive.repaired:
            print(f"repaired {fixed.name}: {fixed.kept} records kept, {fixed.cut} bytes cut",
                  file=sys.stderr)
        files, records = archive.reindex(progress=lambda line: print(line, file=sys.stderr))
        captures = len(archive.captures())
    print(f"reindexed {files} WARC files: {records} records, {captures} captures "
          f"in {time.monotonic() - started:.1f}s")
    return 0
