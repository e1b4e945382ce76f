"""pagetrail.crawl"""
