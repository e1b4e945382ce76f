"""Step 6: the article body on the tree that is left once ads and comments are gone. trafilatura
finds the main text (comments off: they are already out) and its XML-ish body is mapped to ordered
Blocks. Title, byline and date come from the page's metadata (metadata.py)."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment import trafilatura_run
from pagetrail.segment.metadata import Metadata
from pagetrail.segment.model import Article, Block, normalise_text
from pagetrail.segment.patterns_article import (
    PRE_CLEAN_KEEPS,
    PRE_CLEANED_TAGS,
    PRE_CLEANED_TOKEN_TAGS,
    PRE_CLEANED_TOKENS,
    PRE_STRIPPED_TAGS,
)
from pagetrail.segment.textutil import PageAttributes, any_of, remove, text_of

#: trafilatura output element -> Block kind.
KINDS = {"p": "paragraph", "head": "heading", "item": "list-item", "quote": "quote",
         "cell": "table-cell", "code": "code", "figcaption": "caption"}
#: Elements whose children are blocks of their own.
CONTAINERS = ("list", "table", "row", "div", "body", "doc", "main")

_SOURCE_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd")


def _level(el: etree._Element) -> int:
    rend = el.get("rend") or ""
    if rend[:1] == "h" and rend[1:].isdigit():
        return int(rend[1:])
    return 2


def _words(text: str | None) -> str:
    # split/join: normalise_text's result (str.split and re's \s agree on white space), without
    # a regex pass; Block normalises again anyway
    return " ".join(text.split()) if text else ""


def body_blocks(body: etree._Element) -> list[Block]:
    """Map trafilatura's output body to Blocks in reading order. Text that sits loose in a
    container (a byline line between the heading and the first paragraph, text after a list)
    is a paragraph of its own: trafilatura kept it as article text."""
    blocks: list[Block] = []
    for lb in body.iter("lb"):
        lb.tail = " " + (lb.tail or "")  # a line break separates words
    # items: an element and its list depth, or loose text (a container's text, a child's tail)
    stack: list[tuple[etree._Element | str, int]] = [(body, 0)]
    while stack:
        el, depth = stack.pop()
        if isinstance(el, str):
            text = _words(el)
            if text:
                blocks.append(Block("paragraph", text))
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in CONTAINERS or (tag == "quote" and len(el) and all(c.tag == "p" for c in el)):
            inner = depth + 1 if tag == "list" else depth
            if tag == "quote":
                for c in reversed(el):
                    c.tag = "quote"
            for c in reversed(el):
                stack.append((c.tail or "", depth))
                stack.append((c, inner))
            stack.append((el.text or "", depth))
            continue
        if tag == "item" and el.find("list") is not None:
            own = [el.text or ""]
            for c in el:
                own.append(c.tail or "" if c.tag == "list" else "".join(c.itertext()) + (c.tail or ""))
            text = _words(" ".join(own))
            if text:
                blocks.append(Block("list-item", text, level=depth))
            stack.extend((c, depth) for c in reversed(el) if c.tag == "list")
            continue
        text = _words("".join(el.itertext()))
        if not text:
            continue
        kind = KINDS.get(tag, "paragraph")
        level = _level(el) if kind == "heading" else (depth if kind == "list-item" else 0)
        blocks.append(Block(kind, text, level=level))
    return blocks


def own_blocks(container: etree._Element) -> list[Block]:
    """Blocks straight from the page's markup, for selectors from site rules and as the fallback
    when trafilatura finds nothing."""
    blocks = []
    for el in container.iter(*_SOURCE_BLOCKS, "div"):
        if any(a.tag in _SOURCE_BLOCKS for a in el.iterancestors()):
            continue
        if el.tag == "div" and any(x is not el for x in el.iter(*_SOURCE_BLOCKS, "div")):
            continue  # only leaf divs: text of divs with blocks inside comes from those blocks
        text = text_of(el)
        if not text:
            continue
        if el.tag[0] == "h" and el.tag[1:].isdigit():
            blocks.append(Block("heading", text, level=int(el.tag[1:])))
        elif el.tag == "li":
            blocks.append(Block("list-item", text, level=1))
        elif el.tag == "blockquote":
            blocks.append(Block("quote", text))
        elif el.tag == "pre":
            blocks.append(Block("code", text))
        elif el.tag in ("td", "th"):
            blocks.append(Block("table-cell", text))
        else:
            blocks.append(Block("paragraph", text))
    if not blocks:
        text = text_of(container)
        if text:
            blocks.append(Block("paragraph", text))
    return blocks


def _lowercase(words: tuple[str, ...]) -> tuple[str, ...]:
    if any(w != w.lower() for w in words):
        raise ValueError("pre-cleaning words are matched in lowercased values, so must be "
                         f"lowercase: {words!r}")
    return words


_NAMED_CHROME = any_of(_lowercase(PRE_CLEANED_TOKENS))


def _named_chrome(value: str) -> bool:
    return _NAMED_CHROME.search(value.lower()) is not None


def _below(el: etree._Element, root: etree._Element) -> bool:
    """Whether ``el`` is still in ``root``'s tree (the attribute index keeps what was taken out)."""
    return any(a is root for a in el.iterancestors())


