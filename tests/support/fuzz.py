"""Mutated pages for fuzzing the segmenter: a seeded generator, so a failure is reproducible from
its seed and index (``mutants(seed)`` yields the same pages on every machine)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "pages"

# What hostile or broken pages put where a parser and the steps after it do not expect it.
TOKENS: tuple[bytes, ...] = (
    b"\x00", b"\x01", b"\x08", b"\x0b", b"\x0c", b"\x1b", b"\x1f", b"\x7f", b"\x80", b"\xff",
    b"\xc3", b"\xe2\x80", "\ufffe".encode(), "\uffff".encode(), "\u202e".encode(),
    "\u200b".encode(), b"\xef\xbb\xbf", b"\xff\xfe", b"\xed\xa0\x80",
    b"&#0;", b"&#1;", b"&#x1b;", b"&#12;", b"&#xD800;", b"&#x110000;", b"&#65534;",
    b"&#99999999999999999999999;", b"&#x", b"&", b"&amp", b"&nbsp",
    b"<script>var a = '</p>';</script>", b"<style>p{}</style>", b"<svg><g></g></svg>",
    b"<noscript><p>no</p></noscript>", b"<iframe src=//ads.example/x></iframe>",
    b"</div>", b"</p>", b"</body>", b"</html>", b"<div>", b"<p>", b"<li>", b"<table><tr><td>",
    b"<form><input name=q></form>", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"<?xml version='1.0'?>",
    b"<!DOCTYPE html>", b"<meta charset=utf-16>", b"<meta charset=x-bogus>",
    b'<base href="javascript:alert(1)">', b'<a href="http://[::1/x">link</a>',
    b'<a href="https://amzn.to/abc?tag=x-20">Buy on Amazon</a>', b'<a href="\x01">x</a>',
    b'<img src="data:,">', b'<div class="comment"><span class=author>\x0c</span></div>',
    b'<time datetime="99999-99-99">', b'<script type="application/ld+json">{"@type":',
    b'<script type="application/ld+json">{"@type":"Comment","text":"\\u0001"}</script>',
    b'<div class="ad sponsored">Sponsored</div>', b"<h1>", b"<article>", b"</article>",
    b'" onload="', b"'", b'"', b"<", b">", b"=", b"<p class=>", b"<p class=\x0c>",
)


def base_pages() -> list[bytes]:
    return [p.read_bytes() for p in sorted(PAGES.glob("*.html"))]


def _mutate(rng: random.Random, page: bytes) -> bytes:
    data = bytearray(page)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data) + 1)
        what = rng.random()
        if what < 0.45:
            data[at:at] = rng.choice(TOKENS) * rng.choice((1, 1, 1, 2, 5))
        elif what < 0.55:
            depth = rng.choice((50, 260, 400))
            tag = rng.choice((b"div", b"span", b"b", b"blockquote"))
            data[at:at] = b"<%s>" % tag * depth + b"deep text" + b"</%s>" % tag * rng.randrange(depth)
        elif what < 0.7:
            end = min(len(data), at + rng.randint(1, 200))
            del data[at:end]
        elif what < 0.8:
            end = min(len(data), at + rng.randint(1, 300))
            data[at:at] = data[at:end]
        elif what < 0.9:
            for _ in range(rng.randint(1, 8)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data = data[: rng.randrange(len(data) + 1)]
    return bytes(data)


CONTENT_TYPES = (None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
                 "text/html; charset=utf-16", "text/html; charset=x-bogus", "text/html; charset=")


def mutants(seed: int, count: int) -> Iterator[tuple[int, bytes, str | None]]:
    """``count`` mutated pages: (index, body, content type)."""
    rng = random.Random(seed)
    pages = base_pages()
    for i in range(count):
        yield i, _mutate(rng, rng.choice(pages)), rng.choice(CONTENT_TYPES)
