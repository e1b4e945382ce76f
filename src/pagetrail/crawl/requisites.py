"""The resources a page needs to render (stylesheets, scripts, images), found in its HTML."""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector

# XPath -> attribute values that name one URL each; srcset lists are split separately
URL_ATTRIBUTES = (
    "//link[contains(concat(' ', normalize-space(translate(@rel, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    " 'abcdefghijklmnopqrstuvwxyz')), ' '), ' stylesheet ')]/@href",
    "//script/@src",
    "//img/@src",
)
SRCSET_ATTRIBUTES = ("//img/@srcset", "//picture/source/@srcset")


def _srcset_urls(value: str) -> list[str]:
    # "a.png 1x, b.png 2x": URL, then an optional descriptor, comma separated
    return [part.split()[0] for part in value.split(",") if part.strip()]


def requisite_urls(html: str, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's requisites, in document order, each once."""
    sel = Selector(text=html, base_url=base_url)
    found: list[str] = []
    for xpath in URL_ATTRIBUTES:
        found.extend(v.strip() for v in sel.xpath(xpath).getall())
    for xpath in SRCSET_ATTRIBUTES:
        for value in sel.xpath(xpath).getall():
            found.extend(_srcset_urls(value))
    base = sel.xpath("//base/@href").get()
    root = urljoin(base_url, base) if base else base_url
    out: list[str] = []
    seen: set[str] = set()
    for value in found:
        if not value or value.startswith(("data:", "javascript:", "#")):
            continue
        url = urljoin(root, value).split("#", 1)[0]
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            out.append(url)
    return out
