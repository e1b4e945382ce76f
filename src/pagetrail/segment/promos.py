"""Injected promo text: a short run of text with a call to action, an outbound (often affiliate)
link and words the rest of the article does not use, wherever it was put.

Promos are injected as paragraphs, but also into list items, divs, the loose text of the article
container, the end of an existing paragraph (after a line break or not), after headings and into
sidebars. So the unit scored here is a *run* (runs.py): the text between two block boundaries (block
elements and ``<br>``), whatever element holds it. A run that is a promo is cut out of the tree
whole: its text nodes and inline elements, or the whole element when the run is all of it. When a
promo was appended to a paragraph of article prose, the run is scored sentence by sentence and
only the promo's sentences are cut. Thresholds and word lists: patterns_ads.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import justext
from lxml import etree

from pagetrail.segment import patterns_ads as D
from pagetrail.segment.runs import Run, Texts, runs, runs_holding
from pagetrail.segment.textutil import host, site, words

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: A sentence ends at . ! ? or : followed by white space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[\"'“‘(\[A-Z0-9])")


#: Words that say nothing about a topic: our short list and jusText's stoplist (the language's
#: most frequent words, shipped with trafilatura's jusText). With the short list alone, words
#: such as "every", "one", "another", "first" made any promo look on topic in a long article.
_STOP = D.STOPWORDS | frozenset(justext.get_stoplist(D.TOPIC_STOPLIST_LANGUAGE))


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in words(text) if w not in _STOP}


def _calls_to_action(low: str) -> tuple[str | None, str | None]:
    return (next((c for c in D.CALL_TO_ACTION if c in low), None),
            next((c for c in D.WEAK_CALL_TO_ACTION if c in low), None))


_PRICE = re.compile(D.PRICE)


def _sells(low: str) -> bool:
    """True when the text makes an offer: a selling phrase or a price."""
    return any(o in low for o in D.OFFER_SIGNS) or _PRICE.search(low) is not None


_CTA_WORDS = {c: _content_words(c) for c in (*D.CALL_TO_ACTION, *D.WEAK_CALL_TO_ACTION)}


def _topic_words(text: str) -> set[str]:
    """The content words of ``text`` without those of its calls to action: "read more about it
    here" is how a promo asks, not what it is about ("read" is in most articles)."""
    low = text.lower()
    mine = _content_words(text)
    for phrase, ws in _CTA_WORDS.items():
        if phrase in low:
            mine -= ws
    return mine


@dataclass
class Promo:
    """A promo found: the runs it spans (lead-ins first), the character range of the last one
    when only part of it is the promo, its links and why it was taken."""

    runs: list[Run]
    text: str
    links: list[str]
    reason: str
    span: tuple[int, int] | None = None  # of runs[-1].raw; None: all of it

    def whole_blocks(self) -> list[etree._Element]:
        """The blocks that hold nothing but this promo's text (they go as elements)."""
        out = []
        for i, run in enumerate(self.runs):
            if (self.span is None or i < len(self.runs) - 1) and _only_run_of(run):
                out.append(run.block)
        return out

    def cut(self) -> None:
        for i, run in enumerate(self.runs):
            if i == len(self.runs) - 1 and self.span is not None:
                run.cut(*self.span)
            else:
                run.cut()


def _only_run_of(run: Run) -> bool:
    """True when the run's text is all the text of its block."""
    return " ".join("".join(run.block.itertext()).split()) == run.text


