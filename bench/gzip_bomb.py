"""Peak memory of a crawl that meets gzip bombs (not a test; run by hand):

    .venv/bin/python bench/gzip_bomb.py [--gib 1]

Serves, on loopback, one page whose gzip body (about 1 MB) inflates to ``--gib`` GiB of spaces and a
robots.txt bombed the same way, then runs ``pagetrail crawl`` of that page in a child process and
reads the child's peak RSS (``wait4``). The baseline, in the same run, is a crawl of an ordinary
1 KB page on the same site (same robots.txt bomb absent). Target: the bombed crawl peaks under
300 MB; before the decompressed-size bound it peaked at 3.27 GB (1 GiB bomb) and a bombed
robots.txt alone pushed a crawl to 5.8 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.crawl_runs import write_seeds  # noqa: E402
from tests.support.servers import LocalSite, page  # noqa: E402

MB = 1024 * 1024


def gzip_bomb(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (16 * MB)
    return b"".join(comp.compress(block) for _ in range(size // len(block))) + comp.flush()


def peak_crawl(seeds: Path, archive: Path) -> tuple[int, float, dict]:
    """Exit status, peak RSS in MB and the JSON summary of one crawl in a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "crawl", str(seeds),
                                 "--archive", str(archive), "--json"],
                                stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        summary = json.loads(out.read() or b"{}")
    # ru_maxrss is in KiB on Linux; the archive worker process is a grandchild and counted too
    return proc.returncode, usage.ru_maxrss / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="inflated size of the bomb in GiB")
    args = parser.parse_args()
    body = gzip_bomb(int(args.gib * 1024 * MB))
    print(f"bomb: {len(body) / MB:.1f} MB gzip inflating to {args.gib:g} GiB")
    gz = [("Content-Encoding", "gzip")]
    with tempfile.TemporaryDirectory() as tmp, LocalSite() as site:
        tmp_path = Path(tmp)
        site.add("/page", page("<html><body><p>" + "An ordinary page. " * 50 + "</p></body></html>"))
        site.add("/bomb", page(body, headers=gz))
        seeds = write_seeds(tmp_path / "base.toml", [{"name": "page", "url": site.url("/page")}])
        code, base_mb, _ = peak_crawl(seeds, tmp_path / "a1")
        print(f"baseline crawl of a 1 KB page: exit {code}, peak RSS {base_mb:.0f} MB")

        seeds = write_seeds(tmp_path / "bomb.toml", [{"name": "bomb", "url": site.url("/bomb")}])
        code, bomb_mb, summary = peak_crawl(seeds, tmp_path / "a2")
        error = next((r["error"] for r in summary.get("results", [])), None)
        print(f"crawl of the bomb page: exit {code}, peak RSS {bomb_mb:.0f} MB "
              f"({bomb_mb / base_mb:.2f}x baseline); outcome: {error}")

        site.add("/robots.txt", page(body, content_type="text/plain", headers=gz))
        seeds = write_seeds(tmp_path / "robots.toml", [{"name": "page", "url": site.url("/page")}])
        code, robots_mb, summary = peak_crawl(seeds, tmp_path / "a3")
        error = next((r["error"] for r in summary.get("results", [])), None)
        print(f"crawl of a 1 KB page behind a bombed robots.txt: exit {code}, peak RSS "
              f"{robots_mb:.0f} MB ({robots_mb / base_mb:.2f}x baseline); outcome: {error}")
    worst = max(bomb_mb, robots_mb)
    print(f"worst peak {worst:.0f} MB: {'under' if worst < 300 else 'OVER'} the 300 MB target")


if __name__ == "__main__":
    main()
