"""Which redirects of a seed page are not followed: to a scheme other than http(s), or to another
host or site than ``PAGETRAIL_REDIRECT_HOSTS`` allows. One rule, read by the redirect policy (which
stops Scrapy following) and by the archive (which then records the 3xx as the seed's own answer,
not as a hop, so the page's timeline shows the refused redirect as a fetch problem)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import BaseSettings

from pagetrail.crawl import exchange as ex
from pagetrail.crawl.requisites import allowed_host

POLICIES = ("host", "site", "any")


def redirect_policy(settings: BaseSettings) -> str:
    policy = settings.get("PAGETRAIL_REDIRECT_HOSTS", "site")
    return policy if policy in POLICIES else "site"


def refusal(request: Request, response: Response, policy: str) -> str | None:
    """Why this seed page's redirect is not followed, or None (followed, or not a redirect)."""
    if (response.status not in ex.REDIRECT_STATUSES or request.meta.get(ex.META_ROLE, "page") != "page"
            or request.meta.get("dont_redirect") or b"Location" not in response.headers):
        return None
    location = urljoin(request.url, response.headers[b"Location"].decode("latin-1").strip())
    scheme = urlsplit(location).scheme.lower()
    if scheme not in ("http", "https"):
        why = f"redirect to a {scheme or 'relative'}: URL not followed"
    elif not allowed_host(location, request.url, policy):
        why = f"redirect to another {'host' if policy == 'host' else 'site'} not followed"
    else:
        return None
    return f"{why}: {request.url} -> {location[:300]}"
