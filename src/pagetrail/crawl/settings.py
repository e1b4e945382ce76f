"""Scrapy settings for pagetrail crawls (``scrapy.cfg`` points here, and ``run_crawl`` starts from
them). Anything here can be overridden per run: ``run_crawl(settings=...)``, ``pagetrail crawl --set``
or ``scrapy crawl snapshot -s NAME=VALUE``.
"""

from scrapy.settings import default_settings as _scrapy_defaults

from pagetrail.crawl.retryable import retry_exceptions as _retry_exceptions

BOT_NAME = "pagetrail"

# `scrapy crawl snapshot` from the repository root finds the thin spiders in spiders/ (scrapy.cfg puts
# the root on sys.path). pagetrail's own runner passes the spider class and clears this list.
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# -- archiving (pagetrail.crawl.middleware.ArchiveMiddleware) -------------------------------------
PAGETRAIL_ARCHIVE_ENABLED = True
PAGETRAIL_ARCHIVE_DIR = "archive"
PAGETRAIL_ARCHIVE_CLASS = "pagetrail.archive.Archive"  # anything with the Archive interface
PAGETRAIL_WARC_PREFIX = "pagetrail"
PAGETRAIL_WARC_MAX_SIZE = 1024**3  # rotate WARC files at 1 GB (warcprox's default)...
PAGETRAIL_WARC_MAX_AGE = 6 * 3600  # ... or once the current file is 6 hours old (seconds; 0: never)
# True: a crawl leaves its current WARC file open (parked, whole) for the next crawl of the same
# prefix and host to append to, until it reaches the size or age above. The daemon turns it on for
# its crawls, so a day of frequent crawls makes a few files; a file reaches index.cdxj when closed.
PAGETRAIL_WARC_APPEND = False
# True: fsync every fetch's WARC records and commit its catalog row before the crawl goes on.
# Off, rows are committed in batches (0.5 s) and files fsynced when closed; a killed crawl
# loses nothing either way (repair re-catalogs), only a machine crash can lose unsynced data.
PAGETRAIL_ARCHIVE_DURABLE = False
PAGETRAIL_CONDITIONAL_REQUESTS = True  # If-None-Match / If-Modified-Since on seed pages
# Keep the first DOWNLOAD_MAXSIZE bytes of a bigger body (archived with WARC-Truncated: length)
# instead of letting Scrapy cancel the download and keep nothing.
PAGETRAIL_KEEP_OVERSIZE = True
# Where the archive runs: "process" (a worker process of its own: gzip, digests, the write and the
# catalog run on another core while the reactor downloads), "thread" or "inline" (in the reactor's
# thread). See pagetrail/crawl/writer.py.
PAGETRAIL_ARCHIVE_WRITER = "process"

# -- the bytes on the wire (pagetrail.crawl.wire, docs/archive.md) ---------------------------------
# http and https go through pagetrail's own HTTP/1.1 client, which keeps the request and response
# bytes as they went over the wire for the archive's records. PAGETRAIL_RAW_HTTP = False hands
# the downloads to Scrapy's own client instead (records rebuilt from its parsed objects).
PAGETRAIL_RAW_HTTP = True
DOWNLOAD_HANDLERS = {
    "http": "pagetrail.crawl.wire.handler.RawHTTPDownloadHandler",
    "https": "pagetrail.crawl.wire.handler.RawHTTPDownloadHandler",
}

# -- rendered captures (seeds with render = true: pagetrail.crawl.render, docs/render.md) ---------
# Bounds per page: PAGETRAIL_RENDER_TOTAL_SECONDS (30), _SETTLE_SECONDS (10), _MAX_REQUESTS (500),
# _MAX_RESOURCE_BYTES (10 MB), _MAX_TOTAL_BYTES (50 MB), _MAX_DOM_BYTES (5 MB),
# _MAX_SCREENSHOT_HEIGHT (16384), _VIEWPORT_WIDTH / _HEIGHT (1280 x 900): see RenderBounds.
PAGETRAIL_RENDER_CHROMIUM_ARGS: list[str] = []  # more Chromium flags (a string is split like a shell)

# 950: after every other middleware has set its request headers, and so that process_response sees
# each response before HttpCompression (590) decodes it, Redirect (600) follows it or Retry (550)
# retries it: every hop and every attempt is archived with its body as received.
DOWNLOADER_MIDDLEWARES = {
    "pagetrail.crawl.middleware.ArchiveMiddleware": 950,
    # before Redirect (600) and Retry (550) see a response: see pagetrail/crawl/politeness.py
    "pagetrail.crawl.politeness.RedirectPolicyMiddleware": 610,
    "pagetrail.crawl.politeness.RetryAfterMiddleware": 560,
}
# Retry-After on 429/503 is waited for up to this many seconds; a longer one is not retried.
PAGETRAIL_RETRY_AFTER_MAX = 120
# Where a seed page's redirects are followed: "site" (same last two host labels), "host" or "any".
PAGETRAIL_REDIRECT_HOSTS = "site"

# -- requisites (seeds with requisites = true) ------------------------------------------------------
PAGETRAIL_MAX_REQUISITES = 200  # per page; 0: no cap
PAGETRAIL_REQUISITE_HOSTS = "host"  # "host": the page's host only; "site": same last two labels; "any"

# -- manners -------------------------------------------------------------------------------------
USER_AGENT = "pagetrail/0.1 (+https://github.com/pagetrail/pagetrail)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0
COOKIES_ENABLED = True

# -- failures ------------------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2
# Scrapy's list, its http11 TunnelError named without importing Scrapy's HTTP client (~0.07 s
# per crawl process): see pagetrail/crawl/retryable.py.
RETRY_EXCEPTIONS = _retry_exceptions(_scrapy_defaults.RETRY_EXCEPTIONS)
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
# A body cut short by the server is kept (flagged "dataloss", archived with WARC-Truncated) rather
# than thrown away: an archivist wants the bytes that did arrive.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Error pages reach the spider (and the archive is written either way) so outcomes report them.
HTTPERROR_ALLOW_ALL = True

# -- quiet, self-contained runs ------------------------------------------------------------------
LOG_LEVEL = "WARNING"
TELNETCONSOLE_ENABLED = False
# Scrapy (>= 2.14) otherwise starts a remote-control HTTP server (runs Python code sent to it) in
# every crawl and leaves a job file with its token in ~/.local/state/scrapy/job_files. Left out of
# the base extensions too, as Scrapy imports every listed extension (and aiohttp for this one).
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if path != "scrapy.extensions.remote_control.RemoteControl"}
MEMUSAGE_ENABLED = False
