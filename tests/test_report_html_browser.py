"""The HTML report opened in headless Chromium: archived `<script>`, `onerror=` and `javascript:`
payloads stay inert text, the report renders its channels, and a screenshot is taken.

Set PAGETRAIL_UPDATE_SCREENSHOT=1 to copy the screenshot to docs/report-screenshot.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff, WordOp
from pagetrail.report import ReportDoc, render

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MARK = "document.documentElement.setAttribute('data-pwned','1');window.__pwned=1"
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'<img src=x onerror="{MARK}">',
    f'<svg onload="{MARK}"></svg>',
    f'<a href="javascript:{MARK}">click me</a>',
    f'<iframe srcdoc="<script>parent.{MARK}</script>"></iframe>',
]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def hostile_diff() -> PageDiff:
    evil = " ".join(PAYLOADS)
    ref = CaptureRef  # short alias for the two sides
    article = ChannelDiff(changed=True, count_before=4, count_after=5, changes=[
        Change("edited", kind="paragraph", index_before=2, index_after=2,
               before="Heparin is an anticoagulant given by injection.",
               after=f"Heparin is an anticoagulant given by injection or infusion. {evil}",
               words=[WordOp("equal", "Heparin is an anticoagulant given by"),
                      WordOp("delete", "injection."), WordOp("insert", f"injection or infusion. {evil}")]),
        Change("added", kind="paragraph", index_after=4, after=f"Update: see the new guidance. {PAYLOADS[0]}"),
        Change("removed", kind="paragraph", index_before=3, before="An old paragraph that was cut."),
    ])
    ads = ChannelDiff(changed=True, count_before=1, count_after=1, changes=[
        Change("edited", kind="affiliate-link", before="For infertility Patients: click here",
               after="For infertility Patients: click here",
               detail={"position": "in-article", "links_before": ["http://vendor.hop.clickbank.net/?tid=1"],
                       "links_after": [f"javascript:{MARK}"]}),
    ])
    comments = ChannelDiff(changed=True, count_before=3, count_after=4, changes=[
        Change("added", kind="comment", index_after=3, after=f"Great post! {PAYLOADS[1]}",
               detail={"author": f"<b onmouseover=\"{MARK}\">Mallory</b>", "date": "2011-05-04",
                       "parent": "comment-7"}),
    ])
    return PageDiff(url=f"http://127.0.0.1:8000/2011/05/heparin/?q=<script>{MARK}</script>",
                    from_=ref("20261125100000000", "<urn:uuid:a>", "pagetrail-20261125-00001.warc.gz", 812),
                    to=ref("20261125110000000", "<urn:uuid:b>", "pagetrail-20261125-00001.warc.gz", 20931),
                    changed=True, article=article, ads=ads, comments=comments)


def run_chromium(page: Path, tmp_path: Path, *extra: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    return done.stdout


@pytest.fixture
def chromium():
    if not CHROMIUM:
        pytest.skip("headless Chromium not found: install Debian's 'chromium' package (apt-get install chromium)")
    return CHROMIUM


def test_hostile_page_runs_no_script_in_the_report(chromium, tmp_path):
    # Control: the same payload served raw does run in this browser, so the check below means something.
    raw = tmp_path / "raw.html"
    raw.write_text(f"<!DOCTYPE html><html><body>{PAYLOADS[0]}</body></html>", encoding="utf-8")
    assert 'data-pwned="1"' in run_chromium(raw, tmp_path, "--dump-dom")

    report = tmp_path / "report.html"
    doc = ReportDoc(mode="diff", title="Changes to a hostile page", items=[hostile_diff()])
    report.write_text(render("html", doc), encoding="utf-8")
    dom = run_chromium(report, tmp_path, "--dump-dom", "--virtual-time-budget=2000")

    assert "Article" in dom and "Ads and promotions" in dom and "Comments" in dom
    assert 'data-pwned="1"' not in dom
    assert "&lt;script&gt;" in dom  # the payload is there, as text
    tree = lxml.html.fromstring(dom)
    assert not tree.xpath("//script | //img | //iframe | //svg | //object | //embed")
    assert not [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib
                if a.lower().startswith("on")]
    hrefs = [h.strip().lower() for h in tree.xpath("//@href")]
    assert hrefs and all(h.startswith(("http://localhost:8080/", "#")) for h in hrefs)

def test_report_screenshot(chromium, tmp_path):
    """A real report: the example page from version 2 to version 4 (every channel changed)."""
    from pagetrail.changes import diff_captures
    from tests.test_changes_timeline import build_timeline_archive

    archive, captures = build_timeline_archive(tmp_path / "archive")
    with archive:
        pd = diff_captures(archive, captures[2], captures[4])
    report = tmp_path / "report.html"
    doc = ReportDoc(mode="diff", title=f"Changes to {pd.url}", items=[pd])
    report.write_text(render("html", doc), encoding="utf-8")
    shot = tmp_path / "report.png"
    run_chromium(report, tmp_path, f"--screenshot={shot}", "--window-size=1280,1600",
                 "--hide-scrollbars")
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000
    if os.environ.get("PAGETRAIL_UPDATE_SCREENSHOT"):
        target = Path(__file__).resolve().parents[1] / "docs" / "report-screenshot.png"
        shutil.copyfile(shot, target)