class _Scorer:
    """Scores runs; the words of the first ``article_runs`` runs are the article's."""

    def __init__(self, texts: Texts | list[str], article_runs: int, url: str, root: etree._Element, is_paid: callable) -> None:
        self.texts = texts
        self.article_runs = article_runs
        self.url, self.root = url, root
        self._own_sites: set[str] | None = None
        self.is_paid = is_paid
        self.paid: set[str] = set()  # hrefs found paying (by URL or rel="sponsored")
        self._words: dict[int, set[str]] | None = None
        self.counts: Counter = Counter()
        self.current = 0  # the run being scored

    def words_of(self, i: int) -> set[str]:
        # The article's runs are all read (their words are the article's topic); the others only
        # when scored: most of them (sidebars, the rest of the page) never are.
        if self._words is None:
            self._words = {k: _content_words(t) for k, t in enumerate(self.texts[:self.article_runs])}
            self.counts = Counter(w for ws in self._words.values() for w in ws)
        self.current = i
        mine = self._words.get(i)
        if mine is None:
            mine = self._words[i] = _content_words(self.texts[i])
        return mine

    def own_sites(self) -> set[str]:
        """The page's own sites: its URL's, and those its head names as the page's address
        (``<link rel="canonical">``, ``og:url``): a capture fetched through a mirror, a proxy or
        another host name links home to the canonical one."""
        if self._own_sites is None:
            self._own_sites = {site(host(self.url))} - {""}
            head = self.root.find("head")
            for el in head.iter("link", "meta") if head is not None else ():
                key = (el.get("rel") or el.get("property") or "").lower()
                if key in D.OWN_ADDRESS_KEYS:
                    h = host((el.get("href") or el.get("content") or "").strip())
                    if h:
                        self._own_sites.add(site(h))
        return self._own_sites

    def outbound(self, anchors: Iterable[etree._Element]) -> list[str]:
        """The links of ``anchors`` that leave the site or pay someone."""
        out = []
        for a in anchors:
            href = a.get("href") or ""
            h = host(href)
            if not h:
                continue
            if self.is_paid(href, a.get("rel") or ""):
                self.paid.add(href)
                out.append(href)
            elif site(h) not in self.own_sites():
                out.append(href)
        return out

    def score(self, low: str, links: list[str]) -> tuple[int, list[str]]:
        cta, weak = _calls_to_action(low)
        affiliate = any(h in self.paid for h in links)
        if not affiliate and not _sells(low):
            # "To read more, click here" before a plain link to another site is how writers
            # cite a source: without a link that pays, only an offer makes it a promo.
            return 0, ["no paying link and no offer"]
        pts = D.PROMO_POINTS
        score = (pts["strong call to action"] * bool(cta) + pts["weak call to action"] * bool(weak)
                 + (pts["affiliate link"] if affiliate else pts["outbound link"] if links else 0))
        signs = [f"call to action {cta or weak!r}" if cta or weak else "",
                 "affiliate link" if affiliate else "outbound link"]
        return score, [s for s in signs if s]

    def overlap(self, mine: set[str], also_own: Counter | None = None) -> float:
        """Share of ``mine`` (words of the current run) found in the article's other runs, or in
        ``also_own`` (the rest of a run whose part is scored)."""
        if not mine:
            return 1.0
        own = 1 if self.current < self.article_runs else 0  # the run's own count among the article's
        shared = sum(1 for w in mine if self.counts[w] > own or (also_own and also_own[w]))
        return shared / len(mine)


def _max_possible(low: str) -> int:
    cta, weak = _calls_to_action(low)
    pts = D.PROMO_POINTS
    return pts["strong call to action"] * bool(cta) + pts["weak call to action"] * bool(weak) + pts["affiliate link"]


#: Whether a promo needs a strong call to action to reach PROMO_MIN_SCORE (it does unless a weak
#: one and the best link reach it): then a region without one holds no promo.
_NEEDS_STRONG = (D.PROMO_POINTS["weak call to action"]
                 + max(D.PROMO_POINTS["affiliate link"], D.PROMO_POINTS["outbound link"]) < D.PROMO_MIN_SCORE)


def _candidates(regions: list[etree._Element], exclude: list[etree._Element],
                scorer: _Scorer) -> set[tuple[etree._Element, tuple[str, etree._Element]]]:
    """The runs of ``regions`` that could reach the score (one with a strong call to action and
    a link that leaves the site or pays), by their block and first piece. Only the runs in blocks
    whose text holds a call to action are read: on most pages with one somewhere (a comment, a
    menu) no run is a candidate, and the page's runs are never all built (find_promos -25% on
    the comments set); on the others only the candidates' texts are read as candidates."""
    return {(run.block, run.pieces[0]) for run in runs_holding(regions, exclude, D.CALL_TO_ACTION)
            if (text := run.text) and _max_possible(text.lower()) >= D.PROMO_MIN_SCORE
            and scorer.outbound(run.links())}


