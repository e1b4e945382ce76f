"""What makes the app safe by construction, applied to every response and request.

- A strict Content-Security-Policy: no script at all, styles and images from the app only, no
  frames, no form posts elsewhere. Archived text is escaped by Jinja's autoescape; if an escape were
  ever missed, the browser would still refuse to run it.
- Read-only: only GET and HEAD are routed; anything else is 405 before it reaches a view.
- On loopback, only requests that name a loopback host (no DNS rebinding).
- A token when the app listens beyond loopback: given once as ``?token=`` (or an ``Authorization:
  Bearer`` header), then kept in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from flask import Flask, Response, abort, redirect, request

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
COOKIE = "pagetrail_token"
TOKEN_ENV = "PAGETRAIL_SERVE_TOKEN"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(host_header: str) -> str:
    """The name in a Host header, without the port (``[::1]:8080`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def install(app: Flask, token: str | None) -> None:
    """Security headers on every response; the token check on every request when ``token``.

    Without a token (loopback only), a request must also name a loopback host: a web page that
    points its own domain at 127.0.0.1 (DNS rebinding) would otherwise read the app as same-origin.
    """

    @app.before_request
    def _guard():  # noqa: ANN202
        if request.method not in ("GET", "HEAD"):
            abort(405)
        if not token:
            name = host_name(request.host.lower())
            if name not in LOOPBACK_NAMES and not is_loopback(name):
                return Response("pagetrail serve: unexpected Host header (only loopback names are "
                                "served without a token)\n", status=421, mimetype="text/plain")
            return None
        given = request.args.get("token")
        if given is not None and token_matches(given, token):
            # Swap the token in the address for a cookie, so it does not stay in history or logs.
            args = {k: v for k, v in request.args.items(multi=False) if k != "token"}
            from urllib.parse import urlencode

            target = request.path + ("?" + urlencode(args) if args else "")
            response = redirect(target, code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict",
                                secure=request.is_secure)
            return response
        auth = request.headers.get("Authorization", "")
        presented = request.cookies.get(COOKIE) or (auth[7:] if auth.startswith("Bearer ") else "")
        if presented and token_matches(presented, token):
            return None
        return Response("pagetrail serve: open the address with ?token=... that the command "
                        "printed\n", status=401, mimetype="text/plain")

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers[name] = value
        if token:
            response.headers["Cache-Control"] = "private, no-store"
        return response
