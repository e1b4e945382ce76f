"""Channel accuracy of change reports, pagetrail against trafilatura + plain text comparison.

    .venv/bin/python bench/channel_eval.py [--limit N] [--eval DIR] [--verbose] [--kinds K,K]

Builds pairs of captures from the real pages with reader comments in /work/shared/eval/comments
(Dragnet; unpacked into a temporary folder, never into the repository), each with one known change:

- ``article``: one word edited in an article paragraph (a paragraph of the page's gold article);
- ``comment``: one word edited in a reader comment (text of the page's gold comments);
- ``promo``: an affiliate promo paragraph with a ClickBank hop link and "Read more about it here"
  injected into the article, at a place that varies from page to page (after a paragraph, as a
  list item, as a bare <div>, after a heading, at the end of the article);
- ``noise-urls``: no content change, the noise measured in issue 10: ``?ver=NNNN`` added to every
  script, stylesheet, image and frame URL, doubleclick's ``;ord=`` changed, a fresh nonce in an
  inline script;
- ``noise``: all of that, plus another creative in the same ad slot, and relative dates ("3 hours
  ago") and counters ("12 comments", "5 likes") ticking where the page shows them on their own.

Both sides of a pair go through the same parse and serialisation, so the only difference is the
change made. pagetrail compares them the way ``pagetrail diff --format json`` does (segment each
side, judge it with ``classify_fetch``, ``diff_snapshots``, the JSON summary); trafilatura
(``bare_extraction`` with comments) compares its article text and its comments as plain text. A
pair is right when exactly the expected channel changed (``article``, ``comments``, ``ads``; none
for noise). Printed: per kind, right / pairs for both tools, overall, and the false-change rate
of each noise kind; ``--verbose`` lists each wrong pair.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import lxml.html
from lxml import etree

SHARED = Path("/work/shared/eval")
MARKER = re.compile(r"[!@#$%^&*() ]{6,}COMMENTS")
KINDS = ("article", "comment", "promo", "noise-urls", "noise")
EXPECTED = {"article": {"article"}, "comment": {"comments"}, "promo": {"ads"}, "noise-urls": set(),
            "noise": set()}
NOISE_KINDS = ("noise-urls", "noise")
CONTENT_TYPE = "text/html; charset=utf-8"
WORD = re.compile(r"\b[A-Za-z]{5,}\b")
REPLACEMENTS = ("remarkable", "ordinary", "seventeen", "unusually", "carefully", "yesterday")
PROMO_PLACES = ("after-paragraph", "list-item", "div", "after-heading", "end")
PROMOS = (
    ("Tired of trying and failing to conceive? The first resort I give my readers is the {p}. "
     "{p} is an all natural holistic solution for couples. Read more about it {here}."),
    ("Many of you have asked me what finally worked for my back pain: it was the {p}, a simple "
     "seven minute routine you can do at home. Read more about it {here}."),
    ("If you want to lose the weight for good, the {p} has helped thousands of people without "
     "dieting or pills. Read more about it {here}."),
    ("Before you spend another cent on supplements, look at the {p}. It is the one program I "
     "recommend to every reader who writes to me. Read more about it {here}."),
)
PRODUCTS = ("Pregnancy Miracle System", "Back Pain Relief Code", "Halki Diabetes Remedy",
            "Fat Burning Kitchen", "Blood Sugar Miracle", "Tinnitus Terminator")
AD_CREATIVES = ("Cheap flights to Rome", "Winter boots sale", "Refinance your home today",
                "Learn Spanish in 10 days")
REL_DATE = re.compile(r"\b(\d+)(\s+(?:second|minute|min|hour|day|week|month|year)s?\s+ago)\b", re.I)
COUNTER = re.compile(r"\b(\d+)(\s+(?:comments?|responses?|replies|likes?|votes?|points?|thoughts))\b", re.I)
URL_ATTRS = (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"))

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


# ------------------------------------------------------------------------- pages
def load_pages(root: Path, limit: int | None) -> list[tuple[str, bytes, str, str]]:
    """(id, html, gold article, gold comments) of every page with reader comments, by id."""
    out = []
    gold_dir = root / "dragnet-dev" / "gold"
    for gold in sorted(gold_dir.glob("*.txt"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0):
        parts = MARKER.split(gold.read_text(encoding="utf-8", errors="replace"), maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            continue
        html = root / "dragnet-dev" / "html" / f"{gold.stem}.html"
        if html.exists():
            out.append((gold.stem, html.read_bytes(), norm(parts[0]), norm(parts[1])))
        if limit and len(out) >= limit:
            break
    return out


def norm(text: str) -> str:
    return " ".join((text or "").split())


def parse(data: bytes | str) -> etree._Element:
    """One parse used for both sides: decoded as pagetrail decodes, charset declarations removed
    (the pair is served as UTF-8)."""
    if isinstance(data, bytes):
        from pagetrail.segment.decode import decode

        data = decode(data)[0]
    data = re.sub(r"^\s*<\?xml[^>]*>", "", data)
    doc = lxml.html.document_fromstring(data)
    for meta in doc.xpath("//meta[@charset or translate(@http-equiv,'CONTENT-TYP','content-typ')='content-type']"):
        meta.getparent().remove(meta)
    return doc


def serialise(doc: etree._Element) -> str:
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


def text_nodes(doc: etree._Element, gold: str, other: str, min_words: int) -> list[etree._Element]:
    """Elements whose own text has a word to edit and whose whole text is in ``gold`` (and not
    in ``other``), in page order."""
    found = []
    for el in doc.iter("p", "li", "div", "span", "dd", "td", "blockquote", "em", "strong", "font"):
        if not el.text or not WORD.search(el.text) or len(el.text.split()) < 3:
            continue
        whole = norm(el.text_content())
        if len(whole.split()) >= min_words and whole in gold and whole not in other:
            found.append(el)
    return found


def edit_word(el: etree._Element, rng: random.Random) -> None:
    words = list(WORD.finditer(el.text))
    m = rng.choice(words)
    new = next(w for w in rng.sample(REPLACEMENTS, len(REPLACEMENTS)) if w != m.group(0).lower())
    el.text = el.text[: m.start()] + new + el.text[m.end():]


# ------------------------------------------------------------------------- the four kinds
def make_article(doc, rng, gold_art, gold_com, _n):  # noqa: ANN001, ANN201
    cands = text_nodes(doc, gold_art, gold_com, 12)
    if not cands:
        return None
    edit_word(rng.choice(cands), rng)
    return doc


def make_comment(doc, rng, gold_art, gold_com, _n):  # noqa: ANN001, ANN201
    cands = text_nodes(doc, gold_com, gold_art, 6)
    if not cands:
        return None
    edit_word(rng.choice(cands), rng)
    return doc


def promo_element(rng: random.Random, tag: str) -> etree._Element:
    product = rng.choice(PRODUCTS)
    vendor = re.sub(r"[^a-z]", "", product.lower())[:10]
    hop = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    link = f'<a href="http://{hop}.{vendor}.hop.clickbank.net/?tid=post{rng.randrange(100)}">here</a>'
    text = rng.choice(PROMOS).format(p=product, here=link)
    return lxml.html.fragment_fromstring(f"<{tag}>{text}</{tag}>")


def make_promo(doc, rng, gold_art, gold_com, n):  # noqa: ANN001, ANN201
    paras = [el for el in text_nodes(doc, gold_art, gold_com, 8) if el.tag == "p"]
    if not paras:
        return None
    place = PROMO_PLACES[n % len(PROMO_PLACES)]
    if place == "list-item":
        items = [el for el in text_nodes(doc, gold_art, gold_com, 4) if el.tag == "li"]
        if items:
            rng.choice(items).addnext(promo_element(rng, "li"))
            return doc
        place = "div"
    if place == "after-heading":
        heads = [h for h in doc.iter("h2", "h3", "h4") if h.getnext() in paras]
        if heads:
            rng.choice(heads).addnext(promo_element(rng, "p"))
            return doc
        paras[0].addprevious(promo_element(rng, "p"))
        return doc
    target = paras[-1] if place == "end" else paras[len(paras) // 2]
    target.addnext(promo_element(rng, "div" if place == "div" else "p"))
    return doc


def add_param(url: str, param: str) -> str:
    if not url or url.startswith(("data:", "javascript:", "#")):
        return url
    base, hash_, frag = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{param}{hash_}{frag}"


def make_noise(doc, rng, _gold_art, _gold_com, _n, *, new_side: bool = True, full: bool = True):  # noqa: ANN001, ANN201
    """The noise of one capture; the old side gets the same kinds with other values. Without
    ``full``, only the issue's noise: ``?ver=``, ``;ord=`` and a nonce (no creatives, dates or
    counters)."""
    ver = f"ver={rng.randrange(1000, 9999)}"
    for tag, attr in URL_ATTRS:
        for el in doc.iter(tag):
            url = el.get(attr)
            if url is None:
                continue
            if "doubleclick" in url:
                url = re.sub(r";ord=[^;?#]*", "", url) + f";ord={rng.randrange(10**9, 10**16)}"
            if new_side and (tag != "link" or "stylesheet" in (el.get("rel") or "") or ".css" in url):
                url = add_param(url, ver)
            el.set(attr, url)
    head = doc.find("head")
    if head is not None:
        nonce = f"{rng.randrange(16**10):010x}"
        script = etree.SubElement(head, "script")
        script.text = f'var wpApiSettings = {{"root":"/wp-json/","nonce":"{nonce}"}};'
    body = doc.find("body")
    if not full:
        return doc
    if body is not None:
        cr = rng.randrange(1000, 9999)
        slot = lxml.html.fragment_fromstring(
            f'<div id="sidebar-ad-slot" class="ad-slot"><a href="https://ads.adnetwork.example/click?cr={cr}&amp;client=ca-pub-77">'
            f'<img src="https://ads.adnetwork.example/creatives/{cr}.jpg" alt="{rng.choice(AD_CREATIVES)}"></a></div>')
        body.append(slot)
    bump = rng.randrange(1, 4)
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            # Only a date or counter on its own ("3 hours ago", "12 Comments", "Likes: 5 likes"),
            # never a number in what someone wrote ("I tried it 3 days ago").
            if value and len(value.split()) <= 5 and (REL_DATE.search(value) or COUNTER.search(value)):
                value = REL_DATE.sub(lambda m: f"{int(m.group(1)) + bump}{m.group(2)}", value)
                value = COUNTER.sub(lambda m: f"{int(m.group(1)) + bump}{m.group(2)}", value)
                setattr(el, attr, value)
    return doc


MAKERS = {"article": make_article, "comment": make_comment, "promo": make_promo}


def build_pairs(pages, kinds):  # noqa: ANN001, ANN201
    """(page id, kind, old html, new html, what was done) for each page and kind that applies."""
    pairs = []
    for n, (pid, html, gold_art, gold_com) in enumerate(pages):
        try:
            base = serialise(parse(html))
        except (ValueError, etree.ParserError):
            continue
        for kind in kinds:
            rng = random.Random(f"{pid}:{kind}")
            if kind in NOISE_KINDS:
                full = kind == "noise"
                old = serialise(make_noise(parse(base), random.Random(f"{pid}:old"), "", "", n,
                                           new_side=False, full=full))
                new = serialise(make_noise(parse(base), rng, "", "", n, full=full))
            else:
                old = serialise(parse(base))
                doc = MAKERS[kind](parse(base), rng, gold_art, gold_com, n)
                if doc is None:
                    continue
                new = serialise(doc)
            if old != new:
                where = PROMO_PLACES[n % len(PROMO_PLACES)] if kind == "promo" else ""
                pairs.append((pid, kind, old, new, where))
    return pairs


# ------------------------------------------------------------------------- the two tools
class Pagetrail:
    """Each side segmented once per distinct body (the old side of three kinds is the same page)."""

    name = "pagetrail"

    def __init__(self) -> None:
        self._snaps: dict[int, object] = {}
        self.seconds = 0.0

    def _snapshot(self, html: str, url: str):  # noqa: ANN202
        from pagetrail.segment import segment

        key = hash(html)
        if key not in self._snaps:
            t = time.perf_counter()
            self._snaps[key] = segment(html.encode("utf-8"), url, None, content_type=CONTENT_TYPE)
            self.seconds += time.perf_counter() - t
        return self._snaps[key]

    def channels(self, old: str, new: str, url: str) -> tuple[set[str], str]:
        from pagetrail.diff import classify_fetch, diff_snapshots
        from pagetrail.report.jsonreport import diff_dict

        headers = [("Content-Type", CONTENT_TYPE)]
        a, b = self._snapshot(old, url), self._snapshot(new, url)
        t = time.perf_counter()
        pd = diff_snapshots(a, b, fetch_problem=classify_fetch(200, headers, b))
        d = json.loads(json.dumps(diff_dict(pd)))  # what `pagetrail diff --format json` prints
        self.seconds += time.perf_counter() - t
        got = {name for name, ch in d["channels"].items() if ch["changed"]}
        if d.get("fetch_problem"):
            got.add("fetch problem")
        return got, d["summary"]


class Trafilatura:
    name = "trafilatura"

    def __init__(self) -> None:
        self._docs: dict[int, tuple[str, str]] = {}
        self.seconds = 0.0

    def _extract(self, html: str, url: str) -> tuple[str, str]:
        import trafilatura

        key = hash(html)
        if key not in self._docs:
            t = time.perf_counter()
            doc = trafilatura.bare_extraction(html, url=url, include_comments=True)
            self.seconds += time.perf_counter() - t
            self._docs[key] = (norm(getattr(doc, "text", "") or ""), norm(getattr(doc, "comments", "") or "")) if doc else ("", "")
        return self._docs[key]

    def channels(self, old: str, new: str, url: str) -> tuple[set[str], str]:
        a, b = self._extract(old, url), self._extract(new, url)
        got = {name for name, x, y in (("article", a[0], b[0]), ("comments", a[1], b[1])) if x != y}
        return got, ", ".join(sorted(got)) or "no change"


class Crawled:
    """``--crawl``: both sides served over loopback, each fetched by a real ``pagetrail crawl`` into
    one archive, then ``pagetrail diff URL --format json``: the whole path an analyst uses."""

    name = "pagetrail crawl"

    def __init__(self, root: Path) -> None:
        import http.server
        import threading

        self.root = root
        self.pages: dict[str, bytes] = {}
        self.seconds = 0.0
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _pagetrail(self, *args: str) -> str:
        import subprocess

        src = Path(__file__).resolve().parent.parent / "src"
        env = {**__import__("os").environ, "PYTHONPATH": str(src)}
        proc = subprocess.run([sys.executable, "-m", "pagetrail", *args, "--archive", str(self.root)],
                              capture_output=True, text=True, env=env, cwd=self.root.parent)
        return proc.stdout

    def channels(self, old: str, new: str, url: str) -> tuple[set[str], str]:
        path = "/" + url.split("/", 3)[3] + f"{len(self.pages)}/"
        page = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        t = time.perf_counter()
        for side in (old, new):
            self.pages[path] = side.encode("utf-8")
            self._pagetrail("crawl", "--url", page, "--no-robots")
        out = self._pagetrail("diff", page, "--format", "json")
        self.seconds += time.perf_counter() - t
        try:
            d = json.loads(out)
        except ValueError:
            return {"error"}, "pagetrail diff printed no JSON"
        got = {name for name, ch in d["channels"].items() if ch["changed"]}
        if d.get("fetch_problem"):
            got.add("fetch problem")
        return got, d["summary"]


# ------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=SHARED, help="the shared eval folder")
    ap.add_argument("--limit", type=int, default=60, help="pages with comments to use (0: all 276)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    ap.add_argument("--verbose", action="store_true", help="list every wrong pair")
    ap.add_argument("--crawl", action="store_true",
                    help="also run each pair through real `pagetrail crawl` + `pagetrail diff` over "
                    "loopback (slow: use it with a small --limit)")
    args = ap.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    with tempfile.TemporaryDirectory(prefix="pagetrail-channel-eval-") as tmp:
        with tarfile.open(args.eval / "comments" / "dragnet-dev.tar.gz") as tf:
            tf.extractall(tmp, filter="data")
        pages = load_pages(Path(tmp), args.limit or None)
    print(f"building pairs from {len(pages)} pages with comments ...", file=sys.stderr)
    pairs = build_pairs(pages, kinds)
    tools: list = [Pagetrail(), Trafilatura()]
    crawl_dir = tempfile.TemporaryDirectory(prefix="pagetrail-channel-eval-crawl-")
    if args.crawl:
        tools.append(Crawled(Path(crawl_dir.name) / "archive"))
    right = {(t.name, k): 0 for t in tools for k in kinds}
    total = dict.fromkeys(kinds, 0)
    false_noise = {(t.name, k): 0 for t in tools for k in NOISE_KINDS}
    by_place = {(t.name, p): [0, 0] for t in tools for p in PROMO_PLACES}
    for done, (pid, kind, old, new, where) in enumerate(pairs, 1):
        url = f"http://eval.test/{pid}/"
        total[kind] += 1
        for tool in tools:
            got, summary = tool.channels(old, new, url)
            ok = got == EXPECTED[kind]
            right[(tool.name, kind)] += ok
            if kind == "promo":
                by_place[(tool.name, where)][0] += ok
                by_place[(tool.name, where)][1] += 1
            if kind in NOISE_KINDS and got:
                false_noise[(tool.name, kind)] += 1
            if not ok and args.verbose:
                print(f"  WRONG {tool.name:15} page {pid:>4} {kind:7} {where:15} got {sorted(got)}: {summary}")
        if done % 50 == 0:
            print(f"  {done}/{len(pairs)} pairs", file=sys.stderr)
    print(f"\n{len(pairs)} pairs from {len(pages)} pages "
          f"(right = exactly the expected channel changed, nothing else)\n")
    print(f"| kind | pairs | {' | '.join(t.name for t in tools)} |")
    print(f"|---|---|{'---|' * len(tools)}")
    for k in kinds:
        cells = [f"{right[(t.name, k)]}/{total[k]} ({right[(t.name, k)] / max(total[k], 1):.0%})" for t in tools]
        print(f"| {k} | {total[k]} | {' | '.join(cells)} |")
    n = sum(total.values())
    cells = [f"{sum(right[(t.name, k)] for k in kinds)}/{n} "
             f"({sum(right[(t.name, k)] for k in kinds) / max(n, 1):.1%})" for t in tools]
    print(f"| **all** | {n} | {' | '.join(cells)} |")
    for k in NOISE_KINDS:
        if total.get(k):
            cells = [f"{false_noise[(t.name, k)]}/{total[k]} ({false_noise[(t.name, k)] / total[k]:.1%})" for t in tools]
            print(f"| {k} false-change rate | {total[k]} | {' | '.join(cells)} |")
    if total.get("promo"):
        print("\npromo by place: " + "; ".join(
            f"{p} {by_place[(tools[0].name, p)][0]}/{by_place[(tools[0].name, p)][1]}" for p in PROMO_PLACES)
            + " (pagetrail)")
    crawl_dir.cleanup()
    print("\ntime spent segmenting/extracting and diffing: "
          + ", ".join(f"{t.name} {t.seconds:.1f} s" for t in tools)
          + f" (pagetrail/trafilatura {tools[0].seconds / max(tools[1].seconds, 1e-9):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
