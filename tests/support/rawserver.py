"""A raw socket HTTP server on loopback: answers each path with bytes given verbatim, and keeps
the exact bytes of every request it read, so tests can compare them with the archive's records.

No HTTP library is involved on the server side: what the test says is written is what goes out
(odd header case and order, repeated headers, chunk framing, trailers, HTTP/1.0 close-delimited).
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Answer:
    data: bytes  # the whole response, head and body, as written on the socket
    close: bool = False  # close the connection after writing (HTTP/1.0, close-delimited bodies)


@dataclass
class RawServer:
    answers: dict[str, Answer] = field(default_factory=dict)
    received: dict[str, list[bytes]] = field(default_factory=dict)  # path -> request bytes
    connections: int = 0
    tls_folder: Path | None = None  # serve https with a fresh self-signed certificate made here

    def __post_init__(self) -> None:
        self._tls = _tls_context(self.tls_folder) if self.tls_folder else None
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def url(self, path: str) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> RawServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        self._sock.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        if self._tls is not None:
            try:
                conn = self._tls.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                return
        buf = b""
        with conn:
            conn.settimeout(10)
            while True:
                while b"\r\n\r\n" not in buf:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buf += data
                end = buf.index(b"\r\n\r\n") + 4
                request, buf = buf[:end], buf[end:]  # the crawler sends GETs without a body
                path = request.split(b" ", 2)[1].decode("latin-1")
                self.received.setdefault(path, []).append(request)
                answer = self.answers.get(path, Answer(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                conn.sendall(answer.data)
                if answer.close:
                    conn.shutdown(socket.SHUT_WR)
                    return


def _tls_context(folder: Path) -> ssl.SSLContext:
    """A server context with a self-signed certificate for 127.0.0.1, written into ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx
