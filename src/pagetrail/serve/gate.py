"""The replay port when the app listens beyond loopback: the same token, in front of pywb.

pywb then listens on 127.0.0.1 only, and this small WSGI app on the public replay port checks the
token (the app's HttpOnly cookie, which the browser sends to every port of the host, or ``?token=``
or a Bearer header) and forwards each request to pywb unchanged — the Host header included, so the
links pywb writes point at the public address. Replay keeps its own origin (another port).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode

from pagetrail.serve.security import COOKIE, token_matches

# Hop-by-hop headers (RFC 9110 7.6.1) are the two servers' own business, never forwarded.
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade"}
_CHUNK = 1 << 16


def _request_headers(environ: dict) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in _HOP and name.lower() != "cookie":
                headers[name] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = environ[key]
    return headers


def _body(response: http.client.HTTPResponse, conn: http.client.HTTPConnection) -> Iterator[bytes]:
    try:
        while chunk := response.read(_CHUNK):
            yield chunk
    finally:
        conn.close()


def replay_gate(upstream_port: int, token: str):  # noqa: ANN201 - a WSGI application
    def app(environ: dict, start_response) -> Iterable[bytes]:  # noqa: ANN001
        from http.cookies import SimpleCookie

        query = environ.get("QUERY_STRING", "")
        args = parse_qsl(query, keep_blank_values=True)
        given = dict(args).get("token")
        if given is not None and token_matches(given, token):
            rest = urlencode([(k, v) for k, v in args if k != "token"])
            location = environ.get("PATH_INFO", "/") + ("?" + rest if rest else "")
            start_response("303 See Other", [
                ("Location", location),
                ("Set-Cookie", f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/")])
            return [b""]
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        auth = environ.get("HTTP_AUTHORIZATION", "")
        presented = (cookies[COOKIE].value if COOKIE in cookies else
                     auth[7:] if auth.startswith("Bearer ") else "")
        if not (presented and token_matches(presented, token)):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"),
                                                ("Cache-Control", "no-store")])
            return [b"pagetrail serve: replay needs the token the command printed\n"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        path = environ.get("PATH_INFO", "/") + ("?" + query if query else "")
        conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
        try:
            conn.request(environ["REQUEST_METHOD"], path, body=body,
                         headers=_request_headers(environ))
            response = conn.getresponse()
        except OSError as exc:
            conn.close()
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [f"pagetrail serve: replay is not answering ({exc})\n".encode()]
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
        start_response(f"{response.status} {response.reason}", headers)
        return _body(response, conn)

    return app
