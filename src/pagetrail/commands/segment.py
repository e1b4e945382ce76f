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

FETCH_TIMEOUT = 30
MAX_FETCH_BYTES = 50_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="PATH_OR_URL", help="HTML files or http(s) URLs")
    parser.add_argument("--rules", metavar="SEEDFILE",
                        help="take site rules from the seed in this file whose URL matches (or its only seed)")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder for --capture (default: archive/)")
    parser.add_argument("--capture", action="append", default=[], metavar="URL@TIMESTAMP",
                        help="segment an archived capture (repeatable)")


# ------------------------------------------------------------------------- inputs
def _fetch(url: str) -> tuple[bytes, str | None]:
    import urllib.error
    import urllib.request

    from pagetrail import __version__

    req = urllib.request.Request(url, headers={"User-Agent": f"pagetrail/{__version__} (segment)"})
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310 - http(s) only
            ctype = resp.headers.get("Content-Type")
            if ctype and not any(t in ctype.lower() for t in ("html", "xml", "text/plain")):
                raise PagetrailError(f"{url}: not an HTML page (Content-Type: {ctype})")
            body = resp.read(MAX_FETCH_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise PagetrailError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise PagetrailError(f"{url}: cannot fetch ({exc.reason})") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise PagetrailError(f"{url}: cannot fetch ({exc})") from None
    return body[:MAX_FETCH_BYTES], ctype


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise PagetrailError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PagetrailError(f"{path}: is a folder, not an HTML file") from None
    except OSError as exc:
        raise PagetrailError(f"{path}: cannot read ({exc.strerror})") from None


def _split_capture(ref: str) -> tuple[str, str]:
    url, sep, ts = ref.rpartition("@")
    if not sep or not url or not ts.isdigit():
        raise UsageError(f"--capture {ref!r}: expected URL@TIMESTAMP, e.g. https://example.com/@20240501")
    return url, ts


def _read_capture(archive_dir: str, ref: str) -> tuple[str, bytes, str | None]:
    url, ts = _split_capture(ref)
    try:
        from pagetrail.archive import Archive
    except ImportError:
        raise PagetrailError("archive not available: this build has no pagetrail.archive") from None
    with Archive.existing(archive_dir) as archive:
        capture = archive.find(url, ts)
        headers, body = archive.read_payload(capture)
    ctype = next((v for k, v in reversed(headers) if k.lower() == "content-type"), None)
    return f"{capture.url}@{capture.timestamp}", body, ctype


def _rules_for(seed_file: str, url: str | None):  # noqa: ANN202 - SiteRules | None
    from pagetrail.seeds import load_seed_file

    seeds = load_seed_file(seed_file)
    if url:
        for seed in seeds:
            if seed.url == url:
                return seed.rules
    if len(seeds) == 1:
        return seeds[0].rules
    if not url:
        raise UsageError(f"{seed_file}: has {len(seeds)} seeds; a local file matches none of them by URL")
    return None


# ------------------------------------------------------------------------- output
def record(source: str, snap) -> dict:  # noqa: ANN001 - Snapshot
    """The JSON shape of one segmented input (the jsonl line)."""
    d = snap.to_dict()
    return {
        "source": source,
        "url": snap.url,
        "article": {"title": snap.article.title, "byline": snap.article.byline, "date": snap.article.date,
                    "text": snap.article.text, "blocks": d["article"]["blocks"]},
        "ads": d["ads"],
        "comments": d["comments"],
        "ignored": snap.ignored,
        "charset": snap.charset,
        "warnings": snap.warnings,
    }


def _text(source: str, snap) -> str:  # noqa: ANN001
    import textwrap

    out = [f"=== {source}"]
    art = snap.article
    meta = " | ".join(x for x in (art.byline, art.date) if x)
    out.append(f"ARTICLE: {art.title or '(no title)'}" + (f"  [{meta}]" if meta else ""))
    for b in art.blocks:
        prefix = {"heading": "#" * max(1, b.level) + " ", "list-item": "  " * max(0, b.level - 1) + "- ",
                  "quote": "> "}.get(b.kind, "")
        out.append(textwrap.fill(prefix + b.text, 100, subsequent_indent=" " * len(prefix)))
    out.append(f"\nADS ({len(snap.ads)}):")
    for ad in snap.ads:
        out.append(f"  [{ad.kind}, {ad.position}] {ad.text[:200] or '(no text)'}")
        for link in ad.links[:5]:
            out.append(f"      -> {link}")
        out.append(f"      why: {ad.reason}; slot: {ad.slot}")
    out.append(f"\nCOMMENTS ({len(snap.comments)}):")
    for c in snap.comments:
        pad = "    " * c.depth
        head = " ".join(x for x in (c.author or "(anonymous)", f"({c.date})" if c.date else "", f"#{c.id}" if c.id else "") if x)
        out.append(f"{pad}* {head}" + (f" reply to {c.parent}" if c.parent else ""))
        out.append(textwrap.fill(c.text, 100, initial_indent=pad + "  ", subsequent_indent=pad + "  "))
    if snap.warnings:
        out.append("\nWARNINGS: " + "; ".join(snap.warnings))
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    from pagetrail.report.common import neutralise
    from pagetrail.segment import segment
    from pagetrail.segment.decode import SegmentError

    if not args.inputs and not args.capture:
        raise UsageError("give at least one PATH_OR_URL or --capture URL@TIMESTAMP")
    for ref in args.capture:
        _split_capture(ref)  # bad syntax is a usage error before any work is done
    if args.rules and not Path(args.rules).exists():
        raise UsageError(f"{args.rules}: no such seed file")
    jobs = [("input", x) for x in args.inputs] + [("capture", x) for x in args.capture]
    failures = 0
    records = []
    for kind, item in jobs:
        try:
            ctype = None
            if kind == "capture":
                source, body, ctype = _read_capture(args.archive, item)
                url = source.rsplit("@", 1)[0]
            elif item.startswith(("http://", "https://")):
                body, ctype = _fetch(item)
                source = url = item
            else:
                body = _read_file(item)
                source, url = item, Path(item).resolve().as_uri()
            rules = _rules_for(args.rules, url if not url.startswith("file:") else None) if args.rules else None
            try:
                snap = segment(body, url, rules, content_type=ctype)
            except SegmentError as exc:
                raise PagetrailError(f"{source}: {exc}") from None
        except PagetrailError as exc:
            if isinstance(exc, UsageError):
                raise
            print(f"pagetrail: error: {exc}", file=sys.stderr)
            failures += 1
            continue
        if args.format == "jsonl":
            print(json.dumps(record(source, snap), ensure_ascii=False), flush=True)
        elif args.format == "json":
            records.append(record(source, snap))
        else:
            sys.stdout.write(neutralise(_text(source, snap)))  # a page's bytes never reach the terminal raw
    if args.format == "json":
        print(json.dumps(records, indent=2, ensure_ascii=False))
    if len(jobs) > 1:
        print(f"segmented {len(jobs) - failures} of {len(jobs)} inputs", file=sys.stderr)
    return EXIT_FAILURES if failures else 0
