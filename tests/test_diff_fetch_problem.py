"""classify_fetch: error pages, bot walls and login walls are fetch problems, never content changes."""

from __future__ import annotations

from pagetrail.diff import classify_fetch, diff_snapshots
from pagetrail.example.expected import expected_snapshot
from pagetrail.segment.model import Article, Block, Snapshot


def page(title: str, *paras: str) -> Snapshot:
    return Snapshot(url="http://x.test/", article=Article(title=title, blocks=[Block("paragraph", p) for p in paras]))


def test_http_errors():
    assert classify_fetch(503, {}, None) == "HTTP 503"
    assert classify_fetch(404, [("Content-Type", "text/html")], page("Not found", "Nothing here")) == "HTTP 404"
    assert classify_fetch(None, None, None) == "no response"


def test_empty_body():
    assert classify_fetch(200, {}, None) == "empty body"
    assert classify_fetch(200, {}, page("")) == "empty body"


def test_bot_walls_and_captchas():
    assert classify_fetch(200, {}, page("Just a moment...", "Checking your browser before accessing x.test.")) == "bot wall or captcha page"
    assert classify_fetch(200, {}, page("Attention Required! | Cloudflare", "Please complete the security check")) == "bot wall or captcha page"
    assert classify_fetch(200, {}, page("x.test", "Please verify you are human to continue.")) == "bot wall or captcha page"
    assert classify_fetch(200, {}, page("Access Denied", "You don't have permission to access this server.")) == "bot wall or captcha page"


def test_long_article_mentioning_captcha_is_not_a_wall():
    long_text = "How CAPTCHA systems work and why they annoy readers. " * 60
    assert classify_fetch(200, {}, page("All about captcha", long_text)) is None


def test_login_redirect_and_login_page():
    assert classify_fetch(302, {"Location": "https://x.test/wp-login.php?redirect_to=%2Fpost"}, None).startswith("login redirect")
    assert classify_fetch(302, [(b"location", b"/account/login")], None).startswith("login redirect")
    assert classify_fetch(301, {"Location": "/post/"}, None) is None
    refused = classify_fetch(302, {"Location": "file:///etc/passwd"}, None, followed=False)
    assert refused == "redirect not followed (HTTP 302 to file:///etc/passwd)"
    assert classify_fetch(200, {}, page("Log In", "Username Password Remember me")) == "login page"


def test_real_page_is_fine():
    assert classify_fetch(200, {"Content-Type": "text/html"}, expected_snapshot(0)) is None


def test_problem_capture_is_not_diffed_as_article_removed():
    wall = page("Just a moment...", "Checking your browser before accessing x.test.")
    diff = diff_snapshots(expected_snapshot(0), wall)
    assert diff.fetch_problem == "bot wall or captcha page"
    assert not diff.changed and not diff.article.changes
    assert diff.summary_line() == "fetch problem: bot wall or captcha page"
    forced = diff_snapshots(expected_snapshot(0), expected_snapshot(1), fetch_problem="HTTP 500")
    assert forced.fetch_problem == "HTTP 500" and not forced.changed
