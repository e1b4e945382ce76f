"""The segmenter's site knowledge, as data: the functions in ads.py and article.py apply these
lists and never name a site themselves. Tune here (comments: segment/comments/patterns.py)."""

from __future__ import annotations

import re

# ---------------------------------------------------------------- ads: affiliate and sponsored
#: Hosts (suffix match) whose links are affiliate or ad-network redirects.
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
#: URL query/path patterns that mark a link as affiliate on any host.
# ads._AFFILIATE_QUICK lists a literal that each alternative here needs: keep the two in step.
AFFILIATE_URL = re.compile(
    r"(?:[?&](?:affid|aff_id|affiliate_id|aff|associate_id|partner_id|clickref)=[^&]+)"
    r"|/aff(?:iliate)?/|/go/[a-z0-9_-]+/?$|/recommends/|/refer/|/out/",
    re.I,
)
AMAZON_HOSTS = ("amazon.", "amzn.")
#: rel values that declare a paid link (HTML spec / Google's link attributes).
SPONSORED_REL = {"sponsored"}

# ---------------------------------------------------------------- ads: units, frames, scripts
#: Hosts that serve ads in iframes and scripts (a fallback beside EasyList's network rules).
AD_HOSTS = (
    "doubleclick.net", "googlesyndication.com", "googleadservices.com", "adservice.google.com",
    "amazon-adsystem.com", "adnxs.com", "criteo.com", "criteo.net", "taboola.com", "outbrain.com",
    "rubiconproject.com", "pubmatic.com", "openx.net", "adsrvr.org", "moatads.com", "media.net",
    "yieldmo.com", "adform.net", "smartadserver.com", "advertising.com", "zedo.com", "adroll.com",
    "revcontent.com", "mgid.com", "casalemedia.com", "33across.com", "sharethrough.com",
    "infolinks.com", "chitika.com", "buysellads.com", "carbonads.com", "propellerads.com",
)
#: Tracking pixels: noise, not ads; ignored as chrome.
PIXEL_HOSTS = ("google-analytics.com", "facebook.com/tr", "pixel.", "quantserve.com",
               "scorecardresearch.com", "b.scorecardresearch.com", "stats.wp.com", "bat.bing.com")
#: Class/id tokens of ad containers, used beside EasyList (which has most of them too).
AD_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|adv|advert|advertisement|advertising|adsbygoogle|ad-slot|adslot|"
    r"ad-unit|adunit|ad-container|ad-wrapper|adbox|sponsor|sponsored|dfp|gpt-ad|banner-ad|"
    r"google-ad|promoted|native-ad)(?:$|[\s_-])",
    re.I,
)
#: Classes/ids that look like ad tokens but are not ("ad" inside words is already excluded by
#: the token boundaries; these are whole tokens that mean something else).
AD_TOKEN_FALSE = re.compile(r"\b(?:add|addthis|admin|adr|address|head|shadow|load|read|badge)", re.I)

# ---------------------------------------------------------------- ads: injected promo text
#: Calls to action typical of injected promotions (lower-case substrings). Strong ones are rare
#: in editorial prose; weak ones also occur there and only count together with other signs.
CALL_TO_ACTION = (
    "read more about it", "read more about this", "click here", "order now", "buy now",
    "order today", "get it now", "get yours", "sign up now", "download now", "try it free",
    "limited time", "special offer", "first resort i always", "i always recommend",
    "has worked wonderfully", "money back", "free trial", "act now", "grab your", "coupon code",
    "use code", "promo code", "% off", "discount code", "claim your",
)
WEAK_CALL_TO_ACTION = (
    "check out", "check it out", "visit ", "learn more", "find out more", "try it", "discount",
    "guarantee", "all natural", "i highly recommend", "recommend to my", "don't miss", "read more",
    "sign up", "subscribe",
)
#: Points a block needs to be a promo: strong call to action 2, weak 1, affiliate link 2,
#: outbound link 1 (an outbound or affiliate link is required in any case).
PROMO_MIN_SCORE = 4
#: Link texts that sell: a block holding only such a paid link is removed from the article.
SHOP_CTA = re.compile(r"\b(?:buy|shop|order|get it|get the deal|see (?:the )?(?:deal|price)|check (?:the )?price|"
                      r"view (?:the )?deal|available (?:at|on)|sign up|subscribe|download|book now|"
                      r"\d+% off|save \$?\d+|coupon|free shipping)\b")
#: A promo is short; longer blocks are article prose even with a link.
PROMO_MAX_WORDS = 120
#: Share of the promo's content words also found in the rest of the article, below which the
#: promo is off-topic.
PROMO_MAX_OVERLAP = 0.35
#: A heading-like lead-in ("For infertility Patients:") directly before a promo joins it.
PROMO_LEADIN_MAX_WORDS = 8

STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it "
    "its this that these those i you he she we they my your our their his her me us them not no "
    "so do does did have has had will would can could should may might must there here what which "
    "who whom when where why how all any some more most other such only own same than too very "
    "just also about into over after before between out up down off again further then once "
    "because while during each few both through until against above below".split()
)

# ---------------------------------------------------------------- chrome
#: Tags that never hold article or comments.
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "object", "embed")
#: Chrome described in Snapshot.ignored: (tag, ARIA role or None, whether a tag inside an
#: <article> is the article's own and not chrome, description). Elements with the tag or the
#: role count, in document order.
CHROME = (
    ("nav", "navigation", False, "navigation"),
    ("header", "banner", True, "header"),
    ("footer", "contentinfo", True, "footer"),
    ("aside", "complementary", False, "sidebar"),
    ("form", None, False, "form"),
)
CHROME_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:sidebar|widget|nav|navbar|menu|breadcrumbs?|footer|masthead|"
    r"share|sharing|social|related|popular|newsletter|subscribe|cookie|tagcloud|tag-cloud)(?:$|[\s_-])",
    re.I,
)

# Comments: see segment/comments/patterns.py.
