"""``pagetrail captures URL``: list one page's captures from the catalog."""

from __future__ import annotations

import argparse
import dataclasses
import json

HELP = "list the captures of a URL (time, status, kind, digest, WARC file and offset)"
DESCRIPTION = """\
List every capture of URL in the archive's catalog, oldest first: the 17-digit UTC timestamp,
the HTTP status, the kind (response: body stored; revisit: same body as an earlier capture, or a
304; failed: no response), the payload digest and where the record is (FILE:OFFSET). Give a
timestamp (or a prefix of it) to `pagetrail diff URL --from TS --to TS`. A URL with no captures
is an error (exit status 2), as in `diff` and `history`.

examples:
  pagetrail captures https://example.com/news/story
  pagetrail captures https://example.com/news/story --json
  pagetrail captures https://example.com/ --archive /srv/pagetrail/archive
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="page URL exactly as captured")
    from pagetrail.commands.args import add_archive_argument

    add_archive_argument(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON list of captures")


def run(args: argparse.Namespace) -> int:
    from pagetrail.archive import Archive
    from pagetrail.errors import UsageError
    from pagetrail.seedref import page_url

    args.url = page_url(args.url)  # a seed's name (from seeds/*.toml) stands for its URL
    with Archive.existing(args.archive, catalog=args.catalog) as archive:
        captures = archive.captures(args.url)
    if not captures:
        raise UsageError(f"{args.url}: no captures of this URL in {args.archive}")
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in captures], indent=2))
        return 0
    rows = [("TIMESTAMP", "STATUS", "KIND", "DIGEST", "FILE:OFFSET")]
    for c in captures:
        where = f"{c.warc_file}:{c.offset}" if c.warc_file else "-"
        detail = c.digest or (c.error or "-")
        rows.append((c.timestamp, str(c.status or "-"), c.kind, detail, where))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    return 0
