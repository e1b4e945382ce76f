"""The example page as script-heavy sites serve it: the HTML is the same on every load, but a script
inserts the affiliate promo (with a new affiliate id each time) and another loads the comments.

Only a rendered capture (``render = true``) sees either: the fetched HTML never changes, so a plain
crawl reports "no change" while the rendered DOM shows an edited ad and, from the second load on, a
new comment. Served by ``ExampleSite`` at ``SCRIPTED_PATH``; the demo captures it twice when
Chromium is installed.
"""

from __future__ import annotations

import json

from pagetrail.example.render import render

SCRIPTED_PATH = "/2011/05/heparin-and-miscarriage-scripted/"
PROMO_SCRIPT_PATH = "/wp-content/plugins/smart-promo/promo.js"
COMMENTS_PATH = "/wp-json/lazy-comments/v1/comments"

# Inserted at the end of the post, as content-farm plugins do; the hop link's id changes per load.
PROMO_JS = """(function () {
  var id = Math.random().toString(36).slice(2, 8);
  var box = document.createElement('div');
  box.className = 'smart-promo';
  box.innerHTML = '<p><strong>For infertility patients:</strong></p><p>Thousands of women got ' +
    'pregnant with the Pregnancy Miracle System. <a href="http://' + id +
    '.pregmiracle.hop.clickbank.net/?tid=heparin" target="_blank">Read more about it here.</a></p>';
  var content = document.querySelector('.entry-content') || document.body;
  content.appendChild(box);
})();
"""

# The comment plugin: fetches the thread and appends it in WordPress's own markup.
COMMENTS_JS = """<script>
fetch('COMMENTS_PATH').then(function (r) { return r.json(); }).then(function (items) {
  var list = document.querySelector('ol.comment-list, ol.commentlist');
  if (!list) { return; }
  items.forEach(function (c) {
    var li = document.createElement('li');
    li.className = 'comment even depth-1';
    li.id = 'li-comment-' + c.id;
    li.innerHTML = '<article id="div-comment-' + c.id + '" class="comment-body">' +
      '<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">' + c.author +
      '</b> <span class="says">says:</span></div><div class="comment-metadata"><a href="#comment-' +
      c.id + '"><time datetime="' + c.datetime + '">' + c.date + '</time></a></div></footer>' +
      '<div class="comment-content"><p>' + c.text + '</p></div></article>';
    list.appendChild(li);
  });
});
</script>""".replace("COMMENTS_PATH", COMMENTS_PATH)

LAZY_COMMENT = {
    "id": 2207, "author": "Rachel T.", "datetime": "2011-06-02T08:41:00+00:00",
    "date": "June 2, 2011 at 8:41 am",
    "text": "I was on Lovenox injections through my whole pregnancy after two losses. "
            "Our daughter is six months old now. Ask your doctor about testing for APS.",
}


def scripted_page() -> bytes:
    """Version 0 of the example page (no promo in its HTML) with the two plugins' scripts."""
    html = render(0).decode("utf-8")
    scripts = f'<script src="{PROMO_SCRIPT_PATH}"></script>\n{COMMENTS_JS}\n'
    at = html.rindex("</body>")
    return (html[:at] + scripts + html[at:]).encode("utf-8")


def comments_json(load: int) -> bytes:
    """The script-loaded comments after the page's ``load``-th GET (0 first): one new comment
    appears from the second load on."""
    return json.dumps([LAZY_COMMENT] if load >= 1 else []).encode("utf-8")
