"""What the differ treats as noise, as data. The functions in ``noise.py`` apply these.

Edit these lists to tune what counts as a change; each entry says why it is noise.
"""

from __future__ import annotations

import re

#: Query and ``;`` path parameters that track the visitor or the campaign, never the content:
#: compared as absent, whether they changed, appeared or disappeared.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking",
    "igshid", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id", "wickedid", "irclickid",
    "ref", "ref_src", "ref_url", "referrer", "spm", "scid", "s_cid", "cmpid", "ncid", "clickid", "click_id", "zanpid",
    "sr_share", "share", "feature", "src", "source", "from", "via", "si",
})
#: Prefixes of tracking parameters (utm_source, utm_medium, pk_campaign ...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "piwik_", "hmb_", "ga_", "hsa_", "vgo_")

#: Parameters whose value is a cache-buster, a version stamp, a nonce, a correlator or a per-request
#: id (ad requests carry dozens: screen size, time zone, history length): compared as absent, so
#: a script that gains ``?ver=6.4.2`` or a doubleclick tag whose ``;ord=`` changed is the same link.
VOLATILE_PARAMS = frozenset({
    "ver", "v", "version", "rev", "build", "cb", "cachebuster", "cache_buster", "cachebust",
    "nocache", "no_cache", "bust", "buster", "rand", "random", "rnd", "r", "nonce", "wpnonce",
    "ts", "t", "tm", "timestamp", "time", "correlator", "corr", "ord", "dt", "pvsid",
    "sid", "sessionid", "session_id", "phpsessid", "jsessionid", "aspsessionid", "cfid", "cftoken",
    "token", "csrf", "csrf_token", "callback", "jsonp", "cachekey", "hash", "seed", "uid", "cid",
    "bpp", "bdt", "idt", "fws", "ifi", "uci", "btvi", "psz", "msz", "biw", "bih", "scr_x", "scr_y",
    "adx", "ady", "lmt", "dtd", "vis", "frm", "prev_fmts", "prev_slotnames", "eid", "dmc",
    "pv", "avrdt", "jar", "wgl", "flash", "tile", "rdid",
})
#: Prefixes of volatile parameters (Google ad requests' ``u_h``, ``u_tz``; anything named with a
#: leading underscore, which sites use for internal, per-request values: ``_``, ``_wpnonce``, ``_t``).
VOLATILE_PREFIXES = ("u_", "dc_", "_")

#: Parameters that carry who gets paid for a click or a sale (affiliate, partner and publisher ids,
#: ClickBank's ``tid``, Amazon's ``tag``, AdSense's ``client``): always content, whatever their
#: value looks like, so a swapped affiliate id is reported.
PAYING_PARAMS = frozenset({
    "tid", "tag", "aff", "affid", "aff_id", "affiliate", "affiliate_id", "affiliateid", "aff_sub",
    "afftrack", "awinaffid", "awinmid", "a_aid", "a_bid", "partner", "partnerid",
    "partner_id", "pubid", "publisher", "publisher_id", "subid", "sub_id", "client",
    "associate_id", "clickref", "hop", "vendor",
})

#: Tracking names that some affiliate programs pay through (``?ref=partner42`` on a SaaS
#: signup, a course checkout, a referral program): noise on an ordinary link (``?ref=hn``), but
#: content on a link that is an affiliate link by its host or its other parameters, or that
#: points at a product, checkout or signup path (REF_PRODUCT_PATH), except on hosts whose
#: own navigation tracker it is (host labels in REF_SHOP_TRACKER_HOSTS: Amazon's ``ref=sr_1_1``;
#: Amazon pays through ``tag``).
REF_PARAMS = frozenset({"ref"})
REF_PRODUCT_PATH = re.compile(
    r"/(?:products?|items?|buy|shop|store|checkout|cart|order|pricing|plans?|signup|sign-up|register"
    r"|join|subscribe|courses?|download|dp|gp/product)(?:/|$|\.)", re.I)
REF_SHOP_TRACKER_HOSTS = ("amazon", "amzn")

#: Values whose shape alone says "cache-buster, timestamp, random token" on any site, whatever the
#: parameter is called: long numbers, decimals from Math.random(), hex digests, UUIDs, random
#: alphanumeric runs (a word slug like ``spring-sale-2011`` is not one: each of its pieces is
#: letters or digits, never both).
VOLATILE_VALUE = re.compile(
    r"^\d{9,}$"  # unix times (s, ms), ad ord / correlator numbers
    r"|^0?\.\d{6,}$"  # Math.random()
    r"|^\d{4}-?\d{2}-?\d{2}[T_ -]?\d{2}:?\d{2}(?::?\d{2})?\S*$"  # build timestamps
    r"|^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}$"  # hex digests, short git hashes
    r"|^(?=[0-9A-F]*[A-F])(?=[0-9A-F]*\d)[0-9A-F]{8,}$"
    r"|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"  # uuid
    r"|^(?=\S*[A-Za-z])(?=\S*\d)[A-Za-z0-9+/]{20,}={0,2}$"  # base64 runs
)
#: A piece of a value (between ``-``, ``_`` and ``.``) that mixes letters and digits over 10+
#: characters: a random token inside a longer value (``abc-9fK2x7Qp0Lm3``).
RANDOM_PIECE = re.compile(r"^(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{10,}$")
#: Path segments that are random tokens (e.g. /cache/8f3a9c2e71d4a0b9/ad.js) and content hashes in
#: file names (``app.8f3a9c2e.js``, ``style-1a2b3c4d5e.css``).
RANDOM_PATH_SEGMENT = re.compile(r"^(?:[0-9a-fA-F]{16,}|\d{10,})$")
FILE_HASH = re.compile(r"(?<=[.\-_])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?=\.[A-Za-z0-9]{1,5}$|[.\-_])")

