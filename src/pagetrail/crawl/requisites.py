"""The resources a page needs to render (stylesheets, scripts, images), found in its HTML."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from parsel import Selector

# XPath -> attribute values that name one URL each; srcset lists are split separately
URL_ATTRIBUTES = (
    "//link[contains(concat(' ', normalize-space(translate(@rel, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    " 'abcdefghijklmnopqrstuvwxyz')), ' '), ' stylesheet ')]/@href",
    "//script/@src",
    "//img/@src",
)
SRCSET_ATTRIBUTES = ("//img/@srcset", "//picture/source/@srcset")
#: Default cap on the requisites fetched for one page (PAGETRAIL_MAX_REQUISITES): a page of 3,000
#: <img> made 3,000 fetches.
MAX_REQUISITES = 200
#: Which hosts requisites may come from (PAGETRAIL_REQUISITE_HOSTS): "host" (the page's own host,
#: the default), "site" (the page's host and its siblings under the same last two labels, e.g.
#: static.example.org for www.example.org) or "any".
HOST_POLICIES = ("host", "site", "any")


def _site(host: str) -> str:
    return ".".join(host.split(".")[-2:])


def allowed_host(url: str, page_url: str, policy: str = "host") -> bool:
    """May ``url`` be fetched as a requisite of ``page_url`` under ``policy``?"""
    if policy == "any":
        return True
    host, page_host = urlsplit(url).hostname or "", urlsplit(page_url).hostname or ""
    if policy == "site":
        return host == page_host or _site(host) == _site(page_host)
    return host == page_host


def select_requisites(urls: list[str], page_url: str, policy: str = "host",
                      limit: int = MAX_REQUISITES) -> tuple[list[str], int]:
    """The requisites to fetch (host policy, then the first ``limit``) and how many were left
    out by the cap."""
    allowed = [u for u in urls if allowed_host(u, page_url, policy)]
    if limit and len(allowed) > limit:
        return allowed[:limit], len(allowed) - limit
    return allowed, 0


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
