"""What rendering costs (not a test; run by hand):

    .venv/bin/python bench/render_speed.py [--pages 40] [--settle 10]

Serves N small script-heavy pages on loopback (each: a stylesheet, a script that inserts an
affiliate promo, a comment thread loaded with fetch(), an image), then runs ONE crawl of all of
them with ``render = true`` in a child process (Twisted's reactor cannot restart). In that same
run it times Scrapy's fetching (first to last page outcome) and the rendering in Debian's Chromium
(first to last rendered page, including the browser's start), and prints pages per minute of each
and their ratio. Peak memory is the highest sum of PSS over the crawl process and everything it
started (the Playwright driver and every Chromium process), sampled every 100 ms; the crawl
process's own peak RSS is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!DOCTYPE html><html><head><title>Post {n}</title><link rel="stylesheet" href="/s.css">
</head><body><article class="post"><h1>Post {n}</h1>{paras}<div id="slot"></div></article>
<ol class="commentlist"></ol><img src="/i.gif" alt="">
<script src="/promo.js"></script>
<script>fetch('/comments/{n}').then(r => r.json()).then(cs => cs.forEach(c => {{
  const li = document.createElement('li'); li.className = 'comment';
  li.innerHTML = '<cite class="fn">' + c.a + '</cite><div class="comment-content"><p>' + c.t +
    '</p></div>'; document.querySelector('.commentlist').appendChild(li); }}));</script>
</body></html>"""
PARAS = "".join(f"<p>Paragraph {i} about heparin, aspirin and recurrent miscarriage.</p>"
                for i in range(12))
PROMO = (b"document.getElementById('slot').innerHTML = '<p>Read more about it <a href=\"http://'"
         b" + Math.random().toString(36).slice(2, 8) + '.x.hop.clickbank.net/\">here</a>.</p>';")
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path = self.path
        if path.startswith("/p/"):
            body, ctype = PAGE.format(n=path[3:].strip("/"), paras=PARAS).encode(), "text/html"
        elif path == "/s.css":
            body, ctype = b"body{font:16px serif;max-width:50em}", "text/css"
        elif path == "/promo.js":
            body, ctype = PROMO, "application/javascript"
        elif path == "/i.gif":
            body, ctype = GIF, "image/gif"
        elif path.startswith("/comments/"):
            body = json.dumps([{"a": "Ann", "t": "It helped me."}, {"a": "Bo", "t": "Not me."}]).encode()
            ctype = "application/json"
        else:
            body, ctype = b"", "text/plain"
        self.send_response(200 if body or path == "/robots.txt" else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# -- child: one crawl with rendering, timed ---------------------------------------------------
def child(seed_file: str, archive: str) -> None:
    import resource

    from pagetrail.crawl.runner import run_crawl
    from pagetrail.seeds import load_seed_file

    fetched: list[float] = []
    rendered: list[float] = []
    started = time.monotonic()
    settings = {"LOG_LEVEL": "ERROR",
                "PAGETRAIL_RENDER_SETTLE_SECONDS": os.environ.get("PAGETRAIL_BENCH_SETTLE", "10")}
    summary = run_crawl(load_seed_file(seed_file), archive, settings=settings,
                        progress=lambda o, d, t: fetched.append(time.monotonic()),
                        render_progress=lambda o: rendered.append(time.monotonic()))
    print(json.dumps({
        "fetch_first": fetched[0] - started, "fetch_last": fetched[-1] - started,
        "render_start": fetched[-1] - started, "render_last": rendered[-1] - started,
        "render_seconds": [r.seconds for r in summary.rendered],
        "render_errors": [r.error for r in summary.rendered if r.error],
        "resources": sum(r.resources for r in summary.rendered),
        "own_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def tree_pss_mb(root: int) -> float:
    """Sum of PSS (shared pages split between the processes sharing them, so Chromium's many
    processes are not counted several times over) over ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    total = 0
    for pid in parents:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p != root:
            continue
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--settle", type=float, default=10.0, help="PAGETRAIL_RENDER_SETTLE_SECONDS")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds.toml"
        seeds.write_text('[defaults]\nschedule = "1h"\nrender = true\nrobots = false\n\n' + "".join(
            f'[[seed]]\nname = "p{n}"\nurl = "{base}/p/{n}/"\n\n' for n in range(args.pages)))
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
               "PAGETRAIL_BENCH_SETTLE": str(args.settle)}
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(seeds), str(Path(tmp) / "a")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_pss_mb(proc.pid))
            time.sleep(0.1)
        out, err = proc.communicate()
    server.shutdown()
    if proc.returncode != 0:
        sys.exit(f"crawl failed ({proc.returncode}): {err.strip()[-500:]}")
    r = json.loads(out.strip().splitlines()[-1])
    n = args.pages
    fetch_rate = (n - 1) / max(r["fetch_last"] - r["fetch_first"], 1e-6) * 60
    render_rate = n / max(r["render_last"] - r["render_start"], 1e-6) * 60
    print(f"pages: {n} (each: stylesheet, promo script, fetch() comments, image)")
    print(f"fetched by Scrapy:     {fetch_rate:8.0f} pages/min")
    print(f"rendered in Chromium:  {render_rate:8.1f} pages/min  ({r['resources']} subresources "
          f"archived; median {statistics.median(r['render_seconds']):.2f} s/page)")
    print(f"rendered / fetched:    {render_rate / fetch_rate:8.4f}  (Scrapy is "
          f"{fetch_rate / render_rate:.0f}x faster)")
    print(f"peak memory: {peak:.0f} MB PSS for the crawl process and the browser together "
          f"(crawl process alone: {r['own_peak_rss_mb']:.0f} MB peak RSS)")
    if r["render_errors"]:
        print(f"render errors: {r['render_errors'][:3]}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
