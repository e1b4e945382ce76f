"""``pagetrail serve``: browse the archive in a web browser: pages, timelines, comparisons, replay."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

HELP = "browse the archive in a web browser (pages, timelines, comparisons, replay)"
DESCRIPTION = """\
Serve a local, read-only web app over the archive: every watched page with its last change per
channel (article, ads, comments) and fetch state, filterable and sorted by latest change; each
page's timeline of captures; any two captures compared channel by channel with word-level edits,
comment threads, ad links and the WARC evidence; replay of each capture in pywb; Atom feeds, JSON
reports and WACZ downloads.

Replay runs in pywb, which this command starts on another port and stops when it ends (an archived
page's script then runs on another origin than the app). The first run installs pywb into its own
virtualenv under ~/.cache/pagetrail/ ($PAGETRAIL_CACHE_DIR moves it; set PAGETRAIL_PYWB to a pywb 'wayback' to use your own).

The app listens on 127.0.0.1 unless --host says otherwise; on any other address it requires a
token: $PAGETRAIL_SERVE_TOKEN, or a random one printed in the address to open. No request changes
the archive.

examples:
  pagetrail serve                              then open http://127.0.0.1:8080/
  pagetrail serve --archive /data/archive --port 9000
  PAGETRAIL_SERVE_TOKEN=... pagetrail serve --host 0.0.0.0
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import add_archive_argument, add_seed_arguments

    add_archive_argument(parser)
    add_seed_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; any other needs a token)")
    parser.add_argument("--port", type=int, default=8080,
                        help="port of the app (default: 8080; 0 picks a free one)")
    parser.add_argument("--replay-port", type=int, default=0, metavar="PORT",
                        help="port of the pywb replay server (default: a free one)")
    parser.add_argument("--no-replay", action="store_true",
                        help="do not start pywb (no replay links)")
    parser.add_argument("--threads", type=int, default=8, help=argparse.SUPPRESS)


def _listen(app, host: str, port: int, threads: int, option: str):  # noqa: ANN001, ANN202
    from waitress.server import create_server

    from pagetrail.errors import UsageError

    try:
        return create_server(app, host=host, port=port, threads=threads, ident="pagetrail",
                             clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise UsageError(f"--host {host} {option} {port}: cannot listen "
                         f"({exc.strerror or exc})") from None


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from pagetrail.commands.args import load_seed_list
    from pagetrail.errors import UsageError
    from pagetrail.serve import ServeConfig, Store, create_app
    from pagetrail.serve.gate import replay_gate
    from pagetrail.serve.replay import COLLECTION, Replay, find_wayback
    from pagetrail.serve.security import TOKEN_ENV, is_loopback, new_token

    if not 0 <= args.port <= 65535 or not 0 <= args.replay_port <= 65535:
        raise UsageError("--port and --replay-port: use 0 to 65535")
    token = None
    if not is_loopback(args.host):
        token = os.environ.get(TOKEN_ENV) or new_token()
    seeds = load_seed_list(args.seeds)
    store = Store.open(args.archive, seeds, args.catalog)
    signal.signal(signal.SIGTERM, _interrupted)  # so pywb is stopped on a plain `kill` too
    replay = None
    try:
        if not args.no_replay:
            wayback, why = find_wayback(log=lambda m: print(m, file=sys.stderr, flush=True))
            if wayback:
                try:
                    # Beyond loopback, pywb stays on 127.0.0.1 behind the token (serve.gate).
                    replay = Replay(store.root, "127.0.0.1" if token else args.host,
                                    0 if token else args.replay_port, wayback).start()
                except (RuntimeError, OSError) as exc:
                    why, replay = str(exc), None
            if replay is None:
                print(f"pagetrail serve: replay is off: {why}", file=sys.stderr)
        host = f"[{args.host}]" if ":" in args.host else args.host
        gate = None
        replay_base = None  # "{host}": the host name each request used, so links work from afar
        if replay and token:
            gate = _listen(replay_gate(replay.port, token), args.host, args.replay_port,
                           args.threads, "--replay-port")
            replay_base = f"http://{{host}}:{gate.effective_port}/{COLLECTION}"
            threading.Thread(target=gate.run, name="replay-gate", daemon=True).start()
        elif replay:
            replay_base = f"http://{{host}}:{replay.port}/{COLLECTION}"
        app = create_app(ServeConfig(store, replay_base, token))
        server = _listen(app, args.host, args.port, args.threads, "--port")
        address = f"http://{host}:{server.effective_port}/"
        print(f"pagetrail serve: {store.root}/ at {address}"
              + (f"?token={token}" if token and not os.environ.get(TOKEN_ENV) else ""), flush=True)
        if token and os.environ.get(TOKEN_ENV):
            print(f"pagetrail serve: open it with ?token=${TOKEN_ENV}", flush=True)
        if replay:
            print(f"pagetrail serve: replay (pywb) at {replay_base.format(host=host)}/", flush=True)
        print("Press Ctrl+C to stop.", flush=True)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            if gate is not None:
                gate.close()
    finally:
        if replay:
            replay.stop()
        store.close()
    return 0