def find_promos(regions: list[etree._Element], url: str, is_paid: callable,
                article_regions: int | None = None, exclude: Iterable[etree._Element] = ()) -> list[Promo]:
    """Promos in ``regions`` (the article, what follows it, sidebars, the rest of the page; a
    later region leaves out the earlier ones and ``exclude``), scored against the words of the
    first ``article_regions`` of them (default all). ``is_paid(href, rel)`` tells an affiliate or
    sponsored link."""
    exclude = [e for e in exclude if e is not None]
    article_regions = len(regions) if article_regions is None else article_regions
    root = regions[0].getroottree().getroot()
    candidates = _candidates(regions, exclude, _Scorer([], 0, url, root, is_paid)) if _NEEDS_STRONG else None
    if candidates is not None and not candidates:
        return []  # no run can reach the score: the page's runs need not be built
    all_runs, article_runs = [], 0
    for n, region in enumerate(regions):
        all_runs.extend(runs(region, skip=[*regions[:n], *exclude]))
        if n + 1 == article_regions:
            article_runs = len(all_runs)
    # A run's text is read when needed: the other runs' texts are read only when the article's
    # words are (a candidate with a link) and a lead-in is looked for (-45% on those pages).
    texts = Texts(all_runs)
    scorer = _Scorer(texts, article_runs, url, root, is_paid)
    found: list[Promo] = []
    taken: set[int] = set()
    for i, run in enumerate(all_runs):
        if i in taken or (candidates is not None and (run.block, run.pieces[0]) not in candidates):
            continue  # not a candidate: it fails one of the three tests below
        text = texts[i]
        if not text:
            continue
        low = text.lower()
        if _max_possible(low) < D.PROMO_MIN_SCORE:
            continue  # too weak even with an affiliate link: its links need not be looked at
        links = scorer.outbound(run.links())
        if not links:
            continue
        scorer.words_of(i)
        whole = _whole(scorer, i, run, text, links)
        part = _part(scorer, i, run, links, prose_only=whole is not None)
        promo = part or whole
        if promo is None:
            continue
        # a lead-in precedes the run: it can only belong to a promo that starts the run
        lead = _lead_in(all_runs, texts, i, scorer) if promo.span is None or promo.span[0] == 0 else None
        if lead is not None and lead not in taken:
            promo.runs.insert(0, all_runs[lead])
            promo.text = texts[lead] + " " + promo.text
            taken.add(lead)
        taken.add(i)
        found.append((i, promo))
    # A page whose article is mostly "promos" is an advertorial: its text is the article.
    in_article = [p for i, p in found if i < article_runs]
    if (len(in_article) >= D.ADVERTORIAL_MIN_PROMOS
            and sum(len(p.text.split()) for p in in_article)
            > D.PROMO_MAX_ARTICLE_SHARE * sum(len(t.split()) for t in texts[:article_runs])):
        return [p for i, p in found if i >= article_runs]
    return [p for _i, p in found]


def _whole(scorer: _Scorer, i: int, run: Run, text: str, links: list[str]) -> Promo | None:
    if len(text.split()) > D.PROMO_MAX_WORDS:
        return None
    score, signs = scorer.score(text.lower(), links)
    if score < D.PROMO_MIN_SCORE:
        return None
    scorer.words_of(i)
    overlap = scorer.overlap(_topic_words(text))
    if overlap > D.PROMO_MAX_OVERLAP:
        return None
    return Promo([run], text, links, ", ".join([*signs, f"{overlap:.0%} word overlap with the article"]))


