"""Local pages for the rendering tests: what a browser sees and Scrapy does not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.crawl_runs import CrawlRun, crawl, write_seeds
from tests.support.servers import LocalSite, page, redirect

ARTICLE = ("<h1>How Does Heparin Help Treat Recurrent Miscarriages?</h1>"
           + "".join(f"<p>Heparin paragraph {i}: low molecular weight heparin is given by "
                     f"injection to women with antiphospholipid syndrome; trials differ.</p>"
                     for i in range(6)))

# The promo a content farm inserts with a script: a new affiliate id on every load.
AD_PAGE = f"""<!DOCTYPE html><html><head><title>Heparin</title>
<link rel="stylesheet" href="/style.css"></head><body>
<div id="main"><article class="post">{ARTICLE}<div id="promo-slot"></div></article>
<div id="comments"><h3>Comments</h3><ol class="commentlist"></ol></div></div>
<script src="/promo.js"></script>
<script>
fetch('/api/comments').then(r => r.json()).then(items => {{
  const ol = document.querySelector('.commentlist');
  for (const c of items) {{
    const li = document.createElement('li');
    li.className = 'comment'; li.id = 'comment-' + c.id;
    li.innerHTML = '<article class="comment-body"><footer class="comment-meta"><cite class="fn">' +
      c.author + '</cite> <time>' + c.date + '</time></footer><div class="comment-content"><p>' +
      c.text + '</p></div></article>';
    ol.appendChild(li);
  }}
}});
</script></body></html>"""

PROMO_JS = """(function () {
  var id = Math.random().toString(36).slice(2, 10);
  var slot = document.getElementById('promo-slot');
  slot.innerHTML = '<p class="promo">For infertility patients: the Pregnancy Miracle System ' +
    'helped thousands of women. <a href="http://' + id + '.pregmiracle.hop.clickbank.net/?tid=heparin">' +
    'Read more about it here.</a></p>';
})();
"""

COMMENTS = [
    {"id": 7, "author": "Maria", "date": "2011-05-04", "text": "Heparin helped me carry to term after three losses."},
    {"id": 8, "author": "Janet", "date": "2011-05-06", "text": "My doctor said aspirin alone was enough for me."},
]

# An ad network's iframe and an affiliate widget, both inserted by a script; the test maps the
# ad host to the local site (Chromium's --host-resolver-rules), so nothing leaves the machine.
AD_HOST = "googleads.g.doubleclick.net"
FRAMES_PAGE = f"""<!DOCTYPE html><html><body><article class="post">{ARTICLE}</article>
<script>
var post = document.querySelector('article.post');
post.insertAdjacentHTML('beforeend', '<div class="ad-slot"><iframe src="http://{AD_HOST}/pagead/ads' +
  '?client=ca-pub-1234&slot=42" width="728" height="90"></iframe></div>' +
  '<div class="widget"><a href="https://www.amazon.com/dp/B00X12?tag=heparin-20">' +
  'Buy Lovenox syringes on Amazon</a></div><img src="/moved.gif" alt="">');
</script></body></html>"""
AD_FRAME = "<!DOCTYPE html><html><body><a href='http://advertiser.test/'>Fertility clinic ad</a></body></html>"

# A comment thread that loads only when scrolled into view, below a long article.
LAZY_PAGE = f"""<!DOCTYPE html><html><body><article class="post">{ARTICLE}
<div style="height: 4000px">(the rest of a long post)</div></article>
<div id="comments"><h3>Comments</h3><ol class="commentlist"></ol></div>
<script>
new IntersectionObserver(function (entries, observer) {{
  if (!entries.some(function (e) {{ return e.isIntersecting; }})) {{ return; }}
  observer.disconnect();
  fetch('/api/comments').then(function (r) {{ return r.json(); }}).then(function (items) {{
    var ol = document.querySelector('.commentlist');
    items.forEach(function (c) {{
      var li = document.createElement('li');
      li.className = 'comment'; li.id = 'comment-' + c.id;
      li.innerHTML = '<article class="comment-body"><footer class="comment-meta"><cite class="fn">' +
        c.author + '</cite> <time>' + c.date + '</time></footer><div class="comment-content"><p>' +
        c.text + '</p></div></article>';
      ol.appendChild(li);
    }});
  }});
}}).observe(document.getElementById('comments'));
</script></body></html>"""

ENDLESS_PAGE = """<!DOCTYPE html><html><body><p id="state">before</p>
<script>setTimeout(function () { document.getElementById('state').textContent = 'looping';
  while (true) {} }, 200);</script></body></html>"""

# Keeps the network busy and the DOM growing for ever: it never settles.
RESTLESS_PAGE = """<!DOCTYPE html><html><body><p>restless</p>
<script>var n = 0; setInterval(function () { n++; var p = document.createElement('p');
  p.textContent = 'tick ' + n; document.body.appendChild(p);
  fetch('/tick?n=' + n); }, 50);</script></body></html>"""


def many_page(count: int) -> str:
    images = "".join(f'<img src="/img/{i}.gif" width="1" height="1">' for i in range(count))
    return f"<!DOCTYPE html><html><body><p>A page with {count} images.</p>{images}</body></html>"


GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b")


def render_site(comments: list[dict] | None = None) -> LocalSite:
    site = LocalSite()
    site.add("/article/", page(AD_PAGE))
    site.add("/promo.js", page(PROMO_JS, content_type="application/javascript"))
    site.add("/style.css", page("body { font: 16px serif; max-width: 50em; }", content_type="text/css"))
    site.add("/api/comments", page(json.dumps(comments if comments is not None else COMMENTS),
                                   content_type="application/json"))
    site.add("/frames/", page(FRAMES_PAGE))
    site.add("/lazy/", page(LAZY_PAGE))
    site.add("/pagead/ads", page(AD_FRAME))
    site.add("/moved.gif", redirect("/img/moved.gif"))
    site.add("/endless/", page(ENDLESS_PAGE))
    site.add("/restless/", page(RESTLESS_PAGE))
    site.add("/tick", page("ok", content_type="text/plain"))
    site.add("/many/", page(many_page(1000)))
    site.add("/img/", page(GIF, content_type="image/gif"), prefix=True)
    return site


def render_crawl(folder: Path, site: LocalSite, *paths: str, settings: dict | None = None) -> CrawlRun:
    """One `pagetrail crawl` rendering ``paths`` of ``site`` into ``folder``/archive (its seed file
    in ``folder``); fails the caller unless it exits 0."""
    seeds = write_seeds(folder / "seeds.toml",
                        [{"url": site.url(p), "name": p.strip("/") or "root", "render": True}
                         for p in paths])
    # Generous time bounds: the tests check what is captured, and a loaded machine is slow
    settings = {"PAGETRAIL_RENDER_TOTAL_SECONDS": 300, **(settings or {})}
    extra = [a for k, v in settings.items() for a in ("--set", f"{k}={v}")]
    run = crawl(seeds, "--archive", folder / "archive", "--json", *extra)
    assert run.returncode == 0, run.stderr
    return run
