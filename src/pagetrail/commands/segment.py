"""``pagetrail segment``: split pages into article, ads and comments and print the channels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pagetrail.errors import EXIT_FAILURES, PagetrailError, UsageError

HELP = "split pages (files, URLs or archived captures) into article, ads and comments"
DESCRIPTION = """\
Split each page into its three channels - the article body, injected ads and promotional text,
and reader comments - the same way captures are split before they are compared. Works without
per-site configuration; --rules takes the CSS/XPath rules of a seed file, which win over the
heuristics.

PATH_OR_URL is a local HTML file or an http(s) URL (fetched once, not archived). --capture reads
a capture from the archive instead: URL@TIMESTAMP, where TIMESTAMP is the 17-digit capture time
or a prefix of it (see `pagetrail captures URL`).

output formats:
  text   readable sections: article blocks, ads with kind/position/links, comment threads
  json   one pretty-printed JSON list, one object per input
  jsonl  one JSON object per line: {"source", "article": {"title", "text", "blocks"},
         "ads": [{"kind", "text", "links", ...}], "comments": [{"id", "author", "date",
         "text", "parent", ...}], "ignored", "charset", "warnings"}

examples:
  pagetrail segment page.html
  pagetrail segment https://example.com/2011/05/post/ --format jsonl
  pagetrail segment saved/*.html --rules seeds/blogs.toml --format json
  pagetrail segment --capture https://example.com/post/@20240501 --archive archive/

exit codes: 0 all inputs segmented, 1 some inputs failed (each named on stderr), 2 bad arguments.
"""

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="PATH_OR_URL", help="HTML files or http(s) URLs")
    parser.add_argument("--rules", metavar="SEEDFILE",
                        help="take site rules from the seed in this file whose URL matches (or its only seed)")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder for --capture (default: archive/)")
    from pagetrail.commands.args import add_catalog_argument

    add_catalog_argument(parser)
    parser.add_argument("--capture", action="append", default=[], metavar="URL@TIMESTAMP",
                        help="segment an archived capture (repeatable)")


def run(args: argparse.Namespace) -> int:
    from pagetrail.report.common import neutralise
    from pagetrail.segment.inputs import segment_inputs, split_capture
    from pagetrail.segment.show import as_record, as_text

    if not args.inputs and not args.capture:
        raise UsageError("give at least one PATH_OR_URL or --capture URL@TIMESTAMP")
    for ref in args.capture:
        split_capture(ref)  # bad syntax is a usage error before any work is done
    if args.rules and not Path(args.rules).exists():
        raise UsageError(f"{args.rules}: no such seed file")
    failures, records = 0, []
    for source, snap in segment_inputs(args.inputs, args.capture, seed_file=args.rules,
                                       archive_dir=args.archive, catalog=args.catalog):
        if isinstance(snap, PagetrailError):
            print(f"pagetrail: error: {snap}", file=sys.stderr)
            failures += 1
        elif args.format == "jsonl":
            print(json.dumps(as_record(source, snap), ensure_ascii=False), flush=True)
        elif args.format == "json":
            records.append(as_record(source, snap))
        else:
            sys.stdout.write(neutralise(as_text(source, snap)))  # no raw page bytes to a terminal
    if args.format == "json":
        print(json.dumps(records, indent=2, ensure_ascii=False))
    total = len(args.inputs) + len(args.capture)
    if total > 1:
        print(f"segmented {total - failures} of {total} inputs", file=sys.stderr)
    return EXIT_FAILURES if failures else 0
