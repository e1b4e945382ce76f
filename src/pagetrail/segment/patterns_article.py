"""Tunable data of the article step (article.py, content.py, trafilatura_run.py)."""

from __future__ import annotations

#: Keyword options of ``trafilatura.bare_extraction`` for the article body. Comments off: the
#: comment step has taken them out already. Metadata off: metadata.py reads title, byline and
#: date itself. Tables on: their cells are article text. "txt": we read the XML body, so the
#: Python-format text rendering is not needed.
TRAFILATURA_OPTIONS: dict[str, object] = {
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "with_metadata": False,
    "output_format": "txt",
}

#: Chrome the article step takes out before trafilatura runs (trafilatura drops it anyway; taking
#: it out first gives it less to copy and walk): the page's <head> and these tags, unless one holds
#: the article container, an <article>, <main> or <h1>, or is a <header> inside an <article>.
#: Checked to leave article F1 unchanged on the development sets.
PRE_CLEANED_TAGS = ("nav", "aside", "footer", "header")
PRE_CLEAN_KEEPS = ("article", "main", "h1")
#: Words that name a <div> or <section> a sidebar or a block of related links, anywhere in its
#: class or id (any case): taken out too, with the same keeps, when the article container is
#: known (a layout wrapper may be named "has-sidebar"). trafilatura discards such elements
#: itself, but only inside the body it has picked, after copying the whole page and measuring its
#: text; out first, they are neither copied nor read (a quarter of the elements it was given on
#: the comments set). Judged by article F1: comments set 0.899 -> 0.903, articles set unchanged;
#: 21 of 1,117 pages changed (all by "sidebar"), none for the worse; "related" changes no page.
#: Not "widget" (page builders such as Elementor name the article's own blocks so: 38 pages
#: worse) nor "popular" (2 worse).
PRE_CLEANED_TOKENS = ("sidebar", "related")
PRE_CLEANED_TOKEN_TAGS = ("div", "section")
#: Void elements, never holding text, that trafilatura strips or deletes (keeping their tails)
#: before it reads the page with images off: taken out first (tails kept), they are not copied.
PRE_STRIPPED_TAGS = ("img", "input")

# ---------------------------------------------------------------- chrome and page regions
#: Tags that never hold article or comments (removed first).
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "object", "embed")
#: Chrome described in Snapshot.ignored: (tag, ARIA role or None, whether a tag inside an
#: <article> is the article's own and not chrome, description). Elements with the tag or the
#: role count, in document order.
CHROME = (
    ("nav", "navigation", False, "navigation"),
    ("header", "banner", True, "header"),
    ("footer", "contentinfo", True, "footer"),
    ("aside", "complementary", False, "sidebar"),
    ("form", None, False, "form"),
)
#: Class/id substrings that place an element (an ad's position) in the page header, footer or a
#: sidebar, when it is neither in the article nor in the comments.
HEADER_TOKENS = ("header", "masthead", "banner", "topbar", "top-bar", "leaderboard")
FOOTER_TOKENS = ("footer", "bottom", "colophon")
SIDEBAR_TOKENS = ("sidebar", "widget", "rail", "aside", "secondary")
#: Elements after the article (up to the comments) that are searched for injected promos, and
#: the tags among them that are chrome, not after-article content.
AFTER_ARTICLE_BLOCKS = 4
NOT_AFTER_ARTICLE_TAGS = ("aside", "nav", "footer", "form", "script")
#: The block a paid link sits in (a "Buy on Amazon" button is that whole block).
LINK_BLOCK_TAGS = frozenset(("p", "li", "div", "td", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                             "figure", "blockquote"))
#: Past this many seconds the optional heuristics (promo text, EasyList) are skipped with a warning.
TIME_BUDGET = 15.0

# ---------------------------------------------------------------- where the article sits (content.py)
#: Element kinds whose text counts as paragraph text, and the least text that counts.
PARA_TAGS = ("p", "pre", "blockquote", "h2", "h3", "li")
PARA_MIN_CHARS = 25
#: A paragraph scores 1 + chars/100 (list items chars/300), up to this many characters.
PARA_MAX_CHARS = 300
#: Class/id substrings of containers that are not the content (score x NOT_CONTENT_FACTOR) unless
#: they also say "content"; and of containers that are (score x CONTENT_FACTOR).
NOT_CONTENT_TOKENS = ("comment", "sidebar", "widget", "footer", "nav", "menu")
NOT_CONTENT_FACTOR = 0.2
CONTENT_TOKENS = ("article", "entry", "post-body", "story")
CONTENT_TAGS = ("article", "main")
CONTENT_FACTOR = 1.3
