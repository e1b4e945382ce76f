"""``pagetrail reindex``: rebuild the catalog and index.cdxj from the WARC files alone."""

from __future__ import annotations

import argparse
import sys
import time

from pagetrail.errors import EXIT_FAILURES, EXIT_OK

HELP = "rebuild the catalog and index.cdxj from the WARC files"
DESCRIPTION = """\
Read every WARC file in the archive folder and rebuild the catalog of captures
(catalog.sqlite3, or the --catalog database) and the sorted CDXJ index (index.cdxj) from them alone. Use it after copying
WARC files in or out, or if the catalog was lost. Leftover .open files of a killed crawl are
repaired first. Change summaries are kept (matched by WARC record id) and restored from the
WARC files. Damaged bytes inside a file are skipped: reading resumes at the next whole record,
every whole record is kept, and what was skipped is reported (exit status 1). Progress goes to
stderr.

examples:
  pagetrail reindex
  pagetrail reindex --archive /srv/pagetrail/archive
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import add_archive_argument

    add_archive_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.archive import Archive

    started = time.monotonic()
    with Archive(Archive.check_exists(args.archive, args.catalog), catalog=args.catalog) as archive:
        for fixed in archive.repaired:
            print(fixed.describe(), file=sys.stderr)
        damaged: list[tuple[str, int, int]] = []
        files, records = archive.reindex(progress=lambda line: print(line, file=sys.stderr),
                                         damaged=damaged)
        captures = len(archive.captures())
    print(f"reindexed {files} WARC files: {records} records, {captures} captures "
          f"in {time.monotonic() - started:.1f}s")
    if damaged:
        name, offset, _ = damaged[0]
        print(f"pagetrail reindex: {len(damaged)} damaged span(s), {sum(n for *_, n in damaged)} "
              f"bytes skipped (first: {name} at offset {offset}); every whole record was kept",
              file=sys.stderr)
        return EXIT_FAILURES
    return EXIT_OK