def pre_clean(root: etree._Element, article: etree._Element | None = None,
              attributes: PageAttributes | None = None) -> int:
    """Take the page's head and chrome (PRE_CLEANED_TAGS, and the blocks PRE_CLEANED_TOKENS name)
    out of ``root`` before trafilatura runs; never an element holding ``article`` (the article
    container), and the named blocks only when there is one. ``attributes``: the page's
    attribute index, if one was built (the elements it lists that are no longer in the tree are
    passed over). Returns how many went."""
    holding = set(article.iterancestors()) if article is not None else set()
    done = 0
    head = root.find("head")
    if head is not None:
        root.remove(head)
        done += 1
    # Void elements without text that trafilatura strips before reading the page (tails kept, as
    # its own stripping keeps them): one C-level pass here spares copying and searching them
    # in each of its copies of the tree.
    etree.strip_elements(root, *PRE_STRIPPED_TAGS, with_tail=False)
    for el in list(root.iter(*PRE_CLEANED_TAGS)):
        if el.getparent() is None or el in holding or el is article:
            continue
        if el.tag == "header" and any(a.tag == "article" for a in el.iterancestors()):
            continue
        if next(el.iterdescendants(*PRE_CLEAN_KEEPS), None) is not None:
            continue
        remove(el)
        done += 1
    if article is None or article.tag in ("body", "html"):
        # Names alone are not enough: a layout wrapper ("content has-sidebar") may hold the
        # article, and only a known container tells the two apart.
        return done
    gone: set[etree._Element] = set()
    named = (attributes or PageAttributes(root)).elements({"class": _named_chrome, "id": _named_chrome})
    for el in named:  # document order: a sidebar before the ones inside it
        if el.tag not in PRE_CLEANED_TOKEN_TAGS or el in holding or el is article or not _below(el, root):
            continue
        if any(a in gone for a in el.iterancestors()):
            continue
        if next(el.iterdescendants(*PRE_CLEAN_KEEPS), None) is not None:
            continue
        remove(el)
        gone.add(el)
        done += 1
    return done


def extract_blocks(root: etree._Element, url: str, article: etree._Element | None = None,
                   attributes: PageAttributes | None = None) -> list[Block]:
    """The article blocks trafilatura finds below ``root`` (pre-cleaned first; ``article`` is
    the article container, which the pre-cleaning keeps)."""
    pre_clean(root, article, attributes)
    body, text = trafilatura_run.extract(root, url)
    if body is not None and len(body):
        blocks = body_blocks(body)
        if blocks:
            return blocks
    if text:
        return [Block("paragraph", line) for line in text.splitlines() if line.strip()]
    return []


def extract_article(root: etree._Element, url: str, meta: Metadata,
                    picked: list[etree._Element] | None = None,
                    fallback: etree._Element | None = None,
                    attributes: PageAttributes | None = None) -> Article:
    """The article below ``root``; ``picked`` are containers chosen by site rules; ``fallback``
    is read block by block when trafilatura finds nothing (tiny or odd pages); ``attributes``:
    the page's attribute index, if one was built."""
    if picked:
        blocks = [b for el in picked for b in own_blocks(el)]
    else:
        blocks = extract_blocks(root, url, fallback, attributes)
        if not blocks and fallback is not None:
            blocks = own_blocks(fallback)
    # A title heading trafilatura keeps in the body stays a block: it is article text, and
    # dropping it loses recall wherever a page's text starts with its headline.
    title = meta.title or ""
    return Article(title=normalise_text(title), byline=meta.byline, date=meta.date, blocks=blocks)
