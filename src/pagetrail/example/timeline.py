"""The scripted timeline of the example page: one URL, several versions, each with what changed.

Each version is built from the previous one by a small step function, so the page content
(``PageState``) and the machine-readable description of the change (``Version.changes``) sit
side by side. Tests across the project assert on ``Version.changes``: per channel ("article",
"ads", "comments") a list of dicts with at least ``op`` (added | removed | edited | moved).
``Version.noise`` lists what changed on the page outside the channels (never a content change).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pagetrail.example.seedtext import load_seed

PAGE_PATH = "/2011/05/how-does-heparin-help-treat-recurrent-miscarriages/"
TITLE = "How Does Heparin Help Treat Recurrent Miscarriages?"
SITE_TITLE = "Fertility Answers"
BYLINE = "Dr. Ellen Marsh"
POST_DATE = datetime(2011, 5, 3, 9, 12, 44, tzinfo=UTC)

HOP_LINK_1 = "http://1a2b3c.pregmiracle.hop.clickbank.net/?tid=heparin"
HOP_LINK_2 = "http://7x9k2m.fertilecure.hop.clickbank.net/?tid=heparin2"

CHANNELS = ("article", "ads", "comments")


@dataclass
class PageComment:
    id: int  # WordPress comment id: markup ids are comment-N, li-comment-N, div-comment-N
    author: str
    date: datetime
    paragraphs: list[list[str]]  # paragraphs -> lines (lines are joined by <br>)
    parent: int | None = None

    @property
    def text(self) -> str:
        return " ".join(line for para in self.paragraphs for line in para)


@dataclass
class PageState:
    """Everything that differs between versions of the page."""

    paragraphs: list[str]
    promo_link: str | None  # None: no promo on the page
    comments: list[PageComment]  # flat, in thread order (parents before their replies)
    comments_count: int  # printed in "N thoughts on ..."
    sidebar_date: str
    recent_posts: list[tuple[str, str]]  # (title, path)
    asset_version: str  # the ?ver= cache-buster on scripts and stylesheets
    form_nonce: str
    pixel_token: str  # cache-buster in the tracking pixel URL


@dataclass
class Version:
    number: int
    title: str
    changes: dict[str, list[dict]] = field(default_factory=dict)  # channel -> changes
    noise: list[str] = field(default_factory=list)  # off-channel differences, not changes
    state: PageState | None = field(default=None, repr=False)

    @property
    def changed_channels(self) -> list[str]:
        return [ch for ch in CHANNELS if self.changes.get(ch)]

    def to_dict(self) -> dict:
        """JSON-ready: number, title, changes, noise (the page state is left out)."""
        return {
            "number": self.number,
            "title": self.title,
            "changes": copy.deepcopy(self.changes),
            "noise": list(self.noise),
        }

    @property
    def last_modified(self) -> datetime:
        return POST_DATE + timedelta(days=3 * self.number, hours=self.number)


def _when(day: int, hour: int, minute: int) -> datetime:
    return datetime(2011, 5, day, hour, minute, 9, tzinfo=UTC)


RECENT_POSTS = [
    ("Can Progesterone Prevent an Early Miscarriage?", "/2011/05/can-progesterone-prevent-an-early-miscarriage/"),
    ("What Is a Chemical Pregnancy?", "/2011/04/what-is-a-chemical-pregnancy/"),
    ("Thyroid Problems and Fertility", "/2011/04/thyroid-problems-and-fertility/"),
    ("Baby Aspirin in Early Pregnancy: What the Studies Say", "/2011/04/baby-aspirin-in-early-pregnancy/"),
    ("Understanding Your Day 3 Blood Tests", "/2011/03/understanding-your-day-3-blood-tests/"),
]


def _initial_state() -> PageState:
    seed = load_seed()
    ids = [1021, 1187, 1254]
    dates = [_when(6, 14, 22), _when(9, 8, 5), _when(19, 20, 47)]
    comments: list[PageComment] = []
    parents: list[int] = []  # the id at each depth, to thread replies
    for cid, when, sc in zip(ids, dates, seed.comments, strict=True):
        parents = parents[: sc.depth]
        comments.append(
            PageComment(
                id=cid,
                author=sc.author,
                date=when,
                paragraphs=copy.deepcopy(sc.paragraphs),
                parent=parents[-1] if parents else None,
            )
        )
        parents.append(cid)
    return PageState(
        paragraphs=list(seed.paragraphs),
        promo_link=None,
        comments=comments,
        comments_count=seed.comments_count,
        sidebar_date="Thursday, May 26, 2011",
        recent_posts=list(RECENT_POSTS),
        asset_version="3.1.3",
        form_nonce="4f9a1c2e7b",
        pixel_token="1306400000123",
    )


# --- the steps: each takes the previous state, changes it, and says what it changed -------------


def _promo_change(op: str, link: str, **extra) -> dict:
    seed = load_seed()
    return {
        "op": op,
        "kind": "promo-text",
        "heading": seed.promo_heading,
        "text": seed.promo_text,
        "links": [link],
        "position": "in-article",
        **extra,
    }


def _comment_change(state: PageState, c: PageComment, op: str, **extra) -> dict:
    by_id = {x.id: x for x in state.comments}
    depth, parent = 0, c.parent
    while parent is not None:
        depth += 1
        parent = by_id[parent].parent if parent in by_id else None
    return {
        "op": op,
        "id": f"comment-{c.id}",
        "author": c.author,
        "date": c.date.isoformat(),
        "parent": f"comment-{c.parent}" if c.parent else None,
        "parent_author": by_id[c.parent].author if c.parent in by_id else None,
        "depth": depth,
        "text": c.text,
        **extra,
    }


def _v1_promo(s: PageState) -> dict:
    s.promo_link = HOP_LINK_1
    return {"ads": [_promo_change("added", HOP_LINK_1)]}


NEW_TOP_COMMENT = PageComment(
    id=1302,
    author="Karen M",
    date=_when(24, 11, 31),
    paragraphs=[[
        "My RE put me on heparin after my third loss and I am now 22 weeks along. "
        "The injections bruise but it is worth it. Ask about testing for APS if nobody has checked you yet."
    ]],
)
NEW_SPAM_COMMENT = PageComment(
    id=1310,
    author="cheap nursing scrubs",
    date=_when(25, 3, 2),
    paragraphs=[["Great post, very informative! I bookmarked your blog and will come back for more."]],
)
NEW_DEEP_REPLY = PageComment(
    id=1315,
    author="msnoname7",
    date=_when(25, 18, 40),
    paragraphs=[["Thank you Deb, that helps a lot. My rheumatologist wants to repeat the test in 12 weeks."]],
    parent=1187,
)


def _v2_comments(s: PageState) -> dict:
    top, spam, reply = (copy.deepcopy(c) for c in (NEW_TOP_COMMENT, NEW_SPAM_COMMENT, NEW_DEEP_REPLY))
    # The reply goes right after Deb's comment (1187), i.e. inside msnoname7's thread, depth 2.
    at = next(i for i, c in enumerate(s.comments) if c.id == 1187) + 1
    s.comments.insert(at, reply)
    s.comments.extend([top, spam])
    s.comments_count += 3
    return {
        "comments": [
            _comment_change(s, reply, "added"),
            _comment_change(s, top, "added"),
            _comment_change(s, spam, "added"),
        ]
    }


EDITED_PARAGRAPH = 2
EDIT_BEFORE = "researchers believe that tiny clots"
EDIT_AFTER = "researchers now believe that tiny blood clots"
ADDED_PARAGRAPH_AT = 4
ADDED_PARAGRAPH = (
    "Low-molecular-weight heparins such as enoxaparin are now used more often than unfractionated "
    "heparin, because they are injected once a day and carry a lower risk of bone loss."
)


def _v3_article(s: PageState) -> dict:
    before = s.paragraphs[EDITED_PARAGRAPH]
    after = before.replace(EDIT_BEFORE, EDIT_AFTER)
    assert after != before
    s.paragraphs[EDITED_PARAGRAPH] = after
    s.paragraphs.insert(ADDED_PARAGRAPH_AT, ADDED_PARAGRAPH)
    return {
        "article": [
            {
                "op": "edited",
                "kind": "paragraph",
                "index_before": EDITED_PARAGRAPH,
                "index_after": EDITED_PARAGRAPH,
                "before": before,
                "after": after,
                "words_inserted": ["now", "blood"],
                "words_deleted": [],
            },
            {
                "op": "added",
                "kind": "paragraph",
                "index_after": ADDED_PARAGRAPH_AT,
                "text": ADDED_PARAGRAPH,
            },
        ]
    }


KAREN_EDIT_BEFORE = "I am now 22 weeks along."
KAREN_EDIT_AFTER = "I am now 23 weeks along with a healthy boy."


def _v4_swap_and_moderate(s: PageState) -> dict:
    old_link = s.promo_link
    s.promo_link = HOP_LINK_2
    spam = next(c for c in s.comments if c.id == NEW_SPAM_COMMENT.id)
    removed = _comment_change(s, spam, "removed")
    s.comments.remove(spam)
    s.comments_count -= 1
    karen = next(c for c in s.comments if c.id == NEW_TOP_COMMENT.id)
    before = karen.text
    karen.paragraphs = [[line.replace(KAREN_EDIT_BEFORE, KAREN_EDIT_AFTER) for line in p] for p in karen.paragraphs]
    edited = _comment_change(s, karen, "edited", before=before, after=karen.text)
    return {
        "ads": [
            _promo_change(
                "edited", HOP_LINK_2, links_before=[old_link], links_after=[HOP_LINK_2]
            )
        ],
        "comments": [removed, edited],
    }


def _v5_noise(s: PageState) -> list[str]:
    s.asset_version = "3.1.4"
    s.form_nonce = "b83e0d51aa"
    s.sidebar_date = "Friday, May 27, 2011"
    s.recent_posts = [s.recent_posts[i] for i in (2, 0, 4, 1, 3)]
    s.pixel_token = "1306486400987"
    return [
        "cache-busting ?ver= on scripts and stylesheets changed",
        "comment form nonce changed",
        "sidebar date changed",
        "Recent Posts reordered",
        "tracking pixel cache-buster changed",
    ]


def _build() -> list[Version]:
    state = _initial_state()
    versions = [Version(0, "original, no promo", {ch: [] for ch in CHANNELS}, [], copy.deepcopy(state))]
    steps = [
        ("promo injected into the article", _v1_promo),
        ("two new comments and a nested reply deep in a thread", _v2_comments),
        ("one paragraph edited, one paragraph added", _v3_article),
        ("promo link swapped, a comment removed, a comment edited", _v4_swap_and_moderate),
        ("noise only: cache-busters, nonce, sidebar date, recent posts order, pixel", None),
    ]
    for number, (title, step) in enumerate(steps, start=1):
        noise: list[str] = []
        if step is None:
            changes: dict = {}
            noise = _v5_noise(state)
        else:
            changes = step(state)
        full = {ch: list(changes.get(ch, [])) for ch in CHANNELS}
        versions.append(Version(number, title, full, noise, copy.deepcopy(state)))
    return versions


VERSIONS: list[Version] = _build()
