"""Turn a version of the timeline into the page's HTML (``render(version) -> bytes``).

The markup lives in ``templates/*.html`` (``string.Template``); this module only fills them in.
Links are root-relative so the same bytes work on any host and port.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from importlib import resources
from string import Template

from pagetrail.example.seedtext import load_seed
from pagetrail.example.timeline import (
    BYLINE,
    PAGE_PATH,
    POST_DATE,
    SITE_TITLE,
    TITLE,
    VERSIONS,
    PageComment,
    PageState,
)

PROMO_LINK_TEXT = "here"  # the word in "Read more about it here." that carries the affiliate link


@cache
def _template(name: str) -> Template:
    text = resources.files("pagetrail.example").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def _text(s: str) -> str:
    return escape(s, quote=False)


def _paragraphs(paragraphs: list[str], indent: str) -> str:
    return "\n".join(f"{indent}<p>{_text(p)}</p>" for p in paragraphs)


def _promo(link: str | None) -> str:
    if link is None:
        return ""
    seed = load_seed()
    text = seed.promo_text
    at = text.rindex(PROMO_LINK_TEXT)
    return _template("promo.html").substitute(
        heading=_text(seed.promo_heading),
        text_before=_text(text[:at]),
        link=escape(link),
        link_text=PROMO_LINK_TEXT,
        text_after=_text(text[at + len(PROMO_LINK_TEXT) :]),
    ).rstrip("\n")


def _date_text(c: PageComment) -> str:
    hour = c.date.hour % 12 or 12
    ampm = "am" if c.date.hour < 12 else "pm"
    return f"{c.date:%B} {c.date.day}, {c.date.year} at {hour}:{c.date:%M} {ampm}"


def _comments(state: PageState) -> str:
    children: dict[int | None, list[PageComment]] = {}
    for c in state.comments:
        children.setdefault(c.parent, []).append(c)
    counter = [0]

    def one(c: PageComment, depth: int) -> str:
        indent = "\t\t\t" + "\t\t" * (depth - 1)
        counter[0] += 1
        kids = children.get(c.id, [])
        inner = ""
        if kids:
            inner = (
                f"{indent}\t<ol class=\"children\">\n"
                + "".join(one(k, depth + 1) for k in kids)
                + f"{indent}\t</ol><!-- .children -->\n"
            )
        paragraphs = "\n".join(
            f"{indent}\t\t\t<p>" + "<br>\n".join(_text(line) for line in para) + "</p>"
            for para in c.paragraphs
        )
        return _template("comment.html").substitute(
            indent=indent,
            parity="even" if counter[0] % 2 else "odd",
            depth=depth,
            parent_class=" parent" if kids else "",
            id=c.id,
            avatar=hashlib.md5(c.author.encode("utf-8")).hexdigest(),
            author=_text(c.author),
            datetime=c.date.isoformat(),
            date_text=_date_text(c),
            paragraphs=paragraphs,
            children=inner,
        )

    return "".join(one(c, 1) for c in children.get(None, [])).rstrip("\n")


def render_state(state: PageState) -> bytes:
    seed = load_seed()
    recent = "\n".join(
        f'\t\t\t\t<li><a href="{escape(path)}">{_text(title)}</a></li>'
        for title, path in state.recent_posts
    )
    html = _template("page.html").substitute(
        title=_text(TITLE),
        site_title=_text(SITE_TITLE),
        page_path=PAGE_PATH,
        asset_version=state.asset_version,
        post_datetime=POST_DATE.isoformat(),
        post_date=f"{POST_DATE:%B} {POST_DATE.day}, {POST_DATE.year}",
        byline=_text(BYLINE),
        paragraphs=_paragraphs(state.paragraphs, "\t\t\t"),
        promo=_promo(state.promo_link),
        comments_count=state.comments_count,
        comments_topic=_text(seed.comments_topic),
        comments=_comments(state),
        reply_heading=_text(seed.reply_heading),
        form_nonce=state.form_nonce,
        sidebar_date=_text(state.sidebar_date),
        recent_posts=recent,
        pixel_token=state.pixel_token,
    )
    return html.encode("utf-8")


@cache
def render(version: int) -> bytes:
    """The page's HTML at ``version`` (0 .. len(VERSIONS)-1), as the server sends it."""
    if not 0 <= version < len(VERSIONS):
        raise ValueError(f"no version {version}: the example has versions 0 to {len(VERSIONS) - 1}")
    state = VERSIONS[version].state
    assert state is not None
    return render_state(state)


def render_home(version: int) -> bytes:
    state = VERSIONS[version].state
    assert state is not None
    first = state.paragraphs[0]
    return _template("home.html").substitute(
        site_title=_text(SITE_TITLE),
        asset_version=state.asset_version,
        page_path=PAGE_PATH,
        title=_text(TITLE),
        excerpt=_text(first),
    ).encode("utf-8")
