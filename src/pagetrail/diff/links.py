"""Links as the differ compares them: what a link points to and who it pays, without the noise
that changes from one request to the next (patterns in ``patterns.py``).

A parameter, in the query or in a ``;`` path segment (doubleclick's ``;sz=300x250;ord=123``), is
one of three things, decided in this order:

1. *paying* (``tid``, ``tag``, ``aff_id``, ``client`` ...): who gets paid; always compared; and
   ``ref`` where the link's shape says it may pay (``ref_pays``: an affiliate link, or a product,
   checkout or signup path), though it is a tracker elsewhere;
2. *noise*: a tracking or volatile name (``utm_*``, ``fbclid``, ``ver``, ``v``, ``cb``, ``_``,
   ``ord``, ``correlator`` ...) or a value shaped like a cache-buster or random token on a site
   we have never seen (a 9+ digit number, a hex digest, a UUID, a random alphanumeric run):
   compared as absent, whether it changed, appeared or disappeared;
3. anything else: compared as written.

Host names are never rewritten, so an affiliate id in the host (ClickBank hop links) is always
content. ``http`` and ``https`` compare equal, and so do query order, a fragment and a missing
trailing ``?``.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, quote, urlsplit

from pagetrail.diff.patterns import (
    FILE_HASH,
    PAYING_PARAMS,
    RANDOM_PATH_SEGMENT,
    RANDOM_PIECE,
    REF_PARAMS,
    REF_PRODUCT_PATH,
    REF_SHOP_TRACKER_HOSTS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    VOLATILE_PARAMS,
    VOLATILE_PREFIXES,
    VOLATILE_VALUE,
)
from pagetrail.segment.ads import link_kind

PLACEHOLDER = "*"
_NESTED_DEPTH = 2  # a click wrapper's target URL is normalised too, this many levels down


def is_paying_param(name: str) -> bool:
    return name.lower() in PAYING_PARAMS


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def is_volatile_value(value: str) -> bool:
    """A value shaped like a cache-buster, a timestamp or a random token, on any site."""
    if VOLATILE_VALUE.match(value):
        return True
    return any(RANDOM_PIECE.match(piece) for piece in _pieces(value))


def _pieces(value: str) -> list[str]:
    for sep in "-_.~":
        value = value.replace(sep, " ")
    return value.split()


def is_noise_param(name: str, value: str) -> bool:
    """Does this parameter compare as absent? (Never for a paying one.)"""
    low = name.lower()
    if low in PAYING_PARAMS:
        return False
    if is_tracking_param(low) or low in VOLATILE_PARAMS or low.startswith(VOLATILE_PREFIXES):
        return True
    if not value:
        return is_volatile_value(name)  # a bare cache-buster: style.css?1700000000
    return is_volatile_value(value)


def ref_pays(url: str, host: str, path: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether a ``ref`` parameter on this link may pay someone: the link is an affiliate link
    (by its host, its path or another paying parameter) or points at a product, checkout or
    signup page, and the host is not a shop whose own tracker ``ref`` is."""
    if any(label in REF_SHOP_TRACKER_HOSTS for label in host.lower().split(".")):
        return False
    if REF_PRODUCT_PATH.search(path) or any(is_paying_param(n) for n, _v in pairs):
        return True
    return link_kind(url, "") is not None  # the segmenter's one affiliate-link test


def _params(pairs: list[tuple[str, str]], depth: int, ref_paying: bool = False) -> list[tuple[str, str]]:
    kept = []
    for name, value in pairs:
        if is_noise_param(name, value) and not (ref_paying and name.lower() in REF_PARAMS):
            continue
        if depth < _NESTED_DEPTH and value.startswith(("http://", "https://", "//")):
            value = _normalise(value, depth + 1)
        kept.append((name, value))
    return sorted(kept)


def _path_segment(segment: str, depth: int) -> str:
    head, *params = segment.split(";")
    if RANDOM_PATH_SEGMENT.match(head):
        head = PLACEHOLDER
    else:
        head = FILE_HASH.sub(PLACEHOLDER, head)
    pairs = [(p.partition("=")[0], p.partition("=")[2]) for p in params if p]
    kept = _params(pairs, depth)
    return ";".join([head, *(f"{n}={v}" if v else n for n, v in kept)])


def _normalise(url: str, depth: int) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if scheme in ("http", "https", ""):
        scheme = ""  # the same resource over http or https is the same link
    path = "/".join(_path_segment(seg, depth) for seg in parts.path.split("/"))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    paying_ref = any(n.lower() in REF_PARAMS for n, _v in pairs) and ref_pays(url, host, parts.path, pairs)
    query = _params(pairs, depth, paying_ref)
    out = f"{scheme + ':' if scheme else ''}//{host}{path}" if host else f"{scheme + ':' if scheme else ''}{path}"
    if query:
        out += "?" + "&".join(f"{quote(n, safe='*/:')}={quote(v, safe='*/:')}" if v else quote(n, safe="*/:")
                              for n, v in query)
    return out


@functools.lru_cache(maxsize=8192)
def normalise_link(url: str) -> str:
    """The link as compared: noise parameters left out (query and ``;`` path parameters), random
    path segments and file-name hashes as ``*``, query sorted, fragment dropped, scheme (http or
    https) left out, host lower-cased. Cached: the ad matcher compares the same links many times."""
    return _normalise(url, 0)


def normalise_links(urls: list[str]) -> list[str]:
    return [normalise_link(u) for u in urls]


@functools.lru_cache(maxsize=8192)
def payee_key(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Who a link pays: its host and its paying parameters (a rotating creative from the same
    network and publisher account has the same key)."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return (url, ())
    paying = [(n.lower(), v) for n, v in parse_qsl(parts.query, keep_blank_values=True) if is_paying_param(n)]
    for seg in parts.path.split("/"):
        for p in seg.split(";")[1:]:
            name, _eq, value = p.partition("=")
            if is_paying_param(name):
                paying.append((name.lower(), value))
    return (host, tuple(sorted(paying)))
