"""The demo's second part: the example page whose promo and comment only a browser sees
(pagetrail.example.scripted), captured twice with ``render = true`` when Chromium is installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CAPTURES = 2
WHAT = "the scripted page (promo inserted by a script, comment loaded by a script)"


def seed_text(url: str) -> str:
    return ("# Written by `pagetrail demo`: the example page as script-heavy sites serve it.\n"
            "[defaults]\nrender = true\n\n"
            f'[[seed]]\nname = "example-scripted"\nurl = "{url}"\nschedule = "1h"\n')


def run_scripted(url: str, archive: Path, out: Path) -> Path | None:
    """Capture the scripted page twice, rendered, printing what each capture found; returns the
    HTML history report it wrote (None when skipped or failed)."""
    from pagetrail.crawl.render.browser import missing

    why = missing()
    if why:
        print(f"\ndemo: skipped {WHAT}: rendering needs headless Chromium, and {why}", flush=True)
        return None
    seed_file = out / "example-scripted-seed.toml"
    seed_file.write_text(seed_text(url), encoding="utf-8")
    print(f"\nRendering {WHAT} in headless Chromium, {CAPTURES} captures:\n{url}", flush=True)
    for n in range(1, CAPTURES + 1):
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seed_file),
                               "--archive", str(archive), "--json"],
                              capture_output=True, text=True)
        try:
            summary = json.loads(done.stdout)
        except ValueError:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"demo: the rendered capture failed: {tail}", file=sys.stderr)
            return None
        fetched = (summary.get("results") or [{}])[0]
        for rendered in summary.get("rendered") or []:
            note = rendered.get("error") or (f"{rendered['resources']} subresources archived, "
                                             "DOM and screenshot archived")
            print(f"  [{n}/{CAPTURES}] fetched HTML: {fetched.get('kind')}; rendered: {note}")
        for line in summary.get("changes") or []:
            print(f"          {line.split(': ', 1)[-1]}", flush=True)
    return _report(url, archive, out, seed_file)


def _report(url: str, archive: Path, out: Path, seed_file: Path) -> Path | None:
    from pagetrail.archive import Archive
    from pagetrail.changes import history, pagediff_from_summary
    from pagetrail.report import ReportDoc, ReportOptions, render, replay_base_default
    from pagetrail.report.output import add_screenshots
    from pagetrail.seeds import load_seed_file

    path = out / "scripted-history.html"
    try:
        with Archive(archive) as store:
            items = [pagediff_from_summary(s) for _c, s in history(store, url, load_seed_file(seed_file))]
            doc = ReportDoc(mode="history", title=f"History of {url} (rendered)", items=items,
                            url=url, options=ReportOptions(replay_base=replay_base_default()))
            add_screenshots(doc, store)
        path.write_text(render("html", doc), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - the demo degrades, it does not crash
        print(f"demo: rendered report not written ({type(exc).__name__}: {exc})", file=sys.stderr)
        return None
    return path
