"""The ground truth for a version: the Snapshot a perfect segmenter would produce for its content
channels (article, the injected promo, comments). Chrome and the standard ad units are left out:
they are the same in every version.

Tests use it to check the differ without a segmenter, and to score a segmenter on the example.
"""

from __future__ import annotations

from pagetrail.example.seedtext import load_seed
from pagetrail.example.timeline import BYLINE, PAGE_PATH, POST_DATE, TITLE, VERSIONS
from pagetrail.segment.model import Ad, Article, Block, Comment, Snapshot


def expected_snapshot(version: int, url: str = "http://127.0.0.1" + PAGE_PATH) -> Snapshot:
    state = VERSIONS[version].state
    assert state is not None
    seed = load_seed()
    ads = []
    if state.promo_link:
        ads.append(
            Ad(
                kind="promo-text",
                text=f"{seed.promo_heading} {seed.promo_text}",
                links=[state.promo_link],
                position="in-article",
                slot="article .entry-content",
                reason="example ground truth",
            )
        )
    depth: dict[int, int] = {}
    comments = []
    for pos, c in enumerate(state.comments):
        depth[c.id] = depth[c.parent] + 1 if c.parent in depth else 0
        comments.append(
            Comment(
                id=f"comment-{c.id}",
                author=c.author,
                date=c.date.isoformat(),
                text=c.text,
                parent=f"comment-{c.parent}" if c.parent else None,
                permalink=f"{url}#comment-{c.id}",
                depth=depth[c.id],
                position=pos,
            )
        )
    return Snapshot(
        url=url,
        article=Article(
            title=TITLE,
            byline=BYLINE,
            date=POST_DATE.isoformat(),
            blocks=[Block(kind="paragraph", text=p) for p in state.paragraphs],
        ),
        ads=ads,
        comments=comments,
    )
