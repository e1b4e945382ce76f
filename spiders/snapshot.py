"""`scrapy crawl snapshot [-a seeds=FILE[,FILE]] [-a only=NAME[,NAME]] [-a url=URL[,URL]]`."""

from pagetrail.crawl.spider import SnapshotSpider as _SnapshotSpider


class SnapshotSpider(_SnapshotSpider):
    name = "snapshot"
