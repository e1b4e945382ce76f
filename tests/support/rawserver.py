"""A raw socket HTTP server on loopback: answers each path with bytes given verbatim, and keeps
the exact bytes of every request it read, so tests can compare them with the archive's records.

No HTTP library is involved on the server side: what the test says is written is what goes out
(odd header case and order, repeated headers, chunk framing, trailers, HTTP/1.0 close-delimited).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Answer:
    data: bytes  # the whole response, head and body, as written on the socket
    close: bool = False  # close the connection after writing (HTTP/1.0, close-delimited bodies)


@dataclass
class RawServer:
    answers: dict[str, Answer] = field(default_factory=dict)
    received: dict[str, list[bytes]] = field(default_factory=dict)  # path -> request bytes
    connections: int = 0

    def __post_init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

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
