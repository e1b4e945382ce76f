"""What the comment steps know about sites, as data: tune here for a new family of sites; the
steps (candidates, forums, regions, forms, fields, threads, JSON-LD) apply these and name no site.

Class and id tokens are plain lower-case words, matched whole between word edges (start, end,
white space, ``-`` or ``_``) and in any case; ``*_PATTERNS`` entries are regular expressions
matched the same way. Every compiled pattern and every cheap pre-test below is built from these
lists by ``tokens.py``, so a token added here is found everywhere without other edits."""

from __future__ import annotations

import re

from pagetrail.segment.comments.tokens import Screened, Tokens, screen_of

# ---------------------------------------------------------------- regions (all comments)
#: Prefixes of class words that carry a taxonomy term of the post, written by editors, not by the
#: theme: WordPress's post_class/body_class (``category-for-discussion``, ``tag-replies``,
#: ``post_tag-…``, ``format-…``), Drupal's ``taxonomy-term-…``. Their words are never
#: read as a comment region.
LABEL_PREFIXES = ("category-", "tag-", "post_tag-", "post-tag-", "format-", "post-format-", "taxonomy-term-")
#: class/id tokens of the container of a page's comments, in the languages we have met.
REGION = Tokens(
    words=(
        "comment", "comments", "commentlist", "comment-list", "commentslist", "comment-area",
        "comments-area", "comment-section", "comments-section", "comment-thread", "comment-threads",
        "comments-content", "comments-container", "comments-wrapper", "comment-wrap", "commentblock",
        "comments-block", "responses", "replies", "discussion", "talkback", "reader-comments",
        "user-comments", "usercomments", "disqus", "disqus_thread", "dsq-content", "reactions",
        # other languages: es/pt, de, fr, nl, it, pl, da/no/sv, fi, cs/sk, ru (translit.), tr, id
        "comentarios", "comentario", "comentários", "kommentare", "kommentar", "commentaires",
        "reacties", "reactie", "commenti", "commento", "komentarze", "komentarz", "kommentarer",
        "kommentarer-list", "kommentit", "komentare", "komentáře", "kommentarii", "yorumlar",
        "komentar",
    ),
    label_prefixes=LABEL_PREFIXES,
)
#: The article's own markup (guard.py): no comment region or comment item may hold an element
#: with one of these whole class words (hAtom's post, WordPress's post_class), a schema.org type of
#: these (microdata itemtype, RDFa typeof; substrings), or the page's headline: an <h1> of at
#: least HEADLINE_MIN_CHARS whose text is in the page's <title> or one of TITLE_META.
ARTICLE_CLASS = Tokens(words=("hentry", "type-post", "type-page", "type-article"), edges=r"\s")
ARTICLE_SCHEMA_TYPES = ("Article", "BlogPosting")
TITLE_META = frozenset(("og:title", "twitter:title"))
HEADLINE_MIN_CHARS = 12
#: Element kinds that can be a comment region.
REGION_TAGS = frozenset(("div", "section", "ol", "ul", "aside", "dl", "table"))

# ---------------------------------------------------------------- one comment
#: The one "comment item" pattern: class tokens of an element that is one comment.
ITEM_CLASS = Tokens(
    words=(
        "comment", "comment-item", "single-comment", "dsq-comment", "commentlist-item", "comment_item",
        "media-comment", "commentpost", "comment-post", "comment_post", "commentitem", "single_comment",
        "comentario", "kommentar", "commentaire", "reactie", "commento", "komentarz",
    ),
    patterns=((r"depth-\d+", "depth-2"),),
    edges=r"\s",  # whole class names: "comment-body" is a part of a comment, not one
)
#: ids of one comment: ``comment-12``, ``li-comment-12``, ``div-comment-12``, ``comment_id_12``,
#: ``comment-item-12``,
#: hex ids (12+ digits), Blogger's ``c1234567``. The number is the comment's key.
ITEM_ID = re.compile(r"^(?:[a-z]{1,8}[-_])?comment[-_]?(?:(?:id|item|entry|no)[-_]?)?(\d+|[0-9a-f]{12,})$|^c(\d{4,})$", re.I)
#: Anchors (``<a name="comment-12">``, ``<dt id="c1234">``) that start a comment printed as a
#: run of siblings.
ANCHOR_ID = re.compile(r"^(?:comment[-_]?\d+|c\d{4,})$", re.I)
#: Attributes whose value is a comment's key, in order of trust.
KEY_ATTRIBUTES = ("data-comment-id", "data-commentid", "data-comment", "data-post-id", "data-id")
#: Attributes whose presence alone marks a comment element.
MARKUP_ATTRIBUTES = ("data-comment-id", "data-commentid")
#: schema.org types (microdata ``itemtype``, RDFa ``typeof``) of a comment, as substrings.
SCHEMA_TYPES = ("Comment",)
#: ``itemprop`` values of a comment inside a page's main item.
ITEMPROPS = ("comment", "comments")
#: Element kinds that can be one comment.
ITEM_TAGS = frozenset(("li", "div", "article", "section", "dd", "tr", "td", "blockquote", "table", "ul"))
#: Element kinds never taken as a comment even with a comment id.
NOT_ITEM_TAGS = frozenset(("a", "span", "textarea", "input", "form"))
#: Class tokens of list entries that are not reader comments.
NOT_ITEM_CLASS = Tokens(words=("pingback", "trackback"), edges=r"\s")
#: Containers of replies between a comment and its parent comment.
REPLY_CONTAINER = Tokens(words=("children", "replies", "reply", "indented", "comment-replies", "thread",
                                "sub-comments", "subcomments", "respuestas", "antworten", "reponses"))
