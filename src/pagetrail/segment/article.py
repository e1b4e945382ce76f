"""Step 6: the article body on the tree that is left once ads and comments are gone. trafilatura
finds the main text (comments off: they are already out) and its XML-ish body is mapped to ordered
Blocks. Title, byline and date come from the page's metadata (metadata.py)."""

from __future__ import annotations

import functools
import logging

from lxml import etree

from pagetrail.segment import article_trim, trafilatura_run
from pagetrail.segment.metadata import Metadata
from pagetrail.segment.model import Article, Block, normalise_text
from pagetrail.segment.textutil import text_of

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

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


def body_blocks(body: etree._Element) -> list[Block]:
    """Map trafilatura's output body to Blocks in reading order."""
    blocks: list[Block] = []
    for lb in body.iter("lb"):
        lb.tail = " " + (lb.tail or "")  # a line break separates words
    stack: list[tuple[etree._Element, int]] = [(c, 0) for c in reversed(body)]
    while stack:
        el, depth = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in CONTAINERS or (tag == "quote" and len(el) and all(c.tag == "p" for c in el)):
            inner = depth + 1 if tag == "list" else depth
            if tag == "quote":
                for c in reversed(el):
                    c.tag = "quote"
            stack.extend((c, inner) for c in reversed(el))
            continue
        if tag == "item" and el.find("list") is not None:
            own = normalise_text((el.text or "") + " ".join((c.tail or "") for c in el))
            if own:
                blocks.append(Block("list-item", own, level=depth))
            stack.extend((c, depth) for c in reversed(el) if c.tag == "list")
            continue
        # split/join: normalise_text's result (str.split and re's \s agree on white space), without
        # a regex pass; Block normalises again anyway
        text = " ".join("".join(el.itertext()).split())
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


@functools.lru_cache(maxsize=1)
def _options():  # noqa: ANN202 - trafilatura.settings.Extractor
    """trafilatura's options, built once: making them reads its config on every call.
    fast=True skips trafilatura's second opinions (readability, jusText): same F1 on the
    development sets, a fifth less time. Metadata off: metadata.py reads it (htmldate's date
    search is slow). "txt" output: we read the XML body, so its text rendering is skipped.
    trafilatura copies the options before changing them (its recall retry), so one is shared."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="txt", fast=True, comments=False, tables=True, with_metadata=False)


def extract_blocks(root: etree._Element, url: str) -> list[Block]:
    """The article blocks trafilatura finds below ``root``, which it consumes."""
    article_trim.trim(root)  # what trafilatura would delete unread: less for it to copy and walk
    body, text = trafilatura_run.extract(root, _options())
    if body is not None and len(body):
        blocks = body_blocks(body)
        if blocks:
            return blocks
    if text:
        return [Block("paragraph", line) for line in text.splitlines() if line.strip()]
    return []


def extract_article(root: etree._Element, url: str, meta: Metadata,
                    picked: list[etree._Element] | None = None,
                    fallback: etree._Element | None = None) -> Article:
    """The article below ``root``; ``picked`` are containers chosen by site rules; ``fallback``
    is read block by block when trafilatura finds nothing (tiny or odd pages)."""
    if picked:
        blocks = [b for el in picked for b in own_blocks(el)]
    else:
        # decided before extract_blocks, which trims the tree: a fallback it detaches is still read
        usable = fallback is not None and fallback.getparent() is not None
        blocks = extract_blocks(root, url)
        if not blocks and usable:
            blocks = own_blocks(fallback)
    title = meta.title or ""
    # trafilatura keeps the title as the first heading; it is the title, not body text.
    if blocks and title and blocks[0].kind == "heading" and blocks[0].text.casefold() == normalise_text(title).casefold():
        blocks = blocks[1:]
    return Article(title=normalise_text(title), byline=meta.byline, date=meta.date, blocks=blocks)
