"""Comments given as schema.org JSON-LD (``Comment`` objects, nested through ``comment``), used
when the page has no comment markup at all."""

from __future__ import annotations

import json

from pagetrail.segment.model import Comment
from pagetrail.segment.textutil import PageAttributes


def jsonld_comments(attributes: PageAttributes) -> list[Comment]:
    """The page's JSON-LD comments. ``attributes``: the page's attribute index (its ``type``
    values name the JSON-LD scripts: walking every <script> of the page cost ~10 times more)."""
    out: list[Comment] = []

    def walk(obj: object, parent: str | None, depth: int) -> None:
        if isinstance(obj, list):
            for x in obj:
                walk(x, parent, depth)
            return
        if not isinstance(obj, dict):
            return
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "Comment" in kinds:
            author = obj.get("author")
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, list):
                author = ", ".join(str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in author)
            cid = obj.get("@id") or obj.get("identifier") or obj.get("url")
            text = obj.get("text") or obj.get("description") or ""
            if isinstance(text, str) and text.strip():
                out.append(Comment(id=str(cid) if cid else None, author=str(author) if author else None,
                                   date=obj.get("dateCreated") or obj.get("datePublished"), text=text,
                                   parent=parent, permalink=obj.get("url"), depth=depth, position=len(out)))
            for key in ("comment", "comments"):
                if key in obj:
                    walk(obj[key], str(cid) if cid else None, depth + 1)
            return
        for key, value in obj.items():
            if key in ("comment", "comments", "@graph", "mainEntity", "hasPart"):
                walk(value, None, 0)

    scripts = [el for _i, el, kind in attributes.named("type") if "ld+json" in kind and el.tag == "script"]
    for script in scripts:
        try:
            walk(json.loads(script.text or ""), None, 0)
        except (ValueError, RecursionError):
            continue
    return out
