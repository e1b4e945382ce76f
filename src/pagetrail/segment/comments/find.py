"""The comment steps in order: forms, markup candidates (folded), else a forum thread, else a
region's repeated children; then threading and fields; JSON-LD when nothing else; and what to
take out of the page before the article is extracted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.candidates import candidates, fold, in_order, prune_sparse
from pagetrail.segment.comments.fields import trailer_after
from pagetrail.segment.comments.forms import form_nodes, is_form_text
from pagetrail.segment.comments.forums import thread
from pagetrail.segment.comments.guard import article_guard
from pagetrail.segment.comments.regions import (
    is_widget,
    looks_like_comment,
    named_regions,
    pair_runs,
    region_of,
    repeated_groups,
)
from pagetrail.segment.comments.threads import class_depth, nesting, read_all
from pagetrail.segment.model import Comment
from pagetrail.segment.textutil import PageAttributes, text_of


@dataclass
class Found:
    """The comments of a page and the elements to remove before article extraction."""

    comments: list[Comment] = field(default_factory=list)
    region: etree._Element | None = None
    remove: list[etree._Element] = field(default_factory=list)
    items: list[etree._Element] = field(default_factory=list)
    first_post: etree._Element | None = None  # forum threads: the opening post is the article


def _outside(els: list[etree._Element], forms: set) -> list[etree._Element]:
    return [c for c in els if c not in forms and not any(a in forms for a in c.iterancestors())]


def _unmarked(regions: Callable[[bool], list[etree._Element]], forms: set,
              attributes: PageAttributes) -> list[etree._Element]:
    """Comments of regions without comment markup: the repeated, dated children of a region
    (or of the parent of sibling regions, one region per comment). ``regions(fresh)`` gives the
    regions, looked up again when ``fresh`` (the tree changed)."""
    wrapped = False
    # A parent pair_runs left alone gives the same answer again (only its own call changes
    # its children), and sibling or nested regions share parents: R756 asked 185 times about
    # 33 parents.
    unpaired: set[etree._Element] = set()
    for reg in regions(False):
        for parent in [reg.getparent(), *reg.iter("dl", "div", "ol", "ul")]:
            if parent is not None and parent not in unpaired and len(parent) >= P.PAIR_MIN_CHILDREN:
                if pair_runs(parent):
                    wrapped = True
                else:
                    unpaired.add(parent)
    if wrapped:
        attributes.changed()
    named = [r for r in regions(wrapped) if not is_widget(r)]  # removed from the article, never searched
    parents = [x.getparent() for x in named]
    shared = [p for p in dict.fromkeys(parents) if p is not None and parents.count(p) > 1]
    for reg in [r for r in in_order(named + shared) if r.tag not in ("body", "html")]:
        rejected: list[etree._Element] = []
        tried = inside = 0
        for group in repeated_groups(reg):
            # After the first, only a group inside a rejected one: the list in its wrapper.
            in_wrapper = bool(rejected) and any(r in rejected for r in group[0].iterancestors())
            if rejected and not in_wrapper:
                continue
            if tried >= P.REPEATED_MAX_GROUPS and not (in_wrapper and inside < P.REPEATED_MAX_INSIDE_WRAPPER):
                break
            tried += 1
            inside += in_wrapper and tried > P.REPEATED_MAX_GROUPS
            rep = [c for c in _outside(group, forms) if not is_form_text(text_of(c))]
            if len(rep) >= P.REPEATED_MIN_ITEMS and sum(map(looks_like_comment, rep)) * 2 > len(rep):
                return rep
            rejected += group
    return []


def _records(items: list[etree._Element]) -> list[tuple[etree._Element, Comment]]:
    """The comments of the comment elements, in document order, with parents and depths."""
    depth = nesting(items)
    read = read_all(items, depth)
    rows = []
    for el in items:
        rec = read[el]
        # The length first: most comments are longer, and FORM_RE costs ~13 us a text.
        if not rec["text"] or len(rec["text"]) < P.FORM_COMMENT_MAX_CHARS and is_form_text(rec["text"]):
            continue
        if P.NOT_COMMENT_TEXT.match(rec["text"]):
            continue
        rows.append((el, rec, *depth[el], class_depth(el)))
    if len(rows) == 1 and len(rows[0][1]["text"].split()) < P.LONE_COMMENT_MIN_WORDS and not rows[0][1]["author"]:
        return []  # one "comment" of a word or two and no author: a label, not a comment
    # Flat markup with depth-N classes only: the parent is the last comment one level up.
    last_at: dict[int, str | None] = {}
    out = []
    for i, (el, rec, parent, level, by_class) in enumerate(rows):
        if parent is None and by_class:
            parent, level = last_at.get(by_class - 1), by_class
        last_at[level] = rec["id"]
        out.append((el, Comment(id=rec["id"], author=rec["author"], date=rec["date"], text=rec["text"],
                                parent=parent, permalink=rec["permalink"], depth=level, position=i)))
    return out


def find_comments(root: etree._Element, protect: etree._Element | None = None,
                  region_hint: list[etree._Element] | None = None,
                  jsonld: list[Comment] | None = None, attributes: PageAttributes | None = None) -> Found:
    """Find the comments below ``root`` (or only inside ``region_hint``, a site rule's matches).
    ``protect`` is the article container: the comment region never swallows it. ``attributes``
    is the page's attribute index when the caller shares one with other steps; it is told when
    the tree changes here."""
    attributes = attributes if attributes is not None else PageAttributes(root)
    # A site rule's matches are searched each on its own (an index of that subtree only), so
    # nothing outside them is ever a comment.
    scopes = [PageAttributes(el) for el in region_hint] if region_hint else [attributes]
    cache: list[list[etree._Element]] = []
    # The article's own markup and headline: never inside what the heuristics take (a site
    # rule's matches are the user's word and are not second-guessed).
    guarded = set() if region_hint else article_guard(root, attributes)

    def regions(fresh: bool = False) -> list[etree._Element]:
        if region_hint:
            return region_hint
        if fresh or not cache:
            cache[:] = [named_regions(attributes, protect, guarded)]
        return cache[0]

    forms = in_order([f for s in scopes for f in form_nodes(s, protect)])
    formset = set(forms)
    cands = _outside(in_order([c for s in scopes for c in candidates(s, protect)]), formset)
    if region_hint:
        attributes.changed()  # the matches' comment runs may have been wrapped behind its back
    if protect is not None:
        # The article itself can carry comment-ish markup (e.g. "post" ids): never a comment.
        # One set of what holds the article instead of a walk up from it per candidate.
        holding = {protect, *protect.iterancestors()}
        cands = [c for c in cands if c not in holding]
    cands = [c for c in cands if c not in guarded]
    items = prune_sparse(fold(cands))
    found = Found()
    if len(items) < 2 and not region_hint:
        posts = thread(attributes, protect)
        if posts:
            found.first_post, items = posts[0], posts[1:]
    if not items:
        items = [el for el in _unmarked(regions, formset, attributes) if el not in guarded]
    if not items and region_hint:
        # Matches without comment markup or repeated parts inside: each match is a comment.
        items = [el for el in region_hint if el not in formset and not is_form_text(text_of(el))]
    records = _records(items)
    found.comments = [c for _el, c in records]
    found.items = [el for el, _c in records]
    if records:
        found.region = region_of(found.items, protect, region_hint, guarded)
    elif not region_hint and jsonld:
        found.comments = jsonld
    # Remove: the region, plus any named comment region and comment form elsewhere (form text
    # such as "Leave a Reply" must not leak into the article either).
    remove = [found.region] if found.region is not None else []
    if found.region is not None and (found.region in guarded or protect is not None and (
            found.region is protect or any(a is found.region for a in protect.iterancestors()))):
        # Comments and article share a container (Movable Type and others): take the comments
        # out one by one, never the container.
        found.region = None
        remove = list(found.items)
        # ... with the "Posted by" lines printed after them, which are theirs (Movable Type).
        remove += [t for t in map(trailer_after, found.items) if t is not None]
    found.remove = remove + regions() + [f for f in forms if f not in guarded]
    return found
