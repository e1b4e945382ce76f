"""`pagetrail crawl`: capture seed pages once, now, into the archive."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pagetrail.errors import EXIT_FAILURES, EXIT_OK

if TYPE_CHECKING:  # every `pagetrail` command imports this module to build its parser: the diff
    from pagetrail.diff.model import PageDiff  # package (segmenter, justext) only where it runs

HELP = "capture every seed (or some) once, now, into the archive"
DESCRIPTION = """\
Fetch each seed page once with Scrapy and archive every HTTP exchange (redirect hops, retries,
error pages, failed attempts) as WARC records; an unchanged page is stored as a revisit record.
Prints one progress line per page to stderr and a summary; then runs the change pipeline on the
new captures.

examples:
  pagetrail crawl                                  every seed in seeds/*.toml
  pagetrail crawl seeds/news.toml --only heparin   one seed of one file
  pagetrail crawl --url https://example.com/a      an ad-hoc page (name derived from the URL)
  pagetrail crawl --archive /data/archive --json   machine-readable summary on stdout
  pagetrail crawl --no-robots --user-agent "Mozilla/5.0 (research)"
  pagetrail crawl -s DOWNLOAD_TIMEOUT=10 -s DOWNLOAD_DELAY=2    any Scrapy setting (also --set)
  pagetrail crawl --settings-module mysettings     a Scrapy settings module (or
                                                   SCRAPY_SETTINGS_MODULE=mysettings)

Scrapy settings, lowest priority first: pagetrail's own (pagetrail.crawl.settings), the settings
module (found on the Python path or in the current folder; its middlewares, extensions and
pipelines are added to pagetrail's), the seeds' delay (a download slot per host), the options
above, then -s. Seeds' timeout, proxy and user_agent apply to their own requests.

exit codes: 0 every page captured, 1 some pages failed (HTTP >= 400, network errors, robots.txt)
or a render = true page could not be rendered (the fetched page is archived all the same), 2 bad
arguments, seed files or archive folder, or render = true without Chromium, 130 interrupted (Ctrl-C
finishes the pages in flight).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("seed_files", nargs="*", metavar="SEED_FILES",
                        help="seed files (default: seeds/*.toml, or none when --url is given)")
    parser.add_argument("--url", action="append", default=[], metavar="URL",
                        help="also capture this URL as an ad-hoc seed (repeatable)")
    from pagetrail.commands.args import add_archive_argument

    add_archive_argument(parser)
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="capture only the file seed with this name or URL (repeatable; "
                        "--url seeds are always kept)")
    parser.add_argument("--user-agent", metavar="UA", help="User-Agent for seeds that set none")
    parser.add_argument("--no-robots", action="store_true",
                        help="ignore robots.txt for every seed (default: obey it)")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON on stdout (and nothing else there)")
    add_settings_arguments(parser)


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """``-s NAME=VALUE`` and ``--settings-module``, as `pagetrail crawl` and `pagetrail run` take them."""
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        dest="settings",
                        help="set a Scrapy setting, e.g. -s DOWNLOAD_TIMEOUT=10 (repeatable)")
    parser.add_argument("--settings-module", metavar="MODULE",
                        help="a Scrapy settings module, e.g. mysettings for ./mysettings.py "
                        "(default: $SCRAPY_SETTINGS_MODULE)")


def crawl_overrides(args: argparse.Namespace, seeds: list) -> dict[str, object]:  # noqa: ANN001
    from pagetrail.crawl.usersettings import layered, parse_pairs, settings_module_name

    options: dict[str, object] = {"LOG_LEVEL": "CRITICAL"}  # progress lines replace the log
    if args.user_agent:
        options["USER_AGENT"] = args.user_agent
    if args.no_robots:
        options["ROBOTSTXT_OBEY"] = False
    if getattr(args, "catalog", None):
        options["PAGETRAIL_CATALOG"] = args.catalog
    return layered(settings_module_name(args.settings_module), seeds, options,
                   parse_pairs(args.settings))


def progress_line(outcome, done: int | None, total: int) -> str:  # noqa: ANN001 - PageOutcome
    if done is None:
        counter = " " * (len(f"[{total}/{total}]"))
        what = "requisite "
    else:
        counter, what = f"[{done}/{total}]", ""
    if outcome.error and outcome.status is None:
        return f"{counter} FAILED: {outcome.error}"
    status = outcome.status if outcome.status is not None else "---"
    kind = outcome.kind or "fetched"
    line = f"{counter} {status} {kind:<7} {what}{outcome.final_url or outcome.url}"
    if outcome.error:
        line += f"  FAILED: {outcome.error}"
    return line


def process_changes(archive_root: Path, seeds: list, summary, settings) -> list[str]:  # noqa: ANN001
    """Hand the new captures to the change pipeline; return the one-line change summaries."""
    from pagetrail import changes

    captures = summary.captures()
    if not captures:
        finish_stream(archive_root, settings)
        return []
    # The crawl parked its WARC file (run_crawl with PAGETRAIL_WARC_APPEND): this archive, of
    # the same stream, resumes it, so the change summaries go into the crawl's file, which it
    # then closes, or parks again when crawls append (the daemon's).
    try:
        with stream_archive(archive_root, settings) as archive:
            diffs = changes.process_captures(archive, seeds, captures) or []
    finally:
        finish_stream(archive_root, settings)
    status = {c.timestamp: c.status for c in captures}
    return [describe_diff(diff, status.get(diff.to.timestamp) if diff.to else None)
            for diff in diffs]


def finish_stream(archive_root: Path, settings) -> None:  # noqa: ANN001 - Settings
    """Unless crawls append (PAGETRAIL_WARC_APPEND), close the file the crawl parked for its
    change step, so a crawl ends with closed, indexed files. Best effort: a parked file left
    behind is resumed by the next writer or closed by the next reindex or export."""
    if settings.getbool("PAGETRAIL_WARC_APPEND") or not any(archive_root.glob(".*.parked")):
        return
    from pagetrail.archive import Archive

    try:
        with Archive(archive_root, catalog=settings.get("PAGETRAIL_CATALOG") or None) as archive:
            archive.finish_files()
    except Exception:  # noqa: BLE001, S110 - the crawl's own outcome is what gets reported
        pass


def stream_archive(archive_root: Path, settings):  # noqa: ANN001, ANN201 - Settings -> Archive
    """An Archive writing to the same stream of WARC files as the crawl's middleware."""
    from pagetrail.archive import Archive
    from pagetrail.crawl.writer import archive_options

    return Archive(archive_root, **archive_options(settings))


def describe_diff(diff: PageDiff, status: int | None = None) -> str:
    """One line per page: its URL, then the change summary every report uses (a 304 says so)."""
    from pagetrail.schedule.outcome import as_fetched

    return f"{diff.url}: {as_fetched(diff.summary_line(), status)}"


def run(args: argparse.Namespace) -> int:
    from pagetrail.crawl.seedlist import choose_seeds
    from pagetrail.crawl.usersettings import parse_pairs

    parse_pairs(args.settings)  # bad -s values fail before anything is loaded
    seeds = choose_seeds(args.seed_files, args.url, args.only)
    overrides = crawl_overrides(args, seeds)
    archive_root = Path(args.archive)

    from pagetrail.crawl.runner import crawl_settings, run_crawl

    def show(outcome, done, total) -> None:  # noqa: ANN001
        print(progress_line(outcome, done, total), file=sys.stderr, flush=True)

    # With --json, stdout carries the summary and nothing else: anything printed on the way
    # (a library, a warning) goes to stderr.
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        from pagetrail.crawl.render.step import print_progress

        # The crawl parks its file for the change step to append the summaries to.
        try:
            summary = run_crawl(seeds, archive_root,
                                settings={**overrides, "PAGETRAIL_WARC_APPEND": True},
                                progress=show, render_progress=print_progress)
        except BaseException:
            finish_stream(archive_root, crawl_settings(archive_root, overrides, seeds))
            raise
        try:
            changes = process_changes(archive_root, seeds, summary,
                                      crawl_settings(archive_root, overrides, seeds))
        except Exception as exc:  # noqa: BLE001 - the captures are safe; say so and carry on
            print(f"pagetrail: warning: change detection failed: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            changes = []
    if args.json:
        data = summary.to_dict()
        data["archive"] = str(archive_root)
        data["changes"] = changes
        print(json.dumps(data, indent=2))
    else:
        for line in changes:
            print(line)
    print(f"pagetrail crawl: {summary.describe()} -> {archive_root}/", file=sys.stderr)
    for outcome in summary.failed:
        print(f"  failed: {outcome.seed}: {outcome.error}", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_FAILURES