#: WordPress-style ``depth-N`` classes on flat comment lists.
DEPTH_CLASS = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")

# ---------------------------------------------------------------- where comments are not
#: class/id tokens of widgets that list other pages' comments or discussions ("recent comments",
#: "most discussed"): neither they nor anything inside them is this page's comments.
WIDGET = Tokens(
    words=("recentcomments", "recent-comments", "recent_comments", "latest-comments", "latest_comments",
           "popular", "top-comments", "topcomments"),
    patterns=((r"widget[-_]recent\w*", "widget_recent_entries"),
              (r"most[-_]?(?:read|recommended|recommendations|commented|popular|active|discussed|viewed)",
               "most-commented"),
              (r"top[-_]?discussions?", "top-discussions")),
)
#: class/id tokens of page layout that never holds the page's comments (a "sidebar" that holds
#: the article itself is a layout class, not a sidebar).
LAYOUT = Tokens(words=("sidebar", "navbar", "nav", "menu"))
#: Element kinds that never hold the page's own comments.
EXCLUDED_TAGS = frozenset(("aside", "nav", "header"))

# ---------------------------------------------------------------- forum threads
#: ids of forum posts (``p123``, ``post_123``, ``msg123``).
FORUM_ID = re.compile(r"^(?:p|post|post_|post-|postid-?|msg|message-?)(\d+)$", re.I)
#: class tokens of a forum post.
FORUM_CLASS = Tokens(words=("post", "postcontainer", "postbit", "topic-post", "forum-post", "post-row",
                            "postbitlegacy", "message", "reply", "forumpost"), edges=r"\s")
FORUM_TAGS = ("div", "li", "article", "table", "tr")
#: A thread needs at least this many posts (the first is the article).
FORUM_MIN_POSTS = 2

# ---------------------------------------------------------------- regions without markup
#: Zebra-striping classes (alternate rows look different, they are the same kind of item):
#: left out when siblings are compared.
ZEBRA_CLASSES = frozenset(("odd", "even", "alt", "alternate", "thread-odd", "thread-even", "thread-alt",
                           "row-odd", "row-even", "odd-row", "even-row", "first", "last"))
#: Children of these kinds are never one comment of a repeated group.
NOT_REPEATED_TAGS = frozenset(("script", "style", "br", "a", "span", "img", "input", "option"))
#: A repeated group needs this many members with at least REPEATED_MIN_WORDS words each.
REPEATED_MIN_ITEMS = 2
REPEATED_MIN_WORDS = 3
#: Groups tried per region, the one with the most text first, until one looks like comments
#: (after the first, only groups inside a rejected one: a list inside its wrapper). Measured on
#: the Dragnet dev pages, 3 finds two more comment lists and six comment lists the labels say are
#: not there: 1 keeps the page-level detection as it was.
REPEATED_MAX_GROUPS = 1
#: ... but when that group is rejected because it is a list's wrapper beside a line ("Showing 100
#: of 107 comments" and the list's container), this many groups inside its members are tried too.
REPEATED_MAX_INSIDE_WRAPPER = 1
#: Comments printed as alternating siblings (a body, then a "posted by" line) are paired when a
#: parent has at least PAIR_MIN_CHILDREN children (not of NOT_PAIR_TAGS) and pairs cover
#: PAIR_MIN_SHARE of them.
PAIR_MIN_CHILDREN = 4
PAIR_MIN_SHARE = 0.6
NOT_PAIR_TAGS = frozenset(("a", "br", "script", "hr"))
#: Signs that a repeated child is a comment and not a teaser or a link: class substrings of a
#: date, metadata or byline part, a printed date or time of day, "NAME says:"/"posted by NAME"
#: in its text, or a link to a comment's permalink (patterns.PERMALINK).
DATED_CLASS = ("date", "time", "posted", "meta", "byline", "author", "commenter", "poster")
COMMENT_SIGN_TEXT = re.compile(r"\b(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\b|uhr\b|h\b)|posted by|(?:says|said|wrote|writes)\s*[:,])", re.I)
#: Characters of a comment's text searched for a printed date.
DATE_SEARCH_CHARS = 400

