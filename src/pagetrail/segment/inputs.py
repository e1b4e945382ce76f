"""Pages to segment outside a crawl: a local HTML file, an http(s) URL fetched once (not
archived), or a capture read back from the archive (``URL@TIMESTAMP``); and the site rules of a
seed file for each. Every failure is a one-line PagetrailError that names the input."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pagetrail.errors import PagetrailError, UsageError
from pagetrail.seeds import SiteRules, load_seed_file, rules_for

FETCH_TIMEOUT = 30
MAX_FETCH_BYTES = 50_000_000
#: Content types worth segmenting (substrings).
PAGE_TYPES = ("html", "xml", "text/plain")


@dataclass
class PageInput:
    source: str  # what the user named: the path, the URL, or URL@TIMESTAMP of the capture
    url: str  # the page's URL (file:// for local files)
    body: bytes
    content_type: str | None = None


def fetch(url: str) -> PageInput:
    """One GET of ``url`` with urllib, at most MAX_FETCH_BYTES of it."""
    from pagetrail import __version__

    req = urllib.request.Request(url, headers={"User-Agent": f"pagetrail/{__version__} (segment)"})
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310 - http(s) only
            ctype = resp.headers.get("Content-Type")
            if ctype and not any(t in ctype.lower() for t in PAGE_TYPES):
                raise PagetrailError(f"{url}: not an HTML page (Content-Type: {ctype})")
            body = resp.read(MAX_FETCH_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise PagetrailError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise PagetrailError(f"{url}: cannot fetch ({exc.reason})") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise PagetrailError(f"{url}: cannot fetch ({exc})") from None
    return PageInput(url, url, body[:MAX_FETCH_BYTES], ctype)


def read_file(path: str) -> PageInput:
    try:
        body = Path(path).read_bytes()
    except FileNotFoundError:
        raise PagetrailError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PagetrailError(f"{path}: is a folder, not an HTML file") from None
    except OSError as exc:
        raise PagetrailError(f"{path}: cannot read ({exc.strerror})") from None
    return PageInput(path, Path(path).resolve().as_uri(), body)


def split_capture(ref: str) -> tuple[str, str]:
    """``URL@TIMESTAMP`` -> (URL, TIMESTAMP); a UsageError when it is not of that shape."""
    url, sep, ts = ref.rpartition("@")
    if not sep or not url or not ts.isdigit():
        raise UsageError(f"--capture {ref!r}: expected URL@TIMESTAMP, e.g. https://example.com/@20240501")
    return url, ts


def read_capture(archive_dir: str, ref: str, catalog: str | None = None) -> PageInput:
    """The archived capture ``URL@TIMESTAMP`` (a timestamp prefix picks the latest match);
    ``catalog``: as for ``Archive``."""
    from pagetrail.archive import Archive

    url, ts = split_capture(ref)
    with Archive.existing(archive_dir, catalog=catalog) as archive:
        capture = archive.find(url, ts)
        headers, body = archive.read_payload(capture)
    ctype = next((v for k, v in reversed(headers) if k.lower() == "content-type"), None)
    return PageInput(f"{capture.url}@{capture.timestamp}", capture.url, body, ctype)


def read_input(item: str) -> PageInput:
    """A local file or an http(s) URL."""
    return fetch(item) if item.startswith(("http://", "https://")) else read_file(item)


def rules_from(seed_file: str, url: str | None) -> SiteRules | None:
    """The rules of the seed in ``seed_file`` for ``url``; for a local file (``url`` None) the
    file's only seed. A file of several seeds gives a local file no rules: a UsageError."""
    seeds = load_seed_file(seed_file)
    if url is None and len(seeds) > 1:
        raise UsageError(f"{seed_file}: has {len(seeds)} seeds; a local file matches none of them by URL")
    return rules_for(seeds, url, only=True)


def segment_inputs(inputs: Iterable[str], captures: Iterable[str] = (), *, seed_file: str | None = None,
                   archive_dir: str = "archive",
                   catalog: str | None = None) -> Iterator[tuple[str, object]]:
    """(source, Snapshot) for each input in turn, or (name, PagetrailError) for one that failed;
    the others go on. UsageErrors (bad arguments) are raised."""
    from pagetrail.segment.bounded import segment_bounded as segment  # hard time bound
    from pagetrail.segment.decode import SegmentError

    jobs = [(read_input, x) for x in inputs] + [(lambda ref: read_capture(archive_dir, ref, catalog), x) for x in captures]
    for load, item in jobs:
        try:
            page = load(item)
            url = None if page.url.startswith("file:") else page.url
            rules = rules_from(seed_file, url) if seed_file else None
            try:
                yield page.source, segment(page.body, page.url, rules, content_type=page.content_type)
            except SegmentError as exc:
                raise PagetrailError(f"{page.source}: {exc}") from None
        except UsageError:
            raise
        except PagetrailError as exc:
            yield item, exc
