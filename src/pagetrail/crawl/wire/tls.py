"""TLS for the raw HTTP client, with Scrapy's defaults: no certificate verification, SNI sent.

An archive crawler must capture a site whose certificate has expired or is self-signed, as
Scrapy's default context factory does; the certificate is kept on the Response for whoever
wants to judge it. Built on pyOpenSSL and Twisted's public ``IOpenSSLClientConnectionCreator``
interface (Scrapy's own context factory is private API in 2.19).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from OpenSSL import SSL
from scrapy.settings import BaseSettings
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from zope.interface import implementer


def _no_verify(*_args: object) -> bool:
    return True


def context_from(settings: BaseSettings) -> SSL.Context:
    """One context for the crawl (a context per connection would cost a handshake's worth)."""
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_options(SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 | SSL.OP_NO_COMPRESSION
                    | getattr(SSL, "OP_LEGACY_SERVER_CONNECT", 0))
    ctx.set_verify(SSL.VERIFY_NONE, _no_verify)
    ciphers = settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS", "DEFAULT")
    ctx.set_cipher_list(ciphers.encode("ascii") if isinstance(ciphers, str) else ciphers)
    # HTTP/1.1 only: the client speaks nothing else, so it never offers h2 by ALPN.
    ctx.set_alpn_protos([b"http/1.1"])
    return ctx


@implementer(IOpenSSLClientConnectionCreator)
@dataclass
class ClientTLS:
    """A TLS client connection for one host name (SNI), on the crawl's shared context."""

    context: SSL.Context
    hostname: str

    def clientConnectionForTLS(self, tlsProtocol: object) -> SSL.Connection:  # noqa: N802, N803
        conn = SSL.Connection(self.context, None)
        conn.set_app_data(tlsProtocol)
        if self.hostname and not _is_ip(self.hostname):
            conn.set_tlsext_host_name(self.hostname.encode("idna"))
        return conn


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