# ---------------------------------------------------------------- forms and form text
#: ids of comment form parts.
FORM_IDS = frozenset(("respond", "reply-title", "commentform"))
#: class tokens (substrings) of comment form parts.
FORM_CLASS = Tokens(words=("comment-respond", "comment-form", "comment-reply-title", "comments-closed",
                           "no-comments", "nocomments"), edges="")
#: Words in a <form>'s id, class or action that make it a comment form (with no <textarea>).
FORM_ACTION_WORDS = ("comment", "reply")
#: A "comment form" bigger than this many characters of text is a page-wide form (ASP.NET
#: wraps whole pages in one <form>), not a comment form.
FORM_MAX_CHARS = 3000
#: Comment-form and heading text that is not a comment (lower-case substrings).
FORM_TEXT = (
    "leave a reply", "leave a comment", "post a comment", "add new comment", "add a comment",
    "write a comment", "your email address will not be published", "required fields are marked",
    "you must be logged in", "log in to reply", "sign in to comment", "notify me of",
    "comments are closed", "no comments", "be the first to comment", "cancel reply",
    "powered by disqus", "comments powered by", "comment policy", "name (required)",
    "mail (will not be published)", "subscribe to comments", "characters remaining",
)
FORM_RE = re.compile(
    r"\b(?:leave|post|add|write|submit|share|join|start)\s+(?:a|your|new|the)?\s*"
    r"(?:comment|reply|response|thoughts?|discussion)s?\b"
    r"|\b(?:sign|log)\s*(?:in|up)\s+(?:to|and)\s+(?:add\s+|post\s+|leave\s+)?(?:a\s+)?(?:comment|reply)"
    r"|^\s*\d*\s*comments?\s*:?\s*$|^discuss this\b"
    r"|\b(?:view|show|see|read|load|hide|close)\s+(?:all\s+|more\s+|the\s+|older\s+|newer\s+)?(?:\d+\s+)?comments?\b"
)
#: Form text is short: a block longer than this is never form text.
FORM_TEXT_MAX_CHARS = 400
#: A comment whose text is form text and shorter than this is dropped.
FORM_COMMENT_MAX_CHARS = 120
#: Comment-list entries that are not reader comments (WordPress pingbacks, reblogs).
NOT_COMMENT_TEXT = re.compile(r"^\s*(?:posted|written|submitted)\s+by\s*:?\W*$|^\s*(?:pingback|trackback)\s*:"
                              r"|^.{0,60}?\breblogged this on\b", re.I)
#: One "comment" of fewer words than this, and no author, is a label, not a comment.
LONE_COMMENT_MIN_WORDS = 3

