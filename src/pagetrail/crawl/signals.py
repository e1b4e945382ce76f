"""Signals pagetrail's Scrapy components send (connect with ``crawler.signals.connect``)."""

#: Sent by ArchiveMiddleware after each record: ``capture`` (archive Capture), ``request``,
#: ``exchange`` (an Exchange or a FailedFetch).
fetch_archived = object()

#: Sent by the snapshot spider once per seed page or requisite with its final ``outcome``
#: (a pagetrail.crawl.outcome.PageOutcome).
page_done = object()
