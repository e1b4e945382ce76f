"""The ``pagetrail`` command: parses arguments and hands each sub-command to its module.

Each sub-command lives in ``pagetrail/commands/NAME.py`` and provides ``HELP`` (one line),
``DESCRIPTION`` (the ``--help`` text), ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from pagetrail.errors import EXIT_INTERRUPTED, EXIT_USAGE, PagetrailError, SeedError

# Order is the order of `pagetrail --help`: the flow from seed to report, then the service.
COMMANDS = (
    "demo", "crawl", "captures", "segment", "diff", "history", "report", "feed",
    "export", "reindex", "reprocess", "run", "schedule", "serve", "worker",
)

EPILOG = """\
typical use:
  pagetrail demo                      serve the bundled example, capture its timeline, report
  pagetrail crawl                     capture every seed in seeds/*.toml once, now
  pagetrail diff URL                  what changed between the last two differing captures
  pagetrail run                       keep capturing on each seed's schedule until stopped
  pagetrail worker --broker URL       crawl the batches a `pagetrail run --broker URL` queues

exit codes: 0 ok, 1 some pages failed, 2 bad arguments or input, 130 interrupted.
Run 'pagetrail COMMAND --help' for a command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pagetrail",
        description="Archive web pages into WARC files on a schedule and report what changed in "
        "each page's article, injected ads and comments.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from pagetrail import __version__

    parser.add_argument("--version", action="version", version=f"pagetrail {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"pagetrail.commands.{name}")
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # An unknown option belongs to the sub-command: show its usage, not pagetrail's.
        command = getattr(args, "command", None)
        subparsers = next(a for a in parser._actions  # noqa: SLF001 - argparse has no accessor
                          if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
        target = subparsers.choices.get(command, parser) if command else parser
        target.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except (PagetrailError, SeedError) as exc:
        print(f"pagetrail: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("pagetrail: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        return 0


if __name__ == "__main__":
    sys.exit(main())