#: Ad kinds that networks fill with a rotating creative: the same slot showing another creative
#: from the same network and the same publisher account is not a change.
ROTATING_AD_KINDS = frozenset({"ad-unit", "ad-frame"})

#: Time units of relative dates in the languages comment systems are most often localised to
#: (Spanish, Portuguese, German, French, Dutch, Italian): "hace 3 horas", "vor 2 Tagen", "il y a
#: 5 minutes", "3 uur geleden", "2 giorni fa".
LOCAL_UNITS = (
    r"(?:segundos?|minutos?|horas?|d[ií]as?|semanas?|meses|mes|años?|anos?"
    r"|sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?"
    r"|secondes?|minutes?|heures?|jours?|semaines?|mois|ans?"
    r"|seconden|minuut|uur|dag(?:en)?|weken|week|maanden|maand|jaar"
    r"|secondi|minuti|ore|ora|giorni|giorno|settimane|settimana|mesi|anni|anno)"
)

#: Relative dates printed by comment systems: they change by themselves as time passes.
RELATIVE_DATE = re.compile(
    r"^\s*(?:about\s+|over\s+|almost\s+)?(?:a|an|one|\d+|few|a\s+few)\s+"
    r"(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?)\s+ago\s*$"
    r"|^\s*(?:just\s+now|now|today|yesterday|moments?\s+ago|a\s+moment\s+ago)\s*$"
    r"|^\s*\d+\s*[smhdwy]\s*(?:ago)?\s*$"
    r"|^\s*(?:(?:hace|há|vor|il\s+y\s+a)\s+)?(?:\d+|un[ae]?|einem|einer)\s+" + LOCAL_UNITS
    + r"(?:\s+(?:geleden|fa|atrás))?\s*$",
    re.IGNORECASE,
)

#: Typography that markup and editors change without changing what the text says.
TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
})

#: Counters that comment systems print inside or beside a comment ("12 likes", "Reply (3)",
#: "+5 points"): they tick by themselves and are not what the commenter wrote.
COMMENT_COUNTERS = re.compile(
    r"(?:^|\s)[+-]?\d+\s*(?:likes?|dislikes?|votes?|upvotes?|downvotes?|points?|replies|"
    r"helpful|people found this helpful)\b\.?"
    r"|(?:^|\s)(?:like|likes|reply|replies|votes?)\s*\(\d+\)",
    re.IGNORECASE,
)

#: Counters and fresh relative times that leak into article text from the post's meta line
#: ("12 Comments", "Comments (12)", "Posted 3 hours ago"): they tick by themselves. Long spans
#: ("3 years ago") are left alone: in prose they are what the author wrote.
# (?![a-z]) rather than \b: text joined across markup ("23 CommentsTo receive") still matches,
# "3 commentators" does not.
ARTICLE_TICKERS = re.compile(
    r"\b\d+\s+(?:[Cc]omments?|[Rr]esponses?|[Rr]eplies|[Tt]rackbacks?|[Pp]ingbacks?|[Vv]iews?|[Ss]hares?"
    r"|COMMENTS?|RESPONSES?|REPLIES|VIEWS?|SHARES?)(?![a-z])"
    r"|(?i:\b(?:comments?|responses?|replies|trackbacks?|views?|shares?)\s*[:(]\s*\d+\s*\)?)"
    r"|(?i:\b\d+\s+(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?)\s+ago\b)",
)
#: Relative dates inside a comment's text, where a comment system prints them next to what the
#: commenter wrote ("6 hours ago Mita B. I always used ..."): they tick by themselves.
RELATIVE_DATE_IN_TEXT = re.compile(
    r"\b(?:\d+|an?|one)\s+(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(?:hace|há|vor|il\s+y\s+a)\s+\d+\s+" + LOCAL_UNITS + r"\b"
    r"|\b\d+\s+" + LOCAL_UNITS + r"\s+(?:geleden|fa|atrás)\b",
    re.IGNORECASE,
)

#: Words one of which every match of the pattern above it contains (lower-cased): a text without
#: any of them skips the pattern, which costs far more than these substring tests.
ARTICLE_TICKER_WORDS = ("comment", "respons", "repl", "trackback", "pingback", "view", "share", " ago")
COMMENT_COUNTER_WORDS = ("like", "vote", "point", "repl", "helpful")
RELATIVE_DATE_WORDS = (" ago", "hace", "há", "vor ", "il y a", "geleden", " fa", "atrás")
