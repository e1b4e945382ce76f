"""What the differ treats as noise, as data. The functions in ``noise.py`` apply these.

Edit these lists to tune what counts as a change; each entry says why it is noise.
"""

from __future__ import annotations

import re

#: Query parameters that track the visitor or the campaign, never the content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking",
    "igshid", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id", "wickedid",
    "ref", "ref_src", "ref_url", "spm", "scid", "s_cid", "cmpid", "ncid",
})
#: Prefixes of tracking parameters (utm_source, utm_medium, pk_campaign ...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "piwik_", "hmb_", "ga_")

#: Query parameters whose value is a cache-buster, a nonce or a per-request id: the value is
#: dropped, the name kept (a link that gains or loses one is still the same link).
VOLATILE_PARAMS = frozenset({
    "ver", "v", "cb", "cachebuster", "cache_buster", "_", "rand", "random", "rnd", "r", "nonce",
    "_wpnonce", "wpnonce", "ts", "t", "timestamp", "time", "correlator", "ord", "dt", "sid",
    "sessionid", "phpsessid", "jsessionid", "token", "csrf", "_token", "bust",
})

#: A value that looks random or like a timestamp (hex/base64 run with digits, or a long number).
RANDOM_TOKEN = re.compile(
    r"^(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,}$"  # long mixed token with at least one digit
    r"|^[0-9a-fA-F]{12,}$"  # hex digest, uuid parts
    r"|^\d{10,}$"  # unix timestamps (s, ms), ad correlators
    r"|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"  # uuid
)
#: The same shapes inside a path segment (e.g. /cache/8f3a9c2e71d4a0b9/ad.js).
RANDOM_PATH_SEGMENT = re.compile(r"^(?:[0-9a-fA-F]{16,}|\d{10,})$")

#: Relative dates printed by comment systems: they change by themselves as time passes.
RELATIVE_DATE = re.compile(
    r"^\s*(?:about\s+|over\s+|almost\s+)?(?:a|an|one|\d+|few|a\s+few)\s+"
    r"(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?)\s+ago\s*$"
    r"|^\s*(?:just\s+now|now|today|yesterday|moments?\s+ago|a\s+moment\s+ago)\s*$"
    r"|^\s*\d+\s*[smhdwy]\s*(?:ago)?\s*$",
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
