"""``pagetrail demo``: the whole service on the bundled example site, offline, in about three quarters of a minute."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import threading
import time
from pathlib import Path

HELP = "serve the bundled example, capture its timeline on a schedule, write the report and WACZ"
DESCRIPTION = """\
Everything pagetrail does, on the bundled example site, with no internet access: the example
site is served on 127.0.0.1 (each capture sees the next version of the page); its seed is
scheduled every --interval seconds through the real scheduler, each capture running as a child
`pagetrail crawl` process into the archive; each change is printed as it is found (per channel:
article, ads, comments). When the whole timeline is captured the demo writes the page's history as
an HTML report and the captures as a WACZ into --out, says how to look at them, and ends.
With Debian's chromium installed it also captures the example's scripted page twice in headless
Chromium (render = true): its promo is inserted by a script and a comment loaded by one, which only
the rendered captures see; it writes their history, screenshots side by side, as
scripted-history.html. Without Chromium it says that it skipped this part.

examples:
  pagetrail demo                        about three quarters of a minute; archive/ and demo-output/
  pagetrail demo --interval 2 --out /tmp/demo --archive /tmp/demo/archive
  pagetrail demo --keep-running         keep capturing (the last version, unchanged) until Ctrl-C
"""

DEFAULT_PORT = 8765  # a fixed port: a second demo run adds to the same page's history
MAX_SECONDS = 150.0  # the demo ends by itself even if crawls keep failing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port of the example site on 127.0.0.1 (default {DEFAULT_PORT}; "
                        "0: any free port; a busy port falls back to a free one)")
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")
    parser.add_argument("--out", default="demo-output", metavar="DIR",
                        help="where the HTML report, the WACZ and the demo's seed file go "
                        "(default: demo-output/)")
    parser.add_argument("--interval", type=float, default=3.0, metavar="S",
                        help="seconds between captures (default 3)")
    parser.add_argument("--keep-running", action="store_true",
                        help="keep serving and capturing after the timeline until Ctrl-C")


def _start_site(port: int):  # noqa: ANN202 - ExampleSite
    from pagetrail.example import ExampleSite

    try:
        return ExampleSite(mode="sequence", port=port).start()
    except OSError as exc:
        if port == 0:
            raise
        print(f"demo: port {port} is not free ({exc.strerror}); using another one", file=sys.stderr)
        return ExampleSite(mode="sequence", port=0).start()


def command_path() -> str:
    """How the user calls pagetrail from here: the bare name only when it is on PATH (after the
    quick start it is not: it is ``.venv/bin/pagetrail``)."""
    script = Path(sys.executable).parent / "pagetrail"
    found = shutil.which("pagetrail")
    if found and script.exists() and Path(found).resolve() == script.resolve():
        return "pagetrail"
    if script.exists():
        try:
            return str(script.relative_to(Path.cwd()))
        except ValueError:
            return shlex.quote(str(script))
    if found:
        return "pagetrail"
    return f"{shlex.quote(sys.executable)} -m pagetrail"


def earlier_captures(archive: Path, url: str) -> int:
    """Captures of the demo page already in the archive (an earlier demo on the same port)."""
    from pagetrail.archive import Archive
    from pagetrail.errors import ArchiveError

    try:
        store = Archive.existing(archive)
    except ArchiveError:
        return 0  # no archive yet
    with store:
        return sum(1 for c in store.captures(url=url) if c.kind in ("response", "revisit"))


class _Progress:
    """Prints each capture as the daemon reports it, and stops the daemon after the timeline."""

    def __init__(self, total: int, keep_running: bool, earlier: int = 0):
        self.total = total
        self.earlier = earlier
        self.keep_running = keep_running
        self.captured = 0
        self.failed = 0
        self.changes = 0
        self.daemon = None
        self.done = threading.Event()

    def __call__(self, item) -> None:  # noqa: ANN001 - CaptureOutcome
        from pagetrail.schedule.outcome import change_line

        stamp = time.strftime("%H:%M:%S")
        if item.stopped:
            return  # the crawl in flight when the demo was stopped: nothing was lost
        if not item.ok:
            self.failed += 1
            print(f"{stamp}  capture failed: {item.error}", flush=True)
        else:
            self.captured += 1
            where = f"[{self.captured}/{self.total}]" if self.captured <= self.total else f"[{self.captured}]"
            against = ("  (against the last capture of the earlier run)"
                       if self.captured == 1 and self.earlier else "")
            print(f"{stamp}  {where} {item.kind or 'captured'} {item.status}: "
                  f"{change_line(item.report)}{against}", flush=True)
            for line in _channel_lines(item.report):
                print(f"            {line}", flush=True)
            if item.report and any(ch.get("changed") for ch in (item.report.get("channels") or {}).values()):
                self.changes += 1
        if self.captured >= self.total and not self.keep_running and self.daemon is not None:
            self.done.set()
            self.daemon.stop()


def _channel_lines(report: dict | None, per_channel: int = 3) -> list[str]:
    """A few words on each change, per channel: what the one-line summary counts."""
    if not report or report.get("from") is None:
        return []
    out = []
    for name, channel in (report.get("channels") or {}).items():
        if not isinstance(channel, dict) or not channel.get("changed"):
            continue
        changes = channel.get("changes") or []
        for change in changes[:per_channel]:
            text = change.get("after") if change.get("after") is not None else change.get("before")
            text = " ".join(str(text or "").split())
            if len(text) > 70:
                text = text[:67] + "..."
            kind = f" {change['kind']}" if change.get("kind") else ""
            out.append(f"{name}: {change.get('op', 'changed')}{kind}: {text}" if text
                       else f"{name}: {change.get('op', 'changed')}{kind}")
        if len(changes) > per_channel:
            out.append(f"{name}: ... {len(changes) - per_channel} more")
    return out


def _write_outputs(url: str, archive: Path, out: Path, seed_file: Path) -> list[str]:
    """The HTML history report and the WACZ; a part that fails is reported, not fatal."""
    from pagetrail.archive import Archive
    from pagetrail.changes import history, pagediff_from_summary
    from pagetrail.report import ReportDoc, ReportOptions, render, replay_base_default
    from pagetrail.seeds import load_seed_file

    def html(store: Archive) -> None:
        items = [pagediff_from_summary(summary)
                 for _capture, summary in history(store, url, load_seed_file(seed_file))]
        doc = ReportDoc(mode="history", title=f"History of {url} ({len(items)} captures)",
                        items=items, url=url,
                        options=ReportOptions(replay_base=replay_base_default()))
        (out / "history.html").write_text(render("html", doc), encoding="utf-8")

    def wacz(store: Archive) -> None:
        store.export_wacz(out / "example.wacz", [url])

    problems = []
    with Archive(archive) as store:
        for what, step in (("HTML report", html), ("WACZ", wacz)):
            try:
                step(store)
            except Exception as exc:  # noqa: BLE001 - the demo degrades, it does not crash
                problems.append(f"{what} not written ({type(exc).__name__}: {exc})")
    return problems


def run(args: argparse.Namespace) -> int:
    from pagetrail.commands.run import setup_logging
    from pagetrail.errors import UsageError
    from pagetrail.example import VERSIONS
    from pagetrail.example.seedfile import write_seed_file
    from pagetrail.schedule.daemon import Daemon, DaemonConfig

    if args.interval <= 0:
        raise UsageError(f"--interval: must be positive, got {args.interval:g}")
    out = Path(args.out)
    archive = Path(args.archive)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    setup_logging(quiet=True)
    site = _start_site(args.port)
    total = len(VERSIONS)
    try:
        url = site.page_url
        seed_file = write_seed_file(out / "example-seed.toml", url, f"{args.interval:g}s")
        earlier = earlier_captures(archive, url)
        print(f"Serving the example site at {url}\n"
              f"({total} versions: each capture sees the next one). Capturing every "
              f"{args.interval:g}s into {archive}/ with the scheduler; one child crawl per capture.",
              flush=True)
        if earlier:
            print(f"{archive}/ already holds {earlier} captures of this page from an earlier demo: "
                  f"this run adds to its history, so its first capture is compared with the last "
                  f"of them (use --archive DIR for a fresh start).", flush=True)
        progress = _Progress(total, args.keep_running, earlier)
        daemon = Daemon(DaemonConfig(archive=archive, seed_paths=[str(seed_file)], jobstore="memory",
                                     batch_window=0.2, stop_timeout=15.0, lock_wait=5.0,
                                     tick=0.2),
                        on_capture=progress)
        progress.daemon = daemon
        if not args.keep_running:
            timer = threading.Timer(MAX_SECONDS, daemon.stop)
            timer.daemon = True
            timer.start()
        daemon.run()
        scripted_report = None
        if progress.captured:
            from pagetrail.commands.demo_scripted import run_scripted

            scripted_report = run_scripted(site.scripted_url, archive, out)
    finally:
        site.stop()
    print(f"\n{progress.captured} captures ({progress.changes} with changes, "
          f"{progress.failed} failed).", flush=True)
    if progress.captured == 0:
        print(f"demo: nothing was captured; see {archive}/schedule/crawl.log", file=sys.stderr)
        return 1
    problems = _write_outputs(url, archive, out, seed_file)
    for problem in problems:
        print(f"demo: {problem}", file=sys.stderr)
    print(f"\nArchive (WARC files, CDXJ index, catalog): {archive}/")
    if (out / "history.html").exists():
        print(f"History report: {out / 'history.html'}   (open it in a browser)")
    if scripted_report is not None:
        print(f"Rendered page:  {scripted_report}   (screenshots of both captures side by side)")
    if (out / "example.wacz").exists():
        print(f"WACZ export:    {out / 'example.wacz'}   (open it in https://replayweb.page)")
    cmd = command_path()
    print("\nLook closer:\n"
          f"  {cmd} history {url} --archive {archive}\n"
          f"  {cmd} diff {url} --archive {archive}\n"
          f"  {cmd} captures {url} --archive {archive}")
    print(f"\nBrowse it:      {cmd} serve --archive {archive} --seeds {seed_file}\n"
          "                then open http://127.0.0.1:8080/ (pages, timeline, compare, replay)")
    if progress.captured < total and not args.keep_running:
        print(f"demo: only {progress.captured} of {total} versions were captured", file=sys.stderr)
        return 1
    return 1 if problems else 0
