"""What, besides its own source, decides the segmenter's output: the versions of the libraries it
hands work to and of the ad list it applies. A snapshot made under other versions is stale."""

from __future__ import annotations

import functools
from importlib import metadata

from lxml import etree

from pagetrail.segment import easylist

#: Distributions whose behaviour is part of a snapshot: the article extractor and the helpers it
#: ships with, the HTML parser, the ad-blocking engine and the package that ships EasyList.
LIBRARIES = ("trafilatura", "justext", "lxml", "adblock", "braveblock")


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@functools.lru_cache(maxsize=1)
def segmenter_version() -> str:
    """``name=version`` of each library in LIBRARIES, libxml2's version and the EasyList rules'
    hash, space-separated: equal strings mean the same segmenter dependencies."""
    parts = [f"{name}={_installed(name)}" for name in LIBRARIES]
    parts.append("libxml2=" + ".".join(map(str, etree.LIBXML_VERSION)))
    parts.append(f"easylist={easylist.list_fingerprint()}")
    return " ".join(parts)
