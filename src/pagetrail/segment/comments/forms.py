"""Comment forms ("Leave a Reply", "Post a Comment", login prompts): found first and never a
comment, so a page with a form and no comments has no comments; their text never reaches the
article either."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.candidates import in_order
from pagetrail.segment.textutil import PageAttributes, attrs


def form_nodes(attributes: PageAttributes, protect: etree._Element | None) -> list[etree._Element]:
    """Comment forms and their parts in the subtree ``attributes`` indexes: <form>s with a
    <textarea> or a comment/reply action, elements with a comment form id or class, and any
    stray <textarea>. Never the article or a page-wide form."""
    out = []
    named = attributes.elements({"id": P.FORM_IDS.__contains__, "class": P.FORM_BY_CLASS})
    # One walk of the page for both tags (nothing below changes the tree): a second walk cost
    # form_nodes 0.111 -> 0.095 s on the comments set. The walk is the page's shared one
    # (PageAttributes.tagged), kept from the article guard's to the chrome's.
    forms: list[etree._Element] = []
    textareas: list[etree._Element] = []
    for el in attributes.tagged(("form", "textarea")):
        (forms if el.tag == "form" else textareas).append(el)
    for el in in_order(forms + named):
        if el.tag in ("html", "body"):
            continue
        if el.tag == "form":
            a = f"{attrs(el)} {el.get('action') or ''}".lower()
            if el.find(".//textarea") is None and not any(w in a for w in P.FORM_ACTION_WORDS):
                continue
        if protect is not None and (el is protect or any(a is el for a in protect.iterancestors())):
            continue
        if len(el.text_content()) > P.FORM_MAX_CHARS:
            continue
        out.append(el)
    for ta in textareas:
        if not any(ta is f or any(a is f for a in ta.iterancestors()) for f in out):
            out.append(ta)
    return out


def is_form_text(text: str) -> bool:
    """True for a comment form's or comment heading's text ("Leave a Reply", "3 comments")."""
    if len(text) >= P.FORM_TEXT_MAX_CHARS:
        return False  # before lower-casing it: most comments are longer
    low = text.lower()
    return any(f in low for f in P.FORM_TEXT) or P.FORM_RE.search(low) is not None
