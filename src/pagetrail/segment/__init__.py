"""Split a capture into article, ads and comments: ``segment(html, url, rules) -> Snapshot``."""

from pagetrail.segment.model import Ad, Article, Block, Comment, Snapshot

__all__ = ["Ad", "Article", "Block", "Comment", "Snapshot", "segment"]


def segment(html: bytes, url: str, rules=None) -> Snapshot:  # noqa: ANN001
    from pagetrail.segment.pipeline import segment as _segment

    return _segment(html, url, rules)
