"""`pagetrail serve` driven in real headless Chromium (Debian's, through Playwright) over an archive
made by real crawls: list → page → compare → replay, hostile archived text and links inert, every
screen readable on a phone, and the README's screenshots.

Set PAGETRAIL_UPDATE_SCREENSHOT=1 to copy the screenshots to docs/serve-*.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pagetrail.example import ExampleSite, render
from tests.support.crawl_runs import crawl, write_seeds
from tests.support.serve_pages import hostile_after
from tests.support.servers import LocalSite
from tests.support.validators import build_venv

# The whole module in one test process (--dist loadgroup): its crawls, server and browser, made once.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("serve_browser")]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CRAWLS = 4


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """An archive made by four real crawls of the example page (versions 1 to 4) and of a page
    that turns hostile after the first crawl."""
    home = tmp_path_factory.mktemp("serve-browser")
    archive = home / "archive"
    with ExampleSite(mode="sequence", start_version=1) as example, LocalSite() as site:
        site.set_page("/hostile/", render(2))
        seeds = write_seeds(home / "seeds.toml", [
            {"url": example.page_url, "name": "heparin", "tags": ["health", "content-farm"]},
            {"url": site.url("/hostile/"), "name": "hostile", "tags": ["test"]},
        ])
        for n in range(CRAWLS):
            run = crawl(seeds, "--archive", archive, "--no-robots")
            assert run.returncode == 0, run.stderr
            if n == 0:
                site.set_page("/hostile/", hostile_after())
        return archive, seeds, example.page_url, site.url("/hostile/")


@pytest.fixture(scope="module")
def server(crawled):
    """`pagetrail serve` on a free port, with pywb from the validator venv when it can be built."""
    archive, seeds, *_ = crawled
    bin_dir, why = build_venv()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = ["--archive", str(archive), "--seeds", str(seeds), "--port", "0"]
    if bin_dir is not None:
        env["PAGETRAIL_PYWB"] = str(bin_dir / "wayback")
    else:
        args.append("--no-replay")
    proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        while len(lines) < 5:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError("serve exited:\n" + "".join(lines))
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        address = next(line.split(" at ", 1)[1].strip() for line in lines if " at http" in line)
        replay = next((line.split(" at ", 1)[1].strip() for line in lines if "replay (pywb)" in line),
                      None)
        yield address, replay, why
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("headless Chromium not found: install Debian's 'chromium' package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, width: int = 1280, height: int = 900):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


def assert_inert(page) -> None:  # noqa: ANN001
    assert page.dialogs == []
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    assert page.evaluate("document.scripts.length") == 0
    bad = page.evaluate("""[...document.querySelectorAll('*')].flatMap(el =>
        [...el.attributes].filter(a => a.name.startsWith('on')
          || /^\\s*javascript:/i.test(a.value)).map(a => el.tagName + ' ' + a.name))""")
    assert bad == []


def shoot(page, tmp_path: Path, name: str) -> None:  # noqa: ANN001
    shot = tmp_path / f"serve-{name}.png"
    page.screenshot(path=str(shot), full_page=name != "phone")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("PAGETRAIL_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / shot.name)


def test_list_page_compare_replay(browser, server, crawled, tmp_path):
    address, replay, why = server
    _, _, example_url, _ = crawled
    page = open_page(browser)
    response = page.goto(address)
    assert "default-src 'none'" in response.headers["content-security-policy"]
    rows = page.locator("table.pages tbody tr")
    assert rows.count() == 2
    row = rows.filter(has_text="heparin")
    assert "health" in row.inner_text() and "content-farm" in row.inner_text()
    assert f"{CRAWLS} captures" in row.inner_text()
    shoot(page, tmp_path, "pages")

    # Filter by channel: the comments of the example changed (version 2), the hostile page's too.
    page.select_option("select[name=channel]", "comments")
    # A click only starts the navigation: each one below waits for the new page's load before
    # reading it (its URL changes first; counting rows then found none, as happened under load).
    with page.expect_navigation():
        page.click("form.filters button")
    assert "channel=comments" in page.url
    assert page.locator("table.pages tbody tr").count() >= 1

    page.goto(address)
    with page.expect_navigation():
        page.click("table.pages tbody tr:has-text('heparin') a.title")
    assert "/page?url=" in page.url
    timeline = page.locator("table.timeline tbody tr")
    assert timeline.count() == CRAWLS
    assert "first capture" in timeline.nth(CRAWLS - 1).inner_text()
    shoot(page, tmp_path, "timeline")

    # Any two captures: the first (A) and the last (B).
    timeline.nth(CRAWLS - 1).locator("input[name=a]").check()
    timeline.nth(0).locator("input[name=b]").check()
    with page.expect_navigation():
        page.click("form.pick button")
    assert "/compare?" in page.url
    for title in ("Article", "Ads and promotions", "Comments"):
        assert page.locator(f"section.channel h2:has-text('{title}')").count() == 1
    assert page.locator("section.channel ins").count() > 0
    evidence = page.locator("dl.prov").first.inner_text()
    assert "record id" in evidence and "<urn:uuid:" in evidence and "sha1:" in evidence
    assert ".warc.gz" in evidence
    assert_inert(page)
    shoot(page, tmp_path, "compare")

    if replay is None:
        pytest.skip(f"pywb not available, replay not checked ({why})")
    link = page.locator("a.replay").last.get_attribute("href")
    app, other = urlsplit(address), urlsplit(link)
    assert (other.hostname, other.port) != (app.hostname, app.port)  # another origin
    assert link.startswith(replay) and link.endswith(example_url)
    replayed = open_page(browser)
    replayed.goto(link)
    replayed.wait_for_load_state("load")
    texts = [f.evaluate("document.body ? document.body.innerText : ''") for f in replayed.frames]
    assert any("Heparin" in t or "heparin" in t for t in texts), texts
    # The replayed page's script cannot read the app: another origin, no CORS.
    leaked = replayed.evaluate(f"""fetch({address!r}).then(r => r.text()).then(t => t.length,
                                        e => 'blocked')""")
    assert leaked == "blocked"


def test_hostile_archived_content_stays_inert(browser, server, crawled):
    address, *_ = server
    page = open_page(browser)
    page.goto(address)
    # A click only starts the navigation: wait for the new page (evaluating the document while
    # it is replaced can find no documentElement, as happened under load).
    with page.expect_navigation():
        page.click("table.pages tbody tr:has-text('hostile') a.title")
    assert_inert(page)
    with page.expect_navigation():
        page.locator("table.timeline tbody tr.t-changed").first.locator("a").first.click()
    assert "/compare?" in page.url
    body = page.inner_text("main")
    assert "<svg onload=" in body and "data-pwned" in body  # shown as the text they are
    assert "[U+202E]" in body and "\u202e" not in body
    assert_inert(page)
    assert page.locator("section#ads ul.links a").count() == 0  # ad links are text, never links


def test_every_screen_fits_a_phone(browser, server, tmp_path):
    address, *_ = server
    page = open_page(browser, 390, 844)
    page.goto(address)
    with page.expect_navigation():
        page.click("table.pages tbody tr:has-text('heparin') a.title")
    with page.expect_navigation():  # page.url below is the page this click opens
        page.locator("table.timeline tbody tr").first.locator("a").first.click()
    for url in (address, page.url):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 392, url
    shoot(page, tmp_path, "phone")
