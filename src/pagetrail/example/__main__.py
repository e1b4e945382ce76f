"""``python -m pagetrail.example [--port N] [--mode sequence|clock|fixed]``: serve it by hand."""

from __future__ import annotations

import argparse
import sys
import threading

from pagetrail.example.server import CONTROL_PATH, MODES, ExampleSite
from pagetrail.example.timeline import VERSIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pagetrail.example",
        description="Serve the pagetrail example site on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--mode", choices=MODES, default="sequence",
                        help="how the version advances (default: sequence, one per page GET)")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds per version in clock mode (default 5)")
    parser.add_argument("--version", type=int, default=0, dest="start_version",
                        help=f"version to start at, 0 to {len(VERSIONS) - 1} (default 0)")
    parser.add_argument("--wrap", action="store_true", help="start over after the last version")
    parser.add_argument("--seed-file", metavar="FILE",
                        help="also write a seed file for the served page to FILE, for "
                        "`pagetrail crawl FILE` or `pagetrail run FILE`")
    args = parser.parse_args(argv)
    try:
        site = ExampleSite(args.mode, args.interval, args.host, args.port, wrap=args.wrap,
                           start_version=args.start_version)
    except ValueError as exc:
        parser.error(str(exc))
    with site:
        print(site.page_url, flush=True)
        if args.seed_file:
            from pagetrail.example.seedfile import write_seed_file

            print(f"seed file: {write_seed_file(args.seed_file, site.page_url)}", file=sys.stderr)
        print(f"mode {site.mode}; versions 0-{len(VERSIONS) - 1}; "
              f"set one with {site.base_url}{CONTROL_PATH}?set=N; Ctrl-C to stop", file=sys.stderr)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
