"""pagetrail.archive: WARC files, their CDXJ index and the SQLite catalog of captures."""

from pagetrail.archive.archive import Archive
from pagetrail.archive.model import Capture, Exchange, FailedFetch

__all__ = ["Archive", "Capture", "Exchange", "FailedFetch"]
