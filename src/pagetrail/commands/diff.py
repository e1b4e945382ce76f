"""``pagetrail diff URL``: what changed between two captures of a page, channel by channel."""

from __future__ import annotations

import argparse

from pagetrail.errors import UsageError

HELP = "what changed between two captures of a page (article, ads, comments)"
DESCRIPTION = """\
Show what changed in a page's article, ads and comments between two captures.

By default the two captures are the last two that differ: captures whose payload was identical
(revisits) or where only noise moved are skipped, and so are failed fetches and captures that were
not the page (HTTP errors, captcha pages): those are reported as fetch problems, never as changes.

examples:
  pagetrail diff http://127.0.0.1:8000/2011/05/heparin/
  pagetrail diff URL --from 20261125 --to 2026112612        timestamps may be prefixes
  pagetrail diff URL --format html -o heparin.html          one self-contained HTML file
  pagetrail diff URL --format json | jq .channels.ads
  pagetrail diff URL --rules seeds/clinic.toml              re-segment with that seed's rules
"""

FORMATS = ("text", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.report.output import (
        add_archive_argument,
        add_output_arguments,
        add_seed_arguments,
    )

    parser.add_argument("url", metavar="URL", help="the page, as captured")
    parser.add_argument("--from", dest="from_ts", metavar="TS",
                        help="the earlier capture: a timestamp or prefix, e.g. 20261125 or 20261125101500")
    parser.add_argument("--to", dest="to_ts", metavar="TS",
                        help="the later capture (default: the latest; with only --from, the latest)")
    parser.add_argument("--rules", metavar="SEEDFILE",
                        help="segment with the rules of this URL's seed in SEEDFILE instead of the stored summaries")
    add_output_arguments(parser, FORMATS)
    add_archive_argument(parser)
    add_seed_arguments(parser)


def _rules_from(seed_file: str, url: str):  # noqa: ANN202 - SiteRules | None
    from pagetrail.seeds import load_seed_file

    for seed in load_seed_file(seed_file):
        if seed.url.rstrip("/") == url.rstrip("/"):
            return seed.rules or None
    raise UsageError(f"{seed_file}: no seed with url {url}")


def choose(archive, url: str, args: argparse.Namespace, seeds):  # noqa: ANN001, ANN201 - PageDiff
    """The PageDiff to show: the explicit pair, or the last two captures that differ."""
    from pagetrail.changes import ChangeProcessor, diff_captures, pagediff_from_summary
    from pagetrail.report.output import page_captures

    url, captures = page_captures(archive, url)
    rules = _rules_from(args.rules, url) if args.rules else None
    if args.from_ts or args.to_ts:
        to = archive.find(url, args.to_ts) if args.to_ts else captures[-1]
        if args.from_ts:
            before = archive.find(url, args.from_ts)
        else:
            earlier = [c for c in captures if c.timestamp < to.timestamp and c.kind != "failed"]
            if not earlier:
                raise UsageError(f"{url}: no capture before {to.timestamp} to compare with")
            before = earlier[-1]
        if before.timestamp > to.timestamp:
            before, to = to, before
        if rules is None:
            rules = ChangeProcessor(archive, seeds).rules_for(to)
        return diff_captures(archive, before, to, rules)
    entries = ChangeProcessor(archive, seeds).timeline(url)
    chosen = next((s for _c, s in reversed(entries) if s.get("changed") and s.get("from")), None)
    summary = chosen or entries[-1][1]
    if rules is not None and summary.get("from"):
        by_ts = {c.timestamp: c for c, _s in entries}
        return diff_captures(archive, by_ts[summary["from"]["timestamp"]],
                             by_ts[summary["to"]["timestamp"]], rules)
    return pagediff_from_summary(summary)


def run(args: argparse.Namespace) -> int:
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.output import (
        add_screenshots,
        load_seed_list,
        open_archive,
        options,
        write,
    )

    seeds = load_seed_list(args.seeds)
    with open_archive(args.archive) as archive:
        pd = choose(archive, args.url, args, seeds)
    doc = ReportDoc(mode="diff", title=f"Changes to {pd.url}", items=[pd], url=pd.url,
                    options=options(args))
    if args.format == "html":
        with open_archive(args.archive) as archive:
            add_screenshots(doc, archive)
    write(render(args.format, doc), args.output)
    return 0
