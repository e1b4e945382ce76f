"""The ad step's knowledge, as data: ads.py and promos.py apply these lists and never name a site
or a page themselves. Tune here; the regular expressions and the quick pre-tests in front of them
are built from these lists when ads.py is imported, so they cannot drift apart."""

from __future__ import annotations

# ---------------------------------------------------------------- affiliate and sponsored links
#: Hosts (suffix match) whose links are affiliate or ad-network redirects. An entry with a "/"
#: is matched as a substring of the URL (a host with a path).
AFFILIATE_HOSTS = (
    "hop.clickbank.net", "clickbank.net",  # ClickBank hop links
    "anrdoezrs.net", "dpbolvw.net", "jdoqocy.com", "kqzyfj.com", "tkqlhce.com",  # CJ
    "emjcd.com", "qksrv.net", "ftjcfx.com", "lduhtrp.net", "afcyhf.com", "awltovhc.com",  # CJ
    "shareasale.com", "shrsl.com",  # ShareASale
    "awin1.com", "zenaps.com",  # Awin
    "click.linksynergy.com", "linksynergy.com",  # Rakuten / LinkShare
    "go.skimresources.com", "redirect.viglink.com", "viglink.com",  # Skimlinks, VigLink
    "sovrn.co", "prf.hn", "pntra.com", "pntrs.com", "pjtra.com", "pjatr.com", "gopjn.com",
    "impactradius-go.com", "sjv.io", "ojrq.net", "7eer.net", "evyy.net", "pxf.io",  # impact.com
    "avantlink.com", "flexlinks.com", "tradedoubler.com", "webgains.com", "partnerize.com",
    "rstyle.me", "shopstyle.it", "amzn.to", "amzn.com/dp", "clkmg.com", "jvzoo.com",
    "doubleclick.net", "googleadservices.com", "adclick.g.doubleclick.net",
    "paid.outbrain.com", "outbrain.com", "taboola.com", "revcontent.com", "mgid.com",
)
#: Query parameters that mark a link to another site as affiliate (``?aff_id=...``).
AFFILIATE_QUERY_KEYS = ("affid", "aff_id", "affiliate_id", "aff", "associate_id", "partner_id", "clickref")
#: Path parts that mark a link to another site as a (cloaked) affiliate redirect.
AFFILIATE_PATH_PARTS = ("/aff/", "/affiliate/", "/go/", "/recommends/", "/refer/", "/out/")
#: Amazon hosts (prefixes of a host label) and the query key of an Associates id.
AMAZON_HOSTS = ("amazon.", "amzn.")
AMAZON_TAG_KEY = "tag"
#: rel values that declare a paid link (HTML spec / Google's link attributes).
SPONSORED_REL = frozenset({"sponsored"})

# ---------------------------------------------------------------- ad units, frames, scripts
#: Hosts that serve ads in iframes and scripts (a fallback beside EasyList's network rules).
AD_HOSTS = (
    "doubleclick.net", "googlesyndication.com", "googleadservices.com", "adservice.google.com",
    "amazon-adsystem.com", "adnxs.com", "criteo.com", "criteo.net", "taboola.com", "outbrain.com",
    "rubiconproject.com", "pubmatic.com", "openx.net", "adsrvr.org", "moatads.com", "media.net",
    "yieldmo.com", "adform.net", "smartadserver.com", "advertising.com", "zedo.com", "adroll.com",
    "revcontent.com", "mgid.com", "casalemedia.com", "33across.com", "sharethrough.com",
    "infolinks.com", "chitika.com", "buysellads.com", "carbonads.com", "propellerads.com",
)
#: Class/id tokens of ad containers, used beside EasyList (which has most of them too). A token
#: matches a whole class/id word, where words are separated by white space, "-" or "_".
AD_TOKENS = (
    "ad", "ads", "adv", "advert", "advertisement", "advertising", "adsbygoogle", "ad-slot", "adslot",
    "ad-unit", "adunit", "ad-container", "ad-wrapper", "adbox", "sponsor", "sponsored", "dfp",
    "gpt-ad", "banner-ad", "google-ad", "promoted", "native-ad",
)
#: Class/id words that start like an ad token but mean something else.
AD_TOKEN_FALSE = ("add", "addthis", "admin", "adr", "address", "head", "shadow", "load", "read", "badge")
#: Tags an ad container found by its class/id can have.
AD_CONTAINER_TAGS = frozenset(("div", "section", "aside", "ins", "span", "li", "figure"))
#: An "ad unit" holding more than this share of the page's text is a false match.
AD_UNIT_MAX_PAGE_SHARE = 0.25
#: ... unless it holds fewer characters than this.
AD_UNIT_MIN_CHARS = 300

