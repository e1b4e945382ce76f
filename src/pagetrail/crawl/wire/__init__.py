"""pagetrail's own HTTP/1.1 client for Scrapy: keeps the bytes on the wire for the archive.

``handler`` (the Scrapy download handler) -> ``pool`` (kept-alive connections) -> ``connection``
(one Twisted Protocol) -> ``parser`` (the response as received) and ``fetch`` (Scrapy's promises:
signals, size limits, data loss); ``request`` writes the request bytes, ``tls`` the TLS client.
"""
