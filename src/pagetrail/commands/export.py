"""``pagetrail export``: package captures as a WACZ file (for ReplayWeb.page and pywb)."""

from __future__ import annotations

import argparse
import sys

HELP = "export captures of some URLs (or all) as a WACZ file"
DESCRIPTION = """\
Write a WACZ file (a zip of WARC files, a CDXJ index, pages/pages.jsonl and a datapackage with
sha256 hashes) that `wacz validate` accepts and ReplayWeb.page can open. With URLs, only their
captures (and the originals their revisits point at) are copied into one new WARC file; with
--all, every WARC file of the archive goes in unchanged.

examples:
  pagetrail export https://example.com/news/story --wacz story.wacz
  pagetrail export --all --wacz everything.wacz --archive /srv/pagetrail/archive
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="page URLs to export")
    parser.add_argument("--all", action="store_true", help="export every capture")
    parser.add_argument("--wacz", required=True, metavar="OUT.wacz", help="file to write")
    from pagetrail.commands.args import add_archive_argument

    add_archive_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.archive import Archive
    from pagetrail.errors import UsageError

    if bool(args.urls) == bool(args.all):
        raise UsageError("export: give one or more URLs or --all (not both)")
    if not args.wacz.endswith(".wacz"):
        raise UsageError(f"{args.wacz}: the output file name must end in .wacz")
    with Archive.existing(args.archive, catalog=args.catalog) as archive:
        out = archive.export_wacz(args.wacz, None if args.all else args.urls)
    print(f"wrote {out} ({out.stat().st_size} bytes)", file=sys.stderr)
    return 0
