"""Thin Scrapy spiders for `scrapy crawl NAME` from the repository root; the logic lives in
pagetrail.crawl."""
