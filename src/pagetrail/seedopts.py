"""The seed fields for fetching and notifying (``delay``, ``timeout``, ``proxy``, ``notify``,
``notify_failures``, ``webhook_headers``, ``webhook_secret``), validated for :mod:`pagetrail.seeds`."""

from __future__ import annotations

from urllib.parse import urlsplit

from pagetrail.durations import parse_duration


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def fetch_and_notify_fields(raw: dict) -> dict:
    """The :class:`~pagetrail.seeds.Seed` keyword arguments for these fields of a seed table."""
    out: dict = {}
    for key in ("delay", "timeout"):
        value = raw.get(key)
        if value is None:
            out[key] = None
            continue
        try:
            out[key] = parse_duration(value)
        except ValueError as exc:
            raise FieldError(key, str(exc)) from None
        if key == "timeout" and not out[key]:
            raise FieldError(key, "must be more than 0")
    proxy = raw.get("proxy")
    if proxy is not None and (not isinstance(proxy, str)
                              or urlsplit(proxy).scheme not in ("http", "https")
                              or not urlsplit(proxy).hostname):
        raise FieldError("proxy", f"must be an http(s) URL such as http://proxy.example:3128, "
                         f"got {proxy!r}")
    out["proxy"] = proxy
    out["notify"] = notify_urls(raw.get("notify", []))
    headers = raw.get("webhook_headers", {})
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and "\n" not in k + v
            and "\r" not in k + v for k, v in headers.items()):
        raise FieldError("webhook_headers", "must be a table of header names to one-line "
                         'strings, e.g. { Authorization = "Bearer ..." }')
    out["webhook_headers"] = tuple(headers.items())
    secret = raw.get("webhook_secret")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise FieldError("webhook_secret", "must be a non-empty string")
    out["webhook_secret"] = secret
    failures = raw.get("notify_failures", 3)
    if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
        raise FieldError("notify_failures", f"must be a whole number of 1 or more, got {failures!r}")
    out["notify_failures"] = failures
    return out


def notify_urls(raw: object) -> tuple[str, ...]:
    """The seed's apprise URLs, each checked by apprise itself. A problem names the URL's scheme
    only: the rest of a notification URL often holds a password."""
    urls = [raw] if isinstance(raw, str) else raw
    if not isinstance(urls, list):
        raise FieldError("notify", "must be a string or a list of strings")
    for url in urls:
        if not isinstance(url, str) or "://" not in url:
            raise FieldError("notify", f"{url!r} is not a notification URL "
                             "(e.g. mailto://user:pass@example.org, slack://..., json://host/path)")
    if not urls:
        return ()
    import apprise  # only for seeds that notify: it takes a moment to load

    for url in urls:
        if apprise.Apprise.instantiate(url) is None:
            scheme = url.split("://", 1)[0]
            raise FieldError("notify", f"a {scheme}:// URL that apprise cannot use (unknown "
                             "service or malformed; see https://github.com/caronc/apprise/wiki)")
    return tuple(urls)
