"""pagetrail: archive pages into WARC files and report what changed in article, ads and comments."""

__version__ = "0.1.0"