def _sentences(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``raw``."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(raw):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(raw)))
    return [(a, b) for a, b in out if raw[a:b].strip()]


def _part(scorer: _Scorer, i: int, run: Run, links: list[str], prose_only: bool = False) -> Promo | None:
    """The promo's sentences inside a longer run of article prose: the sentence holding the
    promo's link, the sentences after it with a call to action, and the sentences before it that
    are off the article's topic and share a word with the promo (or are a short lead-in ending in
    ':'); a link sentence with hardly a word of its own ("Read more about it here.") takes the
    sentence before it. With ``prose_only`` (the whole run passed as a promo) the rest of the run
    must be on the article's topic, else the whole run is the promo."""
    raw = run.raw
    sents = _sentences(raw)
    if len(sents) < 2:
        return None
    starts = []  # where each piece holding one of the promo's links starts in raw
    pos = 0
    for (kind, node), piece in zip(run.pieces, run.piece_texts(), strict=True):
        if kind == "el" and any((a.get("href") or "") in links for a in node.iter("a")):
            starts.append(pos + len(piece) - len(piece.lstrip()))
        pos += len(piece)
    at = next((k for k, (a, b) in enumerate(sents) for s in starts if a <= s < b), None)
    if at is None:
        return None
    first, last = at, at
    while last + 1 < len(sents) and any(_calls_to_action(raw[slice(*sents[last + 1])].lower())):
        last += 1
    sent_words = [_topic_words(raw[a:b]) for a, b in sents]

    def rest_of_run(lo: int, hi: int) -> Counter:
        return Counter(w for k, ws in enumerate(sent_words) if not lo <= k <= hi for w in ws)

    unchained = False  # the sentence before the span shares no word with it
    while first > 0:
        cand = raw[slice(*sents[first - 1])]
        span_words = set().union(*sent_words[first:last + 1])
        short_lead = cand.rstrip().endswith(":") and len(cand.split()) <= D.PROMO_LEADIN_MAX_WORDS
        # measured against other runs and the run's text after the span: the sentences before
        # the candidate may be the promo's too
        off_topic = scorer.overlap(sent_words[first - 1], rest_of_run(0, last)) <= D.PROMO_MAX_OVERLAP
        chained = bool(sent_words[first - 1] & span_words) or len(span_words) < 3
        if not (short_lead or (off_topic and chained)):
            unchained = not chained
            break
        first -= 1
    if first == 0 and last == len(sents) - 1:
        return None  # the whole run
    mine = set().union(*sent_words[first:last + 1])
    overlap = scorer.overlap(mine, rest_of_run(first, last))
    if prose_only:
        # The whole run passed as a promo: only a part of it is, when the rest is another
        # subject (shares no word with the promo) and closer to the article's than the promo is.
        outside = set().union(*(ws for k, ws in enumerate(sent_words) if not first <= k <= last)) - mine
        if (not unchained or len(outside) < D.PROMO_SPLIT_MIN_WORDS
                or scorer.overlap(outside) < max(overlap, D.PROMO_SPLIT_MIN_OVERLAP)):
            return None
    text = " ".join(raw[sents[first][0]:sents[last][1]].split())
    if len(text.split()) > D.PROMO_MAX_WORDS:
        return None
    score, signs = scorer.score(text.lower(), links)
    if score < D.PROMO_MIN_SCORE:
        return None
    if overlap > D.PROMO_MAX_OVERLAP:
        return None
    reason = ", ".join([*signs, f"{overlap:.0%} word overlap with the article", "inside a paragraph"])
    return Promo([run], text, links, reason, span=(sents[first][0], sents[last][1]))


def _lead_in(all_runs: list[Run], texts: Texts, i: int, scorer: _Scorer) -> int | None:
    """The run just before run ``i`` when it is a lead-in of the promo: short, and a bold line or
    a line ending in ':', '?' or '!', or a heading that introduces nothing else (the promo runs to
    the next heading or the end)."""
    j = i - 1
    while j >= 0 and not texts[j]:
        j -= 1
    if j < 0:
        return None
    lead, text = all_runs[j], texts[j]
    if len(text.split()) > D.PROMO_LEADIN_MAX_WORDS:
        return None
    if lead.block.tag in _HEADINGS or any(a.tag in _HEADINGS for a in lead.block.iterancestors()):
        # A heading is the article's unless it introduces nothing but the promo: the promo runs
        # to the next heading or to the end of its region.
        if not _only_run_of(lead):
            return None
        end = scorer.article_runs if i < scorer.article_runs else len(all_runs)
        after = next((k for k in range(i + 1, end) if texts[k]), None)
        return j if after is None or all_runs[after].block.tag in _HEADINGS else None
    if text.endswith((":", "?", "!")):
        return j
    # A bold line is a label ("Special offer") unless it is a sentence: the author's emphasis.
    if lead.bold_only() and not text.endswith("."):
        return j
    return None