# ---------------------------------------------------------------- fields of one comment
#: Parts of a comment that are chrome, left out of its text: class substrings, whole class
#: tokens, itemprops.
CHROME_CLASS = Tokens(
    words=("comment-reply", "reply-link", "comment-edit", "edit-link", "comment-actions", "comment-footer",
           "comment-meta", "commentmetadata", "comment-author", "vcard", "says", "comment-links",
           "comment-date", "avatar", "like", "vote", "report", "share"),
    edges="",
)
CHROME_CLASS_WORDS = frozenset(("reply", "author"))
CHROME_ITEMPROPS = frozenset(("author", "dateCreated", "datePublished"))
#: Author of a comment, tried in order (relative to the comment).
AUTHOR_XPATH = (
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    ".//*[contains(@class, 'comment-author')]//*[contains(concat(' ', @class, ' '), ' fn ')]",
    ".//cite[contains(concat(' ', @class, ' '), ' fn ')]",
    ".//*[contains(concat(' ', @class, ' '), ' fn ')]",
    ".//*[contains(@class, 'comment-author')]",
    ".//*[contains(@class, 'user')]//a",
    ".//*[contains(concat(' ', @class, ' '), ' user ')]",
    ".//*[contains(@class, 'username') or contains(@class, 'user-name')]",
    ".//*[contains(@class, 'author')]",
    ".//*[contains(@class, 'commenter') or contains(@class, 'poster') or contains(@class, 'byline')]",
    ".//*[contains(@class, 'name')]",
    ".//cite",
    ".//strong[1]",
    ".//b[1]",
)
#: An author longer than this is not a name.
AUTHOR_MAX_CHARS = 80
#: "NAME says:" and "by NAME": the words around an author's name.
SAYS = re.compile(r"\s*(?:says|said|wrote|writes)\s*(?::|\.\.\.|\u2026)?\s*$", re.I)
LEADING_SAYS = re.compile(r"^(?:says|said|wrote|writes)\s*(?:\.\.\.|:|\u2026)?\s*", re.I)
AUTHOR_PREFIX = re.compile(r"^(?:by|posted by|from)\s+", re.I)
#: Date of a comment: elements with a machine-readable date first, then printed dates. The first
#: DATE_MACHINE_XPATHS of them are metadata, left out of the comment's text.
DATE_XPATH = (
    ".//time[@datetime]",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime']",
    ".//*[contains(@class, 'comment-metadata') or contains(@class, 'commentmetadata')]//a",
    ".//*[contains(@class, 'comment-metadata') or contains(@class, 'commentmetadata')]",
    ".//*[contains(@class, 'datetime') or contains(@class, 'date') or contains(@class, 'time') or "
    "contains(@class, 'posted') or contains(@class, 'timestamp')]",
    ".//time",
    ".//abbr[@title]",
)
DATE_MACHINE_XPATHS = 2
#: Attributes of a date element that may hold the date, in order.
DATE_ATTRIBUTES = ("datetime", "content", "title")
PRINTED_DATE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}|"
    r"\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago)",
    re.I,
)
#: "at 2:29 pm" after a printed date belongs to it.
DATE_TIME_TAIL = re.compile(r"\s*(?:at|@|,)?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?", re.I)
#: A short text with a digit in a date element is the date as printed.
DATE_MAX_CHARS = 60
#: Characters at the start of a comment searched for a printed date when no element has one.
DATE_HEAD_CHARS = 300
#: Text of a comment, tried in order; when none matches, the comment's own text minus chrome.
TEXT_XPATH = (
    ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='description' or @itemprop='reviewBody']",
    ".//*[contains(@class, 'comment-content') or contains(@class, 'comment-text') or "
    "contains(@class, 'comment_text') or contains(@class, 'commentcontent') or "
    "contains(@class, 'commenttext') or contains(@class, 'comment-entry') or "
    "contains(@class, 'comment-body-text') or contains(@class, 'field--name-comment-body') or "
    "contains(@class, 'field-name-comment-body') or contains(@class, 'comment-message') or "
    "contains(@class, 'post-message') or contains(@class, 'message-body') or "
    "contains(@class, 'postbody') or contains(@class, 'post-body') or contains(@class, 'post_body') or "
    "contains(@class, 'cooked') or contains(@class, 'bbcode') or contains(@class, 'post-text')]",
    ".//*[contains(@class, 'comment-body') or contains(@class, 'comment_body') or "
    "contains(@class, 'commentbody') or contains(@class, 'comment-copy')]",
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' content ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' text ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' message ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
)
#: An author line this long (in words) holds more than the name: the inner link or bold part is it.
AUTHOR_LINE_MAX_WORDS = 4
#: Movable Type and others print "Posted by: NAME at DATE" just after the comment, in an element
#: with one of these class substrings.
TRAILER_CLASS = Tokens(words=("posted", "comment-footer", "comment-meta", "byline", "commentmetadata",
                              "comment-info", "comment-author"), edges="")
#: A comment's title or subject line (class tokens), part of its text when outside its body
#: and at most COMMENT_TITLE_MAX_CHARS long.
COMMENT_TITLE = Tokens(words=("title", "subject", "comment-title", "comment-subject"))
COMMENT_TITLE_MAX_CHARS = 150
TRAILER_AUTHOR = re.compile(r"(?:by:?|from:?)\s+(.{1,60}?)\s+(?:at|on|\||\u2022|-)\s", re.I)
#: ids like ``li-comment-12`` whose comment id is the ``comment-12`` part.
WRAPPED_ID = re.compile(r"^(?:li|div)-(comment-\d+)$")
#: Links that are a comment's permalink.
PERMALINK = re.compile(r"#comment|[#?&](?:c|cid|p|post|comment)[=_-]?\d+")

#: The tags the comment steps find by walking the page (the headline guard, comment forms):
#: the pipeline's shared walk includes them (PageAttributes.tagged).
WALKED_TAGS = ("h1", "form", "textarea")

# ---------------------------------------------------------------- derived
#: The token lists tested on every class value of a page (regions, candidates, guard, forms):
#: their literals screen each value once for all four (their four pre-tests 0.17 -> 0.08 s on
#: the comments set).
_CLASS_SCREEN = screen_of(REGION, ITEM_CLASS, ARTICLE_CLASS, FORM_CLASS)
REGION_BY_CLASS = Screened(REGION, _CLASS_SCREEN)
ITEM_BY_CLASS = Screened(ITEM_CLASS, _CLASS_SCREEN)
ARTICLE_BY_CLASS = Screened(ARTICLE_CLASS, _CLASS_SCREEN)
FORM_BY_CLASS = Screened(FORM_CLASS, _CLASS_SCREEN)
