"""Step 5: reader comments, found without per-site configuration (or inside a site rule's
matches). One module per step, applied in this order by ``find.py``:

- ``forms``: comment forms ("Leave a Reply") first: never a comment, never article text;
- ``candidates``: comment elements by their markup, folded and pruned to one region;
- ``forums``: else a forum thread (the opening post is the article);
- ``regions``: else a comment region's repeated, dated children;
- ``threads`` and ``fields``: parent, depth, author, date, text, id, permalink of each;
- ``jsonld``: schema.org JSON-LD comments when the page has no comment markup.

What they know about sites is data in ``patterns.py``; ``tokens.py`` turns its token lists into
matchers and cheap pre-tests."""

from pagetrail.segment.comments.fields import read_comment
from pagetrail.segment.comments.find import Found, find_comments
from pagetrail.segment.comments.jsonld import jsonld_comments

__all__ = ["Found", "find_comments", "jsonld_comments", "read_comment"]