# ---------------------------------------------------------------- injected promo text
#: Calls to action typical of injected promotions (lower-case substrings). Strong ones are rare
#: in editorial prose; weak ones also occur there and only count together with other signs.
CALL_TO_ACTION = (
    "read more about it", "read more about this", "click here", "order now", "buy now",
    "order today", "get it now", "get yours", "sign up now", "download now", "try it free",
    "limited time", "special offer", "i always recommend", "money back", "free trial", "act now",
    "grab your", "coupon code", "use code", "promo code", "% off", "discount code", "claim your",
)
WEAK_CALL_TO_ACTION = (
    "check out", "check it out", "visit ", "learn more", "find out more", "try it", "discount",
    "guarantee", "all natural", "i highly recommend", "recommend to my", "don't miss", "read more",
    "sign up", "subscribe",
)
#: A promo whose links pay nobody (no affiliate URL, no rel="sponsored") needs an offer as well:
#: one of these (lower-case substrings: selling, or soliciting a signup) or a price. "Read more
#: about each item, click here" with a plain link to another site cites a source; a call to
#: action alone does not sell anything.
OFFER_SIGNS = (
    "order now", "buy now", "order today", "get yours", "special offer", "limited time", "money back",
    "free trial", "try it free", "coupon", "promo code", "use code", "discount", "% off", "claim your",
    "grab your", "i always recommend", "i highly recommend", "all natural", "guarantee", "free shipping",
    "best price", "lowest price", "sale ends", "only $",
    "subscribe to", "sign up for", "newsletter",
)
#: A price (currency sign or code beside a number): an offer too.
PRICE = r"[$€£¥]\s?\d|\b\d+(?:[.,]\d\d)?\s?(?:usd|eur|gbp)\b"
#: The page's own address besides its URL, from its head: <link rel=...> and <meta property=...>
#: keys whose host is the page's site (links there are not outbound).
OWN_ADDRESS_KEYS = frozenset(("canonical", "og:url", "shortlink"))
#: Points of each sign of a promo; a block needs PROMO_MIN_SCORE, and an outbound or affiliate
#: link in any case.
PROMO_POINTS = {"strong call to action": 2, "weak call to action": 1, "affiliate link": 2, "outbound link": 1}
PROMO_MIN_SCORE = 4
#: Link texts that sell: a block holding only such a paid link is removed from the article.
SHOP_CTA = (
    r"\b(?:buy|shop|order|get it|get the deal|see (?:the )?(?:deal|price)|check (?:the )?price|"
    r"view (?:the )?deal|available (?:at|on)|sign up|subscribe|download|book now|"
    r"\d+% off|save \$?\d+|coupon|free shipping)\b"
)
#: A paid link is the whole block (a button) when its text is at least this share of the block's.
PAID_LINK_BLOCK_SHARE = 0.6
#: A promo is short; longer runs of text are article prose even with a link.
PROMO_MAX_WORDS = 120
#: Share of the promo's content words also found in the rest of the article, above which the
#: text is on the article's topic and not a promo.
PROMO_MAX_OVERLAP = 0.35
#: When a whole paragraph passes as a promo but its first sentences do not share a word with the
#: promo's, they are the article's (a promo appended to article prose) only if at least this share
#: of their content words occur elsewhere in the article; else the paragraph is the promo.
PROMO_SPLIT_MIN_OVERLAP = 0.15
#: ... and only if they hold at least this many content words (fewer say too little to tell).
PROMO_SPLIT_MIN_WORDS = 8
#: Promos are a small part of an article: when the promos found make up more than this share of
#: the article's words, the page is an advertorial and its text is the article (none is a promo).
PROMO_MAX_ARTICLE_SHARE = 0.5
ADVERTORIAL_MIN_PROMOS = 2
#: A heading-like lead-in ("For infertility Patients:") directly before a promo joins it.
PROMO_LEADIN_MAX_WORDS = 8

#: jusText's stoplist (that language's most frequent words) joins STOPWORDS when promos.py tells
#: what a run is about: frequent words are no sign of a topic.
TOPIC_STOPLIST_LANGUAGE = "English"
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it "
    "its this that these those i you he she we they my your our their his her me us them not no "
    "so do does did have has had will would can could should may might must there here what which "
    "who whom when where why how all any some more most other such only own same than too very "
    "just also about into over after before between out up down off again further then once "
    "because while during each few both through until against above below".split()
)
#: Elements whose source may be an ad server (find_ad_frames).
FRAME_TAGS = ("iframe", "script", "embed", "object")
