"""The hosts EasyList's site-specific rules may apply to, read from the list's text. For a page
on any other host the engine's element-hiding resources are the generic ones: asked for once per
process instead of once per new host (each answer converts the ~900 generic selectors: 0.35 ms,
2% of segmenting the articles set, whose 181 pages are on 181 hosts)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import re
from urllib.parse import urlsplit

from pagetrail.segment import easylist, easylist_cache

#: An element-hiding rule (``##``, ``#@#``, ``#?#``, ``#$#``, ``#%#`` and their exceptions) and
#: the domains before it.
_COSMETIC = re.compile(r"^([^#\s]*)#@?[?$%]?#")
#: Network options that switch element hiding off on the pages a rule matches.
_HIDING_OFF = frozenset(("generichide", "ghide", "elemhide", "ehide", "specifichide", "shide", "document", "doc"))
#: A ``||host`` pattern's host (a ``*`` in it is an entity: ``google.*``).
_HOST = re.compile(r"\|\|([a-z0-9.*_-]+)(?:[\^/?:|]|$)")
_PLAIN = re.compile(r"[a-z0-9._-]+")


def _add(domain: str, domains: set[str], labels: set[str]) -> bool:
    """Files one domain of a rule (``~`` negated or not); False when it is not one this reads."""
    domain = domain.strip().lstrip("~").lower()
    if not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domains.add(domain.encode("idna").decode("ascii"))
        domains.add(domain)
        return True
    if domain.endswith(".*") and _PLAIN.fullmatch(domain[:-2]):
        labels.add(domain[:-2].rsplit(".", 1)[-1])  # the entity's name: a label of any host it fits
        return True
    if _PLAIN.fullmatch(domain):
        domains.add(domain)
        return True
    return False


def _read(text: str) -> tuple[set[str], set[str]] | None:
    """(domains, entity labels) the list's site-specific rules name; None when a rule names
    its pages some other way (a regex, a path without a host): then every host is asked about."""
    domains: set[str] = set()
    labels: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "![":
            continue
        m = _COSMETIC.match(line)
        if m is not None:
            if m.group(1) and not all(_add(d, domains, labels) for d in m.group(1).split(",")):
                return None
            continue
        pattern, sep, options = line.rpartition("$")
        if not sep:
            continue
        names = {o.split("=", 1)[0].strip().lower() for o in options.split(",")}
        if names.isdisjoint(_HIDING_OFF):
            continue
        named = False
        for option in options.split(","):
            if option.strip().lower().startswith("domain="):
                named = all(_add(d, domains, labels) for d in option.split("=", 1)[1].split("|"))
                if not named:
                    return None
        pattern = pattern.removeprefix("@@")
        host = _HOST.match(pattern.lower())
        if host is not None:
            if not _add(host.group(1).rstrip("."), domains, labels):
                return None
        elif pattern or not named:
            return None
    return domains, labels


@functools.lru_cache(maxsize=1)
def named_hosts() -> tuple[frozenset[str], frozenset[str]] | None:
    """What :func:`_read` gives for the list in use, loaded from the on-disk cache when it holds
    this list's (easylist_cache), else read from the list's text (0.05 s) and stored."""
    fingerprint = easylist.list_fingerprint()
    key = easylist_cache.list_key(fingerprint) + " hosts=1"
    stored = easylist_cache.read("easylist-hosts", key) if fingerprint != "none" else None
    if stored is not None:
        with contextlib.suppress(ValueError, TypeError):
            data = json.loads(stored)
            return None if data is None else (frozenset(data[0]), frozenset(data[1]))
    try:
        with gzip.open(easylist.list_path(), "rt", encoding="utf-8") as fh:
            found = _read(fh.read())
    except (OSError, TypeError):
        return None
    if fingerprint != "none":
        payload = None if found is None else [sorted(found[0]), sorted(found[1])]
        easylist_cache.write("easylist-hosts", key, lambda: json.dumps(payload).encode())
    return None if found is None else (frozenset(found[0]), frozenset(found[1]))


def may_apply(host: str) -> bool:
    """Whether a site-specific rule may apply to pages on ``host`` (True when that cannot be
    told: the list unread, a host not in ASCII)."""
    found = named_hosts()
    if found is None or not host.isascii():
        return True
    domains, labels = found
    host = host.lower()
    if not labels.isdisjoint(host.split(".")):
        return True
    while True:  # the host and each domain it is below
        if host in domains:
            return True
        dot = host.find(".")
        if dot < 0:
            return False
        host = host[dot + 1:]


def cosmetic_url(url: str) -> str:
    """The URL whose element-hiding resources are the page's: ``url``, or "" (the generic ones,
    asked for once) when no site-specific rule may apply to its host or to "localhost", where
    ``easylist.cosmetic`` asks for the generic ones."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return url
    return "" if host and not may_apply(host) and not may_apply("localhost") else url
